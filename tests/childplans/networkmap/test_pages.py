"""The network map through the client: mapping people, bad input, leaving, removing, versions,
comparing, the acute view, network meetings and familjeråd, and costly actions."""

from datetime import date, timedelta

import pytest
from django.core import serializers
from django.urls import reverse
from django.utils import timezone

from childplans.models import Child, PlanChange
from childplans.networkmap.models import CostlyAction, MapPerson, MapVersion, NetworkMeeting

from .helpers import MAP_PERSON_NAME, MAP_PERSON_PHONE

pytestmark = pytest.mark.django_db


def url(name, plan, **kwargs):
    return reverse(f"childplans:{name}", kwargs={"plan_pk": plan.pk, **kwargs})


def state():
    data = []
    for model in (MapPerson, MapVersion, NetworkMeeting, CostlyAction):
        data.append(serializers.serialize("json", model.objects.order_by("pk")))
    return data


PERSON = {
    "name": "Siv Grannlund", "relation": "granne", "sector": "andra", "closeness": "2", "quality": "positive",
    "can_step_in": "on", "phone": "070-555 12 12", "named_by_child": "on",
}


def test_map_a_person_and_see_them_on_the_map(client, full_plan, contact):
    plan = full_plan["plan"]
    client.force_login(contact)
    response = client.post(url("map_person_add", plan), PERSON)
    assert response.status_code == 302
    person = MapPerson.objects.get(plan=plan)
    assert person.closeness == 2 and person.can_step_in and person.named_by_child
    page = client.get(url("map", plan))
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count('class="person acute"') == 1
    assert "Siv Grannlund" in body and "<svg" in body and "<caption>" in body
    assert page["Cache-Control"].startswith("no-store")
    # The history records the change, without the phone number.
    change = PlanChange.objects.filter(plan=plan, what__startswith="Nätverkskarta").get()
    assert "Siv Grannlund" in change.new_value
    assert not PlanChange.objects.filter(new_value__contains="070-555").exists()


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"name": "  "}, "name", "Skriv personens namn."),
        ({"closeness": "7"}, "closeness", "Välj en av de tre cirklarna"),
        ({"closeness": ""}, "closeness", "Välj en av de tre cirklarna"),
        ({"relation": ""}, "relation", "Skriv personens relation"),
    ],
)
def test_bad_person_input_is_refused_next_to_the_field(client, network_map, contact, change, field, message):
    plan = network_map["plan"]
    client.force_login(contact)
    before = state()
    response = client.post(url("map_person_add", plan), {**PERSON, **change})
    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in e for e in form.errors[field]), form.errors
    assert message in response.content.decode()
    assert state() == before
    # And the same on edit.
    person = network_map["map_person"]
    response = client.post(url("map_person_update", plan, person_pk=person.pk), {**PERSON, **change})
    assert response.status_code == 200 and state() == before


def test_edit_leave_and_remove(client, network_map, contact):
    plan, grandma, coach = network_map["plan"], network_map["map_person"], network_map["map_person_2"]
    client.force_login(contact)
    response = client.post(url("map_person_update", plan, person_pk=coach.pk),
                           {**PERSON, "name": "Tore Tränarsson", "relation": "tränare", "closeness": "1"})
    assert response.status_code == 302
    coach.refresh_from_db()
    assert coach.closeness == 1
    # Leaving keeps the person and their history; the map no longer draws them.
    response = client.post(url("map_person_leave", plan, person_pk=coach.pk),
                           {"left_on": timezone.localdate().isoformat(), "note": "Flyttade"})
    assert response.status_code == 302
    coach.refresh_from_db()
    assert coach.left_on == timezone.localdate()
    body = client.get(url("map", plan)).content.decode()
    assert body.count('class="person') == 1
    assert "Inte längre i barnets liv" in body and "Flyttade" in body
    # Someone who took part in a meeting cannot be deleted (only marked as left).
    before = state()
    response = client.post(url("map_person_remove", plan, person_pk=grandma.pk))
    assert response.status_code == 200 and "kan inte tas bort" in response.content.decode()
    assert state() == before
    newcomer = MapPerson.objects.create(plan=plan, name="Fel Person", relation="x", sector="vanner", closeness=3,
                                        quality="mixed")
    assert client.post(url("map_person_remove", plan, person_pk=newcomer.pk)).status_code == 302
    assert not MapPerson.objects.filter(pk=newcomer.pk).exists()


def test_an_id_from_another_plan_is_a_404(client, network_map, contact, org_social):
    from childplans import services as plan_services

    other = plan_services.plan_open(by=contact, organisation=org_social, given_name="Annat", family_name="Barn",
                                    birth_date=date(2014, 1, 1), reason="x")
    client.force_login(contact)
    person = network_map["map_person"]
    before = state()
    for name in ("map_person_update", "map_person_leave", "map_person_remove"):
        assert client.get(url(name, other, person_pk=person.pk)).status_code == 404
        assert client.post(url(name, other, person_pk=person.pk), PERSON).status_code == 404
    assert state() == before


