"""16 people writing at once to a SQLite file: the body of tests/portal/test_sqlite_concurrency.py.

Run in a process of its own, ``python -m tests.portal.sqlite_concurrency``, with
``DJANGO_SETTINGS_MODULE=portal.settings.test`` and ``DATABASE_URL=sqlite:///<a new file>``:
then this process's ``default`` database is that file, configured exactly as the settings
configure every SQLite database (``SQLITE_OPTIONS``: the embedded default's), and the real
services, views and middleware use it as they do in ``./portal.sh run``. (Inside pytest the
``default`` database is the suite's test database, PostgreSQL in CI or SQLite in memory, where
neither the journal nor file locks exist.)

The tables are created from the models (``migrate --run-syncdb`` with every app's migrations
switched off, as Django does for a test database with ``TEST["MIGRATE"] = False``): the
project's 20 migrations take 15-40 s of CPU here to replay, and on SQLite they create exactly
the models' tables, indexes and constraints (``makemigrations --check`` in CI keeps the two
equal); their PostgreSQL-only parts do nothing on SQLite, and their reference data (kommuner,
which organisation kinds keep plans) is created below as the suite's fixtures create it.

Then ``THREADS`` threads start together, each one person, and do ``ROUNDS`` times what people
do on a busy morning, each through the real code and in its own transaction(s):

- open their plan's page through Django's test client: the whole request (session, MFA check,
  ``PlanAccessMixin``: read, render, one audit row, in one transaction);
- answer a network meeting (``meetings.services.invitation_answer``: the answer, an outbox row,
  an audit row; the e-mail is sent at once, as the worker would, with its own writes);
- change their plan as the plan pages do: in one transaction read the plan through
  ``get_plan_for_user_or_404``, add a goal (``childplans.services.goal_add``) and write the
  audit row (``portal.audit.audit_record``);
- change the team in the same way: add a colleague (``team_add``) ...
- record an e-mail (``portal.outbox.outbox_add``), sent at once by the eager task;
- ... and remove the colleague again (``team_remove``).

Beside them a beat thread runs the outbox sweeper (``portal.tasks.outbox_sweep``) as fast as
it can. It prints one JSON line: what succeeded, every error, and the audit rows counted
against those expected."""

import json
import os
import sys
import threading
import time
import traceback
from datetime import date, timedelta

THREADS = int(os.environ.get("SQLITE_CONCURRENCY_THREADS", 16))
ROUNDS = int(os.environ.get("SQLITE_CONCURRENCY_ROUNDS", 1))
KINDS = ("page", "rsvp", "plan_change", "team_add", "outbox", "team_remove")


def create_tables():
    """The models' tables in the new file (see the module docstring)."""
    from django.apps import apps
    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import override_settings

    without_migrations = {app.label: None for app in apps.get_app_configs()}
    with override_settings(MIGRATION_MODULES={**settings.MIGRATION_MODULES, **without_migrations}):
        call_command("migrate", run_syncdb=True, verbosity=0, interactive=False)


