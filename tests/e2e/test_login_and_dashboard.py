"""Log in through the real login form, land on Min översikt, switch language, log out."""

import pytest
from playwright.sync_api import expect

from tests import factories as f

from .checks import check_page, label, log_in, path_of

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_login_and_dashboard(page, new_context):
    network = f.LocalNetworkFactory(name="Barnstödsnätverket i Växjö")
    user = f.MembershipFactory(
        network=network,
        user=f.UserFactory(email="sara@vaxjo.se", first_name="Sara", last_name="Samordnare"),
    ).user

    # Logged out, a member page sends the browser to the login page.
    page.goto("/natverk/")
    assert path_of(page) == "/konto/login/"
    assert "next=/natverk/" in page.url
    check_page(page)

    # The language switch, on the login page: English (allauth's own texts are English) and back.
    page.locator("button[name=language][value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert path_of(page) == "/konto/login/" and "next=/natverk/" in page.url
    expect(page.get_by_label(label("Email"))).to_be_visible()
    check_page(page)
    page.locator("button[name=language][value=sv]").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_label(label("E-postadress"))).to_be_visible()

    log_in(page, user.email, f.PASSWORD)
    assert path_of(page) == "/"
    expect(page.locator("h1")).to_have_text("Min översikt")
    expect(page.locator("main").get_by_role("link", name="Barnstödsnätverket i Växjö")).to_be_visible()
    check_page(page)

    # The language switch (Bootstrap's collapse is open at desktop width) and back.
    page.locator("button[name=language][value=en]").click()
    page.wait_for_load_state("load")
    assert path_of(page) == "/"
    expect(page.locator("html")).to_have_attribute("lang", "en")
    switch_back = page.locator("button[name=language][value=sv]")
    expect(switch_back).to_have_text("Svenska")
    check_page(page)
    switch_back.click()
    page.wait_for_load_state("load")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.locator("h1")).to_have_text("Min översikt")

    # Log out from the user menu (a Bootstrap dropdown: its script runs under the CSP).
    page.get_by_role("button", name=user.display_name).or_(
        page.get_by_role("link", name=user.display_name)
    ).click()
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_load_state("load")
    check_page(page)
    page.goto("/")
    assert path_of(page) == "/konto/login/"

    # Another browser that never logged in is sent to the login page too; it asks for English
    # in Accept-Language but gets Swedish (only the language switch chooses English).
    stranger = new_context(locale="en-US").new_page()
    stranger.goto(f"/natverk/{network.pk}/")
    assert path_of(stranger) == "/konto/login/"
    assert f"next=/natverk/{network.pk}/" in stranger.url
    expect(stranger.locator("html")).to_have_attribute("lang", "sv")
