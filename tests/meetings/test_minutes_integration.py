"""Published minutes for real (issue 21, part 3): a real Redis broker, Celery worker and SMTP
server (tests/celery_harness.py). The broker is down when the minutes are published: the page
succeeds, the sweeper delivers each e-mail once; the correction then goes out once more, marked
"Rättelse", and further sweeps send nothing."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from meetings import minutes, services
from meetings.models import Invitation, Meeting
from portal.models import OutboundEmail
from portal.tasks import outbox_sweep
from tests.celery_harness import use_broker

from .test_integration import settle, setup, subject  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@override_settings(OUTBOX_RESEND_AFTER_SECONDS=0)
def test_publish_under_a_redis_outage_then_correct_each_once(redis_server, worker_factory, smtp, setup):  # noqa: F811
    meeting, coordinator, people = setup
    worker_factory()
    with transaction.atomic():
        services.meeting_invite(meeting=meeting, by=coordinator)
    settle(smtp, 4, "the invitations")
    smtp.messages.clear()
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(hours=3),
                                                 ends_at=timezone.now() - timedelta(hours=1))
    meeting.refresh_from_db()
    present = Invitation.objects.filter(meeting=meeting, user__in=[coordinator, people[0], people[1]])
    with transaction.atomic():
        services.attendance_set(meeting=meeting, by=coordinator, invitation_ids=list(present.values_list("pk", flat=True)))
        services.minutes_save(meeting=meeting, by=coordinator, text="Vi sågs.")

    redis_server.stop()
    with transaction.atomic():
        assert minutes.minutes_publish(meeting=meeting, by=coordinator).recipients == 3  # must not raise
    redis_server.start()
    use_broker(redis_server.url)
    outbox_sweep()
    outbox_sweep()
    settle(smtp, 3, "the minutes after the outage", timeout=45)
    assert all(subject(m).startswith("Minnesanteckningar från Höstträffen") for m in smtp.messages)

    with transaction.atomic():
        services.minutes_save(meeting=meeting, by=coordinator, text="Vi sågs. Rättat.")
        minutes.minutes_publish(meeting=meeting, by=coordinator)
    outbox_sweep()
    settle(smtp, 6, "the correction")
    assert sum(subject(m).startswith("Rättelse:") for m in smtp.messages) == 3
    outbox_sweep()
    settle(smtp, 6, "nothing more")
    assert set(OutboundEmail.objects.filter(kind=minutes.KIND_MINUTES).values_list("status", flat=True)) == {"sent"}
