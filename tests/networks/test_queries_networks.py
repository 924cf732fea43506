"""Query budgets for the network pages (docs/performance.md): the network list is a list of up
to 50 rows (<= 10 queries), and so is the regional overview (a table of every kommun); the network detail is a detail page
(<= 8). Auth and session queries are included: a page's own queries are held to
``budget - AUTH_QUERIES`` (see ``page_queries`` in tests/networks/conftest.py), and the total
must be exactly the same when the data grows tenfold.

Each page is measured cold (rendered afresh) and warm (kept HTML allowed, portal/kept.py): the
second request shows the same page with no more queries."""

import itertools
import re
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db.models import F
from django.urls import reverse

from networks.models import (
    NetworkMembership,
    NetworkOrganisation,
    Organisation,
    OrganisationMembership,
    Stewardship,
)

from .. import factories as f
from .conftest import AUTH_QUERIES, DETAIL_BUDGET, LIST_BUDGET

pytestmark = pytest.mark.django_db

User = get_user_model()
KINDS = Organisation.Kind.values
_seq = itertools.count()


def populate(network, *, members, organisations, periods):
    """Give ``network`` ``members`` members spread over ``organisations`` member organisations
    of every kind (with titles), and ``periods`` stewardship periods (the last one current)."""
    kommun = network.kommun or f.kommun("Växjö")
    batch = next(_seq)
    orgs = Organisation.objects.bulk_create(
        Organisation(name=f"Org {batch}-{i}", kind=KINDS[i % len(KINDS)], kommun=kommun, lan=kommun.lan)
        for i in range(organisations)
    )
    NetworkOrganisation.objects.bulk_create(NetworkOrganisation(network=network, organisation=o) for o in orgs)
    users = User.objects.bulk_create(
        User(email=f"m{batch}-{i}@exempel.se", first_name=f"Förnamn{i}", last_name="Efternamn",
             phone=f"070-{i:07d}", password="!unusable" if i % 4 == 0 else "md5$x$y")
        for i in range(members)
    )
    OrganisationMembership.objects.bulk_create(
        OrganisationMembership(user=u, organisation=orgs[i % len(orgs)], title="Kurator")
        for i, u in enumerate(users)
    )
    NetworkMembership.objects.bulk_create(
        NetworkMembership(
            network=network, user=u, organisation=orgs[i % len(orgs)],
            role=NetworkMembership.Role.COORDINATOR if i % 10 == 0 else NetworkMembership.Role.PARTICIPANT,
        )
        for i, u in enumerate(users)
    )
    Stewardship.objects.filter(network=network, ends_on__isnull=True).update(ends_on=F("starts_on"))
    start = date(2020, 1, 1)
    Stewardship.objects.bulk_create(
        Stewardship(
            network=network, organisation=orgs[i % len(orgs)], contact_person=users[i % len(users)],
            starts_on=start + timedelta(days=30 * i),
            ends_on=None if i == periods - 1 else start + timedelta(days=30 * i + 29),
        )
        for i in range(periods)
    )
    return users


def _without_tokens(response):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def _counts(page_queries, client, url):
    """Queries of ``url`` rendered afresh (cold: no kept HTML, the dearest request); checks that
    the next request (warm: kept HTML allowed) shows the same page with no more queries."""
    caches["kept"].clear()
    response, queries, own = page_queries(client, url)
    assert response.status_code == 200, url
    warm, _warm_queries, warm_own = page_queries(client, url)
    assert _without_tokens(warm) == _without_tokens(response)
    assert len(warm_own) <= len(own)
    return len(queries), len(own), response


def _assert_budget(own, budget, what):
    assert own <= budget - AUTH_QUERIES, (
        f"{what} made {own} queries of its own (+{AUTH_QUERIES} for session and user); "
        f"budget {budget}. This is a performance-critical page (docs/performance.md)."
    )


def _assert_flat(small, large, what):
    assert large == small, (
        f"{what}: {small} queries with the small data set, {large} with ten times the data. "
        "A query in a loop (N+1)? Use select_related/prefetch_related/annotations."
    )


# --- Network list --------------------------------------------------------------------------


def _member_of_networks(user, count):
    networks = [f.LocalNetworkFactory() for _ in range(count)]
    org = f.OrganisationFactory()
    for n in networks:
        populate(n, members=3, organisations=2, periods=2)
        NetworkMembership.objects.create(network=n, user=user, organisation=org)
    return networks


