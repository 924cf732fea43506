"""Query counts (docs/performance.md): the receivers' inbox (a list), a referral's page (a detail)
and the flow (a list) are performance-critical; their number of queries stays the same from 1 to
200 referrals and within the budgets (10 and 8, the session and the user included)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from childplans.referrals.models import Referral, ReferralEvent
from networks.models import ActivityTipCount, NetworkMembership
from networks.terms import current_term
from tests import factories as f
from tests.queries import AUTH_QUERIES, DETAIL_BUDGET, LIST_BUDGET, page_queries

pytestmark = pytest.mark.django_db

# The inbox's own: MFA check, the receiver's organisations, the rows (with their total: a window
# count), the audit insert.
INBOX_OWN = 4
# A referral's own: MFA check, the referral (visibility, consent and the audit's ids in one), its
# events, the audit insert.
DETAIL_OWN = 4
# The flow's own: the organisation (access), tips, referrals, organisation names.
FLOW_OWN = 4


def grow(referral, n):
    """``n`` more referrals like ``referral`` (open and closed), each with events, and tips."""
    term, year = current_term()
    rows = []
    for i in range(n):
        status = [Referral.Status.SENT, Referral.Status.ACCEPTED, Referral.Status.DECLINED][i % 3]
        rows.append(Referral(
            plan_id=referral.plan_id, organisation_id=referral.organisation_id, activity_id=referral.activity_id,
            referred_by_id=referral.referred_by_id, referrer_organisation_id=referral.referrer_organisation_id,
            first_name="Tindra", age=9, help_wanted=f"Hjälp {i}", contact_by="family", status=status,
            decline_reason="Fullt" if status == Referral.Status.DECLINED else "", term=term, term_year=year,
            created_at=timezone.now() - timedelta(minutes=i),
            accepted_at=timezone.now() if status == Referral.Status.ACCEPTED else None,
            declined_at=timezone.now() if status == Referral.Status.DECLINED else None,
            closed_at=timezone.now() if status == Referral.Status.DECLINED else None,
        ))
    Referral.objects.bulk_create(rows)
    ReferralEvent.objects.bulk_create(
        ReferralEvent(referral=referral, status="accepted", note=f"Meddelande {i}") for i in range(n)
    )
    for i in range(n // 10):
        activity = f.ActivityFactory(organisation=referral.organisation)
        ActivityTipCount.objects.create(activity=activity, term=term, year=year, count=i + 3)


def measure(client, url):
    client.get(url)  # warm: allauth's user session row, the session's menu flags
    response, queries, own = page_queries(client, url)
    assert response.status_code == 200, url
    return len(queries), own


@pytest.mark.parametrize("page", ["inbox", "detail", "flow"])
def test_referral_pages_do_not_grow(client, referral, receiver, church, page):
    client.force_login(receiver)
    url = {
        "inbox": reverse("childplans:referral_inbox"),
        "detail": reverse("childplans:referral_detail", kwargs={"referral_pk": referral.pk}),
        "flow": reverse("childplans:flow_organisation", kwargs={"organisation_pk": church.pk}),
    }[page]
    small_total, small_own = measure(client, url)
    grow(referral, 199)
    large_total, large_own = measure(client, url)
    assert (large_total, len(large_own)) == (small_total, len(small_own)), (
        f"This is a performance-critical page: no N+1 queries ({page}).\n" + "\n".join(large_own))
    own, budget = {"inbox": (INBOX_OWN, LIST_BUDGET), "detail": (DETAIL_OWN, DETAIL_BUDGET),
                   "flow": (FLOW_OWN, LIST_BUDGET)}[page]
    assert len(large_own) == own, "\n".join(large_own)
    assert len(large_own) <= budget - AUTH_QUERIES


def test_the_network_flow_does_not_grow(client, referral, church, network, coordinator_with_mfa):
    f.NetworkOrganisationFactory(network=network, organisation=church)
    client.force_login(coordinator_with_mfa)
    url = reverse("childplans:flow_network", kwargs={"network_pk": network.pk})
    small_total, small_own = measure(client, url)
    grow(referral, 199)
    for _ in range(20):
        f.NetworkOrganisationFactory(network=network)
    large_total, large_own = measure(client, url)
    assert (large_total, len(large_own)) == (small_total, len(small_own)), "\n".join(large_own)
    assert len(large_own) <= LIST_BUDGET - AUTH_QUERIES
    assert NetworkMembership.objects.filter(user=coordinator_with_mfa, role="coordinator").exists()


def test_the_inbox_pages(client, referral, receiver):
    grow(referral, 60)
    client.force_login(receiver)
    url = reverse("childplans:referral_inbox")
    first = client.get(url)
    assert len(first.context["rows"]) == 50 and first.context["page_obj"].paginator.count == 61
    assert "?sida=2" in first.content.decode()
    assert len(client.get(url + "?sida=2").context["rows"]) == 11
    beyond = client.get(url + "?sida=99")
    assert beyond.context["page_obj"].number == 2 and len(beyond.context["rows"]) == 11
    # Open ones first: every open referral is listed before every closed one.
    flags = [r.is_open for r in first.context["rows"]]
    assert flags == sorted(flags, reverse=True)
