"""Outbox renderers for meeting e-mails, built at send time from ids (portal/outbox.py).

Each e-mail to an invitee carries its own answer links: a fresh token is made while the e-mail
is rendered and only its hash is stored; a link whose e-mail is then not sent was never shown
to anyone. A renderer returns None when the e-mail has become pointless (answered, cancelled,
over).

A batch of e-mails about meetings (a fan-out: invitations, changes, reminders) is prepared by
``preload``: the batch's invitations, meetings, networks and topics in three queries and every
answer token in one insert, whatever the batch's size. Each e-mail is then rendered on its own
through the templates; an e-mail outside a batch loads what it needs itself."""

from email.mime.text import MIMEText
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from networks.models import NetworkMembership
from portal.notices import Category
from portal.outbox import register

from . import ics
from . import services as s
from .models import Invitation, Meeting, RsvpToken, new_token

# The kinds whose e-mail carries the answer links (while the meeting is open for answers).
KINDS_WITH_LINKS = {s.KIND_INVITATION, s.KIND_REMIND_UNANSWERED, s.KIND_PROMOTED, s.KIND_CHANGED}
_NOT_LOADED = object()


def _meeting_id(row):
    return int(row.object_key.split(":", 1)[1])


def preload(rows):
    """Prepare a batch of rows about meetings: ``row.invitation`` (with its meeting, network and
    topics; None when it is gone) and, for the kinds with answer links, ``row.answer_token``."""
    wanted = {}
    for row in rows:
        wanted.setdefault(_meeting_id(row), set()).add(row.recipient)
    meetings = Meeting.objects.select_related("network").prefetch_related("topics").in_bulk(list(wanted))
    query = Q(pk__in=[])
    for meeting_id, addresses in wanted.items():
        query |= Q(meeting_id=meeting_id, email__in=addresses)
    invitations = {}
    for inv in Invitation.objects.filter(query):
        if inv.meeting_id in meetings:  # (not if the meeting was deleted meanwhile)
            inv.meeting = meetings[inv.meeting_id]
            invitations[(inv.meeting_id, inv.email)] = inv
    tokens = []
    for row in rows:
        inv = row.invitation = invitations.get((_meeting_id(row), row.recipient))
        if inv is not None and row.kind in KINDS_WITH_LINKS and inv.meeting.is_open_for_answers:
            raw, digest = new_token()
            row.answer_token = raw
            tokens.append(RsvpToken(invitation=inv, token_hash=digest))
    RsvpToken.objects.bulk_create(tokens)


def _invitation(row):
    """The row's invitation with its meeting, network and topics (from the batch, or two
    queries), or None."""
    inv = getattr(row, "invitation", _NOT_LOADED)
    if inv is _NOT_LOADED:
        inv = (
            Invitation.objects.select_related("meeting", "meeting__network")
            .prefetch_related("meeting__topics")
            .filter(meeting_id=_meeting_id(row), email=row.recipient)
            .first()
        )
    return inv


def _answer_token(row, invitation):
    """The answer token for this e-mail: the batch's, or a new one (only its hash is stored)."""
    raw = getattr(row, "answer_token", None)
    if raw is None:
        raw, digest = new_token()
        RsvpToken.objects.create(invitation=invitation, token_hash=digest)
    return raw


def answer_urls(meeting_id, token):
    base = settings.PORTAL_BASE_URL.rstrip("/") + reverse("meeting_rsvp", kwargs={"pk": meeting_id, "token": token})
    return f"{base}?svar=ja", f"{base}?svar=nej"


def when_text(meeting):
    """The meeting's time as the e-mails write it ("tisdag 3 mars 2026 kl. 13.00–15.00")."""
    start, end = meeting.local_start, meeting.local_end
    day = formats.date_format(start, "l j F Y")
    if start.date() == end.date():
        return f"{day} kl. {start:%H.%M}–{end:%H.%M}"
    return f"{day} kl. {start:%H.%M} – {formats.date_format(end, 'l j F Y')} kl. {end:%H.%M}"


