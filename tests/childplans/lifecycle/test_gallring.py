"""Gallring (issue 19 part 3; docs/lifecycle.md, docs/security.md promise 22): the rule with a
moved clock, what keeps a plan, the run removing every model's rows for the plan (the models
derived from the graph, never listed here), the outbox rows, the receipt without personal
data, an idempotent rerun, a run that fails midway, and the pages' access."""

import json
import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client

from childplans import services
from childplans.lifecycle import gallring, policy
from childplans.lifecycle.gallring import NOT_CHILD_OUTBOX_KEYS, OUTBOX_KEYS
from childplans.lifecycle.graph import child_data_models
from childplans.lifecycle.models import GallringReceipt, LegalHold, OrganisationRetention
from childplans.lifecycle.services import hold_lift, hold_set
from childplans.models import Child, ChildPlan, ReasonCategory
from portal.models import AuditEvent, OutboundEmail
from portal.outbox import outbox_add

from ..conftest import (
    CHILD_FAMILY,
    CHILD_GIVEN,
    CHILD_PNR,
    GUARDIAN_NAME,
    SECRETS,
    person,
    reauthenticate,
)

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Europe/Stockholm")


def at(day):
    return time_machine.travel(datetime(day.year, day.month, day.day, 12, tzinfo=TZ), tick=False)


def closed_plan(contact, organisation, *, opened, closed, given="Ada", birth=date(2012, 3, 3), pnr="", categories=()):
    with at(opened):
        plan = services.plan_open(
            by=contact, organisation=organisation, given_name=given, family_name="Gallringsdotter", birth_date=birth,
            personnummer=pnr, reason="Oro.", categories=categories,
        )
    with at(closed):
        services.plan_close(plan=plan, by=contact, reason="Klart.")
    plan.refresh_from_db()
    return plan


# --- the rule -----------------------------------------------------------------------------------


def test_due_at_the_end_of_the_year_after_the_fifth_anniversary(contact, org_social):
    plan = closed_plan(contact, org_social, opened=date(2020, 3, 1), closed=date(2021, 6, 15))
    decision = policy.decision_for(plan.pk)
    assert decision.last_entry == date(2021, 6, 15)
    assert decision.due_on == date(2027, 12, 31)  # five years: 2026-06-15; at the latest the year after
    assert not decision.is_due(date(2027, 12, 30))
    assert decision.is_due(date(2027, 12, 31))
    assert [d.plan_id for d in policy.due_plans(date(2027, 12, 30))] == []
    assert [d.plan_id for d in policy.due_plans(date(2027, 12, 31))] == [plan.pk]
    # the run with the clock moved: the day before, nothing; on the day, the plan goes
    with at(date(2027, 12, 30)):
        assert gallring.run()["removed"] == 0
    assert ChildPlan.objects.filter(pk=plan.pk).exists()
    with at(date(2027, 12, 31)):
        assert gallring.run()["removed"] == 1
    assert not ChildPlan.objects.filter(pk=plan.pk).exists()


def test_the_anniversary_itself_without_the_following_year(settings, contact, org_social):
    settings.GALLRING_RULES = {"*": {"years": 5, "end_of_following_year": False, "source": "SoL 12:1"},
                               "kommun": {"years": 3, "end_of_following_year": False, "source": "lokal"}}
    plan = closed_plan(contact, org_social, opened=date(2020, 3, 1), closed=date(2021, 6, 15))
    decision = policy.decision_for(plan.pk)
    assert decision.rule.key == "kommun" and decision.due_on == date(2024, 6, 15)
    assert not decision.is_due(date(2024, 6, 14)) and decision.is_due(date(2024, 6, 15))


def test_the_last_entry_is_the_last_change(contact, org_social):
    plan = closed_plan(contact, org_social, opened=date(2020, 3, 1), closed=date(2021, 6, 15))
    with at(date(2022, 2, 1)):  # a change recorded after closing (e.g. a late correction)
        plan.changes.create(what="Rättelse")
    assert policy.decision_for(plan.pk).due_on == date(2028, 12, 31)


