"""Bulk seeding of plans for benchmarks (docs/performance.md: a county has 5,000 plans with 50,000
actions and 20,000 reviews). Fictional children only (no real personnummer: none is set).
Rows are written with bulk_create in batches, so seeding a county takes seconds."""

import math
import random
from datetime import date, timedelta

from django.db import connection, transaction
from django.utils import timezone

from networks.models import OrganisationMembership
from portal.kept import forget
from portal.partitions import add_months, ensure_audit_partitions, load_month, months

from .indicators import INDICATORS_TABLE
from .models import (
    Action,
    Area,
    Assessment,
    Child,
    ChildPlan,
    Consent,
    ConsentOrganisation,
    Goal,
    Guardian,
    Need,
    PlanKeepingKind,
    Review,
    TeamMember,
)

GIVEN = ["Alva", "Elsa", "Maja", "Noah", "Liam", "Hugo", "Saga", "Ella", "Olle", "Leo", "Nora", "Vera"]
FAMILY = ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson"]


def seed_consents(plan_rows, owners, rng, today, batch):
    """One guardian per child and one written consent in force per plan, covering the owner
    organisation for every purpose but (for one plan in ten) statistics, as a real portal's
    plans have: the indicators count only plans with a consent for statistics, and the
    consent pages and the referral rule read these rows."""
    guardians = [
        Guardian(child_id=plan.child_id, name=f"Vårdnadshavare {plan.child_id}",
                 relation=rng.choice(Guardian.Relation.values))
        for plan in plan_rows
    ]
    Guardian.objects.bulk_create(guardians, batch_size=batch)
    if guardians[0].pk is None:
        guardians = list(Guardian.objects.order_by("-pk")[: len(plan_rows)])[::-1]
    consents = []
    for plan, guardian, owner in zip(plan_rows, guardians, owners, strict=True):
        given = today - timedelta(days=rng.randrange(1, 300))
        consents.append(Consent(
            plan=plan, guardian=guardian, given_on=given, valid_until=given + timedelta(days=365),
            method=Consent.Method.WRITTEN, recorded_by_id=owner.user_id, for_coordination=True,
            for_sharing=True, for_referral=True, for_family=True, for_statistics=rng.random() < 0.9,
        ))
    Consent.objects.bulk_create(consents, batch_size=batch)
    if consents[0].pk is None:
        consents = list(Consent.objects.order_by("-pk")[: len(plan_rows)])[::-1]
    ConsentOrganisation.objects.bulk_create(
        [ConsentOrganisation(consent=c, organisation_id=o.organisation_id)
         for c, o in zip(consents, owners, strict=True)],
        batch_size=batch,
    )


# One audit row per read and change of child data (portal/audit.py). The shares of the actions
# follow what a plan's life writes: mostly reads, then changes, the rest log-ins and exports.
AUDIT_MIX = (("view", 80), ("update", 12), ("create", 4), ("print", 3), ("export", 1))


def seed_audit(rows, *, days=730, stdout=None):
    """Add ``rows`` audit rows spread evenly over the last ``days`` days (PostgreSQL only:
    ``INSERT … SELECT`` over ``generate_series``, month by month through
    ``portal.partitions.load_month``, oldest first, each month its own transaction so an
    interrupted seeding keeps what it wrote). Each row reads or changes one seeded plan, by
    that plan's contact person, with its child, as portal.audit writes them. Returns the rows
    written."""
    if connection.vendor != "postgresql":
        raise RuntimeError("seed_audit needs PostgreSQL (generate_series)")
    plans = ChildPlan.objects.count()
    if not plans or rows <= 0:
        return 0
    mix = [name for name, share in AUDIT_MIX for _ in range(share)]
    now = timezone.now()
    span = timedelta(days=days)
    # The month partitions of the whole span first (PostgreSQL after portal 0009), so no row
    # lands in the default partition.
    ensure_audit_partitions(start=now - span)
    with connection.cursor() as cursor:
        # The plans with their contact person, numbered 0..n-1, so a row picks one by arithmetic.
        cursor.execute("DROP TABLE IF EXISTS seed_audit_plan")
        cursor.execute(
            "CREATE UNLOGGED TABLE seed_audit_plan AS SELECT row_number() OVER (ORDER BY p.id) - 1 AS n,"
            " p.id AS plan_id, p.child_id, p.contact_person_id AS user_id FROM childplans_childplan p"
        )
        cursor.execute("CREATE UNIQUE INDEX ON seed_audit_plan (n)")
        cursor.execute("ANALYZE seed_audit_plan")
    # Row k (0 = the newest) is at now - span * k / rows. A month's rows are the k between its
    # bounds (one more each side: load_month keeps exactly the month's), oldest first, so ids
    # grow with time as the portal's own do.
    columns = ["at", "user_id", "user_label", "organisation_label", "action", "event", "object_type",
               "object_id", "request_id", "ip_address", "detail", "plan_id", "child_id", "assurance_level"]
    select = (
        "SELECT %(now)s::timestamptz - %(span)s::interval * (g.k::float8 / %(rows)s) AS at,"
        " p.user_id, 'seed' AS user_label, '' AS organisation_label,"
        " (%(mix)s::text[])[1 + (g.k * 7919) %% %(mixlen)s] AS action, '' AS event,"
        " 'childplans.childplan' AS object_type, p.plan_id::text AS object_id, '' AS request_id,"
        " NULL::inet AS ip_address, '{}'::jsonb AS detail, p.plan_id, p.child_id,"
        " 'password' AS assurance_level"
        " FROM generate_series(%(high)s::bigint, %(low)s::bigint, -1) AS g(k)"
        " JOIN seed_audit_plan p ON p.n = (g.k * 104729) %% %(plans)s"
    )
    written = 0
    for month in months(now - span, now):
        newest = max(0, math.floor((now - add_months(month, 1)) / span * rows) - 1)
        oldest = min(rows - 1, math.ceil((now - month) / span * rows) + 1)
        if oldest < newest:
            continue
        written += load_month(month, columns, select, {
            "now": now, "span": span, "rows": rows, "mix": mix, "mixlen": len(mix),
            "low": newest, "high": oldest, "plans": plans,
        })
        if stdout:
            stdout.write(f"    audit rows: {written:,} of {rows:,} ({month:%Y-%m})\n")
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE seed_audit_plan")
        cursor.execute("ANALYZE portal_auditevent")
    return written


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
    seed_consents(plan_rows, owners, rng, today, batch)
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
