"""The barnstödsnätverk: regional and local networks, their member organisations, members,
stewardship and invitations."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import bounds
from portal.models import TimeStampedModel
from portal.validators import DateWithin

from .organisations import Kommun, Lan, Organisation


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
