#!/usr/bin/env python
"""Benchmark: the notice digest run (issue 21, portal/digests.py) for 1,000 people.

    .venv/bin/python tests/bench/bench_digests.py [--people 1000] [--per-person 1 5 25]

For each number of notices per person and week: ``--people`` people (a third on the weekly
digest, hours and weekdays spread), their notices held over one week (written as the outbox
writes held rows), then the digest run every hour of the week on a moved clock (time-machine),
as the hourly beat runs it (the digests are written, not sent: a worker sends them). Prints the digests written, the run's total and slowest time, and its
queries per run — which must not grow with the notices per person. Runs on its own test database
(``DATABASE_URL``, default PostgreSQL on 127.0.0.1: ``test_bsp_bench_digests``), made and dropped here."""

import argparse
import os
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--per-person", type=int, nargs="+", default=[1, 5, 25])
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bsp_bench_digests")
    import django

    django.setup()
    import time_machine
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from portal import digests
    from portal.celery import app
    from portal.models import NoticePreference, OutboundEmail, User

    settings.NOTICE_DEFAULT_FREQUENCY = "daily"  # the product's default (test settings send at once)
    app.conf.task_always_eager = False  # the run writes digests; a worker sends them (not measured here)
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        print(f"digest run, {args.people} people, a week of hourly runs ({connection.vendor})")
        print(f"  {'notices/person':>14} {'notices':>8} {'digests':>8} {'total s':>8} {'slowest ms':>10} "
              f"{'queries/run max':>15}")
        start = datetime(2026, 12, 7, tzinfo=timezone.get_current_timezone())
        for per_person in args.per_person:
            OutboundEmail.objects.all().delete()
            User.objects.all().delete()
            users = User.objects.bulk_create(
                [User(email=f"b{i}@exempel.se", digest_hour=i % 24, digest_weekday=i % 7) for i in range(args.people)]
            )
            NoticePreference.objects.bulk_create(
                [NoticePreference(user=u, category="reviews", frequency="weekly") for u in users[::3]]
            )
            rows = []
            for i, user in enumerate(users):
                for n in range(per_person):
                    at = start + timedelta(minutes=(i * 37 + n * 101) % (7 * 24 * 60))
                    rows.append(OutboundEmail(kind="plan_review_due", recipient=user.email, object_key=f"review:{n}",
                                              status="held", created_at=at, next_attempt_at=at))
            OutboundEmail.objects.bulk_create(rows, batch_size=2000)
            total, slowest, most_queries = 0.0, 0.0, 0
            hour = start
            while hour <= start + timedelta(days=7):
                connection.queries_log.clear()
                with time_machine.travel(hour + timedelta(minutes=2), tick=False):
                    with CaptureQueriesContext(connection) as queries:
                        t0 = time.perf_counter()
                        digests.digest_run()
                        took = time.perf_counter() - t0
                total += took
                slowest = max(slowest, took)
                most_queries = max(most_queries, len(queries))
                hour += timedelta(hours=1)
            made = OutboundEmail.objects.filter(kind=digests.KIND_DIGEST).count()
            print(f"  {per_person:>14} {len(rows):>8} {made:>8} {total:>8.2f} {slowest * 1000:>10.1f} "
                  f"{most_queries:>15}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
