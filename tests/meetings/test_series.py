"""Meeting series (issue 21 part 1): the rule expanded in Stockholm time across both summer-time
switches, picked dates, the bounds; one calendar event for the series (icalendar round trip and
vobject expanding it), one occurrence moved and one cancelled (RECURRENCE-ID, EXDATE), a change
to the following ones and to all, the end (METHOD:CANCEL); the series invitation once, answers
per occurrence and for the whole series, reminders per occurrence exactly once; the audit rows.

The clock stands at 1 August 2026 (time-machine): the series runs the second Tuesday of
September, November, February and April, 13.00–15.30, through the 2026-27 school year — two in
summer time (CEST), two in winter time (CET)."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
import vobject
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from meetings import ics, recurrence, services
from meetings import series as series_services
from meetings.models import AgendaItem, Invitation, Meeting, MeetingSeries
from meetings.series_forms import SeriesForm
from portal.models import AuditEvent, OutboundEmail

from ..audit_table import assert_audited, changing_services
from ..hostile import NOT_DATES, NOT_IDS
from ..queries import AUTH_QUERIES, DETAIL_BUDGET, page_queries
from ..twins import row_counts
from .conftest import TZ

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 8, 1, 9, 0, tzinfo=TZ)
RULE = "FREQ=MONTHLY;BYMONTH=2,4,9,11;BYDAY=+2TU"
EXPECTED = [date(2026, 9, 8), date(2026, 11, 10), date(2027, 2, 9), date(2027, 4, 13)]


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def make_series(network, coordinator, topics=(), **kwargs):
    starts, rrule = recurrence.expand_rule(
        recurrence.rule_for(ordinal="2", weekday="TU", months=["9", "11", "2", "4"]),
        first_day=date(2026, 8, 15), last_day=date(2027, 6, 30), start_time=time(13, 0),
    )
    fields = {"title": "Nätverksträff", "place": "Stadshuset, Växjö", "length_minutes": 150,
              "agenda": "Välkommen\nVarvet runt\nAtt göra till nästa gång", "topics": topics, **kwargs}
    return series_services.series_create(network=network, by=coordinator, starts=starts, rrule=rrule, **fields)


@pytest.fixture
def series(network, coordinator, topics):
    return make_series(network, coordinator, topics)


@pytest.fixture
def invited_series(series, coordinator, participant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        series_services.series_invite(series=series, by=coordinator)
    series.refresh_from_db()
    return series


def occurrences(series):
    return list(Meeting.objects.filter(series=series).select_related("network").order_by("recurrence_id"))


def attachment(message):
    [part] = message.attachments
    return part.get_payload(decode=True)


def vevents(data):
    return Calendar.from_ical(data).walk("VEVENT")


def vobject_starts(data):
    """Every occurrence as vobject expands it: the master's rule set (RRULE/RDATE minus EXDATE)
    with each RECURRENCE-ID override's own start, in UTC."""
    cal = vobject.readOne(data.decode())
    master = next(e for e in cal.vevent_list if not hasattr(e, "recurrence_id"))
    starts = {dt.astimezone(UTC): dt.astimezone(UTC) for dt in master.getrruleset(addRDate=True)}
    for override in (e for e in cal.vevent_list if hasattr(e, "recurrence_id")):
        original = override.recurrence_id.value.astimezone(UTC)
        if original in starts:
            starts[original] = override.dtstart.value.astimezone(UTC)
    return sorted(starts.values())


def test_the_rule_expands_in_stockholm_time_across_both_summer_time_switches():
    starts, rrule = recurrence.expand_rule(
        RULE, first_day=date(2026, 8, 15), last_day=date(2027, 6, 30), start_time=time(13, 0)
    )
    assert [s.date() for s in starts] == EXPECTED
    assert {s.astimezone(TZ).time() for s in starts} == {time(13, 0)}
    assert [s.astimezone(UTC).hour for s in starts] == [11, 12, 12, 11]  # CEST, CET, CET, CEST
    assert rrule == RULE + ";COUNT=4"


def test_the_series_plans_each_occurrence_as_a_normal_meeting(series, topics):
    meetings = occurrences(series)
    assert [m.local_start.date() for m in meetings] == EXPECTED
    assert all(m.recurrence_id == m.starts_at and m.ends_at - m.starts_at == timedelta(minutes=150)
               for m in meetings)
    assert [m.term for m in meetings] == ["HT", "HT", "VT", "VT"]
    assert all(set(m.topics.all()) == set(topics) for m in meetings)
    assert [a.title for a in AgendaItem.objects.filter(meeting=meetings[0])] == [
        "Välkommen", "Varvet runt", "Att göra till nästa gång"
    ]


