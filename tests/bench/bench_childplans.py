#!/usr/bin/env python
"""Benchmark the child-plan pages of issue 4 as docs/performance.md describes (a script, not a test).

    .venv/bin/python tests/bench/bench_childplans.py               # county data
    .venv/bin/python tests/bench/bench_childplans.py --national    # then national data too

County: a PostgreSQL database (default postgres://postgres@127.0.0.1:5432/portal_bench_plans) is
created if missing, migrated and seeded: ``seed_bench --scale county`` (people, organisations,
networks of one län) and ``seed_childplans`` (5,000 plans, 50,000 actions, 20,000 reviews);
both are skipped when the data is already there. The portal is served by gunicorn with
``portal.settings.bench`` (5 sync workers) on 127.0.0.1 and a free port.

The measured user is a seeded network coordinator who is the contact person of plans and
responsible for open actions (so the plan page, the dashboard with "Mina insatser" and the
indicators page all have something to show). The script gives that user a password and, if
missing, a TOTP authenticator through the ORM, then logs in over HTTP like a browser:
allauth's login form, then allauth's two-step form with the authenticator's current code.
That one real session is copied into 15 more sessions (same session data, new keys), so that
wrk's 16 connections do not all queue on one ``django_session`` row
(``SESSION_SAVE_EVERY_REQUEST``). Every request still passes the MFA middleware's database
check, the team check and writes its audit row.

Then ``wrk -t2 -c16 -d10s --latency`` three times per page, interleaved: the yardsticks
``/bench/plain`` and ``/bench/fortunes_auth``, the plan page, the dashboard and the indicators
page; 50 requests one at a time per page for the server-side p95; and the queries per request
(Django's test client in this process, same database and session, CaptureQueriesContext,
second request counted). Prints medians, ratios and PASS/MISS against docs/performance.md.

``--national`` then builds a second database (``..._national``): ``seed_bench --scale
national`` (21 län) and ~22 x the county's plans spread over every län (``--national-plans``,
default 110,000 with 10 actions and 4 reviews each; no new län is started after
``--seed-minutes``, 5 by default, and a rerun resumes), and measures the same dashboard for the
same seeded person (same e-mail: the first län is seeded identically) against its county
throughput (budget: >= 70 %, compared as shares of /bench/plain so machine drift cancels).

Load only ever goes to loopback and every run is bounded in time."""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from run_bench import (  # noqa: E402  (the same gunicorn/wrk helpers and budgets)
    BUDGETS,
    MAX_LATENCY_MS,
    MAX_QUERIES,
    NATIONAL_SHARE_OF_COUNTY,
    drain,
    fmt,
    free_port,
    load_average,
    percentile,
    request,
    sequential,
    start_gunicorn,
    stop,
)

RESULTS_DIR = ROOT / "var" / "bench"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/portal_bench_plans"
PASSWORD = "bench-planer-losenord-2025"
COUNTY = {"plans": 5000, "actions": 50000, "reviews": 20000}

# docs/performance.md: share of /bench/plain, queries per request (auth included), p95 one at a
# time. The indicators page (13 kommuner and the län, counts only) is held to the list budget.
# (BUDGETS and the server/wrk helpers are shared with run_bench.py, imported above.)
# Django logs transaction control as queries on PostgreSQL; they are counted apart (as
# tests/childplans/test_queries.py leaves out savepoints) and shown as "+n tx".
TX_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT)\b", re.IGNORECASE)

