#!/usr/bin/env python
"""Benchmark the child-plan pages as docs/performance.md describes:
each page cold and warm in one run, beside the yardsticks (a script, not a test).

    .venv/bin/python tests/bench/bench_childplans.py               # county data
    .venv/bin/python tests/bench/bench_childplans.py --national    # then national data too

County: a PostgreSQL database (default postgres://postgres@127.0.0.1:5432/portal_bench_plans) is
created if missing, migrated and seeded: ``seed_bench --scale county`` (people, organisations,
networks of one län) and ``seed_childplans`` (5,000 plans, 50,000 actions, 20,000 reviews);
both are skipped when the data is already there.

The measured user is a seeded network coordinator who is the contact person of plans and
responsible for open actions (so the plan page, the dashboard with "Mina insatser" and the
indicators page all have something to show). The script gives that user a password and, if
missing, a TOTP authenticator through the ORM, and the measured plan a team meeting (barnteamets
möte, issue 12) called to its whole team with the agenda the plan suggests and a new action in
the minutes per open action of the plan (made through the ORM, so that no e-mail is recorded),
for the team meeting page and its minutes page. It also makes the user the receiver of their
organisation's referrals: ``childplans.referrals.seed`` adds 2,000 referrals from the seeded
plans to the län's organisations (a quarter to theirs: the inbox has pages) and tips for every
activity of the län, this term and the last, so the referral inbox and the flow of tips and
referrals of a network the user coordinates have something to list and count.

The pages are measured the way tests/bench/run_bench.py measures its own, with its helpers: two
gunicorns with ``portal.settings.bench`` on 127.0.0.1 (2 x cores + 1 sync workers each), the
*cold* one with ``BENCH_COLD=1`` (no kept HTML: every page rendered afresh), the *warm* one as
served (the indicators' table is kept, portal/kept.py). Before the servers start, the beat's
count of the indicators runs once (``childplans.indicators.count_figures``, timed and printed),
as a running portal's beat has done: the indicators page shows those figures. The user logs in over HTTP on each server
like a browser: allauth's login form, then its two-step form with the authenticator's current
code (a code is accepted once, so the second server waits for the next one); each real session
is copied into more sessions (same data, new keys) so that wrk's connections use different
session rows. Every request still passes the MFA middleware's database check and the team check
and writes its audit row.

Then ``wrk -t2 -c16 -d10s --latency`` round by round: the yardsticks ``/bench/plain`` and
``/bench/fortunes_auth`` (warm server), the plan page, the team meeting page, its minutes page,
the dashboard and the indicators page on both servers; 50 requests one at a time per page on the cold server for the p95; the queries per
request, cold and warm (Django's test client in this process, same database and session). Prints
medians, shares of fortunes_auth and PASS/MISS against the budgets: the plan page, the team
meeting page and the minutes page cold >= 20 % (no warm budget: child data is never kept), <= 10
queries, p95 <= 250 ms; the dashboard cold
>= 20 %, warm >= 30 %, <= 15 queries, p95 <= 250 ms; the indicators page as a list: cold >= 35 %,
warm >= 60 %, <= 10 queries, p95 <= 100 ms;
the referral inbox (50 rows) and the flow the same as lists (they keep no HTML: warm is served
as cold).

``--national`` then builds a second database (``..._national``): ``seed_bench --scale
national`` (21 län) and ~22 x the county's plans spread over every län (``--national-plans``,
default 110,000 with 10 actions and 4 reviews each, a guardian and a consent in force; no new
län is started after ``--seed-minutes``, 30 by default, and a rerun resumes), then 20 million
audit rows spread over two years (``--national-audit-rows``; SQL ``generate_series``,
``childplans.seed.seed_audit``; the county database gets 1 million, ``--county-audit-rows``),
and measures every page again for the same seeded person (same e-mail: the first län is seeded
identically), cold and warm, against its county figures (budget: >= 70 %, compared as shares of
/bench/fortunes_auth in each run so machine drift cancels), with the query counts side by side
(they must be the same) and the database's size and seeding time.

Load only ever goes to loopback and every run is bounded in time."""

