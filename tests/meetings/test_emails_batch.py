"""A batch of meeting e-mails (a fan-out, meetings/emails.py ``preload``): loaded in a fixed
number of queries, each e-mail still its own — the invitee's name (escaped in HTML), answer
links, ATTENDEE line and Message-ID — and the same e-mail as one built on its own."""

import email
import re
from email import policy

import pytest
from django.core import mail
from django.utils.html import escape
from icalendar import Calendar

from meetings import emails, services
from meetings.models import Invitation, RsvpToken, hash_token
from portal.models import OutboundEmail
from portal.outbox import build_message, outbox_add_many

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
    outbox_add_many(kind=kind, recipients=recipients, object_key=services.meeting_key(meeting))
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


def in_a_batch(rows):
    emails.preload(rows)
    return [build_message(row) for row in rows]


def without_token_and_stamp(text):
    text = re.sub(r"/svara/[A-Za-z0-9_-]{43}/", "/svara/TOKEN/", text)
    return re.sub(r"DTSTAMP:\d{8}T\d{6}Z", "DTSTAMP:-", text)


def test_a_batch_is_loaded_in_a_fixed_number_of_queries(invitees, django_assert_num_queries):
    rows = record(invitees, services.KIND_INVITATION, NAMES)
    # meetings, their topics, the invitations, the answer tokens (one insert)
    with django_assert_num_queries(4):
        emails.preload(rows)
        messages = [build_message(row) for row in rows]
    assert [m.to for m in messages] == [[row.recipient] for row in rows]


@pytest.mark.parametrize(
    ("kind", "prepare"),
    [
        (services.KIND_INVITATION, None),
        (services.KIND_CHANGED, None),
        (services.KIND_REMIND_UNANSWERED, None),
        (services.KIND_REMIND_ATTENDING, "yes"),
        (services.KIND_CANCELLED, "cancel"),
    ],
)
def test_a_batch_email_is_the_one_built_on_its_own(invitees, coordinator, kind, prepare):
    if prepare == "yes":
        Invitation.objects.filter(meeting=invitees).update(response=Invitation.Response.YES)
    elif prepare == "cancel":
        services.meeting_cancel(meeting=invitees, by=coordinator)
    rows = record(invitees, kind, NAMES)
    batch = in_a_batch(rows)
    alone = [build_message(row) for row in OutboundEmail.objects.filter(pk__in=[r.pk for r in rows]).order_by("pk")]
    for a, b in zip(batch, alone, strict=True):
        assert (a.subject, a.to, a.extra_headers) == (b.subject, b.to, b.extra_headers)
        assert without_token_and_stamp(a.body) == without_token_and_stamp(b.body)
        assert without_token_and_stamp(a.alternatives[0][0]) == without_token_and_stamp(b.alternatives[0][0])
        assert [without_token_and_stamp(p.get_payload(decode=True).decode()) for p in a.attachments] == [
            without_token_and_stamp(p.get_payload(decode=True).decode()) for p in b.attachments
        ]
    if kind == services.KIND_CANCELLED:
        cal = Calendar.from_ical(calendar_of(raw(batch[0])))
        assert str(cal["method"]) == "CANCEL" and str(cal.walk("VEVENT")[0]["status"]) == "CANCELLED"


def test_each_invitee_gets_own_name_links_attendee_and_message_id(invitees):
    rows = record(invitees, services.KIND_INVITATION, NAMES)
    batch = in_a_batch(rows)
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
    [msg] = in_a_batch(record(invitees, services.KIND_INVITATION, ["bo@exempel.se"]))
    parsed = email.message_from_bytes(raw(msg), policy=policy.default)
    html = parsed.get_body(preferencelist=("html",)).get_content()
    assert "Bo &lt;b&gt;&quot;Boss&quot;&lt;/b&gt; &amp; Åsa&#x27;s" in html and "<b>" not in html
    assert 'Hej Bo <b>"Boss"</b> & Åsa\'s!' in parsed.get_body(preferencelist=("plain",)).get_content()


def test_sent_through_one_connection_with_the_calendar_attachment(invitees):
    from portal.tasks import outbox_send_batch

    rows = record(invitees, services.KIND_INVITATION, NAMES)
    mail.outbox = []
    assert outbox_send_batch.run([row.pk for row in rows]) == len(NAMES)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(NAMES)
    for sent in mail.outbox:
        [part] = sent.attachments
        assert part.get_content_type() == "text/calendar" and part.get_param("method") == "REQUEST"
    assert OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT).count() == len(NAMES)


def test_a_withdrawn_invitation_is_not_sent(invitees, coordinator):
    rows = record(invitees, services.KIND_INVITATION, ["anna@exempel.se", "bo@exempel.se"])
    Invitation.objects.filter(meeting=invitees, email="bo@exempel.se").delete()
    anna, bo = in_a_batch(rows)
    assert anna is not None and bo is None
