"""A change to a plan, in one place (childplans/changes.py): every service that changes a plan —
the plan's own, the network map's, the team meetings', the referrals' — refuses a plan that may no
longer change with the same message, and the history shows what an edit through a page changed
(the old values come from the database, not from the instance a page's form has already
changed)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from childplans import changes, services
from childplans.models import Action, ChildPlan, PlanChange
from childplans.networkmap import services as map_services
from childplans.referrals import services as referral_services
from childplans.teammeetings import services as meeting_services
from networks.models import ReferralReceiver

from .conftest import person
from .networkmap.helpers import add_network_map
from .teammeetings.helpers import add_team_meeting, at

pytestmark = pytest.mark.django_db


def closed(plan):
    """The plan as a closed one (straight in the database: no hook closes what hangs on it)."""
    ChildPlan.objects.filter(pk=plan.pk).update(
        status=ChildPlan.Status.CLOSED, closed_on=timezone.localdate(), close_reason="Klart"
    )
    return ChildPlan.objects.get(pk=plan.pk)


def test_every_kind_of_change_refuses_a_closed_plan(full_plan, contact, church):
    plan = full_plan["plan"]
    objs = {**full_plan, **add_network_map(plan, contact), **add_team_meeting(plan, contact)}
    ReferralReceiver.objects.create(organisation=church, user=person("diakon@kyrkan.se", church))
    plan = closed(plan)
    today = timezone.localdate()
    attempts = {
        "goal_add": lambda: services.goal_add(plan=plan, by=contact, area="trygg", description="x"),
        "action_complete": lambda: services.action_complete(plan=plan, action=objs["action"], by=contact),
        "chronology_add": lambda: services.chronology_add(plan=plan, by=contact, occurred_on=today, event="x",
                                                          source="x", impact="positive"),
        "person_add": lambda: map_services.person_add(plan=plan, by=contact, name="Ny", relation="granne",
                                                      sector="andra", closeness=2),
        "meeting_cancel": lambda: meeting_services.meeting_cancel(plan=plan, meeting=objs["team_meeting"],
                                                                  by=contact),
        "meeting_call": lambda: meeting_services.meeting_call(plan=plan, by=contact, starts_at=at(7),
                                                              ends_at=at(7, 14)),
        "referral_send": lambda: referral_services.referral_send(
            plan=plan, by=contact, organisation=church, help_wanted="x", contact_by="family"),
    }
    for name, attempt in attempts.items():
        before = PlanChange.objects.count()
        with pytest.raises(ValidationError) as exc:
            attempt()
        assert exc.value.messages == [str(changes.CLOSED_MESSAGE)], name
        assert PlanChange.objects.count() == before, name


def test_editing_through_a_page_keeps_the_old_values_in_the_history(client, full_plan, contact):
    """A page's ModelForm writes the new values onto the object before the service sees it: the
    history's old values are read from the database."""
    plan = full_plan["plan"]
    objs = add_network_map(plan, contact)
    coach = objs["map_person_2"]
    client.force_login(contact)
    response = client.post(
        reverse("childplans:map_person_update", kwargs={"plan_pk": plan.pk, "person_pk": coach.pk}),
        {"name": coach.name, "relation": coach.relation, "sector": coach.sector, "closeness": "3",
         "quality": coach.quality or "", "phone": "070-555 99 88"},
    )
    assert response.status_code == 302
    change = PlanChange.objects.filter(plan=plan, what__startswith="Nätverkskarta", field="hur nära").get()
    assert change.old_value != change.new_value and change.new_value
    assert not PlanChange.objects.filter(new_value__contains="070-555 99").exists()  # contact details stay on the map

    action = full_plan["action"]
    response = client.post(reverse("childplans:action_update", kwargs={"plan_pk": plan.pk, "action_pk": action.pk}), {
        "goal": action.goal_id, "what": "Läxhjälp två dagar i veckan", "responsible_organisation":
        action.responsible_organisation_id, "responsible_person": action.responsible_person_id or "",
        "starts_on": action.starts_on.isoformat(), "due_on": action.due_on.isoformat(), "status": action.status,
        "follow_up": "",
    })
    assert response.status_code == 302
    change = PlanChange.objects.filter(plan=plan, what="Insats", field="vad").get()
    assert (change.old_value, change.new_value) == (action.what, "Läxhjälp två dagar i veckan")


def test_a_referral_changes_the_plan_through_the_plans_services(full_plan, contact, church):
    """Its chronology entry and follow-up action are the plan's own (``chronology_add``,
    ``action_add``), with the history rows any chronology entry and action has; the previous
    follow-up action is marked done (``action_complete``)."""
    plan = full_plan["plan"]
    receiver = person("diakon@kyrkan.se", church)
    ReferralReceiver.objects.create(organisation=church, user=receiver)
    services.consent_record(plan=plan, by=contact, guardian=full_plan["guardian"], given_on=timezone.localdate(),
                            method="verbal", purposes="Fritid.", organisations=[church], allows_referral=True)
    referral = referral_services.referral_send(
        plan=plan, by=contact, organisation=church, help_wanted="Gemenskap.",
        contact_by="family", follow=True, follow_goal=full_plan["goal"],
    )
    first = referral.follow_action
    assert PlanChange.objects.filter(plan=plan, what="Kronologi").count() >= 1
    assert PlanChange.objects.filter(plan=plan, what="Ny insats", field="vad", new_value=first.what).exists()
    referral_services.referral_answer(referral=referral, by=receiver, status="accepted")
    first.refresh_from_db()
    assert first.status == Action.Status.DONE
    assert PlanChange.objects.filter(plan=plan, what="Insats", field="status", old_value="Planerad",
                                     new_value="Klar").exists()
    referral.refresh_from_db()
    assert referral.follow_action.is_open and referral.follow_action.due_on > timezone.localdate()


def test_closing_the_plan_closes_its_referrals_first(full_plan, contact, church):
    plan = full_plan["plan"]
    receiver = person("diakon@kyrkan.se", church)
    ReferralReceiver.objects.create(organisation=church, user=receiver)
    services.consent_record(plan=plan, by=contact, guardian=full_plan["guardian"], given_on=timezone.localdate(),
                            method="verbal", purposes="Fritid.", organisations=[church], allows_referral=True)
    referral = referral_services.referral_send(plan=plan, by=contact, organisation=church, help_wanted="x",
                                               contact_by="family", follow=True, follow_goal=full_plan["goal"])
    open_actions = Action.objects.filter(plan=plan, status__in=Action.OPEN_STATUSES).count()
    services.plan_close(plan=plan, by=contact, reason="Målen är nådda.")
    referral.refresh_from_db()
    assert referral.status == "cancelled"
    assert plan.chronology.filter(event__contains="togs tillbaka").exists()
    assert Action.objects.filter(plan=plan, status__in=Action.OPEN_STATUSES).count() == open_actions  # no new one
    last = PlanChange.objects.filter(plan=plan).order_by("-at", "-pk").first()
    assert last.what == "Planen avslutades"


def test_the_history_shows_times_in_swedish_time(full_plan, contact):
    meeting = add_team_meeting(full_plan["plan"], contact)["team_meeting"]
    values = changes.snapshot(meeting, ["starts_at"])
    assert values["starts_at"] == f"{timezone.localtime(meeting.starts_at):%Y-%m-%d %H:%M}"
    assert changes.display(meeting, "child_part") == str(meeting.get_child_part_display())
    meeting.starts_at = meeting.starts_at + timedelta(hours=1)
    assert changes.saved_values(meeting, ["starts_at"]) == values  # the database's, not the instance's
