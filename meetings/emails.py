"""Outbox renderers for meeting e-mails, built at send time from ids (portal/outbox.py).

Each e-mail to an invitee carries its own answer links: a fresh token is made while the e-mail
is rendered and only its hash is stored, in the same transaction that marks the e-mail sent. A
renderer returns None when the e-mail has become pointless (answered, cancelled, over)."""

import threading
from contextlib import contextmanager
from email.mime.text import MIMEText

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from networks.models import NetworkMembership
from portal.models import OutboundEmail
from portal.outbox import register

from . import ics
from . import services as s
from .models import Invitation, Meeting, RsvpToken, new_token


def _meeting_id(row):
    return int(row.object_key.split(":", 1)[1])


_batch = threading.local()


@contextmanager
def batch_preload(outbox_ids):
    """While a batch of outbox rows is sent, load their invitations (with meeting, network and
    topics) in three queries instead of two per e-mail. A renderer still checks each
    invitation's state; anything not preloaded is loaded as usual."""
    keys = OutboundEmail.objects.filter(pk__in=outbox_ids, object_key__startswith="meeting:").values_list(
        "object_key", "recipient"
    )
    wanted = {}
    for object_key, recipient in keys:
        wanted.setdefault(int(object_key.split(":", 1)[1]), set()).add(recipient)
    cache = {}
    if wanted:
        query = Q()
        for meeting_id, emails in wanted.items():
            query |= Q(meeting_id=meeting_id, email__in=emails)
        for inv in (
            Invitation.objects.filter(query)
            .select_related("meeting", "meeting__network")
            .prefetch_related("meeting__topics")
        ):
            cache[(inv.meeting_id, inv.email)] = inv
    # One answer link per e-mail, made for the whole batch in one insert. A link whose e-mail
    # is then not sent (already sent, or obsolete) was never shown to anyone: harmless.
    links = {}
    tokens = []
    for inv in cache.values():
        raw, digest = new_token()
        links[inv.pk] = raw
        tokens.append(RsvpToken(invitation=inv, token_hash=digest))
    RsvpToken.objects.bulk_create(tokens)
    _batch.cache, _batch.links = cache, links
    try:
        yield
    finally:
        _batch.cache = _batch.links = None


def _load_invitation(row):
    cache = getattr(_batch, "cache", None)
    if cache and (_meeting_id(row), row.recipient) in cache:
        return cache[(_meeting_id(row), row.recipient)]
    return (
        Invitation.objects.select_related("meeting", "meeting__network")
        .filter(meeting_id=_meeting_id(row), email=row.recipient)
        .first()
    )


def rsvp_links(invitation):
    """A new answer link for this invitation (its hash is stored); returns (yes_url, no_url)."""
    raw = (getattr(_batch, "links", None) or {}).pop(invitation.pk, None)
    if raw is None:
        raw, digest = new_token()
        RsvpToken.objects.create(invitation=invitation, token_hash=digest)
    base = settings.PORTAL_BASE_URL.rstrip("/") + reverse(
        "meeting_rsvp", kwargs={"pk": invitation.meeting_id, "token": raw}
    )
    return f"{base}?svar=ja", f"{base}?svar=nej"


def _when(meeting):
    start, end = meeting.local_start, meeting.local_end
    day = formats.date_format(start, "l j F Y")
    if start.date() == end.date():
        return f"{day} kl. {start:%H.%M}–{end:%H.%M}"
    return f"{day} kl. {start:%H.%M} – {formats.date_format(end, 'l j F Y')} kl. {end:%H.%M}"


def _message(*, row, meeting, subject, intro, invitation=None, links=True, method="REQUEST", attach=True,
             extra=None):
    with translation.override(settings.LANGUAGE_CODE):
        yes_url = no_url = None
        if links and invitation is not None and meeting.is_open_for_answers:
            yes_url, no_url = rsvp_links(invitation)
        ctx = {
            "meeting": meeting,
            "invitation": invitation,
            "subject": subject,
            "intro": intro,
            "when": _when(meeting),
            "topics": [t.name for t in meeting.topics.all()],
            "yes_url": yes_url,
            "no_url": no_url,
            "meeting_url": ics.meeting_url(meeting),
            "cancelled": method == "CANCEL",
            "attached": attach and method != "CANCEL",
            **(extra or {}),
        }
        text = render_to_string("emails/meeting_email.txt", ctx)
        html = render_to_string("emails/meeting_email.html", ctx)
    # A Message-ID fixed per outbox row: should a worker die after the SMTP server accepted the
    # e-mail but before the row was marked sent, the resent copy is the same message to the
    # recipient's mail system, which shows it once.
    msg = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [row.recipient],
        headers={"Message-ID": f"<outbox-{row.pk}@{_mail_domain()}>"},
    )
    msg.attach_alternative(html, "text/html")
    if attach:
        part = MIMEText(ics.meeting_ics(meeting, invitation=invitation, method=method).decode(), "calendar", "utf-8")
        part.set_param("method", method)
        part.add_header("Content-Disposition", "attachment", filename="mote.ics")
        msg.attach(part)
    return msg


