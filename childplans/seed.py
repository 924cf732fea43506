"""Bulk seeding of plans for benchmarks (docs/performance.md: a county has 5,000 plans with 50,000
actions and 20,000 reviews). Fictional children only (no real personnummer: none is set).
Rows are written with bulk_create in batches, so seeding a county takes seconds."""

import random
from datetime import date, timedelta

from django.db import connection, transaction
from django.utils import timezone

from networks.models import OrganisationMembership
from portal.kept import forget

from .indicators import INDICATORS_TABLE
from .models import (
    Action,
    Area,
    Assessment,
    Child,
    ChildPlan,
    Goal,
    Need,
    PlanKeepingKind,
    Review,
    TeamMember,
)

GIVEN = ["Alva", "Elsa", "Maja", "Noah", "Liam", "Hugo", "Saga", "Ella", "Olle", "Leo", "Nora", "Vera"]
FAMILY = ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson"]


def _chunks(items, size):
    for i in range(0, len(items), size):
        yield items[i : i + size]


@transaction.atomic
def seed_plans(*, plans, actions, reviews, seed=4, batch=2000, memberships=None):
    """Create ``plans`` active plans spread over the members of plan-keeping organisations
    (``memberships``: OrganisationMembership rows; default: all of them), each with its
    contact person and one more member of the same organisation on the team, one goal, one
    assessment, and ``actions``/``reviews`` spread evenly. Returns the number of plans."""
    rng = random.Random(seed)  # noqa: S311 - fictional benchmark data, not security
    if memberships is None:
        memberships = list(
            OrganisationMembership.objects.filter(
                organisation__kind__in=PlanKeepingKind.objects.values("kind")
            ).order_by("pk")
        )
    if not memberships:
        raise ValueError("no members of plan-keeping organisations to own the plans")
    by_org = {}
    for m in memberships:
        by_org.setdefault(m.organisation_id, []).append(m.user_id)
    today = timezone.localdate()
    children = [
        Child(given_name=rng.choice(GIVEN), family_name=rng.choice(FAMILY),
              birth_date=date(2008, 1, 1) + timedelta(days=rng.randrange(365 * 15)))
        for _ in range(plans)
    ]
    for chunk in _chunks(children, batch):
        Child.objects.bulk_create(chunk, batch_size=batch)
    if children[0].pk is None:  # backends that do not return ids from bulk_create
        children = list(Child.objects.order_by("-pk")[:plans])[::-1]
    owners = [memberships[i % len(memberships)] for i in range(plans)]
    plan_rows = [
        ChildPlan(child=child, owner_organisation_id=m.organisation_id, contact_person_id=m.user_id,
                  opened_by_id=m.user_id, reason="Seedad plan för prestandamätning.",
                  opened_on=today - timedelta(days=rng.randrange(700)))
        for child, m in zip(children, owners, strict=True)
    ]
    ChildPlan.objects.bulk_create(plan_rows, batch_size=batch)
    if plan_rows[0].pk is None:
        plan_rows = list(ChildPlan.objects.order_by("-pk")[:plans])[::-1]
    team, goals, assessments = [], [], []
    for plan, m in zip(plan_rows, owners, strict=True):
        team.append(TeamMember(plan=plan, user_id=m.user_id, organisation_id=m.organisation_id, part="Handläggare"))
        colleagues = [u for u in by_org[m.organisation_id] if u != m.user_id]
        if colleagues:
            team.append(TeamMember(plan=plan, user_id=rng.choice(colleagues), organisation_id=m.organisation_id))
        goals.append(Goal(plan=plan, area=rng.choice(Area.values), description="Seedat mål"))
        assessments.append(Assessment(
            plan=plan, assessed_by_id=m.user_id, assessed_on=today - timedelta(days=rng.randrange(300)),
            areas={a: {"need": rng.choice(Need.values), "seen": "", "seen_by": ""} for a in Area.values},
        ))
    TeamMember.objects.bulk_create(team, batch_size=batch)
    Goal.objects.bulk_create(goals, batch_size=batch)
    Assessment.objects.bulk_create(assessments, batch_size=batch)
    if goals[0].pk is None:
        goals = list(Goal.objects.order_by("-pk")[:plans])[::-1]
    action_rows = []
    for i in range(actions):
        goal = goals[i % plans]
        owner = owners[i % plans]
        start = today - timedelta(days=rng.randrange(200))
        action_rows.append(Action(
            plan_id=goal.plan_id, goal=goal, what=f"Seedad insats {i}", responsible_organisation_id=owner.organisation_id,
            responsible_person_id=owner.user_id, starts_on=start, due_on=start + timedelta(days=rng.randrange(1, 120)),
            status=rng.choice(Action.Status.values),
        ))
    Action.objects.bulk_create(action_rows, batch_size=batch)
    review_rows = []
    for i in range(reviews):
        plan = plan_rows[i % plans]
        review_rows.append(Review(
            plan=plan, date=today - timedelta(days=rng.randrange(1, 400)), status=Review.Status.HELD,
            participants="Seedad", decisions="Seedad", child_took_part=rng.choice(Review.ChildTookPart.values),
            guardians_know_plan=rng.random() < 0.95,
        ))
    Review.objects.bulk_create(review_rows, batch_size=batch)
    if connection.vendor == "postgresql":
        # Fresh statistics, or the planner scans all actions for one plan's goals.
        with connection.cursor() as cursor:
            for table in ("childplans_childplan", "childplans_action", "childplans_review",
                          "childplans_teammember", "childplans_goal"):
                cursor.execute(f"ANALYZE {table}")
    forget(INDICATORS_TABLE)  # a bulk write path of the indicators' counts (portal/kept.py)
    return plans
