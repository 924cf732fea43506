"""The coordinator's answers page (meeting_answers): 50 rows a page, a filter by answer, a name or
e-mail search, summary counts over every invitation from one aggregate query, the same number
of queries for 10 and 1,000 invitees (docs/performance.md: list of 50 rows <= 10, auth included),
and the CSV export still complete."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings.models import Invitation

pytestmark = pytest.mark.django_db

LIST_BUDGET = 10


def add_invitations(meeting, n, *, response="pending", prefix="Person", start=1, **extra):
    """``n`` invitations named "<prefix> 001" … (sorted by name in that order)."""
    rows = []
    for i in range(start, start + n):
        fields = dict(extra)
        if response == "waitlist":
            fields["waitlist_position"] = i
        rows.append(Invitation(meeting=meeting, email=f"{prefix.lower()}{i:03}@exempel.se",
                               name=f"{prefix} {i:03}", response=response, **fields))
    Invitation.objects.bulk_create(rows)


def rows_of(page):
    """The names in the table's rows, in order."""
    return re.findall(r'<th scope="row" class="fw-normal">([^<]*)<', page)


def get(client, meeting, **params):
    response = client.get(reverse("meeting_answers", args=[meeting.pk]), params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def answered(meeting):
    """60 unanswered, 2 coming, 1 on the waiting list, 3 not coming with a reason."""
    add_invitations(meeting, 60)
    add_invitations(meeting, 2, response="yes", prefix="Kommer", comment="Vegetarisk kost")
    add_invitations(meeting, 1, response="waitlist", prefix="Väntar")
    add_invitations(meeting, 3, response="no", prefix="Borta", decline_reason="Semester")
    return meeting


def test_first_page_has_50_rows_in_answer_order_and_counts_for_everyone(client_for, answered, coordinator):
    page = get(client_for(coordinator), answered)
    rows = rows_of(page)
    assert len(rows) == 50
    # coming first, then the waiting list, then the unanswered; those not coming come last
    assert rows[:4] == ["Kommer 001", "Kommer 002", "Väntar 001", "Person 001"]
    assert "Borta 001" not in rows
    assert "2 kommer, 1 på väntelistan, 3 kommer inte, 60 har inte svarat." in page
    assert "Visar 1–50 av 66 inbjudna." in page
    assert 'aria-label="Sidor i svarslistan"' in page and "Sida 1 av 2" in page
    assert reverse("meeting_answers_csv", args=[answered.pk]) in page


def test_page_two_shows_the_51st_row(client_for, answered, coordinator):
    page = get(client_for(coordinator), answered, page=2)
    rows = rows_of(page)
    assert rows[0] == "Person 048"  # 3 rows before the unanswered, so the 51st row is Person 048
    assert len(rows) == 16 and rows[-3:] == ["Borta 001", "Borta 002", "Borta 003"]
    assert "Semester" in page and "Sida 2 av 2" in page and "Föregående" in page


def test_out_of_range_or_bad_page_number(client_for, answered, coordinator):
    client = client_for(coordinator)
    last = get(client, answered, page=999)
    assert "Sida 2 av 2" in last and rows_of(last)[0] == "Person 048"
    assert rows_of(get(client, answered, page="x"))[0] == "Kommer 001"  # not a number: page 1


def test_filter_by_answer_shows_who_is_not_coming_and_why(client_for, answered, coordinator):
    client = client_for(coordinator)
    first = get(client, answered)
    assert 'href="?svar=no"' in first  # "Se vilka som inte kommer och varför"
    page = get(client, answered, svar="no")
    assert rows_of(page) == ["Borta 001", "Borta 002", "Borta 003"]
    assert page.count("Semester") == 3 and "Sida 1 av" not in page  # one page: no page links
    # the summary still counts every invitation, not the filtered rows
    assert "2 kommer, 1 på väntelistan, 3 kommer inte, 60 har inte svarat." in page
    assert rows_of(get(client, answered, svar="waitlist")) == ["Väntar 001"]
    assert rows_of(get(client, answered, svar="yes")) == ["Kommer 001", "Kommer 002"]
    assert len(rows_of(get(client, answered, svar="pending"))) == 50
    # an unknown value means "alla"
    assert len(rows_of(get(client, answered, svar="nonsense"))) == 50


def test_search_by_name_or_email(client_for, answered, coordinator):
    client = client_for(coordinator)
    assert rows_of(get(client, answered, q="person 05")) == [f"Person {i:03}" for i in range(50, 60)]
    assert rows_of(get(client, answered, q="BORTA002@EXEMPEL")) == ["Borta 002"]
    assert rows_of(get(client, answered, q="person", svar="yes")) == []
    empty = get(client, answered, q="finns-inte")
    assert rows_of(empty) == [] and "Ingen inbjuden matchar urvalet." in empty
    assert 'value="finns-inte"' in empty


def test_page_links_keep_filter_and_search(client_for, answered, coordinator):
    page = get(client_for(coordinator), answered, svar="pending", q="person")
    assert "Sida 1 av 2" in page
    links = re.findall(r'<a class="page-link" href="([^"]*)"', page)
    assert links and all("svar=pending" in link and "q=person" in link for link in links)
    assert any("page=2" in link for link in links)
    page2 = get(client_for(coordinator), answered, svar="pending", q="person", page=2)
    assert rows_of(page2) == [f"Person {i:03}" for i in range(51, 61)]


def test_csv_export_stays_complete(client_for, answered, coordinator):
    response = client_for(coordinator).get(reverse("meeting_answers_csv", args=[answered.pk]))
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 1 + 66


def test_only_coordinators_see_the_answers(client_for, answered, participant, outsider, administrator):
    url = reverse("meeting_answers", args=[answered.pk])
    before = list(Invitation.objects.order_by("pk").values_list("pk", "response"))
    for user in (participant, outsider, administrator):
        assert client_for(user).get(url, {"svar": "no", "page": 2}).status_code == 404
    assert list(Invitation.objects.order_by("pk").values_list("pk", "response")) == before


def test_empty_meeting_says_no_one_is_invited(client_for, meeting, coordinator):
    page = get(client_for(coordinator), meeting)
    assert "Ingen är inbjuden än." in page and "<table" not in page


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("params", ["", "?page=2", "?svar=pending&q=person", "?page=999"])
def test_queries_are_the_same_for_10_and_1000_invitees(client_for, meeting, coordinator, network, params):
    from meetings import services

    large = services.meeting_schedule(network=network, by=coordinator, title="Stor", place="B",
                                      starts_at=meeting.starts_at, ends_at=meeting.ends_at)
    for m, n in ((meeting, 10), (large, 1000)):
        add_invitations(m, n // 2)
        add_invitations(m, n // 4, response="no", prefix="Borta", decline_reason="Sjuk")
        add_invitations(m, n // 4, response="yes", prefix="Kommer")
    client = client_for(coordinator)
    client.get(reverse("meeting_answers", args=[meeting.pk]))  # warm up the session
    small_n = count_queries(client, reverse("meeting_answers", args=[meeting.pk]) + params)
    large_n = count_queries(client, reverse("meeting_answers", args=[large.pk]) + params)
    assert small_n == large_n, f"{small_n} queries for 10 invitees, {large_n} for 1,000"
    assert large_n <= LIST_BUDGET