def _mail_domain():
    from email.utils import parseaddr

    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "barnstodsportalen.se"


def _title(meeting):
    return f"{meeting.title}, {formats.date_format(meeting.local_start, 'j F Y')}"


@register(s.KIND_INVITATION)
def render_invitation(row):
    inv = _load_invitation(row)
    if inv is None or not inv.meeting.is_open_for_answers:
        return None
    m = inv.meeting
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Inbjudan: %(title)s") % {"title": _title(m)}
        intro = _("Du är inbjuden till %(title)s med %(network)s.") % {"title": m.title, "network": m.network.name}
    return _message(row=row, meeting=m, invitation=inv, subject=subject, intro=intro)


@register(s.KIND_REMIND_UNANSWERED)
def render_reminder_unanswered(row):
    inv = _load_invitation(row)
    if inv is None or inv.response != Invitation.Response.PENDING or not inv.meeting.is_open_for_answers:
        return None
    m = inv.meeting
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Påminnelse: svara om du kommer till %(title)s") % {"title": _title(m)}
        if m.rsvp_deadline:
            intro = _("Vi har inte fått ditt svar än. Svara senast %(date)s.") % {
                "date": formats.date_format(m.rsvp_deadline, "j F Y")
            }
        else:
            intro = _("Vi har inte fått ditt svar än.")
    return _message(row=row, meeting=m, invitation=inv, subject=subject, intro=intro, attach=False)


@register(s.KIND_REMIND_ATTENDING)
def render_reminder_attending(row):
    inv = _load_invitation(row)
    if inv is None or inv.response != Invitation.Response.YES or not inv.meeting.is_open_for_answers:
        return None
    m = inv.meeting
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Påminnelse: %(title)s") % {"title": _title(m)}
        intro = _("Välkommen! Du har anmält att du kommer till %(title)s.") % {"title": m.title}
    return _message(row=row, meeting=m, invitation=inv, subject=subject, intro=intro, links=False, attach=False)


@register(s.KIND_ANSWER)
def render_answer(row):
    inv = _load_invitation(row)
    if inv is None or inv.meeting.status == Meeting.Status.CANCELLED:
        return None
    m = inv.meeting
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Ditt svar: %(title)s") % {"title": _title(m)}
        intro = {
            Invitation.Response.YES: _("Tack! Du har anmält att du kommer."),
            Invitation.Response.NO: _("Tack för ditt svar. Du har meddelat att du inte kan komma."),
            Invitation.Response.WAITLIST: _(
                "Mötet är fullt. Du står på väntelistan (plats %(position)s) och får e-post om en plats blir ledig."
            ) % {"position": inv.waitlist_position},
        }.get(inv.response, _("Ditt svar är registrerat."))
    return _message(row=row, meeting=m, invitation=inv, subject=subject, intro=intro, links=False)


@register(s.KIND_PROMOTED)
def render_promoted(row):
    inv = _load_invitation(row)
    if inv is None or inv.response != Invitation.Response.YES or not inv.meeting.is_open_for_answers:
        return None
    m = inv.meeting
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Du har fått en plats: %(title)s") % {"title": _title(m)}
        intro = _(
            "En plats har blivit ledig och du har flyttats från väntelistan. Välkommen! "
            "Om du inte kan komma, svara nej så att platsen går till nästa person."
        )
    return _message(row=row, meeting=m, invitation=inv, subject=subject, intro=intro)


@register(s.KIND_CHANGED)
def render_changed(row):
    inv = _load_invitation(row)
    if inv is None or inv.response == Invitation.Response.NO or not inv.meeting.is_open_for_answers:
        return None
    m = inv.meeting
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Ändrat: %(title)s") % {"title": _title(m)}
        intro = _("Tid eller plats för mötet har ändrats. Här är de nya uppgifterna; kalenderfilen uppdaterar din kalender.")
    return _message(row=row, meeting=m, invitation=inv, subject=subject, intro=intro)


@register(s.KIND_CANCELLED)
def render_cancelled(row):
    inv = _load_invitation(row)
    if inv is None or inv.meeting.status != Meeting.Status.CANCELLED:
        return None
    m = inv.meeting
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Inställt: %(title)s") % {"title": _title(m)}
        intro = _("Mötet är inställt. Kalenderfilen tar bort det ur din kalender.")
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
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Avsluta mötet: %(title)s") % {"title": _title(meeting)}
        intro = _(
            "Mötet är slut. Markera vem som kom, skriv minnesanteckningar och avsluta mötet, så ser "
            "nätverket vilka som var representerade."
        )
    return _message(row=row, meeting=meeting, subject=subject, intro=intro, links=False, attach=False,
                    extra={"for_coordinator": True})