def people():
    """A kommun's social services that keep plans, a school, a network and its meeting, and
    ``THREADS`` professionals: each on a plan's team (four plans, shared), invited to the
    meeting, with an authenticator; and for each a colleague at the school to add and remove."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.utils import timezone

    from childplans import services as plans
    from childplans.models import Consent, PlanKeepingKind
    from meetings import services as meetings
    from meetings.models import Invitation
    from networks.models import NetworkMembership, Organisation, OrganisationMembership
    from tests import factories as f

    PlanKeepingKind.objects.get_or_create(kind="kommun")
    social = f.OrganisationFactory(name="Växjö kommun", unit="Socialtjänsten", kind=Organisation.Kind.KOMMUN)
    school = f.OrganisationFactory(name="Fagrabäcksskolan", kind=Organisation.Kind.SKOLA)
    network = f.LocalNetworkFactory(name="Barnstödsnätverket i Växjö")

    def professional(organisation):
        user = f.UserFactory(first_name="Test", last_name="Person")  # named: no Faker to load
        OrganisationMembership.objects.create(user=user, organisation=organisation)
        return user

    coordinator = professional(social)
    f.MembershipFactory(network=network, organisation=social, user=coordinator, role=NetworkMembership.Role.COORDINATOR)
    contacts, plan_list = [], []
    for n in range((THREADS + 3) // 4):
        contact = professional(social)
        plan = plans.plan_open(
            by=contact, organisation=social, given_name=f"Barn{n}", family_name="Samtidigsson",
            birth_date=date(2015, 1, 1 + n), reason="Samtidiga användare.",
        )  # fmt: skip
        guardian = plans.guardian_add(plan=plan, by=contact, name=f"Vårdnadshavare {n}", relation="mamma",
                                      has_custody=True, contact="")  # fmt: skip
        plans.consent_record(
            plan=plan, by=contact, guardian=guardian, given_on=timezone.localdate(), method=Consent.Method.WRITTEN,
            purposes="Samordning.", organisations=[school],
        )  # fmt: skip
        contacts.append(contact)
        plan_list.append(plan)
    start = timezone.now() + timedelta(days=14)
    meeting = meetings.meeting_schedule(
        network=network, by=coordinator, title="Nätverksträff", starts_at=start, ends_at=start + timedelta(hours=2),
        place="Stadshuset", rsvp_deadline=(start - timedelta(days=5)).date(),
    )  # fmt: skip
    persons = []
    for i in range(THREADS):
        user = professional(social)
        TOTP.activate(user, generate_totp_secret())
        plan = plan_list[i % len(plan_list)]
        plans.team_add(plan=plan, by=contacts[i % len(plan_list)], user=user, organisation=social)
        f.MembershipFactory(network=network, organisation=social, user=user)
        persons.append({"user": user, "plan": plan, "colleague": professional(school), "school": school})
    meetings.meeting_invite(meeting=meeting, by=coordinator, user_ids=[p["user"].pk for p in persons])
    for p in persons:
        p["invitation"] = Invitation.objects.get(meeting=meeting, user=p["user"])
    return persons


class Results:
    """What the threads did: counts per kind and every error, under a lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.done = dict.fromkeys((*KINDS, "sweeps"), 0)
        self.errors = []

    def count(self, kind):
        with self.lock:
            self.done[kind] += 1

    def error(self, text):
        with self.lock:
            self.errors.append(text)


class Person(threading.Thread):
    def __init__(self, index, person, barrier, results):
        super().__init__(name=f"person-{index}")
        self.index, self.person, self.barrier, self.results = index, person, barrier, results

    def step(self, kind, action):
        try:
            action()
        except Exception as exc:  # noqa: BLE001 (every failure is the finding)
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            self.results.error(f"{kind}: {type(exc).__name__}: {exc} ({frame.filename}:{frame.lineno})")
        else:
            self.results.count(kind)

    def run(self):
        from django.db import connections, transaction
        from django.test import Client
        from django.urls import reverse

        from childplans import services as plans
        from childplans.access import get_plan_for_user_or_404
        from childplans.models import Area, TeamMember
        from meetings import services as meetings
        from portal.audit import audit_record
        from portal.models import AuditEvent
        from portal.outbox import outbox_add

        user, plan, colleague = self.person["user"], self.person["plan"], self.person["colleague"]
        client = Client(raise_request_exception=False)
        page = reverse("childplans:plan_detail", kwargs={"plan_pk": plan.pk})

        def open_page():
            response = client.get(page)
            if response.status_code != 200:
                raise AssertionError(f"GET {page} answered {response.status_code}")

        def answer(response):
            meetings.invitation_answer(invitation=self.person["invitation"], response=response, by=user)

        def change_plan(n):
            with transaction.atomic():  # as PlanAccessMixin: read the plan, change it, audit, one transaction
                current = get_plan_for_user_or_404(user, plan.pk)
                goal = plans.goal_add(plan=current, by=user, area=Area.TRYGG, description=f"Mål {self.index}.{n}")
                audit_record(action=AuditEvent.Action.CREATE, user=user, obj=goal, plan_id=current.pk,
                             child_id=current.child_id, event="concurrency.goal")  # fmt: skip

        def change_team(kind):
            with transaction.atomic():  # the same for the team page: read, change, audit
                current = get_plan_for_user_or_404(user, plan.pk)
                if kind == "team_add":
                    member = plans.team_add(plan=current, by=user, user=colleague, organisation=self.person["school"])
                    action = AuditEvent.Action.CREATE
                else:
                    member = TeamMember.objects.get(plan=current, user=colleague, removed_at__isnull=True)
                    plans.team_remove(plan=current, member=member, by=user)
                    action = AuditEvent.Action.DELETE
                audit_record(action=action, user=user, obj=member, plan_id=current.pk, child_id=current.child_id,
                             event=f"concurrency.{kind}")  # fmt: skip

        def record_email(n):
            outbox_add(kind="concurrency", recipient=user.email, object_key=f"concurrency:{self.index}", period=str(n),
                       subject="Ett meddelande", body_text="Se portalen.")  # fmt: skip

        try:
            self.barrier.wait(timeout=60)
            client.force_login(user)  # 16 people log in at once (a session row and a login audit row each)
            for n in range(ROUNDS):
                self.step("page", open_page)
                self.step("rsvp", lambda n=n: answer("yes" if n % 2 == 0 else "no"))
                self.step("plan_change", lambda n=n: change_plan(n))
                self.step("team_add", lambda: change_team("team_add"))
                self.step("outbox", lambda n=n: record_email(n))
                self.step("team_remove", lambda: change_team("team_remove"))
        except Exception as exc:  # noqa: BLE001
            self.results.error(f"{self.name}: {type(exc).__name__}: {exc}")
        finally:
            connections.close_all()


