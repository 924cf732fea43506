"""Calendar files parse with the icalendar library and carry the right Europe/Stockholm times,
also across a daylight-saving change; UID is stable, SEQUENCE grows, CANCEL cancels."""

from datetime import UTC, timedelta

import pytest
from icalendar import Calendar

from meetings import ics, services
from meetings.models import Invitation

from .conftest import TZ, local

pytestmark = pytest.mark.django_db


def parse(data):
    cal = Calendar.from_ical(data)
    [event] = cal.walk("VEVENT")
    return cal, event


@pytest.mark.parametrize(
    ("start", "utc_hour"),
    [
        (local(2027, 3, 27, 10), 9),   # Saturday before the change: CET (+01:00)
        (local(2027, 3, 29, 10), 8),   # Monday after the change: CEST (+02:00)
        (local(2027, 10, 30, 10), 8),  # before the autumn change: CEST
        (local(2027, 11, 1, 10), 9),   # after: CET
    ],
)
def test_times_in_stockholm_across_daylight_saving(network, coordinator, start, utc_hour):
    meeting = services.meeting_schedule(
        network=network, by=coordinator, title="Träff", starts_at=start, ends_at=start + timedelta(hours=2),
        place="Växjö",
    )
    cal, event = parse(ics.meeting_ics(meeting))
    dtstart = event.decoded("dtstart")
    assert event["dtstart"].params["TZID"] == "Europe/Stockholm"
    assert dtstart.replace(tzinfo=None) == start.replace(tzinfo=None)
    assert dtstart.astimezone(TZ).utcoffset() == start.utcoffset()
    assert dtstart.astimezone(UTC).hour == utc_hour
    [vtz] = cal.walk("VTIMEZONE")
    assert vtz["TZID"] == "Europe/Stockholm"
    assert event.decoded("dtend") - dtstart == timedelta(hours=2)


def test_uid_is_stable_and_sequence_grows(meeting, coordinator):
    _cal, first = parse(ics.meeting_ics(meeting))
    services.meeting_update(meeting=meeting, by=coordinator, place="Ny adress 1, Växjö")
    meeting.refresh_from_db()
    cal, second = parse(ics.meeting_ics(meeting))
    assert str(first["uid"]) == str(second["uid"]) == f"meeting-{meeting.pk}@barnstodsportalen.se"
    assert (first["sequence"], second["sequence"]) == (0, 1)
    assert str(second["location"]) == "Ny adress 1, Växjö"
    assert str(cal["method"]) == "REQUEST"


def test_cancel_and_partstat(meeting, coordinator):
    inv = Invitation.objects.create(meeting=meeting, email="per@exempel.se", name="Per", response="no")
    _cal, event = parse(ics.meeting_ics(meeting, invitation=inv))
    attendee = event["attendee"]
    assert str(attendee) == "mailto:per@exempel.se" and attendee.params["PARTSTAT"] == "DECLINED"
    services.meeting_cancel(meeting=meeting, by=coordinator)
    meeting.refresh_from_db()
    cal, event = parse(ics.meeting_ics(meeting, method="CANCEL"))
    assert str(cal["method"]) == "CANCEL" and str(event["status"]) == "CANCELLED" and event["sequence"] == 1


def test_feed_holds_several_meetings(meeting, network, coordinator):
    other = services.meeting_schedule(
        network=network, by=coordinator, title="Uppföljning", starts_at=meeting.starts_at + timedelta(days=90),
        ends_at=meeting.starts_at + timedelta(days=90, hours=1), video_url="https://example.org/mote",
    )
    cal = Calendar.from_ical(ics.feed_ics([(meeting, None), (other, None)], name="Mina möten"))
    assert sorted(str(e["summary"]) for e in cal.walk("VEVENT")) == ["Nätverksträff om ANDTS", "Uppföljning"]
    assert str(cal["x-wr-calname"]) == "Mina möten"


