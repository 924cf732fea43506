"""The audit table's guard in the database (docs/security.md, promise 6): a row can never be
changed, and deleted only once it is older than the log's retention — the one delete path is
``portal.audit.audit_prune``; any other (the ORM, the admin, raw SQL) fails at the database.

PostgreSQL: a row trigger that reads the retention from the SQL function
``portal_audit_retention_years()``; the trigger itself never allows less than five years
(``MINIMUM_YEARS``), whatever the function says. SQLite: the same two rules as triggers, the
years written into the DELETE trigger. ``install`` is run by migration
``portal/0005_audit_retention_guard`` and after every ``migrate`` (post_migrate), so a change of
``AUDIT_RETENTION_YEARS`` reaches the database."""

from django.conf import settings

MINIMUM_YEARS = 5
TABLE = "portal_auditevent"


def retention_years():
    return max(MINIMUM_YEARS, int(getattr(settings, "AUDIT_RETENTION_YEARS", MINIMUM_YEARS)))


def install(connection, years=None):
    years = max(MINIMUM_YEARS, int(years if years is not None else retention_years()))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE OR REPLACE FUNCTION portal_audit_retention_years() RETURNS integer "
                f"LANGUAGE sql IMMUTABLE AS $$ SELECT {years} $$"
            )
            cursor.execute(
                "CREATE OR REPLACE FUNCTION portal_audit_guard() RETURNS trigger LANGUAGE plpgsql AS $$ "
                "BEGIN "
                "IF TG_OP = 'UPDATE' THEN "
                f"RAISE EXCEPTION 'audit log: rows of % cannot be changed', TG_TABLE_NAME; END IF; "
                f"IF OLD.at > now() - make_interval(years => greatest({MINIMUM_YEARS}, portal_audit_retention_years())) "
                "THEN RAISE EXCEPTION 'audit log: row % is within its retention and cannot be deleted', OLD.id; "
                "END IF; "
                "RETURN OLD; "
                "END $$"
            )
            cursor.execute(f"DROP TRIGGER IF EXISTS portal_audit_guard ON {TABLE}")
            cursor.execute(
                f"CREATE TRIGGER portal_audit_guard BEFORE UPDATE OR DELETE ON {TABLE} "
                "FOR EACH ROW EXECUTE FUNCTION portal_audit_guard()"
            )
        elif connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS portal_audit_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS portal_audit_guard_delete")
            cursor.execute(
                f"CREATE TRIGGER portal_audit_no_update BEFORE UPDATE ON {TABLE} "
                "BEGIN SELECT RAISE(ABORT, 'audit log: rows cannot be changed'); END"
            )
            cursor.execute(
                f"CREATE TRIGGER portal_audit_guard_delete BEFORE DELETE ON {TABLE} "
                f"WHEN julianday(OLD.at) > julianday('now', '-{years} years') "
                "BEGIN SELECT RAISE(ABORT, 'audit log: row within its retention cannot be deleted'); END"
            )


def uninstall(connection):
    """For tests that flush the table on SQLite (``tests/conftest.py``) and for reversing the
    migration; nothing in the portal calls it."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER IF EXISTS portal_audit_guard ON {TABLE}")
        elif connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS portal_audit_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS portal_audit_guard_delete")