def test_versions_and_comparison(client, network_map, contact):
    plan, grandma, coach = network_map["plan"], network_map["map_person"], network_map["map_person_2"]
    first = network_map["map_version"]
    client.force_login(contact)
    # Change two: the coach moves closer, grandma leaves; a neighbour is added.
    client.post(url("map_person_update", plan, person_pk=coach.pk),
                {**PERSON, "name": coach.name, "relation": coach.relation, "closeness": "1", "sector": "fritid"})
    client.post(url("map_person_leave", plan, person_pk=grandma.pk), {"left_on": timezone.localdate().isoformat()})
    client.post(url("map_person_add", plan), PERSON)
    response = client.post(url("map_versions", plan), {"phase": "utredning", "saved_on": timezone.localdate(),
                                                         "child_took_part": "delvis",
                                                         "child_part_how": "Berättade om tränaren"})
    assert response.status_code == 302
    second = MapVersion.objects.exclude(pk=first.pk).get()
    assert {p["name"] for p in second.people} == {"Tore Tränarsson", "Siv Grannlund"}
    assert all("phone" not in p for p in second.people), "versions keep no contact details"

    response = client.get(url("map_compare", plan), {"a": first.pk, "b": second.pk})
    assert response.status_code == 200
    diff = response.context["diff"]
    assert [p["name"] for p in diff["added"]] == ["Siv Grannlund"]
    assert [p["name"] for p in diff["closer"]] == ["Tore Tränarsson"]
    assert [p["name"] for p in diff["left"]] == [MAP_PERSON_NAME]
    assert diff["further"] == []
    body = response.content.decode()
    assert body.count("<svg") >= 2 and "Delvis" in body
    # Against the map as it is now; a made-up id falls back to the defaults.
    assert client.get(url("map_compare", plan), {"a": first.pk, "b": "nu"}).status_code == 200
    assert client.get(url("map_compare", plan), {"a": "999999", "b": "x"}).status_code == 200


def test_version_needs_the_childs_part(client, network_map, contact):
    plan = network_map["plan"]
    client.force_login(contact)
    before = state()
    response = client.post(url("map_versions", plan), {"phase": "utredning", "saved_on": timezone.localdate()})
    assert response.status_code == 200 and "child_took_part" in response.context["form"].errors
    response = client.post(url("map_versions", plan), {"phase": "hemlig", "child_took_part": "ja",
                                                         "saved_on": timezone.localdate()})
    assert response.status_code == 200 and "phase" in response.context["form"].errors
    assert state() == before


def test_acute_view_closest_first_with_phone(client, network_map, contact):
    plan = network_map["plan"]
    client.force_login(contact)
    client.post(url("map_person_add", plan), {**PERSON, "closeness": "3", "name": "Långt Borta"})
    client.post(url("map_person_add", plan), {**PERSON, "can_step_in": "", "name": "Kan Inte"})
    response = client.get(url("map_acute", plan))
    assert response.status_code == 200
    names = [p.name for p in response.context["people"]]
    assert names == [MAP_PERSON_NAME, "Långt Borta"]
    body = response.content.decode()
    assert MAP_PERSON_PHONE in body and "Kan Inte" not in body


def meeting_post(people, **extra):
    return {"kind": "natverksmote", "held_on": timezone.localdate().isoformat(),
            "participants": [p.pk for p in people], "agreements": "Vi hjälps åt.", **extra}


def test_network_meeting_with_participants_from_the_map(client, network_map, contact):
    plan, grandma = network_map["plan"], network_map["map_person"]
    client.force_login(contact)
    action = network_map["action"]
    response = client.post(url("map_meeting_add", plan), meeting_post([grandma], actions=[action.pk]))
    assert response.status_code == 302
    meeting = NetworkMeeting.objects.order_by("-pk").first()
    assert list(meeting.participants.all()) == [grandma] and list(meeting.actions.all()) == [action]
    body = client.get(url("map_meetings", plan)).content.decode()
    assert "Vi hjälps åt." in body


def test_participant_not_on_the_map_is_refused(client, network_map, contact, org_social):
    from childplans import services as plan_services

    plan = network_map["plan"]
    other = plan_services.plan_open(by=contact, organisation=org_social, given_name="Annat", family_name="Barn",
                                    birth_date=date(2014, 1, 1), reason="x")
    stranger = MapPerson.objects.create(plan=other, name="Främling", relation="x", sector="vanner", closeness=1,
                                        quality="mixed")
    client.force_login(contact)
    before = state()
    response = client.post(url("map_meeting_add", plan), meeting_post([stranger]))
    assert response.status_code == 200
    assert "finns inte på barnets nätverkskarta" in " ".join(response.context["form"].errors["participants"])
    assert state() == before


