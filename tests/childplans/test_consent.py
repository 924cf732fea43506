"""Consent limited in time and purpose (issue 19 part 1; docs/security.md promise 21): the form's
bounds and purposes, access on the last day and the day after (a moved clock), the purposes a
function needs, the reminders once each, renewal with its history, and the migration that carried
the consents recorded before forward."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from childplans import selectors, services, tasks
from childplans.models import ChildPlan, Consent, ConsentPurpose, PlanChange
from portal.models import AuditEvent, OutboundEmail
from portal.outbox import build_message
from portal.validators import add_months

from .conftest import SECRETS, reauthenticate

pytestmark = pytest.mark.django_db


def travel_to(day, hour=12):
    """The clock at ``hour`` o'clock Swedish time on ``day`` (time-machine, ticking)."""
    moment = timezone.make_aware(timezone.datetime(day.year, day.month, day.day, hour))
    return time_machine.travel(moment, tick=True)


def record(plan, contact, guardian, organisations, *, days=None, purposes=("coordination",), given_on=None):
    given_on = given_on or timezone.localdate()
    return services.consent_record(
        plan=plan, by=contact, guardian=guardian, given_on=given_on, method=Consent.Method.WRITTEN,
        purposes=purposes, organisations=organisations,
        valid_until=None if days is None else given_on + timedelta(days=days),
    )


# --- the form --------------------------------------------------------------------------------------


def consent_post(client, plan, data):
    return client.post(reverse("childplans:consents", kwargs={"plan_pk": plan.pk}), data)


@pytest.fixture
def consent_form(client, full_plan, contact, guardian, org_other):
    client.force_login(contact)
    reauthenticate(client, contact)
    today = timezone.localdate()
    base = {"guardian": guardian.pk, "given_on": today.isoformat(), "method": "written",
            "organisations": [org_other.pk], "purposes": ["coordination", "statistics"],
            "valid_until": (today + timedelta(days=100)).isoformat(), "note": "Samordning."}
    return full_plan["plan"], base


def test_the_form_proposes_one_year(client, consent_form):
    plan, _base = consent_form
    page = client.get(reverse("childplans:consents", kwargs={"plan_pk": plan.pk})).content.decode()
    assert add_months(timezone.localdate(), 12).isoformat() in page
    for purpose in ConsentPurpose:
        assert str(purpose.label) in page


@pytest.mark.parametrize("change, field, message", [
    ({"valid_until": "2000-01-01"}, "valid_until", "Datumet kan inte ligga före"),
    ({"given_on": "{today-10}", "valid_until": "{today-11}"}, "valid_until", "före den dag det lämnades"),
    ({"given_on": "{today-10}", "valid_until": "{today-1}"}, "valid_until", "Slutdatumet har redan passerat"),
    ({"valid_until": "{today+800}"}, "valid_until", "högst 24 månader"),
    ({"purposes": []}, "purposes", "Välj minst ett ändamål"),
    ({"purposes": ["forever"]}, "purposes", "Välj ett giltigt alternativ"),
    ({"valid_until": ""}, "valid_until", "Detta fält måste fyllas i"),
])
def test_the_form_refuses_out_of_bounds(client, consent_form, change, field, message):
    plan, base = consent_form
    today = timezone.localdate()
    for key, value in change.items():
        if isinstance(value, str) and value.startswith("{today"):
            change[key] = (today + timedelta(days=int(value[6:-1]))).isoformat()
    count, changes = Consent.objects.count(), PlanChange.objects.count()
    response = consent_post(client, plan, {**base, **change})
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    assert message in " ".join(response.context["form"].errors[field])
    assert Consent.objects.count() == count and PlanChange.objects.count() == changes


def test_the_form_records_purposes_and_end(client, consent_form, org_other):
    plan, base = consent_form
    response = consent_post(client, plan, base)
    assert response.status_code == 302
    consent = Consent.objects.filter(plan=plan).order_by("-pk").first()
    assert consent.purposes == [ConsentPurpose.COORDINATION, ConsentPurpose.STATISTICS]
    assert consent.valid_until == timezone.localdate() + timedelta(days=100)
    assert consent.note == "Samordning." and not consent.needs_confirmation
    assert AuditEvent.objects.latest("pk").action == AuditEvent.Action.CREATE