WRK_LUA = r"""
-- Rotates the Cookie headers given after "--" (first argument: number of threads), counts
-- answers that are not 200 and prints one JSON line with the percentiles.
local threads = {}
local counter = 0
function setup(thread)
  thread:set("id", counter); counter = counter + 1; table.insert(threads, thread)
end
function init(args)
  not_ok = 0; reqs = {}
  local n = tonumber(args[1]) or 1
  local cookies = {}
  for i = 2, #args do table.insert(cookies, args[i]) end
  for i, c in ipairs(cookies) do
    if (i - 1) % n == id % n then table.insert(reqs, wrk.format(nil, nil, { Cookie = c })) end
  end
  if #reqs == 0 then
    if #cookies > 0 then table.insert(reqs, wrk.format(nil, nil, { Cookie = cookies[1] }))
    else table.insert(reqs, wrk.format()) end
  end
  nxt = 0
end
function request() nxt = nxt % #reqs + 1; return reqs[nxt] end
function response(status, headers, body) if status ~= 200 then not_ok = not_ok + 1 end end
function done(s, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("not_ok") end
  local e = s.errors
  io.write(string.format('BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, '
    .. '"p99_us": %d, "max_us": %d, "not_ok": %d, "socket_errors": %d}\n', s.requests, s.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, bad,
    e.connect + e.read + e.write + e.timeout))
end
"""


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
    tx_statements: int = 0
    query_status: int | None = None

    def median(self, name):
        values = [run[name] for run in self.runs]
        return statistics.median(values) if values else None


# --- database and data -----------------------------------------------------------------------


def ensure_database(url, fresh=False):
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        sys.exit(f"unexpected database name {name!r}")
    if name in ("portal_bench", "portal_bench_national"):
        sys.exit(f"{name} belongs to tests/bench/run_bench.py; use another database")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"==> created database {name}")


