"""Outbox renderers for a meeting series' e-mails (meetings/series.py): the invitation to the
whole series, a change to the series, and its end. Each carries ONE calendar event for the
series (meetings/ics.py). Built at send time from ids; None when the e-mail has become
pointless (no invitation left, the series ended before the invitation went out)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from portal.outbox import register

from . import ics
from . import series as s
from .emails import calendar_part, message_id, when_text
from .models import Invitation, Meeting, MeetingSeries


def _load(row):
    series_id = int(row.object_key.split(":", 1)[1])
    series = MeetingSeries.objects.select_related("network").filter(pk=series_id).first()
    if series is None:
        return None, [], {}
    meetings = list(Meeting.objects.filter(series=series).select_related("network").order_by("recurrence_id"))
    invitations = {
        inv.meeting_id: inv for inv in Invitation.objects.filter(meeting__series=series, email=row.recipient)
    }
    return series, meetings, invitations


def _message(*, row, series, meetings, invitations, subject, intro, data, method, shown):
    name = next(iter(invitations.values())).display_name
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "subject": subject, "intro": intro, "series": series, "network": series.network, "name": name,
            "meetings": [{"when": when_text(m), "cancelled": m.status == Meeting.Status.CANCELLED} for m in shown],
            "answer_url": ics.series_url(series), "cancelled": method == "CANCEL", "attached": method != "CANCEL",
        }
        text = render_to_string("emails/meeting_series_email.txt", context)
        html = render_to_string("emails/meeting_series_email.html", context)
    msg = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [row.recipient], headers={"Message-ID": message_id(row)}
    )
    msg.attach_alternative(html, "text/html")
    part = calendar_part(data, method)
    part.replace_header("Content-Disposition", 'attachment; filename="serie.ics"')
    msg.attach(part)
    return msg


def _in_swedish(make):
    with translation.override(settings.LANGUAGE_CODE):
        return make()


@register(s.KIND_SERIES_INVITATION)
def render_series_invitation(row):
    series, meetings, invitations = _load(row)
    if series is None or series.is_ended or not invitations:
        return None
    shown = [m for m in meetings if m.pk in invitations and m.is_open_for_answers]
    if not shown:
        return None
    subject, intro = _in_swedish(lambda: (
        _("Inbjudan: %(title)s (%(count)d möten)") % {"title": series.title, "count": len(shown)},
        _("Du är inbjuden till mötesserien %(title)s med %(network)s. Svara för hela serien eller för varje möte.")
        % {"title": series.title, "network": series.network.name},
    ))
    data = ics.series_ics(series, meetings, invitations=invitations)
    return _message(row=row, series=series, meetings=meetings, invitations=invitations, subject=subject,
                    intro=intro, data=data, method="REQUEST", shown=shown)


@register(s.KIND_SERIES_CHANGED)
def render_series_changed(row):
    series, meetings, invitations = _load(row)
    if series is None or series.is_ended or not invitations:
        return None
    subject, intro = _in_swedish(lambda: (
        _("Ändrat: %(title)s") % {"title": series.title},
        _("Mötesserien har ändrats. Här är de nya uppgifterna; kalenderfilen uppdaterar din kalender."),
    ))
    data = ics.series_ics(series, meetings, invitations=invitations)
    shown = [m for m in meetings if m.pk in invitations and not m.is_over]
    return _message(row=row, series=series, meetings=meetings, invitations=invitations, subject=subject,
                    intro=intro, data=data, method="REQUEST", shown=shown)


@register(s.KIND_SERIES_ENDED)
def render_series_ended(row):
    series, _meetings, invitations = _load(row)
    if series is None or not series.is_ended or not invitations:
        return None
    left = [m for m in s.ended_occurrences(series).select_related("network") if m.pk in invitations]
    if not left:
        return None
    subject, intro = _in_swedish(lambda: (
        _("Inställt: %(title)s") % {"title": series.title},
        _("Mötesserien är avslutad och de kommande mötena är inställda. Kalenderfilen tar bort dem ur din kalender."),
    ))
    data = ics.series_cancel_ics(series, left, invitation=next(iter(invitations.values())))
    return _message(row=row, series=series, meetings=left, invitations=invitations, subject=subject,
                    intro=intro, data=data, method="CANCEL", shown=left)


@register(s.KIND_SERIES_ANSWER)
def render_series_answer(row):
    series, meetings, invitations = _load(row)
    if series is None or series.is_ended or not invitations:
        return None
    shown = [m for m in meetings if m.pk in invitations and m.is_open_for_answers]
    if not shown:
        return None
    labels = dict(Invitation.Response.choices)
    subject, intro = _in_swedish(lambda: (
        _("Dina svar: %(title)s") % {"title": series.title},
        _("Tack! Dina svar är registrerade: %(answers)s.") % {"answers": "; ".join(
            f"{when_text(m)}: {labels[invitations[m.pk].response]}" for m in shown
        )},
    ))
    data = ics.series_ics(series, meetings, invitations=invitations)
    return _message(row=row, series=series, meetings=meetings, invitations=invitations, subject=subject,
                    intro=intro, data=data, method="REQUEST", shown=shown)
