"""portal.links.link_maker and {% link %}: the same URL as reverse()/{% url %}, for integer
ids only."""

import pytest
from django.template import engines
from django.urls import NoReverseMatch, reverse

from portal.links import link_maker

ROUTES = [
    ("childplans:plan_detail", 1),
    ("childplans:action_update", 2),
    ("childplans:map", 1),
    ("network_detail", 1),
]


@pytest.mark.parametrize(("viewname", "count"), ROUTES)
def test_the_same_url_as_reverse(viewname, count):
    make = link_maker(viewname, count)
    for ids in [(1,) * count, (918273645,) * count, tuple(range(7, 7 + count)), (2**40,) * count]:
        assert make(*ids) == reverse(viewname, args=ids)


def test_only_integer_ids_and_the_right_number():
    make = link_maker("childplans:action_update", 2)
    with pytest.raises(ValueError):
        make(1, "2/../../admin")
    with pytest.raises(TypeError):
        make(1)
    with pytest.raises(NoReverseMatch):
        link_maker("childplans:plan_list", 1)(3)  # the route takes no id


def test_the_template_tag_gives_what_url_gives():
    template = engines["django"].from_string(
        "{% link 'childplans:action_update' a b %}|{% url 'childplans:action_update' a b %}"
    )
    first, second = template.render({"a": 12, "b": 345}).split("|")
    assert first == second and "/12/" in first and first.endswith("/345/")
