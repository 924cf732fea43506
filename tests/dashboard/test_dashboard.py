"""Min översikt: my networks with my role, and "Vad kan jag göra nu?" derived from the data.
At most 15 queries (auth included), the same for 1 network and for 20."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from networks.models import NetworkMembership, Organisation
from tests.queries import AUTH_QUERIES, DASHBOARD_BUDGET, MIDDLEWARE_SQL

from .. import factories as f

pytestmark = pytest.mark.django_db



def dashboard(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    return response, response.content.decode()


def step_kinds(response):
    return [step.kind for step in response.context["next_steps"]]


@pytest.fixture
def regional_coordinator(regional_network):
    return f.MembershipFactory(
        network=regional_network,
        role=NetworkMembership.Role.COORDINATOR,
        organisation=f.OrganisationFactory(name="Region Kronoberg", kind=Organisation.Kind.REGION),
    ).user


def test_dashboard_needs_login(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_new_coordinator_is_told_to_invite_add_organisations_and_set_steward(
    client_for, coordinator, network, org_kommun
):
    response, html = dashboard(client_for(coordinator))
    assert "Barnstödsnätverket i Växjö" in html
    assert "Samordnare" in html
    assert "Växjö, Kronobergs län" in html
    assert "Lokalt (kommun)" in html
    assert "Ingen utsedd" in html
    assert step_kinds(response) == ["invite", "organisations", "stewardship", "publish", "search"]
    assert reverse("network_member_invite", args=[network.pk]) in html
    assert "har bara 1 medlem" in html
    assert reverse("network_organisation_add", args=[network.pk]) in html
    assert reverse("network_stewardship", args=[network.pk]) in html
    publish = reverse("activity_create") + "?" + urlencode({"organisation": org_kommun.pk})
    assert publish.replace("&", "&amp;") in html
    assert "Växjö kommun, Socialtjänsten har ingen verksamhet i katalogen" in html
    assert reverse("directory_search") in html
    assert reverse("admin:index") not in html
    # A local network: no regional steps.
    assert reverse("network_overview", args=[network.pk]) not in html


def test_established_network_needs_no_setup_steps(
    client_for, coordinator, participant, network, org_kommun, org_church
):
    f.MembershipFactory(network=network)  # a third member, third organisation
    f.StewardshipFactory(
        network=network,
        organisation=org_church,
        contact_person=participant,
        starts_on=timezone.localdate() - timedelta(days=30),
    )
    f.ActivityFactory(organisation=org_kommun)
    response, html = dashboard(client_for(coordinator))
    assert step_kinds(response) == ["own_activities", "search"]
    assert "Växjö domkyrkoförsamling" in html and "Per Präst" in html  # who drives it
    membership = response.context["memberships"][0]
    assert membership.member_count == 3
    assert membership.current_stewardship.organisation == org_church
    link = reverse("directory_search") + "?" + urlencode({"organisation": org_kommun.pk})
    assert link in html
    assert "1 verksamhet i katalogen" in html


def test_coming_stewardship_counts_as_set(
    client_for, coordinator, participant, network, org_church
):
    f.StewardshipFactory(
        network=network,
        organisation=org_church,
        contact_person=participant,
        starts_on=timezone.localdate() + timedelta(days=10),
    )
    response, html = dashboard(client_for(coordinator))
    assert "stewardship" not in step_kinds(response)
    assert "Växjö domkyrkoförsamling från" in html


def test_ended_stewardship_is_not_current(
    client_for, coordinator, participant, network, org_church
):
    today = timezone.localdate()
    f.StewardshipFactory(
        network=network,
        organisation=org_church,
        contact_person=participant,
        starts_on=today - timedelta(days=100),
        ends_on=today - timedelta(days=1),
    )
    response, html = dashboard(client_for(coordinator))
    assert "stewardship" in step_kinds(response)
    assert "Ingen utsedd" in html


def test_participant_gets_no_coordinator_steps(client_for, coordinator, participant, network):
    response, html = dashboard(client_for(participant))
    assert "Deltagare" in html
    assert "Barnstödsnätverket i Växjö" in html
    assert step_kinds(response) == ["publish", "search"]
    assert reverse("network_member_invite", args=[network.pk]) not in html
    assert reverse("network_stewardship", args=[network.pk]) not in html


def test_regional_coordinator_sees_overview_and_create_local(
    client_for, regional_coordinator, regional_network
):
    response, html = dashboard(client_for(regional_coordinator))
    assert "Regionalt (län)" in html
    kinds = step_kinds(response)
    assert "overview" in kinds and "create_local" in kinds
    assert reverse("network_overview", args=[regional_network.pk]) in html
    create = reverse("network_create") + "?" + urlencode({"parent": regional_network.pk})
    assert create in html


def test_person_without_network_is_told_how_to_get_invited(client_for, outsider):
    response, html = dashboard(client_for(outsider))
    assert "Du är inte med i något nätverk än." in html
    assert "bli inbjuden av nätverkets samordnare" in html
    assert step_kinds(response) == ["search"]
    assert reverse("activity_create") not in html


def test_administrator_gets_admin_link(client_for, administrator):
    response, html = dashboard(client_for(administrator))
    assert step_kinds(response) == ["search", "admin"]
    assert "Öppna administrationen" in html


def test_other_peoples_networks_are_not_listed(client_for, coordinator, outsider):
    f.LocalNetworkFactory(name="Hemligt nätverk")
    response, html = dashboard(client_for(coordinator))
    assert "Hemligt nätverk" not in html
    assert [m.network.name for m in response.context["memberships"]] == [
        "Barnstödsnätverket i Växjö"
    ]


# --- Query budget -------------------------------------------------------------------------


def _add_networks(user, organisation, n):
    """``n`` networks where ``user`` coordinates, each with members, organisations, a steward."""
    for i in range(n):
        network = f.LocalNetworkFactory()
        f.MembershipFactory(
            network=network,
            user=user,
            organisation=organisation,
            role=NetworkMembership.Role.COORDINATOR
            if i % 2
            else NetworkMembership.Role.PARTICIPANT,
        )
        others = f.MembershipFactory.create_batch(3, network=network)
        f.StewardshipFactory(
            network=network,
            organisation=others[0].organisation,
            contact_person=others[0].user,
            starts_on=timezone.localdate() - timedelta(days=i),
        )
    regional = f.RegionalNetworkFactory()
    f.MembershipFactory(
        network=regional,
        user=user,
        organisation=organisation,
        role=NetworkMembership.Role.COORDINATOR,
    )


def _queries(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    sql = [q["sql"] for q in ctx.captured_queries]
    own = [s for s in sql if not MIDDLEWARE_SQL.search(s)]
    return len(sql), len(own), response


def test_dashboard_query_count_is_flat_from_1_to_20_networks(client_for):
    """Performance-critical: the first page after login. The count may not depend on how many
    networks, members, organisations or activities there are (docs/performance.md, <= 15)."""
    small_user, large_user = f.UserFactory(), f.UserFactory()
    small_org, large_org = f.OrganisationFactory(), f.OrganisationFactory()
    _add_networks(small_user, small_org, 1)
    _add_networks(large_user, large_org, 20)
    for org in (small_org, large_org):
        f.ActivityFactory(organisation=org)
    f.OrganisationMembershipFactory(user=large_user)  # a second organisation, no activities
    f.OrganisationMembershipFactory(user=small_user)

    client = client_for(small_user)
    client.get(reverse("dashboard"))
    small_total, small_own, response = _queries(client)
    assert len(response.context["memberships"]) == 2

    client = client_for(large_user)
    client.get(reverse("dashboard"))
    large_total, large_own, response = _queries(client)
    assert len(response.context["memberships"]) == 21
    assert response.context["memberships"][-1].member_count == 4

    assert small_own <= DASHBOARD_BUDGET - AUTH_QUERIES, (
        f"The dashboard made {small_own} queries of its own (+{AUTH_QUERIES} for session and "
        f"user); budget {DASHBOARD_BUDGET}."
    )
    assert (small_total, small_own) == (large_total, large_own), "query count grew with the data"


def test_the_way_to_the_indicators_is_shown_to_those_who_may_open_them(client_for, coordinator, participant, administrator):
    """The indicators (counts, no child data) have one rule for who may open them
    (childplans.selectors.may_see_indicators); Min översikt shows the way there to exactly them."""
    url = reverse("childplans:indicators")
    for user, may in ((coordinator, True), (administrator, True), (participant, False)):
        client = client_for(user)
        _response, html = dashboard(client)
        assert (f'href="{url}"' in html) is may, user
        assert client.get(url).status_code == (200 if may else 404), user
