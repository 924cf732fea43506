"""The network pages show every change on the next request, through every write path (the
services, and plain saves such as the admin's); a page never carries one viewer's rights to
another."""

import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from meetings import services as meeting_services
from meetings.models import Invitation
from networks import services
from networks.kept import forget_directory
from networks.models import Activity, NetworkMembership, OrganisationMembership

from .. import factories as f

pytestmark = pytest.mark.django_db
Role = NetworkMembership.Role


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def detail(network):
    return reverse("network_detail", args=[network.pk])


def test_member_changes_show_at_once(network, coordinator, participant, org_church, detail):
    client = _client(coordinator)
    assert "Per Präst" in _page(client, detail)

    services.network_member_set_role(
        membership=NetworkMembership.objects.get(network=network, user=participant), role=Role.COORDINATOR,
        by=coordinator,
    )
    membership = NetworkMembership.objects.get(network=network, user=participant)
    html = _page(client, reverse("network_member", args=[network.pk, membership.pk]))
    assert "Samordnare" in html and "Ändra roll" in html
    row = re.search(r"<tr>\s*<th[^>]*><a[^>]*>Per Präst</a>.*?</tr>", _page(client, detail), re.S).group(0)
    assert "badge text-bg-primary" in row

    services.network_member_invite(
        network=network, email="ny@exempel.se", first_name="Nora", last_name="Ny", organisation=org_church,
        role=Role.PARTICIPANT, by=coordinator,
    )
    assert "Nora Ny" in _page(client, detail)

    title = OrganisationMembership.objects.filter(user=participant).first()
    services.profile_update(user=participant, by=participant, first_name="Pelle", last_name="Präst",
                            phone="070-174 06 99", titles={title.pk: "Diakon"})
    html = _page(client, detail)
    assert "Pelle Präst" in html and "Diakon" in html and "tel:+46701740699" in html

    services.network_member_remove(membership=NetworkMembership.objects.get(user__email="ny@exempel.se"), by=coordinator)
    assert "Nora Ny" not in _page(client, detail)


def test_stewardship_and_meetings_show_at_once(network, coordinator, org_kommun, detail):
    client = _client(coordinator)
    assert "Ingen organisation är utsedd" in _page(client, detail)
    services.stewardship_handover(
        network=network, organisation=org_kommun, contact_person=coordinator, starts_on=date(2026, 1, 1), by=coordinator
    )
    html = _page(client, detail)
    assert "Ingen organisation är utsedd" not in html and "Från och med" in html

    starts = timezone.now() + timedelta(days=30)
    meeting = meeting_services.meeting_schedule(
        network=network, by=coordinator, title="Höstträff i Växjö", starts_at=starts,
        ends_at=starts + timedelta(hours=2), place="Stadshuset",
    )
    html = _page(client, detail)
    assert "Höstträff i Växjö" in html and "0 kommer" in html
    meeting_services.meeting_invite(meeting=meeting, by=coordinator)
    invitation = Invitation.objects.get(meeting=meeting, user=coordinator)
    meeting_services.invitation_answer(invitation=invitation, response=Invitation.Response.YES, by=coordinator)
    assert "1 kommer" in _page(client, detail)
    meeting_services.meeting_cancel(meeting=meeting, by=coordinator)
    assert "1 kommer" not in _page(client, detail)


def test_a_participant_never_gets_the_coordinators_tools(network, coordinator, participant, detail):
    coordinator_html = _page(_client(coordinator), detail)  # first, by the coordinator
    assert "Samordnarens verktyg" in coordinator_html
    participant_html = _page(_client(participant), detail)
    assert "Sara Samordnare" in participant_html
    assert "Samordnarens verktyg" not in participant_html and "Bjud in medlem" not in participant_html
    membership = NetworkMembership.objects.get(network=network, user=coordinator)
    member_page = _page(_client(participant), reverse("network_member", args=[network.pk, membership.pk]))
    assert "Sara Samordnare" in member_page and "Ändra roll" not in member_page
    assert reverse("network_member_role", args=[network.pk, membership.pk]) not in member_page


