"""On a phone (390 × 844, an iPhone 12–15): the pages fit the width and the menu collapses to
a button that opens it."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from networks.demo import DEMO_PASSWORD, demo_logins

from .checks import assert_no_horizontal_scroll, check_page, label, log_in, path_of

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", quiet=True)


def test_mobile(demo, new_context):
    page = new_context(**PHONE).new_page()
    # The regional coordinator: the widest dashboard of the demo log-ins.
    email = next(email for role, email, _hint in demo_logins() if role.startswith("Regional samordnare"))
    log_in(page, email, DEMO_PASSWORD)
    assert path_of(page) == "/"
    expect(page.locator("h1")).to_have_text("Min översikt")
    assert_no_horizontal_scroll(page)
    check_page(page)

    # The menu is collapsed behind the toggler; the toggler opens it.
    menu = page.locator("#mainnav")
    toggler = page.get_by_role("button", name="Visa menyn")
    expect(toggler).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "false")
    expect(menu.get_by_role("link", name="Verksamhetskatalog")).to_be_hidden()
    toggler.click()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(menu).to_have_class(re.compile(r"\bshow\b"))
    directory_link = menu.get_by_role("link", name="Verksamhetskatalog")
    expect(directory_link).to_be_visible()
    assert_no_horizontal_scroll(page)
    directory_link.click()

    # The directory, before and after a search, still fits.
    expect(page.locator("h1")).to_have_text("Verksamhetskatalog")
    expect(menu).not_to_be_visible()
    assert_no_horizontal_scroll(page)
    check_page(page)
    page.get_by_label(label("Sökord")).fill("stöd")
    page.get_by_role("button", name="Sök", exact=True).click()
    expect(page.locator("main ol article").first).to_be_visible()
    assert_no_horizontal_scroll(page)
    check_page(page)

    # A network page with its member table (the table scrolls inside its own box).
    page.goto("/natverk/")
    expect(page.locator("h1")).to_be_visible()
    assert_no_horizontal_scroll(page)
    check_page(page)
    page.locator("main").get_by_role("link", name="Barnstödsnätverket i Växjö", exact=True).click()
    expect(page.locator("h1")).to_have_text("Barnstödsnätverket i Växjö")
    assert_no_horizontal_scroll(page)
    check_page(page)