def use_database(url):
    """Point this process's Django at ``url`` (set up on first use, switched afterwards)."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.bench"
    os.environ["DATABASE_URL"] = url
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    if not getattr(use_database, "done", False):
        django.setup()
        use_database.done = True
    from django.db import connections

    connections.close_all()
    parts = urllib.parse.urlsplit(url)
    settings.DATABASES["default"]["NAME"] = parts.path.lstrip("/")
    connections["default"].settings_dict["NAME"] = parts.path.lstrip("/")


def seed_county():
    from django.core.management import call_command

    from childplans.models import ChildPlan

    print("==> migrate")
    call_command("migrate", verbosity=0, interactive=False)
    print("==> seed_bench --scale county")
    call_command("seed_bench", scale="county")
    have = ChildPlan.objects.count()
    if have == 0:
        print("==> seed_childplans (5,000 plans, 50,000 actions, 20,000 reviews)")
        started = time.monotonic()
        call_command("seed_childplans", **COUNTY)
        analyze()
        print(f"    {time.monotonic() - started:.0f} s")
    else:
        print(f"    {have} plans already seeded; not seeding again")
        analyze()  # bulk-loaded tables need fresh statistics, or the planner picks seq scans


def seed_national(total_plans, seconds):
    """seed_bench national, then plans spread over the län by their plan-keeping members, one
    transaction per län (a county's worth at a time). A län that already has plans is kept
    (so an interrupted or time-bounded seeding resumes); no new län is started after
    ``seconds``. Returns the number of plans."""
    from django.core.management import call_command
    from django.db.models import Count

    from childplans.models import ChildPlan, PlanKeepingKind
    from childplans.seed import seed_plans
    from networks.models import Lan, OrganisationMembership

    print("==> migrate")
    call_command("migrate", verbosity=0, interactive=False)
    print("==> seed_bench --scale national")
    call_command("seed_bench", scale="national")
    keeping = OrganisationMembership.objects.filter(
        organisation__kind__in=PlanKeepingKind.objects.values("kind")
    ).order_by("pk")
    lans = list(Lan.objects.annotate(n=Count("kommuner")).values_list("pk", "code", "n"))
    lans.sort(key=lambda lan: (lan[1] != "06", lan[1]))  # Jönköping first, as seed_bench does
    others = sum(n for _pk, code, n in lans if code != "06")
    started = time.monotonic()
    for lan_pk, code, n in lans:
        if ChildPlan.objects.filter(owner_organisation__lan_id=lan_pk).exists():
            continue
        if time.monotonic() - started > seconds:
            print(f"    time bound ({seconds:.0f} s) reached: not seeding more län")
            break
        memberships = list(keeping.filter(organisation__lan_id=lan_pk))
        if not memberships:
            continue
        # Jönköpings län gets exactly the county's plans (so the measured person's dashboard
        # holds the same kind of data), the other län the rest in proportion to their kommuner.
        plans = (
            COUNTY["plans"]
            if code == "06"
            else max(1, round((total_plans - COUNTY["plans"]) * n / others))
        )
        seed_plans(
            plans=plans, actions=plans * 10, reviews=plans * 4, memberships=memberships, seed=4
        )
        print(
            f"    län {code}: {plans} plans ({time.monotonic() - started:.0f} s, {ChildPlan.objects.count()} in all)"
        )
    analyze()
    return ChildPlan.objects.count()


def analyze():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def choose_user():
    """A network coordinator of the first län who is the contact person of plans with open
    actions on them that they are responsible for: the one with the most such actions (ties:
    lowest e-mail). Returns (user, plan pk, TOTP secret); sets the password and the
    authenticator if missing."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from allauth.mfa.utils import decrypt
    from django.contrib.auth import get_user_model
    from django.db.models import Count, Q

    from childplans.models import Action, ChildPlan
    from networks.models import NetworkMembership

    User = get_user_model()
    coordinators = NetworkMembership.objects.filter(
        role=NetworkMembership.Role.COORDINATOR, network__lan__code="06"
    ).values("user_id")
    user = (
        User.objects.filter(pk__in=coordinators, email__endswith="@bench.example.se")
        .annotate(
            open_actions=Count(
                "plan_actions",
                filter=Q(plan_actions__status__in=Action.OPEN_STATUSES),
                distinct=True,
            )
        )
        .filter(open_actions__gt=0)
        .order_by("-open_actions", "email")
        .first()
    )
    if user is None:
        sys.exit("no seeded coordinator with open actions; seed first")
    plan = (
        ChildPlan.objects.filter(contact_person=user)
        .annotate(n=Count("actions", distinct=True))
        .order_by("-n", "pk")
        .first()
    )
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    auth = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if auth is None:
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
    else:
        secret = decrypt(auth.data["secret"])
    return user, plan.pk, secret


def targets_for(plan_pk):
    from django.urls import reverse

    return [
        Target("plain", "/bench/plain (yardstick)", "/bench/plain", "yardstick"),
        Target(
            "fortunes_auth", "/bench/fortunes_auth (yardstick)", "/bench/fortunes_auth", "yardstick"
        ),
        Target("plan", "plan page", reverse("childplans:plan_detail", args=[plan_pk]), "detail"),
        Target("dashboard", "dashboard / with Mina insatser", reverse("dashboard"), "dashboard"),
        Target("indicators", "indicators", reverse("childplans:indicators"), "list"),
    ]


def data_counts():
    from childplans.models import Action, ChildPlan, Review

    return {
        "plans": ChildPlan.objects.count(),
        "actions": Action.objects.count(),
        "reviews": Review.objects.count(),
    }


# --- HTTP on loopback ---------------------------------------------------------------------------


def cookies_from(headers, jar):
    for name, value in headers:
        if name.lower() == "set-cookie":
            key, _, val = value.split(";", 1)[0].partition("=")
            jar[key.strip()] = val.strip()
    return jar


def cookie_header(jar):
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def post_form(port, path, jar, fields):
    status, headers, body = request(port, path, cookie=cookie_header(jar))
    if status == 429:
        return status, None
    cookies_from(headers, jar)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or not token:
        raise RuntimeError(f"GET {path} answered {status} without a form")
    form = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token.group(1).decode()})
    status, headers, _body = request(
        port, path, method="POST", cookie=cookie_header(jar), body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://127.0.0.1:{port}{path}"},
    )  # fmt: skip
    cookies_from(headers, jar)
    return status, dict((k.lower(), v) for k, v in headers)


