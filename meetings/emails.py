"""Outbox renderers for meeting e-mails, built at send time from ids (portal/outbox.py).

Each e-mail to an invitee carries its own answer links: a fresh token is made while the e-mail
is rendered (for a whole batch at once) and only its hash is stored; a link whose e-mail is then
not sent was never shown to anyone. A renderer returns None when the e-mail has become pointless (answered, cancelled, over).

In a batch (``batch_preload``, a fan-out) each kind of e-mail is laid out once per meeting: the
bodies rendered, the calendar file serialised and the MIME message generated once, with
placeholders where the invitee's name, answer links, address, Message-ID, Date and calendar
file go. Each invitee's e-mail is that layout with their own values put in (HTML-escaped in the
HTML part; their calendar file base64-encoded, with their own ATTENDEE line). It is byte for
byte the e-mail built the usual way (tests/meetings/test_emails_fanout.py); an e-mail the layout
cannot hold exactly (an unusual address or name, an over-long line) is built the usual way."""

import base64
import re
import secrets
import threading
from contextlib import contextmanager
from email import message_from_bytes
from email.mime.text import MIMEText
from email.utils import formatdate, parseaddr
from functools import lru_cache

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, translation
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.translation import gettext as _

from networks.models import NetworkMembership
from portal.models import OutboundEmail
from portal.outbox import register

from . import ics
from . import services as s
from .models import Invitation, Meeting, RsvpToken, Topic, new_token


def _meeting_id(row):
    return int(row.object_key.split(":", 1)[1])


_batch = threading.local()


@contextmanager
def batch_preload(outbox_ids):
    """While a batch of outbox rows is sent, load their invitations, meetings, networks and
    topics in four queries instead of two per e-mail, and lay the e-mails out once per meeting
    (module docstring). A renderer still checks each invitation's state; anything not preloaded
    is loaded and built as usual."""
    keys = OutboundEmail.objects.filter(pk__in=outbox_ids, object_key__startswith="meeting:").values_list(
        "object_key", "recipient"
    )
    wanted = {}
    for object_key, recipient in keys:
        wanted.setdefault(int(object_key.split(":", 1)[1]), set()).add(recipient)
    cache = {}
    meetings = {}
    if wanted:
        # One object per meeting, shared by its invitations: a layout is made from it.
        meetings = Meeting.objects.select_related("network").prefetch_related("topics").in_bulk(list(wanted))
        query = Q()
        for meeting_id, emails in wanted.items():
            query |= Q(meeting_id=meeting_id, email__in=emails)
        for inv in Invitation.objects.filter(query):
            if inv.meeting_id in meetings:  # (not if the meeting was deleted meanwhile)
                inv.meeting = meetings[inv.meeting_id]
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
    _batch.cache, _batch.links, _batch.meetings, _batch.layouts, _batch.texts = cache, links, meetings, {}, {}
    try:
        yield
    finally:
        _batch.cache = _batch.links = _batch.meetings = _batch.layouts = _batch.texts = None


def _load_invitation(row):
    cache = getattr(_batch, "cache", None)
    if cache and (_meeting_id(row), row.recipient) in cache:
        return cache[(_meeting_id(row), row.recipient)]
    # One e-mail on its own (PERFORMANCE.md: an e-mail task <= 5 queries, the outbox takes
    # three): the invitation, its meeting and network, and the meeting's topics in one query,
    # a row per topic (a LEFT JOIN), handed to the meeting as its prefetched topics.
    rows = list(
        Invitation.objects.select_related("meeting", "meeting__network")
        .filter(meeting_id=_meeting_id(row), email=row.recipient)
        .annotate(topic_pk=F("meeting__topics__pk"), topic_name=F("meeting__topics__name"))
        .order_by("pk", "meeting__topics__name")
    )
    if not rows:
        return None
    invitation = rows[0]
    topics = Topic.objects.all()  # filled as prefetch_related would: no query of its own
    topics._result_cache = [Topic(pk=r.topic_pk, name=r.topic_name) for r in rows if r.topic_pk]
    topics._prefetch_done = True
    invitation.meeting._prefetched_objects_cache = {"topics": topics}
    return invitation


