#!/usr/bin/env python
"""Benchmark the portal as docs/performance.md describes (a script, not a pytest test).

    .venv/bin/python tests/bench/run_bench.py                # county data, all pages
    .venv/bin/python tests/bench/run_bench.py --national     # national data (own database)
    .venv/bin/python tests/bench/run_bench.py --only dashboard,directory_search --runs 1

Creates (or reuses) a PostgreSQL database, migrates it, seeds it (``seed_bench``), serves the
portal with gunicorn and ``portal.settings.bench`` on 127.0.0.1 (2 x cores + 1 sync workers),
logs the bench user in through the allauth login page, warms up, then runs
``wrk -t2 -c16 -d10s --latency`` three times per page (interleaved, so drift hits every page
alike) and prints medians, ratios to the yardsticks ``/bench/plain`` and
``/bench/fortunes_auth``, server-side latency one request at a time, and the number of
queries per page (Django's test client in this process against the same database), each
against its budget. Load only ever goes to loopback and every run is bounded in time.

See tests/bench/README.md."""

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
LUA = HERE / "report.lua"
RESULTS_DIR = ROOT / "var" / "bench"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/portal_bench"

# docs/performance.md "Budgets": throughput as a share of /bench/plain, queries per request
# (auth included), server-side p95 one request at a time (ms).
BUDGETS = {
    "detail": {"share": 0.10, "queries": 8, "p95_ms": 100},
    "list": {"share": 0.08, "queries": 10, "p95_ms": 100},
    "dashboard": {"share": 0.04, "queries": 15, "p95_ms": 250},
}
NATIONAL_SHARE_OF_COUNTY = 0.70  # the dashboard with national data vs county data
MAX_LATENCY_MS = 1000  # any request
MAX_QUERIES = 30  # any request


@dataclass
class Target:
    key: str
    label: str
    path: str
    kind: str  # "yardstick" or a BUDGETS key
    status: int | None = None
    runs: list = field(default_factory=list)
    sequential_ms: list = field(default_factory=list)
    queries: int | None = None
    query_status: int | None = None

    def median(self, name):
        values = [run[name] for run in self.runs]
        return statistics.median(values) if values else None


# --- the database --------------------------------------------------------------------------


def ensure_database(url, fresh):
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        sys.exit(f"unexpected database name {name!r}")
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"==> created database {name}")


def prepare_django(url, scale):
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.bench"
    os.environ["DATABASE_URL"] = url
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import CommandError, call_command

    print("==> migrate")
    call_command("migrate", verbosity=0, interactive=False)
    print(f"==> seed_bench --scale {scale}")
    try:
        call_command("seed_bench", scale=scale)
    except CommandError as exc:
        print(f"    {exc} -> reseeding with --reset (slow at national size; --fresh is faster)")
        call_command("seed_bench", scale=scale, reset=True)


