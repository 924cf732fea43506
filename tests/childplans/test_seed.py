"""The benchmark seeder makes visible, consistent plans."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from childplans.models import (
    Action,
    Area,
    Assessment,
    Child,
    ChildPlan,
    Consent,
    ConsentOrganisation,
    ConsentPurpose,
    Goal,
    Guardian,
    Need,
    Review,
    TeamMember,
)
from childplans.seed import seed_audit, seed_plans
from networks.models import OrganisationMembership
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


@pytest.mark.both_databases
def test_seeded_plans_have_the_shape_the_benches_read(org_social, org_school, contact, teacher):
    """The one SQL path (childplans/seed.py; its number series differs by engine): counts as
    asked, every plan a team of its owner organisation, a consent in force covering it, the
    work spread over the plans; ids go on from the seeded ones."""
    colleague = person("kollega@vaxjo.se", org_social)
    memberships = list(OrganisationMembership.objects.order_by("pk"))
    assert seed_plans(plans=200, actions=1000, reviews=300, memberships=memberships) == 200
    plans = list(ChildPlan.objects.select_related("child"))
    assert len(plans) == 200
    for model in (Child, Guardian, Consent, ConsentOrganisation, Goal, Assessment):
        assert model.objects.count() == 200, model
    assert Action.objects.count() == 1000 and Review.objects.count() == 300
    owners = {m.user_id: m.organisation_id for m in memberships}
    social = {contact.pk, colleague.pk}
    for plan in plans:
        assert plan.status == ChildPlan.Status.ACTIVE and plan.opened_on <= timezone.localdate()
        assert owners[plan.contact_person_id] == plan.owner_organisation_id
        team = {(m.user_id, m.organisation_id) for m in TeamMember.objects.current().filter(plan=plan)}
        if plan.owner_organisation_id == org_social.pk:  # the contact person and the colleague
            assert team == {(u, org_social.pk) for u in social}
        else:  # the teacher has no colleague in the school
            assert team == {(teacher.pk, org_school.pk)}
        consent = Consent.objects.in_force().get(plan=plan)
        assert consent.guardian.child_id == plan.child_id
        assert list(consent.organisations.values_list("pk", flat=True)) == [plan.owner_organisation_id]
        assert {p for p in ConsentPurpose if p != ConsentPurpose.STATISTICS} <= set(consent.purposes)
        assessment = plan.assessments.get()
        assert set(assessment.areas) == set(Area.values)
        assert {a["need"] for a in assessment.areas.values()} <= set(Need.values)
    with_statistics = Consent.objects.for_purpose(ConsentPurpose.STATISTICS).count()
    assert 160 <= with_statistics < 200  # nine plans in ten
    assert {p.owner_organisation_id for p in plans} == {org_social.pk, org_school.pk}
    # the actions and reviews go round the plans: five actions and one or two reviews each
    for action in Action.objects.select_related("goal", "plan"):
        assert action.goal.plan_id == action.plan_id
        assert action.responsible_person_id == action.plan.contact_person_id
        assert action.starts_on < action.due_on
    assert set(Action.objects.values("plan").annotate(n=Count("pk")).values_list("n", flat=True)) == {5}
    assert set(Review.objects.values("plan").annotate(n=Count("pk")).values_list("n", flat=True)) == {1, 2}
    assert Action.objects.filter(status__in=Action.OPEN_STATUSES).exists()
    assert not Review.objects.exclude(status=Review.Status.HELD).exists()
    assert ChildPlan.objects.visible_to(contact).count() == sum(p.contact_person_id == contact.pk for p in plans) + sum(
        p.contact_person_id == colleague.pk for p in plans
    )
    # the ORM's next ids follow the seeded ones (PostgreSQL's sequences were moved on)
    child = Child.objects.create(given_name="Ny", family_name="Person", birth_date=plans[0].child.birth_date)
    assert child.pk > max(p.child_id for p in plans)


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
