"""A batch of meeting e-mails (a fan-out) is laid out once per meeting (meetings/emails.py):
each e-mail must still be byte for byte the one built the usual way, with the invitee's own
name (escaped in HTML), answer links, ATTENDEE line and Message-ID. E-mails the layout cannot
hold exactly fall back to the usual build."""

import base64
import email
import re
from email import base64mime, policy

import pytest
from django.core import mail
from django.test import override_settings
from django.utils.html import escape
from icalendar import Calendar

from meetings import emails, services
from meetings.models import Invitation, RsvpToken, hash_token
from portal.models import OutboundEmail
from portal.outbox import build_message

pytestmark = pytest.mark.django_db

NAMES = {
    "anna@exempel.se": "Anna Andersson",
    "bo@exempel.se": 'Bo <b>"Boss"</b> & Åsa\'s',  # HTML to escape, quotes for the ATTENDEE CN
    "ceci@exempel.se": "Cecilia Östergren-Åkerlund; Fjällbacka, Västra Götaland \\ ^ " + "Ö" * 40,  # folds
    "dan@exempel.se": "",  # no name: the address is shown
}


def record(meeting, kind, recipients):
    """Outbox rows of ``kind`` for ``recipients``, in id order. Nothing is sent: the enqueueing
    waits for a commit that never comes inside the test's transaction."""
    services.outbox_add_many(kind=kind, recipients=recipients, object_key=services.meeting_key(meeting))
    return list(OutboundEmail.objects.filter(kind=kind, object_key=services.meeting_key(meeting)).order_by("pk"))


@pytest.fixture
def invitees(meeting):
    for address, name in NAMES.items():
        Invitation.objects.create(meeting=meeting, email=address, name=name)
    return meeting


def raw(msg):
    return msg.message().as_bytes(linesep="\r\n")


def calendar_of(data):
    """The decoded calendar part of a raw e-mail (bytes), or None."""
    parsed = email.message_from_bytes(data, policy=policy.compat32)
    for part in parsed.walk():
        if part.get_content_type() == "text/calendar":
            return part.get_payload(decode=True)
    return None


def normalised(data):
    """A raw e-mail with what differs between two builds of the same e-mail made a moment
    apart put aside: MIME boundaries, Date, the answer token (fresh each time) and the
    calendar's DTSTAMP. The calendar part is checked to be base64 as the e-mail package writes
    it, then compared decoded."""
    for i, boundary in enumerate(dict.fromkeys(re.findall(rb'boundary="([^"]+)"', data))):
        data = data.replace(boundary, b"BOUNDARY-%d" % i)
    data = re.sub(rb"\r\nDate: [^\r]+\r\n", b"\r\nDate: -\r\n", data)
    data = re.sub(rb"/svara/[A-Za-z0-9_-]{43}/", b"/svara/TOKEN/", data)

    def calendar(match):
        block = match.group(2)
        decoded = base64.b64decode(block)
        assert block + b"\r\n" == base64mime.body_encode(decoded, eol="\r\n").encode()  # 76 a line, CRLF
        return match.group(1) + re.sub(rb"DTSTAMP:\d{8}T\d{6}Z", b"DTSTAMP:-", decoded) + b"\r\n"

    return re.sub(rb'(filename="mote.ics"\r\n\r\n)([A-Za-z0-9+/=\r\n]+?)\r\n(?=\r\n--)', calendar, data)


def batch_and_usual(rows):
    """Each row's e-mail built in a batch (laid out) and the usual way, one at a time."""
    with emails.batch_preload([row.pk for row in rows]):
        batch = [build_message(row) for row in rows]
    usual = [build_message(row) for row in rows]
    return batch, usual


def test_laid_out_invitations_equal_the_usual_build_byte_for_byte(invitees):
    rows = record(invitees, services.KIND_INVITATION, NAMES)
    batch, usual = batch_and_usual(rows)
    assert all(isinstance(m, emails.PreparedEmail) for m in batch)  # the fast path was taken
    assert not any(isinstance(m, emails.PreparedEmail) for m in usual)
    for laid_out, built in zip(batch, usual, strict=True):
        assert normalised(raw(laid_out)) == normalised(raw(built))
        # The Django fields too (what the locmem backend and other code read).
        assert (laid_out.subject, laid_out.to, laid_out.extra_headers) == (built.subject, built.to, built.extra_headers)
        assert re.sub(r"/svara/[^/]+/", "/T/", laid_out.body) == re.sub(r"/svara/[^/]+/", "/T/", built.body)
        [(html_a, type_a)], [(html_b, type_b)] = laid_out.alternatives, built.alternatives
        assert (re.sub(r"/svara/[^/]+/", "/T/", html_a), type_a) == (re.sub(r"/svara/[^/]+/", "/T/", html_b), type_b)


