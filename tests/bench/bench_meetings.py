#!/usr/bin/env python
"""Benchmark: invitations for one meeting to 2,000 invitees through the real broker (a private
redis-server), one Celery worker and an SMTP server on loopback (docs/performance.md, "Background
work").

    .venv/bin/python tests/bench/bench_meetings.py [--invitees 2000] [--yardstick 2000]

Prints, from the same run: the trivial-task yardstick (``portal.tasks.noop``: tasks/s on the same
Redis and worker), the invitations' total time from pressing send to the last e-mail accepted by
the SMTP server, e-mails per second and its share of the yardstick (budget: at least a quarter),
the worker's peak memory (VmHWM); then the meeting page, the answers list (the coordinator's list,
50 rows a page) and the dashboard with the 2,000 invitees: queries per request and server-side
p50/p95 one request at a time (Django's test client in this process). Throughput of pages under
load is run_bench.py's job.

The invitations go the production way: ``meetings.services.meeting_invite`` records the outbox
rows (``portal.outbox.outbox_add_many``), which are handed to the broker after commit in batches
(``portal.tasks.outbox_send_batch`` on the ``mail`` queue); each batch is sent over one SMTP
connection by ``portal.outbox.send_rows``, which calls the preload that ``meetings/emails.py``
registered for the kind (``portal.outbox.register(kind, preload=...)``) once per batch.

Uses its own PostgreSQL database (default postgres://postgres@127.0.0.1:5432/meetings_bench,
recreated on each run; --database-url or BENCH_DATABASE_URL for another). The worker consumes the
default and the mail queue, as in production; it prints the load average before and after (a
shared machine makes every figure noisy). Load only goes to loopback and every wait is bounded in
time."""

import argparse
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/meetings_bench"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    sys.exit(f"timed out after {timeout}s waiting for {what}")


def recreate_database(url):
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    assert name.replace("_", "").isalnum(), name
    with psycopg.connect(urllib.parse.urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


class SmtpCounter:
    def __init__(self):
        from aiosmtpd.controller import Controller

        self.count = 0
        self.lock = threading.Lock()
        counter = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                with counter.lock:
                    counter.count += 1
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)