def _answer_token(invitation):
    """A new answer token for this invitation (only its hash is stored)."""
    raw = (getattr(_batch, "links", None) or {}).pop(invitation.pk, None)
    if raw is None:
        raw, digest = new_token()
        RsvpToken.objects.create(invitation=invitation, token_hash=digest)
    return raw


def _answer_urls(meeting_id, token):
    base = settings.PORTAL_BASE_URL.rstrip("/") + reverse("meeting_rsvp", kwargs={"pk": meeting_id, "token": token})
    return f"{base}?svar=ja", f"{base}?svar=nej"


def _when(meeting):
    start, end = meeting.local_start, meeting.local_end
    day = formats.date_format(start, "l j F Y")
    if start.date() == end.date():
        return f"{day} kl. {start:%H.%M}–{end:%H.%M}"
    return f"{day} kl. {start:%H.%M} – {formats.date_format(end, 'l j F Y')} kl. {end:%H.%M}"


def _context(*, meeting, subject, intro, method, attach, extra):
    """What the templates show that is the same for every invitee of the meeting."""
    with translation.override(settings.LANGUAGE_CODE):
        return {
            "meeting": meeting,
            "subject": subject,
            "intro": intro,
            "when": _when(meeting),
            "topics": [t.name for t in meeting.topics.all()],
            "meeting_url": ics.meeting_url(meeting),
            "cancelled": method == "CANCEL",
            "attached": attach and method != "CANCEL",
            **(extra or {}),
        }


def _render(template, context, *, invitation, yes_url, no_url):
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(
            f"emails/meeting_email.{template}",
            {**context, "invitation": invitation, "yes_url": yes_url, "no_url": no_url},
        )


def _ics_part(data, method):
    part = MIMEText(data.decode(), "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename="mote.ics")
    return part


def _message_id(row):
    # Fixed per outbox row. The outbox never resends a row it has handed to the SMTP server
    # (portal/outbox.py); should a copy ever go out twice anyway (an operator resending by hand),
    # the recipient's mail system sees the same message and shows it once.
    return f"<outbox-{row.pk}@{_mail_domain()}>"


def _email(*, recipient, message_id, subject, text, html, calendar=None, headers=None):
    """The e-mail as Django builds it; ``calendar`` is the .ics attachment (a MIME part)."""
    msg = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [recipient],
        headers={**(headers or {}), "Message-ID": message_id},
    )
    msg.attach_alternative(html, "text/html")
    if calendar is not None:
        msg.attach(calendar)
    return msg


def _message(*, row, meeting, subject, intro, invitation=None, links=True, method="REQUEST", attach=True,
             extra=None):
    token = None
    if links and invitation is not None and meeting.is_open_for_answers:
        token = _answer_token(invitation)
    layout = _layout(meeting, subject, intro, invitation is not None, token is not None, method, attach, extra)
    if layout is not None:
        msg = layout.email(row=row, invitation=invitation, token=token)
        if msg is not None:
            return msg
    yes_url, no_url = _answer_urls(meeting.pk, token) if token is not None else (None, None)
    context = _context(meeting=meeting, subject=subject, intro=intro, method=method, attach=attach, extra=extra)
    text = _render("txt", context, invitation=invitation, yes_url=yes_url, no_url=no_url)
    html = _render("html", context, invitation=invitation, yes_url=yes_url, no_url=no_url)
    calendar = None
    if attach:
        calendar = _ics_part(ics.meeting_ics(meeting, invitation=invitation, method=method), method)
    return _email(recipient=row.recipient, message_id=_message_id(row), subject=subject, text=text, html=html,
                  calendar=calendar)


# --- a batch: each kind of e-mail laid out once per meeting --------------------------------------


def _layout(meeting, subject, intro, invitee, links, method, attach, extra):
    """The batch's layout of this e-mail for ``meeting``, made on first use; None outside a batch,
    for a meeting object not preloaded, or when the e-mail cannot be laid out."""
    layouts = getattr(_batch, "layouts", None)
    if layouts is None or _batch.meetings.get(meeting.pk) is not meeting:
        return None
    key = (meeting.pk, subject, intro, invitee, links, method, attach, tuple(sorted((extra or {}).items())))
    if key not in layouts:
        try:
            layouts[key] = _Layout(meeting, subject=subject, intro=intro, invitee=invitee, links=links, method=method,
                                   attach=attach, extra=extra)
        except _NotLaidOut:
            layouts[key] = None
    return layouts[key]


