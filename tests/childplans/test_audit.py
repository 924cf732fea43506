"""docs/security.md promises 5 and 6 for child data: exactly one audit row per read or change (a
change's in its transaction, a read's before the page is sent; a failing insert fails the request,
shows nothing and keeps nothing), and an append-only table."""

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse

from childplans.models import Goal
from portal.models import AuditEvent

from .conftest import SECRETS, reauthenticate

pytestmark = pytest.mark.django_db


def new_events(since_pk):
    return list(AuditEvent.objects.filter(pk__gt=since_pk).order_by("pk"))


def last_pk():
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.mark.parametrize(
    "name, action",
    [
        ("plan_detail", AuditEvent.Action.VIEW),
        ("history", AuditEvent.Action.VIEW),
        ("print", AuditEvent.Action.PRINT),
        ("access_log", AuditEvent.Action.EXPORT),
    ],
)
def test_each_read_writes_exactly_one_row(client, full_plan, contact, name, action):
    plan = full_plan["plan"]
    client.force_login(contact)
    reauthenticate(client, contact)
    since = last_pk()
    response = client.get(
        reverse(f"childplans:{name}", kwargs={"plan_pk": plan.pk}), REMOTE_ADDR="192.0.2.7",
        HTTP_X_REQUEST_ID="req-abcdef123456",
    )
    assert response.status_code == 200
    events = new_events(since)
    assert len(events) == 1
    event = events[0]
    assert event.action == action
    assert event.user_id == contact.pk and event.user_label == contact.email
    assert event.plan_id == plan.pk and event.child_id == plan.child_id
    assert event.organisation_label == "Växjö kommun, Socialtjänsten"
    assert event.request_id == "req-abcdef123456"
    assert event.ip_address == "192.0.2.7"
    # The row carries ids, never child data.
    for secret in SECRETS:
        assert secret not in str(event.detail) and secret not in event.object_id


def test_a_change_writes_exactly_one_row(client, full_plan, contact):
    plan = full_plan["plan"]
    client.force_login(contact)
    since = last_pk()
    response = client.post(
        reverse("childplans:goal_add", kwargs={"plan_pk": plan.pk}), {"area": "trygg", "description": "Känna sig trygg"}
    )
    assert response.status_code == 302
    events = new_events(since)
    assert [e.action for e in events] == [AuditEvent.Action.CREATE]
    goal = Goal.objects.get(description="Känna sig trygg")
    assert events[0].object_type == "childplans.goal" and events[0].object_id == str(goal.pk)


def test_invalid_form_is_a_view_and_changes_nothing(client, full_plan, contact):
    plan = full_plan["plan"]
    client.force_login(contact)
    since = last_pk()
    count = Goal.objects.count()
    response = client.post(reverse("childplans:goal_add", kwargs={"plan_pk": plan.pk}), {"area": "trygg"})
    assert response.status_code == 200
    assert "Detta fält måste fyllas i." in response.content.decode()
    assert Goal.objects.count() == count
    assert [e.action for e in new_events(since)] == [AuditEvent.Action.VIEW]


def test_plan_list_writes_one_row_for_all_plans(client, full_plan, contact):
    client.force_login(contact)
    since = last_pk()
    assert client.get(reverse("childplans:plan_list")).status_code == 200
    events = new_events(since)
    assert len(events) == 1 and events[0].detail["plan_ids"] == [full_plan["plan"].pk]


@pytest.fixture
def break_audit(db):
    """``break_audit()`` makes every INSERT into the audit table fail in the database itself (a
    trigger), not by mocking: the request must fail and keep nothing. Call it after logging
    in (the login is audited too)."""
    installed = []

    def install():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "CREATE FUNCTION test_audit_fail() RETURNS trigger AS $$ BEGIN "
                    "RAISE EXCEPTION 'audit store unavailable'; END; $$ LANGUAGE plpgsql"
                )
                cursor.execute(
                    "CREATE TRIGGER test_audit_fail BEFORE INSERT ON portal_auditevent "
                    "FOR EACH ROW EXECUTE FUNCTION test_audit_fail()"
                )
            else:
                cursor.execute(
                    "CREATE TRIGGER test_audit_fail BEFORE INSERT ON portal_auditevent "
                    "BEGIN SELECT RAISE(ABORT, 'audit store unavailable'); END"
                )
        installed.append(True)

    yield install
    if installed:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("DROP TRIGGER test_audit_fail ON portal_auditevent")
                cursor.execute("DROP FUNCTION test_audit_fail()")
            else:
                cursor.execute("DROP TRIGGER test_audit_fail")


def test_failing_audit_insert_fails_the_read(client, full_plan, contact, break_audit):
    client.force_login(contact)
    break_audit()
    client.raise_request_exception = False
    response = client.get(reverse("childplans:plan_detail", kwargs={"plan_pk": full_plan["plan"].pk}))
    assert response.status_code == 500
    body = response.content.decode()
    for secret in SECRETS:
        assert secret not in body


def test_failing_audit_insert_fails_the_change_and_keeps_nothing(client, full_plan, contact, break_audit):
    client.force_login(contact)
    break_audit()
    client.raise_request_exception = False
    count = Goal.objects.count()
    response = client.post(
        reverse("childplans:goal_add", kwargs={"plan_pk": full_plan["plan"].pk}),
        {"area": "trygg", "description": "Ska inte sparas"},
    )
    assert response.status_code == 500
    assert Goal.objects.count() == count
    for secret in SECRETS:
        assert secret not in response.content.decode()


def test_the_trigger_really_blocks_inserts(full_plan, break_audit):
    """The failure above comes from the database, as in production."""
    break_audit()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.create(action=AuditEvent.Action.VIEW)


def test_audit_rows_cannot_be_changed_or_deleted(client, full_plan, contact):
    client.force_login(contact)
    client.get(reverse("childplans:plan_detail", kwargs={"plan_pk": full_plan["plan"].pk}))
    event = AuditEvent.objects.filter(plan_id=full_plan["plan"].pk).latest("pk")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action=AuditEvent.Action.LOGIN)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE portal_auditevent SET user_label = 'x' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == AuditEvent.Action.VIEW