FAMILY_COUNCIL = {
    "kind": "familjerad", "coordinator_name": "Nora Neutral", "guardians_consent": "on",
    "questions": "Hur blir Tindra trygg?\nVem hämtar i skolan?\nVar bor Tindra på loven?",
    "information_part": "Socialtjänsten berättade om oron.", "family_own_time": "on",
    "family_plan": "Mormor hämtar måndag–fredag.", "family_plan_approved": "on",
}


def test_family_council_follows_its_shape(client, network_map, contact):
    plan, grandma, coach = network_map["plan"], network_map["map_person"], network_map["map_person_2"]
    client.force_login(contact)
    follow_up = (timezone.localdate() + timedelta(days=60)).isoformat()
    data = meeting_post([grandma, coach], **FAMILY_COUNCIL, invitees_chosen_by_child=[grandma.pk],
                        support_person=grandma.pk, follow_up_on=follow_up)
    before = state()
    for change, field in [
        ({"questions": "Bara en fråga?"}, "questions"),
        ({"coordinator_name": ""}, "coordinator_name"),
        ({"guardians_consent": ""}, "guardians_consent"),
        ({"support_person": coach.pk, "participants": [grandma.pk]}, "support_person"),
        ({"follow_up_on": timezone.localdate().isoformat()}, "follow_up_on"),
    ]:
        response = client.post(url("map_meeting_add", plan), {**data, **change})
        assert response.status_code == 200, change
        assert field in response.context["form"].errors, (change, response.context["form"].errors)
    assert state() == before
    assert client.post(url("map_meeting_add", plan), data).status_code == 302
    council = NetworkMeeting.objects.get(kind="familjerad")
    assert len(council.question_list) == 3 and council.support_person == grandma
    body = client.get(url("map_meetings", plan)).content.decode()
    assert "Nora Neutral" in body and "Vem hämtar i skolan?" in body


def test_family_council_needs_the_childs_consent_from_15(client, network_map, contact):
    plan, grandma = network_map["plan"], network_map["map_person"]
    today = timezone.localdate()
    Child.objects.filter(pk=plan.child_id).update(birth_date=today.replace(year=today.year - 16) - timedelta(days=3))
    client.force_login(contact)
    data = meeting_post([grandma], **FAMILY_COUNCIL)
    before = state()
    response = client.post(url("map_meeting_add", plan), data)
    assert response.status_code == 200
    assert "15 år" in " ".join(response.context["form"].errors["child_consent"])
    assert state() == before
    assert client.post(url("map_meeting_add", plan), {**data, "child_consent": "on"}).status_code == 302


def test_costly_action_needs_an_explored_network_or_a_reason(client, full_plan, contact):
    plan, action = full_plan["plan"], full_plan["action"]
    client.force_login(contact)
    page = client.get(url("map_costly", plan))
    assert page.status_code == 200 and not page.context["explored"]["explored"]
    before = state()
    response = client.post(url("map_costly", plan), {"action": action.pk, "reason": ""})
    assert response.status_code == 200 and "Skriv varför" in " ".join(response.context["form"].errors["reason"])
    assert state() == before
    response = client.post(url("map_costly", plan), {"action": action.pk, "reason": "Akut skyddsbehov."})
    assert response.status_code == 302
    costly = CostlyAction.objects.get()
    assert not costly.network_explored and costly.reason == "Akut skyddsbehov."


def test_costly_action_after_an_explored_network(client, network_map, contact):
    plan, action = network_map["plan"], network_map["action"]
    client.force_login(contact)
    page = client.get(url("map_costly", plan))
    assert page.context["explored"]["explored"], "a meeting yesterday and a map saved today"
    assert client.post(url("map_costly", plan), {"action": action.pk, "reason": ""}).status_code == 302
    assert CostlyAction.objects.get().network_explored
    # An old meeting and an old map no longer count.
    NetworkMeeting.objects.update(held_on=timezone.localdate() - timedelta(days=400))
    assert not client.get(url("map_costly", plan)).context["explored"]["explored"]


def test_closed_plan_is_read_only(client, network_map, contact):
    from childplans import services as plan_services

    plan = network_map["plan"]
    plan_services.plan_close(plan=plan, by=contact, reason="Klart")
    client.force_login(contact)
    before = state()
    for name in ("map", "map_versions", "map_compare", "map_acute", "map_meetings", "map_costly", "map_print"):
        assert client.get(url(name, plan)).status_code == 200, name
    assert client.post(url("map_person_add", plan), PERSON).status_code == 302
    assert client.post(url("map_versions", plan), {"phase": "utredning", "child_took_part": "ja",
                                                   "saved_on": timezone.localdate()}).status_code == 302
    assert state() == before


def test_the_plan_page_links_to_the_map_and_the_acute_view(client, full_plan, contact):
    plan = full_plan["plan"]
    client.force_login(contact)
    body = client.get(reverse("childplans:plan_detail", kwargs={"plan_pk": plan.pk})).content.decode()
    assert url("map", plan) in body and url("map_acute", plan) in body
    assert "Vem kan träda in nu?" in body
