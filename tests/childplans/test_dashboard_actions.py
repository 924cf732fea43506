""""Mina insatser" on the dashboard: child data, so behind MFA, audited, no child names."""

import pytest

from portal.models import AuditEvent
from tests import factories as f

from .conftest import SECRETS, person

pytestmark = pytest.mark.django_db


def test_action_owner_sees_the_action_with_one_audit_row(client, full_plan, teacher):
    client.force_login(teacher)
    before = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).count()
    body = client.get("/").content.decode()
    assert "Mina insatser" in body
    assert "Samtal varje vecka med mentor" in body
    assert f"Plan {full_plan['plan'].pk}" in body
    for secret in SECRETS:
        assert secret not in body
    rows = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).count() - before
    assert rows == 1


def test_without_mfa_the_dashboard_shows_no_actions(client, full_plan, teacher):
    teacher.authenticator_set.all().delete()
    client.force_login(teacher)
    body = client.get("/").content.decode()
    assert "Samtal varje vecka med mentor" not in body
    assert "Mina insatser" not in body


def test_someone_else_does_not_see_the_action(client, full_plan, org_school):
    colleague = person("kollega@skolan.se", org_school)
    client.force_login(colleague)
    body = client.get("/").content.decode()
    assert "Samtal varje vecka med mentor" not in body


def test_dashboard_queries_do_not_grow_with_actions(client, full_plan, teacher, contact,
                                                    django_assert_max_num_queries):
    from datetime import timedelta

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from childplans import services

    f.MembershipFactory(user=teacher)
    client.force_login(teacher)
    client.get("/")
    with CaptureQueriesContext(connection) as small:
        client.get("/")
    plan = full_plan["plan"]
    for n in range(30):
        services.action_add(
            plan=plan, by=contact, goal=full_plan["goal"], what=f"Insats {n}",
            responsible_organisation=full_plan["member"].organisation, responsible_person=teacher,
            starts_on=timezone.localdate(), due_on=timezone.localdate() + timedelta(days=n),
            status="planerad", follow_up="",
        )
    for _ in range(5):
        f.MembershipFactory(user=teacher)
    with django_assert_max_num_queries(15, info="Min översikt must stay within 15 queries"):
        body = client.get("/").content.decode()
    # the ten most urgent on the dashboard, all of them on "Mina insatser"
    assert "Insats 0<" in body and "Insats 9<" in body and "Insats 10<" not in body
    assert 'href="/planer/mina-insatser/"' in body and "Visar de 10 mest brådskande" in body
    assert "Insats 29<" in client.get("/planer/mina-insatser/").content.decode()
    with CaptureQueriesContext(connection) as large:
        client.get("/")
    assert len(large) == len(small), "the dashboard's queries must not grow with the data"
