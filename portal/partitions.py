"""The audit log by month (issue 22, docs/performance.md "The access log at national size").

On PostgreSQL ``portal_auditevent`` is declaratively range-partitioned on ``at``: one partition
a calendar month (UTC bounds), named ``portal_auditevent_pYYYYMM``, and a default partition
``portal_auditevent_default`` for rows no month partition takes. The table's primary key in the
database is ``(id, at)`` (a partitioned table's unique keys must hold the partition key); Django
keeps ``id`` as the model's primary key, and the one sequence makes ids unique.

- ``ensure_audit_partitions(start, end)``: the month partitions from ``start``'s month to
  ``end``'s, made when missing (idempotent); rows of those months waiting in the default
  partition move into them in the same transaction. Daily by beat (``audit-partitions``),
  ``AUDIT_PARTITION_MONTHS_AHEAD`` months ahead, so rows never land in the default partition.
- ``expired_partitions(cutoff)``: the month partitions whose whole month lies before
  ``cutoff``; ``drop_partition`` drops one, but only when the database's own clock agrees it is
  past the log's retention (``portal_audit_retention_years()``, never less than five years) —
  the retention's guard (``portal.auditguard``) sees rows, not dropped tables.
  ``portal.audit.audit_prune`` drops those first, then deletes the rest row by row.

The immutable-log trigger is on the partitioned table, so PostgreSQL puts it on every partition,
including those made later. SQLite keeps one table: every function here does nothing there, and
the code paths around them are the same.
"""

import re
from datetime import UTC, datetime

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

TABLE = "portal_auditevent"
DEFAULT = f"{TABLE}_default"
_NAME = re.compile(rf"^{TABLE}_p(\d{{4}})(\d{{2}})$")


def partitioned(using=None):
    """True when the audit table is partitioned (PostgreSQL after migration 0009)."""
    conn = using or connection
    if conn.vendor != "postgresql":
        return False
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s)", [TABLE])
        return cursor.fetchone() is not None


def month_start(when):
    when = when.astimezone(UTC)
    return datetime(when.year, when.month, 1, tzinfo=UTC)


def add_months(start, months):
    index = start.year * 12 + start.month - 1 + months
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def partition_name(start):
    return f"{TABLE}_p{start.year:04d}{start.month:02d}"


def months(start, end):
    """The first instants of every month from ``start``'s to ``end``'s, both included."""
    month, last = month_start(start), month_start(end)
    while month <= last:
        yield month
        month = add_months(month, 1)


def existing_partitions(using=None):
    """{first instant of the month: partition name} of the month partitions there are."""
    conn = using or connection
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = to_regclass(%s)",
            [TABLE],
        )
        names = [row[0] for row in cursor.fetchall()]
    found = {}
    for name in names:
        match = _NAME.match(name)
        if match:
            found[datetime(int(match[1]), int(match[2]), 1, tzinfo=UTC)] = name
    return found


def column_names(cursor, table=TABLE):
    cursor.execute(
        "SELECT quote_ident(attname) FROM pg_attribute WHERE attrelid = to_regclass(%s) "
        "AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
        [table],
    )
    return [row[0] for row in cursor.fetchall()]


def create_default_partition(cursor):
    cursor.execute(f"CREATE TABLE IF NOT EXISTS {DEFAULT} PARTITION OF {TABLE} DEFAULT")


def ensure_audit_partitions(start=None, end=None, using=None):
    """Make the month partitions from ``start``'s month to ``end``'s (default: this month to
    ``AUDIT_PARTITION_MONTHS_AHEAD`` ahead) that do not exist yet; rows of those months in the
    default partition move into them. Returns the names made (empty on SQLite, and when all
    exist)."""
    conn = using or connection
    if not partitioned(conn):
        return []
    now = timezone.now()
    start = start or now
    end = end or add_months(month_start(now), getattr(settings, "AUDIT_PARTITION_MONTHS_AHEAD", 3))
    with transaction.atomic(using=conn.alias):
        with conn.cursor() as cursor:
            # One maker at a time (beat and a migrate may meet); released at commit.
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [TABLE])
        have = existing_partitions(conn)
        wanted = [m for m in months(start, end) if m not in have]
        if not wanted:
            return []
        with conn.cursor() as cursor:
            create_default_partition(cursor)  # there, whatever happened to it
            low, high = wanted[0], add_months(wanted[-1], 1)
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {DEFAULT} WHERE at >= %s AND at < %s)", [low, high])
            waiting = cursor.fetchone()[0]
            if waiting:
                # A month cannot be attached while the default partition holds its rows: the
                # default goes aside, the months and a new default are made, and its rows are
                # inserted again through the parent, each into its partition. No row is deleted
                # (the guard refuses that): the old default table, whose rows are all in the
                # table again, is dropped as a whole.
                cursor.execute(f"ALTER TABLE {TABLE} DETACH PARTITION {DEFAULT}")
                cursor.execute(f"ALTER TABLE {DEFAULT} RENAME TO {DEFAULT}_moving")
                create_default_partition(cursor)
            for month in wanted:
                # DDL takes no parameters (server-side binding); the bounds are our own dates.
                cursor.execute(
                    f"CREATE TABLE IF NOT EXISTS {partition_name(month)} PARTITION OF {TABLE} "
                    f"FOR VALUES FROM ('{month.isoformat()}') TO ('{add_months(month, 1).isoformat()}')"
                )
            if waiting:
                columns = ", ".join(column_names(cursor))
                cursor.execute(f"INSERT INTO {TABLE} ({columns}) SELECT {columns} FROM {DEFAULT}_moving")
                cursor.execute(f"DROP TABLE {DEFAULT}_moving")
    return [partition_name(m) for m in wanted]


