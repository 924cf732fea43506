"""The outbox's claim, lease and hand-over (portal/outbox.py) on the real database: a row is
claimed before it is rendered, handed over right before the end-of-data dot only while the
claim is still ours, and the sweeper settles what a dead worker left behind: never handed
over → sent again, handed over → marked sent, never sent again. SMTP runs against a real
server on loopback (tests/conftest.py ``smtp``) where the dot matters, locmem elsewhere."""

import math
import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import override_settings
from django.utils import timezone

from portal import outbox
from portal.models import OutboundEmail
from portal.tasks import outbox_send, outbox_sweep
from tests.celery_harness import free_port

pytestmark = pytest.mark.django_db

Status = OutboundEmail.Status


def message(row, body="Hej!"):
    return EmailMultiAlternatives("Testämne", body, "noreply@exempel.se", [row.recipient])


# What the renderers below do while a row is being rendered ("meanwhile"), set per test.
meanwhile = {}


@outbox.register("test_lease")
def _render(row):
    step = meanwhile.pop(row.pk, None)
    if step is not None:
        step(row)
    return message(row)


@pytest.fixture(autouse=True)
def _no_leftover_steps():
    meanwhile.clear()
    yield
    meanwhile.clear()


def add(n, prefix="r"):
    """``n`` pending rows, not enqueued (as if the broker had lost them)."""
    OutboundEmail.objects.bulk_create(
        OutboundEmail(kind="test_lease", recipient=f"{prefix}{i}@exempel.se", object_key=f"x:{i}") for i in range(n)
    )
    return list(OutboundEmail.objects.filter(recipient__startswith=prefix).order_by("pk").values_list("pk", flat=True))


def row(pk):
    return OutboundEmail.objects.get(pk=pk)


def expire_lease(pk):
    """Time passes: the lease of ``pk`` is over."""
    OutboundEmail.objects.filter(pk=pk).update(claimed_until=timezone.now() - timedelta(seconds=1))


@pytest.fixture
def smtp_backend(smtp):
    with override_settings(EMAIL_BACKEND="portal.mail.EmailBackend", EMAIL_HOST="127.0.0.1", EMAIL_PORT=smtp.port):
        yield smtp


# --- claim and lease ----------------------------------------------------------------------------


def test_a_row_is_claimed_with_a_lease_before_it_is_rendered_and_left_alone_by_others():
    [pk] = add(1)
    seen = {}

    def look(r):
        seen["row"] = row(pk)
        seen["other worker"] = outbox.send_rows([pk])  # a duplicate task, meanwhile

    meanwhile[pk] = look
    before = timezone.now()
    assert outbox.send_rows([pk]) == 1
    claimed = seen["row"]
    assert claimed.status == Status.SENDING and len(claimed.claim) == 32 and claimed.attempts == 1
    lease = claimed.claimed_until - before
    assert timedelta(seconds=299) < lease < timedelta(seconds=301)  # OUTBOX_LEASE_SECONDS
    assert claimed.handed_over_at is None
    assert seen["other worker"] == 0
    done = row(pk)
    assert done.status == Status.SENT and done.sent_at is not None and done.handed_over_at is not None
    assert done.claim == claimed.claim and done.attempts == 1
    assert len(mail.outbox) == 1


def test_running_send_twice_sends_once_and_counts_one_attempt():
    pks = add(3)
    assert outbox.send_rows(pks) == 3
    assert outbox.send_rows(pks) == 0
    outbox_send.delay(pks[0])
    assert len(mail.outbox) == 3
    assert set(OutboundEmail.objects.values_list("status", "attempts")) == {(Status.SENT, 1)}


def test_sent_marks_are_written_in_groups_and_every_row_ends_sent(django_assert_num_queries):
    """Claim (an UPDATE and a read) + one hand-over per e-mail + one "sent" write per 25
    accepted e-mails."""
    pks = add(60)
    with django_assert_num_queries(2 + 60 + math.ceil(60 / outbox.CONFIRM_EVERY)):
        assert outbox.send_rows(pks) == 60
    assert OutboundEmail.objects.filter(status=Status.SENT, sent_at__isnull=False, handed_over_at__isnull=False).count() == 60