def test_an_open_plan_is_never_due(contact, org_social):
    with at(date(2010, 1, 1)):
        plan = services.plan_open(by=contact, organisation=org_social, given_name="Bo", family_name="B",
                                  birth_date=date(2009, 1, 1), reason="Oro.")
    decision = policy.decision_for(plan.pk)
    assert decision.kept == policy.OPEN and not decision.is_due(date(2040, 1, 1))


def test_a_legal_hold_stops_it_until_lifted(contact, org_social):
    plan = closed_plan(contact, org_social, opened=date(2020, 3, 1), closed=date(2021, 6, 15))
    hold_set(plan=plan, by=contact, reason_category=LegalHold.Reason.APPEAL, reason="Mål i förvaltningsrätten.")
    assert policy.decision_for(plan.pk).kept == policy.KEPT_HOLD
    assert gallring.run(date(2030, 1, 1))["removed"] == 0
    assert gallring.remove_plan(plan.pk, date(2030, 1, 1)) is None
    assert ChildPlan.objects.filter(pk=plan.pk).exists()
    hold_lift(plan=plan, by=contact, reason="Domen har vunnit laga kraft.")
    assert gallring.run(date(2030, 1, 1))["removed"] == 1


def test_kept_classes_and_the_research_sample(settings, contact, org_social):
    kept = ReasonCategory.objects.create(name="Bevaras enligt beslut")
    settings.GALLRING_KEPT_REASON_CATEGORIES = [kept.name]
    by_category = closed_plan(contact, org_social, opened=date(2020, 3, 1), closed=date(2020, 6, 1),
                              given="Kept", categories=[kept])
    born_15th = closed_plan(contact, org_social, opened=date(2020, 3, 1), closed=date(2020, 6, 1),
                            given="Femton", birth=date(2013, 5, 15))
    born_16th = closed_plan(contact, org_social, opened=date(2020, 3, 1), closed=date(2020, 6, 1),
                            given="Sexton", birth=date(2013, 5, 16))
    assert policy.decision_for(by_category.pk).kept == policy.KEPT_CATEGORY
    # the research sample only where the organisation follows that rule
    assert policy.decision_for(born_15th.pk).kept == ""
    OrganisationRetention.objects.create(organisation=org_social, research_sample=True)
    assert policy.decision_for(born_15th.pk).kept == policy.KEPT_RESEARCH
    assert policy.decision_for(born_16th.pk).kept == ""
    assert gallring.run(date(2030, 1, 1)) == {"removed": 1, "skipped": 0, "failed": 0}
    assert set(ChildPlan.objects.values_list("pk", flat=True)) >= {by_category.pk, born_15th.pk}
    assert not ChildPlan.objects.filter(pk=born_16th.pk).exists()


# --- the run ------------------------------------------------------------------------------------


def _rows_by_plan(plans):
    return {
        plan.pk: {e.label: e.rows_for(plan).count() for e in child_data_models() if e.root is ChildPlan}
        for plan in plans
    }