def expired_partitions(cutoff, using=None):
    """Names of the month partitions whose whole month ends on or before ``cutoff``, oldest first."""
    conn = using or connection
    if not partitioned(conn):
        return []
    return [name for month, name in sorted(existing_partitions(conn).items()) if add_months(month, 1) <= cutoff]


def drop_partition(name, using=None):
    """Drop one month partition past the log's retention. The database's clock decides, as the
    row guard does: a partition whose month is not past ``portal_audit_retention_years()`` (at
    least five years) by ``now()`` is refused with a DatabaseError. Returns its row count."""
    conn = using or connection
    match = _NAME.match(name)
    if not match:
        raise ValueError(name)
    end = add_months(datetime(int(match[1]), int(match[2]), 1, tzinfo=UTC), 1)
    from .auditguard import MINIMUM_YEARS

    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        cursor.execute(
            "SELECT %s::timestamptz <= now() - make_interval(years => greatest(%s, portal_audit_retention_years()))",
            [end, MINIMUM_YEARS],
        )
        if not cursor.fetchone()[0]:
            raise DatabaseError(f"audit log: partition {name} is within its retention and cannot be dropped")
        cursor.execute(f"SELECT count(*) FROM {name}")
        rows = cursor.fetchone()[0]
        cursor.execute(f"ALTER TABLE {TABLE} DETACH PARTITION {name}")
        cursor.execute(f"DROP TABLE {name}")
    return rows


def load_month(month, columns, select, params=(), using=None):
    """Bulk-load rows of the month starting at ``month`` (a first instant, as ``months``
    yields): ``INSERT INTO`` the audit table's ``columns`` the rows of ``select`` (SQL whose
    result has those columns by name) whose ``at`` lies in that month. For seeding benchmark
    data (``childplans.seed.seed_audit``), never for the portal's own rows (``portal.audit``).

    An empty month partition is made afresh without indexes, filled, then attached: PostgreSQL
    builds the table's indexes on it by sorting once (and carries the guard onto it), instead of
    keeping seven indexes up row by row — about 5 x faster at 800,000 rows a month. A month
    that already holds rows is inserted into as it is. In one transaction; the month partitions
    must exist (``ensure_audit_partitions``); the portal's own inserts wait meanwhile. Returns
    the number of rows written."""
    conn = using or connection
    name = partition_name(month)
    low, high = month.isoformat(), add_months(month, 1).isoformat()
    column_list = ", ".join(columns)
    rows = f"SELECT {column_list} FROM ({select}) AS seeded WHERE at >= '{low}' AND at < '{high}'"
    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [TABLE])
        # No row may come in between "empty" and the drop: the portal's own inserts wait (reads
        # go on) until this month is loaded.
        cursor.execute(f"LOCK TABLE {TABLE} IN SHARE ROW EXCLUSIVE MODE")
        if name not in existing_partitions(conn).values():
            raise DatabaseError(f"audit log: no partition {name}; ensure_audit_partitions first")
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {name})")
        if cursor.fetchone()[0]:
            cursor.execute(f"INSERT INTO {TABLE} ({column_list}) {rows}", params)
            return cursor.rowcount
        cursor.execute(f"DROP TABLE {name}")
        cursor.execute(f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS)")
        cursor.execute(f"INSERT INTO {name} ({column_list}) {rows}", params)
        written = cursor.rowcount
        cursor.execute(f"ALTER TABLE {TABLE} ATTACH PARTITION {name} FOR VALUES FROM ('{low}') TO ('{high}')")
    return written
