"""The benchmark seeder makes visible, consistent plans."""

import pytest
from django.core.management import call_command

from childplans.models import Action, ChildPlan, Review, TeamMember

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