def test_network_list_query_count_is_flat_for_a_member(client_for, outsider, page_queries):
    """Performance-critical: the list of my networks, 5 and then 50 rows."""
    client = client_for(outsider)
    url = reverse("network_list")
    client.get(url)  # the first request of a session writes it; measure the steady state

    _member_of_networks(outsider, 5)
    small_total, small_own, response = _counts(page_queries, client, url)
    assert len(response.context["networks"]) == 5

    _member_of_networks(outsider, 45)
    large_total, large_own, response = _counts(page_queries, client, url)
    assert len(response.context["networks"]) == 50
    assert all(n.current_stewardship is not None for n in response.context["networks"])
    assert all(n.member_count == 4 for n in response.context["networks"])

    _assert_budget(large_own, LIST_BUDGET, "The network list")
    _assert_flat(small_total, large_total, "The network list")
    assert small_own == large_own


def test_network_list_query_count_is_flat_for_an_administrator(
    client_for, administrator, page_queries, django_assert_num_queries
):
    client = client_for(administrator)
    url = reverse("network_list")
    client.get(url)
    for _ in range(6):
        populate(f.LocalNetworkFactory(), members=2, organisations=2, periods=1)
    small_total, small_own, _ = _counts(page_queries, client, url)
    for _ in range(54):  # 60 networks: a full first page and a second one
        populate(f.LocalNetworkFactory(), members=2, organisations=2, periods=1)
    with django_assert_num_queries(small_total):
        response = client.get(url)
    assert len(response.context["networks"]) == 50
    _assert_budget(small_own, LIST_BUDGET, "The network list (administrator)")


# --- Network detail ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["local", "regional"])
def test_network_detail_query_count_is_flat(
    kind, client_for, coordinator, regional_coordinator, network, regional_network, page_queries
):
    """Performance-critical: the detail page with 5 and then 50 members (and ten times the
    member organisations, stewardship periods and local networks)."""
    target, user = (network, coordinator) if kind == "local" else (regional_network, regional_coordinator)
    client = client_for(user)
    url = reverse("network_detail", args=[target.pk])
    client.get(url)

    populate(target, members=4, organisations=3, periods=2)
    if kind == "regional":
        for _ in range(2):
            f.LocalNetworkFactory(parent=regional_network)
    small_total, small_own, response = _counts(page_queries, client, url)
    assert len(response.context["member_page"].object_list) == 5

    populate(target, members=45, organisations=27, periods=18)
    if kind == "regional":
        for _ in range(18):
            f.LocalNetworkFactory(parent=regional_network)
    large_total, large_own, response = _counts(page_queries, client, url)
    assert len(response.context["member_page"].object_list) == 50
    html = response.content.decode()
    assert html.count("Inbjuden – har inte loggat in än") == 13  # every fourth of each batch
    if kind == "regional":
        assert len(response.context["local_networks"]) == 21

    _assert_budget(large_own, DETAIL_BUDGET, f"The {kind} network detail page")
    _assert_flat(small_total, large_total, f"The {kind} network detail page")


# --- Regional overview ---------------------------------------------------------------------


def _local_networks(regional, count):
    kommuner = ["Växjö", "Ljungby", "Alvesta", "Älmhult", "Tingsryd"]
    for i in range(count):
        local = f.LocalNetworkFactory(parent=regional, kommun=f.kommun(kommuner[i % len(kommuner)]))
        populate(local, members=5, organisations=7, periods=2)


def test_regional_overview_query_count_is_flat(client_for, regional_coordinator, regional_network, page_queries):
    """Performance-critical: the overview with 2 and then 20 local networks."""
    client = client_for(regional_coordinator)
    url = reverse("network_overview", args=[regional_network.pk])
    client.get(url)

    _local_networks(regional_network, 2)
    small_total, small_own, response = _counts(page_queries, client, url)
    assert sum(len(k["local_networks"]) for k in response.context["kommuner"]) == 2

    _local_networks(regional_network, 18)
    large_total, _large_own, response = _counts(page_queries, client, url)
    assert large_total == small_total
    rows = [n for k in response.context["kommuner"] for n in k["local_networks"]]
    assert len(rows) == 20
    assert all(n.member_count == 5 and sum(n.kind_counts) == 7 for n in rows)
    assert all(n.current_stewardship is not None for n in rows)
    assert response.context["covered_count"] == 5

    _assert_budget(small_own, LIST_BUDGET, "The regional overview (a table of every kommun: a list)")

