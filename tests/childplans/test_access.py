"""docs/security.md promise 3 (and 4): every child-scoped route, every persona off the team, every
method the view accepts (GET, HEAD and POST always, PUT where it has one) -> 404, no child data in
the body, nothing changed in the database (every model's row count, the plan's rows themselves,
and one DENIED audit row is the only new row). The personas are the plan's own outsiders and the
twins of tests/twins.py: the same roles — contact person, team member, referral receiver, network
coordinator — in another organisation, another kommun. The routes come from the URL resolver, so
a new childplans route is covered — or fails here until it is classified and given its object."""

from contextlib import nullcontext
from datetime import date, timedelta

import pytest
import time_machine
from django.apps import apps
from django.urls import URLPattern, get_resolver, reverse
from django.utils import timezone

from childplans import services
from childplans.access import ChildDataMixin, PlanAccessMixin
from childplans.managers import ChildPlanQuerySet
from childplans.models import ChildPlan, Consent, TeamMember
from childplans.referrals.access import ReferralAccessMixin
from childplans.urls import ROUTE_CLASSES
from portal.models import AuditEvent, OutboundEmail
from portal.routes import MEMBER, classify
from tests import factories as f
from tests.childplans.networkmap.helpers import MAP_SECRETS, add_network_map
from tests.childplans.teammeetings.helpers import add_team_meeting
from tests.twins import (
    CONTACT,
    COORDINATOR,
    RECEIVER,
    TEAM_MEMBER,
    ask_outside,
    assert_twins_hold_their_roles,
    build_twin_world,
    methods_for,
    missing_kwargs,
    patterns,
    row_counts,
)

from .conftest import SECRETS, person, reauthenticate

pytestmark = pytest.mark.django_db


def childplan_patterns():
    resolver = get_resolver()
    found = []

    def walk(patterns, namespace=None):
        for p in patterns:
            if isinstance(p, URLPattern):
                if namespace == "childplans":
                    found.append(p)
            else:
                walk(p.url_patterns, p.namespace or namespace)

    walk(resolver.url_patterns)
    return found


PATTERNS = childplan_patterns()
CHILD_PATTERNS = [p for p in PATTERNS if ROUTE_CLASSES[f"childplans:{p.name}"] == "child"]


def test_every_route_is_classified():
    assert PATTERNS, "childplans URLs are not included in portal/urls.py"
    for p in PATTERNS:
        assert f"childplans:{p.name}" in ROUTE_CLASSES
        view_class = getattr(p.callback, "view_class", None)
        if ROUTE_CLASSES[f"childplans:{p.name}"] == "child":
            assert "plan_pk" in p.pattern.converters, f"{p.name}: a child route takes plan_pk"
            assert view_class is not None and issubclass(view_class, PlanAccessMixin), (
                f"{p.name}: every child-scoped view declares PlanAccessMixin"
            )
            assert issubclass(PlanAccessMixin, ChildDataMixin)
        elif ROUTE_CLASSES[f"childplans:{p.name}"] == "referral":
            # The inbox, or one referral's page (tests/childplans/referrals/test_access.py).
            assert "plan_pk" not in p.pattern.converters
            assert view_class is not None and issubclass(view_class, ChildDataMixin), (
                f"{p.name}: every page of child data is built on the one base, ChildDataMixin"
            )
            if "referral_pk" in p.pattern.converters:
                assert view_class is not None and issubclass(view_class, ReferralAccessMixin), p.name
            else:
                assert p.name == "referral_inbox", p.name
        else:
            assert "plan_pk" not in p.pattern.converters


def test_public_routes_are_the_answer_page_only():
    """The one public childplans route is a team meeting's answer page; its view is marked
    ``login_not_required`` (tests/portal/test_routes.py) and answers 404 without a valid token
    (tests/childplans/teammeetings/test_answer_links.py)."""
    assert {name for name, cls in ROUTE_CLASSES.items() if cls == "public"} == {"childplans:teammeeting_answer"}


def kwargs_for(pattern, objs):
    if "person_pk" in pattern.pattern.converters and "map_person" not in objs:
        objs.update(add_network_map(objs["plan"], objs["plan"].contact_person))  # network-map objects
    if "meeting_pk" in pattern.pattern.converters and "team_meeting" not in objs:
        objs.update(add_team_meeting(objs["plan"], objs["plan"].contact_person))  # team meeting objects
    mapping = {
        "plan_pk": objs["plan"].pk,
        "guardian_pk": objs["guardian"].pk,
        "consent_pk": objs["consent"].pk,
        "member_pk": objs["member"].pk,
        "action_pk": objs["action"].pk,
        "review_pk": objs["review"].pk,
        "person_pk": objs["map_person"].pk if "map_person" in objs else None,  # networkmap/urls.py
        "meeting_pk": objs["team_meeting"].pk if "team_meeting" in objs else None,  # teammeetings/urls.py
    }
    kwargs = {}
    for name in pattern.pattern.converters:
        assert name in mapping, f"{pattern.name}: the access table does not know the URL argument {name!r}"
        kwargs[name] = mapping[name]
    return kwargs


