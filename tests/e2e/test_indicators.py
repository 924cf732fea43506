"""The indicators in a real browser, with plans in two län: a coordinator sees every län's
totals, follows one län to its kommuner, chooses another in the form, and an address naming a
län that is not counted gets its message by the field. Every page passes the checks of
tests/e2e/checks.py (axe, HTML_CodeSniffer, the Nu HTML Checker, the keyboard basics)."""

import pytest
from allauth.mfa.totp.internal.auth import generate_totp_secret
from django.urls import reverse
from playwright.sync_api import expect

from childplans import tasks
from childplans.models import PlanKeepingKind
from networks.models import NetworkMembership, Organisation, OrganisationMembership
from tests import factories as f
from tests.childplans.test_indicators import open_plans

from .checks import check_page, label, path_of
from .test_childplan_flow import log_in_with_code, person

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def coordinator(transactional_db):
    for kind in ("kommun", "region", "skola", "polis"):
        PlanKeepingKind.objects.get_or_create(kind=kind)
    vaxjo_kommun = f.OrganisationFactory(name="Växjö kommun", unit="Socialtjänsten", kind=Organisation.Kind.KOMMUN,
                                         kommun=f.kommun("Växjö"))
    solna_stad = f.OrganisationFactory(name="Solna stad", unit="Socialtjänsten", kind=Organisation.Kind.KOMMUN,
                                       kommun=f.kommun("Solna"))
    worker = person("karin.kontakt@vaxjo.se", vaxjo_kommun, "Karin", "Kontaktperson")
    OrganisationMembership.objects.create(user=worker, organisation=solna_stad)
    open_plans(worker, vaxjo_kommun, 6)  # each with a consent that covers statistics
    open_plans(worker, solna_stad, 5)
    tasks.indicators_refresh()  # what the beat does every INDICATORS_REFRESH_SECONDS
    secret = generate_totp_secret()
    user = person("sara.samordnare@vaxjo.se", vaxjo_kommun, "Sara", "Samordnare", secret=secret)
    network = f.LocalNetworkFactory(name="Barnstödsnätverket i Växjö", kommun=f.kommun("Växjö"))
    NetworkMembership.objects.create(network=network, user=user, organisation=vaxjo_kommun,
                                     role=NetworkMembership.Role.COORDINATOR)
    return user, secret


def row_headings(page):
    return page.locator("main table tbody th[scope=row]").all_inner_texts()


def test_every_lans_totals_then_one_lan_with_its_kommuner(coordinator, page):
    user, secret = coordinator
    url = reverse("childplans:indicators")
    log_in_with_code(page, user, secret)
    page.goto(url)
    check_page(page)
    assert row_headings(page) == ["Kronobergs län", "Stockholms län", "Hela landet"]
    expect(page.locator("main table")).not_to_contain_text("Växjö")

    page.get_by_role("link", name="Stockholms län").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("?lan=01")
    check_page(page)
    assert row_headings(page) == ["Solna", "Hela länet"]
    expect(page.get_by_label(label("Län"))).to_have_value("01")

    page.get_by_label(label("Län")).select_option(label="Kronobergs län")
    page.get_by_role("button", name="Visa").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("?lan=07")
    assert row_headings(page) == ["Växjö", "Hela länet"]
    expect(page.locator("main table")).not_to_contain_text("Solna")

    page.get_by_role("link", name="Alla län").click()
    page.wait_for_load_state("load")
    assert path_of(page) == url
    assert row_headings(page)[-1] == "Hela landet"


def test_a_lan_not_counted_gets_its_message_by_the_field(coordinator, page):
    user, secret = coordinator
    log_in_with_code(page, user, secret)
    page.goto(reverse("childplans:indicators") + "?lan=99")
    check_page(page)
    field = page.get_by_label(label("Län"))
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_lan_error")).to_have_text("Länet finns inte bland de räknade. Sidan visar alla län.")
    assert row_headings(page)[-1] == "Hela landet"
