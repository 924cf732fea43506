"""The benchmark seeder makes visible, consistent plans."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from childplans.models import Action, ChildPlan, Review, TeamMember
from childplans.seed import seed_audit
from portal.models import AuditEvent
from portal.partitions import partitioned

from .conftest import person

pytestmark = pytest.mark.django_db


def test_seed_childplans(org_social, org_school, contact, teacher):
    person("kollega@vaxjo.se", org_social)
    call_command("seed_childplans", plans=20, actions=60, reviews=30, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert ChildPlan.objects.count() == 20
    assert Action.objects.count() == 60 and Review.objects.count() == 30
    # every plan's contact person is on its team and can see it
    for plan in ChildPlan.objects.select_related("contact_person"):
        assert TeamMember.objects.filter(plan=plan, user=plan.contact_person, removed_at__isnull=True).exists()
        assert ChildPlan.objects.visible_to(plan.contact_person).filter(pk=plan.pk).exists()
    # every plan has a consent in force covering its owner organisation (the indicators count
    # plans with a consent for statistics; the referral rule reads the organisations)
    for plan in ChildPlan.objects.all():
        consent = plan.consents.get()
        assert consent.given_on <= timezone.localdate() < consent.valid_until
        assert list(consent.organisations.values_list("pk", flat=True)) == [plan.owner_organisation_id]
        assert consent.guardian.child_id == plan.child_id


def test_seed_audit_rows_spread_over_two_years_on_seeded_plans(org_social, org_school, contact, teacher, is_postgres):
    if not is_postgres:
        with pytest.raises(RuntimeError, match="PostgreSQL"):
            call_command("seed_childplans", plans=0, audit_rows=10, stdout=open("/dev/null", "w"))  # noqa: SIM115
        return
    call_command("seed_childplans", plans=20, actions=0, reviews=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    before = AuditEvent.objects.count()
    seed_audit(1000)
    rows = AuditEvent.objects.filter(user_label="seed")
    assert AuditEvent.objects.count() - before == rows.count() == 1000
    now = timezone.now()
    oldest = rows.order_by("at").first().at
    assert now - timedelta(days=731) < oldest < now - timedelta(days=720)
    # every row reads or changes a seeded plan, by its contact person, with the plan's child
    plans = {p.pk: p for p in ChildPlan.objects.all()}
    assert set(rows.values_list("plan_id", flat=True)) == set(plans)
    for row in rows[:200]:
        plan = plans[row.plan_id]
        assert (row.child_id, row.user_id) == (plan.child_id, plan.contact_person_id)
        assert row.action in AuditEvent.Action.values
    if partitioned():
        # every row in its month's partition: none waits in the default partition
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM portal_auditevent_default")
            assert cursor.fetchone()[0] == 0
