"""Transactional outbox for e-mail (SECURITY.md, "Background work").

``outbox_add`` writes a row in the caller's transaction and enqueues its id after commit.
The row is unique per (kind, recipient, object, period), so a second attempt is a no-op.
Renderers registered per kind build the message at send time from ids, so task arguments
and the outbox carry no personal data beyond the address (except ``stored`` messages,
rendered up front, whose body is blanked once sent)."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import OutboundEmail

logger = logging.getLogger(__name__)

_renderers = {}


def register(kind):
    """Register ``fn(row) -> EmailMultiAlternatives | None`` for an outbox kind."""

    def decorator(fn):
        _renderers[kind] = fn
        return fn

    return decorator


def outbox_add(*, kind, recipient, object_key, period="", subject="", body_text="", body_html=""):
    """Record an e-mail to send; returns the row, or None if it was already recorded."""
    try:
        with transaction.atomic():
            row = OutboundEmail.objects.create(
                kind=kind,
                recipient=recipient.lower(),
                object_key=object_key,
                period=period,
                subject=subject,
                body_text=body_text,
                body_html=body_html,
                next_attempt_at=timezone.now()
                + timedelta(seconds=settings.OUTBOX_RESEND_AFTER_SECONDS),
            )
    except IntegrityError:
        return None
    transaction.on_commit(lambda: enqueue(row.pk))
    return row


def enqueue(outbox_id):
    """Hand a row to the broker. A broker outage is logged, not raised: the sweeper retries."""
    from .tasks import outbox_send

    try:
        outbox_send.delay(outbox_id)
    except Exception as exc:  # kombu raises OperationalError and friends when Redis is down
        logger.warning("outbox %s not enqueued (%s); the sweeper will retry", outbox_id, type(exc).__name__)


def build_message(row):
    if row.kind in _renderers:
        msg = _renderers[row.kind](row)
    elif row.subject:
        msg = EmailMultiAlternatives(row.subject, row.body_text, settings.DEFAULT_FROM_EMAIL, [row.recipient])
        if row.body_html:
            msg.attach_alternative(row.body_html, "text/html")
    else:
        raise LookupError(f"no renderer for outbox kind {row.kind!r}")
    return msg


def send_rows(ids, connection=None):
    """Send pending rows once each. Each row is locked while sent (a concurrent worker skips
    it) and marked sent in the same transaction; SMTP errors propagate for a retry."""
    sent = 0
    connection = connection or get_connection()
    for outbox_id in ids:
        with transaction.atomic():
            row = (
                OutboundEmail.objects.select_for_update(skip_locked=True)
                .filter(pk=outbox_id, status=OutboundEmail.Status.PENDING)
                .first()
            )
            if row is None:
                continue  # already sent, or another worker holds it
            msg = build_message(row)
            row.attempts += 1
            if msg is None:  # nothing to send any more (e.g. invitation withdrawn)
                row.status = OutboundEmail.Status.FAILED
                row.last_error = "obsolete"
            else:
                msg.connection = connection
                msg.send()  # an SMTP error rolls back and propagates: the task retries
                row.status = OutboundEmail.Status.SENT
                row.sent_at = timezone.now()
                row.body_text = row.body_html = ""
                sent += 1
            row.save(update_fields=["status", "sent_at", "attempts", "last_error", "body_text", "body_html"])
    return sent


def due_ids(limit=500):
    """Claim pending rows that are due and push their next attempt forward."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(status=OutboundEmail.Status.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        OutboundEmail.objects.filter(pk__in=ids).update(
            next_attempt_at=now + timedelta(seconds=settings.OUTBOX_RESEND_AFTER_SECONDS)
        )
    return ids
