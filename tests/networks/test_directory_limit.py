"""Verksamhetskatalogen with more matches than a search shows (``DIRECTORY_SEARCH_MAX_RESULTS``):
the count stops at the limit and says so, the best matches come first, the filters still hold,
pages end at the limit, and no query string makes the page fail (networks/directory.py
``SearchResults``; docs/performance.md, "The directory at national size")."""

import pytest
from django.urls import reverse

from networks.directory import search_results
from networks.models import Activity

from .. import factories as f

pytestmark = pytest.mark.django_db

URL = reverse("directory_search")


def _activities(organisation, titles, *, description="En träff för barn och vuxna.", kommun=None):
    Activity.objects.bulk_create(
        Activity(
            organisation=organisation,
            kommun=kommun or organisation.kommun,
            title=title,
            description=description,
            category=Activity.Category.MOTESPLATS,
            contact="Växeln",
        )
        for title in titles
    )


def _heading(html):
    start = html.index('id="results-heading"')
    return " ".join(html[start : html.index("</h2>", start)].split())


def test_more_matches_than_the_limit_says_so_and_counts_only_to_it(client_for, outsider, org_church, settings):
    settings.DIRECTORY_SEARCH_MAX_RESULTS = 60
    _activities(org_church, [f"Läxhjälp {i:02d}" for i in range(75)])
    response = client_for(outsider).get(URL, {"q": "läxhjälp"})
    assert response.status_code == 200
    paginator = response.context["paginator"]
    assert paginator.count == 60
    assert paginator.num_pages == 2
    html = response.content.decode()
    assert "Fler än 60 verksamheter" in _heading(html)
    assert "Lägg till ett sökord eller välj kommun eller kategori för att se färre." in html
    ranked = response.context["ranked"]
    assert ("Här visas de 60 som passar bäst." in html) is ranked  # full-text search: ranked
    assert ("Här visas de 60 första i bokstavsordning." in html) is not ranked  # SQLite
    assert "Sida 1 av 2" in html

    second = client_for(outsider).get(URL, {"q": "läxhjälp", "page": 2})
    assert len(second.context["activities"]) == 10  # 60 shown in all, not 75
    assert "?page=3" not in second.content.decode().replace("&amp;", "&")


def test_exactly_the_limit_is_an_ordinary_count(client_for, outsider, org_church, settings):
    settings.DIRECTORY_SEARCH_MAX_RESULTS = 5
    _activities(org_church, [f"Läxhjälp {i}" for i in range(5)])
    html = client_for(outsider).get(URL, {"q": "läxhjälp"}).content.decode()
    assert _heading(html).endswith("5 verksamheter")
    assert "Fler än" not in html


def test_without_words_the_limit_is_in_title_order(client_for, outsider, org_church, settings):
    settings.DIRECTORY_SEARCH_MAX_RESULTS = 3
    _activities(org_church, ["Dans", "Bad", "Cirkus", "Ateljé", "Eko"])
    response = client_for(outsider).get(URL)
    assert [a.title for a in response.context["activities"]] == ["Ateljé", "Bad", "Cirkus"]
    html = response.content.decode()
    assert "Fler än 3 verksamheter" in _heading(html)
    assert "Här visas de 3 första i bokstavsordning." in html


def test_the_best_matches_come_first_within_the_limit(org_church, is_postgres, settings):
    """Two title matches ("Ö…", last by title) and five description matches ("A…"): with room
    for three, full-text search shows the two title matches first; SQLite lists by title."""
    settings.DIRECTORY_SEARCH_MAX_RESULTS = 3
    _activities(org_church, [f"A-verksamhet {i}" for i in range(5)], description="Här finns läxhjälp.")
    _activities(org_church, ["Öppen läxhjälp", "Örebros läxhjälp"])
    results = search_results(q="läxhjälp")
    shown = [a.title for a in results[0:50]]
    assert results.count() == 3 and results.more
    if is_postgres:
        assert results.ranked
        assert set(shown[:2]) == {"Öppen läxhjälp", "Örebros läxhjälp"}
        assert shown[2] == "A-verksamhet 0"  # equal rank: by title
    else:
        assert not results.ranked
        assert shown == ["A-verksamhet 0", "A-verksamhet 1", "A-verksamhet 2"]


def test_ranking_holds_across_pages(org_church, is_postgres, settings):
    """Page two continues where page one stopped, in the same order as one long list."""
    settings.DIRECTORY_SEARCH_MAX_RESULTS = 500
    _activities(org_church, [f"B {i:02d}" for i in range(40)], description="Läxhjälp.")
    _activities(org_church, [f"Läxhjälp {i:02d}" for i in range(30)])
    results = search_results(q="läxhjälp")
    first, second = [a.title for a in results[0:50]], [a.title for a in results[50:100]]
    everything = [a.title for a in results[0:500]]
    assert first + second == everything and len(everything) == 70
    if is_postgres:
        assert everything[:30] == [f"Läxhjälp {i:02d}" for i in range(30)]