class _NotLaidOut(Exception):
    """This e-mail cannot be laid out once for every invitee: each is built the usual way."""


class _Invitee:
    """Stands in for the invitation while the bodies are laid out. It has a placeholder name
    and nothing else: a template that shows more about the invitee stops the layout."""

    def __init__(self, display_name):
        self.display_name = display_name

    def __getattr__(self, name):
        if name.startswith("_") or name in ("do_not_call_in_templates", "alters_data"):
            raise AttributeError(name)
        raise _NotLaidOut(f"the template shows invitation.{name}")


# An address that Django and the e-mail package write into the To header as it is.
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\Z")
_BOUNDARY = re.compile(rb'boundary="([^"]+)"')
_LINE_LIMIT = 998  # octets; Django sends a body with a longer line quoted-printable


def _fits(body):
    return max(map(len, body.encode().splitlines()), default=0) <= _LINE_LIMIT


def _split(template, marks):
    """``template`` as [literal, key, literal, key, ..., literal] around the placeholders."""
    pieces = re.split("(" + "|".join(map(re.escape, marks)) + ")", template)
    return [piece if i % 2 == 0 else marks[piece] for i, piece in enumerate(pieces)]


def _fill(pieces, values):
    return "".join(piece if i % 2 == 0 else values[piece] for i, piece in enumerate(pieces))


def _base64_lines(data):
    """``data`` in base64 as the e-mail package writes an attachment: 76 characters a line."""
    encoded = base64.b64encode(data)
    return b"".join(encoded[i : i + 76] + b"\r\n" for i in range(0, len(encoded), 76))