def test_the_run_removes_every_models_rows_of_the_plan_and_nothing_else(demo_plans):
    plans = list(ChildPlan.objects.select_related("child"))
    before = _rows_by_plan(plans)
    richest = max(plans, key=lambda p: sum(before[p.pk].values()))
    assert sum(1 for n in before[richest.pk].values() if n) >= 15, before[richest.pk]
    if not richest.is_closed:
        services.plan_close(plan=richest, by=richest.contact_person, reason="Klart.")
        richest.refresh_from_db()
    LegalHold.objects.filter(plan=richest).update(lifted_at=datetime(2026, 1, 1, tzinfo=TZ), lift_reason="x")
    before = _rows_by_plan(plans)
    # outbox rows that name the plan's rows (a review reminder, a team meeting's e-mail) …
    review = richest.reviews.first() if hasattr(richest, "reviews") else None
    keys = [f"review:{review.pk}"] if review else []
    keys += [f"teammeeting:{pk}" for pk in apps.get_model("teammeetings.TeamMeeting").objects.filter(
        plan=richest).values_list("pk", flat=True)]
    for key in keys:
        outbox_add(kind="plan_review_due", recipient="x@example.se", object_key=key, period="gallring-test")
    other_outbox = outbox_add(kind="network_invitation", recipient="y@example.se", object_key="invitation:1")
    audit_rows = AuditEvent.objects.filter(plan_id=richest.pk).count()
    child = richest.child
    other_plans_of_child = ChildPlan.objects.filter(child=child).exclude(pk=richest.pk).exists()
    names = {child.given_name, child.family_name, child.personnummer} - {""}
    names |= set(child.guardians.values_list("name", flat=True))

    receipt = gallring.remove_plan(richest.pk, date(2099, 1, 1))

    assert receipt is not None
    for entry in child_data_models():
        if entry.root is ChildPlan:
            assert entry.rows_for(richest).count() == 0, entry.label
    after = _rows_by_plan([p for p in plans if p.pk != richest.pk])
    assert after == {pk: rows for pk, rows in before.items() if pk != richest.pk}
    assert not OutboundEmail.objects.filter(object_key__in=keys).exists()
    assert OutboundEmail.objects.filter(pk=other_outbox.pk).exists()
    # the audit log keeps the plan's rows (its own retention), plus the removal's
    assert AuditEvent.objects.filter(plan_id=richest.pk).count() == audit_rows + 1
    assert AuditEvent.objects.filter(plan_id=richest.pk, event="gallring.plan_removed").exists()
    # the child goes with its last plan
    assert Child.objects.filter(pk=child.pk).exists() == other_plans_of_child
    # the receipt: rule, number, time, counts by model label — nothing about the child
    assert receipt.plan_number == richest.pk
    assert receipt.counts["childplans.ChildPlan"] == 1
    assert sum(receipt.counts.values()) >= sum(before[richest.pk].values())
    assert set(receipt.counts) <= {e.label for e in child_data_models()} | {"portal.OutboundEmail"}
    text = json.dumps([receipt.rule, receipt.plan_number, receipt.counts], ensure_ascii=False)
    for secret in names:
        assert secret not in text
    # rerun: nothing more to do, no second receipt
    assert gallring.run(date(2099, 1, 1))["failed"] == 0
    assert gallring.remove_plan(richest.pk, date(2099, 1, 1)) is None
    assert GallringReceipt.objects.filter(plan_number=richest.pk).count() == 1


