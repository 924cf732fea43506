"""The audit log by month (issue 22, portal/partitions.py): on PostgreSQL a partitioned table,
month partitions made ahead, the immutable-log guard on every partition, the retention dropping
whole expired months; SQLite keeps one table and the same code paths."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from portal import partitions
from portal.audit import audit_prune, audit_record
from portal.models import AuditEvent
from portal.tasks import audit_partitions

pytestmark = pytest.mark.django_db
Action = AuditEvent.Action
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="declarative partitioning is PostgreSQL's; SQLite keeps one table"
)


def row_at(when, **extra):
    with time_machine.travel(when, tick=False):
        return audit_record(action=Action.VIEW, event="test.row", **extra)


def partition_of(row):
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM portal_auditevent WHERE id = %s", [row.pk])
        return cursor.fetchone()[0]


def tables():
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relname LIKE 'portal_auditevent%%' AND relkind IN ('r', 'p')")
        return {r[0] for r in cursor.fetchall()}


@postgres_only
def test_the_table_is_partitioned_with_months_ahead_and_a_default(settings):
    assert partitions.partitioned()
    month = partitions.month_start(timezone.now())
    have = partitions.existing_partitions()
    for ahead in range(settings.AUDIT_PARTITION_MONTHS_AHEAD + 1):
        assert partitions.add_months(month, ahead) in have
    assert "portal_auditevent_default" in tables()
    with connection.cursor() as cursor:  # the database's key holds the partition key; Django's is id
        cursor.execute(
            "SELECT array_agg(a.attname::text ORDER BY a.attname) FROM pg_index i JOIN pg_attribute a "
            "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
            "WHERE i.indrelid = 'portal_auditevent'::regclass AND i.indisprimary"
        )
        assert cursor.fetchone()[0] == ["at", "id"]
    assert AuditEvent._meta.pk.name == "id"


@postgres_only
def test_rows_land_in_their_months_partition_and_ids_stay_unique():
    now = timezone.now()
    row = audit_record(action=Action.VIEW, plan_id=7)
    assert partition_of(row) == partitions.partition_name(partitions.month_start(now))
    next_month = row_at(partitions.add_months(partitions.month_start(now), 1) + timedelta(hours=1))
    assert partition_of(next_month) == partitions.partition_name(partitions.add_months(partitions.month_start(now), 1))
    far = row_at(now + timedelta(days=365 * 3))  # beyond the months made: the default partition
    assert partition_of(far) == "portal_auditevent_default"
    assert len({row.pk, next_month.pk, far.pk}) == 3
    assert AuditEvent.objects.get(pk=row.pk).plan_id == 7


@postgres_only
def test_making_a_month_moves_its_rows_out_of_the_default_partition_once():
    old_moment = timezone.now() - timedelta(days=365 * 7)
    rows = [row_at(old_moment + timedelta(hours=h), plan_id=3) for h in (0, 1)]
    other = row_at(old_moment + timedelta(days=100))
    assert {partition_of(r) for r in rows} == {"portal_auditevent_default"}
    made = partitions.ensure_audit_partitions(start=old_moment, end=old_moment)
    name = partitions.partition_name(partitions.month_start(old_moment))
    assert made == [name]
    assert {partition_of(r) for r in rows} == {name}
    assert partition_of(other) == "portal_auditevent_default"  # not its month: stays
    assert AuditEvent.objects.filter(pk__in=[r.pk for r in rows], plan_id=3).count() == 2
    # idempotent: nothing more is made, nothing moves, nothing doubles
    assert partitions.ensure_audit_partitions(start=old_moment, end=old_moment) == []
    assert audit_partitions.delay().get() == []  # the beat task: everything ahead exists already
    assert AuditEvent.objects.filter(event="test.row").count() == 3


@postgres_only
def test_the_guard_is_on_every_partition_even_one_made_later():
    old_moment = timezone.now() - timedelta(days=365 * 2)
    partitions.ensure_audit_partitions(start=old_moment, end=old_moment)
    for row in (audit_record(action=Action.VIEW), row_at(old_moment), row_at(timezone.now() + timedelta(days=365 * 3))):
        name = partition_of(row)
        for sql in (f"UPDATE {name} SET user_label = 'x' WHERE id = %s", f"DELETE FROM {name} WHERE id = %s"):
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [row.pk])
        assert AuditEvent.objects.filter(pk=row.pk, user_label="").exists()


@postgres_only
def test_prune_drops_whole_expired_months_and_deletes_the_rest_by_row():
    now = timezone.now()
    expired_month = partitions.month_start(now - timedelta(days=365 * 6))
    partitions.ensure_audit_partitions(start=expired_month, end=expired_month)
    in_month = [row_at(expired_month + timedelta(days=d)) for d in (1, 2, 20)]
    in_default = row_at(now - timedelta(days=365 * 7))  # no partition of its own: by row
    young = audit_record(action=Action.VIEW)
    name = partitions.partition_name(expired_month)
    assert partitions.expired_partitions(now - timedelta(days=365 * 5)) == [name]
    assert audit_prune() == 4
    assert name not in tables()
    assert not AuditEvent.objects.filter(pk__in=[r.pk for r in [*in_month, in_default]]).exists()
    assert AuditEvent.objects.filter(pk=young.pk).exists()
    assert audit_prune() == 0


def index_definitions(name):
    """The partition's index definitions with its own name taken out, so two months compare."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [name])
        return sorted(row[0].replace(name, "P") for row in cursor.fetchall())