def test_the_series_file_is_one_event_both_parsers_expand_to_the_same_times(series):
    data = ics.series_ics(series, occurrences(series), method="PUBLISH")
    cal = Calendar.from_ical(data)
    assert Calendar.from_ical(cal.to_ical()) == cal  # icalendar round trip
    [event] = cal.walk("VEVENT")
    assert str(event["uid"]) == f"series-{series.pk}@barnstodsportalen.se"
    assert event["rrule"].to_ical().decode() == "FREQ=MONTHLY;COUNT=4;BYDAY=+2TU;BYMONTH=2,4,9,11"
    assert event["dtstart"].params["TZID"] == "Europe/Stockholm"
    expected = [datetime.combine(d, time(13, 0), tzinfo=TZ).astimezone(UTC) for d in EXPECTED]
    assert vobject_starts(data) == expected
    # vobject reads the VTIMEZONE itself: the local hour is 13 in summer and in winter
    vcal = vobject.readOne(data.decode())
    local = [dt.replace(tzinfo=None) for dt in vcal.vevent.getrruleset()]
    assert {dt.hour for dt in local} == {13}


def test_picked_dates_become_rdate(network, coordinator):
    days = recurrence.parse_dates("2026-09-15\n2027-03-30, 2026-10-27")
    starts = recurrence.expand_dates(days, start_time=time(9, 30))
    series = series_services.series_create(
        network=network, by=coordinator, title="Nätverksdag", starts=starts, length_minutes=360, video_url="https://x.se/m"
    )
    data = ics.series_ics(series, occurrences(series))
    [event] = vevents(data)
    assert "rrule" not in event and "rdate" in event
    assert vobject_starts(data) == [s.astimezone(UTC) for s in sorted(starts)]
    # 27 October 2026 is after the switch to winter time, 30 March 2027 after the one to summer time
    assert [s.astimezone(UTC).hour for s in sorted(starts)] == [7, 8, 7]


def test_one_occurrence_moved_and_one_cancelled(invited_series, coordinator, participant,
                                                django_capture_on_commit_callbacks):
    sep, nov, feb, _apr = occurrences(invited_series)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        series_services.series_update(
            series=invited_series, by=coordinator, scope=series_services.SCOPE_ONE, meeting=feb,
            start_time=time(14, 0), end_time=time(16, 0), title="Nätverksträff", kind="natverkstraff",
            place="Stadshuset, Växjö", video_url="", description="",
        )
    assert sorted(m.to[0] for m in mail.outbox) == sorted([coordinator.email, participant.email])
    [moved] = vevents(attachment(mail.outbox[0]))
    assert str(moved["uid"]) == invited_series.uid
    assert moved.decoded("recurrence-id") == feb.recurrence_id
    assert moved.decoded("dtstart") == datetime(2027, 2, 9, 14, 0, tzinfo=TZ)
    assert moved["sequence"] == 1
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(meeting=nov, by=coordinator)
    assert len(mail.outbox) == 2
    cancel = Calendar.from_ical(attachment(mail.outbox[0]))
    assert str(cancel["method"]) == "CANCEL"
    [gone] = cancel.walk("VEVENT")
    assert gone.decoded("recurrence-id") == nov.recurrence_id and str(gone["status"]) == "CANCELLED"
    # The whole series now: EXDATE for November, an override for February; the others as the rule says.
    data = ics.series_ics(invited_series, occurrences(invited_series))
    master, *overrides = vevents(data)
    assert [d.dt for d in master["exdate"].dts] == [nov.recurrence_id]
    assert [o.decoded("recurrence-id") for o in overrides] == [feb.recurrence_id]
    assert vobject_starts(data) == [
        sep.starts_at.astimezone(UTC), datetime(2027, 2, 9, 13, 0, tzinfo=UTC),
        datetime(2027, 4, 13, 11, 0, tzinfo=UTC),
    ]


