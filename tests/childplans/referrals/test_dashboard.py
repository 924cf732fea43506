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
    assert [r.detail.get("list") for r in rows] == ["referrals_waiting"]
    assert rows[0].detail["referral_ids"] == [referral.pk]
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