def test_the_services_default_end_and_legacy_free_text(full_plan, contact, guardian, org_other):
    """``consent_record``'s callers from before: free text becomes the note, the purposes the old
    consent meant; the end is one year on."""
    consent = services.consent_record(
        plan=full_plan["plan"], by=contact, guardian=guardian, given_on=timezone.localdate(),
        method=Consent.Method.VERBAL, purposes="Fritid.", organisations=[org_other], allows_referral=True,
    )
    assert consent.note == "Fritid."
    assert set(consent.purposes) == {ConsentPurpose.COORDINATION, ConsentPurpose.SHARING, ConsentPurpose.FAMILY,
                                     ConsentPurpose.REFERRAL}
    assert consent.valid_until == add_months(timezone.localdate(), 12)


# --- access follows the consent's dates, at request time ----------------------------------------------


@pytest.fixture
def ending(full_plan, contact, guardian, org_school):
    """The school's consent now ends in ten days: its teacher's access rests on it alone."""
    Consent.objects.filter(pk=full_plan["consent"].pk).update(valid_until=timezone.localdate() + timedelta(days=10))
    return timezone.localdate() + timedelta(days=10)


def test_access_on_the_last_day_and_not_the_day_after(client, full_plan, teacher, ending):
    plan = full_plan["plan"]
    url = reverse("childplans:plan_detail", kwargs={"plan_pk": plan.pk})
    with travel_to(ending, hour=23):
        client.force_login(teacher)
        assert client.get(url).status_code == 200
        assert ChildPlan.objects.visible_to(teacher).filter(pk=plan.pk).exists()
    with travel_to(ending + timedelta(days=1), hour=0):
        client.force_login(teacher)
        before = AuditEvent.objects.count()
        plan_rows = list(ChildPlan.objects.filter(pk=plan.pk).values_list())
        response = client.get(url)
        assert response.status_code == 404
        for secret in SECRETS:
            assert secret not in response.content.decode()
        new = list(AuditEvent.objects.order_by("pk")[before:])
        assert [e.action for e in new] == [AuditEvent.Action.DENIED]
        assert new[0].plan_id == plan.pk and new[0].user_id == teacher.pk
        assert list(ChildPlan.objects.filter(pk=plan.pk).values_list()) == plan_rows
        assert not ChildPlan.objects.visible_to(teacher).filter(pk=plan.pk).exists()
        # The owning organisation needs no consent.
        assert ChildPlan.objects.visible_to(plan.contact_person).filter(pk=plan.pk).exists()


def test_nothing_about_validity_is_cached(full_plan, teacher, ending):
    """The same process, the same queryset code: the answer changes with the date alone."""
    plan = full_plan["plan"]
    with travel_to(ending):
        assert ChildPlan.objects.visible_to(teacher).filter(pk=plan.pk).exists()
    with travel_to(ending + timedelta(days=1)):
        assert not ChildPlan.objects.visible_to(teacher).filter(pk=plan.pk).exists()
    with travel_to(ending):
        assert ChildPlan.objects.visible_to(teacher).filter(pk=plan.pk).exists()


def test_a_consent_given_later_is_not_in_force_before(full_plan, contact, guardian, org_other):
    consent = record(full_plan["plan"], contact, guardian, [org_other], days=30)
    with travel_to(consent.given_on - timedelta(days=1)):
        assert not Consent.objects.in_force().filter(pk=consent.pk).exists()
    assert Consent.objects.in_force().filter(pk=consent.pk).exists()


# --- purposes ---------------------------------------------------------------------------------------


def test_inviting_the_family_needs_the_family_purpose(full_plan, contact, guardian):
    from childplans.teammeetings.models import TeamMeeting
    from tests.childplans.teammeetings.helpers import call

    plan = full_plan["plan"]
    Consent.objects.filter(plan=plan).update(for_family=False)
    count = TeamMeeting.objects.count()
    with pytest.raises(ValidationError) as exc:
        call(plan, contact, guardians=[guardian])
    assert "bjuda in familjen" in " ".join(exc.value.message_dict["guardians"])
    assert TeamMeeting.objects.count() == count
    call(plan, contact)  # the team alone needs no family purpose
    Consent.objects.filter(plan=plan).update(for_family=True)
    call(plan, contact, guardians=[guardian])


