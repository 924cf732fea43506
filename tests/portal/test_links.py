"""portal/links.py ``href_for``: a row's link is exactly what ``reverse()`` gives, under any
script prefix, and it falls back to ``reverse()`` when the placeholder is ambiguous."""

from django.urls import get_script_prefix, reverse, set_script_prefix

from portal.links import PLACEHOLDER, href_for
from portal.queries import MAX_ID

PKS = (1, 7, 42, 1234567, int(PLACEHOLDER) + 1, MAX_ID)


def test_one_argument_is_reverse():
    href = href_for("network_detail")
    for pk in PKS:
        assert href(pk) == reverse("network_detail", args=[pk])


def test_with_fixed_arguments_is_reverse():
    href = href_for("network_member", 17)
    for pk in PKS:
        assert href(pk) == reverse("network_member", args=[17, pk])
    assert href(3) == "/natverk/17/medlemmar/3/"


def test_a_script_prefix_is_kept():
    before = get_script_prefix()
    set_script_prefix("/portal/")
    try:
        href = href_for("network_organisation", 5)
        assert href(9) == reverse("network_organisation", args=[5, 9]) == "/portal/natverk/5/organisationer/9/"
    finally:
        set_script_prefix(before)


def test_placeholder_twice_falls_back_to_reverse():
    href = href_for("network_member", PLACEHOLDER)
    assert href(8) == reverse("network_member", args=[PLACEHOLDER, 8]) == f"/natverk/{PLACEHOLDER}/medlemmar/8/"


def test_the_id_is_written_as_an_integer():
    href = href_for("network_detail")
    assert href("12") == "/natverk/12/"