def test_one_email_task_stays_within_the_query_budget(django_assert_max_num_queries):
    """docs/performance.md: each e-mail task <= 5 queries. The outbox's own part: the claim
    (an UPDATE and a read), the hand-over, sent; the renderer has the rest."""
    [pk] = add(1)
    with django_assert_max_num_queries(4):
        outbox_send.delay(pk)
    assert row(pk).status == Status.SENT


# --- fencing ------------------------------------------------------------------------------------


def test_a_row_whose_lease_was_taken_over_is_not_handed_over(smtp_backend):
    """Worker A claims a row and is slow; its lease runs out, the sweeper gives the row back and
    worker B sends it. A's message is abandoned before the dot: one e-mail at the server."""
    smtp = smtp_backend
    pks = add(3)
    first, second, third = pks

    def stalled_then_overtaken(r):
        expire_lease(second)
        expire_lease(third)
        assert outbox.recover_expired() == (2, 0)  # the sweeper: never handed over → pending
        assert outbox.send_rows([second]) == 1  # worker B

    meanwhile[second] = stalled_then_overtaken
    assert outbox.send_rows(pks) == 1  # A: the first only
    assert sorted(m["To"] for m in smtp.messages) == ["r0@exempel.se", "r1@exempel.se"]
    b = row(second)
    assert b.status == Status.SENT and b.attempts == 2
    # A gave back nothing that was not its own: the third row (pending after the sweep) waits,
    # due now, for the sweeper to enqueue it.
    c = row(third)
    assert c.status == Status.PENDING and c.claim == "" and c.next_attempt_at <= timezone.now()
    assert outbox.due_ids() == [third]


def test_a_lease_that_ran_out_before_the_sweeper_came_is_not_handed_over(smtp_backend):
    smtp = smtp_backend
    pks = add(2)
    meanwhile[pks[0]] = lambda r: expire_lease(r.pk)
    assert outbox.send_rows(pks) == 0
    assert smtp.messages == []
    for r in OutboundEmail.objects.all():  # given back, due now: not handed over, so safe to send
        assert (r.status, r.claim, r.handed_over_at) == (Status.PENDING, "", None)
        assert r.next_attempt_at <= timezone.now()


# --- the sweeper settles expired leases ----------------------------------------------------------


@override_settings(OUTBOX_RESEND_AFTER_SECONDS=0)
def test_sweeper_settles_expired_leases_both_ways(caplog):
    never, handed, live = add(3)
    # A worker claimed all three, handed one over, then died (nothing else happened).
    claim = "d" * 32
    assert len(outbox._claim([never, handed, live], claim, timezone.now() + timedelta(minutes=5))) == 3
    assert outbox._HandOver(handed, claim)() is True
    expire_lease(never)
    expire_lease(handed)
    handed_at = row(handed).handed_over_at

    assert outbox_sweep.delay().get() == 1  # the never handed over row, enqueued again
    assert [m.to for m in mail.outbox] == [["r0@exempel.se"]]  # sent (eagerly), once
    assert row(never).status == Status.SENT and row(never).attempts == 2
    h = row(handed)
    assert h.status == Status.SENT and h.sent_at == handed_at and h.last_error == outbox.UNCONFIRMED_BY_SWEEPER
    assert "marked sent without the server's reply" in caplog.text
    assert row(live).status == Status.SENDING  # its lease is not over: not the sweeper's business
    assert outbox_sweep.delay().get() == 0
    assert len(mail.outbox) == 1


def test_handed_over_row_taken_back_when_the_server_refuses_after_the_sweeper_marked_it(smtp_backend, monkeypatch):
    """The server's 4xx after the dot wins over the sweeper's "unconfirmed": back to pending."""
    smtp = smtp_backend
    smtp.refuse = 1
    [pk] = add(1)

    def sweep_while_the_server_thinks():
        expire_lease(pk)
        assert outbox.recover_expired() == (0, 1)
        assert row(pk).status == Status.SENT

    class SlowHandOver(outbox._HandOver):
        def __call__(self):
            ok = super().__call__()
            sweep_while_the_server_thinks()
            return ok

    monkeypatch.setattr(outbox, "_HandOver", SlowHandOver)
    with pytest.raises(smtplib.SMTPDataError):
        outbox.send_rows([pk])
    r = row(pk)
    assert (r.status, r.sent_at, r.handed_over_at) == (Status.PENDING, None, None)
    assert smtp.messages == [] and smtp.refused == 1


