"""The nightly gallring run on seeded plans (docs/lifecycle.md, "Figures"): time, statements per
removed plan and peak memory (RSS).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bsp_bench_gallring \\
        .venv/bin/python tests/bench/bench_gallring.py --plans 1000 --due 100

It creates a test database of its own (``test_`` + the name in DATABASE_URL), seeds ``--plans``
plans (``childplans.seed.seed_plans``: team, goal, assessment, actions, reviews), closes
``--due`` of them seven years ago, runs ``gallring.run`` once and destroys the database."""

import argparse
import os
import resource
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--plans", type=int, default=1000)
    parser.add_argument("--due", type=int, default=100)
    args = parser.parse_args()
    setup_test_environment()
    name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        from childplans.lifecycle import gallring, policy
        from childplans.models import ChildPlan
        from childplans.seed import seed_plans
        from networks.models import Organisation, OrganisationMembership
        from tests import factories as f

        org = f.OrganisationFactory(name="Bänkkommun", kind=Organisation.Kind.KOMMUN)
        for i in range(20):
            OrganisationMembership.objects.create(user=f.UserFactory(email=f"bank{i}@exempel.se"), organisation=org)
        started = time.perf_counter()
        seed_plans(plans=args.plans, actions=args.plans * 3, reviews=args.plans * 2)
        seeded = time.perf_counter() - started
        long_ago = timezone.localdate() - timedelta(days=365 * 7)
        due_ids = list(ChildPlan.objects.order_by("pk").values_list("pk", flat=True)[: args.due])
        ChildPlan.objects.filter(pk__in=due_ids).update(
            status=ChildPlan.Status.CLOSED, closed_on=long_ago, opened_on=long_ago - timedelta(days=100),
            close_reason="Bänk",
        )
        for plan in ChildPlan.objects.filter(pk__in=due_ids):
            plan.changes.update(at=timezone.now() - timedelta(days=365 * 7))
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as forecast_queries:
            forecast = len(policy.due_plans(timezone.localdate()))
        forecast_time = time.perf_counter() - started
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            result = gallring.run()
        elapsed = time.perf_counter() - started
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        removed = result["removed"] or 1
        print(f"database        {connection.vendor} ({name})")
        print(f"plans           {args.plans} seeded in {seeded:.1f} s, {args.due} closed 7 years ago")
        print(f"forecast        {forecast} due, {forecast_time * 1000:.0f} ms, {len(forecast_queries)} statements")
        print(f"run             {result}")
        print(f"time            {elapsed:.2f} s ({elapsed / removed * 1000:.1f} ms per removed plan)")
        print(f"statements      {len(queries)} ({len(queries) / removed:.1f} per removed plan)")
        in_db = sum(float(q["time"]) for q in queries.captured_queries)
        print(f"in the database {in_db:.2f} s (as the client saw it)")
        slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]
        for q in slowest:
            print(f"  slowest       {q['time']} s {q['sql'][:120]}")
        print(f"peak RSS        {rss_mb:.0f} MB (the whole process, seeding included)")
        print(f"left            {ChildPlan.objects.count()} plans")
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
