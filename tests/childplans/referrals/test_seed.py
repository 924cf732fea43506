"""The referrals' bench seeder (childplans/referrals/seed.py) at a tiny scale: consistent rows
that the pages read, a receiver named, and a second run changes nothing."""

import pytest
from django.urls import reverse

from childplans.referrals.models import Referral, ReferralEvent
from childplans.referrals.seed import seed_referrals
from childplans.seed import seed_plans
from networks.models import ActivityTipCount, ReferralReceiver
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_seed_referrals(contact, org_social, church, client):
    f.ActivityFactory(organisation=church)
    seed_plans(plans=20, actions=20, reviews=5)
    counts = seed_referrals(receiver=contact, total=60)
    assert counts["referrals"] == 60 == Referral.objects.count()
    assert ReferralReceiver.objects.filter(user=contact, organisation=org_social).exists()
    assert Referral.objects.filter(organisation=org_social).exists()
    assert ReferralEvent.objects.count() >= 60 and ActivityTipCount.objects.count() == 2
    for referral in Referral.objects.all():
        referral.full_clean()
    assert seed_referrals(receiver=contact, total=60) == {"referrals": 0, "tips": 0}
    client.force_login(contact)
    assert client.get(reverse("childplans:referral_inbox")).status_code == 200
