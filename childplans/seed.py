"""Bulk seeding of plans for benchmarks (docs/performance.md: a county has 5,000 plans with 50,000
actions and 20,000 reviews; the national bench 110,000). Fictional children only (no real
personnummer: none is set).

``seed_plans`` writes every table with one ``INSERT … SELECT`` over a series of numbers (a CTE:
``generate_series`` on PostgreSQL, a recursive one on SQLite — the one difference), joined to
small numbered tables made first: the owning memberships, each one's colleagues, the dates. Row
``k`` of a table takes its values from ``k`` by arithmetic (``_pick``), so the data is the same
for the same arguments and no row passes through Python: 110,000 plans with their 2.6 million
rows take 80 s on PostgreSQL (2 shared cores). ``seed_audit`` (PostgreSQL only) loads the audit log
month by month (``portal.partitions.load_month``). Both are for a database that nobody else
writes to meanwhile: the seeded ids follow the highest there."""

import math
from datetime import date, timedelta

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from networks.models import OrganisationMembership
from portal.kept import forget
from portal.partitions import add_months, ensure_audit_partitions, load_month, months

from .indicators import INDICATORS_TABLE
from .models import (
    Action,
    Area,
    Child,
    ChildPlan,
    Consent,
    Goal,
    Guardian,
    Need,
    PlanKeepingKind,
    Review,
)

GIVEN = ["Alva", "Elsa", "Maja", "Noah", "Liam", "Hugo", "Saga", "Ella", "Olle", "Leo", "Nora", "Vera"]
FAMILY = ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson"]
BIRTHS_FROM = date(2008, 1, 1)  # children born over the 15 years from here
# Multipliers of _pick (each attribute its own), modulo a large prime: row k's values look drawn
# at random, yet a plan's owner (k modulo the memberships) says nothing about them.
_PRIME = 2147483647
_MULTIPLIERS = (1103515245, 1664525013, 1812433253, 1566083941, 1442695041, 1294967291, 1391752831,
                1597334677, 1732584193, 1013904223, 1181783497, 1275912371, 1367130551, 1431655781,
                1500450271, 1628376293, 1711375361, 1856280401, 1926121799, 2003278031)
TEMP_TABLES = ("seed_owner", "seed_colleague", "seed_date")


def _pick(k, modulus, salt, seed):
    """SQL: a number in 0..modulus-1 for row expression ``k``, its own for each ``salt``."""
    return f"((({k}) * {_MULTIPLIERS[salt]} + {seed * 31 + salt}) %% {_PRIME}) %% {int(modulus)}"


def _choice(k, values, salt, seed, params):
    """SQL: one of ``values`` (bound as parameters, appended to ``params``) for row ``k``."""
    params.extend(values)
    whens = " ".join(f"WHEN {i} THEN %s" for i in range(len(values)))
    return f"CASE {_pick(k, len(values), salt, seed)} {whens} END"


def _insert(cursor, table, count, columns, joins="", params=()):
    """``INSERT INTO table (columns) SELECT values FROM`` the numbers 0..count-1 (``g.k``) and
    ``joins``. ``columns``: {column: SQL of its value}."""
    if connection.vendor == "postgresql":
        numbers = f"SELECT generate_series(0::bigint, {int(count) - 1}) AS k"
    else:
        numbers = f"SELECT 0 AS k UNION ALL SELECT k + 1 FROM g WHERE k + 1 < {int(count)}"
    cursor.execute(
        f"WITH RECURSIVE g(k) AS ({numbers}) INSERT INTO {table} ({', '.join(columns)}) "
        f"SELECT {', '.join(columns.values())} FROM g {joins}",
        list(params),
    )


def _next_id(model):
    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def _make_tables(cursor, memberships, today, horizon):
    """The numbered tables the inserts join: seed_owner (n: the memberships that own plans,
    with how many colleagues each has in its organisation), seed_colleague (owner, j: those
    colleagues) and seed_date (n: the day BIRTHS_FROM + n, up to ``horizon`` days after today)."""
    for table in TEMP_TABLES:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
    cursor.execute(
        "CREATE TEMPORARY TABLE seed_owner (n integer PRIMARY KEY, organisation_id bigint NOT NULL,"
        " user_id bigint NOT NULL, colleagues integer NOT NULL)"
    )
    cursor.execute(
        "CREATE TEMPORARY TABLE seed_colleague (owner integer NOT NULL, j integer NOT NULL,"
        " user_id bigint NOT NULL, PRIMARY KEY (owner, j))"
    )
    cursor.execute("CREATE TEMPORARY TABLE seed_date (n integer PRIMARY KEY, d date NOT NULL)")
    by_org = {}
    for m in memberships:
        by_org.setdefault(m.organisation_id, []).append(m.user_id)
    owners, colleagues = [], []
    for n, m in enumerate(memberships):
        others = [u for u in by_org[m.organisation_id] if u != m.user_id]
        owners.append((n, m.organisation_id, m.user_id, len(others)))
        colleagues.extend((n, j, u) for j, u in enumerate(others))
    cursor.executemany("INSERT INTO seed_owner VALUES (%s, %s, %s, %s)", owners)
    if colleagues:
        cursor.executemany("INSERT INTO seed_colleague VALUES (%s, %s, %s)", colleagues)
    days = (today - BIRTHS_FROM).days + horizon
    adapt = connection.ops.adapt_datefield_value
    cursor.executemany(
        "INSERT INTO seed_date VALUES (%s, %s)", [(n, adapt(BIRTHS_FROM + timedelta(days=n))) for n in range(days)]
    )
    if connection.vendor == "postgresql":
        for table in TEMP_TABLES:
            cursor.execute(f"ANALYZE {table}")