def login_with_totp(port, email, password, secret):
    """allauth's login form, then its two-step form with the current TOTP code."""
    from allauth.mfa import app_settings as mfa_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    jar = {}
    for _attempt in range(8):
        status, headers = post_form(
            port, "/konto/login/", jar, {"login": email, "password": password}
        )
        if status != 429:
            break
        time.sleep(10)  # allauth's rate limit (shared Redis) from an earlier run
    if status != 302 or not headers["location"].startswith("/konto/2fa/authenticate/"):
        raise RuntimeError(f"login: POST answered {status} -> {headers.get('location')}")
    period = mfa_settings.TOTP_PERIOD
    if period - time.time() % period < 3:  # the code must still be valid when it arrives
        time.sleep(period - time.time() % period + 0.1)
    code = format_hotp_value(hotp_value(secret, int(time.time()) // period))
    status, headers = post_form(port, "/konto/2fa/authenticate/", jar, {"code": code})
    if status != 302 or headers["location"] != "/":
        raise RuntimeError(f"two-step login: POST answered {status} -> {headers.get('location')}")
    return jar


def clone_sessions(session_key, count):
    """``count`` copies of a logged-in session (same data, new keys) as Cookie header values."""
    from importlib import import_module

    from django.conf import settings

    store = import_module(settings.SESSION_ENGINE).SessionStore
    data = store(session_key=session_key).load()
    if not data.get("_auth_user_id"):
        raise RuntimeError("the session is not logged in")
    keys = []
    for _ in range(count):
        copy = store()
        copy.update(data)
        copy.create()
        keys.append(copy.session_key)
    from django.db import connections

    connections.close_all()
    return keys


# --- measuring ------------------------------------------------------------------------------------


def wrk(port, path, cookies, lua, *, duration, threads=2, connections=16):
    cmd = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s",
        "-s", lua, f"http://127.0.0.1:{port}{path}", "--", str(threads), *cookies,
    ]  # fmt: skip
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 30, check=False)
    drain(port)
    match = re.search(r"^BENCH_JSON (.*)$", out.stdout, re.MULTILINE)
    if not match:
        raise RuntimeError(f"wrk printed no summary: {out.stdout[-500:]} {out.stderr[-500:]}")
    d = json.loads(match.group(1))
    seconds = d["duration_us"] / 1e6
    return {
        "rps": d["requests"] / seconds if seconds else 0.0,
        "p50_ms": d["p50_us"] / 1000,
        "p95_ms": d["p95_us"] / 1000,
        "max_ms": d["max_us"] / 1000,
        "not_ok": d["not_ok"],
        "socket_errors": d["socket_errors"],
    }


def count_queries(targets, session_key):
    import warnings

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    warnings.filterwarnings("ignore", message="No directory at")
    client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
    client.cookies["sessionid"] = session_key
    anonymous = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
    for t in targets:
        c = anonymous if t.key == "plain" else client
        c.get(t.path)
        with CaptureQueriesContext(connection) as ctx:
            response = c.get(t.path)
        sql = [q["sql"] for q in ctx.captured_queries]
        t.queries = sum(1 for q in sql if not TX_CONTROL.match(q))
        t.tx_statements = len(sql) - t.queries
        t.query_status = response.status_code
        if t.key == "dashboard" and b"my-actions-heading" not in response.content:
            raise RuntimeError("the dashboard shows no 'Mina insatser' for the measured user")
    connection.close()


def measure(url, plan_pk, email, secret, args, keys):
    """Serve ``url`` with gunicorn and measure the targets in ``keys``. Returns the targets."""
    targets = [t for t in targets_for(plan_pk) if t.kind == "yardstick" or t.key in keys]
    port = free_port()
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    log_path = RESULTS_DIR / "gunicorn-childplans.log"
    print(
        f"==> gunicorn on 127.0.0.1:{port}, {args.workers} sync workers (log {log_path.relative_to(ROOT)})"
    )
    proc = start_gunicorn(port, args.workers, url, log_path)
    lua = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)  # noqa: SIM115
    lua.write(WRK_LUA)
    lua.close()
    try:
        jar = login_with_totp(port, email, PASSWORD, secret)
        keys_ = [jar["sessionid"], *clone_sessions(jar["sessionid"], args.sessions - 1)]
        sessions = [f"sessionid={k}" for k in keys_]
        print(f"==> logged in as {email} with password + TOTP; {len(sessions)} sessions")
        for t in targets:
            t.status = request(port, t.path, cookie="" if t.key == "plain" else sessions[0])[0]
            print(f"    {t.status} {t.path}")
        live = [t for t in targets if t.status == 200]

        def cookies(t):
            return [] if t.key == "plain" else sessions

        print(f"==> warm-up ({args.warmup} s per page)")
        for t in live:
            wrk(port, t.path, cookies(t), lua.name, duration=args.warmup)
        for run in range(1, args.runs + 1):
            print(f"==> run {run}/{args.runs}")
            for t in live:
                r = wrk(port, t.path, cookies(t), lua.name, duration=args.duration)
                t.runs.append(r)
                flag = "  (non-200/errors!)" if r["not_ok"] or r["socket_errors"] else ""
                print(
                    f"    {t.key:14} {r['rps']:8.0f} req/s  p50 {r['p50_ms']:.2f} ms  p95 {r['p95_ms']:.2f} ms{flag}"
                )
        print(f"==> {args.sequential} requests one at a time per page")
        for t in live:
            t.sequential_ms = sequential(
                port, t.path, "" if t.key == "plain" else sessions[0], args.sequential
            )
        if request(port, "/bench/fortunes_auth", cookie=sessions[0])[0] != 200:
            print(
                "!!  the session did not survive the run; figures for logged-in pages are suspect"
            )
    finally:
        stop(proc)
        os.unlink(lua.name)
    count_queries(targets, keys_[0])
    return targets


