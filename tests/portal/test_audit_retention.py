"""The audit log's own retention (docs/security.md promise 6, issue 19): a row can never be
changed; it can be deleted only when older than AUDIT_RETENTION_YEARS (at least five), and
``portal.audit.audit_prune`` is the one code path that does — the database refuses the rest,
on PostgreSQL and on SQLite, whoever asks and however (ORM or raw SQL)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.checks import run_checks
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from portal import auditguard
from portal.audit import audit_prune, audit_record
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Europe/Stockholm")
Action = AuditEvent.Action


def row_at(when):
    with time_machine.travel(when, tick=False):
        return audit_record(action=Action.VIEW, event="test.row", detail={"n": 1})


def refused(sql, params):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_a_row_can_never_be_changed_even_an_old_one():
    young = audit_record(action=Action.VIEW)
    old = row_at(timezone.now() - timedelta(days=365 * 7))
    for row in (young, old):
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEvent.objects.filter(pk=row.pk).update(user_label="ändrad")
        refused("UPDATE portal_auditevent SET action = 'login' WHERE id = %s", [row.pk])
    assert AuditEvent.objects.get(pk=young.pk).user_label == ""


def test_a_young_row_cannot_be_deleted_at_the_database():
    almost = row_at(timezone.now() - timedelta(days=365 * 5 - 3))  # a few days short of five years
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=almost.pk).delete()
    refused("DELETE FROM portal_auditevent WHERE id = %s", [almost.pk])
    refused("DELETE FROM portal_auditevent", [])
    assert AuditEvent.objects.filter(pk=almost.pk).exists()


def test_audit_prune_removes_exactly_the_rows_past_their_retention(settings):
    settings.AUDIT_PRUNE_BATCH = 2  # several batches
    now = timezone.now()
    old = [row_at(now - timedelta(days=365 * 5 + d)) for d in (10, 20, 400, 900, 3000)]
    kept = [row_at(now - timedelta(days=d)) for d in (0, 30, 365 * 5 - 10)]
    assert audit_prune() == len(old)
    assert not AuditEvent.objects.filter(pk__in=[r.pk for r in old]).exists()
    assert AuditEvent.objects.filter(pk__in=[r.pk for r in kept]).count() == len(kept)
    assert audit_prune() == 0


def test_a_longer_retention_reaches_the_database(settings):
    settings.AUDIT_RETENTION_YEARS = 8
    auditguard.install(connection)  # what post_migrate does after a migrate with the new setting
    six_years = row_at(timezone.now() - timedelta(days=365 * 6))
    refused("DELETE FROM portal_auditevent WHERE id = %s", [six_years.pk])
    assert audit_prune() == 0
    assert AuditEvent.objects.filter(pk=six_years.pk).exists()


def test_the_database_never_allows_less_than_five_years(settings):
    assert auditguard.retention_years() == 5
    auditguard.install(connection, years=1)  # a lower number is raised to the minimum
    four_years = row_at(timezone.now() - timedelta(days=365 * 4))
    refused("DELETE FROM portal_auditevent WHERE id = %s", [four_years.pk])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # even a function rewritten by hand
            cursor.execute("CREATE OR REPLACE FUNCTION portal_audit_retention_years() RETURNS integer "
                           "LANGUAGE sql IMMUTABLE AS $$ SELECT 0 $$")
        refused("DELETE FROM portal_auditevent WHERE id = %s", [four_years.pk])


def test_the_settings_check_refuses_less_than_five_years(settings):
    settings.AUDIT_RETENTION_YEARS = 4
    assert "portal.E019" in [e.id for e in run_checks(tags=["security"])]
    settings.AUDIT_RETENTION_YEARS = 5
    assert "portal.E019" not in [e.id for e in run_checks(tags=["security"])]


def test_a_forward_clock_in_the_app_does_not_let_young_rows_go():
    """The database decides by its own clock: a wrong clock in the app fails instead of deleting."""
    row = audit_record(action=Action.VIEW)
    with time_machine.travel(datetime(2099, 1, 1, tzinfo=TZ)):
        with pytest.raises(DatabaseError):
            audit_prune()
    assert AuditEvent.objects.filter(pk=row.pk).exists()


def _guarded():
    row = audit_record(action=Action.VIEW)
    try:
        with transaction.atomic():
            AuditEvent.objects.filter(pk=row.pk).delete()
    except DatabaseError:
        return True
    return False


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_has_the_guard_and_its_flush_still_empties_the_table():
    """tests/conftest.py: SQLite empties the tables with DELETE after a transactional test; the
    guard is lifted for that flush only and put back for the next test."""
    assert _guarded()


def test_the_guard_is_back_after_a_transactional_test():
    assert _guarded()