import argparse
import os
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from run_bench import (  # noqa: E402  (one copy of the servers, wrk, counting and report helpers)
    RESULTS_DIR,
    Target,
    add_common_arguments,
    check_machine,
    compare_national,
    conditions,
    count_queries,
    ensure_database,
    load_average,
    log_in_everywhere,
    measure,
    post_form_patiently,
    queries_text,
    report,
    save,
    setup_django,
    start_servers,
    stop_servers,
    summary,
    yardsticks,
)

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/portal_bench_plans"
RUN_BENCH_DATABASES = ("portal_bench", "portal_bench_national")  # tests/bench/run_bench.py's
PASSWORD = "bench-planer-losenord-2025"
COUNTY = {"plans": 5000, "actions": 50000, "reviews": 20000}


# The pages measured on both databases (the yardsticks are always measured too).
PAGES = ("plan", "teammeeting", "minutes", "dashboard", "indicators", "indicators_lan", "inbox", "flow")


def access_log_timing(plan_pk, repeat=30):
    """The plan's access log (childplans.selectors.access_log_for), read in this process: the
    page asks for re-authentication, so it is not under wrk. Returns a line of text: rows, the
    first read, median and p95 of ``repeat`` more, and PostgreSQL's planning and execution."""
    import statistics

    from django.db import connection

    from childplans.models import ChildPlan
    from childplans.selectors import access_log_for

    plan = ChildPlan.objects.get(pk=plan_pk)
    started = time.perf_counter()
    rows = access_log_for(plan)
    first = (time.perf_counter() - started) * 1000
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        access_log_for(plan)
        times.append((time.perf_counter() - started) * 1000)
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN (ANALYZE, FORMAT JSON) SELECT at, user_label, organisation_label, action"
            " FROM portal_auditevent WHERE plan_id = %s AND action <> 'denied'"
            " ORDER BY at DESC, id DESC LIMIT 2000",
            [plan_pk],
        )
        explained = cursor.fetchone()[0][0]
    times.sort()
    return (
        f"the plan's access log: {len(rows)} rows; first {first:.1f} ms, median {statistics.median(times):.1f} ms, "
        f"p95 {times[int(len(times) * 0.95) - 1]:.1f} ms; PostgreSQL plans {explained['Planning Time']:.1f} ms, "
        f"executes {explained['Execution Time']:.1f} ms"
    )


def counts_text(counts):
    return ", ".join(f"{value:,} {name}" for name, value in counts.items())


# --- database and data -----------------------------------------------------------------------


def use_database(url):
    """Point this process's Django at ``url`` (set up on first use, switched afterwards)."""
    if not getattr(use_database, "done", False):
        setup_django(url)
        use_database.done = True
    os.environ["DATABASE_URL"] = url
    from django.conf import settings
    from django.db import connections

    connections.close_all()
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    settings.DATABASES["default"]["NAME"] = name
    connections["default"].settings_dict["NAME"] = name


def seed_county():
    from django.core.management import call_command

    from childplans.models import ChildPlan

    print("==> migrate")
    call_command("migrate", verbosity=0, interactive=False)
    print("==> seed_bench --scale county")
    call_command("seed_bench", scale="county")
    have = ChildPlan.objects.count()
    if have == 0:
        print("==> seed_childplans (5,000 plans, 50,000 actions, 20,000 reviews)")
        started = time.monotonic()
        call_command("seed_childplans", **COUNTY)
        analyze()
        print(f"    {time.monotonic() - started:.0f} s")
    else:
        print(f"    {have} plans already seeded; not seeding again")
        analyze()  # bulk-loaded tables need fresh statistics, or the planner picks seq scans


def seed_audit_rows(total):
    """Audit rows over two years up to ``total`` (childplans.seed.seed_audit; a rerun adds only
    what is missing). Returns (rows, seconds)."""
    from childplans.seed import seed_audit
    from portal.models import AuditEvent

    have = AuditEvent.objects.filter(user_label="seed").count()
    started = time.monotonic()
    if have < total:
        print(f"==> {total - have:,} audit rows over two years (generate_series)")
        seed_audit(total - have, stdout=sys.stdout)
    return AuditEvent.objects.count(), time.monotonic() - started


def count_indicator_figures():
    """The beat's count of the indicators (childplans.tasks.indicators_refresh), once, timed:
    what a running portal has done before anyone opens the page."""
    from childplans.indicators import count_figures

    started = time.monotonic()
    count_figures()
    ms = (time.monotonic() - started) * 1000
    print(f"==> the beat's count of the indicators: {ms:.0f} ms")
    return ms


