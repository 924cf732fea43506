"""Reminders once each (Celery through the outbox) and docs/security.md promise 7: no personal data
in e-mails, URLs, task arguments or log lines."""

import logging
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from childplans import services, tasks
from childplans.models import Action, Review
from portal.models import OutboundEmail

from .conftest import SECRETS, reauthenticate

pytestmark = pytest.mark.django_db


@pytest.fixture
def due_soon(full_plan, contact):
    plan = full_plan["plan"]
    today = timezone.localdate()
    review = services.review_plan(plan=plan, by=contact, date=today + timedelta(days=3))
    action = full_plan["action"]
    Action.objects.filter(pk=action.pk).update(due_on=today + timedelta(days=2))
    return review, action


def test_reminders_are_sent_once_each(due_soon, full_plan, contact, teacher, mailoutbox, django_capture_on_commit_callbacks):
    review, action = due_soon
    with django_capture_on_commit_callbacks(execute=True):
        tasks.plan_reminders.delay()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.plan_reminders.delay()  # a second run (or a second beat) sends nothing new
    rows = sorted(OutboundEmail.objects.filter(kind__in=["plan_action_due", "plan_review_due"]).values_list(
        "kind", "recipient", "object_key"))
    # the review planned for today in full_plan is due too: two reviews and one action, once each
    assert rows == sorted([
        ("plan_action_due", teacher.email, f"action:{action.pk}"),
        ("plan_review_due", contact.email, f"review:{review.pk}"),
        ("plan_review_due", contact.email, f"review:{full_plan['review'].pk}"),
    ])
    assert sorted(m.to[0] for m in mailoutbox) == sorted([teacher.email, contact.email, contact.email])


def test_no_reminder_for_done_actions_held_reviews_or_closed_plans(due_soon, full_plan, contact, mailoutbox,
                                                                   django_capture_on_commit_callbacks):
    review, action = due_soon
    Action.objects.filter(pk=action.pk).update(status=Action.Status.DONE)
    Review.objects.filter(plan=full_plan["plan"]).delete()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.plan_reminders.delay()
    assert mailoutbox == []


def test_reminder_for_a_person_no_longer_on_the_team_is_not_recorded(due_soon, full_plan, contact, teacher):
    from childplans.models import TeamMember

    TeamMember.objects.filter(user=teacher).update(removed_at=timezone.now())
    tasks.plan_reminders_run()
    assert not OutboundEmail.objects.filter(kind="plan_action_due").exists()


def test_emails_carry_no_child_data_only_a_link(due_soon, full_plan, contact, org_social, mailoutbox,
                                               django_capture_on_commit_callbacks, client):
    from .conftest import person

    plan = full_plan["plan"]
    colleague = person("n@vaxjo.se", org_social)
    services.team_add(plan=plan, by=contact, user=colleague, organisation=org_social)
    with django_capture_on_commit_callbacks(execute=True):
        services.handover_request(plan=plan, by=contact, to_user=colleague)
        tasks.plan_reminders.delay()
    with django_capture_on_commit_callbacks(execute=True):
        services.handover_accept(plan=plan, by=colleague)
    assert len(mailoutbox) >= 4
    for message in mailoutbox:
        text = message.subject + message.body + "".join(c for c, _m in message.alternatives)
        for secret in SECRETS + ["Oro för skolfrånvaro", "Samtal varje vecka"]:
            assert secret not in text, (message.subject, secret)
        assert "http://testserver/planer/" in message.body
    # The outbox rows themselves hold ids only (rendered at send time).
    for row in OutboundEmail.objects.filter(kind__startswith="plan_"):
        assert row.object_key.split(":")[1].isdigit() and row.subject == "" and row.body_text == ""


def test_task_arguments_are_ids_only():
    """plan_reminders takes no arguments; outbox_send gets a row id."""
    import inspect

    assert list(inspect.signature(tasks.plan_reminders.run).parameters) == []


def test_urls_and_logs_carry_no_child_data(client, full_plan, contact, caplog):
    """Every URL the plan pages link to is ids only; nothing of the child reaches a log line."""
    import re

    plan = full_plan["plan"]
    client.force_login(contact)
    reauthenticate(client, contact)
    caplog.set_level(logging.DEBUG)
    urls = set()
    for name in ("plan_detail", "team", "consents", "reviews", "history", "assessments", "chronology"):
        body = client.get(reverse(f"childplans:{name}", kwargs={"plan_pk": plan.pk})).content.decode()
        urls.update(re.findall(r'href="([^"]+)"', body))
        urls.update(re.findall(r'action="([^"]+)"', body))
    client.raise_request_exception = False
    client.get(reverse("childplans:plan_detail", kwargs={"plan_pk": 999999}))  # a 404 logs a warning
    for url in urls:
        for secret in SECRETS:
            assert secret not in url
        if url.startswith("/planer/"):
            assert re.fullmatch(r"/planer/[\w/-]*(\?mal=\d+)?", url), url
    for record in caplog.records:
        for secret in SECRETS:
            assert secret not in record.getMessage()
