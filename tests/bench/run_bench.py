#!/usr/bin/env python
"""Benchmark the portal's pages as docs/performance.md describes:
every page cold and warm in one run, beside the yardsticks (a script, not a pytest test).

    .venv/bin/python tests/bench/run_bench.py                # county data, every page
    .venv/bin/python tests/bench/run_bench.py --national     # national data (own database)
    .venv/bin/python tests/bench/run_bench.py --only dashboard,directory_search --runs 1

Creates (or reuses) a PostgreSQL database, migrates it and seeds it (``seed_bench``). Starts two
gunicorns with ``portal.settings.bench`` on 127.0.0.1 (2 x cores + 1 sync workers each): the
*warm* one serves pages as in production (kept HTML allowed, portal/kept.py), the *cold* one has
``BENCH_COLD=1`` in its environment, so its cache alias ``kept`` is a dummy cache and every page
is rendered afresh, as the first request after a change is. Logs the bench user in on each
server, then runs ``wrk -t2 -c16 -d10s --latency`` round by round (round 1: the yardsticks
``/bench/plain`` and ``/bench/fortunes_auth`` on the warm server and every page on both servers,
round 2 ...), so drift on a shared machine hits every figure alike. Prints per page the medians
of req/s cold and warm as % of fortunes_auth, p50/p95 under load (warm), the p95 one request at
a time (cold server), queries per request (Django's test client in this process, cold and warm),
the budget and PASS/MISS. Load only ever goes to loopback and every run is bounded in time.

The helpers (servers, logins, wrk, query counts, the table, the budgets) are shared with
tests/bench/bench_childplans.py. See tests/bench/README.md."""

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
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
LUA = HERE / "report.lua"
RESULTS_DIR = ROOT / "var" / "bench"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/portal_bench"

MODES = ("cold", "warm")  # cold: BENCH_COLD=1, the kept-HTML cache is a dummy; warm: as served
DUMMY_CACHE = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}

# docs/performance.md "Budgets", written against /bench/fortunes_auth: the least share of its req/s
# cold and warm (None: no warm budget, the page keeps nothing), queries per request (auth
# included), server-side p95 one request at a time (ms).
BUDGETS = {
    "detail": {"cold": 0.35, "warm": 0.60, "queries": 8, "p95_ms": 100},
    "list": {"cold": 0.35, "warm": 0.60, "queries": 10, "p95_ms": 100},
    "dashboard": {"cold": 0.20, "warm": 0.30, "queries": 15, "p95_ms": 250},
    "plan": {"cold": 0.20, "warm": None, "queries": 10, "p95_ms": 250},  # child data: never kept
}
NATIONAL_SHARE_OF_COUNTY = 0.70  # a page with national data vs county data (share of fortunes_auth)
MAX_LATENCY_MS = 1000  # any request
MAX_QUERIES = 30  # any request, transaction control included
# Django logs transaction control as queries on PostgreSQL; they are counted apart and shown as
# "+n tx" (as tests/childplans/test_queries.py leaves out savepoints).
TX_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT)\b", re.IGNORECASE)


@dataclass
class Target:
    key: str
    label: str
    path: str
    kind: str  # "yardstick" or a BUDGETS key
    must_contain: bytes | None = None  # checked on the counted response (the page shows its data)
    status: dict = field(default_factory=dict)  # mode -> HTTP status of the first request
    runs: dict = field(default_factory=lambda: {mode: [] for mode in MODES})
    sequential_ms: list = field(default_factory=list)  # one at a time, on the cold server
    sequential_mode: str = "cold"
    queries: dict = field(default_factory=dict)  # mode -> queries per request
    tx_statements: dict = field(default_factory=dict)  # mode -> BEGIN/COMMIT/SAVEPOINT ...
    query_status: dict = field(default_factory=dict)
    kept: bool | None = None  # did the warm server keep HTML for this page?
    content_missing: bool = False

    @property
    def yardstick(self):
        return self.kind == "yardstick"

    def modes(self):
        """The servers this target is loaded on: the yardsticks keep no HTML, warm is enough."""
        return ("warm",) if self.yardstick else MODES

    def ok(self):
        return all(self.status.get(mode) == 200 for mode in self.modes())

    def median(self, mode, name):
        values = [run[name] for run in self.runs[mode]]
        return statistics.median(values) if values else None

    def worst_ms(self):
        loaded = [run["max_ms"] for mode in MODES for run in self.runs[mode]]
        return max(loaded + self.sequential_ms, default=None)

    def errors_under_load(self):
        return sum(run["not_ok"] + run["socket_errors"] for mode in MODES for run in self.runs[mode])