def database_size():
    """The database's size and the audit log's (table, partitions and indexes), in MB."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        total = cursor.fetchone()[0]
        cursor.execute(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c"
            " WHERE c.relkind IN ('r', 'p') AND (c.relname = 'portal_auditevent'"
            " OR c.relname LIKE 'portal_auditevent\\_%%')"
        )
        audit = cursor.fetchone()[0]
    return round(total / 2**20), round(audit / 2**20)


def seed_national(total_plans, seconds):
    """seed_bench national, then plans spread over the län by their plan-keeping members, one
    transaction per län (a county's worth at a time). A län that already has plans is kept
    (so an interrupted or time-bounded seeding resumes); no new län is started after
    ``seconds``. Returns the number of plans."""
    from django.core.management import call_command
    from django.db.models import Count

    from childplans.models import ChildPlan, PlanKeepingKind
    from childplans.seed import seed_plans
    from networks.models import Lan, OrganisationMembership

    print("==> migrate")
    call_command("migrate", verbosity=0, interactive=False)
    print("==> seed_bench --scale national")
    started = time.monotonic()
    call_command("seed_bench", scale="national")
    print(f"    seed_bench: {time.monotonic() - started:.0f} s")
    keeping = OrganisationMembership.objects.filter(
        organisation__kind__in=PlanKeepingKind.objects.values("kind")
    ).order_by("pk")
    lans = list(Lan.objects.annotate(n=Count("kommuner")).values_list("pk", "code", "n"))
    lans.sort(key=lambda lan: (lan[1] != "06", lan[1]))  # Jönköping first, as seed_bench does
    others = sum(n for _pk, code, n in lans if code != "06")
    started = time.monotonic()
    for lan_pk, code, n in lans:
        if ChildPlan.objects.filter(owner_organisation__lan_id=lan_pk).exists():
            continue
        if time.monotonic() - started > seconds:
            print(f"    time bound ({seconds:.0f} s) reached: not seeding more län")
            break
        memberships = list(keeping.filter(organisation__lan_id=lan_pk))
        if not memberships:
            continue
        # Jönköpings län gets exactly the county's plans (so the measured person's dashboard
        # holds the same kind of data), the other län the rest in proportion to their kommuner.
        plans = (
            COUNTY["plans"]
            if code == "06"
            else max(1, round((total_plans - COUNTY["plans"]) * n / others))
        )
        seed_plans(
            plans=plans, actions=plans * 10, reviews=plans * 4, memberships=memberships, seed=4,
            analyze=False,  # once below, not after every län
        )
        print(
            f"    län {code}: {plans} plans ({time.monotonic() - started:.0f} s, {ChildPlan.objects.count()} in all)"
        )
    analyze()
    print(f"    plans: {time.monotonic() - started:.0f} s")
    return ChildPlan.objects.count()


def analyze():
    """Fresh planner statistics and the visibility map of the bulk-loaded tables set (a few
    seconds at national size), so that autovacuum does not go over millions of new rows while
    the pages are measured."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")


