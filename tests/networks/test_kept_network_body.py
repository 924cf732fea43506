"""The network page's kept body (networks/kept.py NETWORK_BODY): kept for the next request, the
same for everyone who may see the network, and every write path shows on the next request —
each service that changes what it shows, the admin, and the bulk loaders."""

import re
from datetime import date

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from networks import services
from networks.models import Network, NetworkInvitation, NetworkMembership, OrganisationMembership

from .. import factories as f

pytestmark = pytest.mark.django_db
Role = NetworkMembership.Role


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def body(client, network, page=1):
    html = client.get(reverse("network_detail", args=[network.pk]) + f"?sida={page}").content.decode()
    start = html.index('<div class="row g-4 mb-4">')
    end = re.search(r'<section class="mb-4" aria-labelledby="(regionalt|lokala)-rubrik">|</main>', html[start:])
    return html[start:start + end.start()]


def kept_keys():
    return [k for k in caches["kept"]._cache if "networks.network_body" in k]


def test_kept_once_and_the_same_for_every_viewer(network, coordinator, participant, administrator,
                                                 django_assert_max_num_queries):
    first = body(_client(coordinator), network)
    assert kept_keys(), "the body is kept"
    participant_body = body(_client(participant), network)
    assert participant_body == first
    assert body(_client(administrator), network) == first
    assert "csrfmiddlewaretoken" not in "".join(str(v) for v in caches["kept"]._cache.values())
    # the kept body holds no coordinator's tools: those are rendered around it, per viewer
    assert "Samordnarens verktyg" not in first
    client = _client(participant)
    client.get(reverse("network_detail", args=[network.pk]))  # a first request fills the session
    # session, user, network (with the viewer's role), the meetings section: the body is kept
    with django_assert_max_num_queries(4, info="the body comes from the cache"):
        client.get(reverse("network_detail", args=[network.pk]))


def test_every_service_shows_on_the_next_request(network, coordinator, participant, org_kommun, org_church):
    client = _client(coordinator)
    assert "Per Präst" in body(client, network)
    services.network_update(network=network, by=coordinator, name=network.name, purpose="Vi ses varje termin.")
    assert "Vi ses varje termin." in body(client, network)
    membership = NetworkMembership.objects.get(network=network, user=participant)
    services.network_member_set_role(membership=membership, role=Role.COORDINATOR, by=coordinator)
    row = re.search(r"<tr>\s*<th[^>]*><a[^>]*>Per Präst</a>.*?</tr>", body(client, network), re.S).group(0)
    assert "badge text-bg-primary" in row
    new = services.network_member_invite(network=network, email="ny@exempel.se", first_name="Nora", last_name="Ny",
                                         organisation=org_church, role=Role.PARTICIPANT, by=coordinator)
    assert "Nora Ny" in body(client, network) and "Inbjuden – har inte loggat in än" in body(client, network)
    services.network_invitation_accept(invitation=NetworkInvitation.objects.get(user=new.user),
                                       password="ett-långt-lösenord-för-nora")
    assert "Inbjuden – har inte loggat in än" not in body(client, network)
    title = OrganisationMembership.objects.get(user=participant)
    services.profile_update(user=participant, by=participant, first_name="Pelle", last_name="Präst",
                            phone="070-174 06 98", titles={title.pk: "Diakon"})
    assert "Pelle Präst" in body(client, network) and "Diakon" in body(client, network)
    services.network_member_remove(membership=new, by=coordinator)
    assert "Nora Ny" not in body(client, network)
    other = f.OrganisationFactory(name="Fritidsgården Araby", kind="kommun", kommun=org_kommun.kommun)
    services.network_organisation_add(network=network, organisation=other, by=coordinator)
    assert "Fritidsgården Araby" in body(client, network)
    services.network_organisation_remove(network=network, organisation=other, by=coordinator)
    assert "Fritidsgården Araby" not in body(client, network)
    services.stewardship_handover(network=network, organisation=org_kommun, contact_person=coordinator,
                                  starts_on=date(2026, 1, 1), by=coordinator)
    assert "Från och med 1 januari 2026" in body(client, network)


def test_every_page_of_the_member_list_is_forgotten_together(network, coordinator, org_church):
    for i in range(60):
        f.MembershipFactory(network=network, organisation=org_church,
                            user=f.UserFactory(first_name=f"Zäta{i:02d}", last_name="Sist"))
    client = _client(coordinator)
    assert "Zäta59 Sist" in body(client, network, page=2)
    body(client, network, page=1)
    last = NetworkMembership.objects.get(user__first_name="Zäta59")
    services.network_member_remove(membership=last, by=coordinator)
    assert "Zäta59" not in body(client, network, page=2)


def test_the_admin_shows_on_the_next_request(network, coordinator, participant, administrator):
    client = _client(coordinator)
    assert "Per Präst" in body(client, network)
    membership = NetworkMembership.objects.get(network=network, user=participant)
    response = _client(administrator).post(
        reverse("admin:networks_networkmembership_delete", args=[membership.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert "Per Präst" not in body(client, network)


def test_the_demo_loader_shows_on_the_next_request(db):
    call_command("load_demo", quiet=True)
    network = Network.objects.get(name="Barnstödsnätverket i Växjö")
    coordinator = NetworkMembership.objects.filter(network=network, role=Role.COORDINATOR).first().user
    client = _client(coordinator)
    before = body(client, network)
    NetworkMembership.objects.filter(network=network, role=Role.PARTICIPANT).delete()  # a bulk change …
    from networks.demo import load_demo

    load_demo()  # … and a loader run: it forgets the networks it loads
    assert body(client, network) != before
