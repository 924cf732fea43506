"""The demo plans' data (childplans/data/demo/people.toml and plans.toml) is valid and complete:
every person, organisation, guardian, goal and map person a plan names exists; every field is
one the service or model takes; every choice is a choice; every date counts from today or is
fixed; and loading creates every plan as written. A typo fails here, not at a demo start."""

from datetime import date
from importlib import import_module

import pytest
from django.core.management import call_command

from childplans import demo
from childplans import services as plan_services
from childplans.demo import COLLEAGUE, ORGANISATIONS, PEOPLE, PLANS, PROFESSIONALS
from childplans.lifecycle.models import LegalHold
from childplans.models import (
    Action,
    Area,
    ChildPlan,
    ChronologyEntry,
    Consent,
    Guardian,
    Need,
    Review,
)
from childplans.networkmap import services as map_services
from childplans.networkmap.models import (
    Closeness,
    MapPerson,
    MapVersion,
    NetworkMeeting,
    Quality,
    Sector,
)
from childplans.referrals.models import Referral
from childplans.teammeetings import services as meeting_services
from childplans.teammeetings.models import ChildPart, Invitee, TeamMeeting
from networks import demo as networks_demo
from portal.demo import day
from tests.demo_data import (
    check_fictional,
    check_keys,
    check_when,
    choice,
    keyword_arguments,
    model_fields,
)

TODAY = date(2025, 3, 10)
NETWORK_PEOPLE = {p["email"]: p for p in networks_demo.PEOPLE.values()}
PLAN_KEYS = {"given_name", "family_name", "birth_date", "by", "organisation", "part", "opened_on", "reason",
             "categories", "contact_person", "guardians", "consents", "team", "assessments", "goals",
             "team_meetings", "voice", "chronology", "map", "referral", "close_reason", "legal_hold"}  # fmt: skip
REASON_CATEGORIES = set(import_module("childplans.migrations.0002_seed_settings").REASON_CATEGORIES)
SERVICE = {"plan", "by"}


def network_key(org):
    """The key in the networks' demo of an organisation of people.toml."""
    keys = [key for key, o in networks_demo.ORGANISATIONS.items()
            if (o["name"], o.get("unit", ""), o["lan"]) == (org["name"], org["unit"], org["lan"])]  # fmt: skip
    assert len(keys) == 1, org
    return keys[0]


def works_at(person, organisation):
    """Whether the networks' demo gives the person a title at the organisation."""
    if person == "colleague":
        return COLLEAGUE["organisation"] == organisation
    return network_key(ORGANISATIONS[organisation]) in NETWORK_PEOPLE[PEOPLE[person]]["titles"]


def test_the_people_of_the_plans():
    for key, p in PROFESSIONALS.items():
        check_keys(p, {"email", "role", "try"}, {"email", "role", "try"}, key)
    for key, email in PEOPLE.items():
        assert email in NETWORK_PEOPLE, f"{key}: {email} is not a person of the networks' demo"
    check_keys(COLLEAGUE, {"first_name", "last_name", "email", "phone", "organisation", "title"},
               {"first_name", "last_name", "email", "phone", "organisation", "title"}, "colleague")  # fmt: skip
    assert COLLEAGUE["email"] not in NETWORK_PEOPLE and COLLEAGUE["organisation"] in ORGANISATIONS
    for key, org in ORGANISATIONS.items():
        check_keys(org, {"name", "unit", "lan"}, {"name", "unit", "lan"}, key)
        network_key(org)
    check_fictional(demo._PEOPLE, "people.toml")