def post_payload(objs, contact):
    """Plausible data for every form, so a POST that slipped past the access rule would change
    something (and this test would see it)."""
    today = timezone.localdate().isoformat()
    return {
        "given_name": "Ändrad", "family_name": "Ändradsson", "birth_date": "2015-04-12",
        "name": "Ny Vårdnadshavare", "relation": "pappa", "has_custody": "on", "contact": "x",
        "guardian": objs["guardian"].pk, "given_on": today, "method": "written", "purposes": ["coordination"],
        "valid_until": (timezone.localdate() + timedelta(days=90)).isoformat(),
        "organisations": [objs["member"].organisation_id], "withdrawn_on": today, "note": "x",
        "membership": objs["member"].pk, "part": "x", "to_user": contact.pk, "answer": "accept",
        "assessed_on": today, "child_voice": "x", "guardians_views": "x", "area": "trygg",
        "description": "x", "goal": objs["goal"].pk, "what": "x",
        "responsible_organisation": objs["member"].organisation_id, "starts_on": today, "due_on": today,
        "status": "klar", "follow_up": "x", "date": today, "participants": "x", "decisions": "x",
        "child_took_part": "ja", "guardians_know_plan": "ja", "occurred_on": today, "event": "x",
        "source": "x", "impact": "positive", "action_taken": "x", "reason": "Stängd",
        "sector": "familj", "closeness": "1", "quality": "positive", "phone": "x", "phase": "utredning",
        "saved_on": today, "kind": "natverksmote", "held_on": today, "left_on": today,
        "action": objs["action"].pk,
        # team meetings (a time in the future, the whole team, the guardian, the minutes closed)
        "starts_at": f"{today}T23:00", "ends_at": f"{today}T23:30", "place": "x", "child_part": "i_rummet",
        "members": [objs["member"].pk], "guardians": [objs["guardian"].pk], "guardians_by_email": "on",
        "family_topics": "x", "not_before_child": "x", "child_words": "x", "title": "x", "response": "yes",
        "op": "remove", "point": 1, "attended": [1], "child_came": "on", "notes": "x", "next_meeting_on": today,
        "send_summary": "on", "guardian_summary": "x",
        **{f"{a}_need": "stort" for a in ("trygg", "halsa", "utvecklas", "omvardad", "aktiv", "respekterad",
                                          "ansvarstagande", "delaktig")},
    }


def snapshot():
    """Every row of every childplans, networkmap, teammeetings and referrals model and the outbox,
    every column (an UPDATE that keeps the row count shows here)."""
    data = []
    for label in ("childplans", "networkmap", "teammeetings", "referrals"):
        for model in apps.get_app_config(label).get_models():
            data.append(list(model.objects.order_by("pk").values_list()))
    data.append(list(OutboundEmail.objects.order_by("pk").values_list()))
    return data


@pytest.fixture
def personas(db, full_plan, org_social, org_other, teacher, contact, network):
    plan = full_plan["plan"]
    other = person("annan@region.se", org_other, first_name="Olle", last_name="Annan")
    colleague = person("kollega@vaxjo.se", org_social, first_name="Kim", last_name="Kollega")
    # ... who keeps a plan of their own: the contact person of another plan of the same
    # organisation (a rule that forgot which plan the team membership is for lets them in).
    services.plan_open(by=colleague, organisation=org_social, given_name="Sixten", family_name="Kollegasson",
                       birth_date=date(2014, 2, 3), reason="Oro.", part="Handläggare")
    admin = person("admin@portal.se", org_social, first_name="Ada", last_name="Admin", is_staff=True,
                   is_superuser=True)
    removed = person("borttagen@vaxjo.se", org_social, first_name="Bo", last_name="Borttagen")
    member = services.team_add(plan=plan, by=contact, user=removed, organisation=org_social)
    services.team_remove(plan=plan, member=member, by=contact)
    # Consent withdrawn: the school's teacher is removed from the team by the service.
    withdrawn = teacher
    # Consent ended (issue 19): a youth worker whose organisation only a consent that ends today
    # covers; the test asks the day after (a moved clock), when that consent is no longer in force.
    youth_centre = f.OrganisationFactory(name="Fritidsgården Ungdomens hus", kind="kommun")
    expired = person("fritid@ungdomenshus.se", youth_centre, first_name="Fia", last_name="Fritid")
    services.consent_record(plan=plan, by=contact, guardian=full_plan["guardian"], given_on=timezone.localdate(),
                            valid_until=timezone.localdate(), method=Consent.Method.WRITTEN,
                            purposes=["coordination"], organisations=[youth_centre])
    services.team_add(plan=plan, by=contact, user=expired, organisation=youth_centre)
    from networks.models import NetworkMembership

    full_plan.update(add_network_map(plan, contact))  # so every network-map URL has its object
    full_plan.update(add_team_meeting(plan, contact))  # and every team meeting URL
    coordinator = person("samordnare@natverk.se", org_social, first_name="Siv", last_name="Samordnare")
    NetworkMembership.objects.create(network=network, user=coordinator, organisation=org_social,
                                     role=NetworkMembership.Role.COORDINATOR)
    twins = build_twin_world()  # the same roles in another organisation (tests/twins.py)
    return {
        "another_organisation": other,
        "same_organisation_not_on_team": colleague,
        "staff_superuser_not_on_team": admin,
        "removed_team_member": removed,
        "consent_withdrawn": withdrawn,
        "consent_expired": expired,
        "network_coordinator": coordinator,
        **{name: twins[name] for name in TWINS_HERE},
        "twin_world": twins,
    }