def test_the_indicators_count_only_plans_consented_for_statistics(
    client, full_plan, contact, guardian, org_social, coordinator_with_mfa,
):
    plans = [full_plan["plan"]]
    for i in range(5):
        plans.append(services.plan_open(by=contact, organisation=org_social, given_name=f"Barn{i}",
                                        family_name="Statistiksson", birth_date=timezone.localdate() - timedelta(days=3000),
                                        reason="Oro.", part="Handläggare"))
    # Five plans consented for statistics, one (the full plan, consent without statistics) not.
    for p in plans[1:]:
        g = services.guardian_add(plan=p, by=contact, name="Vh", relation="mamma", has_custody=True)
        record(p, contact, g, [full_plan["member"].organisation], purposes=["statistics"])
    groups = selectors.indicators()
    assert groups[0].total.plans == 5
    assert selectors.indicators_left_out() == 1
    client.force_login(coordinator_with_mfa)
    page = client.get(reverse("childplans:indicators")).content.decode()
    assert "1 aktiv plan räknas inte" in page


# --- reminders -----------------------------------------------------------------------------------------


def test_reminders_once_at_30_and_7_days(full_plan, contact, django_capture_on_commit_callbacks):
    consent = full_plan["consent"]
    end = timezone.localdate() + timedelta(days=60)
    Consent.objects.filter(pk=consent.pk).update(valid_until=end)

    def rows():
        return list(OutboundEmail.objects.filter(kind=tasks.KIND_CONSENT_ENDING).order_by("pk")
                    .values_list("recipient", "object_key", "period"))

    with travel_to(end - timedelta(days=31)):
        assert tasks.consent_reminders_run() == 0
    with travel_to(end - timedelta(days=30)):
        assert tasks.consent_reminders_run() == 1
        assert tasks.consent_reminders_run() == 0  # a second run, or a restarted worker
    with travel_to(end - timedelta(days=20)):
        assert tasks.consent_reminders_run() == 0
    with travel_to(end - timedelta(days=7)):
        assert tasks.consent_reminders() == 1  # the Celery task itself
        assert tasks.consent_reminders() == 0
    with travel_to(end):
        assert tasks.consent_reminders_run() == 0
    key = f"consent:{consent.pk}"
    assert rows() == [(contact.email, key, "30d"), (contact.email, key, "7d")]
    with travel_to(end - timedelta(days=7)):
        message = build_message(OutboundEmail.objects.filter(kind=tasks.KIND_CONSENT_ENDING).last())
    text = "\n".join([message.subject, message.body, *[c for c, _m in message.alternatives]])
    assert f"plan {full_plan['plan'].pk}" in text and end.isoformat() in text
    assert reverse("childplans:consents", kwargs={"plan_pk": full_plan["plan"].pk}) in text
    for secret in SECRETS:
        assert secret not in text
    assert not mail.outbox or all(secret not in m.body for m in mail.outbox for secret in SECRETS)


def test_no_reminder_after_renewal(full_plan, contact):
    consent = full_plan["consent"]
    Consent.objects.filter(pk=consent.pk).update(valid_until=timezone.localdate() + timedelta(days=20))
    consent.refresh_from_db()
    services.consent_renew(plan=full_plan["plan"], by=contact, consent=consent, given_on=timezone.localdate(),
                           method=Consent.Method.WRITTEN)
    assert tasks.consent_reminders_run() == 0


def test_beat_runs_the_reminders_hourly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["consent-reminders"]
    assert entry == {"task": "childplans.tasks.consent_reminders", "schedule": 3600.0}


def test_ending_soon_is_shown(client, full_plan, contact):
    consent = full_plan["consent"]
    Consent.objects.filter(pk=consent.pk).update(valid_until=timezone.localdate() + timedelta(days=20))
    client.force_login(contact)
    page = client.get(reverse("childplans:plan_detail", kwargs={"plan_pk": full_plan["plan"].pk})).content.decode()
    assert "Ett samtycke upphör efter" in page
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert f"Ett samtycke i plan {full_plan['plan'].pk} upphör efter" in dashboard
    assert reverse("childplans:consents", kwargs={"plan_pk": full_plan["plan"].pk}) in dashboard


# --- renewal --------------------------------------------------------------------------------------------


