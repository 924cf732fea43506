"""Counting a page's queries against its budget (docs/performance.md), shared by the query tests.

Every logged-in request reads the session and the user (``AUTH_QUERIES``); the session itself is
re-saved at most once a minute (``IdleSessionMiddleware``). A page's own queries are the rest, held
to ``budget - AUTH_QUERIES`` however the middleware evolves."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

AUTH_QUERIES = 2
DETAIL_BUDGET = 8
LIST_BUDGET = 10
DASHBOARD_BUDGET = 15
PLAN_BUDGET = 10

MIDDLEWARE_SQL = re.compile(
    r'^(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)'
    r'|FROM "django_session"|^UPDATE "django_session"|^INSERT INTO "django_session"'
    r'|"usersessions_usersession"'
    r'|^SELECT [^;]* FROM "portal_user" WHERE "portal_user"\."id" = \S+ LIMIT \d+$'
)


def page_queries(client, url):
    """(response, all queries, the page's own queries) of a GET of ``url``."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    queries = [q["sql"] for q in ctx.captured_queries]
    return response, queries, [sql for sql in queries if not MIDDLEWARE_SQL.search(sql)]
