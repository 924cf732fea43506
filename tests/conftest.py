"""Shared personas and helpers. The database is real (SQLite locally, PostgreSQL in CI)."""

import pytest
from django.db import connection

from networks.models import NetworkMembership, Organisation

from . import factories as f


def pytest_report_header(config):
    from django.conf import settings

    return f"database: {settings.DATABASES['default']['ENGINE']}"


@pytest.fixture(autouse=True)
def _swedish_first():
    """Every test starts in the portal's default language: a request with the English cookie
    leaves English active in the thread, which would follow the next test's direct calls."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield


@pytest.fixture(autouse=True)
def _empty_caches():
    """Kept HTML (portal/kept.py) and cached sessions never outlive a test: the next test's
    rows may reuse primary keys (SQLite rolls its sequences back)."""
    from django.core.cache import caches

    caches["kept"].clear()
    caches["default"].clear()
    yield


def _transactional(request):
    marker = request.node.get_closest_marker("django_db")
    return bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
        or (marker is not None and marker.kwargs.get("transaction"))
    )


@pytest.fixture
def _sqlite_audit_unguarded(_django_db_helper):
    """Torn down just before pytest-django empties the tables of a transactional test: SQLite
    empties them with DELETE, which the audit table's guard (portal.auditguard) refuses for
    young rows (PostgreSQL uses TRUNCATE, which the row trigger does not see)."""
    yield
    from portal import auditguard

    auditguard.uninstall(connection)


@pytest.fixture(autouse=True)
def _audit_guard_after_flush(request, django_db_blocker):
    """On SQLite, a transactional test's flush runs without the audit guard, which is put back
    right after, so the next test has it as production does."""
    if connection.vendor != "sqlite" or not _transactional(request):
        yield
        return
    request.getfixturevalue("_sqlite_audit_unguarded")
    yield
    from portal import auditguard

    with django_db_blocker.unblock():
        auditguard.install(connection)


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture
def org_kommun(db):
    return f.OrganisationFactory(name="Växjö kommun", unit="Socialtjänsten", kind=Organisation.Kind.KOMMUN)


@pytest.fixture
def org_church(db):
    return f.OrganisationFactory(name="Växjö domkyrkoförsamling", kind=Organisation.Kind.KYRKA)


@pytest.fixture
def regional_network(db):
    return f.RegionalNetworkFactory(name="Barnens bästa gäller! i Kronoberg")


@pytest.fixture
def network(db, regional_network):
    return f.LocalNetworkFactory(name="Barnstödsnätverket i Växjö", parent=regional_network)


@pytest.fixture
def coordinator(db, network, org_kommun):
    """Samordnare of ``network``."""
    return f.MembershipFactory(
        network=network, organisation=org_kommun, role=NetworkMembership.Role.COORDINATOR,
        user=f.UserFactory(email="samordnare@vaxjo.se", first_name="Sara", last_name="Samordnare"),
    ).user


@pytest.fixture
def participant(db, network, org_church):
    """Deltagare in ``network``, from a church."""
    return f.MembershipFactory(
        network=network, organisation=org_church,
        user=f.UserFactory(email="deltagare@kyrkan.se", first_name="Per", last_name="Präst"),
    ).user


@pytest.fixture
def outsider(db):
    """Logged-in user who is a member of no network."""
    return f.UserFactory(email="utomstaende@exempel.se")


@pytest.fixture
def administrator(db):
    return f.UserFactory(email="admin@exempel.se", is_staff=True, is_superuser=True)


@pytest.fixture
def client_for(client):
    """``client_for(user)``: a test client logged in as ``user``."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


def pytest_sessionfinish(session, exitstatus):
    """In CI (CI=true) no test may be skipped: a skip there means a missing service."""
    import os

    if not os.environ.get("CI"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped:
        reporter.write_line(f"CI: {skipped} test(s) skipped; every test must run in CI.", red=True)
        session.exitstatus = 1


# --- Real background-work parts (tests/celery_harness.py), shared by the integration tests ---


@pytest.fixture
def redis_server():
    """A private redis-server as the broker of this process (skips without PostgreSQL/Redis)."""
    from .celery_harness import RedisServer, require_real_services, restore_eager, use_broker

    require_real_services()
    server = RedisServer()
    server.start()
    use_broker(server.url)
    yield server
    restore_eager()
    server.stop()


@pytest.fixture
def smtp():
    """A real SMTP server on loopback that keeps what it accepts."""
    from .celery_harness import SmtpSink

    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def worker_factory(redis_server, smtp):
    """``worker_factory(concurrency=1, start=True)``: a real Celery worker process."""
    from .celery_harness import Worker

    workers = []

    def make(concurrency=1, start=True):
        w = Worker(redis_server.url, smtp.port, concurrency=concurrency)
        workers.append(w)
        if start:
            w.start()
        return w

    yield make
    for w in workers:
        w.stop(kill=True)


# --- parallel runs (pytest-xdist, ``--dist loadgroup``: ./portal.sh test) -----------------------


def pytest_collection_modifyitems(config, items):
    """Tests marked ``sqlite_only`` (SQLite's side of a path PostgreSQL takes otherwise) are
    deselected on PostgreSQL — not skipped: in CI no test may be skipped, and .ci/run's SQLite
    pass runs them (they are marked ``both_databases`` too).

    Each test's xdist group: its module, so a module's fixtures (a crawl of the demo, an
    identity provider, a browser) are made once, in one worker. The crawl's tests are grouped by
    persona as well, so its persona crawls — the longest module — spread over the workers; the
    test that needs every persona's crawl stays in the module's own group."""
    from django.conf import settings

    if "sqlite" not in settings.DATABASES["default"]["ENGINE"]:
        deselected = [item for item in items if item.get_closest_marker("sqlite_only")]
        if deselected:
            config.hook.pytest_deselected(items=deselected)
            items[:] = [item for item in items if not item.get_closest_marker("sqlite_only")]
    for item in items:
        if item.get_closest_marker("xdist_group"):
            continue
        group = item.nodeid.split("::", 1)[0]
        params = getattr(getattr(item, "callspec", None), "params", {})
        if "/crawl/" in group and "persona" in params:
            group += f"@{params['persona']}"
            if "part" in params:
                group += f"#{params['part']}"
        item.add_marker(pytest.mark.xdist_group(group))


# --- reference data after a flush -----------------------------------------------------------------

# The rows data migrations seed (län and kommuner, meeting topics, plan-keeping kinds and reasons):
# a transactional test's flush empties them, and the tests after it in the same process expect
# them as a migrated database has them. With parallel workers any test may come after one.
REFERENCE_DATA = (
    ("networks.migrations.0003_geography", "load"),
    ("meetings.migrations.0002_topics", "seed"),
    ("childplans.migrations.0002_seed_settings", "seed"),
)
_blocker = []


@pytest.fixture(scope="session", autouse=True)
def _keep_db_blocker(django_db_blocker):
    _blocker.append(django_db_blocker)
    yield
    _blocker.clear()


def _transactional_item(item):
    marker = item.get_closest_marker("django_db")
    return bool(
        {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
        or (marker is not None and marker.kwargs.get("transaction"))
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield  # every fixture is torn down: a transactional test's tables are flushed
    if not _blocker or not _transactional_item(item):
        return
    import importlib

    from django.apps import apps

    with _blocker[0].unblock():
        from networks.models import Lan

        if Lan.objects.exists():
            return
        for module, function in REFERENCE_DATA:
            getattr(importlib.import_module(module), function)(apps, None)