def test_renewal_supersedes_and_keeps_the_history(client, full_plan, contact, teacher):
    plan, old = full_plan["plan"], full_plan["consent"]
    client.force_login(contact)
    url = reverse("childplans:consent_renew", kwargs={"plan_pk": plan.pk, "consent_pk": old.pk})
    data = {"given_on": timezone.localdate().isoformat(), "method": "verbal",
            "valid_until": (timezone.localdate() + timedelta(days=200)).isoformat(),
            "purposes": ["coordination", "sharing"], "note": "Förnyat vid möte."}
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_reauthenticate"))
    assert Consent.objects.filter(plan=plan).count() == 1
    reauthenticate(client, contact)
    assert client.get(url).status_code == 200
    response = client.post(url, data)
    assert response.status_code == 302
    new = Consent.objects.get(supersedes=old)
    assert list(new.organisations.all()) == list(old.organisations.all()) and new.guardian_id == old.guardian_id
    assert set(Consent.objects.in_force().filter(plan=plan)) == {new}
    assert ChildPlan.objects.visible_to(teacher).filter(pk=plan.pk).exists()
    assert PlanChange.objects.filter(plan=plan, what="Samtycke förnyat").exists()
    assert AuditEvent.objects.latest("pk").action == AuditEvent.Action.CREATE
    page = client.get(reverse("childplans:consents", kwargs={"plan_pk": plan.pk})).content.decode()
    assert "Förnyat " in page and "Förnyat vid möte." in page  # both versions are shown
    history = client.get(reverse("childplans:history", kwargs={"plan_pk": plan.pk})).content.decode()
    assert "Samtycke förnyat" in history
    # The old one cannot be renewed again, nor withdrawn (withdraw the new one).
    with pytest.raises(ValidationError):
        services.consent_renew(plan=plan, by=contact, consent=old, given_on=timezone.localdate(), method="written")
    with pytest.raises(ValidationError):
        services.consent_withdraw(plan=plan, consent=old, by=contact, withdrawn_on=timezone.localdate())


def test_renewing_an_ended_consent_restores_access(full_plan, contact, teacher, ending):
    plan, old = full_plan["plan"], full_plan["consent"]
    old.refresh_from_db()
    with travel_to(ending + timedelta(days=3)):
        assert not ChildPlan.objects.visible_to(teacher).filter(pk=plan.pk).exists()
        services.consent_renew(plan=plan, by=contact, consent=old, given_on=timezone.localdate(),
                               method=Consent.Method.WRITTEN)
        assert ChildPlan.objects.visible_to(teacher).filter(pk=plan.pk).exists()


# --- the migration ---------------------------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="migrates inside the test's transaction (PostgreSQL)")
def test_the_migration_carries_consents_forward():
    """Rows made at the state before 0007 (free-text purposes, allows_referral) are carried
    forward by the migration itself (Django's executor, back to 0006 and forward again, inside
    the test's transaction): purposes mapped, valid until given_on + 12 months, or kept 30 days
    and flagged for the contact person."""
    before, after = [("childplans", "0006_bounded_dates_and_texts")], [("childplans", "0007_consent_time_and_purpose")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = MigrationExecutor(connection).loader.project_state(before).apps
    today = timezone.localdate()
    lan = old.get_model("networks", "Lan").objects.first()
    org = old.get_model("networks", "Organisation").objects.create(name="Socialtjänsten", kind="kommun", lan=lan)
    # portal is not migrated back: its table has today's columns, so the user is made as today
    user_id = get_user_model().objects.create(email="m@example.se").pk
    child = old.get_model("childplans", "Child").objects.create(given_name="A", family_name="B",
                                                                birth_date=today - timedelta(days=3000))
    guardian = old.get_model("childplans", "Guardian").objects.create(child=child, name="G", has_custody=True)
    plan = old.get_model("childplans", "ChildPlan").objects.create(
        child=child, owner_organisation=org, contact_person_id=user_id, opened_by_id=user_id, reason="r")
    OldConsent = old.get_model("childplans", "Consent")

    def make(given_on, **extra):
        return OldConsent.objects.create(plan=plan, guardian=guardian, given_on=given_on, method="written",
                                         purposes="Samordning.", recorded_by_id=user_id, **extra).pk

    recent = make(today - timedelta(days=30), allows_referral=True)
    old_one = make(today - timedelta(days=400))
    withdrawn = make(today - timedelta(days=400), withdrawn_on=today - timedelta(days=300))
    connection.check_constraints()  # the deferred checks now, so the tables may be altered
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = MigrationExecutor(connection).loader.project_state(after).apps.get_model("childplans", "Consent")
    rows = {c.pk: c for c in new.objects.filter(plan_id=plan.pk)}
    r = rows[recent]
    assert (r.for_coordination, r.for_sharing, r.for_family, r.for_referral, r.for_statistics) == (
        True, True, True, True, False)
    assert r.note == "Samordning." and r.valid_until == add_months(r.given_on, 12) and not r.needs_confirmation
    o = rows[old_one]
    assert not o.for_referral and o.valid_until == today + timedelta(days=30) and o.needs_confirmation
    w = rows[withdrawn]
    assert w.valid_until == add_months(w.given_on, 12) and not w.needs_confirmation
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
