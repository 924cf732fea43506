"""Background work for real (docs/security.md): a real Redis broker, a real Celery worker process,
a real SMTP server on loopback, the test's PostgreSQL database. Nothing lost, nothing twice."""

import time

import pytest
from django.db import transaction
from django.test import override_settings

from networks import services
from networks.models import NetworkMembership
from portal.models import OutboundEmail
from portal.tasks import outbox_sweep
from tests import factories as f
from tests.celery_harness import (
    use_broker,
    wait_until,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def network_with_coordinator(db):
    network = f.LocalNetworkFactory(name="Nätverket i Ljungby", kommun=f.kommun("Ljungby"))
    org = f.OrganisationFactory(name="Ljungby kommun", kommun=f.kommun("Ljungby"))
    coordinator = f.MembershipFactory(network=network, organisation=org, role=NetworkMembership.Role.COORDINATOR).user
    return network, org, coordinator


def invite(network, org, by, email):
    with transaction.atomic():
        return services.network_member_invite(
            network=network, email=email, first_name="Nya", last_name="Personen",
            organisation=org, role=NetworkMembership.Role.PARTICIPANT, by=by,
        )


def test_invitation_is_sent_by_the_worker_once(worker_factory, smtp, network_with_coordinator):
    network, org, coordinator = network_with_coordinator
    worker_factory()
    invite(network, org, coordinator, "ny1@exempel.se")
    wait_until(lambda: smtp.to("ny1@exempel.se"), 30, message="the invitation e-mail")
    time.sleep(1)
    [msg] = smtp.to("ny1@exempel.se")
    assert "Inbjudan till Nätverket i Ljungby" in msg["Subject"]
    text = msg.get_body(preferencelist=("plain",)).get_content()
    assert "/inbjudan/" in text
    row = OutboundEmail.objects.get(recipient="ny1@exempel.se")
    assert row.status == OutboundEmail.Status.SENT and row.attempts == 1


def test_worker_down_then_up_delivers_once(worker_factory, smtp, network_with_coordinator):
    network, org, coordinator = network_with_coordinator
    worker = worker_factory(start=False)
    invite(network, org, coordinator, "ny2@exempel.se")
    time.sleep(1)
    assert smtp.messages == []
    assert OutboundEmail.objects.get(recipient="ny2@exempel.se").status == OutboundEmail.Status.PENDING
    worker.start()
    wait_until(lambda: smtp.to("ny2@exempel.se"), 30, message="the invitation after the worker started")
    time.sleep(1)
    assert len(smtp.to("ny2@exempel.se")) == 1


@override_settings(OUTBOX_RESEND_AFTER_SECONDS=0)
def test_broker_down_at_the_click_then_sweeper_sends_once(redis_server, worker_factory, smtp, network_with_coordinator):
    network, org, coordinator = network_with_coordinator
    worker_factory()
    redis_server.stop()
    started = time.monotonic()
    membership = invite(network, org, coordinator, "ny3@exempel.se")  # must not raise
    elapsed = time.monotonic() - started
    assert membership.pk is not None
    assert elapsed < 5, f"the click took {elapsed:.1f}s with the broker down"
    assert OutboundEmail.objects.get(recipient="ny3@exempel.se").status == OutboundEmail.Status.PENDING
    redis_server.start()
    use_broker(redis_server.url)
    # Beat would run this every minute; run it now, twice, as two beats might.
    outbox_sweep()
    outbox_sweep()
    wait_until(lambda: smtp.to("ny3@exempel.se"), 45, message="the swept invitation")
    time.sleep(2)
    assert len(smtp.to("ny3@exempel.se")) == 1
    assert OutboundEmail.objects.get(recipient="ny3@exempel.se").status == OutboundEmail.Status.SENT


def test_duplicate_deliveries_to_concurrent_workers_send_once(worker_factory, smtp, network_with_coordinator):
    from portal.tasks import outbox_send

    network, org, coordinator = network_with_coordinator
    worker_factory(concurrency=2)
    for n in range(5):
        invite(network, org, coordinator, f"many{n}@exempel.se")
    ids = list(OutboundEmail.objects.values_list("pk", flat=True))
    for pk in ids:  # a retried task / a second beat: every row enqueued again
        outbox_send.delay(pk)
        outbox_send.delay(pk)
    wait_until(lambda: len(smtp.messages) >= 5, 30, message="five e-mails")
    time.sleep(2)
    assert sorted(m["To"] for m in smtp.messages) == [f"many{n}@exempel.se" for n in range(5)]


def test_smtp_refusing_then_accepting_is_retried_and_sent_once(worker_factory, smtp, network_with_coordinator):
    network, org, coordinator = network_with_coordinator
    smtp.refuse = 2
    worker_factory()
    invite(network, org, coordinator, "ny4@exempel.se")
    wait_until(lambda: smtp.to("ny4@exempel.se"), 60, message="delivery after two refusals")
    time.sleep(1)
    assert smtp.refused == 2
    assert len(smtp.to("ny4@exempel.se")) == 1
    assert OutboundEmail.objects.get(recipient="ny4@exempel.se").status == OutboundEmail.Status.SENT