@pytest.mark.parametrize(
    ("kind", "prepare"),
    [
        (services.KIND_CHANGED, None),
        (services.KIND_REMIND_UNANSWERED, None),
        (services.KIND_REMIND_ATTENDING, "yes"),
        (services.KIND_CANCELLED, "cancel"),
    ],
)
def test_other_fanout_kinds_equal_the_usual_build(invitees, coordinator, kind, prepare):
    if prepare == "yes":
        Invitation.objects.filter(meeting=invitees).update(response=Invitation.Response.YES)
    elif prepare == "cancel":
        services.meeting_cancel(meeting=invitees, by=coordinator)
    rows = record(invitees, kind, NAMES)
    batch, usual = batch_and_usual(rows)
    assert all(isinstance(m, emails.PreparedEmail) for m in batch)
    for laid_out, built in zip(batch, usual, strict=True):
        assert normalised(raw(laid_out)) == normalised(raw(built))
    if kind == services.KIND_CANCELLED:
        cal = Calendar.from_ical(calendar_of(raw(batch[0])))
        assert str(cal["method"]) == "CANCEL" and str(cal.walk("VEVENT")[0]["status"]) == "CANCELLED"


def test_each_invitee_gets_own_name_links_attendee_and_message_id(invitees):
    rows = record(invitees, services.KIND_INVITATION, NAMES)
    with emails.batch_preload([row.pk for row in rows]):
        batch = [build_message(row) for row in rows]
    tokens = set()
    for row, msg in zip(rows, batch, strict=True):
        inv = Invitation.objects.get(meeting=invitees, email=row.recipient)
        parsed = email.message_from_bytes(raw(msg), policy=policy.default)
        assert parsed["To"] == row.recipient and parsed["Message-ID"] == f"<outbox-{row.pk}@barnstodsportalen.se>"
        text = parsed.get_body(preferencelist=("plain",)).get_content()
        html = parsed.get_body(preferencelist=("html",)).get_content()
        assert f"Hej {inv.display_name}!" in text
        assert f"<p>Hej {escape(inv.display_name)}!</p>" in html
        # Each e-mail its own fresh answer link; only its hash is stored, for this invitation.
        [token] = set(re.findall(r"/moten/\d+/svara/([A-Za-z0-9_-]{43})/\?svar=ja", text))
        assert f"/svara/{token}/?svar=nej" in text and f"/svara/{token}/?svar=ja" in html
        assert RsvpToken.objects.filter(invitation=inv, token_hash=hash_token(token)).exists()
        assert not RsvpToken.objects.filter(token_hash=token).exists()
        tokens.add(token)
        event = Calendar.from_ical(calendar_of(raw(msg))).walk("VEVENT")[0]
        assert str(event["attendee"]) == f"mailto:{row.recipient}"
        assert str(event["attendee"].params["CN"]) == inv.display_name
        assert event["attendee"].params["PARTSTAT"] == "NEEDS-ACTION"
        assert str(event["uid"]) == f"meeting-{invitees.pk}@barnstodsportalen.se" and event["sequence"] == 0
    assert len(tokens) == len(rows)


def test_names_are_escaped_in_html_and_plain_in_text(invitees):
    [row] = record(invitees, services.KIND_INVITATION, ["bo@exempel.se"])
    with emails.batch_preload([row.pk]):
        msg = build_message(row)
    parsed = email.message_from_bytes(raw(msg), policy=policy.default)
    html = parsed.get_body(preferencelist=("html",)).get_content()
    assert "Bo &lt;b&gt;&quot;Boss&quot;&lt;/b&gt; &amp; Åsa&#x27;s" in html and "<b>" not in html
    assert 'Hej Bo <b>"Boss"</b> & Åsa\'s!' in parsed.get_body(preferencelist=("plain",)).get_content()


def test_sent_through_locmem_with_the_calendar_attachment(invitees):
    rows = record(invitees, services.KIND_INVITATION, ["anna@exempel.se"])
    mail.outbox = []
    from meetings.tasks import outbox_send_batch

    assert outbox_send_batch.run([row.pk for row in rows]) == 1
    [sent] = mail.outbox
    assert isinstance(sent, emails.PreparedEmail)
    [part] = sent.attachments  # made when looked at
    assert part.get_content_type() == "text/calendar" and part.get_param("method") == "REQUEST"
    assert part.get_payload(decode=True) == calendar_of(raw(sent))
    assert raw(sent) == sent._raw  # looking at the attachment changed nothing


