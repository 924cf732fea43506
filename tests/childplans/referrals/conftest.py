"""Personas and a referral for the referral tests (issue 13).

The plan of tests/childplans/conftest.py (``full_plan``: owned by Växjö kommun's social
services, contact person ``contact``, ``teacher`` from the school on the team) gets a second
consent from the guardian that covers the church (``church``) for referral; the church's deacon
(``receiver``) receives its referrals, a colleague at the church (``church_member``) does not.
``referral`` is a referral from the contact person to the church's meeting place."""

import pytest
from django.utils import timezone

from childplans import services as plan_services
from childplans.models import Consent
from childplans.referrals import services
from childplans.referrals.models import Referral
from networks.models import ReferralReceiver
from tests import factories as f

from ..conftest import person
from ..test_audit import break_audit  # noqa: F401  (a fixture: a trigger makes the audit insert fail)

HELP_WANTED = "Mamman vill träffa andra föräldrar och få hjälp att komma ut mer med barnen."
CONTACT_DETAILS = "Ring mamman på förmiddagar."


@pytest.fixture
def receiver(db, church):
    user = person("diakon@kyrkan.se", church, first_name="Maria", last_name="Mottagare")
    ReferralReceiver.objects.create(organisation=church, user=user)
    return user


@pytest.fixture
def church_member(db, church):
    """Belongs to the church, but is not one of its receivers."""
    return person("kantor@kyrkan.se", church, first_name="Kim", last_name="Kantor")


@pytest.fixture
def meeting_place(db, church):
    return f.ActivityFactory(organisation=church, title="Måndagsmiddag för barnfamiljer", public=True)


@pytest.fixture
def referral_consent(db, full_plan, contact, church):
    return plan_services.consent_record(
        plan=full_plan["plan"], by=contact, guardian=full_plan["guardian"], given_on=timezone.localdate(),
        method=Consent.Method.WRITTEN, purposes="Stöd på fritiden.", organisations=[church], allows_referral=True,
    )


def send(plan, by, organisation, **extra):
    fields = {"help_wanted": HELP_WANTED, "contact_by": Referral.ContactBy.RECEIVER,
              "contact_details": CONTACT_DETAILS, **extra}
    return services.referral_send(plan=plan, by=by, organisation=organisation, **fields)


@pytest.fixture
def referral(db, full_plan, contact, church, receiver, meeting_place, referral_consent):
    return send(full_plan["plan"], contact, church, activity=meeting_place, follow=True,
                follow_goal=full_plan["goal"])