def yardsticks():
    return [
        Target("plain", "/bench/plain (yardstick)", "/bench/plain", "yardstick"),
        Target("fortunes_auth", "/bench/fortunes_auth (yardstick)", "/bench/fortunes_auth", "yardstick"),
    ]


# --- the database --------------------------------------------------------------------------


def ensure_database(url, fresh, reserved=()):
    """Create the database of ``url`` if it is missing (dropped first with ``fresh``)."""
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        sys.exit(f"unexpected database name {name!r}")
    if name in reserved:
        sys.exit(f"{name} belongs to another benchmark script; use another database")
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"==> created database {name}")


def setup_django(url):
    """This process's Django with the bench settings (the warm configuration) on ``url``."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.bench"
    os.environ["DATABASE_URL"] = url
    os.environ.pop("BENCH_COLD", None)  # only the cold gunicorn gets it
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def prepare_django(url, scale):
    setup_django(url)
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
    """The pages of docs/performance.md for the bench user, with URLs from the fixed URL names.

    seed_bench seeds no meetings, so the meeting page and the answers list are not measured
    here (tests/bench/bench_meetings.py measures them one at a time on its own data)."""
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
    directory = reverse("directory_search")
    targets = [
        *yardsticks(),
        Target("dashboard", "dashboard /", reverse("dashboard"), "dashboard"),
        Target("network_detail", "network detail (regional)", reverse("network_detail", args=[regional.pk]), "detail"),
        Target("network_detail_local", "network detail (local)", reverse("network_detail", args=[local.pk]), "detail"),
        Target("regional_overview", "regional overview", reverse("network_overview", args=[regional.pk]), "list"),
        Target("network_list", "network list", reverse("network_list"), "list"),
        Target("directory_search", "directory ?q=familj", directory + "?q=familj", "list"),
        Target("directory_kommun", "directory ?q=familj&kommun", directory + f"?q=familj&kommun={kommun_id}", "list"),
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


def cookies_from(headers, jar=None):
    jar = {} if jar is None else jar
    for name, value in headers:
        if name.lower() == "set-cookie":
            key, _, val = value.split(";", 1)[0].partition("=")
            jar[key.strip()] = val.strip()
    return jar


def cookie_header(jar):
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def post_form(port, path, jar, fields):
    """GET ``path`` for the form's CSRF token, then POST ``fields`` like a browser. Returns
    (status, lower-cased response headers); (429, None) while allauth's rate limit holds."""
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
    return status, {k.lower(): v for k, v in headers}


def post_form_patiently(port, path, jar, fields):
    """``post_form``, waiting out allauth's login rate limit (per IP and minute, kept in the
    shared Redis cache, so an earlier run may still count)."""
    for _attempt in range(8):
        status, headers = post_form(port, path, jar, fields)
        if status != 429:
            return status, headers
        time.sleep(10)
    raise RuntimeError(f"{path} kept answering 429 (rate limit)")


def login(port, email, password):
    """Log in through the allauth login page like a browser; returns the session key."""
    jar = {}
    status, headers = post_form_patiently(port, "/konto/login/", jar, {"login": email, "password": password})
    if status != 302 or "sessionid" not in jar:
        raise RuntimeError(f"login failed: POST answered {status} -> {headers.get('location')}")
    return jar["sessionid"]


def clone_sessions(session_key, count):
    """``count`` copies of a logged-in session (same data, new keys), so that concurrent requests
    use different ``django_session`` rows, as different users' browsers would (the idle-timeout
    middleware re-saves a session at most once a minute; with one shared row those writes would
    queue). Both servers read the same database, so a session works on either."""
    from importlib import import_module

    from django.conf import settings
    from django.db import connections

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
    connections.close_all()
    return keys


# --- the two servers ---------------------------------------------------------------------------


@dataclass
class Server:
    mode: str
    port: int
    proc: subprocess.Popen
    log_path: Path
    session_keys: list = field(default_factory=list)

    @property
    def cookies(self):
        return [f"sessionid={key}" for key in self.session_keys]


