"""Transactional outbox for e-mail (docs/security.md, "Background work").

``outbox_add`` writes a row in the caller's transaction and enqueues its id after commit.
The row is unique per (kind, recipient, object, period), so a second attempt is a no-op.
Renderers registered per kind build the message at send time from ids, so task arguments
and the outbox carry no personal data beyond the address (except ``stored`` messages,
rendered up front, whose body is blanked once sent).

Sending never sends an e-mail twice and never loses one, whatever stops when. An SMTP server
takes a message only with its 250 to the end-of-data dot; a connection lost before the dot
discards it (portal/mail.py). So:

1. ``send_rows`` claims the pending rows of a batch in one UPDATE: ``sending``, a random
   ``claim`` token and a lease (``claimed_until``); another sender leaves them alone.
2. Each message is rendered (no lock held) and sent up to the dot. Right before the dot,
   ``handed_over_at`` is committed, fenced by the claim token and the lease; a row that is
   no longer ours is abandoned without the dot.
3. After the 250 the row is ``sent`` (written for several rows at a time). An SMTP error puts
   the row back to ``pending`` with a backoff and propagates (the task retries); any failure
   gives the rest of the batch back.
4. The sweeper (``due_ids``) settles expired leases: not handed over → ``pending`` (the server
   discarded it, so sending again is no duplicate); handed over → ``sent``, unconfirmed (the
   server had the whole message; sending again could be a duplicate).

Every mark commits on its own, in autocommit, before the next step: a killed worker leaves
each row in a state the sweeper settles safely.

Many e-mails at once (a fan-out: a meeting's invitations) are recorded with
``outbox_add_many`` (two queries, whatever their number) and sent in batches over one SMTP
connection (``portal.tasks.outbox_send_batch``). A kind may register a ``preload(rows)`` with
its renderer: it is called once per batch with the batch's rows of that kind, so the renderer
finds what it needs on each row instead of querying per e-mail."""

import logging
import random
import secrets
from collections import deque
from datetime import timedelta
from smtplib import SMTPRecipientsRefused, SMTPResponseException

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as DjangoSmtpBackend
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from . import notices
from .mail import HandoverRefused
from .models import OutboundEmail

logger = logging.getLogger(__name__)

Status = OutboundEmail.Status
CONFIRM_EVERY = 25  # rows accepted by the SMTP server per "sent" write
UNCONFIRMED_BY_SWEEPER = "unconfirmed: the worker stopped after handing the message to the SMTP server"
UNCONFIRMED_NO_REPLY = "unconfirmed: no reply from the SMTP server after the message was handed over"

BATCH_SIZE = 100  # rows per batch task (one SMTP connection)

_renderers = {}
_preloaders = {}
_notices = {}  # kind -> (category, urgent)


def register(kind, *, preload=None, notice=None, urgent=None):
    """Register ``fn(row) -> EmailMultiAlternatives | None`` for an outbox kind, and optionally
    ``preload(rows)``, called once per batch with the batch's rows of this kind before any is
    rendered (it may set attributes on the rows for the renderer to use).

    ``notice``: the kind is a notice of this ``portal.notices.Category``; a person who wants that
    category in a digest gets it there (``held``) instead of at once. ``urgent``: True, or
    ``fn(object_key) -> bool``, when it needs an answer by a date and so goes at once whatever
    the person chose."""

    def decorator(fn):
        _renderers[kind] = fn
        if preload is not None:
            _preloaders[kind] = preload
        if notice is not None:
            _notices[kind] = (notice, urgent)
        return fn

    return decorator


def notice_category(kind):
    """The notice category of an outbox kind, or None when it is no notice."""
    return _notices[kind][0] if kind in _notices else None


def _held(kind, object_key, recipients):
    """The addresses among ``recipients`` whose notice of this kind waits for their digest
    (``portal.notices.frequencies``); none for a kind that is no notice or is urgent now."""
    if kind not in _notices:
        return set()
    category, urgent = _notices[kind]
    if urgent is True or (urgent is not None and urgent(object_key)):
        return set()
    wanted = notices.frequencies(recipients, category)
    return {r for r, frequency in wanted.items() if frequency != notices.Frequency.AT_ONCE}