def withdraw_school_consent(full_plan, contact):
    services.consent_withdraw(plan=full_plan["plan"], consent=full_plan["consent"], by=contact,
                              withdrawn_on=timezone.localdate())


# The twins of tests/twins.py that hold a role around a plan: the contact person and a team
# member of another organisation's plan, a receiver of another organisation's referrals, the
# coordinator of another kommun's network.
TWINS_HERE = [CONTACT, TEAM_MEMBER, RECEIVER, COORDINATOR]
PERSONAS = [
    "another_organisation",
    "same_organisation_not_on_team",
    "staff_superuser_not_on_team",
    "removed_team_member",
    "consent_withdrawn",
    "consent_expired",
    "network_coordinator",
    *TWINS_HERE,
]


def clock_for(persona):
    """The day after the consent of ``consent_expired`` ended (time-machine); today for the others."""
    if persona == "consent_expired":
        return time_machine.travel(timezone.now() + timedelta(days=1), tick=True)
    return nullcontext()


@pytest.mark.parametrize("persona", PERSONAS)
def test_off_team_gets_404_everywhere_and_changes_nothing(client, full_plan, personas, contact, persona):
    # The teacher's access goes with the consent: withdraw it (for every persona, so all see
    # the same plan) — the teacher then is a persona like the others.
    withdraw_school_consent(full_plan, contact)
    if persona in TWINS_HERE:
        assert_twins_hold_their_roles(personas["twin_world"], [persona])
    with clock_for(persona):
        _ask_every_child_route(client, full_plan, personas, contact, persona)


def _ask_every_child_route(client, full_plan, personas, contact, persona):
    user = personas[persona]
    client.force_login(user)
    reauthenticate(client, user)  # re-authentication must not open anything either
    payload = post_payload(full_plan, contact)
    counts, rows = row_counts(), snapshot()
    for pattern in CHILD_PATTERNS:
        kwargs = kwargs_for(pattern, full_plan)
        url = reverse(f"childplans:{pattern.name}", kwargs=kwargs)
        missing = reverse(f"childplans:{pattern.name}", kwargs=missing_kwargs(kwargs))
        for method, accepted in methods_for(pattern.callback):
            label = (persona, pattern.name, method.upper())
            response, body, new = ask_outside(client, method, url, accepted=accepted, missing_url=missing,
                                              payload=payload, baseline=counts, label=label)
            for secret in SECRETS + MAP_SECRETS:
                assert secret not in body, (*label, secret)
            assert [e.action for e in new] == [AuditEvent.Action.DENIED], label
            assert new[0].user_id == user.pk and new[0].plan_id == full_plan["plan"].pk, label
        # every column of the plan's rows, once per route (a change would also have written a
        # change row, and answered something other than 404)
        assert snapshot() == rows, (persona, pattern.name, "database changed")


def test_missing_plan_is_the_same_404(client, full_plan, contact):
    client.force_login(contact)
    missing = ChildPlan.objects.order_by("-pk").first().pk + 1000
    response = client.get(reverse("childplans:plan_detail", kwargs={"plan_pk": missing}))
    assert response.status_code == 404


# Every page for any logged-in user that takes no object (the lists, Min översikt, the
# indicators, the account's pages; not the admin's, for staff only), from the URL resolver.
MEMBER_PAGES = [key for key, p in patterns() if classify(key) == MEMBER and not p.pattern.regex.groups
                and not key.startswith("admin:")]


@pytest.mark.parametrize("persona", PERSONAS)
def test_member_routes_show_no_plan_of_others(client, full_plan, personas, contact, persona):
    withdraw_school_consent(full_plan, contact)
    with clock_for(persona):
        _member_pages_show_nothing(client, full_plan, personas, persona)