def sweep(stop, results):
    """Celery beat's outbox sweeper, again and again, beside the people."""
    from django.db import connections

    from portal.tasks import outbox_sweep

    try:
        while not stop.is_set():
            try:
                outbox_sweep()
                results.count("sweeps")
            except Exception as exc:  # noqa: BLE001
                results.error(f"sweep: {type(exc).__name__}: {exc}")
            time.sleep(0.01)
    finally:
        connections.close_all()


def main():
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from childplans.models import Goal
    from portal.models import AuditEvent, OutboundEmail

    started, cpu = time.monotonic(), time.process_time()
    create_tables()
    with connection.cursor() as cursor:
        journal_mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
    persons = people()
    audit_mark = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    connection.close()
    setup_seconds, setup_cpu = time.monotonic() - started, time.process_time() - cpu

    results = Results()
    barrier = threading.Barrier(THREADS)
    threads = [Person(i, p, barrier, results) for i, p in enumerate(persons)]
    stop = threading.Event()
    sweeper = threading.Thread(target=sweep, args=(stop, results), name="beat")
    started, cpu = time.monotonic(), time.process_time()
    sweeper.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    stop.set()
    sweeper.join(timeout=30)
    run_seconds, run_cpu = time.monotonic() - started, time.process_time() - cpu

    new = AuditEvent.objects.filter(pk__gt=audit_mark)
    audit = {
        "login": new.filter(action=AuditEvent.Action.LOGIN).count(),
        "page": new.filter(action=AuditEvent.Action.VIEW, plan_id__isnull=False).count(),
        "rsvp": new.filter(event="invitation.answered").count(),
        "plan_change": new.filter(event="concurrency.goal").count(),
        "team_add": new.filter(event="concurrency.team_add").count(),
        "team_remove": new.filter(event="concurrency.team_remove").count(),
        "total": new.count(),
    }
    print(json.dumps({
        "threads": THREADS,
        "rounds": ROUNDS,
        "still_running": [t.name for t in threads if t.is_alive()],
        "database": str(settings.DATABASES["default"]["NAME"]),
        "options": settings.DATABASES["default"]["OPTIONS"],
        "journal_mode": journal_mode,
        "done": results.done,
        "errors": results.errors,
        "audit": audit,
        "goals": Goal.objects.filter(description__startswith="Mål ").count(),
        "emails": {status: OutboundEmail.objects.filter(kind="concurrency", status=status).count()
                   for status in OutboundEmail.Status.values},
        "seconds": {"setup": round(setup_seconds, 2), "setup_cpu": round(setup_cpu, 2),
                    "run": round(run_seconds, 2), "run_cpu": round(run_cpu, 2)},
    }))  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