def test_this_and_following_sends_one_series_update(invited_series, coordinator, participant,
                                                    django_capture_on_commit_callbacks):
    sep, nov, feb, apr = occurrences(invited_series)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        changed = series_services.series_update(
            series=invited_series, by=coordinator, scope=series_services.SCOPE_FOLLOWING, meeting=feb,
            start_time=time(9, 0), end_time=time(12, 0), title="Nätverksträff", kind="natverkstraff",
            place="Kulturhuset, Växjö", video_url="", description="",
        )
    assert [m.pk for m in changed] == [feb.pk, apr.pk]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([coordinator.email, participant.email])
    assert all(m.subject.startswith("Ändrat: Nätverksträff") for m in mail.outbox)
    assert not OutboundEmail.objects.filter(kind=services.KIND_CHANGED).exists()
    data = attachment(mail.outbox[0])
    master, *overrides = vevents(data)
    assert master["sequence"] == 1
    assert [o.decoded("recurrence-id") for o in overrides] == [feb.recurrence_id, apr.recurrence_id]
    assert {str(o["location"]) for o in overrides} == {"Kulturhuset, Växjö"}
    after = occurrences(invited_series)
    assert [m.local_start.time() for m in after] == [time(13, 0), time(13, 0), time(9, 0), time(9, 0)]
    assert after[1].place == "Stadshuset, Växjö"
    # Nothing to send a second time for the same version
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        series_services.series_update(
            series=invited_series, by=coordinator, scope=series_services.SCOPE_ALL, meeting=sep,
            start_time=time(13, 0), end_time=time(15, 30), title="Barnstödsträff", kind="natverkstraff",
            place="Stadshuset, Växjö", video_url="", description="",
        )
    invited_series.refresh_from_db()
    assert invited_series.title == "Barnstödsträff" and invited_series.sequence == 2
    assert len(mail.outbox) == 2
    assert {m.title for m in occurrences(invited_series)} == {"Barnstödsträff"}


def test_ending_the_series_cancels_what_is_left_once(invited_series, coordinator, participant, clock,
                                                     django_capture_on_commit_callbacks):
    sep, nov, feb, apr = occurrences(invited_series)
    clock.move_to(datetime(2026, 10, 1, 9, 0, tzinfo=TZ))  # September's meeting is behind us
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        left = series_services.series_end(series=invited_series, by=coordinator)
    assert [m.pk for m in left] == [nov.pk, feb.pk, apr.pk]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([coordinator.email, participant.email])
    cal = Calendar.from_ical(attachment(mail.outbox[0]))
    assert str(cal["method"]) == "CANCEL"
    assert [e.decoded("recurrence-id") for e in cal.walk("VEVENT")] == [
        nov.recurrence_id, feb.recurrence_id, apr.recurrence_id
    ]
    assert {str(e["uid"]) for e in cal.walk("VEVENT")} == {invited_series.uid}
    assert vobject.readOne(attachment(mail.outbox[0]).decode())  # vobject reads it too
    statuses = [m.status for m in occurrences(invited_series)]
    assert statuses == ["planned", "cancelled", "cancelled", "cancelled"]
    with pytest.raises(ValidationError):
        series_services.series_end(series=invited_series, by=coordinator)
    assert OutboundEmail.objects.filter(kind=series_services.KIND_SERIES_ENDED).count() == 2
    assert not OutboundEmail.objects.filter(kind=services.KIND_CANCELLED).exists()


def test_the_series_invitation_goes_once_with_the_whole_series(invited_series, coordinator, participant,
                                                              django_capture_on_commit_callbacks):
    assert sorted(m.to[0] for m in mail.outbox) == sorted([coordinator.email, participant.email])
    msg = next(m for m in mail.outbox if m.to == [participant.email])
    assert msg.subject == "Inbjudan: Nätverksträff (4 möten)"
    [event] = vevents(attachment(msg))
    assert "rrule" in event and str(event["attendee"]) == f"mailto:{participant.email}"
    assert Invitation.objects.filter(user=participant, meeting__series=invited_series).count() == 4
    assert not OutboundEmail.objects.filter(kind=services.KIND_INVITATION).exists()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert series_services.series_invite(series=invited_series, by=coordinator) == 0
    assert mail.outbox == []