def start_gunicorn(port, workers, url, log_path, extra_env=None):
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="portal.settings.bench", DATABASE_URL=url)
    env.pop("BENCH_COLD", None)
    env.update(extra_env or {})
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


def start_servers(url, workers, log_name):
    """The cold and the warm gunicorn (same settings and database; the cold one with
    ``BENCH_COLD=1``). Returns {mode: Server}."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    servers = {}
    try:
        for mode in MODES:
            port = free_port()
            log_path = RESULTS_DIR / f"{log_name}-{mode}.log"
            extra = {"BENCH_COLD": "1"} if mode == "cold" else {}
            print(
                f"==> {mode} gunicorn on 127.0.0.1:{port}, {workers} sync workers"
                f"{' (BENCH_COLD=1: no kept HTML)' if extra else ' (kept HTML allowed)'}, "
                f"log {log_path.relative_to(ROOT)}"
            )
            servers[mode] = Server(mode, port, start_gunicorn(port, workers, url, log_path, extra), log_path)
    except BaseException:
        stop_servers(servers)
        raise
    return servers


def stop_servers(servers):
    for server in servers.values():
        stop(server.proc)


def log_in_everywhere(servers, sessions, log_in):
    """``log_in(port)`` (a real login over HTTP, returning the session key) once on each server,
    then copies of that session up to ``sessions`` per server."""
    for server in servers.values():
        key = log_in(server.port)
        server.session_keys = [key, *clone_sessions(key, sessions - 1)]
    print(f"==> logged in on each server ({sessions} sessions each: one login, {sessions - 1} copies)")


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


def kept_keys():
    """The keys of kept HTML in the warm server's cache (alias ``kept``, portal/kept.py)."""
    import redis
    from django.conf import settings

    conf = settings.CACHES["kept"]
    client = redis.Redis.from_url(conf["LOCATION"])
    return client, list(client.scan_iter(match=f"{conf.get('KEY_PREFIX', '')}:*"))


def check_kept(targets, servers):
    """For each page: forget the kept HTML, request it on the cold server (which must keep
    nothing), then on the warm one (which keeps what the page keeps). Sets ``target.kept``."""
    for t in targets:
        if t.yardstick or not t.ok():
            continue
        client, keys = kept_keys()
        if keys:
            client.delete(*keys)
        request(servers["cold"].port, t.path, cookie=servers["cold"].cookies[0])
        if kept_keys()[1]:
            raise RuntimeError(
                f"the cold server kept HTML for {t.path}: BENCH_COLD=1 did not replace the cache alias "
                "'kept' with a dummy cache (portal/settings/bench.py)"
            )
        request(servers["warm"].port, t.path, cookie=servers["warm"].cookies[0])
        t.kept = bool(kept_keys()[1])


def measure(targets, servers, args):
    """Check every target on its servers, then warm up, run wrk round by round (every target
    on each of its servers per round; cold and warm take turns going first) and measure one
    request at a time: pages on the cold server, the yardsticks on the warm one."""

    def cookie(t, server):
        return "" if t.key == "plain" else server.cookies[0]  # plain: anonymous, as in TechEmpower

    def cookies(t, server):
        return [] if t.key == "plain" else server.cookies

    print("==> first request of each page (HTTP status per server)")
    for t in targets:
        for mode in t.modes():
            t.status[mode] = request(servers[mode].port, t.path, cookie=cookie(t, servers[mode]))[0]
        print(f"    {'  '.join(f'{mode} {t.status[mode]}' for mode in t.modes()):18} {t.path}")
    live = [t for t in targets if t.ok()]
    check_kept(live, servers)
    kept = [t.key for t in live if t.kept]
    print(f"==> pages whose HTML the warm server keeps (in part): {', '.join(kept) or 'none'}")

    def load(t, mode, duration):
        return wrk(
            servers[mode].port, t.path, cookies(t, servers[mode]), duration=duration,
            threads=args.threads, connections=args.connections,
        )  # fmt: skip

    print(f"==> warm-up ({args.warmup} s per page and server)")
    for t in live:
        for mode in t.modes():
            load(t, mode, args.warmup)
    for run in range(1, args.runs + 1):
        print(f"==> round {run}/{args.runs}")
        for t in live:
            modes = t.modes() if run % 2 else tuple(reversed(t.modes()))
            for mode in modes:
                result = load(t, mode, args.duration)
                t.runs[mode].append(result)
                flag = "" if not (result["not_ok"] or result["socket_errors"]) else "  (non-200/errors!)"
                print(f"    {t.key:22} {mode:4} {result['rps']:8.0f} req/s  p50 {result['p50_ms']:7.2f} ms  "
                      f"p95 {result['p95_ms']:7.2f} ms{flag}")  # fmt: skip
    print(f"==> {args.sequential} requests one at a time per page (pages: cold server; yardsticks: warm)")
    for t in live:
        t.sequential_mode = "warm" if t.yardstick else "cold"
        server = servers[t.sequential_mode]
        t.sequential_ms = sequential(server.port, t.path, cookie(t, server), args.sequential)
    for server in servers.values():
        if request(server.port, "/bench/fortunes_auth", cookie=server.cookies[0])[0] != 200:
            print(f"!!  a session on the {server.mode} server did not survive the run; figures are suspect")