@pytest.mark.parametrize("method", ["REQUEST", "CANCEL"])
def test_each_invitee_gets_a_file_of_their_own_folded_right(meeting, method):
    """Each invitee's file carries their own ATTENDEE line, folded right (at most 75 octets a
    line, a multi-byte character never split, escapes never split), and it parses."""
    people = [
        Invitation(meeting=meeting, email="a@exempel.se", name="Anna", response="pending"),
        Invitation(meeting=meeting, email="b@exempel.se", name="Bo Ek", response="yes"),
        Invitation(meeting=meeting, email="c@exempel.se", name="", response="no"),
        Invitation(meeting=meeting, email="d@exempel.se", name="Östen Åkerlund-Ängström " * 4, response="waitlist"),
        Invitation(meeting=meeting, email="e@exempel.se", name='Eva "E" Ek; Lund, Skåne \\ ^ ' + "x" * 38),
        Invitation(meeting=meeting, email="a-rather-long-address.for.folding@kommun.exempel.se", name="ö" * 70),
    ]
    for inv in people:
        data = ics.meeting_ics(meeting, invitation=inv, method=method)
        assert all(len(line) <= 75 for line in data.split(b"\r\n")), "a line longer than 75 octets"
        data.decode("utf-8")  # no multi-byte character split by a fold
        cal, event = parse(data)
        assert str(cal["method"]) == method and event["sequence"] == meeting.sequence
        assert str(event["attendee"]) == f"mailto:{inv.email}"
        assert str(event["attendee"].params["CN"]) == inv.display_name
        assert event["attendee"].params["PARTSTAT"] == ics.PARTSTAT[inv.response]
        assert str(event["uid"]) == f"meeting-{meeting.pk}@barnstodsportalen.se"
        assert len(cal.walk("VTIMEZONE")) == 1 and cal.walk("VTIMEZONE")[0]["TZID"] == "Europe/Stockholm"
        assert data.count(b"ATTENDEE") == 1


def test_event_ics_is_the_generic_piece_meeting_ics_is_built_on(meeting):
    """``event_ics`` makes a file from plain values (the team meetings of child plans use it
    without a network); a meeting's file is exactly that file with the meeting's values."""
    stamp = meeting.created_at
    url = ics.meeting_url(meeting)
    generic = ics.event_ics(
        uid=meeting.uid, sequence=meeting.sequence, starts_at=meeting.starts_at, ends_at=meeting.ends_at,
        summary=meeting.title, location=meeting.place,
        description="\n\n".join(x for x in (meeting.description, meeting.cost_note, url) if x), url=url,
        organizer_name=meeting.network.name, last_modified=meeting.updated_at, stamp=stamp,
    )
    assert generic == ics.meeting_ics(meeting, stamp=stamp)


def test_event_ics_without_a_meeting(meeting):
    start = local(2027, 5, 4, 9)
    data = ics.event_ics(
        uid="something-7@barnstodsportalen.se", sequence=3, starts_at=start, ends_at=start + timedelta(hours=1),
        summary="Möte om en plan i Barnstödsportalen", location="Rum 4", attendee_email="a@exempel.se",
        attendee_name="Anna", partstat="ACCEPTED",
    )
    cal, event = parse(data)
    assert str(cal["method"]) == "REQUEST" and str(event["status"]) == "CONFIRMED"
    assert str(event["summary"]) == "Möte om en plan i Barnstödsportalen" and event["sequence"] == 3
    assert event["attendee"].params["PARTSTAT"] == "ACCEPTED" and "url" not in event
    assert str(event["organizer"].params["CN"]) == "Barnstödsportalen"
    cal, event = parse(ics.event_ics(
        uid="something-7@barnstodsportalen.se", sequence=4, starts_at=start, ends_at=start + timedelta(hours=1),
        summary="x", method="CANCEL",
    ))
    assert str(cal["method"]) == "CANCEL" and str(event["status"]) == "CANCELLED" and "attendee" not in event
