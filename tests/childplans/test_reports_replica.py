"""The read replica for the heavy read-only reports (issue 22, portal/routers.py). The test
settings add a ``replica`` alias on the test database itself (TEST MIRROR) with the router off;
these tests turn it on and watch both connections: the reports read through the replica, writes
never go there, and without the alias everything stays on ``default``."""

from datetime import date

import environ
import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from childplans import indicators, services
from childplans.models import ChildPlan
from childplans.referrals import selectors as referral_selectors
from meetings import register
from networks.models import Organisation
from portal import routers
from portal.audit import audit_record
from portal.models import AuditEvent
from portal.routers import reports_on_replica
from portal.settings import base

ROUTER = ["portal.routers.ReplicaRouter"]
on_both = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def router_on(settings):
    settings.DATABASE_ROUTERS = ROUTER


class Watch:
    """The queries each alias ran inside the block."""

    def __enter__(self):
        self.default = CaptureQueriesContext(connections["default"]).__enter__()
        self.replica = CaptureQueriesContext(connections["replica"]).__enter__()
        return self

    def __exit__(self, *exc):
        self.replica.__exit__(*exc)
        self.default.__exit__(*exc)

    def sql(self, alias):
        return [q["sql"] for q in getattr(self, alias).captured_queries]


def counted_plans(contact, organisation, n):
    for i in range(n):
        plan = services.plan_open(by=contact, organisation=organisation, given_name=f"Barn{i}",
                                  family_name="Replikasson", birth_date=date(2014, 1, 1 + i), reason="x")
        guardian = services.guardian_add(plan=plan, by=contact, name="Vh", relation="mamma", has_custody=True)
        services.consent_record(plan=plan, by=contact, guardian=guardian, given_on=timezone.localdate(),
                                method="written", purposes=["statistics"], organisations=[organisation])


@on_both
def test_the_indicators_read_through_the_replica(router_on, contact, org_social):
    counted_plans(contact, org_social, 5)
    with Watch() as watch:
        groups = indicators.indicators()
        left_out = indicators.indicators_left_out()
    assert groups[0].kommuner[0].plans == 5 and left_out == 0  # the replica sees the committed rows
    assert len(watch.sql("replica")) == 3
    assert watch.sql("default") == []


@on_both
def test_the_flow_and_the_year_report_read_through_the_replica(router_on, network):
    with Watch() as watch:
        referral_selectors.flow(Organisation.objects.all(), "ht", 2026)
        report = register.year_report(network, 2026)
    assert report.meetings == []
    assert len(watch.sql("replica")) >= 3
    assert watch.sql("default") == []


@on_both
def test_writes_never_go_to_the_replica(router_on, plan, contact):
    with reports_on_replica():
        with Watch() as watch:
            read = ChildPlan.objects.get(pk=plan.pk)
            assert read._state.db == "replica"
            read.reason = "ändrad"
            read.save(update_fields=["reason"])  # an object read there is saved on default
            audit_record(action=AuditEvent.Action.VIEW, plan_id=plan.pk)
    writes = [s for s in watch.sql("replica") if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []
    assert any(s.startswith("UPDATE") for s in watch.sql("default"))
    assert any(s.startswith("INSERT") for s in watch.sql("default"))
    assert ChildPlan.objects.using("default").get(pk=plan.pk).reason == "ändrad"


@on_both
def test_inside_a_transaction_the_report_reads_default(router_on, network):
    with Watch() as watch, transaction.atomic():
        register.year_report(network, 2026)
    assert watch.sql("replica") == []
    assert watch.sql("default")


@pytest.mark.django_db  # only default may be queried: a read routed to the replica would fail the test
def test_without_the_replica_alias_everything_stays_on_default(router_on, monkeypatch, contact, org_social):
    monkeypatch.setattr(routers, "REPLICA", "not_configured")  # the alias the router looks for is absent
    counted_plans(contact, org_social, 5)
    assert indicators.indicators()[0].kommuner[0].plans == 5
    assert indicators.indicators_left_out() == 0


@pytest.mark.django_db
def test_the_router_is_off_by_default_in_tests(settings, contact, org_social):
    assert settings.DATABASE_ROUTERS == []
    counted_plans(contact, org_social, 5)
    assert indicators.indicators()[0].kommuner[0].plans == 5


def test_the_replica_and_its_router_come_only_with_replica_database_url(monkeypatch):
    default = {"default": base.configured_database(environ.Env.db_url_config("postgres://u@primary:5432/p"))}
    monkeypatch.delenv("REPLICA_DATABASE_URL", raising=False)
    assert base.with_replica(default) == (default, [])
    monkeypatch.setenv("REPLICA_DATABASE_URL", "postgres://u@replica:5432/p")
    databases, routers = base.with_replica(default)
    assert routers == ROUTER
    assert databases["replica"]["HOST"] == "replica" and databases["default"]["HOST"] == "primary"
    assert databases["replica"]["OPTIONS"]["prepare_threshold"] == 5
