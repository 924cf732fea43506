"""Issue 5 in a real browser: a professional on a child's plan (with two-step verification)
maps six people with the child, saves the map as a version, changes two of them (one moves
closer, one leaves the child's life), compares the version with the map as it is now, and
opens "Vem kan träda in nu?". A colleague from the same organisation who is not on the team
gets 404 for the map. Every page passes axe and the keyboard basics (tests/e2e/checks.py)."""

import time
from datetime import date

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from playwright.sync_api import expect

from childplans import services as plan_services
from childplans.models import PlanKeepingKind
from childplans.networkmap.models import MapPerson, MapVersion
from networks.models import Organisation, OrganisationMembership
from tests import factories as f

from .checks import check_page, check_print_view, label, log_in, path_of

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PEOPLE = [
    # name, relation, sector, circle, quality, can step in, phone
    ("Maria Mamma", "mamma", "Familj", "Närmast", "Blandad", False, ""),
    ("Majvor Mormor", "mormor", "Släkt", "Närmast", "Positiv", True, "070-111 22 33"),
    ("Tore Tränare", "fotbollstränare", "Fritid", "Längre ifrån", "Positiv", False, ""),
    ("Lena Lärare", "lärare", "Skola/förskola", "Nära", "Positiv", False, ""),
    ("Greta Granne", "granne", "Andra vuxna", "Nära", "Positiv", True, "070-444 55 66"),
    ("Pelle Pappa", "pappa", "Familj", "Längre ifrån", "Ansträngd", False, ""),
]


