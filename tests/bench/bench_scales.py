#!/usr/bin/env python
"""The county and the country side by side in one run (issue 22 §4, docs/performance.md
"National scale"): bench_childplans.py measures the county and then the country, one after the
other, and compares each page's share of /bench/fortunes_auth; when the machine's load changes
between the two parts, the yardstick moves more than the pages (it waits on PostgreSQL once, the
pages several times) and the comparison with it. Here a gunicorn per database runs side by side,
the same pages on each, rounds interleaved (the order alternates), so that drift hits both alike.
A script, not a test.

    .venv/bin/python tests/bench/bench_childplans.py --national --seed-only   # both databases, once
    .venv/bin/python tests/bench/bench_scales.py                               # cold, 3 rounds of 5 s
    .venv/bin/python tests/bench/bench_scales.py --modes cold,warm --runs 2
    .venv/bin/python tests/bench/bench_scales.py --runs 1 --duration 2 --warmup 1 --sessions 4   # smoke

The databases are bench_childplans.py's (``portal_bench_plans`` and ``..._national``), seeded by
it; this script seeds nothing but what bench_childplans.py makes for the measured person on each
run (the team meeting, the referrals, the beat's count of the indicators: idempotent). Each scale
has its own measured person (the same e-mail: the first län is seeded identically), plan, team
meeting and network. Servers: ``portal.settings.bench``, ``--workers`` sync workers; ``cold`` is
``BENCH_COLD=1`` (no kept HTML), ``warm`` as served, each scale's warm server with a Redis
database of its own (``CACHES``: the kept keys name rows by id, and both databases have the same
ids), emptied of kept HTML before the run. Per page and mode it prints the median req/s
on each scale, the median over rounds of each round's national ÷ county (budget: ≥ 70 %, cold),
and the same ratio of the page's share of fortunes_auth on its own scale's server; saves
``var/bench/results-scales.json``."""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_childplans import (  # noqa: E402  (the data, the person, the pages and the log-in)
    DEFAULT_DB,
    PAGES,
    PASSWORD,
    choose_user,
    count_indicator_figures,
    ensure_team_meeting,
    login_with_totp,
    seed_referrals_for,
    targets_for,
    use_database,
)
from run_bench import (  # noqa: E402  (servers, wrk and sessions: one copy)
    RESULTS_DIR,
    ROOT,
    add_side_by_side_arguments,
    check_machine,
    clone_sessions,
    first_requests,
    load_average,
    print_table,
    start_side_by_side,
    stop,
    warm_up,
    wrk,
)

BUDGET = 0.70  # national ÷ county, cold (issue 22 §4)
MODES = ("cold", "warm")
# Each scale's warm server keeps its HTML in a Redis database of its own: the kept keys name rows
# by id (the indicators' figures, a network), and the two databases have rows of the same ids.
CACHES = {"county": "redis://127.0.0.1:6379/3", "national": "redis://127.0.0.1:6379/4"}


def forget_kept(location):
    """Empty a warm server's cache of kept HTML before the run (what an earlier run left)."""
    import redis

    client = redis.Redis.from_url(location)
    keys = list(client.scan_iter(match="kept:*"))
    if keys:
        client.delete(*keys)


def prepare(url):
    """The measured person and pages on ``url`` (it must be seeded). Returns (user, secret, targets)."""
    use_database(url)
    from childplans.models import ChildPlan

    if not ChildPlan.objects.exists():
        sys.exit(f"{url} has no plans: seed it first (tests/bench/bench_childplans.py --national --seed-only)")
    user, plan_pk, secret = choose_user()
    meeting_pk = ensure_team_meeting(user, plan_pk)
    network_pk, _seeded = seed_referrals_for(user)
    count_indicator_figures()  # what the beat has done in a running portal
    targets = [t for t in targets_for(plan_pk, meeting_pk, network_pk) if t.key in ("fortunes_auth", *PAGES)]
    return user, secret, targets


