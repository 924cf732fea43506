"""What the organisations offer families (verksamhetskatalogen): activities, the tips counted per
term, and each organisation's receivers of referrals."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal import bounds
from portal.models import TimeStampedModel

from .organisations import Kommun, Organisation, OrganisationMembership


class Activity(TimeStampedModel):
    """A service a member organisation offers families (verksamhetskatalogen)."""

    class Category(models.TextChoices):
        MOTESPLATS = "motesplats", _("Mötesplats")
        STODGRUPP = "stodgrupp", _("Stödgrupp")
        SAMTALSSTOD = "samtalsstod", _("Samtalsstöd")
        LAXHJALP = "laxhjalp", _("Läxhjälp")
        EKONOMISKT = "ekonomiskt", _("Ekonomiskt/materiellt stöd")
        FORALDRASTOD = "foraldrastod", _("Föräldrastöd")
        FRITID = "fritid", _("Fritid")
        ANNAT = "annat", _("Annat")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="activities"
    )
    title = models.CharField(_("rubrik"), max_length=200)
    description = models.TextField(
        _("beskrivning"), max_length=bounds.LONG_TEXT, validators=[MaxLengthValidator(bounds.LONG_TEXT)],
    )
    category = models.CharField(_("kategori"), max_length=20, choices=Category.choices)
    age_from = models.PositiveSmallIntegerField(_("ålder från"), null=True, blank=True)
    age_to = models.PositiveSmallIntegerField(_("ålder till"), null=True, blank=True)
    kommun = models.ForeignKey(Kommun, verbose_name=_("kommun"), on_delete=models.PROTECT, related_name="activities")
    when = models.CharField(_("när"), max_length=200, blank=True, help_text=_("T.ex. tisdagar 15–17 under terminerna."))
    where = models.CharField(_("var"), max_length=200, blank=True)
    contact = models.CharField(_("kontakt"), max_length=200, help_text=_("Namn, telefon eller e-post."))
    how_to_refer = models.TextField(
        _("så hänvisar du en familj"), blank=True, help_text=_("Hur en familj kommer i kontakt eller anmäls."),
        max_length=bounds.NOTE, validators=[MaxLengthValidator(bounds.NOTE)],
    )
    # What a family reads: on the leaflet a professional prints ("Tipsa en familj") and, when the
    # organisation makes it public, on the activity's open page (``public``).
    cost = models.CharField(
        _("kostnad"), max_length=200, blank=True,
        help_text=_("T.ex. ”Gratis” eller ”20 kr per gång”. Står på lappen till familjen."),
    )
    getting_there = models.TextField(
        _("hitta hit"), blank=True,
        help_text=_("Adress, buss, parkering, vilken dörr. Står på lappen till familjen."),
        max_length=bounds.NOTE, validators=[MaxLengthValidator(bounds.NOTE)],
    )
    family_contact = models.CharField(
        _("kontakt för familjer"), max_length=200, blank=True,
        help_text=_("Vem familjen hör av sig till och hur. Lämnas tom: kontakten ovan."),
    )
    notify_email = models.EmailField(
        _("e-post när någon tipsar en familj"), blank=True,
        help_text=_(
            "Den som tipsar en familj kan skicka hit att en familj kan höra av sig (aldrig något om "
            "familjen). Visas inte för familjer."
        ),
    )
    public = models.BooleanField(
        _("öppen sida för familjer"), default=False,
        help_text=_(
            "Verksamheten får en sida som vem som helst kan läsa; QR-koden på lappen till familjen "
            "leder dit. Sidan visar rubrik, beskrivning, ålder, när, var, kostnad, hitta hit och "
            "kontakten för familjer – inget annat."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("skapad av"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("verksamhet")
        verbose_name_plural = _("verksamheter")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(age_from__isnull=True) | Q(age_to__isnull=True) | Q(age_to__gte=F("age_from")),
                name="activity_age_range",
            ),
        ]
        indexes = [
            models.Index(fields=["kommun", "category"], name="activity_kommun_category"),
            # The directory without words lists by title (networks/directory.py): the first
            # page of a national directory from the index, not by sorting every activity.
            models.Index(fields=["title", "id"], name="activity_title_id"),
        ]

    def __str__(self):
        return self.title

    @property
    def ages_label(self):
        """The ages the activity is for, as a person reads it ("6–12 år", "alla åldrar")."""
        if self.age_from is not None and self.age_to is not None:
            return gettext("%(from)s–%(to)s år") % {"from": self.age_from, "to": self.age_to}
        if self.age_from is not None:
            return gettext("från %(from)s år") % {"from": self.age_from}
        if self.age_to is not None:
            return gettext("upp till %(to)s år") % {"to": self.age_to}
        return gettext("alla åldrar")

    @property
    def contact_for_families(self):
        """Whom a family contacts: the contact for families, or the activity's contact."""
        return self.family_contact or self.contact

    def clean(self):
        if self.age_from is not None and self.age_to is not None and self.age_to < self.age_from:
            raise ValidationError({"age_to": _("”Ålder till” kan inte vara lägre än ”ålder från”.")})


class ActivityTipCount(models.Model):
    """How many times professionals tipped a family about an activity in a term ("Tipsa en
    familj"). The count is all the portal keeps: no row names a family, a professional or a
    day. Raised with ``F()`` by ``services.activity_tip_record`` only."""

    class Term(models.TextChoices):
        VT = "VT", _("VT (vårtermin)")
        HT = "HT", _("HT (hösttermin)")

    activity = models.ForeignKey(
        Activity, verbose_name=_("verksamhet"), on_delete=models.CASCADE, related_name="tip_counts"
    )
    term = models.CharField(_("termin"), max_length=2, choices=Term.choices)
    year = models.PositiveSmallIntegerField(_("år"))
    count = models.PositiveIntegerField(_("antal tips"), default=0)

    class Meta:
        verbose_name = _("tips per termin")
        verbose_name_plural = _("tips per termin")
        constraints = [
            models.UniqueConstraint(fields=["activity", "year", "term"], name="activitytipcount_one_per_term"),
            models.CheckConstraint(condition=Q(term__in=["VT", "HT"]), name="activitytipcount_term_valid"),
        ]
        indexes = [models.Index(fields=["year", "term"], name="activitytipcount_term")]

    def __str__(self):
        return f"{self.activity_id} {self.term} {self.year}: {self.count}"


class ReferralReceiverQuerySet(models.QuerySet):
    def current(self):
        """Receivers who still belong to the organisation they receive for."""
        return self.filter(
            Exists(
                OrganisationMembership.objects.filter(
                    user_id=OuterRef("user_id"), organisation_id=OuterRef("organisation_id")
                )
            ),
            user__is_active=True,
        )


class ReferralReceiver(models.Model):
    """A member of an organisation named to receive the referrals sent to it (*mottagare*).
    A receiver is current only while they belong to the organisation and their account is
    active (``ReferralReceiver.objects.current()``). Named and removed by the organisation's
    members, the coordinators of the networks it is a member of, and administrators
    (networks/receivers.py); every change is audited by its service."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="referral_receivers"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="+"
    )
    named_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("utsedd av"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    named_at = models.DateTimeField(_("utsedd"), default=timezone.now)

    objects = ReferralReceiverQuerySet.as_manager()

    class Meta:
        verbose_name = _("mottagare av hänvisningar")
        verbose_name_plural = _("mottagare av hänvisningar")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="referralreceiver_unique"),
        ]
        indexes = [models.Index(fields=["user", "organisation"], name="referralreceiver_user_org")]

    def __str__(self):
        return f"{self.user} – {self.organisation}"
