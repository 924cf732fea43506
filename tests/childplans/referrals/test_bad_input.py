"""Bad input on the referral forms (docs/security.md rule 6): a Swedish message next to the
field and nothing changed — a referral to an organisation no consent covers (the leaflet is
offered instead), an empty "what help", an organisation with no receiver (the referrer is told
before sending, the coordinators are reminded), a decline without a reason."""

import re

import pytest
from django.apps import apps
from django.core import serializers
from django.urls import reverse

from childplans.referrals.models import Referral
from networks.models import NetworkMembership, ReferralReceiver
from portal.models import OutboundEmail
from tests import factories as f

from ..conftest import reauthenticate
from .conftest import HELP_WANTED

pytestmark = pytest.mark.django_db


def field_error(response, field):
    html = response.content.decode()
    match = re.search(rf'<div id="id_{field}_error" class="invalid-feedback">(.*?)</div>', html, re.S)
    assert match, f"no error next to {field}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def referrals_snapshot():
    return [serializers.serialize("json", m.objects.order_by("pk")) for m in apps.get_app_config("referrals").get_models()]


def create_url(plan):
    return reverse("childplans:referral_create", kwargs={"plan_pk": plan.pk})


def payload(organisation, **extra):
    return {"organisation": organisation.pk, "help_wanted": HELP_WANTED, "share_first_name": "on",
            "share_age": "on", "contact_by": "family", **extra}


def test_an_organisation_no_consent_covers(client, full_plan, contact, org_other, receiver):
    ReferralReceiver.objects.create(organisation=org_other, user=receiver)
    client.force_login(contact)
    before = referrals_snapshot()
    response = client.post(create_url(full_plan["plan"]), payload(org_other))
    assert response.status_code == 200
    assert "Inget samtycke till hänvisning omfattar Region Kronoberg" in field_error(response, "organisation")
    assert "Ge familjen en lapp i stället" in response.content.decode()
    assert referrals_snapshot() == before


def test_the_leaflet_is_offered_for_the_activity(client, full_plan, contact, org_other, receiver):
    activity = f.ActivityFactory(organisation=org_other)
    client.force_login(contact)
    response = client.post(create_url(full_plan["plan"]) + f"?verksamhet={activity.pk}",
                           payload(org_other, activity=activity.pk))
    assert reverse("activity_tip", args=[activity.pk]) in response.content.decode()


def test_empty_what_help(client, full_plan, contact, church, receiver, referral_consent):
    client.force_login(contact)
    response = client.post(create_url(full_plan["plan"]), payload(church, help_wanted="   "))
    assert response.status_code == 200
    assert field_error(response, "help_wanted").startswith("Skriv vad familjen vill ha hjälp med")
    assert not Referral.objects.exists()


def test_the_receiver_must_be_reachable(client, full_plan, contact, church, receiver, referral_consent):
    client.force_login(contact)
    response = client.post(create_url(full_plan["plan"]), payload(church, contact_by="receiver", contact_details=""))
    assert field_error(response, "contact_details").startswith("Skriv hur mottagaren når familjen")
    assert not Referral.objects.exists()


def test_no_receiver_told_before_and_coordinators_reminded(client, full_plan, contact, church, referral_consent,
                                                           network, coordinator_with_mfa):
    coordinator = coordinator_with_mfa
    f.NetworkOrganisationFactory(network=network, organisation=church)
    client.force_login(contact)
    form = client.get(create_url(full_plan["plan"]) + f"?organisation={church.pk}").content.decode()
    assert "har ingen mottagare av hänvisningar än" in form  # told before sending
    assert "Växjö pastorat (Växjö) – samtycke finns, ingen mottagare än" in form
    response = client.post(create_url(full_plan["plan"]), payload(church))
    assert "har ingen mottagare av hänvisningar än" in field_error(response, "organisation")
    assert not Referral.objects.exists()
    reminders = OutboundEmail.objects.filter(kind="receivers_missing")
    assert [r.recipient for r in reminders] == [coordinator.email]
    client.post(create_url(full_plan["plan"]), payload(church))
    assert OutboundEmail.objects.filter(kind="receivers_missing").count() == 1  # once per term
    assert not OutboundEmail.objects.filter(kind="referral_received").exists()


def test_a_decline_without_a_reason(client, referral, receiver):
    client.force_login(receiver)
    before = referrals_snapshot()
    response = client.post(reverse("childplans:referral_answer", kwargs={"referral_pk": referral.pk}),
                           {"status": "declined", "reason": ""})
    assert response.status_code == 200
    assert field_error(response, "reason") == "Skriv varför ni avböjer. Skälet visas bara för barnets team."
    assert referrals_snapshot() == before


def test_an_answer_no_longer_possible(client, referral, receiver):
    client.force_login(receiver)
    url = reverse("childplans:referral_answer", kwargs={"referral_pk": referral.pk})
    assert client.post(url, {"status": "accepted"}).status_code == 302
    response = client.post(url, {"status": "declined", "reason": "Fullt"})
    assert response.status_code == 200
    assert "har redan fått ett svar eller är stängd" in field_error(response, "status")
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED


def test_only_coordinators_of_the_organisations_networks_are_reminded(full_plan, contact, church, referral_consent,
                                                                       client, network, participant):
    """A participant (not a coordinator) is not asked to name receivers."""
    f.NetworkOrganisationFactory(network=network, organisation=church)
    assert not NetworkMembership.objects.filter(network=network, role="coordinator").exists()
    client.force_login(contact)
    reauthenticate(client, contact)
    client.post(create_url(full_plan["plan"]), payload(church))
    assert not OutboundEmail.objects.filter(kind="receivers_missing").exists()
