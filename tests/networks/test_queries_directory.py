"""Query budgets for Verksamhetskatalogen (docs/performance.md): the search is a list of 50 rows
(<= 10 queries, the same for 1 and 50 rows and with ten times the data), the detail page
<= 8. Auth and session queries are included: the page's own queries are held to
``budget - AUTH_QUERIES`` (see ``page_queries`` in tests/networks/conftest.py), and the total
must not grow with the data."""

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils.http import urlencode

from networks.models import Activity, Organisation

from .. import factories as f
from .conftest import AUTH_QUERIES, DETAIL_BUDGET, LIST_BUDGET

pytestmark = pytest.mark.django_db


def _add_activities(n, *, title="Verksamhet", description="En mötesplats för familjer."):
    """``n`` activities spread over several organisations, kinds and kommuner."""
    kommuner = [f.kommun(name) for name in ("Växjö", "Ljungby", "Alvesta")]
    kinds = [Organisation.Kind.KYRKA, Organisation.Kind.IDEELL, Organisation.Kind.KOMMUN]
    organisations = [
        f.OrganisationFactory(kind=kinds[i % 3], kommun=kommuner[i % 3], lan=kommuner[i % 3].lan)
        for i in range(5)
    ]
    Activity.objects.bulk_create(
        Activity(
            organisation=organisations[i % 5],
            kommun=organisations[i % 5].kommun,
            title=f"{title} {i}",
            description=description,
            category=Activity.Category.MOTESPLATS,
            age_from=0,
            age_to=12,
            contact="Växeln",
        )
        for i in range(n)
    )


@pytest.fixture
def count(page_queries):
    """``count(client, url, params)`` -> ((all queries, own queries), response), rendered
    afresh (cold: no kept HTML, the dearest request; the data grows between two counts by bulk
    inserts, which no service sees)."""

    def _count(client, url, params=None):
        if params:
            url = f"{url}?{urlencode(params)}"
        caches["kept"].clear()
        response, queries, own = page_queries(client, url)
        assert response.status_code == 200
        return (len(queries), len(own)), response

    return _count


def _assert_budget(counts, budget, what):
    (total, own) = counts
    assert own <= budget - AUTH_QUERIES, (
        f"{what} made {own} queries of its own (+{AUTH_QUERIES} for session and user); "
        f"budget {budget}. This is a performance-critical page (docs/performance.md)."
    )


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "mötesplats familjer"},
        {"q": "mötesplats", "category": "motesplats", "organisation_kind": "kyrka", "age": "5"},
    ],
    ids=["all", "words", "words-and-filters"],
)
def test_search_query_count_is_flat(client_for, outsider, count, params):
    """Performance-critical: the directory search is a list page. The count may not depend on
    how many rows are shown or how many activities exist."""
    client = client_for(outsider)
    url = reverse("directory_search")
    client.get(url)  # first request of a session may write it; measure steady state

    _add_activities(1, title="Första")
    one, response = count(client, url, params)
    assert len(response.context["activities"]) == 1

    _add_activities(49, title="Fler")
    fifty, response = count(client, url, params)
    shown = len(response.context["activities"])
    assert shown == min(50, response.context["paginator"].count) and shown >= 20

    _add_activities(450, title="Ännu fler")
    many, response = count(client, url, params)
    assert response.context["paginator"].count >= 200

    _assert_budget(one, LIST_BUDGET, "The directory search")
    assert one == fifty == many, f"query count grew with the data: {one}, {fifty}, {many}"


def test_search_query_count_for_publisher_is_within_budget(client_for, participant, count):
    """A person with an organisation also gets the publish button (one more check)."""
    client = client_for(participant)
    url = reverse("directory_search")
    client.get(url)
    _add_activities(5)
    small, _ = count(client, url, {"q": "mötesplats"})
    _add_activities(500)
    large, _ = count(client, url, {"q": "mötesplats"})
    _assert_budget(small, LIST_BUDGET, "The directory search")
    assert small == large


def test_detail_query_count_is_flat(client_for, participant, org_church, count):
    client = client_for(participant)
    activity = f.ActivityFactory(organisation=org_church)
    url = reverse("activity_detail", args=[activity.pk])
    client.get(url)
    small, response = count(client, url)
    assert response.context["can_edit"] is True
    _add_activities(500)
    large, _ = count(client, url)
    _assert_budget(small, DETAIL_BUDGET, "The activity detail page")
    assert small == large


def test_search_filtered_by_organisation_is_within_budget(client_for, outsider, org_church, count):
    """The dashboard links to "my organisation's activities" (?organisation=)."""
    client = client_for(outsider)
    url = reverse("directory_search")
    client.get(url)
    f.ActivityFactory.create_batch(3, organisation=org_church)
    small, response = count(client, url, {"organisation": org_church.pk})
    assert response.context["filtered_organisation"] == org_church
    f.ActivityFactory.create_batch(47, organisation=org_church)
    _add_activities(500)
    large, response = count(client, url, {"organisation": org_church.pk})
    assert len(response.context["activities"]) == 50
    _assert_budget(small, LIST_BUDGET, "The directory search by organisation")
    assert small == large


@pytest.mark.parametrize("params", [{"q": "mötesplats"}, {}], ids=["words", "all"])
def test_search_past_the_limit_is_flat(client_for, outsider, count, settings, params):
    """More matches than DIRECTORY_SEARCH_MAX_RESULTS: full-text search counts the titles with
    every word too (one query more than a search within the limit), and nothing grows with the
    data past it."""
    settings.DIRECTORY_SEARCH_MAX_RESULTS = 20
    client = client_for(outsider)
    url = reverse("directory_search")
    client.get(url)
    _add_activities(30, title="Mötesplats")
    past, response = count(client, url, params)
    assert response.context["more_than_limit"] and len(response.context["activities"]) == 20
    _add_activities(500, title="Mötesplats")
    far_past, _ = count(client, url, {**params, "page": "2"})
    _assert_budget(past, LIST_BUDGET, "The directory search past its limit")
    assert past == far_past, f"query count grew with the data: {past}, {far_past}"
