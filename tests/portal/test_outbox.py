"""The transactional outbox on the database alone (the real-worker tests are in
test_outbox_integration.py)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from portal import outbox
from portal.models import OutboundEmail
from portal.tasks import outbox_send, outbox_sweep

pytestmark = pytest.mark.django_db


@outbox.register("test_plain")
def _render_plain(row):
    from django.core.mail import EmailMultiAlternatives

    if row.object_key == "gone:1":
        return None
    return EmailMultiAlternatives("Testämne", "Testtext", "noreply@exempel.se", [row.recipient])


def test_add_is_unique_per_kind_recipient_object_and_period(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = outbox.outbox_add(kind="test_plain", recipient="A@Exempel.se", object_key="x:1")
        again = outbox.outbox_add(kind="test_plain", recipient="a@exempel.se", object_key="x:1")
        other_period = outbox.outbox_add(kind="test_plain", recipient="a@exempel.se", object_key="x:1", period="2")
    assert first is not None and again is None and other_period is not None
    assert OutboundEmail.objects.count() == 2
    assert len(mail.outbox) == 2
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}


def test_nothing_is_enqueued_before_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        outbox.outbox_add(kind="test_plain", recipient="b@exempel.se", object_key="x:2")
    assert len(mail.outbox) == 0
    assert len(callbacks) == 1


def test_sending_twice_sends_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        row = outbox.outbox_add(kind="test_plain", recipient="c@exempel.se", object_key="x:3")
    outbox_send.delay(row.pk)
    outbox_send.delay(row.pk)
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.SENT and row.sent_at is not None and row.attempts == 1


def test_sweeper_picks_up_only_due_pending_rows(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        due = outbox.outbox_add(kind="test_plain", recipient="d@exempel.se", object_key="x:4")
        later = outbox.outbox_add(kind="test_plain", recipient="e@exempel.se", object_key="x:5")
    OutboundEmail.objects.filter(pk=due.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert outbox_sweep.delay().get() == 1
    assert [m.to for m in mail.outbox] == [["d@exempel.se"]]
    later.refresh_from_db()
    assert later.status == OutboundEmail.Status.PENDING
    # A second sweep finds nothing due and sends nothing more.
    assert outbox_sweep.delay().get() == 0
    assert len(mail.outbox) == 1


def test_obsolete_message_is_marked_failed_not_sent(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        outbox.outbox_add(kind="test_plain", recipient="f@exempel.se", object_key="gone:1")
    row = OutboundEmail.objects.get()
    assert row.status == OutboundEmail.Status.FAILED and row.last_error == "obsolete"
    assert mail.outbox == []


def test_prerendered_body_is_blanked_once_sent(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        outbox.outbox_add(
            kind="account:password_reset_key", recipient="g@exempel.se", object_key="k1",
            subject="Återställ lösenord", body_text="Länk: https://exempel.se/x", body_html="<p>x</p>",
        )
    assert mail.outbox[0].subject == "Återställ lösenord"
    row = OutboundEmail.objects.get()
    assert row.body_text == "" and row.body_html == ""


def test_enqueue_swallows_broker_errors(monkeypatch, caplog):
    """With the broker down, enqueue logs and returns; the row stays pending for the sweeper."""

    def broken(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr("portal.tasks.outbox_send.delay", broken)
    outbox.enqueue(123)
    assert "sweeper will retry" in caplog.text
