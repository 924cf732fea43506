"""Barnets plan (docs/architecture.md; issue 4): one plan per child, a consent-bound team, a wellbeing
assessment over the eight GIRFEC areas, goals and actions, reviews, history and chronology.

Child data is need-to-know. Every child-scoped object is reached only through
``ChildPlan.objects.visible_to(user)`` (see ``managers.py``); nothing here is registered in
the Django admin except the non-identifying settings models (``PlanKeepingKind``,
``ReasonCategory``)."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from networks.models import Organisation
from portal import bounds
from portal.models import TimeStampedModel
from portal.validators import DateWithin

from .managers import (
    ChildPlanManager,
    ConsentManager,
    ConsentOrganisationManager,
    TeamMemberManager,
)
from .personnummer import mask_personnummer


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
                fields=["plan", "user"], condition=Q(removed_at__isnull=True), name="teammember_one_current"
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


class ConsentPurpose(models.TextChoices):
    """What a consent allows the child's data to be used for (issue 19): a fixed list, one
    boolean ``for_<code>`` on ``Consent`` each. A function bound to a purpose asks
    ``Consent.objects.in_force().for_purpose(code)`` (childplans/managers.py)."""

    COORDINATION = "coordination", _("Samordning i barnets team")
    SHARING = "sharing", _("Dela namngivna uppgifter med de valda organisationerna")
    REFERRAL = "referral", _("Hänvisning till nätverkets aktiviteter")
    FAMILY = "family", _("Bjuda in familjen till teamets möten")
    STATISTICS = "statistics", _("Användning i räknad statistik")

    @classmethod
    def field(cls, code):
        """The ``Consent`` field of purpose ``code`` (``for_coordination`` …)."""
        return f"for_{cls(code).value}"


class Consent(models.Model):
    """A guardian's consent: for the listed organisations, for the chosen purposes, from
    ``given_on`` to ``valid_until`` (both included). In force while not withdrawn, not superseded
    by a renewal and today within those dates (``managers.consent_in_force``, the one rule).
    ``needs_confirmation``: carried forward by migration 0007 with a shortened end — the contact
    person should confirm it with the guardian (renew it)."""

    class Method(models.TextChoices):
        WRITTEN = "written", _("Skriftligt")
        VERBAL = "verbal", _("Muntligt")

    plan = models.ForeignKey(ChildPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="consents")
    guardian = models.ForeignKey(
        Guardian, verbose_name=_("vårdnadshavare"), on_delete=models.PROTECT, related_name="consents"
    )
    given_on = models.DateField(_("datum"), validators=[DateWithin("given")])
    valid_until = models.DateField(_("gäller till och med"), validators=[DateWithin("plan")])
    method = models.CharField(_("hur"), max_length=10, choices=Method.choices)
    for_coordination = models.BooleanField(ConsentPurpose.COORDINATION.label, default=False)
    for_sharing = models.BooleanField(ConsentPurpose.SHARING.label, default=False)
    for_referral = models.BooleanField(
        ConsentPurpose.REFERRAL.label, default=False,
        help_text=_(
            "Vårdnadshavarna samtycker också till att barnet eller familjen hänvisas till "
            "organisationerna, med det som hänvisningen delar."
        ),
    )
    for_family = models.BooleanField(ConsentPurpose.FAMILY.label, default=False)
    for_statistics = models.BooleanField(ConsentPurpose.STATISTICS.label, default=False)
    note = models.TextField(
        _("anteckning om ändamålen"), blank=True, max_length=bounds.NOTE,
        validators=[MaxLengthValidator(bounds.NOTE)],
    )
    organisations = models.ManyToManyField(
        Organisation, verbose_name=_("organisationer"), through="ConsentOrganisation", related_name="+"
    )
    needs_confirmation = models.BooleanField(_("behöver bekräftas"), default=False)
    supersedes = models.OneToOneField(
        "self", verbose_name=_("ersätter"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="superseded_by",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registrerat av"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("registrerat"), default=timezone.now)
    withdrawn_on = models.DateField(_("återkallat"), null=True, blank=True, validators=[DateWithin("given")])
    withdrawn_note = models.CharField(_("anteckning om återkallelsen"), max_length=300, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("återkallelse registrerad av"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )

    objects = ConsentManager()

    PURPOSE_FIELDS = tuple(ConsentPurpose.field(code) for code in ConsentPurpose.values)

    class Meta:
        verbose_name = _("samtycke")
        verbose_name_plural = _("samtycken")
        ordering = ["-given_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=F("given_on")),
                name="consent_withdrawn_after_given",
            ),
            models.CheckConstraint(condition=Q(valid_until__gte=F("given_on")), name="consent_valid_after_given"),
        ]
        indexes = [models.Index(fields=["plan", "valid_until"], name="consent_plan_valid_until")]

    def __str__(self):
        return _("Samtycke %(date)s") % {"date": self.given_on}

    @property
    def is_withdrawn(self):
        return self.withdrawn_on is not None

    @property
    def purposes(self):
        """The purposes this consent covers: ``ConsentPurpose`` members, in the list's order."""
        return [p for p in ConsentPurpose if getattr(self, ConsentPurpose.field(p))]

    @property
    def purpose_labels(self):
        return [p.label for p in self.purposes]



