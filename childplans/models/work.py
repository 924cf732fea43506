"""The work on a plan: assessments, the child's voice, goals and actions, reviews, chronology and history."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from networks.models import Organisation
from portal import bounds
from portal.validators import DateWithin

from .plan import Area, ChildPlan


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
