"""The plan pages' visibility query is compiled once per view class (portal/prepared.py)
and run with each request's user and plan: it must find exactly what the ORM finds, with the
same fields, related objects and annotations, for whoever asks."""

import pytest
from django.test import Client

from childplans import selectors
from childplans.access import get_plan_for_user_or_404, plans_for, prepared_plan_query
from childplans.models import ChildPlan
from networkmap.views import map_plan_queryset
from portal.prepared import PreparedQuery

from . import conftest as c

pytestmark = pytest.mark.django_db


def _state(plan):
    values = {k: v for k, v in plan.__dict__.items() if not k.startswith("_")}
    related = {
        name: {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields} if obj else None
        for name, obj in plan._state.fields_cache.items()
    }
    return values, related


@pytest.mark.parametrize("factory", [selectors.plan_page_queryset, map_plan_queryset, ChildPlan.objects.all])
def test_the_prepared_query_finds_what_the_orm_finds(full_plan, contact, teacher, factory, django_assert_num_queries):
    plan = full_plan["plan"]
    query = prepared_plan_query(factory)
    for user in (contact, teacher):
        expected = plans_for(user, factory()).get(pk=plan.pk)
        with django_assert_num_queries(1):
            got = query.first(user_id=user.pk, pk=plan.pk)
        assert _state(got) == _state(expected)
        assert got.my_organisation_label == expected.my_organisation_label != ""


def test_the_prepared_query_finds_nothing_for_others(full_plan, org_other, coordinator_with_mfa):
    plan = full_plan["plan"]
    query = prepared_plan_query(selectors.plan_page_queryset)
    stranger = c.person("annan@exempel.se", org_other)
    for user in (stranger, coordinator_with_mfa):
        assert query.first(user_id=user.pk, pk=plan.pk) is None
    assert query.first(user_id=plan.contact_person_id, pk=plan.pk + 1000) is None
    assert query.first(user_id=plan.contact_person_id, pk=10**30) is None  # out of any range


def test_every_plan_view_answers_as_before(full_plan, contact, teacher, org_other, mfa):
    """The view's prepared query and the unprepared function agree, through the pages."""
    plan = full_plan["plan"]
    stranger = c.person("annan2@exempel.se", org_other)
    for user, status in ((contact, 200), (teacher, 200), (stranger, 404)):
        client = Client()
        client.force_login(user)
        for path in (f"/planer/{plan.pk}/", f"/planer/{plan.pk}/natverkskarta/", f"/planer/{plan.pk}/team/"):
            assert client.get(path).status_code == status, (user, path)
        if status == 200:
            assert get_plan_for_user_or_404(user, plan.pk).pk == plan.pk
    client = Client()
    client.force_login(contact)
    assert client.get("/planer/99999999999999999999999/").status_code == 404


def test_a_value_that_does_not_reach_the_parameters_is_refused(plan):
    query = PreparedQuery(lambda pk: ChildPlan.objects.filter(pk=plan.pk), "pk")
    with pytest.raises(ValueError):
        query.all(pk=plan.pk)


def test_my_actions_are_the_orms_in_the_same_order(full_plan, teacher, contact):
    from childplans.selectors import _my_actions_query, my_actions_for

    for user in (teacher, contact):
        expected = list(_my_actions_query(user.pk, 50))
        got = my_actions_for(user)
        assert [(a.pk, a.goal.pk, a.due_on) for a in got] == [(a.pk, a.goal.pk, a.due_on) for a in expected]
    assert my_actions_for(teacher)  # the fixture's action is the teacher's
