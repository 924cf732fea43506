#!/usr/bin/env python
"""The embedded default under concurrent use (docs/performance.md "The embedded default";
docs/security.md promise 17): what ``./portal.sh run`` starts, loaded by 16 people at once.

    .venv/bin/python tests/bench/bench_embedded.py                     # runserver, 30 s, ~2 min in all
    .venv/bin/python tests/bench/bench_embedded.py --server gunicorn   # the same data behind gunicorn
    .venv/bin/python tests/bench/bench_embedded.py --port 8000         # against a running ./portal.sh run

Its own copy of the embedded default under var/bench/embedded/ (SQLite file, e-mail files,
filesystem broker), made as ``./portal.sh run`` makes var/: ``migrate`` and ``load_demo`` with
``portal.settings.dev`` (reused on the next run; ``--fresh`` starts over). Then, as
``./portal.sh run`` does, a Celery worker with beat on the filesystem broker and the web server:
Django's runserver (threaded, one process: what a new user, a course or a trial runs) or, with
``--server gunicorn``, gunicorn with the same dev settings and 2 x cores + 1 sync workers (one
process per request at a time: what a small kommun that keeps the embedded default would put
behind a proxy). Everything listens on 127.0.0.1 only.

The demo professionals log in like a browser (password, then the two-step code from the demo's
TOTP key); their sessions are copied so that 16 connections are 16 browsers. Then, for
``--duration`` seconds:

- ``wrk -t2 -c16`` over plan pages (each open plan's page, network map, chronology and history:
  each request writes its audit row) and other pages (the dashboard, the plan list, my actions,
  a network, the directory), each page with the sessions of the professionals who may see it;
- a writer, one person posting forms one after another: a goal on their first plan (a plan
  change with its audit row) and their answer to a network meeting (RSVP: an audit row and an
  outbox row, which the worker then sends: its writes land beside the web server's);
- the worker with beat, as started.

It reports requests, answers that are not 200 (and of those 5xx), socket errors and p50/p95/
p99/max under load; the writer's posts, those not answered with the redirect of a saved form,
and its p95; and the log lines of the server and the worker that say "database is locked".
Any of those, or a first request of a page answering 5xx, makes the verdict MISS. Results:
var/bench/results-embedded-<server>.json. Load only ever goes to loopback and is bounded in time."""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from tests.bench.bench_childplans import login_with_totp  # noqa: E402
from tests.bench.run_bench import (  # noqa: E402
    LUA,
    RESULTS_DIR,
    clone_sessions,
    cookie_header,
    cookies_from,
    free_port,
    load_average,
    percentile,
    request,
)

DATA = ROOT / "var" / "bench" / "embedded"
PYTHON = sys.executable
# The demo professionals whose sessions load the pages, and the pages each may see (their
# plans are looked up by the plan's child, so demo ids may change).
READERS = ("socialtjanst.vaxjo@exempel.se", "anders.petersson@exempel.se", "kyrkan.vaxjo@exempel.se")
WRITER = "socialtjanst.vaxjo@exempel.se"
LOCKED = re.compile(r"database is locked|database table is locked", re.IGNORECASE)


def environment(data):
    """The environment of every process of this copy: ``./portal.sh run``'s, on ``data``."""
    return dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="portal.settings.dev",
        DATABASE_URL=f"sqlite:///{data / 'db.sqlite3'}",
        EMAIL_FILE_PATH=str(data / "mail"),
        CELERY_BROKER_FOLDER=str(data / "broker"),
    )