def totp_code(secret):
    """The code an authenticator app shows now (allauth's algorithm); near the end of a period
    the next one is awaited so the code is still valid when the form arrives."""
    period = mfa_settings.TOTP_PERIOD
    left = period - time.time() % period
    if left < 3:
        time.sleep(left + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def log_in_with_code(page, user, secret):
    log_in(page, user.email, f.PASSWORD)
    assert path_of(page) == "/konto/2fa/authenticate/", page.url
    page.locator("input[name=code]").fill(totp_code(secret))
    page.locator("main").get_by_role("button", name="Logga in").click()
    page.wait_for_load_state("load")
    assert path_of(page) == "/", f"two-step login of {user.email} failed: {page.locator('main').inner_text()}"


@pytest.fixture
def setup(transactional_db):
    PlanKeepingKind.objects.get_or_create(kind="kommun")
    social = f.OrganisationFactory(name="Växjö kommun", unit="Socialtjänsten", kind=Organisation.Kind.KOMMUN,
                                   kommun=f.kommun("Växjö"))
    secrets = {"lead": generate_totp_secret(), "colleague": generate_totp_secret()}
    lead = f.UserFactory(email="karin.kontakt@vaxjo.se", first_name="Karin", last_name="Kontaktperson")
    colleague = f.UserFactory(email="kalle.kollega@vaxjo.se", first_name="Kalle", last_name="Kollega")
    for user, key in ((lead, "lead"), (colleague, "colleague")):
        OrganisationMembership.objects.create(user=user, organisation=social)
        TOTP.activate(user, secrets[key])
    plan = plan_services.plan_open(
        by=lead, organisation=social, given_name="Tindra", family_name="Testbarnsson", birth_date=date(2015, 4, 12),
        reason="Oro för hemsituationen.", part="Handläggare",
    )
    return {"plan": plan, "lead": lead, "colleague": colleague, "secrets": secrets}


def add_person(page, name, relation, sector, circle, quality, acute, phone):
    page.locator("main").get_by_role("link", name="Lägg till person").first.click()
    expect(page.locator("h1")).to_have_text("Lägg till person på nätverkskartan")
    page.get_by_label(label("Namn")).fill(name)
    page.get_by_label(label("Relation till barnet")).fill(relation)
    page.get_by_label(label("Sektor")).select_option(label=sector)
    page.get_by_role("radio", name=circle, exact=True).check()
    page.get_by_role("radio", name=quality, exact=True).check()
    if acute:
        page.get_by_role("checkbox", name="Kan träda in vid akut behov").check()
    if phone:
        page.get_by_label(label("Telefon")).fill(phone)
    page.get_by_role("checkbox", name="Barnet nämnde personen själv").check()
    page.get_by_role("button", name="Spara").click()
    expect(page.locator("h1")).to_have_text("Nätverkskarta")


def test_map_version_compare_acute(setup, page, new_context):
    plan, lead, colleague, secrets = setup["plan"], setup["lead"], setup["colleague"], setup["secrets"]
    map_path = f"/planer/{plan.pk}/natverkskarta/"

    log_in_with_code(page, lead, secrets["lead"])
    page.goto(f"/planer/{plan.pk}/")
    check_page(page)
    page.locator("main").get_by_role("link", name="Nätverkskarta").first.click()
    expect(page.locator("h1")).to_have_text("Nätverkskarta")
    assert path_of(page) == map_path
    check_page(page)

    # --- A relation without a name is refused next to the field; nothing is saved -----------------
    page.locator("main").get_by_role("link", name="Lägg till person").first.click()
    page.get_by_label(label("Relation till barnet")).fill("moster")
    page.get_by_role("radio", name="Nära", exact=True).check()
    page.get_by_role("radio", name="Positiv", exact=True).check()
    page.get_by_role("button", name="Spara").click()
    expect(page.locator("main")).to_contain_text("Skriv personens namn.")
    check_page(page)
    assert not MapPerson.objects.exists()
    page.goto(map_path)

    # --- Six people, with the child ----------------------------------------------------------------
    for row in PEOPLE:
        add_person(page, *row)
    check_page(page)
    svg = page.locator("svg.network-map")
    expect(svg).to_be_visible()
    expect(svg.locator("g.person")).to_have_count(6)
    expect(svg.locator("g.person.acute")).to_have_count(2)
    expect(page.locator("main table")).to_contain_text("Majvor Mormor")

    # --- The map to print: it fits a phone's width before it is printed ------------------------------
    page.locator("main nav").get_by_role("link", name="Skriv ut kartan").click()
    expect(page.locator("h1")).to_have_text("Nätverkskarta för Tindra Testbarnsson")
    expect(page.locator("svg.network-map g.person")).to_have_count(6)
    check_print_view(page)
    page.goto(map_path)

    # --- Save a version --------------------------------------------------------------------------------
    page.locator("main").get_by_role("link", name="Spara kartan som version").click()
    expect(page.locator("h1")).to_have_text("Nätverkskartans versioner")
    check_page(page)
    page.get_by_label(label("Fas")).select_option(label="Första kontakt")
    page.get_by_role("radio", name="Ja", exact=True).check()
    page.get_by_label(label("Hur var barnet med?")).fill("Tindra ritade kartan själv med sin handläggare.")
    page.get_by_role("button", name="Spara version").click()
    expect(page.locator("main")).to_contain_text("Kartan är sparad som en ny version.")
    check_page(page)
    assert MapVersion.objects.get().child_took_part == "ja"

    # --- Change two: the coach moves closer, the father leaves the child's life --------------------------
    page.goto(map_path)
    page.locator("main table").get_by_role("link", name="Ändra Tore Tränare").click()
    check_page(page)
    page.get_by_role("radio", name="Nära", exact=True).check()
    page.get_by_role("button", name="Spara").click()
    expect(page.locator("h1")).to_have_text("Nätverkskarta")
    page.locator("main table").get_by_role("link", name="Ändra Pelle Pappa").click()
    page.get_by_role("link", name="Inte längre i barnets liv").click()
    check_page(page)
    page.get_by_label(label("Anteckning")).fill("Ingen kontakt sedan flytten.")
    page.get_by_role("button", name="Spara").click()
    expect(page.locator("h1")).to_have_text("Nätverkskarta")
    expect(page.locator("svg.network-map g.person")).to_have_count(5)
    expect(page.locator("main")).to_contain_text("Inte längre i barnets liv")
    check_page(page)

    # --- Compare the version with the map now ---------------------------------------------------------
    page.locator("main").get_by_role("link", name="Jämför versioner").click()
    expect(page.locator("h1")).to_have_text("Jämför två versioner av nätverkskartan")
    expect(page.locator("#diff-closer")).to_contain_text("Tore Tränare")
    expect(page.locator("#diff-left")).to_contain_text("Pelle Pappa")
    expect(page.locator("svg.network-map")).to_have_count(2)
    check_page(page)

    # --- Vem kan träda in nu? -------------------------------------------------------------------------------
    page.goto(f"/planer/{plan.pk}/")
    page.locator("main").get_by_role("link", name="Vem kan träda in nu?").first.click()
    expect(page.locator("h1")).to_have_text("Vem kan träda in nu?")
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Majvor Mormor")  # closest first
    expect(rows.nth(0)).to_contain_text("070-111 22 33")
    expect(rows.nth(1)).to_contain_text("Greta Granne")
    check_page(page)

    # --- A colleague who is not on the team gets 404 -------------------------------------------------------
    other = new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in_with_code(other, colleague, secrets["colleague"])
    for path in (map_path, f"/planer/{plan.pk}/vem-kan-trada-in/", f"/planer/{plan.pk}/natverkskarta/jamfor/"):
        response = other.goto(path)
        assert response.status == 404, path
        expect(other.locator("main")).not_to_contain_text("Majvor")
        expect(other.locator("main")).not_to_contain_text("070-111")
        check_page(other)
