"""Meeting e-mail for real (issue 3, docs/security.md "Background work"): a real Redis broker, a
real Celery worker process, a real SMTP server on loopback and the test's PostgreSQL database.
Invitations, reminders (the beat task run twice: one e-mail), waiting-list promotion, change
and cancel notices; a worker that is down when send is pressed; the broker down at the click;
a worker killed in the middle of a batch, right after handing an e-mail over; an SMTP server
that refuses."""

import threading
import time
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from meetings import services
from meetings.models import Invitation
from meetings.tasks import send_due_reminders
from networks.models import NetworkMembership
from portal import outbox
from portal.models import OutboundEmail
from portal.tasks import outbox_sweep
from tests import factories as f
from tests.celery_harness import (
    SmtpSink,
    Worker,
    use_broker,
    wait_until,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setup(db):
    """A network with a coordinator and three participants, and a meeting in two weeks."""
    network = f.LocalNetworkFactory(name="Nätverket i Alvesta", kommun=f.kommun("Alvesta"))
    org = f.OrganisationFactory(name="Alvesta kommun", kommun=f.kommun("Alvesta"))
    coordinator = f.MembershipFactory(
        network=network, organisation=org, role=NetworkMembership.Role.COORDINATOR,
        user=f.UserFactory(email="samordnare@alvesta.se"),
    ).user
    people = [
        f.MembershipFactory(network=network, organisation=org, user=f.UserFactory(email=f"d{i}@alvesta.se")).user
        for i in range(3)
    ]
    starts = timezone.now() + timedelta(days=14)
    with transaction.atomic():
        meeting = services.meeting_schedule(
            network=network, by=coordinator, title="Höstträffen", starts_at=starts,
            ends_at=starts + timedelta(hours=2), place="Kommunhuset, Alvesta",
            rsvp_deadline=(starts - timedelta(days=4)).date(),
        )
    return meeting, coordinator, people


def invite(meeting, by):
    with transaction.atomic():
        return services.meeting_invite(meeting=meeting, by=by)


def answer(meeting, user, response, **kw):
    inv = Invitation.objects.get(meeting=meeting, user=user)
    with transaction.atomic():
        return services.invitation_answer(invitation=inv, response=response, **kw)


def subject(msg):
    """The decoded subject, unfolded (a long encoded subject may be folded over lines)."""
    return " ".join(str(msg["Subject"]).split())


def settle(smtp, expected, message, timeout=30):
    wait_until(lambda: len(smtp.messages) >= expected, timeout, message=message)
    time.sleep(1.5)  # anything extra (a duplicate) would arrive now
    assert len(smtp.messages) == expected, [(m["To"], subject(m)) for m in smtp.messages]


def test_invitations_reach_everyone_once_with_calendar(worker_factory, smtp, setup):
    meeting, coordinator, people = setup
    worker_factory()
    invite(meeting, coordinator)
    settle(smtp, 4, "four invitations")
    assert sorted(m["To"] for m in smtp.messages) == sorted([coordinator.email] + [p.email for p in people])
    msg = smtp.to(people[0].email)[0]
    assert subject(msg).startswith("Inbjudan: Höstträffen")
    parts = {p.get_content_type(): p for p in msg.walk()}
    assert "text/html" in parts and "text/plain" in parts
    assert parts["text/calendar"].get_param("method") == "REQUEST"
    assert f"UID:meeting-{meeting.pk}@barnstodsportalen.se" in parts["text/calendar"].get_content()
    assert "?svar=ja" in msg.get_body(preferencelist=("plain",)).get_content()
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}


def test_worker_down_when_send_is_pressed_then_up(worker_factory, smtp, setup):
    meeting, coordinator, people = setup
    worker = worker_factory(start=False)
    invite(meeting, coordinator)
    time.sleep(1)
    assert smtp.messages == []
    assert OutboundEmail.objects.filter(status="pending").count() == 4
    assert Invitation.objects.filter(meeting=meeting).count() == 4  # recorded, waiting to go out
    worker.start()
    settle(smtp, 4, "the invitations after the worker started")


