"""Every meetings service that changes shared data writes its audit row (docs/security.md,
promise 5): one row per service in the table, and a check that no service is missing from it,
so a service that stops auditing - or a new one that never did - fails the suite."""

from datetime import timedelta

import pytest
from django.utils import timezone

from meetings import services
from meetings.models import Attendance, Invitation, Meeting
from portal.models import AuditEvent

from .. import factories as f
from ..audit_table import assert_audited, assert_rolled_back_together, changing_services
from .conftest import future

pytestmark = pytest.mark.django_db

READS = {"invitation_candidates"}  # keyword-only arguments, but it only reads


def _started(meeting):
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(hours=1),
                                                 ends_at=timezone.now() + timedelta(hours=1))
    meeting.refresh_from_db()
    return meeting


def _invitation(meeting, user):
    return Invitation.objects.get(meeting=meeting, user=user)


CASES = {
    "meeting_defaults_set": lambda m, c, p: (
        "meeting_defaults.set", c,
        lambda: services.meeting_defaults_set(network=m.network, by=c, remind_unanswered_days=3,
                                              remind_attending_days=1, cost_note="Fika bjuds"),
    ),
    "meeting_schedule": lambda m, c, p: (
        "meeting.scheduled", c,
        lambda: services.meeting_schedule(network=m.network, by=c, title="Vårträff", starts_at=future(20),
                                          ends_at=future(20) + timedelta(hours=2), place="Här"),
    ),
    "meeting_update": lambda m, c, p: (
        "meeting.updated", c, lambda: services.meeting_update(meeting=m, by=c, place="Ett annat rum"),
    ),
    "meeting_cancel": lambda m, c, p: ("meeting.cancelled", c, lambda: services.meeting_cancel(meeting=m, by=c)),
    "meeting_close": lambda m, c, p: (
        "meeting.closed", c, lambda: services.meeting_close(meeting=_started(m), by=c),
    ),
    "agenda_set": lambda m, c, p: (
        "meeting.agenda_set", c,
        lambda: services.agenda_set(meeting=m, by=c, items=[{"title": "Välkommen", "responsible": None,
                                                            "responsible_name": "", "duration_minutes": 10}]),
    ),
    "meeting_invite": lambda m, c, p: (
        "meeting.invitations_sent", c,
        lambda: (f.MembershipFactory(network=m.network), services.meeting_invite(meeting=m, by=c)),
    ),
    "invitation_answer": lambda m, c, p: (
        "invitation.answered", p,
        lambda: services.invitation_answer(invitation=_invitation(m, p), response=Invitation.Response.YES, by=p),
    ),
    "invitation_remove": lambda m, c, p: (
        "invitation.removed", c, lambda: services.invitation_remove(invitation=_invitation(m, p), by=c),
    ),
    "attendance_set": lambda m, c, p: (
        "attendance.set", c,
        lambda: services.attendance_set(meeting=_started(m), by=c, invitation_ids=[_invitation(m, p).pk]),
    ),
    "attendance_add_walk_in": lambda m, c, p: (
        "attendance.walk_in_added", c,
        lambda: services.attendance_add_walk_in(meeting=_started(m), by=c, name="Gäst Gästsson"),
    ),
    "attendance_checkin": lambda m, c, p: (
        "attendance.checked_in", p, lambda: services.attendance_checkin(meeting=_started(m), user=p),
    ),
    "attendance_remove": lambda m, c, p: (
        "attendance.removed", c,
        lambda: services.attendance_remove(
            attendance=Attendance.objects.create(meeting=m, name="Gäst", recorded_by=c), by=c),
    ),
    "minutes_save": lambda m, c, p: (
        "minutes.saved", c, lambda: services.minutes_save(meeting=m, by=c, text="Vi träffades.", follow_ups=""),
    ),
    "calendar_feed_renew": lambda m, c, p: ("calendar_feed.renewed", p, lambda: services.calendar_feed_renew(user=p)),
    "calendar_feed_revoke": lambda m, c, p: (
        "calendar_feed.revoked", p,
        lambda: (services.calendar_feed_renew(user=p), services.calendar_feed_revoke(user=p)),
    ),
}


def test_every_meetings_service_that_changes_data_is_in_the_table():
    assert changing_services(services, reads=READS) == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_service_writes_its_audit_row(invited, coordinator, participant, name):
    event, user, call = CASES[name](invited, coordinator, participant)
    assert_audited(call, event=event, user=user)


def test_an_answer_through_the_e_mail_link_is_the_invitees_own(invited, participant):
    invitation = _invitation(invited, participant)
    _result, row = assert_audited(
        lambda: services.invitation_answer(invitation=invitation, response=Invitation.Response.NO),
        event="invitation.answered", user=participant, obj=invitation,
    )
    assert row.detail["through"] == "link" and row.detail["to"] == "no"


@pytest.mark.parametrize("name", ["meeting_cancel", "attendance_set", "minutes_save"])
def test_the_audit_row_is_in_the_services_transaction(invited, coordinator, participant, name):
    event, _user, call = CASES[name](invited, coordinator, participant)
    assert_rolled_back_together(call, event)


def test_a_refused_change_leaves_no_audit_row(invited, coordinator):
    services.meeting_cancel(meeting=invited, by=coordinator)
    with pytest.raises(Exception):  # noqa: B017  the service's ValidationError
        services.meeting_cancel(meeting=invited, by=coordinator)
    assert AuditEvent.objects.filter(event="meeting.cancelled").count() == 1