def choose_user():
    """A network coordinator of the first län who is the contact person of plans with open
    actions on them that they are responsible for: the one with the most such actions (ties:
    lowest e-mail). Returns (user, plan pk, TOTP secret); sets the password and the
    authenticator if missing."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from allauth.mfa.utils import decrypt
    from django.contrib.auth import get_user_model
    from django.db.models import Count, Q

    from childplans.models import Action, ChildPlan
    from networks.models import NetworkMembership

    User = get_user_model()
    coordinators = NetworkMembership.objects.filter(
        role=NetworkMembership.Role.COORDINATOR, network__lan__code="06"
    ).values("user_id")
    user = (
        User.objects.filter(pk__in=coordinators, email__endswith="@bench.example.se")
        .annotate(
            open_actions=Count(
                "plan_actions",
                filter=Q(plan_actions__status__in=Action.OPEN_STATUSES),
                distinct=True,
            )
        )
        .filter(open_actions__gt=0)
        .order_by("-open_actions", "email")
        .first()
    )
    if user is None:
        sys.exit("no seeded coordinator with open actions; seed first")
    plan = (
        ChildPlan.objects.filter(contact_person=user)
        .annotate(n=Count("actions", distinct=True))
        .order_by("-n", "pk")
        .first()
    )
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    auth = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if auth is None:
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
    else:
        secret = decrypt(auth.data["secret"])
    return user, plan.pk, secret


def ensure_team_meeting(user, plan_pk):
    """The measured plan's team meeting (made once, through the ORM: no e-mail is recorded):
    called to the whole team, in a week, with the agenda the plan suggests and, in its minutes,
    a new action per open action of the plan. Returns its pk."""
    from datetime import timedelta

    from django.utils import timezone

    from childplans.models import Action, ChildPlan, TeamMember
    from childplans.teammeetings.models import AgendaPoint, Invitee, MinutesAction, TeamMeeting
    from childplans.teammeetings.services import agenda_draft

    plan = ChildPlan.objects.get(pk=plan_pk)
    meeting = TeamMeeting.objects.filter(plan=plan, created_by=user).first()
    if meeting is not None:
        return meeting.pk
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=7)
    meeting = TeamMeeting.objects.create(
        plan=plan,
        starts_at=start,
        ends_at=start + timedelta(hours=1, minutes=30),
        place="Bench, rum 1",
        child_part="en_del",
        created_by=user,
        invitations_sent_at=timezone.now(),
    )
    team = list(TeamMember.objects.giving_access().filter(plan=plan).select_related("user"))
    Invitee.objects.bulk_create(
        Invitee(
            meeting=meeting,
            team_member=m,
            email=m.user.email.lower(),
            sent_at=meeting.invitations_sent_at,
            response="yes" if m.user_id == user.pk else "pending",
        )
        for m in team
    )
    AgendaPoint.objects.bulk_create(
        AgendaPoint(meeting=meeting, position=i, title=title[:300], source=source)
        for i, (source, title) in enumerate(
            agenda_draft(plan, day=timezone.localtime(start).date()), start=1
        )
    )
    MinutesAction.objects.bulk_create(
        MinutesAction(
            meeting=meeting,
            goal_id=a.goal_id,
            what=f"Ny insats efter: {a.what}"[:500],
            responsible_organisation_id=a.responsible_organisation_id,
            responsible_person_id=user.pk,
            due_on=a.due_on + timedelta(days=30),
        )
        for a in Action.objects.filter(plan=plan, status__in=Action.OPEN_STATUSES)
    )
    print(
        f"    team meeting {meeting.pk} on plan {plan_pk}: {len(team)} called, "
        f"{meeting.agenda.count()} agenda points, {meeting.minutes_actions.count()} actions in the minutes"
    )
    return meeting.pk


def referral_count():
    from childplans.referrals.models import Referral

    return Referral.objects.count()


def data_counts():
    from childplans.models import Action, ChildPlan, Review

    return {
        "plans": ChildPlan.objects.count(),
        "actions": Action.objects.count(),
        "reviews": Review.objects.count(),
    }


def seed_referrals_for(user):
    """The user receives their organisation's referrals; referrals and tips in their län (once).
    Returns (a network the user coordinates, the counts seeded now)."""
    from childplans.referrals.seed import seed_referrals
    from networks.models import NetworkMembership

    counts = seed_referrals(receiver=user)
    if counts["referrals"]:
        analyze()
    network = (
        NetworkMembership.objects.filter(user=user, role=NetworkMembership.Role.COORDINATOR)
        .order_by("network__kind", "network_id")  # a local network first
        .values_list("network_id", flat=True)
        .first()
    )
    return network, counts


def targets_for(plan_pk, meeting_pk=None, network_pk=None):
    from django.urls import reverse

    from childplans.models import ChildPlan

    # The indicators of the measured plan's län (?lan=): with one län (county) the same page as
    # without; in the country, its kommuner beside every län's totals.
    lan = ChildPlan.objects.filter(pk=plan_pk).values_list("owner_organisation__lan__code", flat=True).get()

    meeting_pages = [] if meeting_pk is None else [
        Target("teammeeting", "team meeting page", reverse("childplans:teammeeting_detail", args=[plan_pk, meeting_pk]),
               "plan", must_contain=b"called-heading"),
        Target("minutes", "team meeting minutes", reverse("childplans:teammeeting_minutes", args=[plan_pk, meeting_pk]),
               "plan", must_contain=b"actions-heading"),
    ]  # fmt: skip
    return [
        *yardsticks(),
        Target("plan", "plan page", reverse("childplans:plan_detail", args=[plan_pk]), "plan"),
        *meeting_pages,
        Target(
            "dashboard",
            "dashboard / with Mina insatser",
            reverse("dashboard"),
            "dashboard",
            must_contain=b"my-actions-heading",
        ),  # fmt: skip
        Target("indicators", "indicators", reverse("childplans:indicators"), "list"),
        Target("indicators_lan", "indicators, one län", reverse("childplans:indicators") + f"?lan={lan}", "list"),
        Target(
            "inbox",
            "referral inbox (50 rows)",
            reverse("childplans:referral_inbox"),
            "list",
            must_contain=b"/hanvisningar/",
        ),
        *(
            [
                Target(
                    "flow",
                    "flow of tips and referrals (network)",
                    reverse("childplans:flow_network", args=[network_pk]),
                    "list",
                    must_contain=b"<tfoot>",
                )
            ]
            if network_pk
            else []
        ),
    ]


# --- logging in ----------------------------------------------------------------------------------


_last_counter = {}  # user e-mail -> the TOTP time step whose code was last used


def login_with_totp(port, email, password, secret):
    """allauth's login form, then its two-step form with the current TOTP code; returns the
    session key. allauth accepts a code once, so a second login waits for the next time step."""
    from allauth.mfa import app_settings as mfa_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    jar = {}
    status, headers = post_form_patiently(
        port, "/konto/login/", jar, {"login": email, "password": password}
    )
    if status != 302 or not headers["location"].startswith("/konto/2fa/authenticate/"):
        raise RuntimeError(f"login: POST answered {status} -> {headers.get('location')}")
    period = mfa_settings.TOTP_PERIOD
    while True:
        counter, into = divmod(time.time(), period)
        if (
            counter != _last_counter.get(email) and period - into >= 3
        ):  # unused, still valid on arrival
            break
        time.sleep(period - into + 0.1)
    _last_counter[email] = counter
    code = format_hotp_value(hotp_value(secret, int(counter)))
    status, headers = post_form_patiently(port, "/konto/2fa/authenticate/", jar, {"code": code})
    if status != 302 or headers["location"] != "/":
        raise RuntimeError(f"two-step login: POST answered {status} -> {headers.get('location')}")
    return jar["sessionid"]


# --- measuring ------------------------------------------------------------------------------------


def run(url, plan_pk, email, secret, args, keys, log_name, meeting_pk=None, network_pk=None):
    """Serve ``url`` with the cold and the warm gunicorn and measure the targets in ``keys``."""
    targets = [
        t for t in targets_for(plan_pk, meeting_pk, network_pk) if t.yardstick or t.key in keys
    ]
    servers = start_servers(url, args.workers, log_name)
    try:
        log_in_everywhere(
            servers, args.sessions, lambda port: login_with_totp(port, email, PASSWORD, secret)
        )
        measure(targets, servers, args)
    finally:
        stop_servers(servers)
    print(
        "==> queries per page (Django test client in this process, same database and session; cold and warm)"
    )
    count_queries(targets, servers["warm"].session_keys[0])
    return targets


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_PLANS_DATABASE_URL", DEFAULT_DB),
        help=f"PostgreSQL URL (default $BENCH_PLANS_DATABASE_URL or {DEFAULT_DB}; _national appended for --national)",
    )  # fmt: skip
    parser.add_argument(
        "--national", action="store_true", help="then national data: every page again"
    )
    parser.add_argument("--national-plans", type=int, default=22 * COUNTY["plans"])
    parser.add_argument(
        "--county-audit-rows", type=int, default=1_000_000,
        help="audit rows in the county database (default 1,000,000: 200 per plan over two years)",
    )
    parser.add_argument(
        "--national-audit-rows", type=int, default=20_000_000,
        help="audit rows in the national database (default 20,000,000)",
    )
    parser.add_argument(
        "--seed-minutes",
        type=float,
        default=30,
        help="start no new län after this (a rerun resumes)",
    )
    parser.add_argument("--seed-only", action="store_true", help="seed the database(s), measure nothing")
    add_common_arguments(parser, sequential_default=50)
    args = parser.parse_args()
    load_before = check_machine()

    url = args.database_url
    print(f"==> database {url}")
    ensure_database(url, args.fresh, reserved=RUN_BENCH_DATABASES)
    use_database(url)
    seed_county()
    counts = data_counts()
    counts["audit rows"], _seconds = seed_audit_rows(args.county_audit_rows)
    counts["database MB"], counts["audit MB"] = database_size()
    user, plan_pk, secret = choose_user()
    meeting_pk = ensure_team_meeting(user, plan_pk)
    email = user.email
    network_pk, seeded = seed_referrals_for(user)
    if seeded["referrals"]:
        print(f"==> seeded {seeded['referrals']} referrals and {seeded['tips']} tip counts")
    counts.update(referrals=referral_count())
    count_indicator_figures()
    from django.db import connections

    connections.close_all()
    if args.seed_only:
        print(f"==> county database seeded: {counts_text(counts)}")
    else:
        county = run(
            url,
            plan_pk,
            email,
            secret,
            args,
            PAGES,
            "gunicorn-childplans",
            meeting_pk=meeting_pk,
            network_pk=network_pk,
        )
        report(
            county,
            f"Child plans, county data ({counts_text(counts)}), user {email}, plan {plan_pk}, team meeting {meeting_pk}, network {network_pk}; "
            f"{conditions(args, args.workers)}; load average before/after {load_before} / {load_average()}",
        )
        print("  county " + access_log_timing(plan_pk))
        save(RESULTS_DIR / "results-childplans.json", county, scale="county", counts=counts, user=email,
             plan=plan_pk, conditions=conditions(args, args.workers))  # fmt: skip

    if args.national:
        national_url = url + "_national"
        print(f"==> national database {national_url}")
        ensure_database(national_url, args.fresh, reserved=RUN_BENCH_DATABASES)
        use_database(national_url)
        started = time.monotonic()
        seed_national(args.national_plans, args.seed_minutes * 60)
        seconds = time.monotonic() - started
        ncounts = data_counts()
        ncounts["audit rows"], audit_seconds = seed_audit_rows(args.national_audit_rows)
        analyze()
        seconds += audit_seconds
        ncounts["database MB"], ncounts["audit MB"] = database_size()
        nuser, nplan_pk, nsecret = choose_user()
        if nuser.email != email:
            print(f"!!  the measured person differs: {nuser.email} (county: {email})")
        nmeeting_pk = ensure_team_meeting(nuser, nplan_pk)
        nnetwork_pk, _seeded = seed_referrals_for(nuser)
        ncounts.update(referrals=referral_count())
        count_indicator_figures()
        connections.close_all()
        if args.seed_only:
            print(f"==> national database seeded in {seconds:.0f} s (audit rows {audit_seconds:.0f} s): {counts_text(ncounts)}")
            return
        load_before = load_average()
        national = run(
            national_url,
            nplan_pk,
            nuser.email,
            nsecret,
            args,
            PAGES,
            "gunicorn-childplans-national",
            meeting_pk=nmeeting_pk,
            network_pk=nnetwork_pk,
        )
        report(
            national,
            f"Child plans, national data ({counts_text(ncounts)}; seeding took {seconds:.0f} s, audit rows "
            f"{audit_seconds:.0f} s of it), user {nuser.email}; "
            f"{conditions(args, args.workers)}; load average before/after {load_before} / {load_average()}",
        )
        broken = [t.label for t in [*county, *national] if t.key in ("plain", "fortunes_auth", *PAGES)
                  and (not t.ok() or t.errors_under_load())]  # fmt: skip
        if broken:
            print(
                f"!!  the comparison is unreliable: non-200 answers or errors on {', '.join(broken)}"
            )
        compare_national(national, summary(county), budget_keys=PAGES)
        print("  national " + access_log_timing(nplan_pk))
        by_key = {t.key: t for t in county}
        for t in national:
            if t.key in PAGES and t.key in by_key:
                print(f"  {t.label:34} queries {queries_text(by_key[t.key])} (county) vs {queries_text(t)} (national)")
        save(RESULTS_DIR / "results-childplans-national.json", national, scale="national", counts=ncounts,
             user=nuser.email, plan=nplan_pk, seeding_seconds=seconds,
             conditions=conditions(args, args.workers))  # fmt: skip


if __name__ == "__main__":
    main()