@override_settings(OUTBOX_RESEND_AFTER_SECONDS=0)
def test_broker_down_at_send_then_sweeper_delivers_once(redis_server, worker_factory, smtp, setup):
    meeting, coordinator, people = setup
    worker_factory()
    redis_server.stop()
    started = time.monotonic()
    assert invite(meeting, coordinator) == 4  # must not raise
    assert time.monotonic() - started < 10
    redis_server.start()
    use_broker(redis_server.url)
    outbox_sweep()
    outbox_sweep()
    settle(smtp, 4, "the swept invitations", timeout=45)


def test_reminder_beat_twice_sends_one_each(worker_factory, smtp, setup):
    meeting, coordinator, people = setup
    worker_factory(concurrency=2)
    invite(meeting, coordinator)
    settle(smtp, 4, "the invitations")
    answer(meeting, people[0], "yes")
    settle(smtp, 5, "the answer confirmation")
    # Make the unanswered reminder and the attending reminder both due now.
    from meetings.models import Meeting

    Meeting.objects.filter(pk=meeting.pk).update(
        rsvp_deadline=timezone.localdate() + timedelta(days=1), remind_attending_days=30
    )
    send_due_reminders.delay()  # on the real worker
    send_due_reminders()  # and a second beat, in this process, at the same time
    settle(smtp, 5 + 3 + 1, "three unanswered reminders and one attending reminder")
    subjects = sorted(subject(m).split(":")[0] for m in smtp.messages[5:])
    assert subjects == ["Påminnelse"] * 4
    assert len(smtp.to(people[0].email)) == 3  # invitation, confirmation, day-before reminder


def test_waiting_list_promotion_is_mailed(worker_factory, smtp, setup):
    meeting, coordinator, people = setup
    with transaction.atomic():
        services.meeting_update(meeting=meeting, by=coordinator, capacity=1)
    worker_factory()
    invite(meeting, coordinator)
    answer(meeting, people[0], "yes")
    answer(meeting, people[1], "yes")  # waiting list
    settle(smtp, 6, "invitations and two confirmations")
    answer(meeting, people[0], "no", decline_reason="Sjuk")
    settle(smtp, 8, "the decline confirmation and the promotion")
    promoted = [m for m in smtp.to(people[1].email) if subject(m).startswith("Du har fått en plats")]
    assert len(promoted) == 1
    cal = next(p for p in promoted[0].walk() if p.get_content_type() == "text/calendar").get_content()
    assert "PARTSTAT=ACCEPTED" in cal


def test_change_and_cancel_notices(worker_factory, smtp, setup):
    meeting, coordinator, people = setup
    worker_factory()
    invite(meeting, coordinator)
    answer(meeting, people[2], "no")
    settle(smtp, 5, "invitations and a decline confirmation")
    with transaction.atomic():
        services.meeting_update(meeting=meeting, by=coordinator, place="Folkets hus, Alvesta")
    settle(smtp, 8, "three change notices (not to the one who declined)")
    changed = [m for m in smtp.messages[5:]]
    assert all(subject(m).startswith("Ändrat:") for m in changed)
    assert people[2].email not in [m["To"] for m in changed]
    assert "SEQUENCE:1" in next(p for p in changed[0].walk() if p.get_content_type() == "text/calendar").get_content()
    with transaction.atomic():
        services.meeting_cancel(meeting=meeting, by=coordinator)
    settle(smtp, 11, "three cancellations")
    cancel = smtp.messages[8]
    part = next(p for p in cancel.walk() if p.get_content_type() == "text/calendar")
    assert part.get_param("method") == "CANCEL" and "METHOD:CANCEL" in part.get_content()