def test_answers_per_occurrence_and_for_the_whole_series(invited_series, participant,
                                                         django_capture_on_commit_callbacks):
    sep, nov, feb, apr = occurrences(invited_series)
    mail.outbox.clear()
    # "Jag kommer i september men inte i februari"
    with django_capture_on_commit_callbacks(execute=True):
        assert series_services.series_answer(series=invited_series, user=participant,
                                             answers={sep.pk: "yes", feb.pk: "no"}) == 2
    [confirmation] = mail.outbox  # one confirmation for the series, not one per meeting
    assert confirmation.to == [participant.email] and confirmation.subject == "Dina svar: Nätverksträff"
    assert "Kommer inte" in confirmation.body and "Inte svarat" in confirmation.body
    assert not OutboundEmail.objects.filter(kind=services.KIND_ANSWER).exists()
    confirmed = {o.decoded("recurrence-id"): o["attendee"].params["PARTSTAT"]
                 for o in vevents(attachment(confirmation))[1:]}
    assert confirmed == {sep.recurrence_id: "ACCEPTED", feb.recurrence_id: "DECLINED"}
    mine = dict(Invitation.objects.filter(user=participant, meeting__series=invited_series)
                .values_list("meeting_id", "response"))
    assert mine == {sep.pk: "yes", nov.pk: "pending", feb.pk: "no", apr.pk: "pending"}
    data = ics.series_ics(invited_series, occurrences(invited_series), invitations={
        inv.meeting_id: inv for inv in Invitation.objects.filter(user=participant, meeting__series=invited_series)
    })
    partstat = {o.decoded("recurrence-id"): o["attendee"].params["PARTSTAT"] for o in vevents(data)[1:]}
    assert partstat == {sep.recurrence_id: "ACCEPTED", feb.recurrence_id: "DECLINED"}
    # The whole series at once; unchanged answers are not answered again
    assert series_services.series_answer(series=invited_series, user=participant,
                                         answers={m.pk: "yes" for m in (sep, nov, feb, apr)}) == 3
    assert set(Invitation.objects.filter(user=participant, meeting__series=invited_series)
               .values_list("response", flat=True)) == {"yes"}
    with pytest.raises(ValidationError):
        series_services.series_answer(series=invited_series, user=participant, answers={sep.pk + 1000: "yes"})


def test_reminders_per_occurrence_exactly_once(invited_series, participant, coordinator,
                                               django_capture_on_commit_callbacks):
    sep, nov, *_ = occurrences(invited_series)
    series_services.series_answer(series=invited_series, user=participant, answers={sep.pk: "yes", nov.pk: "yes"})
    mail.outbox.clear()
    day_before = sep.starts_at - timedelta(hours=20)
    for _ in range(2):  # the beat runs twice (a worker restarted)
        with django_capture_on_commit_callbacks(execute=True):
            services.reminders_due(now=day_before)
    attending = [m for m in mail.outbox if m.subject.startswith("Påminnelse: Nätverksträff")]
    assert [m.to for m in attending] == [[participant.email]]
    keys = OutboundEmail.objects.filter(kind=services.KIND_REMIND_ATTENDING).values_list("object_key", flat=True)
    assert list(keys) == [f"meeting:{sep.pk}"]


def test_the_feed_shows_the_series_as_one_event(client, invited_series, participant, coordinator):
    sep, nov, *_ = occurrences(invited_series)
    services.meeting_cancel(meeting=nov, by=coordinator)
    token = services.calendar_feed_renew(user=participant)
    response = client.get(f"/kalender/{token}.ics")
    assert response.status_code == 200
    data = response.content
    events = vevents(data)
    assert {str(e["uid"]) for e in events} == {invited_series.uid}
    master = next(e for e in events if "recurrence-id" not in e)
    assert [d.dt for d in master["exdate"].dts] == [nov.recurrence_id]
    assert len(vobject_starts(data)) == 3


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"last_day": "2029-06-30"}, "last_day", "En serie kan planeras högst 2 år framåt"),
        ({"last_day": "2026-07-01"}, "last_day", "Sista dagen kan inte vara före den första."),
        ({"months": []}, "months", "Välj minst en månad."),
        ({"end_time": "12:00"}, "end_time", "Mötet måste sluta efter att det börjar"),
        ({"mode": "dates", "dates": "2026-09-08\nnästa tisdag"}, "dates", "Rad 2: ”nästa tisdag” är inget datum"),
        ({"mode": "dates", "dates": "2026-09-08\n2030-01-01"}, "dates", "En serie kan planeras högst 2 år framåt"),
        ({"mode": "dates", "dates": ""}, "dates", "Serien får inga möten med de här valen."),
        ({"first_day": "9999-01-01"}, "first_day", "Ett möte kan inte ligga mer än tre år fram"),
        ({"place": ""}, "place", "Ange en plats, en videolänk eller båda."),
    ],
)
def test_bad_input_gets_a_swedish_message_next_to_the_field(data, field, message):
    form = SeriesForm(data=form_data(**data))
    assert not form.is_valid()
    assert any(message in e for e in form.errors[field]), form.errors


