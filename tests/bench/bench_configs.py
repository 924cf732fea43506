#!/usr/bin/env python
"""Compare database configurations in one run (issue 22, docs/performance.md "Prepared statements"):
several cold gunicorns side by side, one per configuration, the same pages on each, rounds
interleaved, so that the machine's drift (± 40 % between runs here) hits every configuration
alike. A script, not a test.

    .venv/bin/python tests/bench/bench_configs.py                              # none, t5, t5_ssb
    .venv/bin/python tests/bench/bench_configs.py --configs none,t5_ssb --runs 2 --duration 5
    .venv/bin/python tests/bench/bench_configs.py --runs 1 --duration 2 --warmup 1 --sessions 4   # smoke

Configurations (environment of each gunicorn; portal/settings/database.py reads them):

- ``none``   — ``DB_PREPARE_THRESHOLD=`` (psycopg never prepares), client-side binding: Django's
  own default;
- ``t5``     — ``DB_PREPARE_THRESHOLD=5``, client-side binding;
- ``t5_ssb`` — ``DB_PREPARE_THRESHOLD=5``, ``DB_SERVER_SIDE_BINDING=true``: the portal's default;
- ``ssb``    — server-side binding alone (not prepared).

The data and the measured person are bench_childplans.py's (its own database, default
``postgres://postgres@127.0.0.1:5432/portal_bench_configs``, seeded as that script seeds its
county: ``seed_bench --scale county``, ``seed_childplans``, the referrals): the plan page, Min
översikt, the referral inbox and the indicators of bench_childplans.py, the network list and the
regional network's page of run_bench.py, and the yardstick ``/bench/fortunes_auth``. Every server
is cold (``BENCH_COLD=1``: no kept HTML), ``portal.settings.bench``, ``--workers`` sync workers.
The person logs in once (password and TOTP, as bench_childplans.py does); the session is copied,
so every server's requests rotate over sessions of their own.

Per round, page by page, each configuration in turn (the order rotates between rounds):
``wrk -t2 -c16 -d<duration>s``; around each run the CPU time of that gunicorn (master and
workers) and of its PostgreSQL backends (found by ``application_name``: each gunicorn gets
``PGAPPNAME=bench_cfg_<name>``) is read from /proc, so CPU ms per request is split into the app
and the database. Prints per page and configuration the median req/s, the median of the
per-round ratios to the first configuration, and CPU ms per request; saves
``var/bench/results-configs.json``. PostgreSQL must run on this machine for the database's CPU
(otherwise that column is empty)."""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_childplans import (  # noqa: E402  (the data, the person and the log-in of the plan bench)
    PASSWORD,
    RUN_BENCH_DATABASES,
    choose_user,
    count_indicator_figures,
    login_with_totp,
    seed_county,
    seed_referrals_for,
    use_database,
)
from run_bench import (  # noqa: E402  (servers, wrk and sessions: one copy)
    RESULTS_DIR,
    ROOT,
    add_side_by_side_arguments,
    check_machine,
    clone_sessions,
    ensure_database,
    first_requests,
    load_average,
    print_table,
    start_side_by_side,
    stop,
    warm_up,
    wrk,
)

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/portal_bench_configs"
CONFIGS = {
    "none": {"DB_PREPARE_THRESHOLD": "", "DB_SERVER_SIDE_BINDING": "false"},
    "t5": {"DB_PREPARE_THRESHOLD": "5", "DB_SERVER_SIDE_BINDING": "false"},
    "t5_ssb": {"DB_PREPARE_THRESHOLD": "5", "DB_SERVER_SIDE_BINDING": "true"},
    "ssb": {"DB_PREPARE_THRESHOLD": "", "DB_SERVER_SIDE_BINDING": "true"},
}
TICK = os.sysconf("SC_CLK_TCK")


def pages(user, plan_pk):
    """(key, path) of the measured pages for the chosen person."""
    from django.urls import reverse

    from networks.models import Network, NetworkMembership

    # The regional network's page (run_bench.py's "network detail (regional)"): the person takes
    # part in the regional network of their län (made once, through the ORM, if missing).
    regional = Network.objects.filter(kind=Network.Kind.REGIONAL, lan__code="06").order_by("pk").first()
    if not Network.objects.visible_to(user).filter(pk=regional.pk).exists():
        own = NetworkMembership.objects.filter(user=user).first()
        NetworkMembership.objects.create(network=regional, user=user, organisation_id=own.organisation_id,
                                         role=NetworkMembership.Role.PARTICIPANT)  # fmt: skip
    return [
        ("fortunes_auth", "/bench/fortunes_auth"),
        ("plan", reverse("childplans:plan_detail", args=[plan_pk])),
        ("dashboard", reverse("dashboard")),
        ("inbox", reverse("childplans:referral_inbox")),
        ("network_list", reverse("network_list")),
        ("indicators", reverse("childplans:indicators")),
        ("regional", reverse("network_detail", args=[regional.pk])),
    ]


# --- CPU time from /proc ----------------------------------------------------------------------------


def _ticks(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)


def _children(pid):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    return found


def app_cpu_seconds(master):
    return sum(_ticks(p) for p in [master, *_children(master)]) / TICK


def db_cpu_seconds(name):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s", [f"bench_cfg_{name}"])
        pids = [row[0] for row in cursor.fetchall()]
    return sum(_ticks(p) for p in pids) / TICK


# --- the run ---------------------------------------------------------------------------------------


