"""The child, the guardians, the plan, its team and the handover of the contact person's role."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from networks.models import Organisation
from portal import bounds
from portal.models import TimeStampedModel
from portal.validators import DateWithin

from ..managers import (
    ChildPlanManager,
    TeamMemberManager,
    on_team_now,
)
from ..personnummer import mask_personnummer


class Area(models.TextChoices):
    """The eight wellbeing areas of GIRFEC (välbefinnandehjulet / behovskompassen)."""

    TRYGG = "trygg", _("Trygg")
    HALSA = "halsa", _("Må bra/Hälsa")
    UTVECKLAS = "utvecklas", _("Utvecklas")
    OMVARDAD = "omvardad", _("Omvårdad")
    AKTIV = "aktiv", _("Aktiv")
    RESPEKTERAD = "respekterad", _("Respekterad")
    ANSVARSTAGANDE = "ansvarstagande", _("Ansvarstagande")
    DELAKTIG = "delaktig", _("Delaktig")


class Need(models.TextChoices):
    NONE = "inget", _("Inget behov")
    SOME = "visst", _("Visst behov")
    GREAT = "stort", _("Stort behov")


NEED_RANK = {Need.NONE: 0, Need.SOME: 1, Need.GREAT: 2}


class PlanKeepingKind(models.Model):
    """Organisation kinds that may open and keep plans (kommun, region, skola, polis by
    default; administrators change the list in the admin). No child data."""

    kind = models.CharField(_("organisationssort"), max_length=10, choices=Organisation.Kind.choices, unique=True)

    class Meta:
        verbose_name = _("sort som får föra planer")
        verbose_name_plural = _("sorter som får föra planer")
        ordering = ["kind"]

    def __str__(self):
        return self.get_kind_display()


class ReasonCategory(models.Model):
    """Why plans are opened (e.g. barn som anhöriga, skolfrånvaro). No child data."""

    name = models.CharField(_("namn"), max_length=100, unique=True)
    active = models.BooleanField(_("används"), default=True)

    class Meta:
        verbose_name = _("anledningskategori")
        verbose_name_plural = _("anledningskategorier")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Child(TimeStampedModel):
    given_name = models.CharField(_("förnamn"), max_length=100)
    family_name = models.CharField(_("efternamn"), max_length=100)
    birth_date = models.DateField(_("födelsedatum"), validators=[DateWithin("birth")])
    personnummer = models.CharField(
        _("personnummer"), max_length=13, blank=True, help_text=_("Frivilligt. ÅÅÅÅMMDD-NNNN.")
    )

    class Meta:
        verbose_name = _("barn")
        verbose_name_plural = _("barn")
        constraints = [
            models.UniqueConstraint(
                fields=["personnummer"], condition=~Q(personnummer=""), name="child_unique_personnummer"
            ),
        ]

    def __str__(self):
        return f"{self.given_name} {self.family_name}"

    @property
    def masked_personnummer(self):
        return mask_personnummer(self.personnummer)


class Guardian(TimeStampedModel):
    class Relation(models.TextChoices):
        MOTHER = "mamma", _("Mamma")
        FATHER = "pappa", _("Pappa")
        PARENT = "foralder", _("Förälder")
        APPOINTED = "sarskilt_forordnad", _("Särskilt förordnad vårdnadshavare")
        OTHER = "annan", _("Annan")

    child = models.ForeignKey(Child, verbose_name=_("barn"), on_delete=models.CASCADE, related_name="guardians")
    name = models.CharField(_("namn"), max_length=200)
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices)
    has_custody = models.BooleanField(_("har vårdnad"), default=True)
    contact = models.CharField(_("kontaktuppgifter"), max_length=300, blank=True)
    email = models.EmailField(
        _("e-postadress"), blank=True,
        help_text=_("Inbjudningar till barnteamets möten skickas hit. Visas aldrig för andra än teamet."),
    )

    class Meta:
        verbose_name = _("vårdnadshavare")
        verbose_name_plural = _("vårdnadshavare")
        ordering = ["name"]

    def __str__(self):
        return self.name


class ChildPlan(TimeStampedModel):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Aktiv")
        CLOSED = "closed", _("Avslutad")

    child = models.ForeignKey(Child, verbose_name=_("barn"), on_delete=models.PROTECT, related_name="plans")
    owner_organisation = models.ForeignKey(
        Organisation, verbose_name=_("ansvarig organisation"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    contact_person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("kontaktperson"), on_delete=models.PROTECT, related_name="+"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("öppnad av"), on_delete=models.PROTECT, related_name="+"
    )
    opened_on = models.DateField(_("öppnad"), default=timezone.localdate)
    reason = models.TextField(_("anledning"), max_length=bounds.TEXT, validators=[MaxLengthValidator(bounds.TEXT)])
    reason_categories = models.ManyToManyField(
        ReasonCategory, verbose_name=_("kategorier"), blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    closed_on = models.DateField(_("avslutad"), null=True, blank=True)
    close_reason = models.TextField(
        _("anledning till avslut"), blank=True, max_length=bounds.NOTE, validators=[MaxLengthValidator(bounds.NOTE)],
    )

    objects = ChildPlanManager()

    class Meta:
        verbose_name = _("barnets plan")
        verbose_name_plural = _("barnens planer")
        constraints = [
            models.UniqueConstraint(
                fields=["child"], condition=Q(status="active"), name="childplan_one_active_per_child"
            ),
            models.CheckConstraint(
                condition=Q(status="active", closed_on__isnull=True)
                | (Q(status="closed", closed_on__isnull=False) & ~Q(close_reason="")),
                name="childplan_closed_has_date_and_reason",
            ),
        ]
        indexes = [models.Index(fields=["owner_organisation", "status"], name="childplan_org_status")]

    def __str__(self):
        return _("Plan %(pk)s") % {"pk": self.pk}

    @property
    def is_closed(self):
        return self.status == self.Status.CLOSED


class TeamMember(models.Model):
    """A person on the plan's team, for an organisation. Current while ``removed_at`` is empty."""

    class RemovedBecause(models.TextChoices):
        REMOVED = "removed", _("Borttagen ur teamet")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("Samtycket återkallades")

    plan = models.ForeignKey(ChildPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT, related_name="plan_teams"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    part = models.CharField(_("roll i planen"), max_length=200, blank=True)
    is_supporter = models.BooleanField(
        _("stödsamordnare"), default=False, help_text=_("Barnets och familjens egen betrodda vuxen.")
    )
    added_at = models.DateTimeField(_("tillagd"), default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("tillagd av"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    removed_at = models.DateTimeField(_("borttagen"), null=True, blank=True)
    removed_because = models.CharField(
        _("orsak"), max_length=20, choices=RemovedBecause.choices, blank=True
    )

    objects = TeamMemberManager()

    class Meta:
        verbose_name = _("teammedlem")
        verbose_name_plural = _("teammedlemmar")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "user"], condition=on_team_now(), name="teammember_one_current"
            ),
        ]
        indexes = [models.Index(fields=["user", "plan"], name="teammember_user_plan")]

    def __str__(self):
        return f"{self.user} ({self.organisation})"

    @property
    def is_current(self):
        """On the team now: ``TeamMember.objects.current()`` for one loaded row."""
        return self.removed_at is None


class ContactHandover(models.Model):
    """The contact person hands the role over; it takes effect when the new one accepts."""

    plan = models.ForeignKey(ChildPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="handovers")
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("från"), on_delete=models.PROTECT, related_name="+"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("till"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("begärd"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepterad"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("återkallad"), null=True, blank=True)

    class Meta:
        verbose_name = _("överlämning av kontaktpersonsrollen")
        verbose_name_plural = _("överlämningar av kontaktpersonsrollen")
        constraints = [
            models.UniqueConstraint(
                fields=["plan"],
                condition=Q(accepted_at__isnull=True, cancelled_at__isnull=True),
                name="handover_one_pending_per_plan",
            ),
        ]

    def __str__(self):
        return f"{self.from_user} → {self.to_user}"

    @property
    def is_pending(self):
        return self.accepted_at is None and self.cancelled_at is None