def test_at_most_max_meetings(settings):
    settings.MEETING_SERIES_MAX_MEETINGS = 3
    form = SeriesForm(data=form_data())
    assert not form.is_valid()
    assert form.errors["months"] == ["En serie kan ha högst 3 möten. Välj färre månader eller en kortare period."]


def form_data(**overrides):
    data = {
        "title": "Nätverksträff", "kind": "natverkstraff", "place": "Stadshuset, Växjö", "start_time": "13:00",
        "end_time": "15:30", "mode": "rule", "ordinal": "2", "weekday": "TU", "months": ["9", "11", "2", "4"],
        "first_day": "2026-08-15", "last_day": "2027-06-30", "agenda": "Välkommen",
    }
    data.update(overrides)
    return data


def test_the_coordinator_plans_a_series_through_the_form(client_for, network, coordinator):
    client = client_for(coordinator)
    response = client.post(f"/natverk/{network.pk}/moten/ny-serie/", form_data())
    series = MeetingSeries.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/moten/serier/{series.pk}/"
    assert [m.local_start.date() for m in occurrences(series)] == EXPECTED
    page = client.get(f"/moten/serier/{series.pk}/")
    assert page.status_code == 200 and "Bjud in till serien" in page.content.decode()
    # Bad input: the message, nothing planned
    response = client.post(f"/natverk/{network.pk}/moten/ny-serie/", form_data(last_day="2029-06-30"))
    assert response.status_code == 200
    assert "En serie kan planeras högst 2 år framåt" in response.content.decode()
    assert MeetingSeries.objects.count() == 1


def test_the_series_pages_for_invitees_and_members(client_for, invited_series, participant):
    client = client_for(participant)
    sep, nov, feb, apr = occurrences(invited_series)
    page = client.get(f"/moten/serier/{invited_series.pk}/mitt-svar/")
    assert page.status_code == 200
    response = client.post(f"/moten/serier/{invited_series.pk}/mitt-svar/",
                           {f"m{sep.pk}": "yes", f"m{feb.pk}": "no"})
    assert response.status_code == 302
    assert Invitation.objects.get(user=participant, meeting=feb).response == "no"
    ics_response = client.get(f"/moten/serier/{invited_series.pk}/kalender.ics")
    assert ics_response.status_code == 200 and vobject_starts(ics_response.content)
    for url in ("", "redigera/", "avsluta/", "bjud-in/"):  # the coordinator's pages: 404
        assert client.get(f"/moten/serier/{invited_series.pk}/{url}").status_code == 404
        assert client.post(f"/moten/serier/{invited_series.pk}/{url}").status_code == 404
    assert MeetingSeries.objects.get().ended_at is None


def test_an_outsider_gets_404_everywhere(client_for, invited_series):
    from tests import factories as f

    client = client_for(f.UserFactory(email="utomstaende@exempel.se"))
    for url in ("", "redigera/", "avsluta/", "bjud-in/", "mitt-svar/", "kalender.ics"):
        assert client.get(f"/moten/serier/{invited_series.pk}/{url}").status_code == 404


# --- audit ---------------------------------------------------------------------------------------

CASES = {
    "series_create": lambda s, c, p: (
        "meeting_series.created", c, lambda: make_series(s.network, c, title="Vårträffar"),
    ),
    "series_invite": lambda s, c, p: (
        "meeting_series.invitations_sent", c, lambda: series_services.series_invite(series=s, by=c),
    ),
    "series_update": lambda s, c, p: (
        "meeting_series.updated", c,
        lambda: series_services.series_update(
            series=s, by=c, scope="all", meeting=occurrences(s)[0], start_time=time(13, 0), end_time=time(15, 0),
            title="Ny rubrik", kind="natverkstraff", place="Här", video_url="", description=""),
    ),
    "series_end": lambda s, c, p: ("meeting_series.ended", c, lambda: series_services.series_end(series=s, by=c)),
    "series_answer": lambda s, c, p: (
        "meeting_series.answered", p,
        lambda: series_services.series_answer(series=s, user=p, answers={occurrences(s)[0].pk: "yes"}),
    ),
}


