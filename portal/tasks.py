from smtplib import SMTPException

from celery import shared_task

from . import outbox


@shared_task(
    autoretry_for=(SMTPException, OSError),
    retry_backoff=5,
    retry_backoff_max=600,  # below the broker's visibility timeout (1 h)
    retry_jitter=True,
    max_retries=8,
)
def outbox_send(outbox_id):
    """Send one outbox row (by id). Running it twice sends once."""
    return outbox.send_rows([outbox_id])


@shared_task
def outbox_sweep():
    """Periodic: settle the rows of senders whose lease ran out (a killed worker), then
    re-enqueue rows still pending (broker was down, worker died, SMTP failed)."""
    ids = outbox.due_ids()
    for outbox_id in ids:
        outbox.enqueue(outbox_id)
    return len(ids)