def count_queries(targets, session_key):
    """Queries per request, cold and warm, in this process against the same database with the
    same session: Django's test client, the second request of each page counted (the first may
    fill per-session state or the kept HTML). Cold: the cache alias ``kept`` replaced with a
    dummy cache, as on the cold server."""
    import warnings

    from django.conf import settings
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic

    client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
    client.cookies["sessionid"] = session_key
    anonymous = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
    for mode in MODES:
        switch = override_settings(CACHES={**settings.CACHES, "kept": DUMMY_CACHE}) if mode == "cold" else nullcontext()
        with switch:
            for t in targets:
                if mode not in t.modes():
                    continue
                c = anonymous if t.key == "plain" else client
                c.get(t.path)
                with CaptureQueriesContext(connection) as ctx:
                    response = c.get(t.path)
                statements = [q["sql"] for q in ctx.captured_queries]
                t.queries[mode] = sum(1 for sql in statements if not TX_CONTROL.match(sql))
                t.tx_statements[mode] = len(statements) - t.queries[mode]
                t.query_status[mode] = response.status_code
                if t.must_contain and t.must_contain not in response.content:
                    t.content_missing = True
    connection.close()


# --- the report -----------------------------------------------------------------------------


def fmt(value, spec=".1f", suffix=""):
    return "–" if value is None else f"{value:{spec}}{suffix}"


def fortunes_rps(targets):
    return next(t for t in targets if t.key == "fortunes_auth").median("warm", "rps")


def plain_rps(targets):
    return next(t for t in targets if t.key == "plain").median("warm", "rps")


def share(t, mode, fortunes):
    rps = t.median(mode, "rps")
    return rps / fortunes if rps is not None and fortunes else None


def budget_text(kind):
    b = BUDGETS.get(kind)
    if not b:
        return ""
    shares = f"cold>={b['cold']:.0%}" + (f" warm>={b['warm']:.0%}" if b["warm"] is not None else "")
    return f"{shares} fa, <={b['queries']} q, p95<={b['p95_ms']} ms"


def verdict(t, fortunes):
    if t.yardstick:
        return "yardstick" if t.ok() else f"HTTP {t.status.get('warm')}"
    if not t.ok():
        return "MISS: HTTP " + ", ".join(f"{mode} {t.status.get(mode)}" for mode in MODES)
    b = BUDGETS[t.kind]
    misses = []
    for mode in MODES:
        s = share(t, mode, fortunes)
        if b[mode] is not None and (s is None or s < b[mode]):
            misses.append(f"{mode} {fmt(s and s * 100, '.1f', ' %')} < {b[mode] * 100:.0f} %")
    queries = max(t.queries.values(), default=None)
    if queries is None or queries > b["queries"]:
        misses.append(f"queries {queries} > {b['queries']}")
    elif queries + max(t.tx_statements.values(), default=0) > MAX_QUERIES:
        misses.append(f"statements with transaction control > {MAX_QUERIES}")
    if any(status != 200 for status in t.query_status.values()):
        misses.append(f"test client answered {t.query_status}")
    if t.content_missing:
        misses.append(f"the page lacks {t.must_contain.decode()!r}")
    seq_p95 = percentile(t.sequential_ms, 95)
    if seq_p95 is None or seq_p95 > b["p95_ms"]:
        misses.append(f"p95 1-at-a-time {fmt(seq_p95)} ms > {b['p95_ms']}")
    worst = t.worst_ms()
    if worst is not None and worst > MAX_LATENCY_MS:
        misses.append(f"a request took {worst:.0f} ms")
    errors = t.errors_under_load()
    if errors:
        misses.append(f"{errors} non-200 answers or socket errors under load")
    return "PASS" if not misses else "MISS: " + "; ".join(misses)


