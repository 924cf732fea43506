"""Every plan page renders for the team (the positive control for the access tables)."""

import pytest
from django.urls import reverse

from .conftest import CHILD_GIVEN, reauthenticate

pytestmark = pytest.mark.django_db


def test_team_member_sees_every_page(client, full_plan, contact):
    plan = full_plan["plan"]
    client.force_login(contact)
    reauthenticate(client, contact)
    names = {
        "plan_detail": {}, "child_update": {}, "guardian_add": {},
        "guardian_update": {"guardian_pk": full_plan["guardian"].pk}, "consents": {},
        "consent_withdraw": {"consent_pk": full_plan["consent"].pk}, "team": {}, "team_add": {},
        "team_remove": {"member_pk": full_plan["member"].pk}, "handover": {}, "handover_respond": {},
        "assessments": {}, "assessment_create": {}, "voice": {}, "goal_add": {}, "action_add": {},
        "action_update": {"action_pk": full_plan["action"].pk}, "reviews": {},
        "review_record": {"review_pk": full_plan["review"].pk}, "chronology": {}, "history": {},
        "print": {}, "access_log": {}, "close": {},
    }
    for name, extra in names.items():
        response = client.get(reverse(f"childplans:{name}", kwargs={"plan_pk": plan.pk, **extra}))
        assert response.status_code == 200, (name, response.status_code, response.content[:2000])
    response = client.get(reverse("childplans:plan_detail", kwargs={"plan_pk": plan.pk}))
    assert CHILD_GIVEN in response.content.decode()
    for name in ("plan_list", "my_actions"):
        assert client.get(reverse(f"childplans:{name}")).status_code == 200