@pytest.mark.parametrize("plan", PLANS, ids=lambda p: p["given_name"])
def test_a_plan(plan):
    where = plan["given_name"]
    people, orgs = set(PEOPLE) | {"colleague"}, set(ORGANISATIONS)
    check_keys(plan, PLAN_KEYS, {"given_name", "family_name", "birth_date", "by", "organisation", "part", "reason",
                                 "categories"}, where)  # fmt: skip
    assert isinstance(plan["birth_date"], date) and plan["by"] in people and plan["organisation"] in orgs, where
    assert works_at(plan["by"], plan["organisation"]), where
    assert plan.get("contact_person", plan["by"]) in people, where
    assert set(plan["categories"]) <= REASON_CATEGORIES, where
    if "opened_on" in plan:
        check_when(plan["opened_on"], where)
    if "legal_hold" in plan:  # issue 19: a reason category and a reason
        check_keys(plan["legal_hold"], {"reason_category", "reason"}, {"reason_category", "reason"}, where)
        assert plan["legal_hold"]["reason_category"] in LegalHold.Reason.values, where

    guardians = {}
    for g in plan.get("guardians", ()):
        check_keys(g, model_fields(Guardian) - {"child", "created_at", "updated_at"}, {"name", "relation"}, where)
        choice(g["relation"], Guardian.Relation, where)
        guardians[g["name"]] = g
    assert len(guardians) == len(plan.get("guardians", ())), f"{where}: two guardians with one name"
    for consent in plan.get("consents", ()):
        check_keys(consent, keyword_arguments(plan_services.consent_record) - SERVICE, {"guardian", "given_on"}, where)
        assert consent["guardian"] in guardians and set(consent["organisations"]) <= orgs, where
        choice(consent["method"], Consent.Method, where)
        check_when(consent["given_on"], where)
    team = {plan.get("contact_person", plan["by"])}  # the contact person and the members added
    for member in plan.get("team", ()):
        check_keys(member, keyword_arguments(plan_services.team_add) - SERVICE, {"user", "organisation"}, where)
        assert member["user"] in people and works_at(member["user"], member["organisation"]), member
        team.add(member["user"])
    invitees = team - {plan.get("contact_person", plan["by"])}  # the contact person calls the others
    for assessment in plan.get("assessments", ()):
        check_keys(assessment, {"assessed_on", "areas"}, {"assessed_on", "areas"}, where)
        check_when(assessment["assessed_on"], where)
        for area, seen in assessment["areas"].items():
            choice(area, Area, where)
            check_keys(seen, {"need", "seen", "seen_by"}, {"need"}, f"{where} {area}")
            choice(seen["need"], Need, where)
    for goal in plan.get("goals", ()):
        check_keys(goal, {"area", "description", "actions"}, {"area", "description"}, where)
        choice(goal["area"], Area, where)
        for action in goal.get("actions", ()):
            check_keys(action, model_fields(Action) - {"plan", "goal", "id"}, {"what", "responsible_organisation"}, where)
            assert works_at(action["responsible_person"], action["responsible_organisation"]), action
            assert action["responsible_person"] in team, f"{where}: {action['responsible_person']} is not on the team"
            choice(action["status"], Action.Status, where)
            check_when(action["starts_on"], where)
            check_when(action["due_on"], where)
    for meeting in plan.get("team_meetings", ()):
        check_team_meeting(meeting, where, guardians, invitees)
    if "voice" in plan:
        check_keys(plan["voice"], keyword_arguments(plan_services.voice_save) - SERVICE, (), where)
    for entry in plan.get("chronology", ()):
        check_keys(entry, keyword_arguments(plan_services.chronology_add) - SERVICE, {"occurred_on", "event"}, where)
        choice(entry["impact"], ChronologyEntry.Impact, where)
        check_when(entry["occurred_on"], where)
        assert day(entry["occurred_on"], TODAY) <= TODAY, f"{where}: the chronology is the past"
    check_map(plan.get("map", ()), where)
    if "referral" in plan:
        check_referral(plan, guardians)
    check_fictional(plan, where)


def check_team_meeting(meeting, where, guardians, invitees):
    check_keys(meeting, {"starts_at", "ends_at", "place", "guardians", "child_part", "answers", "preparation",
                         "minutes"}, {"starts_at", "ends_at", "place", "preparation"}, where)  # fmt: skip
    check_when(meeting["starts_at"], where, with_time=True)
    check_when(meeting["ends_at"], where, with_time=True)
    assert meeting["starts_at"]["days_from_today"] == meeting["ends_at"]["days_from_today"], where
    assert meeting["starts_at"]["at"] < meeting["ends_at"]["at"], where
    assert set(meeting.get("guardians", ())) <= set(guardians), where
    choice(meeting["child_part"], ChildPart, where)
    for answer in meeting.get("answers", ()):
        check_keys(answer, {"invitee", "guardian", "response"}, {"response"}, where)
        assert answer.get("invitee") in invitees or answer.get("guardian") in meeting["guardians"], answer
        choice(answer["response"], Invitee.Response, where)
    check_keys(meeting["preparation"], keyword_arguments(meeting_services.preparation_save) - SERVICE - {"meeting"},
               (), where)  # fmt: skip
    if "minutes" in meeting:
        assert meeting["starts_at"]["days_from_today"] < 0, f"{where}: minutes of a meeting not held"
        check_keys(meeting["minutes"], meeting_services.MINUTES_FIELDS, {"decisions", "child_took_part"}, where)
        choice(meeting["minutes"]["child_took_part"], Review.ChildTookPart, where)
        check_when(meeting["minutes"]["next_meeting_on"], where)


