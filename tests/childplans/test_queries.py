"""Query counts (docs/performance.md): the plan page, the history page and "Mina insatser" are
performance-critical; their number of queries must not grow with the plan (1 -> 100 actions,
reviews and history rows) and stays within the detail budget (8 including auth)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from childplans.models import Action, Goal, PlanChange, Review
from tests.queries import AUTH_QUERIES, DETAIL_BUDGET, MIDDLEWARE_SQL  # noqa: F401  (networkmap tests import them here)

pytestmark = pytest.mark.django_db

# The page's own: MFA check, plan (with the latest assessments, reviews, voice, handover as
# subqueries), team, goals with actions (one LEFT JOIN), audit insert.
PLAN_PAGE_OWN = 5


def measure(client, url):
    client.get(url)  # warm: the first request creates allauth's user session row
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    own = [q["sql"] for q in ctx.captured_queries if not MIDDLEWARE_SQL.search(q["sql"])]
    return len(ctx.captured_queries), own


def grow(plan, contact, teacher, n):
    goal = Goal.objects.filter(plan=plan).first()
    today = timezone.localdate()
    Action.objects.bulk_create(
        Action(plan=plan, goal=goal, what=f"Insats {i}", responsible_organisation_id=plan.owner_organisation_id,
               responsible_person=teacher, starts_on=today - timedelta(days=10),
               due_on=today + timedelta(days=i % 20 - 5), status="planerad")
        for i in range(n)
    )
    Review.objects.bulk_create(
        Review(plan=plan, date=today - timedelta(days=i + 1), status="held", participants="x", decisions="y",
               child_took_part="ja", guardians_know_plan=True)
        for i in range(n)
    )
    PlanChange.objects.bulk_create(PlanChange(plan=plan, user=contact, what=f"Ändring {i}") for i in range(n))
    goals = [Goal(plan=plan, area="aktiv", description=f"Mål {i}") for i in range(n // 10)]
    Goal.objects.bulk_create(goals)


@pytest.mark.parametrize("name", ["plan_detail", "history", "print"])
def test_plan_pages_do_not_grow_with_the_plan(client, full_plan, contact, teacher, name):
    plan = full_plan["plan"]
    client.force_login(contact)
    url = reverse(f"childplans:{name}", kwargs={"plan_pk": plan.pk})
    small_total, small_own = measure(client, url)
    grow(plan, contact, teacher, 100)
    large_total, large_own = measure(client, url)
    assert large_total == small_total, "This is a performance-critical page: no N+1 queries."
    assert len(large_own) == len(small_own)
    if name == "plan_detail":
        assert len(large_own) <= PLAN_PAGE_OWN, large_own
        assert len(large_own) <= DETAIL_BUDGET - AUTH_QUERIES
    if name == "history":
        assert len(large_own) <= DETAIL_BUDGET - AUTH_QUERIES, large_own


def test_my_actions_do_not_grow_and_overdue_come_first(client, full_plan, contact, teacher):
    client.force_login(teacher)
    url = reverse("childplans:my_actions")
    small_total, small_own = measure(client, url)
    grow(full_plan["plan"], contact, teacher, 100)
    large_total, large_own = measure(client, url)
    assert large_total == small_total and len(large_own) == len(small_own) <= 3, large_own
    from childplans.selectors import my_actions_for

    actions = my_actions_for(teacher)
    flags = [a.overdue for a in actions]
    assert flags == sorted(flags, reverse=True) and flags[0] is True
    assert all(a.responsible_person_id == teacher.pk for a in actions)


def grow_more(plan, contact, n):
    """Also many assessments, chronology entries and voices (every list a plan page shows)."""
    from childplans.models import Assessment, ChronologyEntry, PlanVoice

    from .conftest import all_areas

    today = timezone.localdate()
    Assessment.objects.bulk_create(
        Assessment(plan=plan, assessed_by=contact, assessed_on=today - timedelta(days=100 + i), areas=all_areas())
        for i in range(n // 10)
    )
    ChronologyEntry.objects.bulk_create(
        ChronologyEntry(plan=plan, occurred_on=today - timedelta(days=i), event="x", source="y",
                        impact="positive", recorded_by=contact)
        for i in range(n)
    )
    PlanVoice.objects.bulk_create(
        PlanVoice(plan=plan, version=100 + i, child_voice="x", recorded_by=contact) for i in range(n // 10)
    )


def test_every_plan_page_is_flat(client, full_plan, contact, teacher):
    """Every child-scoped page (GET) makes the same number of queries for a small plan and for
    one with 100 actions, reviews, history rows and chronology entries."""
    from .conftest import reauthenticate
    from .test_access import CHILD_PATTERNS, kwargs_for

    plan = full_plan["plan"]
    client.force_login(contact)
    reauthenticate(client, contact)
    urls = [reverse(f"childplans:{p.name}", kwargs=kwargs_for(p, full_plan)) for p in CHILD_PATTERNS]
    urls += [reverse("childplans:plan_list")]
    small = {url: measure(client, url)[0] for url in urls}
    grow(plan, contact, teacher, 100)
    grow_more(plan, contact, 100)
    large = {url: measure(client, url)[0] for url in urls}
    assert large == small
    assert max(large.values()) <= 30  # docs/performance.md: never more than 30 queries


def test_plan_list_is_flat_from_1_to_50_plans(client, contact, org_social):
    from datetime import date

    from childplans import services

    def open_one(i):
        services.plan_open(by=contact, organisation=org_social, given_name=f"B{i}", family_name="L",
                           birth_date=date(2012, 1, 1) + timedelta(days=i), reason="x")

    open_one(0)
    client.force_login(contact)
    url = reverse("childplans:plan_list")
    small_total, small_own = measure(client, url)
    for i in range(1, 50):
        open_one(i)
    large_total, large_own = measure(client, url)
    assert large_total == small_total and len(large_own) <= 10 - AUTH_QUERIES, large_own