def queries_text(t):
    if not t.queries:
        return "–"
    values = [t.queries.get(mode) for mode in t.modes()]
    text = str(values[0]) if len(set(values)) == 1 else " / ".join(f"{t.queries[m]} {m}" for m in t.modes())
    tx = max(t.tx_statements.values(), default=0)
    return text + (f" (+{tx} tx)" if tx else "")


def http_text(t):
    statuses = {t.status.get(mode) for mode in t.modes()}
    if len(statuses) == 1:
        return str(statuses.pop())
    return ", ".join(f"{mode} {t.status.get(mode)}" for mode in t.modes())


def print_table(header, rows):
    """``rows`` under ``header`` in aligned columns, `` | `` between them: the table every bench
    script prints."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells):
        return " | ".join(str(c).ljust(widths[i]) for i, c in enumerate(cells)).rstrip()

    print(line(header))
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(line(row))


def start_side_by_side(specs, workers):
    """One gunicorn per entry of ``specs``, side by side: name -> (database URL, extra environment,
    log file name, what to print). Returns name -> {"port", "proc"}; if one fails to start, the
    others are stopped."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    servers = {}
    try:
        for name, (url, env, log_name, what) in specs.items():
            port = free_port()
            print(f"==> {what} gunicorn on 127.0.0.1:{port}, {workers} sync workers")
            servers[name] = {"port": port, "proc": start_gunicorn(port, workers, url, RESULTS_DIR / log_name, env)}
    except BaseException:
        for server in servers.values():
            stop(server["proc"])
        raise
    return servers


def add_side_by_side_arguments(parser, *, duration, warmup):
    """The options of the scripts that run servers side by side (bench_configs.py, bench_scales.py)."""
    parser.add_argument("--only", help="comma-separated page keys (fortunes_auth always runs)")
    parser.add_argument("--duration", type=int, default=duration, help=f"seconds per wrk run (default {duration})")
    parser.add_argument("--runs", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--warmup", type=int, default=warmup, help="seconds of warm-up per page and server")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--sessions", type=int, default=16, help="sessions per server the requests rotate over")


def first_requests(pages, width=40):
    """Each page once on every server: ``pages`` is [(label, {server: (port, path, cookie)})].
    Prints the HTTP statuses; exits unless every one is 200."""
    for label, per_server in pages:
        statuses = {name: request(port, path, cookie=cookie)[0] for name, (port, path, cookie) in per_server.items()}
        print(f"    {'  '.join(f'{n} {st}' for n, st in statuses.items()):{width}} {label}")
        if set(statuses.values()) != {200}:
            sys.exit(f"{label} did not answer 200 on every server")


def warm_up(runs, args):
    """``args.warmup`` seconds of wrk per (port, path, cookies) in ``runs``, nothing kept."""
    for port, path, cookies in runs:
        wrk(port, path, cookies, duration=args.warmup, threads=args.threads, connections=args.connections)


