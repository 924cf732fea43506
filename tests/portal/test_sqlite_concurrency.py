"""Promise 17 (docs/security.md): the embedded default serves concurrent users.

16 people at once, each opening their plan's page and writing through the real services (an
RSVP, a plan change and two team changes each with its audit row in the plan page's one
transaction, an e-mail in the outbox), on a SQLite *file* configured as the settings configure
every SQLite database, with the outbox sweeper running beside them: every request and every
write succeeds, and every audit row is there.

The work runs in a process of its own (tests/portal/sqlite_concurrency.py says why and what it
does): there the portal's ``default`` database is a new SQLite file in ``tmp_path``, whatever
database the suite itself runs on, so the test is the same in the SQLite and the PostgreSQL runs
of the suite. On the settings before ``SQLITE_OPTIONS`` (portal/settings/database.py: WAL, IMMEDIATE
transactions, a busy timeout) 72 of its 96 operations failed, most with "database is locked"."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from .sqlite_concurrency import KINDS

BASE_DIR = Path(settings.BASE_DIR)


def run_people(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SQLITE_")}  # the shipped defaults
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.test",
        DATABASE_URL=f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        CELERY_TASK_ALWAYS_EAGER="true",  # the worker's sending happens in the people's threads
        CELERY_BROKER_URL="memory://",
        TEST_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    done = subprocess.run(
        [sys.executable, "-m", "tests.portal.sqlite_concurrency"], cwd=BASE_DIR, env=env, capture_output=True,
        text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_sixteen_people_writing_at_once_to_a_sqlite_file_all_succeed_with_every_audit_row(tmp_path):
    report = run_people(tmp_path)
    people, each = report["threads"], report["threads"] * report["rounds"]
    assert people >= 16
    assert report["database"] == str(tmp_path / "portal.sqlite3"), "a file of its own, not the suite's database"
    assert report["still_running"] == []

    assert report["errors"] == [], f"{len(report['errors'])} failed:\n" + "\n".join(report["errors"][:20])
    assert {kind: report["done"][kind] for kind in KINDS} == dict.fromkeys(KINDS, each)
    assert report["done"]["sweeps"] > 0, "the sweeper ran beside them"

    # Every audit row is there: one per login, page read, answer, plan change and team change.
    assert report["audit"] == {
        "login": people, "page": each, "rsvp": each, "plan_change": each, "team_add": each, "team_remove": each,
        "total": people + 5 * each,
    }  # fmt: skip
    assert report["goals"] == each
    assert report["emails"]["sent"] == each, report["emails"]

    # ... on the configuration the settings give every SQLite database.
    assert report["journal_mode"] == "wal"
    assert report["options"]["transaction_mode"] == "IMMEDIATE"