@postgres_only
def test_load_month_builds_an_empty_month_afresh_and_inserts_into_one_with_rows():
    """The seeding's bulk path (childplans.seed.seed_audit): an empty month is made without
    indexes, filled and attached, and ends up as any other month — same indexes, the guard,
    ids from the sequence, only its own month's rows; a month with rows keeps them."""
    columns = ["at", "user_label", "organisation_label", "action", "event", "object_type", "object_id",
               "request_id", "detail", "assurance_level"]
    select = (
        "SELECT %(start)s::timestamptz + g.h * interval '1 hour' AS at, 'seed' AS user_label,"
        " '' AS organisation_label, 'view' AS action, 'seed.row' AS event, '' AS object_type,"
        " '' AS object_id, '' AS request_id, '{}'::jsonb AS detail, '' AS assurance_level"
        " FROM generate_series(-5, 40 * 24) AS g(h)"
    )
    now = timezone.now()
    empty = partitions.add_months(partitions.month_start(now), -14)
    partitions.ensure_audit_partitions(start=empty, end=empty)
    written = partitions.load_month(empty, columns, select, {"start": empty})
    name = partitions.partition_name(empty)
    days = (partitions.add_months(empty, 1) - empty).days
    assert written == days * 24 == AuditEvent.objects.filter(event="seed.row").count()
    assert index_definitions(name) == index_definitions(partitions.partition_name(partitions.month_start(now)))
    row = AuditEvent.objects.filter(event="seed.row").order_by("at").first()
    assert row.at == empty and partition_of(row) == name
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {name} SET user_label = 'x' WHERE id = %s", [row.pk])
    later = audit_record(action=Action.VIEW)
    assert later.pk > AuditEvent.objects.filter(event="seed.row").order_by("-pk").first().pk

    this_month = partitions.month_start(now)
    kept = audit_record(action=Action.VIEW, event="test.kept")
    added = partitions.load_month(this_month, columns, select, {"start": this_month})
    assert added == AuditEvent.objects.filter(event="seed.row", at__gte=this_month).count() > 0
    assert AuditEvent.objects.filter(pk=kept.pk).exists()
    with pytest.raises(DatabaseError):  # the months must be made first
        partitions.load_month(partitions.add_months(this_month, -40), columns, select, {"start": this_month})


@postgres_only
def test_a_month_within_the_retention_is_never_dropped_whatever_the_apps_clock():
    """The database's clock decides, as for rows: a forward clock in the app fails."""
    row = audit_record(action=Action.VIEW)
    name = partition_of(row)
    with pytest.raises(DatabaseError):
        partitions.drop_partition(name)
    with time_machine.travel(datetime(2099, 1, 1, tzinfo=UTC)), pytest.raises(DatabaseError):
        audit_prune()
    assert name in tables()
    assert AuditEvent.objects.filter(pk=row.pk).exists()


@pytest.mark.sqlite_only
@pytest.mark.both_databases
def test_sqlite_keeps_one_table_and_the_same_calls_do_nothing():
    """SQLite's side of the same code path (deselected on PostgreSQL; .ci/run's SQLite pass)."""
    assert not partitions.partitioned()
    assert partitions.ensure_audit_partitions() == []
    assert audit_partitions.delay().get() == []
    assert partitions.expired_partitions(timezone.now()) == []
    old = row_at(timezone.now() - timedelta(days=365 * 6))
    assert audit_prune() == 1
    assert not AuditEvent.objects.filter(pk=old.pk).exists()


def test_the_beat_runs_the_partition_task_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["audit-partitions"]
    assert entry["task"] == "portal.tasks.audit_partitions"
    assert settings.AUDIT_PARTITION_MONTHS_AHEAD == 3


@postgres_only
def test_the_migration_is_reversible_and_keeps_the_rows():
    """Back to 0008 (one table, identity id) and forward again, inside the test's transaction."""
    rows = [audit_record(action=Action.VIEW, plan_id=11), row_at(timezone.now() - timedelta(days=400), child_id=5)]
    before, after = [("portal", "0008_notices")], [("portal", "0009_audit_partitioned")]
    MigrationExecutor(connection).migrate(before)
    assert not partitions.partitioned()
    assert AuditEvent.objects.filter(pk__in=[r.pk for r in rows]).count() == 2
    between = audit_record(action=Action.VIEW)  # the identity continues after the copied ids
    assert between.pk > max(r.pk for r in rows)
    with pytest.raises(DatabaseError), transaction.atomic():  # the guard is back on the one table
        AuditEvent.objects.filter(pk=between.pk).update(user_label="x")
    MigrationExecutor(connection).migrate(after)
    assert partitions.partitioned()
    assert AuditEvent.objects.filter(pk__in=[r.pk for r in rows] + [between.pk]).count() == 3
    assert audit_record(action=Action.VIEW).pk > between.pk
    assert AuditEvent.objects.get(pk=rows[1].pk).child_id == 5
