"""docs/security.md promise 14 (and 7): a referral shows its receivers only what it shares, never
the plan — nothing else about the child or the plan is reachable from it — and its e-mails carry
only a link: no name, no words of the referral, no answer."""

import pytest
from django.urls import reverse
from django.utils import timezone

from childplans.referrals import services
from childplans.referrals.models import Referral
from portal.models import AuditEvent, OutboundEmail
from portal.outbox import build_message

from ..conftest import CHILD_FAMILY, CHILD_PNR, GUARDIAN_CONTACT, GUARDIAN_NAME
from .conftest import CONTACT_DETAILS, HELP_WANTED, send

pytestmark = pytest.mark.django_db

# What the plan holds and no referral shares (tests/childplans/conftest.py full_plan).
NOT_SHARED = [
    CHILD_FAMILY, CHILD_PNR, CHILD_PNR.replace("-", ""), GUARDIAN_NAME, GUARDIAN_CONTACT, "070-123 45 67",
    "Oro för skolfrånvaro.", "Jag vill ha en kompis i skolan.", "Vi vill att hon trivs.",
    "Tindra går till skolan", "Samtal varje vecka med mentor", "Började i ny klass", "Lars Lärare",
]


def pages(client, referral):
    return {
        "inbox": client.get(reverse("childplans:referral_inbox")),
        "detail": client.get(reverse("childplans:referral_detail", kwargs={"referral_pk": referral.pk})),
    }


def test_the_receiver_sees_the_shared_words_and_nothing_else(client, referral, receiver):
    client.force_login(receiver)
    for name, response in pages(client, referral).items():
        assert response.status_code == 200, name
        body = response.content.decode()
        assert "Tindra" in body, name  # shared: the first name
        for secret in NOT_SHARED:
            assert secret not in body, (name, secret)
        assert "/planer/" not in body, (name, "a link into the plan")
    detail = pages(client, referral)["detail"].content.decode()
    assert HELP_WANTED in detail and CONTACT_DETAILS in detail
    assert f"{referral.age} år" in detail


def test_what_the_referrer_does_not_share_is_not_there(client, full_plan, contact, church, receiver,
                                                        referral_consent):
    referral = send(full_plan["plan"], contact, church, share_first_name=False, share_age=False,
                    contact_by=Referral.ContactBy.FAMILY, contact_details="")
    age = services.age_on(full_plan["plan"].child.birth_date, timezone.localdate())
    client.force_login(receiver)
    for name, response in pages(client, referral).items():
        body = response.content.decode()
        assert "Tindra" not in body, name
        assert f"{age} år" not in body, name


def test_a_decline_reason_is_for_the_team_only(client, referral, receiver, contact):
    services.referral_answer(referral=referral, by=receiver, status=Referral.Status.DECLINED,
                             reason="Gruppen är full till hösten.", note="Hör av er i augusti.")
    url = reverse("childplans:referral_detail", kwargs={"referral_pk": referral.pk})
    client.force_login(receiver)
    assert "Gruppen är full" not in client.get(url).content.decode()
    client.force_login(contact)
    team_page = client.get(url).content.decode()
    assert "Gruppen är full till hösten." in team_page
    plan_page = client.get(reverse("childplans:plan_referrals", kwargs={"plan_pk": referral.plan_id})).content.decode()
    assert "Gruppen är full till hösten." in plan_page and "Hör av er i augusti." in plan_page


def test_e_mails_carry_only_a_link(referral, receiver, contact, referral_consent, full_plan):
    from childplans import services as plan_services

    services.referral_answer(referral=referral, by=receiver, status=Referral.Status.ACCEPTED, note="Välkomna")
    plan_services.consent_withdraw(plan=full_plan["plan"], consent=referral_consent, by=contact,
                                   withdrawn_on=timezone.localdate())
    rows = list(OutboundEmail.objects.filter(kind__startswith="referral_"))
    assert {r.kind for r in rows} == {"referral_received", "referral_answered", "referral_closed"}
    link = reverse("childplans:referral_detail", kwargs={"referral_pk": referral.pk})
    for row in rows:
        message = build_message(row) if row.kind != "referral_received" else None
        if row.kind == "referral_received":
            assert build_message(row) is None  # closed meanwhile: not sent any more
            continue
        text = message.subject + message.body + message.alternatives[0][0]
        assert link in message.body
        for secret in ["Tindra", HELP_WANTED, CONTACT_DETAILS, "Välkomna", receiver.first_name, contact.first_name,
                       *NOT_SHARED]:
            assert secret not in text, (row.kind, secret)
        assert row.object_key == f"referral:{referral.pk}"


def test_the_notice_to_the_receivers(referral, receiver):
    message = build_message(OutboundEmail.objects.get(kind="referral_received"))
    assert message.to == [receiver.email]
    assert "Tindra" not in message.subject + message.body
    assert reverse("childplans:referral_detail", kwargs={"referral_pk": referral.pk}) in message.body


def test_audit_rows_hold_ids_only(client, referral, receiver):
    client.force_login(receiver)
    before = AuditEvent.objects.count()
    pages(client, referral)
    for row in AuditEvent.objects.order_by("pk")[before:]:
        for value in row.detail.values():
            assert not isinstance(value, str) or value in ("referral_inbox", "receiver", "team"), row.detail
