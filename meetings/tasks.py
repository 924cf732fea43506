"""Celery tasks for meetings: thin, ids only, safe to run twice (the outbox decides)."""

from celery import shared_task

from . import services


@shared_task
def send_due_reminders():
    """Periodic (beat): record the reminders that are due; the outbox sends each once."""
    return services.reminders_due()
