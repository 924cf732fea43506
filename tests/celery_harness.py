"""Real parts for the background-work tests: a private redis-server, a local SMTP server
(aiosmtpd) and a real Celery worker process on the test database. Needs PostgreSQL (the worker
is another process and must see the test's committed rows) and the redis-server binary."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout=30.0, interval=0.1, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")


def require_real_services():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the Celery worker is a separate process sharing the test database")
    if shutil.which("redis-server") is None:
        pytest.skip("needs the redis-server binary for a real Redis broker")


class RedisServer:
    """A private redis-server we can stop and start without touching the machine's own."""

    def __init__(self):
        self.port = free_port()
        self.proc = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def up():
            with socket.socket() as s:
                return s.connect_ex(("127.0.0.1", self.port)) == 0

        wait_until(up, 10, message="redis-server to listen")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None


class SmtpSink:
    """A real SMTP server on loopback that stores what it accepts; it can refuse the first
    ``refuse`` deliveries with 451 (try again later) to exercise retries."""

    def __init__(self, refuse=0):
        from aiosmtpd.controller import Controller

        self.messages = []
        self.refused = 0
        self.refuse = refuse
        self.lock = threading.Lock()
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                with sink.lock:
                    if sink.refused < sink.refuse:
                        sink.refused += 1
                        return "451 4.3.0 Try again later"
                    sink.messages.append(message_from_bytes(envelope.content, policy=policy.default))
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def start(self):
        self.controller.start()

    def stop(self):
        self.controller.stop()

    def to(self, address):
        with self.lock:
            return [m for m in self.messages if address in m["To"]]


class Worker:
    """``celery -A portal worker`` as a child process on the test database and broker."""

    def __init__(self, broker_url, smtp_port, concurrency=1):
        db = settings.DATABASES["default"]
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings.test",
            "DATABASE_URL": f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "CELERY_BROKER_URL": broker_url,
            "TEST_EMAIL_BACKEND": "portal.mail.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
        }
        self.concurrency = concurrency
        self.proc = None
        self.log = ROOT / "var" / f"test-worker-{os.getpid()}.log"

    def start(self):
        self.log.parent.mkdir(exist_ok=True)
        pool = ["--pool", "solo"] if self.concurrency == 1 else ["--pool", "prefork", "--concurrency", str(self.concurrency)]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal", "worker", *pool, "--queues", "celery,mail",
             "--loglevel", "INFO",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until(lambda: "ready." in self.log.read_text(), 30, message="the Celery worker to be ready")

    def stop(self, kill=False):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL if kill else signal.SIGTERM)
            self.proc.wait(20)
        self.proc = None


def use_broker(url):
    """Point this (test) process's Celery app at ``url`` and stop running tasks eagerly."""
    from portal.celery import app

    app.conf.broker_url = url
    app.conf.task_always_eager = False
    app._pool = None
    app.amqp._producer_pool = None


def restore_eager():
    from portal.celery import app

    app.conf.task_always_eager = True
    app.conf.broker_url = "memory://"
    app._pool = None
    app.amqp._producer_pool = None