# --- the report ------------------------------------------------------------------------------------


def verdict(t, plain_rps):
    if t.kind == "yardstick":
        return "yardstick" if t.status == 200 else f"HTTP {t.status}"
    if t.status != 200:
        return f"MISS (HTTP {t.status})"
    b = BUDGETS[t.kind]
    misses = []
    share = t.median("rps") / plain_rps if plain_rps else 0
    if share < b["share"]:
        misses.append(f"throughput {share:.1%} < {b['share']:.0%}")
    if t.queries is None or t.queries > b["queries"] or t.queries + t.tx_statements > MAX_QUERIES:
        misses.append(f"queries {t.queries} > {b['queries']}")
    p95 = percentile(t.sequential_ms, 95)
    if p95 is None or p95 > b["p95_ms"]:
        misses.append(f"p95 alone {fmt(p95)} ms > {b['p95_ms']}")
    worst = max([r["max_ms"] for r in t.runs] + t.sequential_ms)
    if worst > MAX_LATENCY_MS:
        misses.append(f"a request took {worst:.0f} ms")
    bad = sum(r["not_ok"] + r["socket_errors"] for r in t.runs)
    if bad:
        misses.append(f"{bad} non-200 answers or socket errors under load")
    return "PASS" if not misses else "MISS: " + "; ".join(misses)