def check_map(steps, where):
    persons = set()
    person_fields = model_fields(MapPerson) - {"plan", "id", "created_at", "updated_at"}
    meeting_fields = model_fields(NetworkMeeting) - {"plan", "id", "recorded_by"} | {"participants",
                                                                                     "invitees_chosen_by_child"}
    for step in steps:
        assert step.get("do") in {"add", "update", "meet", "save"}, step
        if step["do"] in ("add", "update"):
            if step["do"] == "add":
                check_keys(step, person_fields | {"do", "key"}, {"key", "name", "sector"}, where)
                assert step["key"] not in persons, f"{where}: {step['key']} added twice"
                persons.add(step["key"])
            else:
                check_keys(step, person_fields | {"do", "person"}, {"person"}, where)
                assert step["person"] in persons, f"{where}: {step['person']} is not on the map yet"
            for field, choices in (("sector", Sector), ("closeness", Closeness), ("quality", Quality)):
                if field in step:
                    choice(step[field], choices, where)
        elif step["do"] == "meet":
            check_keys(step, meeting_fields | {"do"}, {"held_on", "kind"}, where)
            choice(step["kind"], NetworkMeeting.Kind, where)
            check_when(step["held_on"], where)
            named = [*step.get("participants", ()), *step.get("invitees_chosen_by_child", ())]
            named += [step["support_person"]] if "support_person" in step else []
            assert set(named) <= persons, f"{where}: {sorted(set(named) - persons)} are not on the map yet"
        else:
            check_keys(step, keyword_arguments(map_services.version_save) - SERVICE | {"do"}, {"phase"}, where)
            choice(step["phase"], MapVersion.Phase, where)
            choice(step["child_took_part"], MapVersion.ChildTookPart, where)
            check_when(step["saved_on"], where)


def check_referral(plan, guardians):
    referral = plan["referral"]
    check_keys(referral, {"organisation", "activity", "help_wanted", "contact_by", "follow_goal_area",
                          "sent_days_ago", "receiver", "note", "accepted_days_ago", "consent"},
               {"organisation", "activity", "receiver", "contact_by"}, "referral")  # fmt: skip
    org = network_key(ORGANISATIONS[referral["organisation"]])
    assert any(a["organisation"] == org and a["title"] == referral["activity"] for a in networks_demo.ACTIVITIES)
    receivers = [networks_demo.PEOPLE[p]["email"] for p in networks_demo.ORGANISATIONS[org].get("receivers", ())]
    assert PEOPLE[referral["receiver"]] in receivers, "the receiver does not receive the organisation's referrals"
    choice(referral["contact_by"], Referral.ContactBy, "referral")
    assert referral["follow_goal_area"] in {g["area"] for g in plan.get("goals", ())}
    assert referral["sent_days_ago"] > referral["accepted_days_ago"] >= 0
    # The plan's own consent covers the referral; the one in the data is for an older demo.
    assert any(referral["organisation"] in c["organisations"] and c.get("allows_referral") for c in plan["consents"])
    check_keys(referral["consent"], keyword_arguments(plan_services.consent_record) - SERVICE - {"organisations"},
               {"guardian", "given_on", "method", "purposes"}, "referral consent")  # fmt: skip
    assert referral["consent"]["guardian"] in guardians


@pytest.mark.django_db
def test_loading_creates_every_plan_as_written():
    call_command("load_demo", quiet=True)
    for spec in PLANS:
        plan = ChildPlan.objects.get(child__given_name=spec["given_name"], child__family_name=spec["family_name"],
                                     child__birth_date=spec["birth_date"])
        assert plan.child.guardians.count() == len(spec.get("guardians", ()))
        assert plan.goals.count() == len(spec.get("goals", ()))
        whats = {a["what"] for g in spec.get("goals", ()) for a in g.get("actions", ())}
        assert whats <= set(Action.objects.filter(plan=plan).values_list("what", flat=True))  # (a referral adds its own)
        team = {spec["by"], spec.get("contact_person", spec["by"])} | {m["user"] for m in spec.get("team", ())}
        emails = {COLLEAGUE["email"] if key == "colleague" else PEOPLE[key] for key in team}
        assert set(plan.team.values_list("user__email", flat=True)) == emails  # (nobody leaves a demo team)
        assert plan.assessments.count() == len(spec.get("assessments", ()))
        assert MapPerson.objects.filter(plan=plan).count() == sum(s["do"] == "add" for s in spec.get("map", ()))
        assert TeamMeeting.objects.filter(plan=plan).count() == len(spec.get("team_meetings", ()))
        assert Referral.objects.filter(plan=plan).count() == ("referral" in spec)
        assert plan.is_closed == ("close_reason" in spec)
        assert LegalHold.objects.filter(plan=plan, lifted_at__isnull=True).count() == ("legal_hold" in spec)