@transaction.atomic
def seed_plans(*, plans, actions, reviews, seed=4, memberships=None, analyze=True):
    """Create ``plans`` active plans spread over the members of plan-keeping organisations
    (``memberships``: OrganisationMembership rows, the plans going round them in turn; default:
    all of them). Each plan has its child, the member as contact person on the team and, where
    the organisation has one, another member of it; one goal, one assessment, one guardian and a
    written consent in force for a year covering the owner organisation for every purpose — for
    statistics in nine plans of ten (the indicators count only those; the consent pages and the
    referral rule read the rest). ``actions`` and ``reviews`` go round the plans in turn (held
    reviews, actions of the plan's goal by its contact person). ``analyze``: fresh planner
    statistics of the tables written (PostgreSQL), or the caller runs ANALYZE once after many
    calls. Returns the number of plans."""
    if memberships is None:
        memberships = list(
            OrganisationMembership.objects.filter(
                organisation__kind__in=PlanKeepingKind.objects.values("kind")
            ).order_by("pk")
        )
    if not memberships:
        raise ValueError("no members of plan-keeping organisations to own the plans")
    if plans <= 0:
        return 0
    today = timezone.localdate()
    T = (today - BIRTHS_FROM).days  # seed_date's n of today  # noqa: N806
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    M = len(memberships)  # noqa: N806
    child0, plan0, guardian0, consent0, goal0 = (_next_id(m) for m in (Child, ChildPlan, Guardian, Consent, Goal))
    json_object = "jsonb_build_object" if connection.vendor == "postgresql" else "json_object"

    def pick(k, modulus, salt):
        return _pick(k, modulus, salt, seed)

    with connection.cursor() as cursor:
        _make_tables(cursor, memberships, today, horizon=400)
        owner = f"JOIN seed_owner o ON o.n = g.k %% {M}"
        params = []
        _insert(cursor, "childplans_child", plans, {
            "id": f"{child0} + g.k", "created_at": "%s", "updated_at": "%s",
            "given_name": _choice("g.k", GIVEN, 0, seed, params),
            "family_name": _choice("g.k", FAMILY, 1, seed, params),
            "birth_date": "born.d", "personnummer": "''",
        }, f"JOIN seed_date born ON born.n = {pick('g.k', 365 * 15, 2)}", [now, now, *params])
        _insert(cursor, "childplans_childplan", plans, {
            "id": f"{plan0} + g.k", "created_at": "%s", "updated_at": "%s", "child_id": f"{child0} + g.k",
            "owner_organisation_id": "o.organisation_id", "status": "'active'",
            "contact_person_id": "o.user_id", "opened_by_id": "o.user_id", "opened_on": "opened.d",
            "reason": "%s", "version": "1", "closed_on": "NULL", "close_reason": "''",
        }, f"{owner} JOIN seed_date opened ON opened.n = {T} - {pick('g.k', 700, 3)}",
            [now, now, "Seedad plan för prestandamätning."])
        team = {"plan_id": f"{plan0} + g.k", "organisation_id": "o.organisation_id", "is_supporter": "FALSE",
                "added_at": "%s", "added_by_id": "NULL", "removed_at": "NULL", "removed_because": "''"}
        _insert(cursor, "childplans_teammember", plans, {**team, "user_id": "o.user_id", "part": "'Handläggare'"},
                owner, [now])
        _insert(cursor, "childplans_teammember", plans, {**team, "user_id": "c.user_id", "part": "''"},
                f"{owner} JOIN seed_colleague c ON c.owner = o.n AND c.j = (g.k / {M}) %% NULLIF(o.colleagues, 0)", [now])
        params = []
        _insert(cursor, "childplans_goal", plans, {
            "id": f"{goal0} + g.k", "plan_id": f"{plan0} + g.k", "area": _choice("g.k", Area.values, 4, seed, params),
            "description": "'Seedat mål'", "created_at": "%s",
        }, params=[*params, now])
        params = []
        areas = ", ".join(
            f"'{area}', {json_object}('need', {_choice('g.k', Need.values, 5 + i, seed, params)}, "
            "'seen', '', 'seen_by', '')"
            for i, area in enumerate(Area.values)
        )
        _insert(cursor, "childplans_assessment", plans, {
            "plan_id": f"{plan0} + g.k", "assessed_on": "assessed.d", "assessed_by_id": "o.user_id",
            "areas": f"{json_object}({areas})", "created_at": "%s",
        }, f"{owner} JOIN seed_date assessed ON assessed.n = {T} - {pick('g.k', 300, 13)}", [*params, now])
        _seed_consents(cursor, plans, pick, owner, now, T, ids=(child0, plan0, guardian0, consent0), seed=seed)
        params = []
        if actions > 0:
            _insert(cursor, "childplans_action", actions, {
                "plan_id": f"{plan0} + g.k %% {plans}", "goal_id": f"{goal0} + g.k %% {plans}",
                "what": "'Seedad insats ' || g.k", "responsible_organisation_id": "o.organisation_id",
                "responsible_person_id": "o.user_id", "starts_on": "starts.d", "due_on": "due.d",
                "status": _choice("g.k", Action.Status.values, 14, seed, params), "follow_up": "''",
                "created_at": "%s",
            }, f"JOIN seed_owner o ON o.n = (g.k %% {plans}) %% {M}"
               f" JOIN seed_date starts ON starts.n = {T} - {pick('g.k', 200, 15)}"
               f" JOIN seed_date due ON due.n = starts.n + 1 + {pick('g.k', 119, 16)}", [*params, now])
        params = []
        if reviews > 0:
            _insert(cursor, "childplans_review", reviews, {
                "plan_id": f"{plan0} + g.k %% {plans}", "date": "held.d", "status": "'held'",
                "participants": "'Seedad'", "decisions": "'Seedad'", "next_review_on": "NULL",
                "child_took_part": _choice("g.k", Review.ChildTookPart.values, 17, seed, params),
                "guardians_know_plan": f"{pick('g.k', 20, 18)} <> 0", "recorded_by_id": "NULL",
            }, f"JOIN seed_date held ON held.n = {T} - 1 - {pick('g.k', 399, 19)}", params)
        for sql in connection.ops.sequence_reset_sql(no_style(), [Child, ChildPlan, Guardian, Consent, Goal]):
            cursor.execute(sql)
        for table in TEMP_TABLES:
            cursor.execute(f"DROP TABLE {table}")
        if analyze and connection.vendor == "postgresql":
            # Fresh statistics, or the planner scans all actions for one plan's goals.
            for table in ("childplans_child", "childplans_childplan", "childplans_action", "childplans_review",
                          "childplans_teammember", "childplans_goal", "childplans_assessment",
                          "childplans_guardian", "childplans_consent", "childplans_consentorganisation"):
                cursor.execute(f"ANALYZE {table}")
    forget(INDICATORS_TABLE)  # a bulk write path of the indicators' counts (portal/kept.py)
    return plans


