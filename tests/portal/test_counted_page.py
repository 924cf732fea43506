"""portal.queries.counted_page: a page and its total in one query, for model instances and for
values rows, and a page past the last shows the last."""

import pytest
from django.contrib.auth import get_user_model

from portal.queries import counted_page, with_total

from .. import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def seven_people():
    return [f.UserFactory(email=f"person{i}@exempel.se") for i in range(7)]


def _people():
    return with_total(get_user_model().objects.filter(email__startswith="person")).order_by("email")


@pytest.mark.parametrize("as_rows", [False, True], ids=["instances", "values"])
def test_a_page_and_its_total_in_one_query(seven_people, django_assert_num_queries, as_rows):
    people = _people().values("email", "total") if as_rows else _people()
    with django_assert_num_queries(1):
        page = counted_page(people, 2, 3)
    emails = [p["email"] if as_rows else p.email for p in page.object_list]
    assert emails == ["person3@exempel.se", "person4@exempel.se", "person5@exempel.se"]
    assert page.paginator.count == 7
    assert page.paginator.num_pages == 3
    assert (page.number, page.has_next(), page.has_previous()) == (2, True, True)
    assert (page.start_index(), page.end_index()) == (4, 6)


def test_a_page_past_the_last_shows_the_last(seven_people, django_assert_num_queries):
    with django_assert_num_queries(3):  # the page asked for, the first (for the total), the last
        page = counted_page(_people(), 9, 3)
    assert page.number == 3
    assert [p.email for p in page.object_list] == ["person6@exempel.se"]
    assert page.paginator.count == 7


def test_nothing_to_show_is_page_one_of_nothing(django_assert_num_queries):
    with django_assert_num_queries(1):
        page = counted_page(_people(), 1, 3)
    assert (page.number, list(page.object_list), page.paginator.count) == (1, [], 0)
    with django_assert_num_queries(2):
        page = counted_page(_people(), 4, 3)
    assert (page.number, list(page.object_list), page.paginator.count) == (1, [], 0)


def test_a_number_below_one_is_the_first_page_and_the_paginator_still_pages(seven_people):
    page = counted_page(_people(), 0, 3)
    assert (page.number, page.paginator.count) == (1, 7)
    assert [p.email for p in page.object_list] == ["person0@exempel.se", "person1@exempel.se", "person2@exempel.se"]
    assert [p.email for p in page.paginator.page(3).object_list] == ["person6@exempel.se"]