def _member_pages_show_nothing(client, full_plan, personas, persona):
    user = personas[persona]
    client.force_login(user)
    assert {"childplans:plan_list", "childplans:my_actions", "dashboard"} <= set(MEMBER_PAGES)
    plan_url = reverse("childplans:plan_detail", kwargs={"plan_pk": full_plan["plan"].pk})
    for name in MEMBER_PAGES:
        response = client.get(reverse(name))
        if name in ("childplans:plan_list", "childplans:my_actions", "dashboard"):
            assert response.status_code == 200, (persona, name)
        assert response.status_code < 500, (persona, name, response.status_code)
        body = response.content.decode()
        for secret in SECRETS:
            assert secret not in body, (persona, name, secret)
        assert plan_url not in body, (persona, name)


def test_visibility_is_decided_in_the_query_each_time(full_plan, teacher, contact):
    """Promise 4: no caching. Withdrawing consent straight in the database (without the service
    that also removes members) already hides the plan; leaving the organisation does too."""
    plan = full_plan["plan"]
    assert ChildPlan.objects.visible_to(teacher).filter(pk=plan.pk).exists()
    Consent.objects.filter(pk=full_plan["consent"].pk).update(withdrawn_on=timezone.localdate())
    assert TeamMember.objects.filter(plan=plan, user=teacher, removed_at__isnull=True).exists()
    assert not ChildPlan.objects.visible_to(teacher).filter(pk=plan.pk).exists()
    Consent.objects.filter(pk=full_plan["consent"].pk).update(withdrawn_on=None)
    assert ChildPlan.objects.visible_to(teacher).filter(pk=plan.pk).exists()
    from networks.models import OrganisationMembership

    OrganisationMembership.objects.filter(user=teacher).delete()
    assert not ChildPlan.objects.visible_to(teacher).filter(pk=plan.pk).exists()
    # The owning organisation's members need no consent.
    assert ChildPlan.objects.visible_to(contact).filter(pk=plan.pk).exists()


def test_deactivated_user_sees_nothing(full_plan, contact):
    contact.is_active = False
    assert not ChildPlan.objects.visible_to(contact).exists()


def test_withdrawn_member_loses_access_on_next_request(client, full_plan, teacher, contact):
    plan = full_plan["plan"]
    client.force_login(teacher)
    url = reverse("childplans:plan_detail", kwargs={"plan_pk": plan.pk})
    assert client.get(url).status_code == 200
    withdraw_school_consent(full_plan, contact)
    assert client.get(url).status_code == 404
    member = TeamMember.objects.get(plan=plan, user=teacher)
    assert member.removed_because == TeamMember.RemovedBecause.CONSENT_WITHDRAWN
    client.force_login(contact)
    body = client.get(url).content.decode()
    assert "Ett samtycke återkallades" in body  # shown on the plan


def test_the_only_way_in_is_visible_to():
    """A guard against a second way in: the manager's queryset is ours."""
    assert isinstance(ChildPlan.objects.all(), ChildPlanQuerySet)


@pytest.mark.parametrize("persona", PERSONAS)
def test_giving_access_is_the_same_rule_as_visible_to(full_plan, personas, contact, teacher, persona):
    """``TeamMember.objects.giving_access()`` (who still gets a team meeting's reminders, whose
    answer link still works) is ``visible_to``'s rule for many members at once: they agree for
    every persona, before and after the consent is withdrawn."""
    plan = full_plan["plan"]
    users = [contact, teacher, personas[persona]]

    def agree():
        for user in users:
            visible = ChildPlan.objects.visible_to(user).filter(pk=plan.pk).exists()
            assert TeamMember.objects.giving_access().filter(plan=plan, user=user).exists() == visible, (
                persona, user.email)

    agree()
    Consent.objects.filter(pk=full_plan["consent"].pk).update(withdrawn_on=timezone.localdate())  # no service
    agree()
    Consent.objects.filter(pk=full_plan["consent"].pk).update(withdrawn_on=None)
    agree()


@pytest.mark.parametrize("persona", PERSONAS)
def test_giving_access_is_built_on_current(full_plan, personas, persona):
    """"On the team now" is one rule: ``TeamMember.objects.current()``; ``is_current`` says the
    same of one loaded row, and no member who is not current gives access."""
    personas[persona]  # the personas' team rows (a removed member, a withdrawn consent) exist
    members = list(TeamMember.objects.all())
    current = set(TeamMember.objects.current().values_list("pk", flat=True))
    giving = set(TeamMember.objects.giving_access().values_list("pk", flat=True))
    assert {m.pk for m in members if m.is_current} == current
    assert any(not m.is_current for m in members)  # the removed member
    assert giving <= current
