"""Celery: reminders before a review is due (to the contact person), before an action's
due date (to its responsible person) and before a consent ends (to the contact person,
``CONSENT_REMINDER_DAYS`` before, issue 19), once each — the outbox's unique (kind, recipient,
object, period) makes a second run, or a concurrent one, a no-op. No arguments; the outbox
rows carry ids only."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from portal.models import OutboundEmail
from portal.outbox import outbox_add

from .models import Action, ChildPlan, Consent, Review, TeamMember

REVIEW_REMINDER_DAYS = getattr(settings, "PLAN_REVIEW_REMINDER_DAYS", 7)
ACTION_REMINDER_DAYS = getattr(settings, "PLAN_ACTION_REMINDER_DAYS", 3)


def plan_reminders_run(today=None):
    """Record the reminders that are due; returns how many new outbox rows were written."""
    today = today or timezone.localdate()
    written = 0
    with transaction.atomic():
        reviews = (
            Review.objects.filter(
                status=Review.Status.PLANNED,
                date__gte=today,
                date__lte=today + timedelta(days=REVIEW_REMINDER_DAYS),
                plan__status=ChildPlan.Status.ACTIVE,
            )
            .values_list("pk", "date", "plan__contact_person__email")
        )
        for pk, date, email in reviews:
            if outbox_add(kind="plan_review_due", recipient=email, object_key=f"review:{pk}", period=str(date)):
                written += 1
        still_on_team = TeamMember.objects.current().filter(
            plan_id=OuterRef("plan_id"), user_id=OuterRef("responsible_person_id")
        )
        actions = (
            Action.objects.filter(
                status__in=Action.OPEN_STATUSES,
                due_on__gte=today,
                due_on__lte=today + timedelta(days=ACTION_REMINDER_DAYS),
                plan__status=ChildPlan.Status.ACTIVE,
                responsible_person__isnull=False,
                responsible_person__is_active=True,
            )
            .filter(Exists(still_on_team))
            .values_list("pk", "due_on", "responsible_person__email")
        )
        for pk, due_on, email in actions:
            if outbox_add(kind="plan_action_due", recipient=email, object_key=f"action:{pk}", period=str(due_on)):
                written += 1
    return written


@shared_task(time_limit=300, soft_time_limit=240)
def plan_reminders():
    """Periodic (CELERY_BEAT_SCHEDULE "plan-reminders")."""
    return plan_reminders_run()


KIND_CONSENT_ENDING = "plan_consent_ending"


def consent_reminders_run(today=None):
    """Record the reminders of consents that end soon: for each consent in force on an active
    plan whose last day is ``d`` days away or less, for each ``d`` in ``CONSENT_REMINDER_DAYS``,
    one row to the contact person (key ``consent:<id>``, period ``<d>d``). A run that missed a
    day still writes the reminder (the window is "at most d days left"), and the outbox's unique
    key writes each once. Returns how many new outbox rows were written."""
    today = today or timezone.localdate()
    written = 0
    days = sorted(settings.CONSENT_REMINDER_DAYS, reverse=True)
    if not days:
        return 0
    with transaction.atomic():
        consents = (
            Consent.objects.ending_within(days[0])
            .filter(plan__status=ChildPlan.Status.ACTIVE, plan__contact_person__is_active=True)
            .values_list("pk", "valid_until", "plan__contact_person__email")
        )
        consents = list(consents)
        # The reminders already recorded, in one query, so an hourly run over many consents
        # does not ask the outbox once per consent (the unique key still decides a race).
        sent = set(
            OutboundEmail.objects.filter(kind=KIND_CONSENT_ENDING, object_key__in=[f"consent:{c[0]}" for c in consents])
            .values_list("object_key", "recipient", "period")
        )
        for pk, valid_until, email in consents:
            left = (valid_until - today).days
            # Only the nearest threshold reached: a consent found 5 days before its end gets the
            # 7-day notice, not also the 30-day one.
            due = min((d for d in days if left <= d), default=None)
            if due is None or (f"consent:{pk}", email, f"{due}d") in sent:
                continue
            if outbox_add(
                kind=KIND_CONSENT_ENDING, recipient=email, object_key=f"consent:{pk}", period=f"{due}d"
            ):
                written += 1
    return written


@shared_task(time_limit=300, soft_time_limit=240)
def consent_reminders():
    """Periodic (CELERY_BEAT_SCHEDULE "consent-reminders")."""
    return consent_reminders_run()


@shared_task(time_limit=300, soft_time_limit=240)
def indicators_refresh():
    """Periodic (CELERY_BEAT_SCHEDULE "indicators-refresh"): count the indicators and keep them
    as the newest figures (childplans.indicators.count_figures). Counting again is harmless: a
    missed or doubled run only changes how fresh the figures are."""
    from .indicators import count_figures

    return count_figures().pk
