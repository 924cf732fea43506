"""iCalendar files for meetings (RFC 5545/5546, made with the ``icalendar`` library).

Every version of a meeting has the same UID; SEQUENCE grows when its time or place changes or it
is cancelled, so calendars replace the old entry. Times are written in Europe/Stockholm with a
VTIMEZONE, so they stay right across a daylight-saving change."""

from datetime import date
from email.utils import parseaddr
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, Timezone, vCalAddress, vText

from .models import Invitation, Meeting

PRODID = "-//Barnstödsportalen//Möten//SV"
TZ = ZoneInfo("Europe/Stockholm")

PARTSTAT = {
    Invitation.Response.PENDING: "NEEDS-ACTION",
    Invitation.Response.YES: "ACCEPTED",
    Invitation.Response.NO: "DECLINED",
    Invitation.Response.WAITLIST: "TENTATIVE",
}


def _organizer_address():
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "noreply@barnstodsportalen.se"


def meeting_url(meeting):
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("meeting_detail", args=[meeting.pk])


def _attendee(invitation):
    attendee = vCalAddress(f"mailto:{invitation.email}")
    attendee.params["cn"] = vText(invitation.display_name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText(PARTSTAT.get(invitation.response, "NEEDS-ACTION"))
    attendee.params["rsvp"] = vText("FALSE")
    return attendee


def _event(meeting, *, invitation=None, cancelled=False, stamp=None):
    event = Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", stamp or timezone.now())
    event.add("dtstart", meeting.starts_at.astimezone(TZ))
    event.add("dtend", meeting.ends_at.astimezone(TZ))
    event.add("summary", meeting.title)
    location = ", ".join(x for x in (meeting.place, meeting.video_url) if x)
    if location:
        event.add("location", location)
    description = "\n\n".join(x for x in (meeting.description, meeting.cost_note, meeting_url(meeting)) if x)
    event.add("description", description)
    event.add("url", meeting_url(meeting))
    if meeting.updated_at:
        event.add("last-modified", meeting.updated_at)
    organizer = vCalAddress(f"mailto:{_organizer_address()}")
    organizer.params["cn"] = vText(meeting.network.name)
    event.add("organizer", organizer)
    cancelled = cancelled or meeting.status == Meeting.Status.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if invitation is not None:
        event.add("attendee", _attendee(invitation), encode=0)
    return event


def _calendar(method=None, name=None):
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
        cal.add("x-wr-timezone", "Europe/Stockholm")
    return cal


@lru_cache(maxsize=16)
def _vtimezone(first_year, last_year):
    """The Europe/Stockholm VTIMEZONE for a span of years, serialised once: building and folding
    it is most of the cost of a calendar file, and it is the same in every file."""
    tz = Timezone.from_tzid("Europe/Stockholm", first_date=date(first_year, 1, 1), last_date=date(last_year, 1, 1))
    return tz.to_ical()


def _to_ical(cal, meetings):
    """Serialise ``cal`` with the VTIMEZONE for the years the meetings span, placed before the
    first event (RFC 5545 lets a VTIMEZONE appear anywhere among the components)."""
    years = [m.starts_at.astimezone(TZ).year for m in meetings] or [timezone.now().year]
    body = cal.to_ical()
    marker = b"BEGIN:VEVENT\r\n"
    at = body.find(marker)
    if at < 0:
        at = body.rfind(b"END:VCALENDAR")
    return body[:at] + _vtimezone(min(years) - 1, max(years) + 2) + body[at:]


def meeting_ics(meeting, *, invitation=None, method="REQUEST", stamp=None):
    """One meeting as an .ics (bytes). ``method`` REQUEST for invitations and changes, CANCEL for
    a cancellation, PUBLISH for a download. ``stamp`` is the DTSTAMP (now by default)."""
    cancelled = method == "CANCEL"
    cal = _calendar(method)
    cal.add_component(_event(meeting, invitation=invitation, cancelled=cancelled, stamp=stamp))
    return _to_ical(cal, [meeting])


def feed_ics(meetings_with_invitations, *, name):
    """A calendar feed: ``[(meeting, invitation_or_None), ...]``."""
    cal = _calendar("PUBLISH", name=name)
    for meeting, invitation in meetings_with_invitations:
        cal.add_component(_event(meeting, invitation=invitation))
    return _to_ical(cal, [m for m, _inv in meetings_with_invitations])
