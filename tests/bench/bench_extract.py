#!/usr/bin/env python
"""Benchmark: a registerutdrag of the demo's richest plan (Saga's), issue 19 part 4.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bsp_bench .venv/bin/python tests/bench/bench_extract.py [--runs 5] [--extra-audit 20000]

Makes a throw-away database (Django's test database of ``DATABASE_URL``, migrated, dropped at
the end), loads the demo, and produces the extract through its service
(``childplans.lifecycle.extract.services.registerutdrag_produce``: collecting every model of the
lifecycle graph, the access log, rendering the document, JSON and CSV, zipping): the first
(cold: templates compiled, models' metadata walked) and the median of ``--runs`` more (warm),
with the queries each asks and the zip's size. Then ``--extra-audit`` audit rows are added to
the plan's access log and it is measured again: the number of queries must stay the same (the
access log is one query however long it is); the script exits 1 if it does not."""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def measure(produce, runs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        _extract, _name, content = produce()
        cold = (time.perf_counter() - start) * 1000
    queries = len(ctx.captured_queries)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        produce()
        times.append((time.perf_counter() - start) * 1000)
    return cold, statistics.median(times), queries, len(content)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--extra-audit", type=int, default=20_000)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.DEMO_TOTP_SECRET = "BARNSTODSPORTALENDEMOKOD"
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from childplans.lifecycle.extract.services import registerutdrag_produce
        from childplans.models import ChildPlan
        from portal.models import AuditEvent

        call_command("load_demo", quiet=True)
        plan = ChildPlan.objects.select_related("child").get(child__given_name="Saga")

        def produce():
            return registerutdrag_produce(plan=plan, recipient_text="barnet", made_by="bench")

        log = AuditEvent.objects.filter(plan_id=plan.pk).count()
        print(f"registerutdrag of the demo's richest plan (plan {plan.pk}), {args.runs} warm runs")
        print(f"  {'':34s} {'cold ms':>8s} {'warm ms':>8s} {'queries':>8s} {'zip KiB':>8s}")
        first = measure(produce, args.runs)
        print(f"  {f'demo ({log} audit rows)':34s} {first[0]:8.0f} {first[1]:8.0f} {first[2]:8d} {first[3] // 1024:8d}")
        AuditEvent.objects.bulk_create(
            [AuditEvent(action=AuditEvent.Action.VIEW, plan_id=plan.pk, child_id=plan.child_id,
                        user_id=plan.contact_person_id, organisation_label="Bench",
                        object_type="childplans.childplan", object_id=str(plan.pk))
             for _ in range(args.extra_audit)],
            batch_size=2000,
        )
        log = AuditEvent.objects.filter(plan_id=plan.pk).count()
        second = measure(produce, args.runs)
        print(f"  {f'+{args.extra_audit} audit rows ({log})':34s} {second[0]:8.0f} {second[1]:8.0f} {second[2]:8d} {second[3] // 1024:8d}")
        if second[2] != first[2]:
            print(f"FAIL: the query count grew with the access log ({first[2]} -> {second[2]})")
            return 1
        print("query count flat as the access log grows: ok")
        return 0
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