class _Layout:
    """One kind of e-mail about one meeting, laid out for all its invitees in the batch (module
    docstring): the bodies and the whole MIME message, with placeholders."""

    def __init__(self, meeting, *, subject, intro, invitee, links, method, attach, extra):
        if settings.DEFAULT_CHARSET.lower() not in ("utf-8", "utf8"):
            raise _NotLaidOut("the values are put in as UTF-8")
        mark = f"x{secrets.token_hex(8)}"
        marks = {
            key: f"{mark}{key}" for key in ("name_text", "yes_text", "no_text", "name_html", "yes_html", "no_html",
                                            "date", "calendar")
        }
        marks["to"] = f"{mark}to@placeholder.invalid"
        marks["message_id"] = f"<{mark}id@placeholder.invalid>"
        self.subject, self.method, self.invitee = subject, method, invitee
        token = f"{mark}token"
        self.answer_urls = [url.split(token) for url in _answer_urls(meeting.pk, token)] if links else None
        context = _context(meeting=meeting, subject=subject, intro=intro, method=method, attach=attach, extra=extra)
        text = _render("txt", context, invitation=_Invitee(marks["name_text"]) if invitee else None,
                       yes_url=marks["yes_text"] if links else None, no_url=marks["no_text"] if links else None)
        html = _render("html", context, invitation=_Invitee(marks["name_html"]) if invitee else None,
                       yes_url=marks["yes_html"] if links else None, no_url=marks["no_html"] if links else None)
        # Django sends a body 8bit when it has a non-ASCII character (the templates' Swedish has)
        # and no line over 998 octets: then what is put in is sent as it is.
        if text.isascii() or html.isascii() or not (_fits(text) and _fits(html)):
            raise _NotLaidOut("a body would not be sent 8bit")
        self.ics = self.calendar = None
        part = None
        if attach:
            if invitee:
                try:
                    self.ics = ics.InviteeIcs(meeting, method=method)
                except ValueError as exc:  # the ATTENDEE line could not be told apart
                    raise _NotLaidOut(str(exc)) from exc
            else:
                self.calendar = ics.meeting_ics(meeting, method=method)
            part = _ics_part(b"", method)
            part.set_payload(marks["calendar"])
        template = _email(recipient=marks["to"], message_id=marks["message_id"], subject=subject, text=text,
                          html=html, calendar=part, headers={"Date": marks["date"]})
        raw = template.message().as_bytes(linesep="\r\n").decode("ascii", "surrogateescape")
        expected = {key: text.count(value) + html.count(value) for key, value in marks.items()}
        expected.update(to=1, message_id=1, date=1, calendar=1 if attach else 0)
        if any(raw.count(marks[key]) != n for key, n in expected.items()):
            raise _NotLaidOut("a placeholder is not where it was put")
        by_mark = {value: key for key, value in marks.items()}
        self.text, self.html, self.raw = _split(text, by_mark), _split(html, by_mark), _split(raw, by_mark)
        self.boundaries = [b.decode() for b in _BOUNDARY.findall(raw.encode("ascii", "surrogateescape"))]

    def email(self, *, row, invitation, token):
        """This invitee's e-mail, or None when the layout cannot hold it exactly."""
        recipient, message_id = row.recipient, _message_id(row)
        # Header lines that stay under 78 characters are written as they are, never folded.
        if not (len(recipient) <= 70 and _PLAIN_ADDRESS.match(recipient) and len(message_id) <= 64
                and message_id.isascii()):
            return None
        name = invitation.display_name if self.invitee else ""
        if not name.isprintable() or any(b in name or b in recipient for b in self.boundaries):
            return None
        yes = no = ""
        if self.answer_urls:
            yes, no = (token.join(parts) for parts in self.answer_urls)
        values = {
            "name_text": name, "yes_text": yes, "no_text": no,
            "name_html": escape(name), "yes_html": escape(yes), "no_html": escape(no),
        }
        text, html = _fill(self.text, values), _fill(self.html, values)
        if not (_fits(text) and _fits(html)):
            return None
        calendar = self.ics.for_invitation(invitation) if self.ics else self.calendar
        values.update(
            to=recipient, message_id=message_id, date=formatdate(localtime=settings.EMAIL_USE_LOCALTIME),
            calendar=_base64_lines(calendar).decode() if calendar is not None else "",
        )
        raw = _fill(self.raw, values).encode("utf-8", "surrogateescape")
        return PreparedEmail(
            self.subject, text, settings.DEFAULT_FROM_EMAIL, [recipient], headers={"Message-ID": message_id},
            alternatives=[(html, "text/html")], raw=raw,
            calendar=(calendar, self.method) if calendar is not None else None,
        )


class PreparedEmail(EmailMultiAlternatives):
    """An e-mail from a layout: ``message()`` is the MIME message laid out for it (bytes put
    together, not generated again) unless a field was changed afterwards. The calendar file
    becomes a MIME part in ``attachments`` only when someone looks (the locmem backend, tests)."""

    def __init__(self, *args, raw, calendar=None, **kwargs):
        self._calendar = calendar
        super().__init__(*args, **kwargs)
        self._raw = raw
        self._laid_out = self._state()

    @property
    def attachments(self):
        if self._calendar is not None:
            as_laid_out = self._state() == self._laid_out
            self._attachments.append(_ics_part(*self._calendar))
            self._calendar = None
            if as_laid_out:
                self._laid_out = self._state()
        return self._attachments

    @attachments.setter
    def attachments(self, value):
        self._attachments = value

    def _state(self):
        return (self.subject, self.body, self.from_email, tuple(self.to), tuple(self.cc), tuple(self.bcc),
                tuple(self.reply_to), tuple(self.alternatives), tuple(self.extra_headers.items()),
                tuple(self._attachments), self._calendar)

    def message(self):
        if self._state() != self._laid_out:
            return super().message()
        return PreparedMessage(self._raw)


class PreparedMessage:
    """The MIME message of a ``PreparedEmail``: ``as_bytes`` gives the bytes laid out (CRLF line
    ends, as sent over SMTP); anything else (a header, the parts) comes from parsing them."""

    def __init__(self, raw):
        self._raw = raw

    def as_bytes(self, unixfrom=False, linesep="\n"):
        if unixfrom:
            return self._parsed.as_bytes(unixfrom=True, linesep=linesep)
        return self._raw if linesep == "\r\n" else self._raw.replace(b"\r\n", linesep.encode())

    @cached_property
    def _parsed(self):
        return message_from_bytes(self._raw)

    def __getitem__(self, name):
        return self._parsed[name]

    def __contains__(self, name):
        return name in self._parsed

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._parsed, name)


