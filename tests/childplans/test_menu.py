""""Barnens planer" in the main menu (issue 11): for everyone on a plan's team or whose
organisation may keep plans; decided at log-in and on every visit to Min översikt; a way in,
not a permission (the plan pages decide on every request)."""

import pytest
from django.test import Client
from django.urls import reverse

from childplans import services

from .. import factories as f
from .conftest import person

pytestmark = pytest.mark.django_db
MENU = 'href="/planer/">Barnens planer</a>'


def _page(client, name="network_list"):
    return client.get(reverse(name)).content.decode()


def test_a_plan_keeper_and_a_team_member_see_it_others_do_not(contact, teacher, church):
    outsider = person("diakon@kyrkan.se", church)
    for user, shown in ((contact, True), (teacher, True), (outsider, False)):
        client = Client()
        client.force_login(user)
        assert (MENU in _page(client)) is shown, user.email


def test_it_comes_with_the_log_in(org_social):
    newcomer = person("ny@vaxjo.se", org_social, with_mfa=False)
    client = Client()
    response = client.post("/konto/login/", {"login": newcomer.email, "password": f.PASSWORD})
    assert response.status_code == 302
    assert client.session["childplans_menu"] is True


def test_a_new_team_member_finds_it_from_min_oversikt(plan, contact, consent, church, guardian):
    supporter = person("stod@kyrkan.se", church)
    client = Client()
    client.force_login(supporter)
    assert MENU not in _page(client)
    services.consent_record(plan=plan, by=contact, guardian=guardian, given_on=consent.given_on,
                            method=consent.method, purposes="Stöd på fritiden.", organisations=[church])
    services.team_add(plan=plan, by=contact, user=supporter, organisation=church, part="Stödsamordnare")
    assert MENU in _page(client, "dashboard")
    assert MENU in _page(client)


def test_the_session_remembers_both_menus_in_one_query(client, contact, church):
    """Log-in decides "Barnens planer" and "Hänvisningar" together (childplans.selectors
    .child_data_reach); an ordinary page reads them from the session without a query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from childplans.selectors import child_data_reach
    from networks.models import ReferralReceiver

    deacon = person("mottagare@kyrkan.se", church, with_mfa=False)
    with CaptureQueriesContext(connection) as ctx:
        assert child_data_reach(deacon) == (False, False)
    assert len(ctx.captured_queries) == 1
    ReferralReceiver.objects.create(organisation=church, user=deacon)
    assert child_data_reach(deacon) == (False, True)
    assert child_data_reach(contact) == (True, False)
    client.post("/konto/login/", {"login": deacon.email, "password": f.PASSWORD})
    assert client.session["childplans_menu"] is False and client.session["referrals_menu"] is True
