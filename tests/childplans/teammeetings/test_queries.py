"""Query counts (docs/performance.md): the team meeting page and its minutes page are plan pages
(child data, never kept HTML): within the plan page's budget of 10 queries including auth, and
the same number for 1 and for 20 participants, 1 and 50 actions (agenda points and actions in
the minutes)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from childplans import services as plan_services
from childplans.models import Action, TeamMember
from childplans.teammeetings.models import AgendaPoint, Invitee, MinutesAction
from tests.queries import AUTH_QUERIES, PLAN_BUDGET, page_queries

from ..conftest import person
from .helpers import call

pytestmark = pytest.mark.django_db

TX_CONTROL = re.compile(r"^(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT|BEGIN|COMMIT|ROLLBACK)\b")


def measure(client, url):
    """(queries per request as the benchmark counts them: transaction control left out, auth
    included; the page's own queries) of the second GET of ``url``."""
    client.get(url)  # the first request creates allauth's user session row
    response, queries, own = page_queries(client, url)
    assert response.status_code == 200
    return len([sql for sql in queries if not TX_CONTROL.match(sql)]), own

# The page's own: MFA check, plan, meeting, invitees (with person, organisation, guardian and
# whether the invitation still works), agenda, audit insert; the minutes page also its actions.
MEETING_PAGE_OWN = 6
MINUTES_PAGE_OWN = 7


def grow(plan, meeting, contact, full_plan, participants=19, actions=49):
    org = full_plan["member"].organisation
    today = timezone.localdate()
    for i in range(participants):
        user = person(f"teamet{i}@skolan.se", org, first_name=f"Person{i}", last_name="Teamsson")
        member = plan_services.team_add(plan=plan, by=contact, user=user, organisation=org)
        Invitee.objects.create(meeting=meeting, team_member=member, email=user.email)
    Action.objects.bulk_create(
        Action(plan=plan, goal=full_plan["goal"], what=f"Insats {i}", responsible_organisation=org,
               responsible_person=full_plan["member"].user, starts_on=today, due_on=today + timedelta(days=i),
               status="planerad")
        for i in range(actions)
    )
    last = AgendaPoint.objects.filter(meeting=meeting).order_by("-position").first().position
    AgendaPoint.objects.bulk_create(
        AgendaPoint(meeting=meeting, position=last + 1 + i, title=f"Insats {i}", source="insats") for i in range(actions)
    )
    MinutesAction.objects.bulk_create(
        MinutesAction(meeting=meeting, goal=full_plan["goal"], what=f"Ny insats {i}", responsible_organisation=org,
                      responsible_person=full_plan["member"].user, due_on=today + timedelta(days=30))
        for i in range(actions + 1)
    )


@pytest.mark.parametrize(("name", "own"), [("teammeeting_detail", MEETING_PAGE_OWN),
                                            ("teammeeting_minutes", MINUTES_PAGE_OWN)])
def test_the_meeting_and_minutes_pages_are_flat(client, full_plan, contact, teacher, name, own):
    plan = full_plan["plan"]
    meeting = call(plan, contact)  # the contact person and the teacher: one participant besides
    assert TeamMember.objects.filter(plan=plan).count() == 2
    client.force_login(teacher)
    url = reverse(f"childplans:{name}", kwargs={"plan_pk": plan.pk, "meeting_pk": meeting.pk})
    small_total, small_own = measure(client, url)
    grow(plan, meeting, contact, full_plan)
    assert Invitee.objects.filter(meeting=meeting).count() == 21 and plan.actions.count() == 50
    large_total, large_own = measure(client, url)
    assert large_total == small_total, "This is a plan page: its queries must not grow with the meeting."
    assert len(large_own) == len(small_own) == own, large_own
    assert large_total <= PLAN_BUDGET, f"{large_total} queries; the plan page's budget is {PLAN_BUDGET} with auth"
    assert len(large_own) <= PLAN_BUDGET - AUTH_QUERIES
    body = client.get(url).content.decode()
    assert "Person18 Teamsson" in body


def test_the_dashboard_stays_within_its_budget_with_team_meetings(client, full_plan, contact, teacher):
    """Min översikt: the same queries for 0 and for 5 coming team meetings, within its budget."""
    from tests.queries import DASHBOARD_BUDGET

    client.force_login(teacher)
    client.get(reverse("dashboard"))
    _r, before, _own = page_queries(client, reverse("dashboard"))
    for _ in range(5):
        call(full_plan["plan"], contact)
    _r, after, _own = page_queries(client, reverse("dashboard"))
    assert len(after) == len(before) <= DASHBOARD_BUDGET
