"""allauth's pages in the portal's look (Swedish, Bootstrap, labelled fields, no CSP problem,
no serious axe violation): password reset, password change, re-authentication, two-step
verification with an authenticator app and recovery codes, my sessions, log-out."""

import re
import time

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import expect

from tests import factories as f

from .checks import check_page, label, log_in, path_of

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_password_reset_pages(page):
    page.goto("/konto/login/")
    page.locator("main").get_by_role("link", name="Glömt lösenordet?").click()
    assert path_of(page) == "/konto/password/reset/"
    check_page(page)
    page.get_by_label(label("E-postadress")).fill("finns-inte@exempel.se")
    page.get_by_role("button", name="Skicka länk").click()
    assert path_of(page) == "/konto/password/reset/done/"
    expect(page.locator("h1")).to_have_text("Titta i din e-post")
    check_page(page)
    page.goto("/konto/password/reset/key/1-ogiltig/")
    check_page(page)


def test_account_pages_when_logged_in(page):
    user = f.UserFactory(email="per@kyrkan.se", first_name="Per", last_name="Präst")
    log_in(page, user.email, f.PASSWORD)

    page.goto("/konto/password/change/")
    expect(page.get_by_label(label("Nuvarande lösenord"))).to_be_visible()
    check_page(page)

    page.goto("/konto/sessions/")
    expect(page.locator("h1")).to_have_text("Mina inloggningar")
    check_page(page)

    # Two-step verification: re-authenticate, activate an authenticator app, see the codes.
    page.goto("/konto/2fa/")
    check_page(page)
    page.locator("main").get_by_role("link", name="Aktivera").click()
    assert path_of(page) == "/konto/reauthenticate/"
    check_page(page)
    page.get_by_label(label("Lösenord")).fill(f.PASSWORD)
    page.locator("main").get_by_role("button").click()
    assert path_of(page) == "/konto/2fa/totp/activate/"
    check_page(page)
    secret = page.locator("#authenticator_secret").input_value()
    code = format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))
    page.get_by_label(label("Autentiseringskod")).fill(code)
    page.locator("main").get_by_role("button", name="Aktivera").click()
    page.wait_for_load_state("load")
    assert re.match(r"^/konto/2fa/", path_of(page))
    check_page(page)
    page.goto("/konto/2fa/recovery-codes/")
    check_page(page)

    page.goto("/konto/logout/")
    check_page(page)
    page.locator("main").get_by_role("button", name="Logga ut").click()
    page.wait_for_load_state("load")
    page.goto("/")
    assert path_of(page) == "/konto/login/"
