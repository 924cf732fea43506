"""Min översikt and the menu for the receivers of referrals: "Hänvisningar" in the menu (decided at
log-in and on Min översikt, no query on an ordinary page), and the referrals waiting for an answer
on Min översikt behind two-step verification, with one audit row and no child name."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from portal.models import AuditEvent

from .conftest import HELP_WANTED

pytestmark = pytest.mark.django_db
MENU = 'href="/hanvisningar/">Hänvisningar</a>'


def test_waiting_referrals_on_min_oversikt(client, referral, receiver):
    client.force_login(receiver)
    before = AuditEvent.objects.count()
    body = client.get(reverse("dashboard")).content.decode()
    assert "Hänvisningar som väntar på svar" in body
    assert f"Hänvisning {referral.pk}" in body and "Måndagsmiddag för barnfamiljer" in body
    assert "1 hänvisning till din organisation väntar på svar." in body
    assert "Tindra" not in body and HELP_WANTED not in body
    rows = list(AuditEvent.objects.order_by("pk")[before:])
    assert [r.detail.get("list") for r in rows] == ["dashboard"]  # one row for all the page names
    assert rows[0].detail["referral_ids"] == [referral.pk] and rows[0].detail["plan_ids"] == [referral.plan_id]
    assert MENU in body


def test_not_without_two_step_verification(client, referral, receiver):
    Authenticator.objects.filter(user=receiver).delete()
    client.force_login(receiver)
    body = client.get(reverse("dashboard")).content.decode()
    assert "Hänvisningar som väntar på svar" not in body
    # The inbox itself sends them to set it up.
    response = client.get(reverse("childplans:referral_inbox"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")


def test_the_menu_is_for_receivers(client, referral, receiver, church_member, contact):
    for user, shown in ((receiver, True), (church_member, False), (contact, False)):
        client.force_login(user)
        assert (MENU in client.get(reverse("network_list")).content.decode()) is shown, user.email


def test_min_oversikt_with_waiting_referrals_within_its_budget(client, referral, receiver):
    """Min översikt for a receiver (docs/performance.md: <= 15 queries, the same at any data
    size): the referrals waiting with their audit row, the indicators' link decided from the
    memberships already on the page (no query of its own). More memberships change nothing."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from networks.models import NetworkMembership
    from tests import factories as f
    from tests.queries import DASHBOARD_BUDGET

    f.MembershipFactory(user=receiver, role=NetworkMembership.Role.COORDINATOR)
    client.force_login(receiver)
    client.get(reverse("dashboard"))
    with CaptureQueriesContext(connection) as small:
        body = client.get(reverse("dashboard")).content.decode()
    assert "Hänvisningar som väntar på svar" in body
    assert f'href="{reverse("childplans:indicators")}"' in body
    assert len(small) <= DASHBOARD_BUDGET, [q["sql"][:80] for q in small]
    assert not [q for q in small if '"networks_networkmembership"."role" = ' in q["sql"] and "LIMIT 1" in q["sql"]]

    for _ in range(5):
        f.MembershipFactory(user=receiver, role=NetworkMembership.Role.COORDINATOR)
    with CaptureQueriesContext(connection) as large:
        body = client.get(reverse("dashboard")).content.decode()
    assert "Hänvisningar som väntar på svar" in body
    assert len(large) == len(small), "the dashboard's queries must not grow with the data"


def test_a_receiver_with_plan_work_gets_one_audit_row_within_the_budget(client, referral, receiver, church,
                                                                         full_plan, contact):
    """A receiver who is also on a plan's team and responsible for one of its actions: Min översikt
    names the plans and the referrals waiting in one audit row (SECURITY.md 5a: one row per
    page), within the dashboard's query budget."""
    from datetime import timedelta

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from childplans import services as plan_services
    from tests.queries import DASHBOARD_BUDGET

    plan = full_plan["plan"]
    plan_services.team_add(plan=plan, by=contact, user=receiver, organisation=church)
    plan_services.action_add(plan=plan, by=contact, goal=full_plan["goal"], what="Följa med till middagen",
                             responsible_organisation=church, responsible_person=receiver,
                             starts_on=timezone.localdate(), due_on=timezone.localdate() + timedelta(days=7),
                             status="planerad", follow_up="")
    client.force_login(receiver)
    client.get(reverse("dashboard"))
    before = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as queries:
        body = client.get(reverse("dashboard")).content.decode()
    assert "Hänvisningar som väntar på svar" in body and "Följa med till middagen" in body
    rows = list(AuditEvent.objects.order_by("pk")[before:])
    assert len(rows) == 1
    assert rows[0].detail == {"list": "dashboard", "plan_ids": [plan.pk], "referral_ids": [referral.pk]}
    assert len(queries) <= DASHBOARD_BUDGET, [q["sql"][:80] for q in queries]