def peak_memory_kib(pid):
    """VmHWM (peak resident set) of the process and its children, in KiB."""
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def measure_pages(meeting, coordinator, participant, requests=100):
    """Server-side time and queries of the meeting pages and the dashboard with this meeting's
    invitees, through Django's test client in this process (the same database), one request at
    a time. Queries include the session and user (docs/performance.md budgets: a detail page
    <= 8 queries and p95 <= 100 ms, a list of 50 rows <= 10 and 100 ms, the dashboard <= 15 and
    250 ms)."""
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    pages = {
        "meeting page (coordinator)": (coordinator, reverse("meeting_detail", args=[meeting.pk]), (8, 100)),
        "meeting page (participant)": (participant, reverse("meeting_detail", args=[meeting.pk]), (8, 100)),
        "answers list (coordinator, 50 rows)": (coordinator, reverse("meeting_answers", args=[meeting.pk]), (10, 100)),
        "dashboard (participant)": (participant, reverse("dashboard"), (15, 250)),
    }
    results = {}
    for label, (user, url, budget) in pages.items():
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == 200, url
        executed = []

        def count(execute, sql, params, many, context, executed=executed):
            executed.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            client.get(url)
        times = []
        for _ in range(requests):
            t0 = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        results[label] = (len(executed), times[len(times) // 2], times[int(len(times) * 0.95) - 1], budget)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--invitees", type=int, default=2000)
    parser.add_argument("--yardstick", type=int, default=2000, help="trivial tasks for the yardstick")
    parser.add_argument("--concurrency", type=int, default=1, help="the worker's processes (1: solo pool)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--email-backend", default="portal.mail.EmailBackend",
                        help="the worker's EMAIL_BACKEND (default production's: hand-over before the dot)")
    args = parser.parse_args()

    load_before = os.getloadavg()
    recreate_database(args.database_url)
    redis_port = free_port()
    redis = subprocess.Popen(
        ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    smtp = SmtpCounter()
    smtp.controller.start()
    broker = f"redis://127.0.0.1:{redis_port}/0"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": args.database_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_BROKER_URL": broker,
        "TEST_EMAIL_BACKEND": args.email_backend,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "PORTAL_BASE_URL": "http://127.0.0.1:8000",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import redis as redis_lib
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from meetings import services
    from meetings.models import Topic
    from networks.models import (
        Kommun,
        Network,
        NetworkMembership,
        NetworkOrganisation,
        Organisation,
    )
    from portal.models import OutboundEmail
    from portal.tasks import noop

    print("==> migrating", flush=True)
    call_command("migrate", verbosity=0)
    r = redis_lib.Redis.from_url(broker)
    wait_until(lambda: r.ping(), 10, "redis")

    print(f"==> seeding one network with {args.invitees} members", flush=True)
    User = get_user_model()
    kommun = Kommun.objects.select_related("lan").get(name="Växjö")
    with transaction.atomic():
        org = Organisation.objects.create(name="Bench kommun", kind="kommun", kommun=kommun, lan=kommun.lan)
        network = Network.objects.create(name="Bench-nätverket", kind="local", kommun=kommun, lan=kommun.lan)
        NetworkOrganisation.objects.create(network=network, organisation=org)
        users = User.objects.bulk_create(
            User(email=f"p{i}@bench.example.se", first_name=f"Person{i}", last_name="Bench", password="!")
            for i in range(args.invitees)
        )
        NetworkMembership.objects.bulk_create(
            NetworkMembership(network=network, user=u, organisation=org, role="coordinator" if i == 0 else "participant")
            for i, u in enumerate(users)
        )
        start = timezone.now() + timezone.timedelta(days=14)
        meeting = services.meeting_schedule(
            network=network, by=users[0], title="Benchträffen", starts_at=start,
            ends_at=start + timezone.timedelta(hours=2), place="Loopback 1",
            topics=list(Topic.objects.all()[:2]),
        )

    worker_log = ROOT / "var" / "bench-meetings-worker.log"
    worker_log.parent.mkdir(exist_ok=True)
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker",
         *(["--pool", "solo"] if args.concurrency == 1 else ["--pool", "prefork", "--concurrency", str(args.concurrency)]),
         "--queues", "celery,mail",  # the default queue and e-mail's own (settings: CELERY_TASK_ROUTES)
         "--loglevel", "WARNING",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=worker_log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        from portal.celery import app

        app.conf.broker_url = broker
        app.conf.task_always_eager = False

        def queue_empty():
            return r.llen("celery") == 0 and r.llen("mail") == 0 and r.hlen("unacked") == 0

        # Warm the worker (imports, first connections).
        noop.delay()
        wait_until(queue_empty, 60, "the worker to start")
        time.sleep(0.5)

        print(f"==> yardstick: {args.yardstick} trivial tasks", flush=True)
        with app.producer_or_acquire() as producer:
            t0 = time.monotonic()
            for _ in range(args.yardstick):
                noop.apply_async(producer=producer)
        wait_until(queue_empty, 300, "the trivial tasks")
        yardstick_s = time.monotonic() - t0
        yardstick_rate = args.yardstick / yardstick_s

        print(f"==> invitations: {args.invitees} invitees, press send", flush=True)
        t0 = time.monotonic()
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as click_queries, transaction.atomic():
            invited = services.meeting_invite(meeting=meeting, by=users[0])
        click_s = time.monotonic() - t0
        click_count = len(click_queries)
        wait_until(lambda: smtp.count >= invited, 1800, "the invitations")
        total_s = time.monotonic() - t0
        time.sleep(1)
        peak = peak_memory_kib(worker.pid)
        sent = OutboundEmail.objects.filter(kind="meeting_invitation", status="sent").count()
        rate = invited / total_s
        pages = measure_pages(meeting, users[0], users[1])
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(30)
        smtp.controller.stop()
        redis.terminate()
        redis.wait(10)

    print()
    pool = "solo pool" if args.concurrency == 1 else f"prefork, {args.concurrency} processes"
    load_after = os.getloadavg()
    print(f"one worker ({pool}), {args.invitees} invitees, {args.email_backend}; load average before "
          f"{' '.join(f'{x:.2f}' for x in load_before)}, after {' '.join(f'{x:.2f}' for x in load_after)}")
    print(f"{'trivial-task yardstick':<40} {yardstick_rate:8.0f} tasks/s ({args.yardstick} in {yardstick_s:.1f} s)")
    print(f"{'invitations: e-mails accepted by SMTP':<40} {smtp.count:8d} (outbox rows sent: {sent})")
    print(f"{'invitations: pressing send':<40} {click_s:8.2f} s, {click_count} queries")
    print(f"{'invitations: total time':<40} {total_s:8.1f} s")
    print(f"{'invitations: e-mails per second':<40} {rate:8.0f} /s = {rate / yardstick_rate:.1%} of the yardstick "
          f"(budget >= 25%: {'PASS' if rate >= yardstick_rate / 4 else 'MISS'})")
    print(f"{'worker peak memory (VmHWM)':<40} {peak / 1024:8.0f} MiB")
    print()
    heading = f"page ({args.invitees:,} invitees), one at a time"
    print(f"{heading:<40} {'queries':>8} {'p50 ms':>8} {'p95 ms':>8}  budget")
    for label, (queries, p50, p95, budget) in pages.items():
        verdict = "PASS" if queries <= budget[0] and p95 <= budget[1] else "MISS"
        print(f"{label:<40} {queries:8d} {p50:8.1f} {p95:8.1f}  <= {budget[0]} queries, p95 <= {budget[1]} ms: {verdict}")
    if smtp.count != invited or sent != invited:
        sys.exit(f"expected {invited} e-mails once each, the SMTP server got {smtp.count}, outbox says {sent}")


if __name__ == "__main__":
    main()