def prepare(data, fresh):
    if fresh and data.exists():
        shutil.rmtree(data)
    for sub in ("mail", "broker/queue", "broker/processed", "broker/control"):
        (data / sub).mkdir(parents=True, exist_ok=True)
    env = environment(data)
    print(f"==> migrate and load_demo into {(data / 'db.sqlite3').relative_to(ROOT)} (as ./portal.sh run)")
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([PYTHON, "manage.py", "load_demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def start(cmd, env, log_path):
    log = open(log_path, "w")  # noqa: SIM115 (kept open for the process's lifetime)
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def stop(proc):
    """End a process this script started, and its children (its own process group)."""
    if proc is None or proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def start_worker(data, env):
    """The worker with beat, exactly as ./portal.sh run starts it."""
    return start(
        [
            str(Path(PYTHON).parent / "celery"), "-A", "portal", "worker", "-B", "--queues", "celery,mail",
            "--concurrency", "1", "--loglevel", "INFO", "--schedule", str(data / "celerybeat-schedule"),
        ],  # fmt: skip
        env,
        data / "celery.log",
    )


def start_server(kind, port, env, data, workers):
    if kind == "runserver":  # as ./portal.sh run (threaded; without the autoreloader's extra process)
        cmd = [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
    else:
        cmd = [
            PYTHON, "-m", "gunicorn", "portal.wsgi:application", "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers), "--worker-class", "sync", "--timeout", "60",
        ]  # fmt: skip
    log_path = data / f"{kind}.log"
    proc = start(cmd, env, log_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{kind} exited with {proc.returncode}; see {log_path}")
        try:
            if request(port, "/halsa/", timeout=2)[0] == 200:
                return proc, log_path
        except OSError:
            pass
        time.sleep(0.3)
    stop(proc)
    raise RuntimeError(f"{kind} did not answer within 60 s; see {log_path}")


def setup_django(env):
    os.environ.update({k: env[k] for k in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL") if k in env})
    import django

    django.setup()


def pages_for(email):
    """(path, kind) of the pages ``email`` may see: plan pages of each of their open plans, and
    other pages."""
    from django.urls import reverse

    from childplans.models import ChildPlan
    from networks.models import NetworkMembership
    from portal.models import User

    user = User.objects.get(email=email)
    pages = [(reverse("dashboard"), "other"), (reverse("childplans:plan_list"), "other"),
             (reverse("childplans:my_actions"), "other"), (reverse("directory_search") + "?q=familj", "other")]  # fmt: skip
    network = NetworkMembership.objects.filter(user=user).order_by("network_id").first()
    if network is not None:
        pages.append((reverse("network_detail", args=[network.network_id]), "other"))
    plans = ChildPlan.objects.visible_to(user).filter(status=ChildPlan.Status.ACTIVE).order_by("pk")
    for plan in plans:
        for name in ("plan_detail", "chronology", "history", "map"):
            pages.append((reverse(f"childplans:{name}", kwargs={"plan_pk": plan.pk}), "plan"))
    return pages


def log_in(port, sessions):
    """Each reader logs in once (password and TOTP code); their sessions are copied up to
    ``sessions`` in all. Returns [(email, session key)] and the writer's own session."""
    from django.conf import settings

    from networks.demo import DEMO_PASSWORD

    secret = settings.DEMO_TOTP_SECRET
    keys = {email: login_with_totp(port, email, DEMO_PASSWORD, secret) for email in READERS}
    readers = []
    while len(readers) < sessions:
        for email in READERS:
            if len(readers) < sessions:
                readers.append((email, clone_sessions(keys[email], 1)[0]))
    writer = clone_sessions(keys[WRITER], 1)[0]
    return readers, writer


def wrk_args(readers):
    """report.lua's arguments: for each page, the cookies of the sessions that may see it."""
    by_page, kinds = {}, {}
    for email, key in readers:
        for path, kind in pages_for(email):
            by_page.setdefault(path, []).append(f"sessionid={key}")
            kinds[path] = kind
    args = []
    for path, cookies in by_page.items():
        args += [path, *cookies]
    return args, sorted(by_page), sum(kind == "plan" for kind in kinds.values())


def check_pages(port, readers):
    """Each page once per user before the load: a page that does not answer 200 or 5xx (a
    redirect to log in, a 404) is a mistake of this script and stops it; 5xx are counted."""
    server_errors, wrong = [], []
    for email, key in {email: key for email, key in readers}.items():
        for path, _kind in pages_for(email):
            status = request(port, path, cookie=f"sessionid={key}", timeout=30)[0]
            if status >= 500:
                server_errors.append(f"{status} {path}")
            elif status != 200:
                wrong.append(f"{status} {path} ({email})")
    if wrong:
        raise RuntimeError("pages that do not answer 200 before the load: " + "; ".join(wrong))
    return server_errors


class Writer(threading.Thread):
    """One person posting forms one after another until ``deadline``: a goal on their first
    plan, then their answer to a network meeting that is open for answers (yes and no in
    turn). A saved form answers with a redirect (302); anything else is counted as failed."""

    def __init__(self, port, session_key, deadline):
        super().__init__(daemon=True)
        from django.urls import reverse

        from childplans.models import ChildPlan
        from meetings.models import Invitation
        from portal.models import User

        user = User.objects.get(email=WRITER)
        plan = ChildPlan.objects.visible_to(user).filter(status=ChildPlan.Status.ACTIVE).order_by("pk").first()
        invitation = next(
            (i for i in Invitation.objects.filter(user=user).select_related("meeting").order_by("meeting_id")
             if i.meeting.is_open_for_answers),
            None,
        )  # fmt: skip
        self.forms = [(reverse("childplans:goal_add", kwargs={"plan_pk": plan.pk}), None)]
        if invitation is not None:
            self.forms.append(
                (reverse("meeting_detail", args=[invitation.meeting_id]),
                 reverse("meeting_my_answer", args=[invitation.meeting_id]))
            )  # fmt: skip
        self.port, self.deadline = port, deadline
        self.jar = {"sessionid": session_key}
        self.posts, self.failed, self.statuses, self.times = 0, 0, {}, []

    def post(self, form_path, action, fields):
        """GET the page with the form (its CSRF token), then POST ``fields`` to ``action`` (the
        page itself when None), like a browser; the answer's status."""
        started = time.perf_counter()
        status, headers, body = request(self.port, form_path, cookie=cookie_header(self.jar), timeout=60)
        cookies_from(headers, self.jar)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if status != 200 or not token:
            raise RuntimeError(f"GET {form_path} answered {status} without a form")
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token.group(1).decode()})
        status, headers, _body = request(
            self.port, action or form_path, method="POST", cookie=cookie_header(self.jar), body=data, timeout=60,
            headers={"Content-Type": "application/x-www-form-urlencoded",
                     "Referer": f"http://127.0.0.1:{self.port}{form_path}"},
        )  # fmt: skip
        cookies_from(headers, self.jar)
        self.times.append((time.perf_counter() - started) * 1000)
        return status

    def run(self):
        n = 0
        while time.monotonic() < self.deadline:
            form_path, action = self.forms[n % len(self.forms)]
            if action is None:
                fields = {"area": "trygg", "description": f"Mål från skrivaren {n}"}
            else:
                fields = {"response": "yes" if n // 2 % 2 else "no"}
            try:
                status = self.post(form_path, action, fields)
            except (OSError, RuntimeError) as exc:
                status = type(exc).__name__
            self.posts += 1
            self.statuses[str(status)] = self.statuses.get(str(status), 0) + 1
            if status != 302:
                self.failed += 1
            n += 1


def locked_lines(path, since):
    """Lines of ``path`` after byte ``since`` that say the database was locked."""
    if path is None or not path.exists():
        return []
    with open(path, "rb") as f:
        f.seek(since)
        text = f.read().decode("utf-8", "replace")
    return [line.strip() for line in text.splitlines() if LOCKED.search(line)]


def size(path):
    return path.stat().st_size if path is not None and path.exists() else 0


def run_wrk(port, args, duration, threads, connections, timeout):
    cmd = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", f"{timeout}s",
        "-s", str(LUA), f"http://127.0.0.1:{port}/", "--", str(threads), *args,
    ]  # fmt: skip
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60, check=False)
    match = re.search(r"^BENCH_JSON (.*)$", out.stdout, re.MULTILINE)
    if not match:
        raise RuntimeError(f"wrk printed no summary: {out.stdout[-500:]} {out.stderr[-500:]}")
    return json.loads(match.group(1))


def sqlite_configuration():
    """The journal mode, synchronous level and busy timeout a connection of this copy gets."""
    from django.db import connection

    with connection.cursor() as cursor:
        journal = cursor.execute("PRAGMA journal_mode").fetchone()[0]
        sync = cursor.execute("PRAGMA synchronous").fetchone()[0]
        busy = cursor.execute("PRAGMA busy_timeout").fetchone()[0]
    mode = connection.settings_dict["OPTIONS"].get("transaction_mode") or "DEFERRED (default)"
    connection.close()
    return {"journal_mode": journal, "synchronous": {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(sync, sync),
            "busy_timeout_ms": busy, "transaction_mode": mode}  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", choices=("runserver", "gunicorn"), default="runserver")
    parser.add_argument("--port", type=int, help="load a ./portal.sh run already serving on this port instead "
                        "(its var/db.sqlite3; nothing is started, the worker's log is var/celery.log)")
    parser.add_argument("--fresh", action="store_true", help="remove var/bench/embedded/ first")
    parser.add_argument("--duration", type=int, default=30, help="seconds of load (default 30)")
    parser.add_argument("--threads", type=int, default=2, help="wrk -t (default 2)")
    parser.add_argument("--connections", type=int, default=16, help="wrk -c (default 16)")
    parser.add_argument("--timeout", type=int, default=30, help="wrk --timeout in seconds (default 30: longer than the busy timeout)")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1,
                        help="gunicorn's sync workers (default 2 x cores + 1)")
    parser.add_argument("--no-writer", action="store_true", help="pages only, no one posting forms")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (Debian package wrk)")

    attached = args.port is not None
    data = ROOT / "var" if attached else DATA
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="portal.settings.dev") if attached else environment(data)
    worker = server = None
    server_log = None
    worker_log = data / "celery.log"
    load_before = load_average()
    if not attached:
        prepare(data, args.fresh)
    setup_django(env)
    configuration = sqlite_configuration()
    print(f"==> SQLite: {configuration}")
    try:
        if attached:
            port = args.port
        else:
            print("==> the Celery worker with beat (filesystem broker), as ./portal.sh run starts it")
            worker = start_worker(data, env)
            port = free_port()
            what = "runserver" if args.server == "runserver" else f"gunicorn, {args.workers} sync workers"
            print(f"==> {what} on 127.0.0.1:{port} with portal.settings.dev")
            server, server_log = start_server(args.server, port, env, data, args.workers)
        readers, writer_key = log_in(port, args.connections)
        print(f"==> logged in: {', '.join(READERS)} ({len(readers)} sessions)")
        first_errors = check_pages(port, readers)
        print(f"==> every page once per user: {len(first_errors)} answered 5xx {first_errors or ''}")
        wrk_arguments, paths, plan_pages = wrk_args(readers)
        print(f"==> {len(paths)} pages, {plan_pages} of them plan pages: {', '.join(paths)}")
        marks = {"server": size(server_log), "worker": size(worker_log)}
        deadline = time.monotonic() + args.duration
        writer = None if args.no_writer else Writer(port, writer_key, deadline)
        print(f"==> load: wrk -t{args.threads} -c{args.connections} -d{args.duration}s"
              + ("" if writer is None else " beside one writer posting forms") + ", the worker with beat running")
        if writer is not None:
            writer.start()
        result = run_wrk(port, wrk_arguments, args.duration, args.threads, args.connections, args.timeout)
        if writer is not None:
            writer.join(timeout=120)
        time.sleep(2)  # the worker sends what the writer's answers put in the outbox
    finally:
        stop(server)
        stop(worker)
    locked = {"server": locked_lines(server_log, marks["server"]) if server_log else [],
              "worker": locked_lines(worker_log, marks["worker"])}  # fmt: skip
    seconds = result["duration_us"] / 1e6
    summary = {
        "server": "attached" if attached else args.server,
        "sqlite": configuration,
        "conditions": f"{os.cpu_count()} cores, wrk -t{args.threads} -c{args.connections} -d{args.duration}s, "
                      f"load average before/after {load_before} / {load_average()}",
        "pages": paths,
        "first_requests_5xx": len(first_errors),
        "requests": result["requests"],
        "rps": result["requests"] / seconds if seconds else 0,
        "not_200": result["not_ok"],
        "server_errors": result.get("server_errors"),
        "socket_errors": result["socket_errors"],
        "p50_ms": result["p50_us"] / 1000,
        "p95_ms": result["p95_us"] / 1000,
        "p99_ms": result["p99_us"] / 1000,
        "max_ms": result["max_us"] / 1000,
        "writer": None if writer is None else {
            "posts": writer.posts, "failed": writer.failed, "statuses": writer.statuses,
            "p95_ms": percentile(writer.times, 95),
        },
        "database_is_locked": {k: len(v) for k, v in locked.items()},
    }  # fmt: skip
    print()
    print(f"Embedded default ({summary['server']}), {summary['conditions']}; SQLite {configuration}")
    print(f"  pages under load: {summary['requests']} requests ({summary['rps']:.0f}/s), "
          f"{summary['not_200']} not 200 (of them {summary['server_errors']} 5xx), "
          f"{summary['socket_errors']} socket errors; p50 {summary['p50_ms']:.0f} ms, p95 {summary['p95_ms']:.0f} ms, "
          f"p99 {summary['p99_ms']:.0f} ms, max {summary['max_ms']:.0f} ms")  # fmt: skip
    if writer is not None:
        w = summary["writer"]
        print(f"  writer: {w['posts']} posts, {w['failed']} not saved {w['statuses']}, p95 {w['p95_ms'] or 0:.0f} ms")
    for where, lines in locked.items():
        if where == "server" and attached:
            print("  log lines saying 'database is locked', server: not read (attached: see ./portal.sh run's output)")
            continue
        print(f"  log lines saying 'database is locked', {where}: {len(lines)}" + (f" (first: {lines[0][:160]})" if lines else ""))
    failed = first_errors or summary["not_200"] or summary["socket_errors"] or (writer is not None and writer.failed) or any(locked.values())
    print("  verdict: " + ("MISS: errors under load" if failed else "PASS: every answer 200, every form saved"))
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"results-embedded-{summary['server']}.json"
    out.write_text(json.dumps(summary, indent=1))
    print(f"(results saved to {out.relative_to(ROOT)})")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