def test_filters_still_hold_past_the_limit(client_for, outsider, org_church, settings):
    settings.DIRECTORY_SEARCH_MAX_RESULTS = 4
    elsewhere = f.kommun("Ljungby")
    _activities(org_church, [f"Läxhjälp hemma {i}" for i in range(10)])
    _activities(org_church, [f"Läxhjälp borta {i}" for i in range(6)], kommun=elsewhere)
    response = client_for(outsider).get(URL, {"q": "läxhjälp", "kommun": elsewhere.pk})
    shown = response.context["activities"]
    assert len(shown) == 4 and {a.kommun_id for a in shown} == {elsewhere.pk}
    assert "Fler än 4 verksamheter" in _heading(response.content.decode())
    response = client_for(outsider).get(URL, {"q": "läxhjälp", "kommun": elsewhere.pk, "category": "laxhjalp"})
    assert list(response.context["activities"]) == []
    assert "Inga verksamheter matchar sökningen." in response.content.decode()


@pytest.mark.parametrize("page", ["3", "999999999999999999999999", "-1", "0", "abc", "", "2.5", "1e3"])
def test_a_page_past_the_limit_or_not_a_number_answers_a_page(client_for, outsider, org_church, settings, page):
    settings.DIRECTORY_SEARCH_MAX_RESULTS = 60
    _activities(org_church, [f"Läxhjälp {i:02d}" for i in range(75)])
    response = client_for(outsider).get(URL, {"q": "läxhjälp", "page": page})
    assert response.status_code == 200
    assert response.context["page_obj"].number in (1, 2)
    assert 1 <= len(response.context["activities"]) <= 50


@pytest.mark.parametrize(
    "params",
    [
        {"q": '"läxhjälp'},
        {"q": "läxhjälp -"},
        {"q": "or or or"},
        {"q": "läxhjälp:* & !| ( )"},
        {"q": "-läxhjälp"},
        {"q": "\x00"},
        {"q": "ö" * 201},
        {"q": "i och att"},  # stop words only: nothing to search for in Swedish
        {"q": "läxhjälp", "kommun": "99999999"},
        {"q": "läxhjälp", "organisation": "-4"},
        {"q": ["läxhjälp", "mer"], "page": ["1", "2"]},
    ],
)
def test_bad_query_parameters_never_fail(client_for, outsider, org_church, settings, params):
    settings.DIRECTORY_SEARCH_MAX_RESULTS = 3
    _activities(org_church, [f"Läxhjälp {i}" for i in range(5)])
    response = client_for(outsider).get(URL, params)
    assert response.status_code == 200


def test_titles_with_every_word_come_first(org_church, is_postgres):
    """Full-text search: an activity whose title has every word comes before one whose title
    has only some of them, whatever the description says; each tier is ranked within itself."""
    _activities(org_church, ["Läxhjälp i Växjö"], description="För familjer, familjer och familjer.")
    _activities(org_church, ["Läxhjälp för familjer"], description="Onsdagar.")
    _activities(org_church, ["Aktivitet för familjer"], description="Läxhjälp.")
    shown = [a.title for a in search_results(q="läxhjälp familjer")[0:50]]
    if is_postgres:
        assert shown[0] == "Läxhjälp för familjer"
        assert sorted(shown[1:]) == ["Aktivitet för familjer", "Läxhjälp i Växjö"]
    else:
        assert shown == ["Aktivitet för familjer", "Läxhjälp för familjer", "Läxhjälp i Växjö"]


@pytest.mark.parametrize("boundary", [0, 1, 49, 50, 51])
def test_pages_are_one_long_list_wherever_the_titles_end(org_church, settings, boundary):
    """However many titles match, the pages together are the whole list once, in order."""
    settings.DIRECTORY_SEARCH_MAX_RESULTS = 500
    _activities(org_church, [f"Läxhjälp {i:03d}" for i in range(boundary)])
    _activities(org_church, [f"B {i:03d}" for i in range(120 - boundary)], description="Läxhjälp.")
    results = search_results(q="läxhjälp")
    pages = [a.pk for start in (0, 50, 100) for a in results[start : start + 50]]
    assert pages == [a.pk for a in results[0:500]]
    assert len(set(pages)) == 120 == results.count()


def test_the_title_index_serves_the_titles(org_church, is_postgres):
    """The title's own vector (migration 0009) is indexed, and its index serves the titles."""
    if not is_postgres:
        assert search_results(q="läxhjälp").ranked is False
        return
    from django.db import connection, transaction

    _activities(org_church, [f"Aktivitet {i}" + (" med läxhjälp" if i % 100 == 0 else "") for i in range(2000)])
    titles = search_results(q="läxhjälp")._title_matches()
    assert titles.count() == 20
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("ANALYZE networks_activity")
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = titles.explain()
    assert "activity_title_sv" in plan, plan


def test_a_word_left_out_is_left_out_of_the_titles_first_too(org_church, settings, is_postgres):
    """"-ord" (web search syntax): a title without the word does not bring an activity whose
    description has it among the matches. (SQLite's fallback reads every word as wanted.)"""
    settings.DIRECTORY_SEARCH_MAX_RESULTS = 2
    _activities(org_church, ["Läxhjälp A", "Läxhjälp B"], description="Även för syskon.")
    _activities(org_church, ["Läxhjälp C", "Läxhjälp D", "Läxhjälp E"])
    results = search_results(q="läxhjälp -syskon")
    shown = [a.title for a in results[0:50]]
    if not is_postgres:
        assert shown == ["Läxhjälp A", "Läxhjälp B"] and not results.more
        return
    assert results.more and shown == ["Läxhjälp C", "Läxhjälp D"]
    assert [a.title for a in search_results(q="läxhjälp -syskon", limit=10)[0:50]] == [
        "Läxhjälp C", "Läxhjälp D", "Läxhjälp E"
    ]