def test_smtp_refusing_then_accepting_sends_each_once(worker_factory, smtp, setup):
    meeting, coordinator, people = setup
    smtp.refuse = 2
    worker_factory()
    invite(meeting, coordinator)
    settle(smtp, 4, "four invitations after two refusals", timeout=90)
    assert smtp.refused == 2
    assert sorted(m["To"] for m in smtp.messages) == sorted([coordinator.email] + [p.email for p in people])


class HoldingSmtpSink(SmtpSink):
    """An SMTP server that, like a real one, has a message once it has its end-of-data dot, and
    holds back its 250 for the ``hold``-th message. ``held`` is set while it holds: a client
    killed then has handed the message over and never sees the reply."""

    def __init__(self, hold):
        import asyncio

        from aiosmtpd.controller import Controller

        super().__init__()
        self.held = threading.Event()
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                with sink.lock:
                    sink.messages.append(message_from_bytes(envelope.content, policy=policy.default))
                    holding = len(sink.messages) == hold
                if holding:
                    sink.held.set()
                    await asyncio.sleep(60)  # the worker is killed meanwhile
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)


@override_settings(OUTBOX_RESEND_AFTER_SECONDS=0)
def test_worker_killed_mid_send_then_sweeper_sends_the_rest_once(redis_server, setup):
    """SIGKILL the worker in the middle of a batch, right after it handed an e-mail to the SMTP
    server and before the server's reply: after the sweeper and a second worker, every invitee
    has exactly one e-mail and every row is sent. What the dead worker handed over is never
    sent again; what it had not is sent by the next worker."""
    meeting, coordinator, people = setup
    for i in range(16):
        f.MembershipFactory(network=meeting.network, user=f.UserFactory(email=f"extra{i}@alvesta.se"))
    smtp = HoldingSmtpSink(hold=5)
    smtp.start()
    first = Worker(redis_server.url, smtp.port)
    first.env["OUTBOX_LEASE_SECONDS"] = "10"  # so the sweeper may settle its rows soon after the kill
    second = Worker(redis_server.url, smtp.port)
    try:
        first.start()
        invited = invite(meeting, coordinator)
        assert invited == 20
        assert smtp.held.wait(30), "the fifth e-mail never reached the server"
        first.stop(kill=True)  # SIGKILL while the server holds its reply to the fifth
        assert len(smtp.messages) == 5
        rows = OutboundEmail.objects.order_by("pk")
        assert {r.status for r in rows} == {"sending"}  # one batch, all claimed by the dead worker
        handed = [r.recipient for r in rows if r.handed_over_at]
        assert sorted(handed) == sorted(m["To"] for m in smtp.messages)  # the five, nothing else

        # The sweeper leaves a live lease alone, then settles it once it is over.
        assert outbox_sweep() == 0
        lease_over = max(r.claimed_until for r in rows)
        time.sleep(max(0.0, (lease_over - timezone.now()).total_seconds()) + 0.2)
        second.start()
        assert outbox_sweep() == invited - 5  # beat, after the lease: the 15 never handed over
        outbox_sweep()  # and a second beat (enqueues again whatever is still pending)
        wait_until(
            lambda: len(smtp.messages) >= invited and not OutboundEmail.objects.exclude(status="sent").exists(),
            60, message="the rest",
        )
        time.sleep(1.5)  # a duplicate would arrive now
        assert len(smtp.messages) == invited, sorted(m["To"] for m in smtp.messages)
        assert sorted(m["To"] for m in smtp.messages) == sorted(Invitation.objects.values_list("email", flat=True))
        assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}
        unconfirmed = OutboundEmail.objects.filter(last_error=outbox.UNCONFIRMED_BY_SWEEPER)
        assert sorted(unconfirmed.values_list("recipient", flat=True)) == sorted(handed)
        assert all(r.sent_at == r.handed_over_at for r in unconfirmed)
    finally:
        first.stop(kill=True)
        second.stop(kill=True)
        smtp.stop()