def start(scales, modes, workers):
    specs = {
        (scale, mode): (url, {"CACHE_URL": CACHES[scale], **({"BENCH_COLD": "1"} if mode == "cold" else {})},
                        f"gunicorn-scales-{scale}-{mode}.log", f"{scale:8} {mode}")
        for scale, url in scales.items() for mode in modes
    }  # fmt: skip
    return start_side_by_side(specs, workers)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_PLANS_DATABASE_URL", DEFAULT_DB),
                        help="the county database; the country's is its name with _national")  # fmt: skip
    parser.add_argument("--modes", default="cold", help="comma-separated, of cold, warm (default cold)")
    add_side_by_side_arguments(parser, duration=5, warmup=1)
    args = parser.parse_args()
    modes = args.modes.split(",")
    if set(modes) - set(MODES):
        sys.exit(f"unknown modes: {', '.join(sorted(set(modes) - set(MODES)))}")
    load_before = check_machine()
    scales = {"county": args.database_url, "national": args.database_url + "_national"}

    people, paths = {}, {}
    for scale, url in scales.items():
        print(f"==> {scale}: {url}")
        user, secret, targets = prepare(url)
        people[scale] = (user.email, secret)
        paths[scale] = {t.key: (t.label, t.path) for t in targets}
    keys = [k for k in paths["county"] if k in paths["national"]]
    if args.only:
        keys = [k for k in keys if k in {"fortunes_auth", *args.only.split(",")}]
    if people["county"][0] != people["national"][0]:
        print(f"!!  the measured person differs: {people['national'][0]} (county: {people['county'][0]})")
    from django.db import connections

    connections.close_all()
    for location in CACHES.values():
        forget_kept(location)
    servers = start(scales, modes, args.workers)
    results = {key: {server: [] for server in servers} for key in keys}
    try:
        for scale, url in scales.items():
            use_database(url)  # the sessions are rows of each scale's own database
            email, secret = people[scale]
            mine = [s for (sc, _m), s in servers.items() if sc == scale]
            session = login_with_totp(mine[0]["port"], email, PASSWORD, secret)
            all_keys = [session, *clone_sessions(session, args.sessions * len(mine) - 1)]
            for i, s in enumerate(mine):
                s["cookies"] = [f"sessionid={k}" for k in all_keys[i * args.sessions:(i + 1) * args.sessions]]
        connections.close_all()
        print(f"==> logged in on each scale; {args.sessions} sessions per server")
        print("==> first request of each page (HTTP status per server)")
        first_requests([(key, {f"{sc}/{m}": (s["port"], paths[sc][key][1], s["cookies"][0])
                               for (sc, m), s in servers.items()}) for key in keys], width=60)  # fmt: skip
        print(f"==> warm-up ({args.warmup} s per page and server)")
        warm_up([(s["port"], paths[sc][key][1], s["cookies"]) for key in keys for (sc, _m), s in servers.items()], args)
        order = list(servers)
        for run in range(args.runs):
            print(f"==> round {run + 1}/{args.runs}")
            for key in keys:
                for server in order if run % 2 == 0 else order[::-1]:
                    s = servers[server]
                    r = wrk(s["port"], paths[server[0]][key][1], s["cookies"], duration=args.duration,
                            threads=args.threads, connections=args.connections)  # fmt: skip
                    results[key][server].append(r)
                    flag = "" if not (r["not_ok"] or r["socket_errors"]) else "  (non-200/errors!)"
                    print(f"    {key:15} {server[0]:8} {server[1]:4} {r['rps']:7.0f} req/s{flag}")
    finally:
        for s in servers.values():
            stop(s["proc"])

    header = ["page", "mode", "county req/s", "national req/s", "national ÷ county", "÷ as shares of fa", "budget"]
    rows, summary = [], {}
    for key in keys:
        for mode in modes:
            county, national = results[key][("county", mode)], results[key][("national", mode)]
            fa_c, fa_n = results["fortunes_auth"][("county", mode)], results["fortunes_auth"][("national", mode)]
            ratio = statistics.median(n["rps"] / c["rps"] for c, n in zip(county, national, strict=True) if c["rps"])
            shares = statistics.median(
                (n["rps"] / fn["rps"]) / (c["rps"] / fc["rps"])
                for c, n, fc, fn in zip(county, national, fa_c, fa_n, strict=True)
                if c["rps"] and fn["rps"] and fc["rps"]
            )
            verdict = "" if key == "fortunes_auth" or mode != "cold" else ("PASS" if ratio >= BUDGET else "MISS")
            med_c, med_n = statistics.median(r["rps"] for r in county), statistics.median(r["rps"] for r in national)
            summary.setdefault(key, {})[mode] = {"county_rps": med_c, "national_rps": med_n, "ratio": ratio,
                                                 "ratio_of_shares": shares, "runs": {"county": county,
                                                                                     "national": national}}
            rows.append([paths["county"][key][0], mode, f"{med_c:.0f}", f"{med_n:.0f}", f"{ratio:.0%}",
                         f"{shares:.0%}", verdict])  # fmt: skip
    print()
    print(f"County and country side by side, {args.runs} interleaved rounds of {args.duration} s; {os.cpu_count()} "
          f"cores, {args.workers} sync workers per server, wrk -t{args.threads} -c{args.connections}; load average "
          f"before/after {load_before} / {load_average()}")  # fmt: skip
    print_table(header, rows)
    print(f"national ÷ county: the median over rounds of each round's req/s on the national server against the "
          f"county's in the same round (budget, cold: >= {BUDGET:.0%}); as shares of fa: the same with each page "
          "first divided by fortunes_auth on its own server in that round.")  # fmt: skip
    out = RESULTS_DIR / "results-scales.json"
    out.write_text(json.dumps({"scales": scales, "pages": summary, "at": time.time(), "args": vars(args)},
                              indent=1, default=str))  # fmt: skip
    print(f"==> saved {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