class ConsentOrganisation(models.Model):
    consent = models.ForeignKey(Consent, verbose_name=_("samtycke"), on_delete=models.CASCADE)
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT)

    objects = ConsentOrganisationManager()

    class Meta:
        verbose_name = _("organisation i samtycke")
        verbose_name_plural = _("organisationer i samtycken")
        constraints = [
            models.UniqueConstraint(fields=["consent", "organisation"], name="consentorg_unique"),
        ]
        indexes = [models.Index(fields=["organisation", "consent"], name="consentorg_org_consent")]

    def __str__(self):
        return str(self.organisation)


class Assessment(models.Model):
    """A wellbeing assessment: for each of the eight areas the need and what is seen, by whom.
    ``areas`` is ``{area: {"need": ..., "seen": ..., "seen_by": ...}}`` for all eight areas,
    so the plan page reads the latest two assessments inside the plan's own query."""

    plan = models.ForeignKey(ChildPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="assessments")
    assessed_on = models.DateField(_("bedömningsdatum"), default=timezone.localdate, validators=[DateWithin("given")])
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("bedömd av"), on_delete=models.PROTECT, related_name="+"
    )
    areas = models.JSONField(_("områden"), default=dict)
    created_at = models.DateTimeField(_("skapad"), default=timezone.now)

    class Meta:
        verbose_name = _("bedömning")
        verbose_name_plural = _("bedömningar")
        ordering = ["-assessed_on", "-pk"]
        indexes = [models.Index(fields=["plan", "-assessed_on", "-id"], name="assessment_plan_latest")]

    def __str__(self):
        return _("Bedömning %(date)s") % {"date": self.assessed_on}


class PlanVoice(models.Model):
    """The child's voice and the guardians' views, in their own words, at a plan version."""

    plan = models.ForeignKey(ChildPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="voices")
    version = models.PositiveIntegerField(_("version"))
    child_voice = models.TextField(
        _("barnets röst"), blank=True, max_length=bounds.LONG_TEXT,
        validators=[MaxLengthValidator(bounds.LONG_TEXT)],
    )
    guardians_views = models.TextField(
        _("vårdnadshavarnas synpunkter"), blank=True, max_length=bounds.LONG_TEXT,
        validators=[MaxLengthValidator(bounds.LONG_TEXT)],
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("antecknat av"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("ändrad"), default=timezone.now)

    class Meta:
        verbose_name = _("barnets röst och vårdnadshavarnas synpunkter")
        verbose_name_plural = _("barnets röst och vårdnadshavarnas synpunkter")
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["plan", "version"], name="planvoice_one_per_version")]

    def __str__(self):
        return _("Version %(n)s") % {"n": self.version}


class Goal(models.Model):
    plan = models.ForeignKey(ChildPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="goals")
    area = models.CharField(_("område"), max_length=20, choices=Area.choices)
    description = models.TextField(_("mål"), max_length=bounds.NOTE, validators=[MaxLengthValidator(bounds.NOTE)])
    created_at = models.DateTimeField(_("skapat"), default=timezone.now)

    class Meta:
        verbose_name = _("mål")
        verbose_name_plural = _("mål")
        ordering = ["pk"]

    def __str__(self):
        return self.description[:60]