def report(targets, title):
    by_key = {t.key: t for t in targets}
    plain, fortunes = by_key["plain"].median("rps"), by_key["fortunes_auth"].median("rps")
    header = ["page", "HTTP", "req/s", "p50 ms", "p95 ms", "max ms", "% plain", "% fortunes", "budget",
              "p95 alone", "queries", "verdict"]  # fmt: skip
    rows = []
    for t in targets:
        rps = t.median("rps")
        b = BUDGETS.get(t.kind)
        rows.append([
            t.label, str(t.status), fmt(rps, ".0f"), fmt(t.median("p50_ms"), ".2f"), fmt(t.median("p95_ms"), ".2f"),
            fmt(max((r["max_ms"] for r in t.runs), default=None), ".0f"),
            fmt(rps / plain * 100 if rps and plain else None, ".1f", " %"),
            fmt(rps / fortunes * 100 if rps and fortunes else None, ".0f", " %"),
            f">={b['share']:.0%} plain, <={b['queries']} q, p95<={b['p95_ms']} ms" if b else "",
            fmt(percentile(t.sequential_ms, 95), ".1f", " ms"),
            "–" if t.queries is None else f"{t.queries} (+{t.tx_statements} tx)"
            + ("" if t.query_status == 200 else f" (HTTP {t.query_status})"),
            verdict(t, plain),
        ])  # fmt: skip
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells):
        return " | ".join(str(c).ljust(widths[i]) for i, c in enumerate(cells)).rstrip()

    print()
    print(title)
    print(line(header))
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(line(row))
    print()


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_PLANS_DATABASE_URL", DEFAULT_DB)
    )
    parser.add_argument(
        "--fresh", action="store_true", help="drop and recreate the database(s) first"
    )
    parser.add_argument(
        "--national", action="store_true", help="then national data: the dashboard again"
    )
    parser.add_argument("--national-plans", type=int, default=22 * COUNTY["plans"])
    parser.add_argument(
        "--seed-minutes",
        type=float,
        default=5,
        help="start no new län after this (a rerun resumes)",
    )
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--sessions", type=int, default=16)
    parser.add_argument("--sequential", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (Debian package wrk)")
    load_before = load_average()
    conditions = (
        f"{os.cpu_count()} cores, gunicorn {args.workers} sync workers, wrk -t2 -c16 -d{args.duration}s x "
        f"{args.runs} (medians), {args.sequential} requests one at a time for 'p95 alone'"
    )

    url = args.database_url
    print(f"==> database {url}")
    ensure_database(url, args.fresh)
    use_database(url)
    seed_county()
    counts = data_counts()
    user, plan_pk, secret = choose_user()
    email = user.email
    from django.db import connections

    connections.close_all()
    county = measure(url, plan_pk, email, secret, args, {"plan", "dashboard", "indicators"})
    report(
        county,
        f"Child plans, county data ({counts['plans']} plans, {counts['actions']} actions, {counts['reviews']} "
        f"reviews), user {email}, plan {plan_pk}; {conditions}; load before/after {load_before} / {load_average()}",
    )
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    summary = {t.key: {"rps": t.median("rps"), "queries": t.queries, "p95_alone": percentile(t.sequential_ms, 95)}
               for t in county}  # fmt: skip

    if args.national:
        national_url = url + "_national"
        print(f"==> national database {national_url}")
        ensure_database(national_url, args.fresh)
        use_database(national_url)
        started = time.monotonic()
        seed_national(args.national_plans, args.seed_minutes * 60)
        seconds = time.monotonic() - started
        ncounts = data_counts()
        nuser, nplan_pk, nsecret = choose_user()
        if nuser.email != email:
            print(f"!!  the measured person differs: {nuser.email} (county: {email})")
        connections.close_all()
        load_before = load_average()
        national = measure(national_url, nplan_pk, nuser.email, nsecret, args, {"dashboard"})
        report(
            national,
            f"Child plans, national data ({ncounts['plans']} plans, {ncounts['actions']} actions, "
            f"{ncounts['reviews']} reviews; seeding took {seconds:.0f} s), user {nuser.email}; {conditions}; "
            f"load before/after {load_before} / {load_average()}",
        )
        broken = [
            t.label for t in [*county, *national]
            if t.key in ("plain", "fortunes_auth", "dashboard")
            and (t.status != 200 or not t.runs or any(r["not_ok"] or r["socket_errors"] for r in t.runs))
        ]  # fmt: skip
        if broken:
            print(f"!!  no comparison: non-200 answers or errors on {', '.join(broken)}; run again")
            return
        c = {t.key: t.median("rps") for t in county}
        n = {t.key: t.median("rps") for t in national}
        raw = n["dashboard"] / c["dashboard"]
        shares = (n["dashboard"] / n["plain"]) / (c["dashboard"] / c["plain"])
        verdict_ = "PASS" if shares >= NATIONAL_SHARE_OF_COUNTY else "MISS"
        print("Dashboard with national data vs county data (budget >= 70 %):")
        print(f"  req/s: {n['dashboard']:.0f} vs {c['dashboard']:.0f} = {raw:.0%}")
        print(
            f"  as share of /bench/plain in each run (drift cancels): {shares:.0%}  -> {verdict_}"
        )
        nd = next(t for t in national if t.key == "dashboard")
        print(f"  queries: {summary['dashboard']['queries']} (county) vs {nd.queries} (national)")
        summary["national_dashboard"] = {"rps": n["dashboard"], "ratio": raw, "share_ratio": shares,
                                         "queries": nd.queries, "counts": ncounts}  # fmt: skip
    out = RESULTS_DIR / "results-childplans.json"
    out.write_text(json.dumps({"at": time.time(), "counts": counts, "pages": summary}, indent=1))
    print(f"(saved {out.relative_to(ROOT)})")


if __name__ == "__main__":
    main()