def _fail_deleting(plan_id):
    """A real failure in the database: deleting this plan's row raises (a trigger)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION test_gallring_fail() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'disk gone'; END; $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER test_gallring_fail BEFORE DELETE ON childplans_childplan FOR EACH ROW "
                f"WHEN (OLD.id = {int(plan_id)}) EXECUTE FUNCTION test_gallring_fail()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER test_gallring_fail BEFORE DELETE ON childplans_childplan "
                f"WHEN OLD.id = {int(plan_id)} BEGIN SELECT RAISE(ABORT, 'disk gone'); END"
            )


def _heal():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER test_gallring_fail ON childplans_childplan")
            cursor.execute("DROP FUNCTION test_gallring_fail()")
        else:
            cursor.execute("DROP TRIGGER test_gallring_fail")


def test_a_run_failing_midway_leaves_each_plan_whole_or_gone_and_a_rerun_finishes(contact, org_social, guardian):
    plans = [
        closed_plan(contact, org_social, opened=date(2019, 1, 1), closed=date(2019, 2, 1), given=f"Barn{i}")
        for i in range(3)
    ]
    before = _rows_by_plan(plans)
    _fail_deleting(plans[1].pk)
    assert gallring.run(date(2030, 1, 1)) == {"removed": 2, "skipped": 0, "failed": 1}
    # the plan whose transaction failed is whole: every row of every model still there
    assert _rows_by_plan([plans[1]]) == {plans[1].pk: before[plans[1].pk]}
    assert not GallringReceipt.objects.filter(plan_number=plans[1].pk).exists()
    for gone in (plans[0], plans[2]):
        assert not any(_rows_by_plan([gone])[gone.pk].values())
        assert GallringReceipt.objects.filter(plan_number=gone.pk).exists()
    _heal()
    assert gallring.run(date(2030, 1, 1)) == {"removed": 1, "skipped": 0, "failed": 0}
    assert not any(_rows_by_plan([plans[1]])[plans[1].pk].values())
    assert gallring.run(date(2030, 1, 1)) == {"removed": 0, "skipped": 0, "failed": 0}
    assert GallringReceipt.objects.count() == 3


def test_every_outbox_key_in_the_code_is_known():
    """Every ``object_key=`` in the code is a prefix gallring removes (it names a child's row)
    or one it knows to be no child data; a new kind of key fails here until it is placed."""
    base = Path(django_settings.BASE_DIR)
    found = set()
    for path in base.rglob("*.py"):
        relative = path.relative_to(base)
        if relative.parts[0] in {".venv", "tests", "var", ".tools"} or "migrations" in relative.parts:
            continue
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r"""object_key=f?["']([a-z_]+):""", text))
        found |= set(re.findall(r"""return f["']([a-z_]+):\{meeting""", text))  # meeting_key()
    assert found, "the scan found no outbox key"
    assert found <= set(OUTBOX_KEYS) | NOT_CHILD_OUTBOX_KEYS, found - set(OUTBOX_KEYS) - NOT_CHILD_OUTBOX_KEYS
    labels = {e.label for e in child_data_models()}
    assert set(OUTBOX_KEYS.values()) <= labels


# --- the pages ----------------------------------------------------------------------------------


def test_the_hold_page_is_the_contact_persons_only(client, full_plan, contact, teacher, administrator):
    plan = full_plan["plan"]
    url = f"/planer/{plan.pk}/rattslig-sparr/"
    for outsider, status in ((teacher, 403), (administrator, 404)):  # the rest of the team; off the team
        other = Client()
        other.force_login(outsider)
        reauthenticate(other, outsider)
        assert other.get(url).status_code == status
        assert other.post(url, {"reason_category": "annat", "reason": "x"}).status_code == status
    assert not LegalHold.objects.exists()
    client.force_login(contact)
    page = client.get(url)
    assert page.status_code == 200
    assert "Planen är aktiv" in page.content.decode()
    # a POST needs a fresh re-authentication
    assert client.post(url, {"reason_category": "annat", "reason": "x"}).status_code == 302
    assert not LegalHold.objects.exists()
    reauthenticate(client, contact)
    answer = client.post(url, {"reason_category": "annat", "reason": ""})
    assert answer.status_code == 200 and not LegalHold.objects.exists()
    assert client.post(url, {"reason_category": "utredning", "reason": "Begäran från IVO"}).status_code == 302
    hold = LegalHold.objects.get()
    assert hold.in_force and hold.set_by == contact
    row = AuditEvent.objects.filter(plan_id=plan.pk).latest("pk")
    assert row.action == AuditEvent.Action.CREATE and row.object_type == "lifecycle.legalhold"
    assert client.post(url, {"reason": "Utredningen är klar"}).status_code == 302
    hold.refresh_from_db()
    assert not hold.in_force and hold.lifted_by == contact and hold.lift_reason == "Utredningen är klar"
    assert AuditEvent.objects.filter(plan_id=plan.pk).latest("pk").action == AuditEvent.Action.UPDATE