class Action(models.Model):
    """An insats: what, who is responsible, when, status and follow-up."""

    class Status(models.TextChoices):
        PLANNED = "planerad", _("Planerad")
        ONGOING = "pagar", _("Pågår")
        DONE = "klar", _("Klar")
        CANCELLED = "avbruten", _("Avbruten")

    OPEN_STATUSES = (Status.PLANNED, Status.ONGOING)

    plan = models.ForeignKey(ChildPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="actions")
    goal = models.ForeignKey(Goal, verbose_name=_("mål"), on_delete=models.PROTECT, related_name="actions")
    what = models.TextField(_("vad"), max_length=bounds.NOTE, validators=[MaxLengthValidator(bounds.NOTE)])
    responsible_organisation = models.ForeignKey(
        Organisation, verbose_name=_("ansvarig organisation"), on_delete=models.PROTECT, related_name="+"
    )
    responsible_person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("ansvarig person"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="plan_actions",
    )
    starts_on = models.DateField(_("start"), validators=[DateWithin("plan")])
    due_on = models.DateField(_("klart senast"), validators=[DateWithin("plan")])
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    follow_up = models.TextField(
        _("uppföljning"), blank=True, max_length=bounds.NOTE, validators=[MaxLengthValidator(bounds.NOTE)],
    )
    created_at = models.DateTimeField(_("skapad"), default=timezone.now)

    class Meta:
        verbose_name = _("insats")
        verbose_name_plural = _("insatser")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(due_on__gte=F("starts_on")), name="action_due_after_start"),
        ]
        indexes = [
            models.Index(fields=["responsible_person", "status", "due_on"], name="action_person_status_due"),
            models.Index(fields=["plan", "goal"], name="action_plan_goal"),
            # the reminder task: open actions by due date
            models.Index(fields=["due_on"], name="action_open_due", condition=Q(status__in=["planerad", "pagar"])),
        ]

    def __str__(self):
        return self.what[:60]

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES

    def is_overdue(self, today=None):
        return self.is_open and self.due_on < (today or timezone.localdate())


class Review(models.Model):
    """Uppföljning: planned for a date; when held, who took part, what was decided, the next
    review date and the two GIRFEC outcome questions."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planerad")
        HELD = "held", _("Genomförd")

    class ChildTookPart(models.TextChoices):
        YES = "ja", _("Ja")
        PARTLY = "delvis", _("Delvis")
        NO = "nej", _("Nej")

    plan = models.ForeignKey(ChildPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="reviews")
    date = models.DateField(_("datum"), validators=[DateWithin("plan")])
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    participants = models.TextField(
        _("deltagare"), blank=True, max_length=bounds.TEXT, validators=[MaxLengthValidator(bounds.TEXT)],
    )
    decisions = models.TextField(
        _("beslut"), blank=True, max_length=bounds.LONG_TEXT, validators=[MaxLengthValidator(bounds.LONG_TEXT)],
    )
    next_review_on = models.DateField(_("nästa uppföljning"), null=True, blank=True, validators=[DateWithin("plan")])
    child_took_part = models.CharField(
        _("barnet var delaktigt i planen"), max_length=10, choices=ChildTookPart.choices, blank=True
    )
    guardians_know_plan = models.BooleanField(_("vårdnadshavarna känner till planen"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("antecknad av"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )

    class Meta:
        verbose_name = _("uppföljning")
        verbose_name_plural = _("uppföljningar")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="planned") | (~Q(child_took_part="") & Q(guardians_know_plan__isnull=False)),
                name="review_held_has_outcomes",
            ),
            models.CheckConstraint(
                condition=Q(next_review_on__isnull=True) | Q(next_review_on__gt=F("date")),
                name="review_next_after_date",
            ),
        ]
        indexes = [
            models.Index(fields=["plan", "status", "date"], name="review_plan_status_date"),
            models.Index(fields=["status", "date"], name="review_status_date"),
        ]

    def __str__(self):
        return _("Uppföljning %(date)s") % {"date": self.date}


class ChronologyEntry(models.Model):
    class Impact(models.TextChoices):
        POSITIVE = "positive", _("Positiv")
        NEGATIVE = "negative", _("Negativ")

    plan = models.ForeignKey(
        ChildPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="chronology"
    )
    occurred_on = models.DateField(_("datum"), validators=[DateWithin("given")])
    event = models.TextField(_("händelse"), max_length=bounds.TEXT, validators=[MaxLengthValidator(bounds.TEXT)])
    source = models.CharField(_("källa"), max_length=200)
    impact = models.CharField(_("påverkan på barnet"), max_length=10, choices=Impact.choices)
    action_taken = models.TextField(
        _("åtgärd"), blank=True, max_length=bounds.NOTE, validators=[MaxLengthValidator(bounds.NOTE)],
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("antecknad av"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("antecknad"), default=timezone.now)

    class Meta:
        verbose_name = _("kronologihändelse")
        verbose_name_plural = _("kronologi")
        ordering = ["-occurred_on", "-pk"]

    def __str__(self):
        return f"{self.occurred_on}"


class PlanChange(models.Model):
    """History: who changed what in the plan, when, old and new value."""

    plan = models.ForeignKey(ChildPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField(_("tidpunkt"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("ändrad av"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    what = models.CharField(_("vad"), max_length=200)
    field = models.CharField(_("uppgift"), max_length=200, blank=True)
    old_value = models.TextField(_("före"), blank=True)
    new_value = models.TextField(_("efter"), blank=True)

    class Meta:
        verbose_name = _("ändring")
        verbose_name_plural = _("ändringar")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["plan", "-at", "-id"], name="planchange_plan_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.what}"
