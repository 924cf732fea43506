"""Server-side prepared statements are PostgreSQL's default (issue 22, docs/performance.md):
``configured_database`` asks psycopg for them; SQLite gets none of it."""

import environ
import pytest
from django.db import connection

from portal.settings import database as base


def test_postgres_gets_prepared_statements_and_server_side_binding():
    db = base.configured_database(environ.Env.db_url_config("postgres://u@h:5432/x"))
    assert db["OPTIONS"]["server_side_binding"] is True
    assert db["OPTIONS"]["prepare_threshold"] == base.DB_PREPARE_THRESHOLD == 5


def test_options_in_the_url_win_and_sqlite_gets_none(monkeypatch):
    db = base.configured_database(environ.Env.db_url_config("postgres://u@h:5432/x?prepare_threshold=20"))
    assert db["OPTIONS"]["prepare_threshold"] == 20
    monkeypatch.setattr(base, "DB_SERVER_SIDE_BINDING", False)
    monkeypatch.setattr(base, "DB_PREPARE_THRESHOLD", None)
    db = base.configured_database(environ.Env.db_url_config("postgres://u@h:5432/x"))
    assert "server_side_binding" not in db["OPTIONS"] and "prepare_threshold" not in db["OPTIONS"]
    lite = base.configured_database(environ.Env.db_url_config("sqlite:///x.sqlite3"))
    assert "prepare_threshold" not in lite["OPTIONS"] and "server_side_binding" not in lite["OPTIONS"]


@pytest.mark.django_db
def test_the_test_database_runs_with_them_on_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are a PostgreSQL option")
    connection.ensure_connection()
    assert connection.connection.prepare_threshold == 5
    for _ in range(7):  # the same query past the threshold is prepared, and still answers
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM portal_auditevent WHERE id > %s", [0])
            assert cursor.fetchone()[0] >= 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone()[0] >= 1
