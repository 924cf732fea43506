"""The attendance register (issue 21, part 2): each source of a status (the answer, the QR
check-in, the coordinator's ticks and register), the defaults of ``entry_status``, the
coordinator's override, audit rows, bad input; and the network's year report (by organisation,
by kind, the members who missed every meeting; CSV), coordinators only."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from meetings import register, services
from meetings.models import Attendance, Invitation, Meeting
from networks.models import NetworkMembership, Organisation
from portal.models import AuditEvent

from .. import factories as f
from ..audit_table import assert_audited
from ..queries import page_queries
from .conftest import local

pytestmark = pytest.mark.django_db

PRESENT, EXCUSED, ABSENT = Attendance.Status.PRESENT, Attendance.Status.EXCUSED, Attendance.Status.ABSENT


def snapshot():
    return (
        list(Attendance.objects.order_by("pk").values_list("pk", "status", "source", "invitation_id")),
        AuditEvent.objects.filter(event__startswith="attendance").count(),
    )


def held(network, by, day, *, people=(), title="Träff", deadline_days=5):
    """A meeting of ``network`` on ``day`` (a local date, 13-15) with ``people`` invited, held
    (the clock is moved to the meeting's day to plan it)."""
    starts = local(day.year, day.month, day.day, 13)
    with time_machine.travel(starts - timedelta(days=30), tick=False):
        meeting = services.meeting_schedule(
            network=network, by=by, title=title, starts_at=starts, ends_at=starts + timedelta(hours=2),
            place="Stadshuset", rsvp_deadline=(starts - timedelta(days=deadline_days)).date(),
        )
        services.meeting_invite(meeting=meeting, by=by, user_ids=[p.pk for p in people])
    return meeting


def answer(meeting, user, response, at):
    inv = Invitation.objects.get(meeting=meeting, user=user)
    with time_machine.travel(at, tick=False):
        return services.invitation_answer(invitation=inv, response=response)


@pytest.fixture
def people(network, coordinator, participant):
    """Three more members: a police officer, a teacher, a second church member."""
    police = f.OrganisationFactory(name="Polisen Växjö", kind=Organisation.Kind.POLIS)
    school = f.OrganisationFactory(name="Fagrabäckskolan", kind=Organisation.Kind.SKOLA)
    church = Organisation.objects.get(name="Växjö domkyrkoförsamling")
    made = {}
    for key, org, email in [("polis", police, "polis@polisen.se"), ("larare", school, "larare@skola.se"),
                            ("diakon", church, "diakon@kyrkan.se")]:
        made[key] = f.MembershipFactory(network=network, organisation=org, user=f.UserFactory(email=email)).user
    made.update(coordinator=coordinator, participant=participant)
    return made


@pytest.fixture
def march(network, people):
    """A meeting on 10 March 2026 with everyone invited; the clock is at the meeting."""
    m = held(network, people["coordinator"], local(2026, 3, 10).date(), people=list(people.values()),
             title="Vårträffen")
    with time_machine.travel(local(2026, 3, 10, 13, 30), tick=False):
        yield m


# --- entry_status: the one rule ------------------------------------------------------------------


def test_defaults_follow_the_answer(network, people):
    m = held(network, people["coordinator"], local(2026, 3, 10).date(), people=list(people.values()))
    answer(m, people["participant"], "no", local(2026, 3, 1, 9))      # before the deadline (5 March)
    answer(m, people["polis"], "no", local(2026, 3, 8, 9))            # after it
    answer(m, people["larare"], "yes", local(2026, 3, 1, 9))
    with time_machine.travel(local(2026, 3, 10, 16), tick=False):
        status = {e.email: e.status for e in register.register_for(m)}
    assert status == {
        "deltagare@kyrkan.se": EXCUSED,  # a "nej" in time is notice of absence
        "polis@polisen.se": ABSENT,  # a late "nej" is not
        "larare@skola.se": ABSENT,  # said yes, nobody ticked them
        "diakon@kyrkan.se": ABSENT,  # never answered
        "samordnare@vaxjo.se": ABSENT,
    }


def test_a_waiting_list_place_counts_as_notice_of_absence(network, people):
    m = held(network, people["coordinator"], local(2026, 3, 10).date(), people=list(people.values()))
    Meeting.objects.filter(pk=m.pk).update(capacity=1)
    answer(m, people["larare"], "yes", local(2026, 3, 1, 9))
    inv = answer(m, people["polis"], "yes", local(2026, 3, 1, 10))
    assert inv.response == Invitation.Response.WAITLIST
    assert register.entry_status(inv, m) == EXCUSED


def test_without_a_deadline_a_no_before_the_start_is_notice(network, people, march):
    inv = Invitation.objects.get(meeting=march, user=people["polis"])
    march.rsvp_deadline = None
    inv.response, inv.responded_at = "no", march.starts_at - timedelta(minutes=1)
    assert register.entry_status(inv, march) == EXCUSED
    inv.responded_at = march.starts_at + timedelta(minutes=1)
    assert register.entry_status(inv, march) == ABSENT


# --- the other sources ---------------------------------------------------------------------------


def test_checkin_ticks_and_walk_ins_are_present(people, march):
    services.attendance_set(meeting=march, by=people["coordinator"],
                            invitation_ids=[Invitation.objects.get(meeting=march, user=people["larare"]).pk])
    services.attendance_checkin(meeting=march, user=people["polis"])
    services.attendance_add_walk_in(meeting=march, by=people["coordinator"], name="Gäst Gästsson",
                                    organisation_name="Röda korset")
    entries = {e.name: e for e in register.register_for(march)}
    assert entries["Gäst Gästsson"].status == PRESENT and entries["Gäst Gästsson"].invitation is None
    by_email = {e.email: e for e in entries.values() if e.email}
    assert by_email["polis@polisen.se"].status == PRESENT
    assert by_email["polis@polisen.se"].attendance.source == Attendance.Source.CHECKIN
    assert by_email["larare@skola.se"].status == PRESENT
    assert register.register_counts(entries.values()) == {PRESENT: 3, EXCUSED: 0, ABSENT: 3}


def test_the_coordinator_overrides_the_answer_and_back(people, march):
    c = people["coordinator"]
    no_in_time = Invitation.objects.get(meeting=march, user=people["participant"])
    Invitation.objects.filter(pk=no_in_time.pk).update(response="no", responded_at=local(2026, 3, 1))
    polis = Invitation.objects.get(meeting=march, user=people["polis"])

    # The default stores nothing; a change is a row that beats the answer.
    assert register.register_set(meeting=march, by=c, statuses={no_in_time.pk: EXCUSED}) == 0
    assert not Attendance.objects.exists()
    changed, row = assert_audited(
        lambda: register.register_set(meeting=march, by=c, statuses={no_in_time.pk: ABSENT, polis.pk: EXCUSED}),
        event="attendance.register_set", user=c, obj=march, action=AuditEvent.Action.UPDATE,
    )
    assert changed == 2 and row.detail["statuses"] == {str(no_in_time.pk): ABSENT, str(polis.pk): EXCUSED}
    status = {e.email: e.status for e in register.register_for(march)}
    assert status["deltagare@kyrkan.se"] == ABSENT and status["polis@polisen.se"] == EXCUSED

    # Marked excused, then scanned the QR code after all: present.
    services.attendance_checkin(meeting=march, user=people["polis"])
    assert {e.email: e.status for e in register.register_for(march)}["polis@polisen.se"] == PRESENT
    # Ticked present on the attendance page, then unticked: back to what the answer says.
    services.attendance_set(meeting=march, by=c, invitation_ids=[no_in_time.pk])
    assert {e.email: e.status for e in register.register_for(march)}["deltagare@kyrkan.se"] == PRESENT
    services.attendance_set(meeting=march, by=c, invitation_ids=[])
    assert {e.email: e.status for e in register.register_for(march)}["deltagare@kyrkan.se"] == EXCUSED
    # The present list (representation, the attendance CSV) holds only the present.
    assert [a.email for a in Attendance.objects.filter(status=PRESENT)] == []


def test_register_refuses_bad_status_and_a_meeting_not_begun(network, people, march):
    c = people["coordinator"]
    inv = Invitation.objects.get(meeting=march, user=people["polis"])
    before = snapshot()
    with pytest.raises(ValidationError):
        register.register_set(meeting=march, by=c, statuses={inv.pk: "maybe"})
    assert snapshot() == before
    later = held(network, c, local(2026, 4, 20).date(), people=[people["polis"]])
    with pytest.raises(ValidationError, match="först när mötet börjar"):
        register.register_set(meeting=later, by=c, statuses={})
    Meeting.objects.filter(pk=march.pk).update(status="cancelled", cancelled_at=timezone.now())
    march.refresh_from_db()
    with pytest.raises(ValidationError, match="inställt"):
        register.register_set(meeting=march, by=c, statuses={inv.pk: PRESENT})
    assert snapshot() == before


# --- the register page ---------------------------------------------------------------------------


def test_register_page_saves_and_shows_errors_next_to_the_field(client, people, march):
    c = people["coordinator"]
    client.force_login(c)
    url = reverse("meeting_register", args=[march.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Närvaroregister" in page.content.decode()
    invs = {i.user_id: i for i in Invitation.objects.filter(meeting=march)}
    data = {f"status_{i.pk}": ABSENT for i in invs.values()}
    data[f"status_{invs[people['polis'].pk].pk}"] = PRESENT
    assert client.post(url, data).status_code == 302
    assert Attendance.objects.get().status == PRESENT

    before = snapshot()
    for bad in ["maybe", "", "present\x00", "²", "x" * 10_000]:
        data[f"status_{invs[people['larare'].pk].pk}"] = bad
        response = client.post(url, data)
        assert response.status_code == 200, bad
        assert "Välj" in response.content.decode()
        assert snapshot() == before


def test_register_page_is_for_the_coordinator_only(client, people, march, outsider):
    url = reverse("meeting_register", args=[march.pk])
    inv = Invitation.objects.get(meeting=march, user=people["polis"])
    before = snapshot()
    for user in (people["participant"], outsider):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url, {f"status_{inv.pk}": PRESENT}).status_code == 404
    assert snapshot() == before


# --- the year report -----------------------------------------------------------------------------


@pytest.fixture
def year(network, people):
    """2026: two meetings held (March, September), one cancelled, one still to come; one in 2025.
    March: the teacher and the coordinator present (checked in / ticked), the church member
    "nej" in time, the police officer "nej" late, the deacon silent; a guest from Röda korset.
    September: the coordinator present, the church member marked present by the register.
    The police officer and the deacon were present at neither."""
    c = people["coordinator"]
    everyone = list(people.values())
    march = held(network, c, local(2026, 3, 10).date(), people=everyone, title="Vårträffen")
    sept = held(network, c, local(2026, 9, 15).date(), people=everyone, title="Höstträffen")
    cancelled = held(network, c, local(2026, 5, 5).date(), people=everyone, title="Inställd")
    Meeting.objects.filter(pk=cancelled.pk).update(status="cancelled", cancelled_at=local(2026, 5, 1))
    old = held(network, c, local(2025, 10, 1).date(), people=everyone, title="Fjolårets")
    answer(march, people["participant"], "no", local(2026, 3, 1, 9))
    answer(march, people["polis"], "no", local(2026, 3, 8, 9))
    with time_machine.travel(local(2026, 3, 10, 13, 15), tick=False):
        services.attendance_set(meeting=march, by=c, invitation_ids=[
            Invitation.objects.get(meeting=march, user=c).pk])
        services.attendance_checkin(meeting=march, user=people["larare"])
        services.attendance_add_walk_in(meeting=march, by=c, name="Gäst", organisation_name="Röda korset")
    with time_machine.travel(local(2026, 9, 15, 13, 15), tick=False):
        services.attendance_set(meeting=sept, by=c, invitation_ids=[Invitation.objects.get(meeting=sept, user=c).pk])
        register.register_set(meeting=sept, by=c, statuses={
            Invitation.objects.get(meeting=sept, user=people["participant"]).pk: PRESENT})
    with time_machine.travel(local(2025, 10, 1, 14), tick=False):
        services.attendance_checkin(meeting=old, user=people["polis"])  # last year: does not count
    held(network, c, local(2026, 11, 20).date(), people=everyone, title="Kommande")
    return {"march": march, "sept": sept}


def test_year_report_counts_by_organisation_and_kind(network, people, year):
    with time_machine.travel(local(2026, 10, 1), tick=False):
        report = register.year_report(network, 2026)
    assert [m.title for m in report.meetings] == ["Vårträffen", "Höstträffen"]
    assert [(m.counts[PRESENT], m.counts[EXCUSED], m.counts[ABSENT]) for m in report.meetings] == [(3, 1, 2), (2, 0, 3)]
    orgs = {t.label: (t.represented, t.present, t.excused, t.absent) for t in report.by_organisation}
    assert orgs == {
        "Växjö kommun, Socialtjänsten": (2, 2, 0, 0),
        "Växjö domkyrkoförsamling": (1, 1, 1, 2),  # church: participant (excused, present), deacon absent twice
        "Fagrabäckskolan": (1, 1, 0, 1),
        "Polisen Växjö": (0, 0, 0, 2),
        "Röda korset": (1, 1, 0, 0),
    }
    kinds = [(t.label, t.represented, t.present, t.excused, t.absent) for t in report.by_kind]
    assert kinds == [
        ("Kommun", 2, 2, 0, 0),
        ("Polis", 0, 0, 0, 2),
        ("Skola/förskola", 1, 1, 0, 1),
        ("Kyrka/församling", 1, 1, 1, 2),
        ("Annan eller okänd", 1, 1, 0, 0),
    ]
    assert sorted((m.email, m.invited, m.excused) for m in report.missed_all) == [
        ("diakon@kyrkan.se", 2, 0), ("polis@polisen.se", 2, 0)]


def test_a_year_without_meetings_lists_nobody(network, people, year):
    report = register.year_report(network, 2024)
    assert report.meetings == [] and report.missed_all == [] and report.by_organisation == []


def test_year_page_and_csv(client, network, people, year):
    client.force_login(people["coordinator"])
    with time_machine.travel(local(2026, 10, 1), tick=False):
        page = client.get(reverse("network_attendance", args=[network.pk]), {"ar": "2026"})
        assert page.status_code == 200
        body = page.content.decode()
        assert "Polisen Växjö" in body and "Medlemmar som missat alla möten i år" in body
        before = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count()
        csv = client.get(reverse("network_attendance_csv", args=[network.pk]), {"ar": "2026"})
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Del;Namn;Sort;Möten med närvaro;Närvarande;Frånvarande med förhinder;Frånvarande"
    assert "Organisation;Polisen Växjö;Polis;0;0;0;2" in lines
    assert "Sort av organisation;Kommun;;2;2;0;0" in lines
    assert any(line.startswith("Missat alla möten;") and "Polisen Växjö" in line for line in lines)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == before + 1


@pytest.mark.parametrize("bad", ["abc", "1", "2019", "2099", "99999999999999999999999", "²", "2026\x00", "-1"])
def test_year_page_bad_year_is_a_message(client, network, people, bad):
    client.force_login(people["coordinator"])
    before = AuditEvent.objects.count()
    for name in ("network_attendance", "network_attendance_csv"):
        response = client.get(reverse(name, args=[network.pk]), {"ar": bad})
        assert response.status_code == 200 and response["Content-Type"].startswith("text/html"), (name, bad)
        body = response.content.decode()
        assert "Ange ett år" in body or "Välj ett år" in body, bad
    assert AuditEvent.objects.count() == before


def test_year_report_for_coordinators_only(client, network, people, outsider, regional_network):
    for user in (people["participant"], outsider):
        client.force_login(user)
        for name in ("network_attendance", "network_attendance_csv"):
            assert client.get(reverse(name, args=[network.pk])).status_code == 404
    # A coordinator of another network (the regional one above) gets 404 here too.
    other = f.MembershipFactory(network=regional_network, role=NetworkMembership.Role.COORDINATOR).user
    client.force_login(other)
    assert client.get(reverse("network_attendance", args=[network.pk])).status_code == 404


def test_year_report_queries_are_flat(client, network, people, year):
    client.force_login(people["coordinator"])
    url = reverse("network_attendance", args=[network.pk]) + "?ar=2026"
    with time_machine.travel(local(2026, 10, 1), tick=False):
        _, _, small = page_queries(client, url)
        c = people["coordinator"]
        more = [f.MembershipFactory(network=network, organisation=f.OrganisationFactory(kind="ideell")).user
                for _ in range(6)]
        for day in (2, 3):
            held(network, c, local(2026, 6, day).date(), people=more + [c])
        _, _, large = page_queries(client, url)
    assert len(large) == len(small) <= 10, large
