"""Celery tasks for the outbox: thin, ids only, safe to run twice (docs/security.md)."""

from smtplib import SMTPException

from celery import shared_task
from django.core.mail import get_connection

from . import outbox

SMTP_RETRY = {
    "autoretry_for": (SMTPException, OSError),
    "retry_backoff": 5,
    "retry_backoff_max": 600,  # below the broker's visibility timeout (1 h)
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(**SMTP_RETRY)
def outbox_send(outbox_id):
    """Send one outbox row (by id). Running it twice sends once."""
    return outbox.send_rows([outbox_id])


@shared_task(**SMTP_RETRY)
def outbox_send_batch(outbox_ids):
    """Send a batch of outbox rows over one SMTP connection. Rows already sent are skipped, so
    a retry after a failure in the middle sends only the rest."""
    with get_connection() as connection:
        return outbox.send_rows(outbox_ids, connection=connection)


@shared_task
def outbox_sweep():
    """Periodic: settle the rows of senders whose lease ran out (a killed worker), then
    re-enqueue rows still pending (broker was down, worker died, SMTP failed)."""
    ids = outbox.due_ids()
    outbox.enqueue_batches(ids)
    return len(ids)


@shared_task
def notice_digests():
    """Periodic (hourly): write the digests that are due; each goes out through the outbox once
    (portal/digests.py)."""
    from .digests import digest_run

    return digest_run()


@shared_task
def noop():
    """The trivial task of the background-work yardstick (tests/bench/bench_meetings.py)."""
    return None


@shared_task
def audit_prune():
    """Nightly (beat ``audit-prune``): remove the audit rows past their retention."""
    from .audit import audit_prune as prune

    return prune()


@shared_task
def audit_partitions():
    """Daily (beat ``audit-partitions``): the audit log's month partitions
    ``AUDIT_PARTITION_MONTHS_AHEAD`` ahead (portal/partitions.py; nothing on SQLite)."""
    from .partitions import ensure_audit_partitions

    return ensure_audit_partitions()