def test_the_forecast_is_for_administrators_only(client, contact, org_social, administrator):
    plan = closed_plan(contact, org_social, opened=date(2019, 1, 1), closed=date(2019, 2, 1), pnr=CHILD_PNR, birth=date(2015, 4, 12),
                       given=CHILD_GIVEN)
    for url in ("/gallring/", "/gallring/export.csv"):
        client.force_login(contact)
        assert client.get(url).status_code == 404
    client.force_login(administrator)
    page = client.get("/gallring/")
    assert page.status_code == 200
    body = page.content.decode()
    assert f"<td>{plan.pk}</td>" in body
    export = client.get("/gallring/export.csv").content.decode()
    assert f",{plan.pk}," in export
    for secret in (CHILD_GIVEN, CHILD_FAMILY, CHILD_PNR, GUARDIAN_NAME, *SECRETS):
        assert secret not in body and secret not in export


def test_a_twin_contact_person_gets_404_on_the_hold_page(full_plan, org_other):
    twin = person("kontakt@annan.se", org_other)
    with at(date(2024, 1, 1)):
        services.plan_open(by=twin, organisation=org_other, given_name="Vilgot", family_name="V",
                           birth_date=date(2016, 1, 1), reason="Oro.")
    c = Client()
    c.force_login(twin)
    assert c.get(f"/planer/{full_plan['plan'].pk}/rattslig-sparr/").status_code == 404


def test_the_demo_shows_a_closed_plans_gallring_date_and_a_held_plan(client, demo_plans):
    ella = ChildPlan.objects.get(child__given_name="Ella", child__family_name="Fiktivsson")
    decision = policy.decision_for(ella.pk)
    assert ella.is_closed and decision.due_on is not None and not decision.kept
    client.force_login(ella.contact_person)
    body = client.get(f"/planer/{ella.pk}/").content.decode()
    assert "Gallras" in body and f"december {decision.due_on.year}" in body
    assert LegalHold.objects.filter(plan__child__given_name="Alva", lifted_at__isnull=True).count() == 1


def test_the_nightly_tasks_are_scheduled_and_registered():
    from portal.celery import app

    app.loader.import_default_modules()
    schedule = django_settings.CELERY_BEAT_SCHEDULE
    for name in ("gallring-nightly", "audit-prune"):
        assert schedule[name]["task"] in app.tasks, name
    # the task runs the same run (eagerly in the tests): nothing due, nothing removed
    from childplans.lifecycle.tasks import gallring_nightly
    from portal.tasks import audit_prune

    assert gallring_nightly.delay().get() == {"removed": 0, "skipped": 0, "failed": 0}
    assert audit_prune.delay().get() == 0


def test_a_closed_plan_can_be_held_from_its_page_without_moving_its_date(client, contact, org_social):
    plan = closed_plan(contact, org_social, opened=date(2020, 3, 1), closed=date(2021, 6, 15))
    due = policy.decision_for(plan.pk).due_on
    changes = plan.changes.count()
    client.force_login(contact)
    reauthenticate(client, contact)
    url = f"/planer/{plan.pk}/rattslig-sparr/"
    assert "december 2027" in client.get(url).content.decode()
    assert client.post(url, {"reason_category": "overklagande", "reason": "Överklagat"}).status_code == 302
    assert policy.decision_for(plan.pk).kept == policy.KEPT_HOLD
    assert plan.changes.count() == changes  # no entry in the record: the date stays
    client.post(url, {"reason": "Avgjort"})
    assert policy.decision_for(plan.pk).due_on == due


def test_the_admin_shows_the_policy_read_only(client, administrator, org_social):
    client.force_login(administrator)
    page = client.get("/admin/lifecycle/organisationretention/add/")
    assert page.status_code == 200 and "SoL 2001:453 12 kap. 1 §" in page.content.decode()
    assert client.get("/admin/lifecycle/gallringreceipt/").status_code == 200
    assert client.get("/admin/lifecycle/gallringreceipt/add/").status_code == 403
