"""A read replica for the heavy read-only reports (issue 22, docs/deploy.md).

Active only when ``REPLICA_DATABASE_URL`` is set: the settings then add the ``replica`` alias and
``ReplicaRouter``. The reports that read many rows and write none — the plan indicators
(``childplans.indicators``), the flow of tips and referrals (``childplans.referrals.selectors.flow``)
and a network's year report with its representation (``meetings.register.year_report``) — are
marked with ``reports_on_replica``; while one runs, the reads of its thread go to the replica.
Everything else, and every write, goes to ``default``:

- a write is never routed to the replica, not even the save of an object the report read there;
- inside a transaction on ``default`` the report reads ``default`` (its own uncommitted rows);
- without the alias (no replica configured) the marker does nothing.

A streaming replica lags the primary by a moment: the reports tolerate that (counts, kept for
minutes anyway); pages that show what was just changed never read it."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
_reporting = ContextVar("portal_reports_on_replica", default=False)


@contextmanager
def reports_on_replica():
    """A with-block or decorator: the reads inside go to the replica when there is one."""
    token = _reporting.set(True)
    try:
        yield
    finally:
        _reporting.reset(token)


def replica_in_use():
    return REPLICA in settings.DATABASES and not connections[DEFAULT_DB_ALIAS].in_atomic_block


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _reporting.get() and replica_in_use():
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the same database

    def allow_migrate(self, db, app_label, **hints):
        return db != REPLICA
