from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal import bounds
from portal.models import TimeStampedModel
from portal.validators import DateWithin


class Lan(models.Model):
    code = models.CharField(_("länskod"), max_length=2, unique=True)
    name = models.CharField(_("namn"), max_length=100)

    class Meta:
        verbose_name = _("län")
        verbose_name_plural = _("län")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Kommun(models.Model):
    code = models.CharField(_("kommunkod"), max_length=4, unique=True)
    name = models.CharField(_("namn"), max_length=100)
    lan = models.ForeignKey(Lan, verbose_name=_("län"), on_delete=models.PROTECT, related_name="kommuner")

    class Meta:
        verbose_name = _("kommun")
        verbose_name_plural = _("kommuner")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Organisation(TimeStampedModel):
    class Kind(models.TextChoices):
        KOMMUN = "kommun", _("Kommun")
        REGION = "region", _("Region (hälso- och sjukvård)")
        POLIS = "polis", _("Polis")
        SKOLA = "skola", _("Skola/förskola")
        KYRKA = "kyrka", _("Kyrka/församling")
        IDEELL = "ideell", _("Ideell organisation")
        ANNAN = "annan", _("Annan")

    name = models.CharField(_("namn"), max_length=200)
    kind = models.CharField(_("sort"), max_length=10, choices=Kind.choices)
    unit = models.CharField(
        _("förvaltning/enhet"),
        max_length=200,
        blank=True,
        help_text=_("T.ex. socialtjänst eller familjecentral."),
    )
    kommun = models.ForeignKey(
        Kommun, verbose_name=_("kommun"), null=True, blank=True, on_delete=models.PROTECT, related_name="organisations"
    )
    lan = models.ForeignKey(
        Lan,
        verbose_name=_("län"),
        on_delete=models.PROTECT,
        related_name="organisations",
        help_text=_("Sätts från kommunen när en kommun är vald."),
    )
    website = models.URLField(_("webbplats"), blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="OrganisationMembership", related_name="organisations", blank=True
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisationer")
        ordering = ["name", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["name", "unit", "lan"], name="organisation_unique_name_unit_lan"),
        ]
        indexes = [models.Index(fields=["lan", "kind"], name="organisation_lan_kind")]

    def __str__(self):
        return f"{self.name}, {self.unit}" if self.unit else self.name

    def clean(self):
        if self.kommun_id:
            self.lan_id = self.kommun.lan_id