def report(targets, title):
    fortunes, plain = fortunes_rps(targets), plain_rps(targets)
    header = [
        "page", "HTTP", "kept", "cold req/s", "warm req/s", "cold % fa", "warm % fa", "p50 ms", "p95 ms",
        "max ms", "1-at-a-time p95", "queries", "budget (fa = fortunes_auth)", "verdict",
    ]  # fmt: skip
    rows = []
    for t in targets:
        cold, warm = share(t, "cold", fortunes), share(t, "warm", fortunes)
        rows.append([
            t.label,
            http_text(t),
            "" if t.yardstick or t.kept is None else ("yes" if t.kept else "no"),
            fmt(t.median("cold", "rps"), ".0f"),
            fmt(t.median("warm", "rps"), ".0f"),
            fmt(cold and cold * 100, ".0f", " %"),
            fmt(warm and warm * 100, ".0f", " %"),
            fmt(t.median("warm", "p50_ms"), ".2f"),
            fmt(t.median("warm", "p95_ms"), ".2f"),
            fmt(max((r["max_ms"] for m in MODES for r in t.runs[m]), default=None), ".0f"),
            fmt(percentile(t.sequential_ms, 95), ".1f", " ms")
            + ("" if t.sequential_mode == "cold" or not t.sequential_ms else " (warm)"),
            queries_text(t),
            budget_text(t.kind),
            verdict(t, fortunes),
        ])  # fmt: skip
    print()
    print(title)
    print_table(header, rows)
    print(
        f"yardsticks (warm server): /bench/plain {fmt(plain, '.0f')} req/s, /bench/fortunes_auth "
        f"{fmt(fortunes, '.0f')} req/s = {fmt(fortunes / plain * 100 if fortunes and plain else None, '.1f', ' %')} "
        "of plain (docs/performance.md: about 15-20 %)"
    )
    print(
        "cold: BENCH_COLD=1, every page rendered afresh; warm: as served, kept HTML allowed. req/s are "
        "medians; p50/p95 under load are the warm server's; max ms is the slowest request under load on "
        "either server; '1-at-a-time p95' is the cold server's; queries per request cold / warm (when they differ)."
    )
    print()
    return rows


def conditions(args, workers):
    return (
        f"{os.cpu_count()} cores, two gunicorns (cold and warm) with {workers} sync workers each, "
        f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s x {args.runs} rounds (medians), "
        f"{args.sequential} requests one at a time"
    )


def summary(targets):
    """The results per page, as saved in the JSON (and compared by --national)."""
    fortunes = fortunes_rps(targets)
    pages = {}
    for t in targets:
        page = {
            "path": t.path,
            "kind": t.kind,
            "budget": BUDGETS.get(t.kind),
            "status": t.status,
            "kept": t.kept,
            "sequential_p95_ms": percentile(t.sequential_ms, 95),
            "sequential_max_ms": max(t.sequential_ms, default=None),
            "sequential_server": t.sequential_mode,
            "queries": t.queries,
            "tx_statements": t.tx_statements,
            "verdict": verdict(t, fortunes),
        }
        for mode in t.modes():
            page[mode] = {
                "rps": t.median(mode, "rps"),
                "share_fortunes": share(t, mode, fortunes),
                "p50_ms": t.median(mode, "p50_ms"),
                "p95_ms": t.median(mode, "p95_ms"),
                "max_ms": max((r["max_ms"] for r in t.runs[mode]), default=None),
                "runs": t.runs[mode],
            }
        pages[t.key] = page
    return pages


def save(path, targets, **meta):
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    plain, fortunes = plain_rps(targets), fortunes_rps(targets)
    data = {
        **meta,
        "at": time.time(),
        "yardsticks": {
            "plain_rps": plain,
            "fortunes_auth_rps": fortunes,
            "fortunes_auth_share_of_plain": fortunes / plain if fortunes and plain else None,
        },
        "pages": summary(targets),
    }
    path.write_text(json.dumps(data, indent=1))
    print(f"(results saved to {path.relative_to(ROOT)})")


def compare_national(targets, county_pages, budget_keys=("dashboard",)):
    """Each page's share of /bench/fortunes_auth with national data against its share in the
    county run, cold and warm (docs/performance.md: >= 70 %; the verdict for ``budget_keys``).
    fortunes_auth does the same kind of work (session, a query, a template), so it cancels
    machine drift better than plain. Returns False if a budgeted page misses."""
    fortunes = fortunes_rps(targets)
    print("National vs county (each page's share of /bench/fortunes_auth in its own run):")
    passed = True
    for t in targets:
        before = county_pages.get(t.key) or {}
        if t.yardstick or not t.ok():
            continue
        cells, ratios = [], []
        for mode in t.modes():
            was = (before.get(mode) or {}).get("share_fortunes")
            now = share(t, mode, fortunes)
            if not was or now is None:
                cells.append(f"{mode} –")
                continue
            ratios.append(now / was)
            cells.append(f"{mode} {now / was:6.0%} of county")
        text = f"  {t.label:34} {'   '.join(cells)}"
        if t.key in budget_keys:
            ok = bool(ratios) and min(ratios) >= NATIONAL_SHARE_OF_COUNTY
            passed = passed and ok
            text += f"   (budget >= {NATIONAL_SHARE_OF_COUNTY:.0%}: {'PASS' if ok else 'MISS'})"
        print(text)
    print()
    return passed


