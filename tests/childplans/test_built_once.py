"""The plan page's queryset is built once per process (portal.queries.built_once); what depends
on the user or on today is built per request (docs/security.md, promise 5)."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from childplans import selectors
from childplans.models import ChildPlan
from childplans.referrals.selectors import plan_referral_counts
from portal import queries

from .conftest import person

pytestmark = pytest.mark.django_db


def test_each_request_gets_its_own_copy_of_the_once_built_queryset(plan):
    first = selectors.plan_page_queryset()
    second = selectors.plan_page_queryset()
    assert first.query is not second.query
    # a filter on one copy never reaches the other, nor the stored queryset
    assert list(first.filter(pk=plan.pk + 1000)) == []
    assert [p.pk for p in second] == [plan.pk]
    stored = queries._BUILT["childplans.plan_page"]
    assert stored._result_cache is None  # never evaluated: no rows are kept in the process
    assert not stored.query.where  # the outer query has no condition: each copy adds its own


def test_the_referral_counts_are_built_with_the_plan_page_under_their_own_key(plan):
    plain = selectors.plan_page_queryset().get(pk=plan.pk)
    with_counts = selectors.plan_page_queryset(more=plan_referral_counts).get(pk=plan.pk)
    assert not hasattr(plain, "referrals_total")
    assert with_counts.referrals_total == 0
    assert sum(key.startswith("childplans.plan_page") for key in queries._BUILT) >= 2


def test_consent_ending_soon_follows_the_clock_in_the_same_process(plan, consent):
    assert selectors.plan_page_queryset().get(pk=plan.pk).consent_ending_on is None
    near_end = consent.valid_until - timedelta(days=settings.CONSENT_ENDING_SOON_DAYS - 1)
    moment = timezone.make_aware(datetime.combine(near_end, datetime.min.time()).replace(hour=12))
    with time_machine.travel(moment, tick=False):
        assert selectors.plan_page_queryset().get(pk=plan.pk).consent_ending_on == consent.valid_until
    with time_machine.travel(moment + timedelta(days=settings.CONSENT_ENDING_SOON_DAYS), tick=False):
        # ended: no consent in force ends soon any more
        assert selectors.plan_page_queryset().get(pk=plan.pk).consent_ending_on is None


def test_who_may_see_the_plan_is_decided_per_request(client, plan, contact, org_social, mfa):
    url = reverse("childplans:plan_detail", args=[plan.pk])
    client.force_login(contact)
    assert client.get(url).status_code == 200  # the page's queryset is now built in this process
    # the same role in the same kind of organisation, but not on the team: 404, nothing changes
    other = person("annan.handlaggare@vaxjo.se", org_social)
    client.force_login(other)
    before = ChildPlan.objects.get(pk=plan.pk).updated_at
    assert client.get(url).status_code == 404
    assert ChildPlan.objects.get(pk=plan.pk).updated_at == before
    client.force_login(contact)
    assert client.get(url).status_code == 200


def test_min_oversikt_lists_only_my_memberships_after_another_person_built_the_queryset(
    network, coordinator, participant
):
    from dashboard.selectors import my_memberships, my_organisations

    mine = my_memberships(coordinator)
    theirs = my_memberships(participant)
    assert [m.user_id for m in mine] == [coordinator.pk]
    assert [m.user_id for m in theirs] == [participant.pk]
    assert mine[0].member_count == 2
    assert [o.user_id for o in my_organisations(participant)] == [participant.pk]
