"""Outbox renderers for after a team meeting: the minutes still open, the minutes closed, the
guardians' summary — the same two audiences and rules as ``emails.py`` (registered from
``TeammeetingsConfig.ready()``)."""

from django.utils import formats
from django.utils.translation import gettext as _

from childplans.changes import may_change
from childplans.models import Guardian, TeamMember
from portal.outbox import register

from . import services as s
from .emails import (
    _contact_line,
    _date,
    _meeting_id,
    _message,
    _swedish,
    _url,
    genitive,
    meeting_page_url,
)
from .models import TeamMeeting

# --- after the meeting --------------------------------------------------------------------------------


def _meeting(row):
    return TeamMeeting.objects.select_related("plan", "plan__child", "plan__contact_person").filter(
        pk=_meeting_id(row)
    ).first()


def _notice(row, *, subject, text, url, link_text):
    context = {
        "greeting": _("Hej!"), "paragraphs": [text], "link": url, "link_text": link_text,
        "notes": [_("Av sekretesskäl står inga uppgifter om barnet i det här meddelandet.")],
    }
    return _message(row, subject=subject, context=context)


@register(s.KIND_MINUTES_DUE)
def render_minutes_due(row):
    """To the contact person: the minutes are still open some days after the meeting."""
    meeting = _meeting(row)
    if (meeting is None or meeting.status != TeamMeeting.Status.PLANNED or not may_change(meeting.plan)
            or meeting.plan.contact_person.email.lower() != row.recipient):
        return None
    return _swedish(lambda: _notice(
        row, subject=_("Protokollet från ett möte om en plan är inte stängt"),
        text=_("Barnteamets möte %(date)s är slut men protokollet är inte stängt. Anteckna vem som kom, vad som "
               "beslutades och nya insatser, och stäng protokollet: då blir mötet planens uppföljning.")
        % {"date": _date(meeting)},
        url=_url("childplans:teammeeting_minutes", plan_pk=meeting.plan_id, meeting_pk=meeting.pk),
        link_text=_("Logga in och öppna protokollet"),
    ))


@register(s.KIND_MINUTES_READY)
def render_minutes_ready(row):
    """To the team: the minutes are closed. No child data, a link."""
    meeting = _meeting(row)
    if meeting is None or meeting.status != TeamMeeting.Status.CLOSED:
        return None
    if not TeamMember.objects.giving_access().filter(
        plan_id=meeting.plan_id, user__email__iexact=row.recipient
    ).exists():
        return None
    return _swedish(lambda: _notice(
        row, subject=_("Protokollet från ett möte om en plan är klart"),
        text=_("Protokollet från barnteamets möte %(date)s är stängt. Beslut och nya insatser finns i planen.")
        % {"date": _date(meeting)},
        url=meeting_page_url(meeting), link_text=_("Logga in och läs protokollet"),
    ))


@register(s.KIND_GUARDIAN_SUMMARY)
def render_guardian_summary(row):
    """To a guardian, only when the contact person chose to send it: the summary in plain Swedish,
    the child's first name only."""
    meeting = _meeting(row)
    if meeting is None or meeting.status != TeamMeeting.Status.CLOSED or not meeting.send_summary:
        return None
    guardian = Guardian.objects.filter(child_id=meeting.plan.child_id, email__iexact=row.recipient).first()
    if guardian is None:
        return None
    first = meeting.plan.child.given_name

    def make():
        paragraphs = [
            _("Tack för mötet %(date)s. Här är en sammanfattning av vad vi kom fram till.") % {"date": _date(meeting)},
            meeting.guardian_summary,
        ]
        if meeting.next_meeting_on:
            paragraphs.append(_("Nästa möte blir runt %(date)s. Du får en inbjudan.")
                              % {"date": formats.date_format(meeting.next_meeting_on, "j F Y")})
        context = {
            "greeting": _("Hej %(name)s!") % {"name": guardian.name},
            "heading": _("Möte om %(name)s plan") % {"name": genitive(first)},
            "paragraphs": paragraphs,
            "notes": [_contact_line(meeting.plan)],
        }
        return _message(row, subject=_("Sammanfattning av mötet om %(name)s plan") % {"name": genitive(first)},
                        context=context)

    return _swedish(make)
