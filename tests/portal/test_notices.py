"""Notices and digests (issue 21, portal/notices.py, portal/digests.py): what waits for a digest and
what goes at once, one digest per person and period at the person's hour, exactly once, never
empty, with no child data — on a clock that is moved, never slept."""

import re
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal import digests, notices, outbox
from portal import settings as _settings_package  # noqa: F401  (the product's defaults below)
from portal.models import AuditEvent, NoticePreference, OutboundEmail, User
from portal.settings import base as base_settings
from tests import factories as f

pytestmark = pytest.mark.django_db
Status = OutboundEmail.Status
Frequency = notices.Frequency
Category = notices.Category

NOTICE = "test_notice"
URGENT = "test_notice_urgent"


@outbox.register(NOTICE, notice=Category.REVIEWS)
def _render_notice(row):
    from django.core.mail import EmailMultiAlternatives

    if row.object_key.startswith("lapsed:"):
        return None
    return EmailMultiAlternatives(
        f"Händelse {row.object_key}", f"Text\nhttp://testserver/sak/{row.object_key}/\n", "noreply@exempel.se",
        [row.recipient],
    )


@outbox.register(URGENT, notice=Category.HANDOVERS, urgent=True)
def _render_urgent(row):
    return _render_notice(row)


def local(*args):
    return datetime(*args, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def daily_by_default(settings):
    settings.NOTICE_DEFAULT_FREQUENCY = "daily"
    settings.NOTICE_DIGEST_HOUR = 7
    settings.NOTICE_DIGEST_WEEKDAY = 0


def add(kind, user, key, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return outbox.outbox_add(kind=kind, recipient=user.email, object_key=key)


def digests_of(user):
    return OutboundEmail.objects.filter(kind=digests.KIND_DIGEST, recipient=user.email)


def test_the_product_default_is_the_daily_digest_at_seven():
    assert base_settings.NOTICE_DEFAULT_FREQUENCY == "daily"
    assert base_settings.NOTICE_DIGEST_HOUR == 7


def test_who_waits_for_the_digest_and_who_gets_it_at_once(daily_by_default, django_capture_on_commit_callbacks,
                                                          mailoutbox):
    waits, at_once = f.UserFactory(), f.UserFactory()
    NoticePreference.objects.create(user=at_once, category=Category.REVIEWS, frequency=Frequency.AT_ONCE)
    gone = f.UserFactory(is_active=False)
    held = add(NOTICE, waits, "a:1", django_capture_on_commit_callbacks)
    sent = add(NOTICE, at_once, "a:1", django_capture_on_commit_callbacks)
    urgent = add(URGENT, waits, "a:2", django_capture_on_commit_callbacks)  # to be answered: at once
    with django_capture_on_commit_callbacks(execute=True):
        outbox.outbox_add(kind=NOTICE, recipient="vardnadshavare@exempel.se", object_key="a:3")  # no account
        outbox.outbox_add(kind=NOTICE, recipient=gone.email, object_key="a:4")  # no active account
    statuses = dict(OutboundEmail.objects.values_list("object_key", "status"))
    assert statuses["a:3"] == statuses["a:4"] == Status.SENT
    assert OutboundEmail.objects.get(pk=held.pk).status == Status.HELD
    assert OutboundEmail.objects.get(pk=sent.pk).status == Status.SENT
    assert OutboundEmail.objects.get(pk=urgent.pk).status == Status.SENT
    assert sorted(m.to[0] for m in mailoutbox) == sorted([at_once.email, waits.email, "vardnadshavare@exempel.se",
                                                          gone.email])


def test_many_at_once_splits_by_each_persons_choice(daily_by_default, django_capture_on_commit_callbacks, mailoutbox):
    waits, at_once = f.UserFactory(), f.UserFactory()
    NoticePreference.objects.create(user=at_once, category=Category.REVIEWS, frequency=Frequency.AT_ONCE)
    with django_capture_on_commit_callbacks(execute=True):
        outbox.outbox_add_many(kind=NOTICE, recipients=[waits.email, at_once.email], object_key="m:1")
    assert dict(OutboundEmail.objects.values_list("recipient", "status")) == {
        waits.email: Status.HELD, at_once.email: Status.SENT,
    }
    assert [m.to for m in mailoutbox] == [[at_once.email]]


def test_one_digest_at_the_persons_hour_exactly_once(daily_by_default, django_capture_on_commit_callbacks, mailoutbox):
    user = f.UserFactory(digest_hour=16)
    with time_machine.travel(local(2026, 12, 7, 10, 0), tick=False):
        add(NOTICE, user, "d:1", django_capture_on_commit_callbacks)
        add(NOTICE, user, "d:2", django_capture_on_commit_callbacks)
    with time_machine.travel(local(2026, 12, 7, 15, 59), tick=False):
        assert digests.digest_run() == 0
    with time_machine.travel(local(2026, 12, 7, 16, 2), tick=False):
        add(NOTICE, user, "d:3", django_capture_on_commit_callbacks)  # after the hour: tomorrow's
        with django_capture_on_commit_callbacks(execute=True):
            assert digests.digest_run() == 1
        with django_capture_on_commit_callbacks(execute=True):
            assert digests.digest_run() == 0  # a second beat, or a retry
    (digest,) = digests_of(user)
    assert digest.period == "2026-12-07" and digest.status == Status.SENT
    assert sorted(digest.items.values_list("object_key", flat=True)) == ["d:1", "d:2"]
    assert OutboundEmail.objects.get(object_key="d:3").status == Status.HELD
    (msg,) = mailoutbox
    assert msg.subject == "Dagens sammandrag från Barnstödsportalen: 2 händelser"
    assert "Händelse d:1" in msg.body and "http://testserver/sak/d:2/" in msg.body
    assert reverse("notice_settings") in msg.body
    with time_machine.travel(local(2026, 12, 8, 16, 5), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert digests.digest_run() == 1
    assert sorted(digests_of(user).values_list("period", flat=True)) == ["2026-12-07", "2026-12-08"]
    assert len(mailoutbox) == 2 and "1 händelse" in mailoutbox[1].subject


def test_the_weekly_digest_comes_on_the_chosen_day(daily_by_default, django_capture_on_commit_callbacks, mailoutbox):
    user = f.UserFactory(digest_hour=8, digest_weekday=4)  # Friday 08.00
    NoticePreference.objects.create(user=user, category=Category.REVIEWS, frequency=Frequency.WEEKLY)
    for day in (7, 8, 10):  # Monday, Tuesday, Thursday
        with time_machine.travel(local(2026, 12, day, 12, 0), tick=False):
            add(NOTICE, user, f"w:{day}", django_capture_on_commit_callbacks)
            assert digests.digest_run() == 0
    with time_machine.travel(local(2026, 12, 11, 8, 2), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert digests.digest_run() == 1
    (digest,) = digests_of(user)
    assert digest.object_key == "digest:weekly" and digest.period == "2026-12-11"
    assert digest.items.count() == 3
    assert mailoutbox[0].subject == "Veckosammandrag från Barnstödsportalen: 3 händelser"


def test_a_change_of_mind_to_at_once_sends_what_waits(daily_by_default, django_capture_on_commit_callbacks,
                                                      mailoutbox):
    user = f.UserFactory()
    with time_machine.travel(local(2026, 12, 7, 10, 0), tick=False):
        add(NOTICE, user, "c:1", django_capture_on_commit_callbacks)
    NoticePreference.objects.create(user=user, category=Category.REVIEWS, frequency=Frequency.AT_ONCE)
    with time_machine.travel(local(2026, 12, 8, 7, 2), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert digests.digest_run() == 0
    assert not digests_of(user).exists()
    assert [m.subject for m in mailoutbox] == ["Händelse c:1"]


def test_an_empty_digest_is_never_sent(daily_by_default, django_capture_on_commit_callbacks, mailoutbox):
    user = f.UserFactory()
    with time_machine.travel(local(2026, 12, 7, 10, 0), tick=False):
        add(NOTICE, user, "lapsed:1", django_capture_on_commit_callbacks)  # its matter is gone by then
    with time_machine.travel(local(2026, 12, 8, 7, 2), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert digests.digest_run() == 1
    assert mailoutbox == []
    settled = digests_of(user).get()  # nothing to send: settled as obsolete, never retried
    assert (settled.status, settled.last_error) == (Status.FAILED, "obsolete")
    with time_machine.travel(local(2026, 12, 9, 7, 2), tick=False):
        assert digests.digest_run() == 0  # and no digest for a day without notices


def test_a_notice_late_for_a_sent_digest_waits_for_the_next(daily_by_default, django_capture_on_commit_callbacks,
                                                            mailoutbox):
    """A notice whose transaction committed after its period's digest went out is not lost and
    not put in a digest already sent: it goes in the next one."""
    user = f.UserFactory()
    with time_machine.travel(local(2026, 12, 7, 10, 0), tick=False):
        add(NOTICE, user, "l:1", django_capture_on_commit_callbacks)
    with time_machine.travel(local(2026, 12, 8, 7, 2), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            digests.digest_run()
        late = add(NOTICE, user, "l:2", django_capture_on_commit_callbacks)
        OutboundEmail.objects.filter(pk=late.pk).update(created_at=local(2026, 12, 8, 6, 59))
        with django_capture_on_commit_callbacks(execute=True):
            assert digests.digest_run() == 0
    assert OutboundEmail.objects.get(pk=late.pk).status == Status.HELD
    with time_machine.travel(local(2026, 12, 9, 7, 2), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert digests.digest_run() == 1
    assert [sorted(d.items.values_list("object_key", flat=True)) for d in digests_of(user).order_by("period")] == [
        ["l:1"], ["l:2"],
    ]


def expected_sendings(created, frequency, hour, weekday, end):
    """Independently of the code under test: the first sending moment after ``created``."""
    at = created.replace(hour=hour, minute=0, second=0, microsecond=0)
    while at <= created or (frequency == "weekly" and at.weekday() != weekday):
        at += timedelta(days=1)
    return at if at <= end else None


def test_a_thousand_people_a_week_of_notices_each_digest_once(daily_by_default, django_capture_on_commit_callbacks,
                                                               mailoutbox):
    """1,000 people with their own hours and frequencies, a week of notices held for them (written
    as the outbox writes held rows), the digest run every hour of the week and a second time in
    some hours: exactly the expected digests, each once, each holding exactly its notices."""
    start = local(2026, 12, 7, 0, 0)
    end = start + timedelta(days=7)
    users = User.objects.bulk_create(
        [User(email=f"p{i}@exempel.se", digest_hour=i % 24, digest_weekday=i % 7) for i in range(1000)]
    )
    NoticePreference.objects.bulk_create(
        [NoticePreference(user=u, category=Category.REVIEWS, frequency=Frequency.WEEKLY) for u in users[::3]]
    )
    weekly = {u.pk for u in users[::3]}
    rows, expected = [], {}
    for i, user in enumerate(users):
        for n in range(i % 5 + 1):  # 1–5 notices per person, spread over the week
            created = start + timedelta(hours=(i * 7 + n * 31) % (7 * 24), minutes=17)
            rows.append(OutboundEmail(kind=NOTICE, recipient=user.email, object_key=f"t:{n}", status=Status.HELD,
                                      created_at=created, next_attempt_at=created))
            frequency = "weekly" if user.pk in weekly else "daily"
            sending = expected_sendings(timezone.localtime(created), frequency, user.digest_hour,
                                        user.digest_weekday, end)
            if sending is not None:
                expected.setdefault((user.email, sending.date().isoformat()), set()).add(f"t:{n}")
    OutboundEmail.objects.bulk_create(rows, batch_size=1000)
    hour = start
    while hour <= end:
        with time_machine.travel(hour + timedelta(minutes=2), tick=False):
            digests.digest_run()
            if hour.hour % 5 == 0:
                digests.digest_run()  # a second beat in the same hour
        hour += timedelta(hours=1)
    made = {}
    for digest in OutboundEmail.objects.filter(kind=digests.KIND_DIGEST).prefetch_related("items"):
        made[(digest.recipient, digest.period)] = {item.object_key for item in digest.items.all()}
    assert made == expected
    assert OutboundEmail.objects.filter(kind=NOTICE, status=Status.DIGESTED).count() == sum(map(len, expected.values()))


def test_the_run_asks_the_same_queries_however_many_notices_a_person_has(daily_by_default):
    def run_with(notices_each):
        OutboundEmail.objects.all().delete()
        User.objects.filter(email__startswith="q").delete()
        users = User.objects.bulk_create([User(email=f"q{i}@exempel.se") for i in range(10)])
        created = local(2026, 12, 7, 10, 0)
        OutboundEmail.objects.bulk_create([
            OutboundEmail(kind=NOTICE, recipient=u.email, object_key=f"n:{n}", status=Status.HELD,
                          created_at=created, next_attempt_at=created)
            for u in users for n in range(notices_each)
        ])
        with time_machine.travel(local(2026, 12, 8, 7, 2), tick=False):
            with CaptureQueriesContext(connection) as queries:
                assert digests.digest_run() == 10
        return len(queries)

    assert run_with(1) == run_with(25)


def test_no_digest_holds_child_data(daily_by_default, settings, tmp_path, django_capture_on_commit_callbacks,
                                    mailoutbox):
    """The demo's plan reminders and referral and handover notices, gathered into digests:
    no child's name or personnummer in any subject, text, HTML or attachment."""
    from childplans import tasks
    from childplans.models import Action, Child, Review

    settings.MEDIA_ROOT = str(tmp_path / "media")
    call_command("load_demo", quiet=True)
    today = timezone.localdate()
    Review.objects.filter(status=Review.Status.PLANNED).update(date=today + timedelta(days=2))
    Action.objects.update(due_on=today + timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.plan_reminders()
    held = OutboundEmail.objects.filter(status=Status.HELD)
    assert held.filter(kind="plan_review_due").exists() and held.filter(kind="plan_action_due").exists()
    with time_machine.travel(timezone.now() + timedelta(days=1, hours=1), tick=True):
        with django_capture_on_commit_callbacks(execute=True):
            assert digests.digest_run() >= 2
    assert mailoutbox and all("sammandrag" in m.subject.lower() for m in mailoutbox)
    secrets = set()
    for child in Child.objects.all():
        secrets |= {child.given_name, child.family_name, child.personnummer,
                    re.sub(r"\D", "", child.personnummer)}
    secrets.discard("")
    for msg in mailoutbox:
        parts = [msg.subject, msg.body] + [c for c, _ in msg.alternatives] + [str(a) for a in msg.attachments]
        for part in parts:
            for secret in secrets:
                assert secret not in part, (msg.subject, secret)


def test_mina_aviseringar_saves_the_choices_with_an_audit_row(client, daily_by_default):
    user = f.UserFactory()
    client.force_login(user)
    url = reverse("notice_settings")
    page = client.get(url)
    assert page.status_code == 200 and "Dagligt sammandrag" in page.content.decode()
    data = {f"notice_{c}": "daily" for c in Category.values} | {"notice_meetings": "at_once", "hour": "16",
                                                                  "weekday": "4"}
    before = AuditEvent.objects.count()
    assert client.post(url, data).status_code == 302
    user.refresh_from_db()
    assert (user.digest_hour, user.digest_weekday) == (16, 4)
    assert notices.preferences(user)["meetings"] == "at_once"
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.latest("pk").event == "notices.preferences_set"


@pytest.mark.parametrize("field, value", [
    ("hour", "24"), ("hour", "-1"), ("hour", "abc"), ("hour", "7\x00"), ("weekday", "7"),
    ("notice_reviews", "hourly"), ("notice_reviews", ""), ("notice_actions", "<script>"),
])
def test_bad_choices_get_a_message_and_change_nothing(client, daily_by_default, field, value):
    user = f.UserFactory()
    client.force_login(user)
    data = {f"notice_{c}": "weekly" for c in Category.values} | {"hour": "9", "weekday": "2", field: value}
    before = AuditEvent.objects.count()
    page = client.post(reverse("notice_settings"), data)
    assert page.status_code == 200
    assert "invalid-feedback" in page.content.decode() or "is-invalid" in page.content.decode()
    user.refresh_from_db()
    assert (user.digest_hour, user.digest_weekday) == (None, None)
    assert not NoticePreference.objects.filter(user=user).exists()
    assert AuditEvent.objects.count() == before