def test_every_series_service_is_in_the_table():
    assert changing_services(series_services) == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_series_service_writes_its_audit_row(invited_series, coordinator, participant, name):
    event, user, call = CASES[name](invited_series, coordinator, participant)
    assert_audited(call, event=event, user=user)


def test_a_refused_series_change_changes_nothing(series, coordinator):
    before = [(m.starts_at, m.title) for m in occurrences(series)]
    with pytest.raises(ValidationError) as exc:
        series_services.series_update(
            series=series, by=coordinator, scope="all", meeting=occurrences(series)[0], start_time=time(15, 0),
            end_time=time(13, 0), title="x", kind="natverkstraff", place="Här", video_url="", description="",
        )
    assert exc.value.message_dict == {"end_time": ["Mötet måste sluta efter att det börjar."]}
    assert [(m.starts_at, m.title) for m in occurrences(series)] == before
    assert not AuditEvent.objects.filter(event="meeting_series.updated").exists()


# --- queries -------------------------------------------------------------------------------------


def _picked_series(network, coordinator, count):
    starts = recurrence.expand_dates([date(2026, 9, 1) + timedelta(days=7 * i) for i in range(count)],
                                     start_time=time(13, 0))
    series = series_services.series_create(network=network, by=coordinator, title=f"Serie {count}", starts=starts,
                                           length_minutes=90, place="Här")
    series_services.series_invite(series=series, by=coordinator)
    return series


@pytest.mark.parametrize(("name", "budget"), [("series_detail", DETAIL_BUDGET), ("series_my_answer", DETAIL_BUDGET),
                                              ("series_ics", DETAIL_BUDGET), ("series_update", DETAIL_BUDGET)])
def test_the_series_pages_are_flat_from_3_to_20_meetings(client_for, network, coordinator, participant, name,
                                                         budget):
    small, large = _picked_series(network, coordinator, 3), _picked_series(network, coordinator, 20)
    client = client_for(participant if name in ("series_my_answer", "series_ics") else coordinator)
    client.get(reverse(name, args=[small.pk]))  # warm up the session
    _r, _all, own_small = page_queries(client, reverse(name, args=[small.pk]))
    response, _all, own_large = page_queries(client, reverse(name, args=[large.pk]))
    assert response.status_code == 200
    assert len(own_small) == len(own_large), (name, own_large)
    assert len(own_large) <= budget - AUTH_QUERIES, (name, own_large)


def test_the_feed_with_series_is_flat(client, network, coordinator, participant):
    token = services.calendar_feed_renew(user=participant)
    _picked_series(network, coordinator, 3)
    client.get(f"/kalender/{token}.ics")
    with CaptureQueriesContext(connection) as few:
        client.get(f"/kalender/{token}.ics")
    _picked_series(network, coordinator, 20)
    with CaptureQueriesContext(connection) as many:
        response = client.get(f"/kalender/{token}.ics")
    assert len(vevents(response.content)) == 2
    assert len(few.captured_queries) == len(many.captured_queries)


# --- hostile input (docs/security.md promise 18) --------------------------------------------------


@pytest.mark.parametrize("value", [*NOT_IDS, *NOT_DATES])
def test_hostile_values_in_the_series_forms_get_a_message_and_change_nothing(
    client_for, invited_series, coordinator, participant, network, value
):
    sep = occurrences(invited_series)[0]
    before = row_counts()
    coordinator_client = client_for(coordinator)
    for url, data in [
        (f"/natverk/{network.pk}/moten/ny-serie/", form_data(first_day=value, dates=value, ordinal=value)),
        (f"/natverk/{network.pk}/moten/ny-serie/", form_data(mode="dates", dates=value, start_time=value)),
        (f"/moten/serier/{invited_series.pk}/redigera/", {
            "meeting": value, "scope": "all", "title": "x", "kind": "natverkstraff", "place": "Här",
            "start_time": "13:00", "end_time": "15:00"}),
        (f"/moten/serier/{invited_series.pk}/redigera/", {
            "meeting": sep.pk, "scope": value, "title": "x", "kind": "natverkstraff", "place": "Här",
            "start_time": value, "end_time": "15:00"}),
    ]:
        response = coordinator_client.post(url, data)
        assert response.status_code == 200, (url, value)
    answer = client_for(participant).post(f"/moten/serier/{invited_series.pk}/mitt-svar/",
                                          {"all": value, f"m{sep.pk}": value})
    assert answer.status_code == 200
    assert row_counts() == before