def test_local_networks_link_only_where_the_viewer_is_a_member(regional_network, administrator):
    mine = f.LocalNetworkFactory(parent=regional_network, name="Mitt lokala nätverk")
    other = f.LocalNetworkFactory(parent=regional_network, name="Ett annat lokalt nätverk")
    viewer = f.MembershipFactory(network=regional_network).user
    f.MembershipFactory(network=mine, user=viewer)
    stranger = f.MembershipFactory(network=regional_network).user
    url = reverse("network_detail", args=[regional_network.pk])
    overview = reverse("network_overview", args=[regional_network.pk])
    for page in (url, overview):
        viewer_html = _page(_client(viewer), page)
        stranger_html = _page(_client(stranger), page)  # after the viewer's fragment was kept
        admin_html = _page(_client(administrator), page)
        mine_link = f'href="{reverse("network_detail", args=[mine.pk])}"'
        other_link = f'href="{reverse("network_detail", args=[other.pk])}"'
        assert mine_link in viewer_html and other_link not in viewer_html, page
        assert mine_link not in stranger_html and other_link not in stranger_html, page
        assert "Mitt lokala nätverk" in stranger_html, page
        assert mine_link in admin_html and other_link in admin_html, page


def test_each_language_has_its_own_page(coordinator, detail):
    client = _client(coordinator)
    assert "Medlemsorganisationer" in _page(client, detail)
    client.cookies["django_language"] = "en"
    english = _page(client, detail)
    assert "Member organisations" in english and "Medlemsorganisationer" not in english


def test_directory_changes_show_at_once_and_foreign_parameters_stay_out(participant, org_church, administrator):
    """The directory's results are kept HTML (networks/kept.py): every write path shows on the
    next search — the activity services, the admin — and the demo loader."""
    client = _client(participant)
    url = reverse("directory_search") + "?q=schack"
    assert "Schackklubb" not in _page(client, url)
    activity = services.activity_create(
        by=participant, organisation=org_church, title="Schackklubb för barn", description="Schack varje vecka",
        category=Activity.Category.FRITID, kommun=org_church.kommun, contact="Diakonen",
    )
    assert "Schackklubb för barn" in _page(client, url)
    services.activity_update(activity=activity, by=participant, title="Schackcirkel för barn")
    assert "Schackcirkel för barn" in _page(client, url)
    admin = _client(administrator)
    response = admin.post(reverse("admin:networks_organisation_change", args=[org_church.pk]), {
        "name": "Domkyrkoförsamlingen", "unit": org_church.unit, "kind": org_church.kind,
        "kommun": org_church.kommun_id, "lan": org_church.lan_id, "website": "",
        "organisationmembership_set-TOTAL_FORMS": "0", "organisationmembership_set-INITIAL_FORMS": "0",
        "organisationmembership_set-MIN_NUM_FORMS": "0", "organisationmembership_set-MAX_NUM_FORMS": "1000",
    })
    assert response.status_code == 302
    assert "Domkyrkoförsamlingen" in _page(client, url)
    admin.post(reverse("admin:networks_activity_delete", args=[activity.pk]), {"post": "yes"})
    assert Activity.objects.count() == 0 and "Schackcirkel" not in _page(client, url)
    services.activity_delete(
        activity=services.activity_create(by=participant, organisation=org_church, title="Schack igen",
                                          description="x", category=Activity.Category.FRITID,
                                          kommun=org_church.kommun, contact="x"),
        by=participant,
    )
    assert "Schack igen" not in _page(client, url)

    # A parameter the search does not read never shows in the page's links.
    Activity.objects.bulk_create(
        f.ActivityFactory.build(organisation=org_church, kommun=org_church.kommun, title=f"Schack {i}",
                                description="schack")
        for i in range(60)
    )
    forget_directory()  # what the bulk loaders (load_demo, seed_bench) do after their inserts
    first = _page(client, reverse("directory_search") + "?q=schack&utm=spara")
    links = re.findall(r'href="([^"]*page=2[^"]*)"', first)
    assert links and all("utm" not in link for link in links)
    other = _page(_client(f.UserFactory()), reverse("directory_search") + "?q=schack")
    assert "page=2" in other and "spara" not in other
