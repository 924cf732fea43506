"""Who sees a plan is decided by the ORM on every request (docs/security.md, promise 4): the
plan pages answer the team and 404 everyone else, and a change to the team or the consent
shows on the very next request. Nothing about visibility is compiled or kept per process."""

import pytest
from django.test import Client

from childplans import services
from childplans.access import get_plan_for_user_or_404
from childplans.models import ChildPlan
from childplans.selectors import my_actions_for

from . import conftest as c

pytestmark = pytest.mark.django_db

PAGES = ("", "natverkskarta/", "team/", "bedomningar/", "kronologi/")


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_every_plan_page_answers_the_team_and_no_one_else(full_plan, contact, teacher, org_other):
    plan = full_plan["plan"]
    stranger = c.person("annan2@exempel.se", org_other)
    for user, status in ((contact, 200), (teacher, 200), (stranger, 404)):
        client = _client(user)
        for page in PAGES:
            assert client.get(f"/planer/{plan.pk}/{page}").status_code == status, (user, page)
    assert get_plan_for_user_or_404(teacher, plan.pk).pk == plan.pk


def test_an_id_beyond_any_column_is_404(full_plan, contact):
    client = _client(contact)
    assert client.get("/planer/99999999999999999999999/").status_code == 404
    assert client.get(f"/planer/{2**63}/").status_code == 404


def test_a_removed_member_loses_the_plan_on_the_next_request(full_plan, contact, teacher):
    plan = full_plan["plan"]
    client = _client(teacher)
    assert client.get(f"/planer/{plan.pk}/").status_code == 200
    member = plan.team.get(user=teacher, removed_at__isnull=True)
    services.team_remove(plan=plan, member=member, by=contact)
    assert client.get(f"/planer/{plan.pk}/").status_code == 404
    assert my_actions_for(teacher) == []


def test_withdrawn_consent_takes_effect_on_the_next_request(full_plan, contact, teacher):
    plan = full_plan["plan"]
    client = _client(teacher)
    assert client.get(f"/planer/{plan.pk}/team/").status_code == 200
    for consent in plan.consents.filter(withdrawn_on__isnull=True):
        services.consent_withdraw(plan=plan, consent=consent, by=contact, withdrawn_on=consent.given_on, note="")
    assert client.get(f"/planer/{plan.pk}/team/").status_code == 404
    assert not ChildPlan.objects.visible_to(teacher).exists()


def test_my_actions_come_from_the_plans_i_see_now_soonest_first(full_plan, teacher, contact):
    actions = my_actions_for(teacher)
    assert actions, "the fixture's action is the teacher's"
    assert [a.due_on for a in actions] == sorted(a.due_on for a in actions)
    assert {a.plan_id for a in actions} <= set(ChildPlan.objects.visible_to(teacher).values_list("pk", flat=True))