def _seed_consents(cursor, plans, pick, owner, now, T, ids, seed):  # noqa: N803
    """Plan k's guardian (of its child) and its written consent in force, given 1–299 days ago
    for a year, covering the owner organisation for every purpose but statistics in one plan
    of ten."""
    child0, plan0, guardian0, consent0 = ids
    params = []
    _insert(cursor, "childplans_guardian", plans, {
        "id": f"{guardian0} + g.k", "created_at": "%s", "updated_at": "%s", "child_id": f"{child0} + g.k",
        "name": f"'Vårdnadshavare ' || ({child0} + g.k)",
        "relation": _choice("g.k", Guardian.Relation.values, 9, seed, params), "has_custody": "TRUE",
        "contact": "''", "email": "''",
    }, params=[now, now, *params])
    _insert(cursor, "childplans_consent", plans, {
        "id": f"{consent0} + g.k", "plan_id": f"{plan0} + g.k", "guardian_id": f"{guardian0} + g.k",
        "given_on": "given.d", "valid_until": "until.d", "method": "'written'",
        "for_coordination": "TRUE", "for_sharing": "TRUE", "for_referral": "TRUE", "for_family": "TRUE",
        "for_statistics": f"{pick('g.k', 10, 10)} <> 0", "note": "''", "needs_confirmation": "FALSE",
        "supersedes_id": "NULL", "recorded_by_id": "o.user_id", "recorded_at": "%s", "withdrawn_on": "NULL",
        "withdrawn_note": "''", "withdrawn_by_id": "NULL",
    }, f"{owner} JOIN seed_date given ON given.n = {T} - 1 - {pick('g.k', 299, 11)}"
       " JOIN seed_date until ON until.n = given.n + 365", [now])
    _insert(cursor, "childplans_consentorganisation", plans, {
        "consent_id": f"{consent0} + g.k", "organisation_id": "o.organisation_id",
    }, owner)


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


