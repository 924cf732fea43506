"""Celery tasks for meetings: thin, ids only, safe to run twice (the outbox decides)."""

from smtplib import SMTPException

from celery import shared_task
from django.core.mail import get_connection

from portal import outbox

from . import emails, services


@shared_task(
    autoretry_for=(SMTPException, OSError),
    retry_backoff=5,
    retry_backoff_max=600,  # below the broker's visibility timeout (1 h)
    retry_jitter=True,
    max_retries=8,
)
def outbox_send_batch(outbox_ids):
    """Send a batch of outbox rows over one SMTP connection. Rows already sent are skipped, so
    a retry after a failure in the middle sends only the rest."""
    with get_connection() as connection, emails.batch_preload(outbox_ids):
        return outbox.send_rows(outbox_ids, connection=connection)


@shared_task
def send_due_reminders():
    """Periodic (beat): record the reminders that are due; the outbox sends each once."""
    return services.reminders_due()


@shared_task
def bench_noop():
    """The trivial task of PERFORMANCE.md's Celery yardstick (tests/bench/bench_meetings.py)."""
    return None