def calendar_part(data, method):
    """An .ics attachment as a MIME part with its METHOD (RFC 6047)."""
    part = MIMEText(data.decode(), "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename="mote.ics")
    return part


def message_id(row):
    """Fixed per outbox row. The outbox never resends a row it has handed to the SMTP server
    (portal/outbox.py); should a copy ever go out twice anyway (an operator resending by hand),
    the recipient's mail system sees the same message and shows it once."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "barnstodsportalen.se"
    return f"<outbox-{row.pk}@{domain}>"


def _message(*, row, meeting, subject, intro, invitation=None, links=True, method="REQUEST", attach=True,
             extra=None):
    yes_url = no_url = None
    if links and invitation is not None and meeting.is_open_for_answers:
        yes_url, no_url = answer_urls(meeting.pk, _answer_token(row, invitation))
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "meeting": meeting,
            "subject": subject,
            "intro": intro,
            "when": when_text(meeting),
            "topics": [t.name for t in meeting.topics.all()],
            "meeting_url": ics.meeting_url(meeting),
            "cancelled": method == "CANCEL",
            "attached": attach and method != "CANCEL",
            "invitation": invitation,
            "yes_url": yes_url,
            "no_url": no_url,
            **(extra or {}),
        }
        text = render_to_string("emails/meeting_email.txt", context)
        html = render_to_string("emails/meeting_email.html", context)
    msg = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [row.recipient], headers={"Message-ID": message_id(row)}
    )
    msg.attach_alternative(html, "text/html")
    if attach:
        msg.attach(calendar_part(ics.meeting_ics(meeting, invitation=invitation, method=method), method))
    msg.portal_link = context["meeting_url"]  # what a digest links to (portal/digests.py)
    return msg


def _title(meeting):
    return f"{meeting.title}, {formats.date_format(meeting.local_start, 'j F Y')}"


def _in_swedish(make):
    with translation.override(settings.LANGUAGE_CODE):
        return make()


@register(s.KIND_INVITATION, preload=preload)
def render_invitation(row):
    inv = _invitation(row)
    if inv is None or not inv.meeting.is_open_for_answers:
        return None
    m = inv.meeting
    subject, intro = _in_swedish(lambda: (
        _("Inbjudan: %(title)s") % {"title": _title(m)},
        _("Du är inbjuden till %(title)s med %(network)s.") % {"title": m.title, "network": m.network.name},
    ))
    return _message(row=row, meeting=m, invitation=inv, subject=subject, intro=intro)


@register(s.KIND_REMIND_UNANSWERED, preload=preload)
def render_reminder_unanswered(row):
    inv = _invitation(row)
    if inv is None or inv.response != Invitation.Response.PENDING or not inv.meeting.is_open_for_answers:
        return None
    m = inv.meeting
    subject, intro = _in_swedish(lambda: (
        _("Påminnelse: svara om du kommer till %(title)s") % {"title": _title(m)},
        _("Vi har inte fått ditt svar än. Svara senast %(date)s.") % {
            "date": formats.date_format(m.rsvp_deadline, "j F Y")
        } if m.rsvp_deadline else _("Vi har inte fått ditt svar än."),
    ))
    return _message(row=row, meeting=m, invitation=inv, subject=subject, intro=intro, attach=False)


@register(s.KIND_REMIND_ATTENDING, preload=preload)
def render_reminder_attending(row):
    inv = _invitation(row)
    if inv is None or inv.response != Invitation.Response.YES or not inv.meeting.is_open_for_answers:
        return None
    m = inv.meeting
    subject, intro = _in_swedish(lambda: (
        _("Påminnelse: %(title)s") % {"title": _title(m)},
        _("Välkommen! Du har anmält att du kommer till %(title)s.") % {"title": m.title},
    ))
    return _message(row=row, meeting=m, invitation=inv, subject=subject, intro=intro, links=False, attach=False)


@register(s.KIND_ANSWER)
def render_answer(row):
    inv = _invitation(row)
    if inv is None or inv.meeting.status == Meeting.Status.CANCELLED:
        return None
    m = inv.meeting
    subject, intro = _in_swedish(lambda: (
        _("Ditt svar: %(title)s") % {"title": _title(m)},
        {
            Invitation.Response.YES: _("Tack! Du har anmält att du kommer."),
            Invitation.Response.NO: _("Tack för ditt svar. Du har meddelat att du inte kan komma."),
            Invitation.Response.WAITLIST: _(
                "Mötet är fullt. Du står på väntelistan (plats %(position)s) och får e-post om en plats blir ledig."
            ) % {"position": inv.waitlist_position},
        }.get(inv.response, _("Ditt svar är registrerat.")),
    ))
    return _message(row=row, meeting=m, invitation=inv, subject=subject, intro=intro, links=False)


@register(s.KIND_PROMOTED)
def render_promoted(row):
    inv = _invitation(row)
    if inv is None or inv.response != Invitation.Response.YES or not inv.meeting.is_open_for_answers:
        return None
    m = inv.meeting
    subject, intro = _in_swedish(lambda: (
        _("Du har fått en plats: %(title)s") % {"title": _title(m)},
        _(
            "En plats har blivit ledig och du har flyttats från väntelistan. Välkommen! "
            "Om du inte kan komma, svara nej så att platsen går till nästa person."
        ),
    ))
    return _message(row=row, meeting=m, invitation=inv, subject=subject, intro=intro)


@register(s.KIND_CHANGED, preload=preload, notice=Category.MEETINGS, urgent=s.change_is_urgent)
def render_changed(row):
    inv = _invitation(row)
    if inv is None or inv.response == Invitation.Response.NO or not inv.meeting.is_open_for_answers:
        return None
    m = inv.meeting
    subject, intro = _in_swedish(lambda: (
        _("Ändrat: %(title)s") % {"title": _title(m)},
        _("Tid eller plats för mötet har ändrats. Här är de nya uppgifterna; kalenderfilen uppdaterar din kalender."),
    ))
    return _message(row=row, meeting=m, invitation=inv, subject=subject, intro=intro)


@register(s.KIND_CANCELLED, preload=preload, notice=Category.MEETINGS, urgent=s.change_is_urgent)
def render_cancelled(row):
    inv = _invitation(row)
    if inv is None or inv.meeting.status != Meeting.Status.CANCELLED:
        return None
    m = inv.meeting
    subject, intro = _in_swedish(lambda: (
        _("Inställt: %(title)s") % {"title": _title(m)},
        _("Mötet är inställt. Kalenderfilen tar bort det ur din kalender."),
    ))
    return _message(row=row, meeting=m, invitation=inv, subject=subject, intro=intro, links=False, method="CANCEL")


@register(s.KIND_CLOSE_REMINDER)
def render_close_reminder(row):
    meeting = Meeting.objects.select_related("network").filter(pk=_meeting_id(row)).first()
    if meeting is None or meeting.status != Meeting.Status.PLANNED:
        return None
    if not NetworkMembership.objects.filter(
        network_id=meeting.network_id, user__email__iexact=row.recipient, role=NetworkMembership.Role.COORDINATOR
    ).exists():
        return None
    subject, intro = _in_swedish(lambda: (
        _("Avsluta mötet: %(title)s") % {"title": _title(meeting)},
        _(
            "Mötet är slut. Markera vem som kom, skriv minnesanteckningar och avsluta mötet, så ser "
            "nätverket vilka som var representerade."
        ),
    ))
    return _message(row=row, meeting=meeting, subject=subject, intro=intro, links=False, attach=False,
                    extra={"for_coordinator": True})