def start_all(names, url, workers):
    specs = {
        name: (url, {"BENCH_COLD": "1", "PGAPPNAME": f"bench_cfg_{name}", **CONFIGS[name]}, f"gunicorn-config-{name}.log",
               f"{name:7} cold, {' '.join(f'{k}={v!r}' for k, v in CONFIGS[name].items())},")
        for name in names
    }  # fmt: skip
    return start_side_by_side(specs, workers)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_CONFIGS_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--configs", default="none,t5,t5_ssb", help=f"comma-separated, of {', '.join(CONFIGS)}")
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database first")
    add_side_by_side_arguments(parser, duration=10, warmup=2)
    args = parser.parse_args()
    names = args.configs.split(",")
    unknown = set(names) - set(CONFIGS)
    if unknown:
        sys.exit(f"unknown configurations: {', '.join(sorted(unknown))}")
    load_before = check_machine()

    url = args.database_url
    print(f"==> database {url}")
    ensure_database(url, args.fresh, reserved=(*RUN_BENCH_DATABASES, "portal_bench_plans"))
    use_database(url)
    seed_county()
    user, plan_pk, secret = choose_user()
    seed_referrals_for(user)
    count_indicator_figures()  # what the beat has done in a running portal
    targets = pages(user, plan_pk)
    if args.only:
        keep = {"fortunes_auth", *args.only.split(",")}
        targets = [t for t in targets if t[0] in keep]
    from django.db import connections

    connections.close_all()
    servers = start_all(names, url, args.workers)
    results = {key: {name: [] for name in names} for key, _ in targets}
    try:
        first = servers[names[0]]["port"]
        key = login_with_totp(first, user.email, PASSWORD, secret)
        all_keys = [key, *clone_sessions(key, args.sessions * len(names) - 1)]
        for i, name in enumerate(names):
            servers[name]["cookies"] = [f"sessionid={k}" for k in all_keys[i * args.sessions:(i + 1) * args.sessions]]
        print(f"==> logged in once as {user.email}; {args.sessions} sessions per server")
        print("==> first request of each page (HTTP status per configuration)")
        first_requests([(path, {n: (s["port"], path, s["cookies"][0]) for n, s in servers.items()})
                        for _page, path in targets])  # fmt: skip
        print(f"==> warm-up ({args.warmup} s per page and server)")
        warm_up([(s["port"], path, s["cookies"]) for _page, path in targets for s in servers.values()], args)
        for run in range(args.runs):
            print(f"==> round {run + 1}/{args.runs}")
            order = names[run % len(names):] + names[:run % len(names)]
            for page, path in targets:
                for name in order:
                    s = servers[name]
                    app0, db0 = app_cpu_seconds(s["proc"].pid), db_cpu_seconds(name)
                    r = wrk(s["port"], path, s["cookies"], duration=args.duration, threads=args.threads,
                            connections=args.connections)  # fmt: skip
                    app1, db1 = app_cpu_seconds(s["proc"].pid), db_cpu_seconds(name)
                    n = max(1, r["requests"])
                    r.update(app_cpu_ms=(app1 - app0) * 1000 / n, db_cpu_ms=max(0.0, db1 - db0) * 1000 / n, round=run)
                    results[page][name].append(r)
                    flag = "" if not (r["not_ok"] or r["socket_errors"]) else "  (non-200/errors!)"
                    print(f"    {page:14} {name:7} {r['rps']:7.0f} req/s  app {r['app_cpu_ms']:6.2f} ms  "
                          f"db {r['db_cpu_ms']:5.2f} ms CPU/request{flag}")  # fmt: skip
    finally:
        for s in servers.values():
            stop(s["proc"])

    base = names[0]
    header = ["page", *[f"{n} req/s" for n in names], *[f"{n}/{base}" for n in names[1:]],
              *[f"{n} CPU ms app+db" for n in names]]  # fmt: skip
    rows = []
    summary = {}
    for page, path in targets:
        per = results[page]
        med = {n: statistics.median(r["rps"] for r in per[n]) for n in names}
        ratios = {
            n: statistics.median(b["rps"] / a["rps"] for a, b in zip(per[base], per[n], strict=True) if a["rps"])
            for n in names[1:]
        }
        cpu = {n: (statistics.median(r["app_cpu_ms"] for r in per[n]), statistics.median(r["db_cpu_ms"] for r in per[n]))
               for n in names}  # fmt: skip
        summary[page] = {"path": path, "rps": med, "ratio_to_" + base: ratios, "cpu_ms": cpu, "runs": per}
        rows.append([page, *[f"{med[n]:.0f}" for n in names], *[f"× {ratios[n]:.2f}" for n in names[1:]],
                     *[f"{cpu[n][0]:.1f} + {cpu[n][1]:.1f}" for n in names]])  # fmt: skip
    print()
    print(f"Database configurations side by side, cold servers, {args.runs} interleaved rounds of {args.duration} s; "
          f"{os.cpu_count()} cores, {args.workers} sync workers per server, wrk -t{args.threads} -c{args.connections}; "
          f"load average before/after {load_before} / {load_average()}")  # fmt: skip
    print_table(header, rows)
    print(f"ratios: the median over rounds of each round's req/s against {base}'s in the same round; "
          "CPU ms per request: the gunicorn (master and workers) + its PostgreSQL backends, medians.")  # fmt: skip
    out = RESULTS_DIR / "results-configs.json"
    out.write_text(json.dumps({"configs": {n: CONFIGS[n] for n in names}, "pages": summary, "at": time.time(),
                               "args": vars(args)}, indent=1, default=str))  # fmt: skip
    print(f"==> saved {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
