"""The databases: SQLite as the embedded default, PostgreSQL from DATABASE_URL, a read replica
from REPLICA_DATABASE_URL (imported by base.py; the run modes use ``configured_database`` and
``with_replica`` for their own entries)."""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

# --- SQLite for a web server (docs/security.md 17; docs/architecture.md "Run modes") ---------
# The embedded default is one SQLite file shared by the web server's threads (or processes) and
# the Celery worker with beat. Configured for that, for every SQLite database the portal opens
# (the embedded default, the tests on SQLite, a benchmark's copy):
# - journal_mode=WAL: readers never wait for the writer and the writer never waits for
#   readers. (WAL needs a local file system; on a network share choose DELETE.)
# - transaction_mode IMMEDIATE: every transaction.atomic() takes the one write lock at BEGIN,
#   waiting for it up to the busy timeout. Otherwise a transaction takes it at its first
#   write, and SQLite answers "database is locked" at once, without waiting, when another
#   connection wrote meanwhile (WAL: committed since this transaction's first read; rollback
#   journal: waits to commit) -- a plan page reads, renders, then inserts its audit row.
#   Reads in autocommit, outside atomic(), take no lock. An atomic() block holds the write lock
#   until it ends, even if it only reads: writes queue one at a time, so keep them short, no
#   network I/O inside (e-mail goes after commit). The lock also stands in for
#   select_for_update(), which SQLite ignores: what an atomic() block reads, no one else
#   changes before it commits.
# - timeout: how long a connection waits for the write lock (SQLite's busy timeout), seconds.
# - synchronous=NORMAL with WAL: never a corrupt file; a power cut or an operating system crash
#   (not a crash of the portal) may lose the last transactions before the next checkpoint.
#   FULL writes every commit through to the disk (about 5 ms a commit here). Any other journal
#   mode gets FULL: there NORMAL could corrupt the file on a power cut.
SQLITE_JOURNAL_MODE = env.str("SQLITE_JOURNAL_MODE", default="WAL").upper()
SQLITE_SYNCHRONOUS = env.str("SQLITE_SYNCHRONOUS", default="NORMAL" if SQLITE_JOURNAL_MODE == "WAL" else "FULL").upper()
SQLITE_BUSY_TIMEOUT_SECONDS = env.float("SQLITE_BUSY_TIMEOUT_SECONDS", default=20)
if SQLITE_JOURNAL_MODE not in {"WAL", "DELETE", "TRUNCATE", "PERSIST"}:
    raise ImproperlyConfigured(f"SQLITE_JOURNAL_MODE={SQLITE_JOURNAL_MODE!r}: use WAL, DELETE, TRUNCATE or PERSIST")
if SQLITE_SYNCHRONOUS not in {"NORMAL", "FULL", "EXTRA"} or (
    SQLITE_SYNCHRONOUS == "NORMAL" and SQLITE_JOURNAL_MODE != "WAL"
):
    raise ImproperlyConfigured(
        f"SQLITE_SYNCHRONOUS={SQLITE_SYNCHRONOUS!r}: use FULL or EXTRA, or NORMAL with SQLITE_JOURNAL_MODE=WAL"
    )
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
    "init_command": f"PRAGMA journal_mode={SQLITE_JOURNAL_MODE}; PRAGMA synchronous={SQLITE_SYNCHRONOUS}",
}


# PostgreSQL only: see configured_database. DB_PREPARE_THRESHOLD empty = psycopg never prepares.
DB_SERVER_SIDE_BINDING = env.bool("DB_SERVER_SIDE_BINDING", default=True)
DB_DISABLE_SERVER_SIDE_CURSORS = env.bool("DB_DISABLE_SERVER_SIDE_CURSORS", default=False)
DB_PREPARE_THRESHOLD = env.int("DB_PREPARE_THRESHOLD", default=5) if env.str("DB_PREPARE_THRESHOLD", default="5") else None


def configured_database(database):
    """A DATABASES entry (from ``env.db``) with what its engine needs here: SQLite gets
    ``SQLITE_OPTIONS`` (options given in the URL win), PostgreSQL persistent connections."""
    database["ATOMIC_REQUESTS"] = False  # services open their own transactions (STYLE.md)
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database["OPTIONS"] = {**SQLITE_OPTIONS, **database.get("OPTIONS", {})}
    elif database["ENGINE"] == "django.db.backends.postgresql":
        # Persistent connections: a new PostgreSQL connection costs ~6 ms (docs/performance.md).
        database["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
        database["CONN_HEALTH_CHECKS"] = True
        # Server-side prepared statements (issue 22, docs/performance.md "Prepared statements"):
        # psycopg prepares a query once it has run DB_PREPARE_THRESHOLD times on a connection
        # and binds parameters on the server. Not 0: a threshold of 0 prepares every statement
        # at once, and multi-statement SQL (the audit guard's trigger functions at migrate)
        # cannot be prepared. Behind PgBouncer in transaction mode, set its
        # max_prepared_statements (docs/deploy.md); session mode needs nothing.
        options = database.setdefault("OPTIONS", {})
        if DB_SERVER_SIDE_BINDING:
            options.setdefault("server_side_binding", True)
        if DB_PREPARE_THRESHOLD is not None:
            options.setdefault("prepare_threshold", DB_PREPARE_THRESHOLD)
        # Behind PgBouncer in transaction mode a server-side cursor (QuerySet.iterator()) cannot
        # outlive its transaction's server connection (docs/deploy.md).
        database["DISABLE_SERVER_SIDE_CURSORS"] = DB_DISABLE_SERVER_SIDE_CURSORS
    return database


def with_replica(databases):
    """``databases`` with the ``replica`` alias when REPLICA_DATABASE_URL is set (a streaming
    replica of the primary, docs/deploy.md), and the routers to go with it: the heavy read-only
    reports read there (portal/routers.py). Without it, one database and no router."""
    url = env.str("REPLICA_DATABASE_URL", default="")
    if not url:
        return databases, []
    return {**databases, "replica": configured_database(env.db_url_config(url))}, ["portal.routers.ReplicaRouter"]


# SQLite is the embedded default; PostgreSQL comes from DATABASE_URL.
DATABASES, DATABASE_ROUTERS = with_replica({
    "default": configured_database(env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"))
})