def discover_targets():
    """The pages of docs/performance.md for the bench user, with URLs from the fixed URL names."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.urls import reverse

    from networks.management.commands.seed_bench import BENCH_EMAIL, current_counts
    from networks.models import Network, NetworkMembership

    user = get_user_model().objects.get(email=BENCH_EMAIL)
    memberships = NetworkMembership.objects.filter(user=user).select_related("network")
    regional = next(
        m.network
        for m in memberships
        if m.role == NetworkMembership.Role.COORDINATOR and m.network.kind == Network.Kind.REGIONAL
    )
    local = next(m.network for m in memberships if m.network.kind == Network.Kind.LOCAL)
    kommun_id = local.kommun_id
    counts = current_counts()
    connection.close()
    targets = [
        Target("plain", "/bench/plain (yardstick)", "/bench/plain", "yardstick"),
        Target("fortunes_auth", "/bench/fortunes_auth (yardstick)", "/bench/fortunes_auth", "yardstick"),
        Target("dashboard", "dashboard /", reverse("dashboard"), "dashboard"),
        Target("network_detail", "network detail (regional)", reverse("network_detail", args=[regional.pk]), "detail"),
        Target("network_detail_local", "network detail (local)", reverse("network_detail", args=[local.pk]), "detail"),
        Target("regional_overview", "regional overview", reverse("network_overview", args=[regional.pk]), "list"),
        Target("network_list", "network list", reverse("network_list"), "list"),
        Target("directory_search", "directory ?q=familj", reverse("directory_search") + "?q=familj", "list"),
        Target(
            "directory_kommun",
            "directory ?q=familj&kommun",
            reverse("directory_search") + f"?q=familj&kommun={kommun_id}",
            "list",
        ),
    ]
    return targets, counts


# --- HTTP on loopback ------------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(port, path, *, method="GET", cookie="", body=None, headers=None, timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    all_headers = {"Host": f"127.0.0.1:{port}"}
    if cookie:
        all_headers["Cookie"] = cookie
    all_headers.update(headers or {})
    try:
        conn.request(method, path, body=body, headers=all_headers)
        response = conn.getresponse()
        data = response.read()
        return response.status, response.getheaders(), data
    finally:
        conn.close()


def cookies_from(headers):
    jar = {}
    for name, value in headers:
        if name.lower() == "set-cookie":
            pair = value.split(";", 1)[0]
            key, _, val = pair.partition("=")
            jar[key.strip()] = val.strip()
    return jar


def login(port, email, password):
    """Log in through the allauth page like a browser: GET for the CSRF token, then POST.
    Returns the Cookie header value of the new session."""
    login_path = "/konto/login/"
    for _attempt in range(8):
        status, headers, body = request(port, login_path)
        if status != 429:
            break
        time.sleep(10)  # allauth's login rate limit (per IP, per minute) from an earlier run
    if status != 200:
        raise RuntimeError(f"GET {login_path} answered {status}")
    jar = cookies_from(headers)
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if not match or "csrftoken" not in jar:
        raise RuntimeError("no CSRF token on the login page")
    form = urllib.parse.urlencode(
        {"login": email, "password": password, "csrfmiddlewaretoken": match.group(1).decode()}
    )
    status, headers, _body = request(
        port,
        login_path,
        method="POST",
        cookie=f"csrftoken={jar['csrftoken']}",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://127.0.0.1:{port}{login_path}",
        },
    )
    jar.update(cookies_from(headers))
    if status != 302 or "sessionid" not in jar:
        raise RuntimeError(f"login failed: POST answered {status}")
    return f"sessionid={jar['sessionid']}; csrftoken={jar['csrftoken']}"


def start_gunicorn(port, workers, url, log_path):
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="portal.settings.bench", DATABASE_URL=url)
    log = open(log_path, "w")  # noqa: SIM115 (kept open for the server's lifetime)
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "portal.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class", "sync",
            "--timeout", "30", "--graceful-timeout", "5", "--log-level", "warning",
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}; see {log_path}")
        try:
            if request(port, "/halsa/", timeout=2)[0] == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.3)
    stop(proc)
    raise RuntimeError(f"gunicorn did not answer within 60 s; see {log_path}")


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- measuring -------------------------------------------------------------------------------


def wrk(port, path, cookies, *, duration, threads, connections):
    """One wrk run; the requests rotate over ``cookies`` (none: anonymous)."""
    cmd = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s",
        "-s", str(LUA), f"http://127.0.0.1:{port}{path}", "--", str(threads), *cookies,
    ]  # fmt: skip
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 30, check=False)
    drain(port)
    match = re.search(r"^BENCH_JSON (.*)$", out.stdout, re.MULTILINE)
    if not match:
        raise RuntimeError(f"wrk printed no summary: {out.stdout[-500:]} {out.stderr[-500:]}")
    data = json.loads(match.group(1))
    seconds = data["duration_us"] / 1e6
    return {
        "rps": data["requests"] / seconds if seconds else 0.0,
        "p50_ms": data["p50_us"] / 1000,
        "p95_ms": data["p95_us"] / 1000,
        "p99_ms": data["p99_us"] / 1000,
        "max_ms": data["max_us"] / 1000,
        "not_ok": data["not_ok"],
        "socket_errors": data["socket_errors"],
        "requests": data["requests"],
    }


def drain(port):
    """Wait until gunicorn has worked off what the last wrk run left in its listen backlog
    (sync workers finish requests whose client already left), so the next run starts clean."""
    deadline = time.monotonic() + 60
    quick = 0
    while quick < 2 and time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            request(port, "/bench/plain", timeout=30)
        except OSError:
            continue
        quick = quick + 1 if time.perf_counter() - started < 0.5 else 0


def sequential(port, path, cookie, count):
    """Server-side latency one request at a time (new connection each: sync workers close)."""
    times = []
    for _ in range(count):
        started = time.perf_counter()
        status, _headers, _body = request(port, path, cookie=cookie)
        times.append((time.perf_counter() - started) * 1000)
        if status != 200:
            break
    return times


def percentile(values, pct):
    if not values:
        return None
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def count_queries(targets, session_cookie):
    """Queries per request, in this process against the same database, with the same session.
    The second request of each page is counted (the first may fill per-session state)."""
    import warnings

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic

    client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
    client.cookies["sessionid"] = re.search(r"sessionid=([^;]+)", session_cookie).group(1)
    anonymous = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
    for target in targets:
        c = anonymous if target.key == "plain" else client
        c.get(target.path)
        with CaptureQueriesContext(connection) as ctx:
            response = c.get(target.path)
        # Transaction control (BEGIN/COMMIT/SAVEPOINT around the session save) is not a query.
        statements = [q["sql"] for q in ctx.captured_queries]
        target.queries = sum(
            1 for sql in statements
            if not sql.upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"))
        )
        target.query_status = response.status_code
    connection.close()


# --- the report -----------------------------------------------------------------------------


def fmt(value, spec=".1f", suffix=""):
    return "–" if value is None else f"{value:{spec}}{suffix}"


def verdicts(target, plain_rps):
    if target.kind == "yardstick":
        return "yardstick" if target.status == 200 else f"HTTP {target.status}"
    if target.status != 200:
        return f"n/a (HTTP {target.status})"
    budget = BUDGETS[target.kind]
    misses = []
    share = target.median("rps") / plain_rps if plain_rps else 0
    if share < budget["share"]:
        misses.append(f"throughput {share:.1%} < {budget['share']:.0%}")
    if target.queries is None or target.queries > budget["queries"]:
        misses.append(f"queries {target.queries} > {budget['queries']}")
    seq_p95 = percentile(target.sequential_ms, 95)
    if seq_p95 is None or seq_p95 > budget["p95_ms"]:
        misses.append(f"p95 1-at-a-time {fmt(seq_p95)} ms > {budget['p95_ms']}")
    worst_loaded = max(run["max_ms"] for run in target.runs)
    worst_alone = max(target.sequential_ms)
    if worst_alone > MAX_LATENCY_MS:
        misses.append(f"a request alone took {worst_alone:.0f} ms")
    if worst_loaded > MAX_LATENCY_MS:
        misses.append(f"a request under load took {worst_loaded:.0f} ms")
    not_ok = sum(run["not_ok"] for run in target.runs)
    errors = sum(run["socket_errors"] for run in target.runs)
    if not_ok or errors:
        misses.append(f"under load {not_ok} non-200 answers, {errors} socket errors/timeouts")
    return "PASS" if not misses else "MISS: " + "; ".join(misses)


def report(targets, scale, args, counts, workers):
    by_key = {t.key: t for t in targets}
    plain = by_key["plain"].median("rps")
    fortunes = by_key["fortunes_auth"].median("rps")
    header = [
        "page", "HTTP", "req/s", "p50 ms", "p95 ms", "max ms", "% plain", "% fortunes",
        "budget", "1-at-a-time p95", "queries", "verdict",
    ]  # fmt: skip
    rows = []
    for t in targets:
        rps = t.median("rps")
        budget = BUDGETS.get(t.kind)
        budget_text = (
            f">={budget['share']:.0%} plain, <={budget['queries']} q, p95<={budget['p95_ms']} ms"
            if budget
            else ""
        )
        rows.append(
            [
                t.label,
                str(t.status),
                fmt(rps, ".0f"),
                fmt(t.median("p50_ms"), ".2f"),
                fmt(t.median("p95_ms"), ".2f"),
                fmt(max((r["max_ms"] for r in t.runs), default=None), ".0f"),
                fmt(rps / plain * 100 if rps is not None and plain else None, ".1f", " %"),
                fmt(rps / fortunes * 100 if rps is not None and fortunes else None, ".0f", " %"),
                budget_text,
                fmt(percentile(t.sequential_ms, 95), ".1f", " ms"),
                "–" if t.queries is None else f"{t.queries}" + ("" if t.query_status == 200 else f" ({t.query_status})"),
                verdicts(t, plain),
            ]
        )
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells):
        return " | ".join(str(c).ljust(widths[i]) for i, c in enumerate(cells)).rstrip()

    print()
    print(
        f"Barnstödsportalen benchmark — scale {scale} ({counts}), "
        f"{'NO fragments kept (every page rendered afresh)' if os.environ.get('BENCH_NO_FRAGMENTS') else 'fragments kept'}, "
        f"{os.cpu_count()} cores, "
        f"gunicorn {workers} sync workers, wrk -t{args.threads} -c{args.connections} "
        f"-d{args.duration}s x {args.runs} runs (medians; req/s, p50, p95 and max under load), "
        f"{args.sequential} requests one at a time for the 1-at-a-time p95; "
        f"load average before/after: {args.load_before} / {load_average()}"
    )
    print(line(header))
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(line(row))
    print()
    return rows


def compare_with_county(targets):
    """National run: each page's throughput relative to /bench/fortunes_auth against the county
    run's (docs/performance.md: the dashboard with national data keeps >= 70 % of its county
    throughput). fortunes_auth does the same kind of work (session, a query, a template), so
    it cancels machine drift better than plain, whose share swings most on a busy machine."""
    county_file = RESULTS_DIR / "results-county.json"
    if not county_file.exists():
        print("(no county results in var/bench/ to compare with; run the county benchmark first)")
        return
    county = json.loads(county_file.read_text())
    fortunes = next(t for t in targets if t.key == "fortunes_auth").median("rps")
    print("National vs county (throughput relative to /bench/fortunes_auth in each run):")
    for t in targets:
        before = county.get("pages", {}).get(t.key)
        if t.kind == "yardstick" or not before or not before.get("share_fortunes") or not fortunes:
            continue
        if t.median("rps") is None:
            continue
        ratio = (t.median("rps") / fortunes) / before["share_fortunes"]
        budget = " (budget >= 70 %: " + ("PASS" if ratio >= NATIONAL_SHARE_OF_COUNTY else "MISS") + ")"
        print(f"  {t.label:32} {ratio:6.0%} of county" + (budget if t.kind == "dashboard" else ""))
    print()


def load_average():
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def save(targets, scale, counts):
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    plain = next(t for t in targets if t.key == "plain").median("rps")
    fortunes = next(t for t in targets if t.key == "fortunes_auth").median("rps")
    pages = {}
    for t in targets:
        rps = t.median("rps")
        pages[t.key] = {
            "path": t.path,
            "status": t.status,
            "rps": rps,
            "share": rps / plain if rps and plain else None,
            "share_fortunes": rps / fortunes if rps and fortunes else None,
            "p50_ms": t.median("p50_ms"),
            "p95_ms": t.median("p95_ms"),
            "sequential_p95_ms": percentile(t.sequential_ms, 95),
            "queries": t.queries,
            "runs": t.runs,
        }
    suffix = "-no-fragments" if os.environ.get("BENCH_NO_FRAGMENTS") else ""
    path = RESULTS_DIR / f"results-{scale}{suffix}.json"
    path.write_text(json.dumps({"scale": scale, "counts": counts, "at": time.time(), "pages": pages}, indent=1))
    print(f"(results saved to {path.relative_to(ROOT)})")


# --- main ------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--national", action="store_true", help="national data (~22 x county), own database")
    parser.add_argument("--database-url", help=f"PostgreSQL URL (default {DEFAULT_DB}, _national suffix with --national)")
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database first")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (default 10)")
    parser.add_argument("--runs", type=int, default=3, help="wrk runs per page (default 3)")
    parser.add_argument("--only", help="comma-separated page keys (the yardsticks always run)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--sequential", type=int, default=200, help="requests one at a time per page")
    parser.add_argument(
        "--sessions", type=int, default=16, help="logged-in sessions the requests rotate over (default 16)"
    )
    parser.add_argument("--warmup", type=int, default=2, help="seconds of wrk warm-up per page")
    parser.add_argument(
        "--no-fragments", action="store_true",
        help="keep no rendered fragments (portal/fragments.py): every request renders its page afresh",
    )
    args = parser.parse_args()
    if args.no_fragments:  # read by portal/settings/bench.py, here and in gunicorn's environment
        os.environ["BENCH_NO_FRAGMENTS"] = "1"

    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (Debian package wrk)")
    args.load_before = load_average()
    if os.getloadavg()[0] > (os.cpu_count() or 1):
        print(f"!!  load average {args.load_before} on {os.cpu_count()} cores: figures will be low and noisy")
    scale = "national" if args.national else "county"
    url = args.database_url or os.environ.get("BENCH_DATABASE_URL") or (
        DEFAULT_DB + ("_national" if args.national else "")
    )
    print(f"==> database {url}")
    ensure_database(url, args.fresh)
    prepare_django(url, scale)
    targets, counts = discover_targets()
    if args.only:
        wanted = {key.strip() for key in args.only.split(",")}
        unknown = wanted - {t.key for t in targets}
        if unknown:
            sys.exit(f"unknown page(s) {sorted(unknown)}; choose from {[t.key for t in targets]}")
        targets = [t for t in targets if t.kind == "yardstick" or t.key in wanted]

    from networks.management.commands.seed_bench import BENCH_EMAIL, BENCH_PASSWORD

    port = free_port()
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    log_path = RESULTS_DIR / "gunicorn.log"
    print(f"==> gunicorn on 127.0.0.1:{port} with {args.workers} sync workers (log {log_path.relative_to(ROOT)})")
    proc = start_gunicorn(port, args.workers, url, log_path)
    try:
        sessions = [login(port, BENCH_EMAIL, BENCH_PASSWORD) for _ in range(args.sessions)]
        cookie = sessions[0]
        print(f"==> logged in as {BENCH_EMAIL} ({len(sessions)} sessions)")
        for t in targets:
            t.status = request(port, t.path, cookie="" if t.key == "plain" else cookie)[0]
            print(f"    {t.status} {t.path}")
        live = [t for t in targets if t.status == 200]

        def cookies_for(t):
            return [] if t.key == "plain" else sessions  # plain: anonymous, as in TechEmpower

        print(f"==> warm-up ({args.warmup} s per page)")
        for t in live:
            wrk(port, t.path, cookies_for(t), duration=args.warmup, threads=args.threads, connections=args.connections)
        for run in range(1, args.runs + 1):
            print(f"==> run {run}/{args.runs}")
            for t in live:
                result = wrk(
                    port, t.path, cookies_for(t), duration=args.duration, threads=args.threads,
                    connections=args.connections,
                )  # fmt: skip
                t.runs.append(result)
                flag = "" if not (result["not_ok"] or result["socket_errors"]) else "  (non-200/errors!)"
                print(f"    {t.key:22} {result['rps']:8.0f} req/s  p50 {result['p50_ms']:.2f} ms  "
                      f"p95 {result['p95_ms']:.2f} ms{flag}")  # fmt: skip
        print(f"==> {args.sequential} requests one at a time per page")
        for t in live:
            t.sequential_ms = sequential(port, t.path, "" if t.key == "plain" else cookie, args.sequential)
        if request(port, "/bench/fortunes_auth", cookie=cookie)[0] != 200:
            print("!!  the session did not survive the run; figures for logged-in pages are suspect")
    finally:
        stop(proc)
    print("==> queries per page (Django test client, same database and session)")
    count_queries(targets, cookie)
    report(targets, scale, args, counts, args.workers)
    if args.national:
        compare_with_county(targets)
    if not args.only:
        save(targets, scale, counts)


if __name__ == "__main__":
    main()
