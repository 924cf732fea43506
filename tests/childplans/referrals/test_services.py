"""The referral rules (docs/security.md promise 14): consent covering the organisation and
referral, a receiver to send to, a state machine answered exactly once (two answers racing on
PostgreSQL end in one state), withdrawal closing the referral at once, and what every change
leaves on the plan."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection
from django.utils import timezone

from childplans import services as plan_services
from childplans.models import Action, ChronologyEntry, Consent, PlanChange
from childplans.referrals import services
from childplans.referrals.models import Referral, ReferralEvent
from networks.models import ReferralReceiver
from portal.models import OutboundEmail

from .conftest import HELP_WANTED, send

pytestmark = pytest.mark.django_db
Status = Referral.Status


def test_sending_shares_only_what_it_says_and_tells_the_receivers(referral, receiver, full_plan):
    assert referral.status == Status.SENT
    assert referral.first_name == "Tindra" and referral.age is not None
    assert referral.help_wanted == HELP_WANTED
    rows = OutboundEmail.objects.filter(kind="referral_received")
    assert [r.recipient for r in rows] == [receiver.email]
    assert ChronologyEntry.objects.filter(plan=full_plan["plan"], event__startswith="Hänvisad till").count() == 1
    follow = Action.objects.get(pk=referral.follow_action_id)
    assert follow.responsible_person_id == referral.referred_by_id and follow.is_open


def test_the_referrer_chooses_what_is_shared(full_plan, contact, church, receiver, referral_consent):
    referral = send(full_plan["plan"], contact, church, share_first_name=False, share_age=False)
    assert referral.first_name == "" and referral.age is None


def test_no_consent_for_the_organisation_no_referral(full_plan, contact, org_other, receiver):
    ReferralReceiver.objects.create(organisation=org_other, user=receiver)  # has a receiver, no consent
    with pytest.raises(ValidationError) as exc:
        send(full_plan["plan"], contact, org_other)
    assert exc.value.error_dict["organisation"][0].code == "no_consent"
    assert not Referral.objects.exists()


def test_a_consent_without_referral_is_not_enough(full_plan, contact, org_school, receiver):
    """The school is covered by a consent for the team, but not for referral (the purpose)."""
    ReferralReceiver.objects.create(organisation=org_school, user=receiver)
    with pytest.raises(ValidationError) as exc:
        send(full_plan["plan"], contact, org_school)
    assert exc.value.error_dict["organisation"][0].code == "no_consent"


def test_a_withdrawn_consent_covers_nothing(full_plan, contact, church, receiver, referral_consent):
    plan_services.consent_withdraw(plan=full_plan["plan"], consent=referral_consent, by=contact,
                                   withdrawn_on=timezone.localdate())
    with pytest.raises(ValidationError):
        send(full_plan["plan"], contact, church)


def test_no_receiver_no_referral(full_plan, contact, church, referral_consent):
    with pytest.raises(ValidationError) as exc:
        send(full_plan["plan"], contact, church)
    assert exc.value.error_dict["organisation"][0].code == "no_receiver"


def test_only_the_team_refers(full_plan, church, receiver, referral_consent):
    with pytest.raises(ValidationError):
        send(full_plan["plan"], receiver, church)


def test_one_open_referral_per_place(referral, full_plan, contact, church, meeting_place):
    with pytest.raises(ValidationError) as exc:
        send(full_plan["plan"], contact, church, activity=meeting_place)
    assert "organisation" in exc.value.error_dict


def test_the_state_machine(referral, receiver):
    with pytest.raises(ValidationError):  # not from "sent"
        services.referral_answer(referral=referral, by=receiver, status=Status.STARTED)
    services.referral_answer(referral=referral, by=receiver, status=Status.ACCEPTED, note="Välkomna")
    with pytest.raises(ValidationError):  # answered once
        services.referral_answer(referral=referral, by=receiver, status=Status.DECLINED, reason="Fullt")
    services.referral_answer(referral=referral, by=receiver, status=Status.STARTED)
    services.referral_answer(referral=referral, by=receiver, status=Status.ENDED, note="Familjen kommer själv nu")
    referral.refresh_from_db()
    assert referral.status == Status.ENDED and referral.closed_at is not None
    assert list(ReferralEvent.objects.filter(referral=referral).values_list("status", flat=True)) == [
        "sent", "accepted", "started", "ended"]
    with pytest.raises(ValidationError):
        services.referral_answer(referral=referral, by=receiver, status=Status.STARTED)


def test_only_its_receivers_answer(referral, church_member, contact):
    for user in (church_member, contact):
        with pytest.raises(ValidationError):
            services.referral_answer(referral=referral, by=user, status=Status.ACCEPTED)
    referral.refresh_from_db()
    assert referral.status == Status.SENT


def test_every_change_leaves_a_chronology_entry_and_a_follow_up_action(referral, receiver, full_plan):
    plan = full_plan["plan"]
    first_follow = referral.follow_action_id
    services.referral_answer(referral=referral, by=receiver, status=Status.ACCEPTED, note="Välkomna på måndag")
    referral.refresh_from_db()
    entry = ChronologyEntry.objects.filter(plan=plan).order_by("-pk").first()
    assert "accepterades" in entry.event and "Välkomna på måndag" in entry.event
    assert Action.objects.get(pk=first_follow).status == Action.Status.DONE
    assert referral.follow_action_id != first_follow and referral.follow_action.is_open
    assert PlanChange.objects.filter(plan=plan, what__startswith="Hänvisning till").count() == 2
    assert OutboundEmail.objects.filter(kind="referral_answered", recipient=referral.referred_by.email).count() == 1


def test_a_decline_needs_a_reason_seen_by_the_team_only(referral, receiver):
    with pytest.raises(ValidationError) as exc:
        services.referral_answer(referral=referral, by=receiver, status=Status.DECLINED, reason="  ")
    assert "reason" in exc.value.error_dict
    referral.refresh_from_db()
    assert referral.status == Status.SENT
    services.referral_answer(referral=referral, by=receiver, status=Status.DECLINED, reason="Gruppen är full.")
    referral.refresh_from_db()
    assert referral.decline_reason == "Gruppen är full."
    assert not ReferralEvent.objects.filter(note__contains="full").exists()  # not in the shared events


def test_withdrawal_closes_the_open_referral_at_once(referral, referral_consent, contact, full_plan):
    removed = plan_services.consent_withdraw(plan=full_plan["plan"], consent=referral_consent, by=contact,
                                             withdrawn_on=timezone.localdate())
    assert removed == []  # no one from the church was on the team
    referral.refresh_from_db()
    assert referral.status == Status.WITHDRAWN and referral.closed_at is not None
    assert OutboundEmail.objects.filter(kind="referral_closed", period="withdrawn").count() == 1
    assert ChronologyEntry.objects.filter(event__contains="samtycket återkallades").exists()


def test_withdrawal_keeps_a_referral_another_consent_covers(referral, referral_consent, contact, full_plan, church):
    second = plan_services.consent_record(
        plan=full_plan["plan"], by=contact, guardian=full_plan["guardian"], given_on=timezone.localdate(),
        method=Consent.Method.VERBAL, purposes="Fritid.", organisations=[church], allows_referral=True,
    )
    plan_services.consent_withdraw(plan=full_plan["plan"], consent=referral_consent, by=contact,
                                   withdrawn_on=timezone.localdate())
    referral.refresh_from_db()
    assert referral.status == Status.SENT
    plan_services.consent_withdraw(plan=full_plan["plan"], consent=second, by=contact,
                                   withdrawn_on=timezone.localdate())
    referral.refresh_from_db()
    assert referral.status == Status.WITHDRAWN


def test_a_closed_referral_is_not_reopened_by_withdrawal(referral, referral_consent, receiver, contact, full_plan):
    services.referral_answer(referral=referral, by=receiver, status=Status.DECLINED, reason="Fullt.")
    plan_services.consent_withdraw(plan=full_plan["plan"], consent=referral_consent, by=contact,
                                   withdrawn_on=timezone.localdate())
    referral.refresh_from_db()
    assert referral.status == Status.DECLINED


def test_closing_the_plan_closes_its_referrals(referral, contact, full_plan):
    plan_services.plan_close(plan=full_plan["plan"], by=contact, reason="Målen är nådda.")
    referral.refresh_from_db()
    assert referral.status == Status.CANCELLED


def test_the_team_takes_it_back(referral, contact, teacher):
    with pytest.raises(ValidationError):
        services.referral_cancel(referral=referral, by=teacher)  # neither referrer nor contact person
    services.referral_cancel(referral=referral, by=contact, note="Familjen har hittat annat.")
    referral.refresh_from_db()
    assert referral.status == Status.CANCELLED
    assert OutboundEmail.objects.filter(kind="referral_closed", period="cancelled").count() == 1


def test_a_receiver_cannot_answer_once_consent_is_gone(referral, referral_consent, receiver):
    """Defence in depth: a consent withdrawn straight in the database (no service, no hook)
    already stops the answer."""
    Consent.objects.filter(pk=referral_consent.pk).update(withdrawn_on=timezone.localdate())
    with pytest.raises(ValidationError):
        services.referral_answer(referral=referral, by=receiver, status=Status.ACCEPTED)


# --- answered exactly once: two answers at the same moment (PostgreSQL, two connections) ----------


@pytest.mark.django_db(transaction=True)
def test_two_answers_racing_end_in_one_state(is_postgres, django_db_blocker):
    if not is_postgres:
        pytest.skip("row locks need PostgreSQL (the CI database)")
    from tests.childplans.referrals.race import make_referral

    referral, receiver, colleague = make_referral()
    barrier = threading.Barrier(2)
    results = {}

    def answer(name, user, status, reason=""):
        try:
            barrier.wait(timeout=10)
            services.referral_answer(referral=referral, by=user, status=status, reason=reason)
            results[name] = "ok"
        except ValidationError as exc:
            results[name] = exc.messages[0]
        finally:
            close_old_connections()
            connection.close()

    threads = [
        threading.Thread(target=answer, args=("accept", receiver, Status.ACCEPTED)),
        threading.Thread(target=answer, args=("decline", colleague, Status.DECLINED, "Fullt.")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(results) == ["accept", "decline"]
    assert sorted(v == "ok" for v in results.values()) == [False, True], results
    referral.refresh_from_db()
    winner = "accept" if results["accept"] == "ok" else "decline"
    assert referral.status == (Status.ACCEPTED if winner == "accept" else Status.DECLINED)
    assert ReferralEvent.objects.filter(referral=referral).exclude(status=Status.SENT).count() == 1
    answered = ChronologyEntry.objects.filter(plan_id=referral.plan_id).exclude(event__startswith="Hänvisad")
    assert answered.exclude(event="Barnets plan öppnades.").count() == 1


def test_the_referrals_hang_on_the_plans_hook_lists():
    """Greppable, explicit: childplans/hooks.py lists what consent_withdraw and plan_close call."""
    from childplans import hooks

    assert services.close_for_withdrawn_consent in hooks.consent_withdrawn_hooks
    assert services.close_for_closed_plan in hooks.plan_closed_hooks


def test_the_contact_person_records_a_consent_to_referral(client, full_plan, contact, church):
    """The purpose a referral needs is a flag on the consent, ticked on the consents page."""
    from django.urls import reverse

    from ..conftest import reauthenticate

    client.force_login(contact)
    reauthenticate(client, contact)
    response = client.post(reverse("childplans:consents", kwargs={"plan_pk": full_plan["plan"].pk}), {
        "guardian": full_plan["guardian"].pk, "given_on": timezone.localdate().isoformat(), "method": "verbal",
        "organisations": [church.pk], "purposes": ["referral"],
        "valid_until": (timezone.localdate() + timedelta(days=200)).isoformat(), "note": "Hänvisning till kyrkans mötesplats.",
    })
    assert response.status_code == 302
    consent = Consent.objects.filter(plan=full_plan["plan"]).order_by("-pk").first()
    assert consent.for_referral and list(consent.organisations.all()) == [church]
    assert services.referral_consent_covers(full_plan["plan"], church.pk)
    page = client.get(reverse("childplans:consents", kwargs={"plan_pk": full_plan["plan"].pk})).content.decode()
    assert "Hänvisning till nätverkets aktiviteter" in page