def load_average():
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


# --- options shared with bench_childplans.py ---------------------------------------------------


def add_common_arguments(parser, *, sequential_default):
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database(s) first")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (default 10)")
    parser.add_argument("--runs", type=int, default=3, help="rounds: wrk runs per page and server (default 3)")
    parser.add_argument("--threads", type=int, default=2, help="wrk -t (default 2)")
    parser.add_argument("--connections", type=int, default=16, help="wrk -c (default 16)")
    parser.add_argument(
        "--workers", type=int, default=2 * (os.cpu_count() or 1) + 1,
        help="sync workers per gunicorn (default 2 x cores + 1)",
    )  # fmt: skip
    parser.add_argument(
        "--sequential", type=int, default=sequential_default,
        help=f"requests one at a time per page (default {sequential_default})",
    )  # fmt: skip
    parser.add_argument(
        "--sessions", type=int, default=16, help="logged-in sessions per server the requests rotate over (default 16)"
    )
    parser.add_argument("--warmup", type=int, default=2, help="seconds of wrk warm-up per page and server (default 2)")


def check_machine():
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (Debian package wrk)")
    before = load_average()
    if os.getloadavg()[0] > (os.cpu_count() or 1):
        print(f"!!  load average {before} on {os.cpu_count()} cores: figures will be low and noisy")
    return before


# --- main ------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--national", action="store_true", help="national data (~22 x county), own database")
    parser.add_argument(
        "--database-url",
        help=f"PostgreSQL URL (default $BENCH_DATABASE_URL or {DEFAULT_DB}, _national appended with --national)",
    )
    parser.add_argument("--only", help="comma-separated page keys (the yardsticks always run); nothing is saved")
    add_common_arguments(parser, sequential_default=200)
    args = parser.parse_args()

    load_before = check_machine()
    scale = "national" if args.national else "county"
    url = args.database_url or os.environ.get("BENCH_DATABASE_URL") or (
        DEFAULT_DB + ("_national" if args.national else "")
    )
    print(f"==> database {url}")
    ensure_database(url, args.fresh, reserved=("portal_bench_plans", "portal_bench_plans_national"))
    prepare_django(url, scale)
    targets, counts = discover_targets()
    if args.only:
        wanted = {key.strip() for key in args.only.split(",")}
        unknown = wanted - {t.key for t in targets}
        if unknown:
            sys.exit(f"unknown page(s) {sorted(unknown)}; choose from {[t.key for t in targets if not t.yardstick]}")
        targets = [t for t in targets if t.yardstick or t.key in wanted]

    from networks.management.commands.seed_bench import BENCH_EMAIL, BENCH_PASSWORD

    servers = start_servers(url, args.workers, "gunicorn")
    try:
        log_in_everywhere(servers, args.sessions, lambda port: login(port, BENCH_EMAIL, BENCH_PASSWORD))
        measure(targets, servers, args)
    finally:
        stop_servers(servers)
    print("==> queries per page (Django test client in this process, same database and session; cold and warm)")
    count_queries(targets, servers["warm"].session_keys[0])
    report(
        targets,
        f"Barnstödsportalen benchmark — scale {scale} ({counts}), user {BENCH_EMAIL}; {conditions(args, args.workers)}; "
        f"load average before/after: {load_before} / {load_average()}",
    )
    if args.national:
        county_file = RESULTS_DIR / "results-county.json"
        if not county_file.exists():
            print("(no county results in var/bench/ to compare with; run the county benchmark first)")
        else:
            county_pages = json.loads(county_file.read_text()).get("pages", {})
            if not any("cold" in page for page in county_pages.values()):
                print("(var/bench/results-county.json predates the cold/warm runs; run the county benchmark again)")
            else:
                compare_national(targets, county_pages)
    if args.only:
        print("(--only: results not saved)")
    else:
        save(RESULTS_DIR / f"results-{scale}.json", targets, scale=scale, counts=counts,
             conditions=conditions(args, args.workers))  # fmt: skip


if __name__ == "__main__":
    main()