class OrganisationMembership(models.Model):
    """A person's place in an organisation, with their title there."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE)
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE)
    title = models.CharField(_("titel"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("anställning/uppdrag")
        verbose_name_plural = _("anställningar/uppdrag")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="orgmembership_unique_user_org"),
        ]

    def __str__(self):
        return f"{self.user} – {self.organisation}"


class NetworkQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The networks ``user`` may see (access rule 2): those they are a member of; every
        network for an administrator (an active staff user); none for anyone else. Built by the
        ORM on every request, so a removed member loses access on the next one."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_staff:
            return self.all()
        # Exists, not a join: a join on memberships would also narrow any later
        # Count("memberships") to the user's own row.
        return self.filter(Exists(NetworkMembership.objects.filter(network=OuterRef("pk"), user=user)))


class Network(TimeStampedModel):
    class Kind(models.TextChoices):
        REGIONAL = "regional", _("Regionalt (län)")
        LOCAL = "local", _("Lokalt (kommun)")

    name = models.CharField(_("namn"), max_length=200)
    kind = models.CharField(_("sort"), max_length=10, choices=Kind.choices)
    lan = models.ForeignKey(Lan, verbose_name=_("län"), on_delete=models.PROTECT, related_name="networks")
    kommun = models.ForeignKey(
        Kommun, verbose_name=_("kommun"), null=True, blank=True, on_delete=models.PROTECT, related_name="networks"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("regionalt nätverk"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="local_networks",
        limit_choices_to={"kind": "regional"},
    )
    purpose = models.TextField(
        _("avsiktsförklaring"), blank=True, help_text=_("Varför nätverket finns och vad det vill åstadkomma."),
        max_length=bounds.LONG_TEXT, validators=[MaxLengthValidator(bounds.LONG_TEXT)],
    )
    organisations = models.ManyToManyField(
        Organisation, through="NetworkOrganisation", related_name="networks", blank=True,
        verbose_name=_("medlemsorganisationer"),
    )

    objects = NetworkQuerySet.as_manager()

    class Meta:
        verbose_name = _("nätverk")
        verbose_name_plural = _("nätverk")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="regional", kommun__isnull=True, parent__isnull=True)
                | Q(kind="local", kommun__isnull=False),
                name="network_kind_matches_area",
            ),
        ]
        indexes = [models.Index(fields=["lan", "kind"], name="network_lan_kind")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("network_detail", args=[self.pk])

    def clean(self):
        errors = {}
        if self.kind == self.Kind.LOCAL:
            if not self.kommun_id:
                errors["kommun"] = _("Ett lokalt nätverk måste höra till en kommun.")
            else:
                self.lan_id = self.kommun.lan_id
            if self.parent_id:
                if self.parent.kind != self.Kind.REGIONAL:
                    errors["parent"] = _("Ett lokalt nätverk kan bara ligga under ett regionalt nätverk.")
                elif self.kommun_id and self.parent.lan_id != self.kommun.lan_id:
                    errors["parent"] = _(
                        "Det regionala nätverket hör till %(lan)s, men kommunen ligger i ett annat län."
                    ) % {"lan": self.parent.lan}
        elif self.kind == self.Kind.REGIONAL:
            if self.kommun_id:
                errors["kommun"] = _("Ett regionalt nätverk hör till ett län, inte till en kommun.")
            if self.parent_id:
                errors["parent"] = _("Ett regionalt nätverk kan inte ligga under ett annat nätverk.")
        if errors:
            raise ValidationError(errors)


class NetworkOrganisation(models.Model):
    network = models.ForeignKey(Network, verbose_name=_("nätverk"), on_delete=models.CASCADE)
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT)
    joined_on = models.DateField(_("med sedan"), default=timezone.localdate, validators=[DateWithin("network")])

    class Meta:
        verbose_name = _("medlemsorganisation")
        verbose_name_plural = _("medlemsorganisationer")
        constraints = [
            models.UniqueConstraint(fields=["network", "organisation"], name="networkorg_unique"),
        ]

    def __str__(self):
        return f"{self.organisation} i {self.network}"


class NetworkMembership(models.Model):
    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Samordnare")
        PARTICIPANT = "participant", _("Deltagare")

    network = models.ForeignKey(Network, verbose_name=_("nätverk"), on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="network_memberships"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("företräder"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("roll"), max_length=12, choices=Role.choices, default=Role.PARTICIPANT)
    joined_at = models.DateTimeField(_("med sedan"), default=timezone.now, validators=[DateWithin("network")])

    class Meta:
        verbose_name = _("medlem")
        verbose_name_plural = _("medlemmar")
        constraints = [
            models.UniqueConstraint(fields=["network", "user"], name="networkmembership_unique"),
        ]
        indexes = [models.Index(fields=["user", "network"], name="membership_user_network")]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}) i {self.network}"


class Stewardship(models.Model):
    """Who is responsible for driving the network onward, for which period."""

    network = models.ForeignKey(Network, verbose_name=_("nätverk"), on_delete=models.CASCADE, related_name="stewardships")
    organisation = models.ForeignKey(Organisation, verbose_name=_("sammankallande organisation"), on_delete=models.PROTECT)
    contact_person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("kontaktperson"), on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField(_("från"), validators=[DateWithin("network")])
    ends_on = models.DateField(_("till"), null=True, blank=True, validators=[DateWithin("network")])
    note = models.CharField(_("anteckning"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("ansvarsperiod")
        verbose_name_plural = _("ansvarsperioder")
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["network"], condition=Q(ends_on__isnull=True), name="stewardship_one_current_per_network"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="stewardship_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.organisation} ({self.starts_on}–{self.ends_on or ''})"


class NetworkInvitation(models.Model):
    """An e-mail invitation to a network; the link lets a new person choose a password."""

    network = models.ForeignKey(Network, verbose_name=_("nätverk"), on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="+")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("inbjuden av"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("skickad"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepterad"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbjudan")
        verbose_name_plural = _("inbjudningar")

    def __str__(self):
        return f"{self.user} → {self.network}"


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
