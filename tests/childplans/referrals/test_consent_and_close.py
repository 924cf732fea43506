"""Issue 19: a referral needs a consent in force that covers referral (the purpose and the dates),
and closing a plan closes what hangs on it — its coming team meetings are cancelled (the
participants get METHOD:CANCEL), its open referrals closed, and only the contact person still
reads it."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from childplans import services as plan_services
from childplans.models import ChildPlan, Consent
from childplans.referrals.models import Referral
from childplans.teammeetings import services as meeting_services
from childplans.teammeetings.models import TeamMeeting
from portal.models import AuditEvent, OutboundEmail
from portal.outbox import build_message

from ..conftest import reauthenticate
from ..teammeetings.conftest import calendar_of
from ..teammeetings.helpers import call
from .conftest import send

pytestmark = pytest.mark.django_db


def test_a_referral_needs_the_referral_purpose(full_plan, contact, church, receiver, meeting_place):
    plan = full_plan["plan"]
    plan_services.consent_record(
        plan=plan, by=contact, guardian=full_plan["guardian"], given_on=timezone.localdate(),
        method=Consent.Method.WRITTEN, purposes=["coordination", "sharing"], organisations=[church],
    )
    count = Referral.objects.count()
    with pytest.raises(ValidationError) as exc:
        send(plan, contact, church, activity=meeting_place)
    assert "Inget samtycke till hänvisning omfattar" in " ".join(exc.value.message_dict["organisation"])
    assert Referral.objects.count() == count


def test_a_referral_is_refused_the_day_after_the_consent_ended(full_plan, contact, church, receiver, meeting_place,
                                                               referral_consent):
    Consent.objects.filter(pk=referral_consent.pk).update(valid_until=timezone.localdate() + timedelta(days=3))
    with time_machine.travel(timezone.now() + timedelta(days=4), tick=True):
        with pytest.raises(ValidationError):
            send(full_plan["plan"], contact, church, activity=meeting_place)
    assert not Referral.objects.exists()


def test_closing_a_plan_closes_what_hangs_on_it(client, full_plan, contact, teacher, guardian, referral,
                                                django_capture_on_commit_callbacks):
    plan = full_plan["plan"]
    coming = call(plan, contact, days=5, guardians=[guardian])
    held = call(plan, contact, days=2)
    TeamMeeting.objects.filter(pk=held.pk).update(starts_at=timezone.now() - timedelta(hours=3),
                                                  ends_at=timezone.now() - timedelta(hours=2))
    invited = set(coming.invitees.exclude(email="").values_list("email", flat=True))
    assert referral.is_open
    plan_services.plan_close(plan=plan, by=contact, reason="Målen är nådda.")

    plan.refresh_from_db()
    assert plan.is_closed and plan.closed_on == timezone.localdate()  # the retention clock's day
    coming.refresh_from_db()
    held.refresh_from_db()
    assert coming.status == TeamMeeting.Status.CANCELLED
    assert held.status == TeamMeeting.Status.PLANNED  # held already: its minutes remain to be written
    cancelled = OutboundEmail.objects.filter(kind=meeting_services.KIND_CANCELLED, object_key=f"teammeeting:{coming.pk}")
    assert set(cancelled.values_list("recipient", flat=True)) == invited and invited
    for row in cancelled:
        payload, method = calendar_of(build_message(row))
        calendar = Calendar.from_ical(payload)
        assert method == "CANCEL" and calendar["METHOD"] == "CANCEL"
        assert [str(e["STATUS"]) for e in calendar.walk("VEVENT")] == ["CANCELLED"]
    referral.refresh_from_db()
    assert not referral.is_open

    # Only the contact person still reaches the plan, to read.
    url = reverse("childplans:plan_detail", kwargs={"plan_pk": plan.pk})
    client.force_login(teacher)
    before = AuditEvent.objects.count()
    assert client.get(url).status_code == 404
    assert AuditEvent.objects.order_by("pk")[before:].get().action == AuditEvent.Action.DENIED
    assert not ChildPlan.objects.visible_to(teacher).filter(pk=plan.pk).exists()
    client.force_login(contact)
    assert client.get(url).status_code == 200
    reauthenticate(client, contact)
    consents = reverse("childplans:consents", kwargs={"plan_pk": plan.pk})
    count = Consent.objects.count()
    response = client.post(consents, {"guardian": guardian.pk, "given_on": timezone.localdate().isoformat(),
                                      "method": "written", "purposes": ["coordination"],
                                      "valid_until": (timezone.localdate() + timedelta(days=30)).isoformat(),
                                      "organisations": [full_plan["member"].organisation_id]})
    assert response.status_code in (302, 403) and Consent.objects.count() == count