def outbox_add(*, kind, recipient, object_key, period="", subject="", body_text="", body_html=""):
    """Record an e-mail to send; returns the row, or None if it was already recorded. A notice
    the recipient wants in a digest is kept for it (``held``), not sent now."""
    held = recipient.lower() in _held(kind, object_key, [recipient])
    try:
        with transaction.atomic():
            row = OutboundEmail.objects.create(
                kind=kind,
                status=Status.HELD if held else Status.PENDING,
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
    if not held:
        transaction.on_commit(lambda: enqueue(row.pk))
    return row


def outbox_add_many(*, kind, recipients, object_key, period=""):
    """Record one e-mail of ``kind`` per address in two queries, whatever their number; rows
    already recorded are left alone (the unique constraint). After commit the pending rows are
    handed to the broker in batches that share one SMTP connection. Returns the number of
    addresses given."""
    recipients = sorted({r.lower() for r in recipients if r})
    if not recipients:
        return 0
    due = timezone.now() + timedelta(seconds=settings.OUTBOX_RESEND_AFTER_SECONDS)
    held = _held(kind, object_key, recipients)
    OutboundEmail.objects.bulk_create(
        [
            OutboundEmail(
                kind=kind, recipient=r, object_key=object_key, period=period, next_attempt_at=due,
                status=Status.HELD if r in held else Status.PENDING,
            )
            for r in recipients
        ],
        ignore_conflicts=True,
        batch_size=500,
    )

    def after_commit():
        ids = list(
            OutboundEmail.objects.filter(
                kind=kind, object_key=object_key, period=period, status=Status.PENDING
            ).values_list("pk", flat=True)
        )
        enqueue_batches(ids)

    transaction.on_commit(after_commit)
    return len(recipients)


def enqueue(outbox_id):
    """Hand a row to the broker. A broker outage is logged, not raised: the sweeper retries."""
    enqueue_batches([outbox_id])


def enqueue_batches(ids):
    """Hand rows to the broker, one task per row or per batch of ``BATCH_SIZE``. A broker outage
    is logged, not raised: the sweeper sends them later."""
    from . import tasks  # tasks imports this module

    try:
        if len(ids) == 1:
            tasks.outbox_send.delay(ids[0])
            return
        for start in range(0, len(ids), BATCH_SIZE):
            tasks.outbox_send_batch.delay(ids[start : start + BATCH_SIZE])
    except Exception as exc:  # kombu raises OperationalError and friends when Redis is down
        logger.warning("outbox %s not enqueued (%s); the sweeper will retry", ids[:5], type(exc).__name__)


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
    """Send these outbox rows, each at most once and none lost (see the module docstring);
    returns how many the SMTP server accepted. Rows that are not pending are skipped, so
    running it twice sends once. Call it outside a transaction: its marks must commit as they
    happen. SMTP errors propagate (the task retries) after the row is put back."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return 0
    claim = secrets.token_hex(16)
    lease_end = timezone.now() + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    todo = deque(_claim(ids, claim, lease_end))
    if not todo:
        return 0
    preload_rows(todo)
    connection = connection or get_connection()
    accepted = []  # pks the server answered 250 for, "sent" not written yet
    sent = 0
    release_due = timezone.now() + timedelta(seconds=settings.OUTBOX_RESEND_AFTER_SECONDS)
    try:
        while todo:
            if timezone.now() >= lease_end:  # no hand-over would be accepted any more
                release_due = timezone.now()
                break
            row = todo[0]
            hand_over = _HandOver(row.pk, claim)
            try:
                msg = build_message(row)
                if msg is None:  # nothing to send any more (e.g. invitation withdrawn)
                    _obsolete(row.pk, claim)
                else:
                    _deliver(msg, connection, hand_over)
            except HandoverRefused:  # our lease is over: the sweeper has the row (and the rest)
                release_due = timezone.now()
                break
            except BaseException as exc:
                todo.popleft()
                if hand_over.done and not isinstance(exc, (SMTPResponseException, SMTPRecipientsRefused)):
                    # The dot went out and no reply came: the server may well have the message.
                    _mark_unconfirmed([row.pk], UNCONFIRMED_NO_REPLY, claim=claim)
                else:  # refused, or it never got past the dot
                    _retry_later(row, claim, exc)
                raise
            todo.popleft()
            if msg is not None:
                accepted.append(row.pk)
                sent += 1
                if len(accepted) >= CONFIRM_EVERY:
                    _confirm(accepted, claim)
                    accepted = []
    finally:
        try:
            if accepted:
                _confirm(accepted, claim)
        finally:
            if todo:
                _release([row.pk for row in todo], claim, release_due)
    return sent


def due_ids(limit=500):
    """The sweeper: settle expired leases, then claim pending rows that are due and push their
    next attempt forward."""
    now = timezone.now()
    recover_expired(now, limit=limit)
    with transaction.atomic():
        ids = list(
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(status=Status.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        OutboundEmail.objects.filter(pk__in=ids).update(
            next_attempt_at=now + timedelta(seconds=settings.OUTBOX_RESEND_AFTER_SECONDS)
        )
    return ids


def recover_expired(now=None, limit=500):
    """Rows left ``sending`` by a sender whose lease ran out (killed, or stuck): those never
    handed over go back to pending, due now; those handed over are marked sent (unconfirmed),
    never sent again. Returns (back to pending, marked sent)."""
    now = now or timezone.now()
    with transaction.atomic():
        expired = list(
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(status=Status.SENDING, claimed_until__lt=now)
            .values_list("pk", "handed_over_at")[:limit]
        )
        back = [pk for pk, handed_over_at in expired if handed_over_at is None]
        handed = [pk for pk, handed_over_at in expired if handed_over_at is not None]
        if back:
            OutboundEmail.objects.filter(pk__in=back).update(
                status=Status.PENDING, claim="", claimed_until=None, next_attempt_at=now
            )
            logger.info("outbox: %d row(s) of an expired lease back to pending: %s", len(back), back)
        if handed:
            _mark_unconfirmed(handed, UNCONFIRMED_BY_SWEEPER)
    return len(back), len(handed)


# --- the steps of send_rows -------------------------------------------------------------------

def _claim(ids, claim, lease_end):
    """Claim the pending rows among ``ids`` (one UPDATE: a row another sender claimed first is
    no longer pending, and PostgreSQL re-checks the condition after waiting for its lock), then
    read what was claimed; returns the rows in the order of ``ids``."""
    OutboundEmail.objects.filter(pk__in=ids, status=Status.PENDING).update(
        status=Status.SENDING, claim=claim, claimed_until=lease_end, attempts=F("attempts") + 1
    )
    rows = {row.pk: row for row in OutboundEmail.objects.filter(pk__in=ids, claim=claim, status=Status.SENDING)}
    return [rows[pk] for pk in ids if pk in rows]


def preload_rows(rows):
    """Each kind's ``preload`` with the batch's rows of that kind (see ``register``); a row on
    its own loads what it needs itself (fewer queries than a preload)."""
    by_kind = {}
    for row in rows:
        if row.kind in _preloaders:
            by_kind.setdefault(row.kind, []).append(row)
    for kind, kind_rows in by_kind.items():
        if len(kind_rows) > 1:
            _preloaders[kind](kind_rows)


class _HandOver:
    """``before_dot`` for one row: commit ``handed_over_at`` if the row is still ours (claim
    token, lease not over). This is the fact that stops a resend."""

    def __init__(self, pk, claim):
        self.pk, self.claim, self.done = pk, claim, False

    def __call__(self):
        now = timezone.now()
        self.done = (
            OutboundEmail.objects.filter(
                pk=self.pk, claim=self.claim, status=Status.SENDING, claimed_until__gt=now
            ).update(handed_over_at=now)
            == 1
        )
        return self.done


_warned_plain_smtp = False


def _deliver(msg, connection, hand_over):
    """Send ``msg``, calling ``hand_over()`` right before the dot (portal.mail.EmailBackend) or,
    for backends without a dot (locmem, file, console), right before sending."""
    global _warned_plain_smtp
    msg.connection = connection
    if getattr(connection, "calls_before_dot", False):
        msg.before_dot = hand_over
    else:
        if isinstance(connection, DjangoSmtpBackend) and not _warned_plain_smtp:
            _warned_plain_smtp = True
            logger.warning("EMAIL_BACKEND should be portal.mail.EmailBackend: this one cannot mark the "
                           "hand-over at the end of data, so a worker killed mid-send may lose an e-mail")
        if not hand_over():
            raise HandoverRefused("the outbox row is no longer ours")
    msg.send()


def _confirm(pks, claim):
    """The server accepted these: ``sent``, the bodies emptied."""
    OutboundEmail.objects.filter(pk__in=pks, claim=claim, status=Status.SENDING).update(
        status=Status.SENT, sent_at=timezone.now(), body_text="", body_html=""
    )


def _obsolete(pk, claim):
    OutboundEmail.objects.filter(pk=pk, claim=claim, status=Status.SENDING).update(
        status=Status.FAILED, last_error="obsolete"
    )


def _retry_later(row, claim, exc):
    """Refused by the server, or failed before the dot: pending again, its hand-over (if any)
    taken back, due after an exponential backoff with jitter. The task's own retry usually comes
    first; ``next_attempt_at`` is when the sweeper steps in. Also takes back a row the sweeper had meanwhile marked sent
    (unconfirmed): the claim token is still ours."""
    backoff = min(600, 5 * 2 ** max(row.attempts - 1, 0))
    delay = max(settings.OUTBOX_RESEND_AFTER_SECONDS, random.uniform(backoff / 2, backoff))  # noqa: S311
    OutboundEmail.objects.filter(pk=row.pk, claim=claim, status__in=[Status.SENDING, Status.SENT]).update(
        status=Status.PENDING, claim="", claimed_until=None, handed_over_at=None, sent_at=None,
        last_error=f"{type(exc).__name__}: {exc}"[:500],
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
    )


def _release(pks, claim, due):
    """Give back rows we claimed and did not hand over: pending, due at ``due``."""
    OutboundEmail.objects.filter(
        pk__in=pks, claim=claim, status=Status.SENDING, handed_over_at__isnull=True
    ).update(status=Status.PENDING, claim="", claimed_until=None, next_attempt_at=due)


def _mark_unconfirmed(pks, note, claim=None):
    """Handed over, no 250 seen: sent as of the hand-over, never sent again."""
    rows = OutboundEmail.objects.filter(pk__in=pks, status=Status.SENDING, handed_over_at__isnull=False)
    if claim is not None:
        rows = rows.filter(claim=claim)
    marked = rows.update(
        status=Status.SENT, sent_at=F("handed_over_at"), last_error=note, body_text="", body_html=""
    )
    if marked:
        logger.warning("outbox: %d e-mail(s) marked sent without the server's reply (%s): %s", marked, note, pks)