def test_a_changed_prepared_email_is_built_again(invitees):
    [row] = record(invitees, services.KIND_INVITATION, ["anna@exempel.se"])
    with emails.batch_preload([row.pk]):
        msg = build_message(row)
    msg.to = ["annan@exempel.se"]
    msg.extra_headers["X-Test"] = "1"
    parsed = email.message_from_bytes(raw(msg), policy=policy.default)
    assert parsed["To"] == "annan@exempel.se" and parsed["X-Test"] == "1"
    assert calendar_of(raw(msg)) is not None


@pytest.mark.parametrize(
    ("address", "name"),
    [
        ("a-very-long-address-that-would-make-the-to-header-fold-somewhere@exempel.se", "Lång Adress"),
        ("ny@exempel.se", "Namn\nmed radbrytning"),
        ("lang@exempel.se", "&" * 200),  # escaped, a line of HTML over 998 octets: quoted-printable
    ],
)
def test_what_the_layout_cannot_hold_is_built_the_usual_way(meeting, address, name):
    Invitation.objects.create(meeting=meeting, email=address, name=name)
    Invitation.objects.create(meeting=meeting, email="anna@exempel.se", name="Anna")
    rows = record(meeting, services.KIND_INVITATION, [address, "anna@exempel.se"])
    with emails.batch_preload([row.pk for row in rows]):
        odd, plain = (build_message(row) for row in sorted(rows, key=lambda r: r.recipient != address))
    assert not isinstance(odd, emails.PreparedEmail) and isinstance(plain, emails.PreparedEmail)
    parsed = email.message_from_bytes(raw(odd), policy=policy.default)
    assert parsed["To"] == address
    assert name.replace("\n", " ")[:50] in " ".join(parsed.get_body(preferencelist=("plain",)).get_content().split())


def test_a_name_holding_a_mime_boundary_is_built_the_usual_way(invitees):
    rows = record(invitees, services.KIND_INVITATION, ["anna@exempel.se", "bo@exempel.se"])
    with emails.batch_preload([row.pk for row in rows]):
        assert isinstance(build_message(rows[0]), emails.PreparedEmail)
        [layout] = emails._batch.layouts.values()
        odd = f"Bo {layout.boundaries[0]}"
        emails._batch.cache[(invitees.pk, "bo@exempel.se")].name = odd
        msg = build_message(rows[1])
    assert not isinstance(msg, emails.PreparedEmail)
    parsed = email.message_from_bytes(raw(msg), policy=policy.default)
    assert f"Hej {odd}!" in parsed.get_body(preferencelist=("plain",)).get_content()


def test_a_meeting_text_with_an_overlong_line_is_built_the_usual_way(invitees):
    type(invitees).objects.filter(pk=invitees.pk).update(description="Lång rad " + "å" * 600)
    rows = record(invitees, services.KIND_INVITATION, NAMES)
    with emails.batch_preload([row.pk for row in rows]):
        batch = [build_message(row) for row in rows]
    assert not any(isinstance(m, emails.PreparedEmail) for m in batch)
    for msg, row in zip(batch, rows, strict=True):
        assert "Content-Transfer-Encoding: quoted-printable" in raw(msg).decode("ascii", "replace")
        parsed = email.message_from_bytes(raw(msg), policy=policy.default)
        assert parsed["To"] == row.recipient
        assert "Lång rad " + "å" * 600 in parsed.get_body(preferencelist=("plain",)).get_content()


SHOWS_THE_ADDRESS = {
    "emails/meeting_email.txt": "{% autoescape off %}Hej {{ invitation.display_name }} ({{ invitation.email }})!"
                                "{% if yes_url %} {{ yes_url }}{% endif %} Barnstödsportalen{% endautoescape %}\n",
    "emails/meeting_email.html": "<p>Hej {{ invitation.display_name }} – {{ invitation.email }}</p>\n",
}


@override_settings(TEMPLATES=[{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader", SHOWS_THE_ADDRESS)]},
}])
def test_a_template_showing_more_of_the_invitee_is_built_the_usual_way(invitees):
    rows = record(invitees, services.KIND_INVITATION, NAMES)
    with emails.batch_preload([row.pk for row in rows]):
        batch = [build_message(row) for row in rows]
    assert not any(isinstance(m, emails.PreparedEmail) for m in batch)
    for row, msg in zip(rows, batch, strict=True):
        assert f"({row.recipient})!" in msg.body and f"– {row.recipient}</p>" in msg.alternatives[0][0]


def test_outside_a_batch_nothing_is_laid_out(invitees):
    [row] = record(invitees, services.KIND_INVITATION, ["anna@exempel.se"])
    assert type(build_message(row)) is not emails.PreparedEmail