# --- errors ------------------------------------------------------------------------------------


def test_smtp_refusal_puts_the_row_back_with_backoff_and_gives_the_rest_back(smtp_backend):
    smtp = smtp_backend
    pks = add(3)
    outbox.send_rows(pks[:1])  # the first goes out
    smtp.refuse = 1
    started = timezone.now()
    with pytest.raises(smtplib.SMTPDataError):
        outbox.send_rows(pks)
    refused, rest = row(pks[1]), row(pks[2])
    assert (refused.status, refused.handed_over_at, refused.claim, refused.attempts) == (Status.PENDING, None, "", 1)
    assert "SMTPDataError" in refused.last_error and "451" in refused.last_error
    assert started + timedelta(seconds=2) <= refused.next_attempt_at <= timezone.now() + timedelta(seconds=121)
    assert (rest.status, rest.claim, rest.handed_over_at) == (Status.PENDING, "", None)
    assert len(smtp.messages) == 1
    # The retry sends the two, once each.
    assert outbox.send_rows(pks) == 2
    assert sorted(m["To"] for m in smtp.messages) == [f"r{i}@exempel.se" for i in range(3)]
    assert row(pks[1]).attempts == 2


def test_task_retries_after_refusals_and_sends_once(smtp_backend, monkeypatch):
    from portal.celery import app

    smtp = smtp_backend
    smtp.refuse = 2
    [pk] = add(1)
    monkeypatch.setitem(app.conf, "task_eager_propagates", False)  # let the eager retries run
    outbox_send.delay(pk)  # eager: the autoretries run at once
    assert smtp.refused == 2 and len(smtp.messages) == 1
    r = row(pk)
    assert r.status == Status.SENT and r.attempts == 3


def test_smtp_server_down_puts_the_row_back_before_anything_was_handed_over():
    pks = add(2)
    with override_settings(EMAIL_BACKEND="portal.mail.EmailBackend", EMAIL_HOST="127.0.0.1", EMAIL_PORT=free_port()):
        with pytest.raises(OSError):
            outbox.send_rows(pks)
    assert set(OutboundEmail.objects.values_list("status", "claim", "handed_over_at")) == {(Status.PENDING, "", None)}
    assert "ConnectionRefusedError" in row(pks[0]).last_error


def test_any_failure_gives_the_rest_of_the_batch_back():
    pks = add(4)

    def broken(r):
        raise RuntimeError("renderer bug")

    meanwhile[pks[2]] = broken
    with pytest.raises(RuntimeError):
        outbox.send_rows(pks)
    assert [row(pk).status for pk in pks] == [Status.SENT, Status.SENT, Status.PENDING, Status.PENDING]
    assert row(pks[2]).last_error == "RuntimeError: renderer bug"
    assert row(pks[3]).claim == "" and row(pks[3]).last_error == ""
    assert len(mail.outbox) == 2
    assert outbox.send_rows(pks) == 2  # the retry
    assert len(mail.outbox) == 4


def test_no_reply_after_the_dot_counts_as_sent_and_is_never_sent_again(caplog):
    """The server got the whole message and the connection broke before its reply: the e-mail
    may well be delivered, so the row is marked sent (unconfirmed), not sent a second time."""
    from aiosmtpd.controller import Controller

    received = []

    class HangUp:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope.content)
            server.transport.abort()  # no reply
            return "250 OK"

    port = free_port()
    hang_up = Controller(HangUp(), hostname="127.0.0.1", port=port)
    hang_up.start()
    try:
        [pk] = add(1)
        with override_settings(EMAIL_BACKEND="portal.mail.EmailBackend", EMAIL_HOST="127.0.0.1", EMAIL_PORT=port):
            with pytest.raises(smtplib.SMTPServerDisconnected):
                outbox.send_rows([pk])
            r = row(pk)
            assert r.status == Status.SENT and r.last_error == outbox.UNCONFIRMED_NO_REPLY
            assert r.sent_at == r.handed_over_at
            assert outbox.send_rows([pk]) == 0
            assert outbox.due_ids() == []
        assert len(received) == 1
        assert "marked sent without the server's reply" in caplog.text
    finally:
        hang_up.stop()
