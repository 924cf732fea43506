"""A newcomer's first hour, in a real browser, using only what ``./portal.sh run`` printed and
the labels on the pages (issue 11): the contact person from the printed log-ins logs in with
the printed password and the code ``./portal.sh totp EMAIL`` gives, finds "Barnens planer" in
the menu, sees the demo plans, opens the plan and its network map (the README's screenshots are
taken here, so they stay current), logs out; the police officer from the same list logs in the
same way and gets 404 on every one of those plans. Every page passes the browser suite's
checkers (tests/e2e/checks.py)."""

import re
import time
from io import StringIO
from pathlib import Path

import pytest
from allauth.mfa import app_settings as mfa_settings
from django.core.management import call_command
from playwright.sync_api import expect

from .checks import check_page, label, path_of

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DEMO_SECRET = "BARNSTODSPORTALENDEMOKOD"


@pytest.fixture
def printed(transactional_db, settings):
    """What ``./portal.sh run`` prints after loading the demo (its ``load_demo`` step)."""
    settings.DEMO_TOTP_SECRET = DEMO_SECRET
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def row_for(printed, role_start):
    """(e-mail) of the printed log-in whose role starts with ``role_start``."""
    for line in printed.splitlines():
        if line.startswith(role_start):
            return re.search(r"\S+@\S+", line).group(0)
    raise AssertionError(f"no printed log-in for {role_start!r}:\n{printed}")


def totp_now(email):
    """What ``./portal.sh totp EMAIL`` prints (manage.py demo_totp), close to a period's end
    waiting for the next one, so that the code is still valid when the form arrives."""
    period = mfa_settings.TOTP_PERIOD
    left = period - time.time() % period
    if left < 3:
        time.sleep(left + 0.1)
    out = StringIO()
    call_command("demo_totp", email, stdout=out)
    return out.getvalue().strip()


def log_in(page, printed, email):
    password = re.search(r"samma lösenord för alla: (\S+)\)", printed).group(1)
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/konto/login/"))
    check_page(page)
    page.get_by_label(label("E-postadress")).fill(email)
    page.get_by_label(label("Lösenord")).fill(password)
    page.locator("main").get_by_role("button", name="Logga in").click()
    page.wait_for_load_state("load")
    assert path_of(page) == "/konto/2fa/authenticate/", page.url
    check_page(page)
    page.locator("main").get_by_role("textbox").fill(totp_now(email))
    page.locator("main").get_by_role("button", name="Logga in").click()
    page.wait_for_load_state("load")
    assert path_of(page) == "/", page.locator("main").inner_text()
    check_page(page)


def screenshot(page, name):
    """A picture of the whole page for the README (docs/screenshots/), without a focus ring."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def log_out(page):
    page.locator("header .dropdown-toggle").click()
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_load_state("load")


def test_a_newcomer_finds_the_plans_and_the_police_officer_gets_404(printed, page, new_context):
    assert DEMO_SECRET in printed and "./portal.sh totp" in printed
    contact = row_for(printed, "Kontaktperson")
    police = row_for(printed, "Polis")

    log_in(page, printed, contact)
    # Plan work first on Min översikt, without a child's name.
    expect(page.get_by_role("heading", name="Vad kan jag göra nu?")).to_be_visible()
    expect(page.locator("main")).to_contain_text("ta över som kontaktperson")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Barnens planer").click()
    expect(page.locator("h1")).to_have_text(re.compile("planer", re.IGNORECASE))
    check_page(page)
    plans = page.locator("main table tbody tr")
    for child in ("Saga Påhittad", "Milo Exempelsson", "Alva Demosson", "Ella Fiktivsson"):
        expect(page.locator("main")).to_contain_text(child)
    plan_urls = [
        link.get_attribute("href")
        for link in plans.get_by_role("link").all()
        if re.fullmatch(r"/planer/\d+/", link.get_attribute("href") or "")
    ]
    assert len(set(plan_urls)) >= 4, plan_urls

    page.get_by_role("link", name=re.compile("Saga Påhittad")).first.click()
    expect(page.locator("h1")).to_contain_text("Saga")
    check_page(page)
    screenshot(page, "plan.png")

    page.get_by_role("link", name="Nätverkskarta").first.click()
    expect(page.locator("main svg").first).to_be_visible()
    check_page(page)
    screenshot(page, "network-map.png")
    log_out(page)

    officer = new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in(officer, printed, police)
    officer.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Barnens planer").click()
    check_page(officer)
    expect(officer.locator("main")).not_to_contain_text("Saga")
    for url in sorted(set(plan_urls)):
        response = officer.goto(url)
        assert response.status == 404, url
        expect(officer.locator("main")).not_to_contain_text("Påhittad")
