"""A costly action planned from barnets plan's own action form goes through the network map's
check: the network explored recently, or a reason — otherwise nothing is saved."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from childplans.models import Action
from childplans.networkmap.models import CostlyAction

pytestmark = pytest.mark.django_db


def action_data(full_plan, teacher, **extra):
    today = timezone.localdate()
    return {
        "goal": full_plan["goal"].pk, "what": "Placering i familjehem",
        "responsible_organisation": full_plan["member"].organisation.pk, "responsible_person": teacher.pk,
        "starts_on": today, "due_on": today + timedelta(days=60), "status": "planerad", "follow_up": "",
        **extra,
    }


def add_url(plan):
    return reverse("childplans:action_add", kwargs={"plan_pk": plan.pk})


def test_form_shows_whether_the_network_is_explored(client, full_plan, contact):
    client.force_login(contact)
    body = client.get(add_url(full_plan["plan"])).content.decode()
    assert "Barnets nätverk är inte utforskat" in body
    assert "Kostsam insats" in body


def test_costly_without_explored_network_or_reason_changes_nothing(client, full_plan, contact, teacher):
    client.force_login(contact)
    actions = Action.objects.count()
    response = client.post(add_url(full_plan["plan"]), action_data(full_plan, teacher, costly="on"))
    assert response.status_code == 200
    assert "Skriv varför" in " ".join(response.context["form"].errors["costly_reason"])
    assert Action.objects.count() == actions and not CostlyAction.objects.exists()


def test_costly_with_a_reason_is_saved_and_marked(client, full_plan, contact, teacher):
    client.force_login(contact)
    response = client.post(
        add_url(full_plan["plan"]),
        action_data(full_plan, teacher, costly="on", costly_reason="Akut skyddsbehov."),
    )
    assert response.status_code == 302
    costly = CostlyAction.objects.get(action__what="Placering i familjehem")
    assert not costly.network_explored and costly.reason == "Akut skyddsbehov."


def test_costly_after_an_explored_network_needs_no_reason(client, network_map, contact, teacher):
    client.force_login(contact)
    body = client.get(add_url(network_map["plan"])).content.decode()
    assert "Barnets nätverk är utforskat" in body
    response = client.post(add_url(network_map["plan"]), action_data(network_map, teacher, costly="on"))
    assert response.status_code == 302
    assert CostlyAction.objects.get(action__what="Placering i familjehem").network_explored


def test_an_ordinary_action_is_not_marked(client, full_plan, contact, teacher):
    client.force_login(contact)
    assert client.post(add_url(full_plan["plan"]), action_data(full_plan, teacher)).status_code == 302
    assert not CostlyAction.objects.exists()