def _mail_domain():
    return _domain_of(settings.DEFAULT_FROM_EMAIL)


@lru_cache(maxsize=4)
def _domain_of(address):
    return parseaddr(address)[1].rpartition("@")[2] or "barnstodsportalen.se"


def _title(meeting):
    return f"{meeting.title}, {formats.date_format(meeting.local_start, 'j F Y')}"


def _texts(meeting, kind, make):
    """``make()``, the (subject, intro) of a kind of e-mail that depend on the meeting alone, in
    the portal's language; made once per batch for a preloaded meeting."""
    memo = getattr(_batch, "texts", None)
    if memo is None or _batch.meetings.get(meeting.pk) is not meeting:
        memo = {}
    if (kind, meeting.pk) not in memo:
        with translation.override(settings.LANGUAGE_CODE):
            memo[kind, meeting.pk] = make()
    return memo[kind, meeting.pk]


@register(s.KIND_INVITATION)
def render_invitation(row):
    inv = _load_invitation(row)
    if inv is None or not inv.meeting.is_open_for_answers:
        return None
    m = inv.meeting
    subject, intro = _texts(m, row.kind, lambda: (
        _("Inbjudan: %(title)s") % {"title": _title(m)},
        _("Du är inbjuden till %(title)s med %(network)s.") % {"title": m.title, "network": m.network.name},
    ))
    return _message(row=row, meeting=m, invitation=inv, subject=subject, intro=intro)


@register(s.KIND_REMIND_UNANSWERED)
def render_reminder_unanswered(row):
    inv = _load_invitation(row)
    if inv is None or inv.response != Invitation.Response.PENDING or not inv.meeting.is_open_for_answers:
        return None
    m = inv.meeting
    subject, intro = _texts(m, row.kind, lambda: (
        _("Påminnelse: svara om du kommer till %(title)s") % {"title": _title(m)},
        _("Vi har inte fått ditt svar än. Svara senast %(date)s.") % {
            "date": formats.date_format(m.rsvp_deadline, "j F Y")
        } if m.rsvp_deadline else _("Vi har inte fått ditt svar än."),
    ))
    return _message(row=row, meeting=m, invitation=inv, subject=subject, intro=intro, attach=False)


@register(s.KIND_REMIND_ATTENDING)
def render_reminder_attending(row):
    inv = _load_invitation(row)
    if inv is None or inv.response != Invitation.Response.YES or not inv.meeting.is_open_for_answers:
        return None
    m = inv.meeting
    subject, intro = _texts(m, row.kind, lambda: (
        _("Påminnelse: %(title)s") % {"title": _title(m)},
        _("Välkommen! Du har anmält att du kommer till %(title)s.") % {"title": m.title},
    ))
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
    subject, intro = _texts(m, row.kind, lambda: (
        _("Ändrat: %(title)s") % {"title": _title(m)},
        _("Tid eller plats för mötet har ändrats. Här är de nya uppgifterna; kalenderfilen uppdaterar din kalender."),
    ))
    return _message(row=row, meeting=m, invitation=inv, subject=subject, intro=intro)


@register(s.KIND_CANCELLED)
def render_cancelled(row):
    inv = _load_invitation(row)
    if inv is None or inv.meeting.status != Meeting.Status.CANCELLED:
        return None
    m = inv.meeting
    subject, intro = _texts(m, row.kind, lambda: (
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
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Avsluta mötet: %(title)s") % {"title": _title(meeting)}
        intro = _(
            "Mötet är slut. Markera vem som kom, skriv minnesanteckningar och avsluta mötet, så ser "
            "nätverket vilka som var representerade."
        )
    return _message(row=row, meeting=meeting, subject=subject, intro=intro, links=False, attach=False,
                    extra={"for_coordinator": True})
