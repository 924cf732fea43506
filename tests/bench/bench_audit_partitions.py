#!/usr/bin/env python
"""The audit log at national size (issue 22, docs/performance.md "The access log at national
size"): the month-partitioned ``portal_auditevent`` beside the same rows in one ordinary table
(``bench_audit_flat``: the layout before migration 0009, same indexes), on a database of its own.
A script, not a test.

    .venv/bin/python tests/bench/bench_audit_partitions.py                      # 2,000,000 rows, 24 months
    .venv/bin/python tests/bench/bench_audit_partitions.py --rows 200000 --months 6 --queries 50   # smoke

1. Recreates the database (default ``postgres://postgres@127.0.0.1:5432/portal_bench_audit``),
   migrates it, makes the month partitions (``portal.partitions.ensure_audit_partitions``) and
   loads ``--rows`` rows with one ``INSERT … SELECT generate_series`` through the partitioned
   table: spread evenly over the last ``--months`` months and ``--expired`` more months past the
   log's retention (five years ago), ``--plans`` plans (every fifth row about the child only, as
   the plan-less rows of a child are), a tenth of them denied attempts. Then the same rows into
   the flat table, its indexes, ``ANALYZE``. Prints rows per second of each load and the sizes.
2. The plan's access log (``childplans.selectors.access_log_for``'s query: plan, not denied,
   newest first, 2,000 at most) and the registerutdrag's rows (``access_log_rows``: the child's
   plans or the child, oldest first) for ``--queries`` random plans on each table: median and
   p95 ms, rows per query.
3. Retention: one expired month by ``drop_partition`` (the partitioned table) against the same
   month deleted row by row in batches of ``AUDIT_PRUNE_BATCH`` (1,000), as ``audit_prune``
   deletes what no partition holds (the flat table); then ``audit_prune`` itself on the rest.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run_bench import ensure_database, load_average, percentile, setup_django  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/portal_bench_audit"
FLAT = "bench_audit_flat"
ACCESS_LOG = (
    "SELECT at, user_label, organisation_label, action FROM {table} WHERE plan_id = %s "
    "AND NOT (action = 'denied') ORDER BY at DESC, id DESC LIMIT 2000"
)
EXTRACT = (
    "SELECT id, at, user_id, organisation_label, action, event, object_type, object_id, plan_id FROM {table} "
    "WHERE (plan_id = ANY(%s) OR child_id = %s) AND NOT (action = 'denied') ORDER BY at, id"
)


def timed(cursor, sql, params=None):
    started = time.perf_counter()
    cursor.execute(sql, params)
    rows = cursor.fetchall() if cursor.description else None
    return (time.perf_counter() - started) * 1000, rows


def size(cursor, table):
    cursor.execute(
        "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
        "WHERE c.oid = to_regclass(%s) OR c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = to_regclass(%s))",
        [table, table],
    )
    return cursor.fetchone()[0] / 2**20


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_AUDIT_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--months", type=int, default=24, help="months of rows up to now")
    parser.add_argument("--expired", type=int, default=2, help="more months past the retention")
    parser.add_argument("--plans", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200, help="random plans per query kind and table")
    args = parser.parse_args()
    url = args.database_url
    print(f"==> database {url} (recreated); load average {load_average()}")
    ensure_database(url, fresh=True)
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from portal import partitions
    from portal.audit import audit_prune
    from portal.auditguard import retention_years

    call_command("migrate", verbosity=0, interactive=False)
    now = timezone.now()
    this_month = partitions.month_start(now)
    recent_start = partitions.add_months(this_month, -(args.months - 1))
    expired_start = partitions.add_months(partitions.month_start(now - timedelta(days=366 * retention_years())),
                                          -(args.expired + 1))  # fmt: skip
    partitions.ensure_audit_partitions(start=expired_start, end=partitions.add_months(expired_start, args.expired - 1))
    partitions.ensure_audit_partitions(start=recent_start)
    month_count = args.months + args.expired
    per_month = args.rows // month_count
    # month index m < expired: the expired months; the rest: the recent ones
    month_starts = [partitions.add_months(expired_start, m) for m in range(args.expired)] + [
        partitions.add_months(recent_start, m) for m in range(args.months)
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_inherits WHERE inhparent = 'portal_auditevent'::regclass")
        print(f"==> {cursor.fetchone()[0]} partitions (months and default); {month_count} months of "
              f"{per_month:,} rows, {args.plans:,} plans")  # fmt: skip
        started = time.perf_counter()
        for start in month_starts:
            end = partitions.add_months(start, 1)
            seconds = (min(end, now) - start).total_seconds()
            cursor.execute(
                "INSERT INTO portal_auditevent (at, user_id, user_label, organisation_label, action, event, "
                "object_type, object_id, request_id, ip_address, detail, plan_id, child_id, assurance_level) "
                "SELECT %s::timestamptz + make_interval(secs => (g::float8 * %s / %s)), 1 + g %% 5000, "
                "'Person ' || (g %% 5000), 'Socialtjänsten', CASE WHEN g %% 10 = 0 THEN 'denied' ELSE 'view' END, '', "
                "'childplans.childplan', '', '', NULL, '{}'::jsonb, "
                "CASE WHEN g %% 5 = 0 THEN NULL ELSE 1 + (g * 7919) %% %s END, 1 + (g * 7919) %% %s, 'password' "
                "FROM generate_series(0, %s - 1) g",
                [start, seconds, per_month, args.plans, args.plans, per_month],
            )
        load_partitioned = time.perf_counter() - started
        total = per_month * month_count
        print(f"==> loaded {total:,} rows through the partitioned table in {load_partitioned:.1f} s "
              f"({total / load_partitioned:,.0f} rows/s)")  # fmt: skip
        started = time.perf_counter()
        cursor.execute(f"CREATE TABLE {FLAT} (LIKE portal_auditevent INCLUDING DEFAULTS)")
        cursor.execute(f"INSERT INTO {FLAT} SELECT * FROM portal_auditevent")
        cursor.execute(f"ALTER TABLE {FLAT} ADD PRIMARY KEY (id)")
        for columns in ("plan_id, at DESC", "child_id, at DESC", "user_id, at DESC", "at", "child_id"):
            cursor.execute(f"CREATE INDEX ON {FLAT} ({columns})")
        load_flat = time.perf_counter() - started
        print(f"==> the same rows into one table with the same indexes in {load_flat:.1f} s "
              f"({total / load_flat:,.0f} rows/s)")  # fmt: skip
        cursor.execute("ANALYZE portal_auditevent")
        cursor.execute(f"ANALYZE {FLAT}")
        print(f"==> sizes: partitioned {size(cursor, 'portal_auditevent'):,.0f} MB, one table {size(cursor, FLAT):,.0f} MB")

        rng = random.Random(22)  # noqa: S311  (a reproducible sample of plans, not a secret)
        plans = [rng.randint(1, args.plans) for _ in range(args.queries)]
        figures = {}
        for kind, sql in (("access log", ACCESS_LOG), ("registerutdrag", EXTRACT)):
            for table in ("portal_auditevent", FLAT):
                times, counts = [], []
                for plan in plans:
                    params = [plan] if kind == "access log" else [[plan, plan + 1], plan]
                    ms, rows = timed(cursor, sql.format(table=table), params)
                    times.append(ms)
                    counts.append(len(rows))
                figures[(kind, table)] = (statistics.median(times), percentile(times, 95), statistics.mean(counts))
        print()
        print(f"{'query':16} | {'table':18} | median ms | p95 ms | rows per query")
        for (kind, table), (median, p95, rows) in figures.items():
            label = "partitioned" if table == "portal_auditevent" else "one table"
            print(f"{kind:16} | {label:18} | {median:9.2f} | {p95:6.2f} | {rows:.1f}")
        cursor.execute("EXPLAIN " + ACCESS_LOG.format(table="portal_auditevent"), [plans[0]])
        plan_text = "\n".join(r[0] for r in cursor.fetchall())
        print("\naccess log on the partitioned table, EXPLAIN (first lines):")
        print("\n".join("    " + line for line in plan_text.splitlines()[:8]))

        month = month_starts[0]
        name = partitions.partition_name(month)
        end = partitions.add_months(month, 1)
        started = time.perf_counter()
        dropped = partitions.drop_partition(name)
        drop_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        deleted = 0
        while True:
            cursor.execute(f"SELECT id FROM {FLAT} WHERE at >= %s AND at < %s ORDER BY at, id LIMIT 1000", [month, end])
            ids = [r[0] for r in cursor.fetchall()]
            if not ids:
                break
            cursor.execute(f"DELETE FROM {FLAT} WHERE id = ANY(%s)", [ids])
            deleted += cursor.rowcount
        delete_ms = (time.perf_counter() - started) * 1000
    print()
    print(f"retention, one expired month: drop_partition {dropped:,} rows in {drop_ms:,.0f} ms; "
          f"row by row (batches of 1,000) {deleted:,} rows in {delete_ms:,.0f} ms "
          f"(× {delete_ms / max(drop_ms, 0.001):,.0f})")  # fmt: skip
    started = time.perf_counter()
    pruned = audit_prune()
    print(f"audit_prune on the rest: {pruned:,} rows in {(time.perf_counter() - started) * 1000:,.0f} ms "
          f"({args.expired - 1} expired month(s) dropped as partitions)")
    print(f"load average after {load_average()}")


if __name__ == "__main__":
    main()
