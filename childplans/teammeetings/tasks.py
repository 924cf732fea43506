"""Celery: the team meetings' reminders, once each — the outbox's unique (kind, recipient,
object, period) makes a second run, or a concurrent one, a no-op. No arguments; the outbox rows
carry ids and the address only, rendered at send time."""

from celery import shared_task

from . import services


@shared_task(time_limit=300, soft_time_limit=240)
def teammeeting_reminders():
    """Periodic (CELERY_BEAT_SCHEDULE "teammeeting-reminders")."""
    return services.reminders_due()
