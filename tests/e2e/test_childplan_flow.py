"""Issue 4 in a real browser: a social worker (kommun, socialtjänst) logs in, is sent to set up
two-step verification (TOTP), opens a plan for a child, registers a guardian and the guardian's
consent covering the school, adds a teacher from the school to the team, assesses the eight
areas, sets a goal and gives the teacher an action. The teacher logs in with an authenticator
code and finds the action under "Mina insatser" on the dashboard. A network coordinator and a
colleague from the social worker's own organisation, neither on the team, get 404 for the
plan. The guardian withdraws the consent: the teacher loses access at once (404) and the action
leaves the dashboard. Every page passes axe and the keyboard basics (tests/e2e/checks.py)."""

import re
import time
from datetime import timedelta

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.utils import timezone
from playwright.sync_api import expect

from childplans.models import (
    Action,
    Area,
    ChildPlan,
    Consent,
    PlanKeepingKind,
    ReasonCategory,
    TeamMember,
)
from networks.models import NetworkMembership, Organisation, OrganisationMembership
from tests import factories as f

from .checks import check_page, check_print_view, label, log_in, path_of

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHILD = "Tindra Testbarnsson"
ACTION_WHAT = "Samtal varje vecka med mentor om närvaron"
NOT_FOUND = "Sidan finns inte"


def totp_code(secret):
    """The code an authenticator app shows now for ``secret`` (allauth's own algorithm). Close
    to the end of a period the next one is awaited, so that the code is still valid when the
    form arrives (allauth accepts the current period only)."""
    period = mfa_settings.TOTP_PERIOD
    left = period - time.time() % period
    if left < 3:
        time.sleep(left + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def person(email, organisation, first_name, last_name, *, secret=None):
    user = f.UserFactory(email=email, first_name=first_name, last_name=last_name)
    OrganisationMembership.objects.create(user=user, organisation=organisation)
    if secret:
        TOTP.activate(user, secret)
    return user


def log_in_with_code(page, user, secret):
    """Password, then allauth's two-step page with the authenticator's current code."""
    log_in(page, user.email, f.PASSWORD)
    assert path_of(page) == "/konto/2fa/authenticate/", page.url
    check_page(page)
    page.locator("input[name=code]").fill(totp_code(secret))
    page.locator("main").get_by_role("button", name="Logga in").click()
    page.wait_for_load_state("load")
    assert path_of(page) == "/", (
        f"two-step login of {user.email} failed: {page.locator('main').inner_text()}"
    )


def reauthenticate_if_asked(page, secret):
    """Consent and team changes need a recent authentication (300 s): answer if asked."""
    if path_of(page).startswith("/konto/reauthenticate/") or path_of(page).startswith(
        "/konto/2fa/reauthenticate/"
    ):
        check_page(page)
        if page.locator("input[name=code]").count():
            page.locator("input[name=code]").fill(totp_code(secret))
        else:
            page.get_by_label(label("Lösenord")).fill(f.PASSWORD)
        page.locator("main").get_by_role("button").first.click()
        page.wait_for_load_state("load")


def goto_404(page, path):
    response = page.goto(path)
    assert response.status == 404, f"{path} answered {response.status} for this user"
    expect(page.locator("h1")).to_have_text(NOT_FOUND)
    expect(page.locator("main")).not_to_contain_text("Tindra")
    check_page(page)


@pytest.fixture
def people(transactional_db):
    # Reference data seeded by migrations; a transactional test before this one flushed it.
    for kind in ("kommun", "region", "skola", "polis"):
        PlanKeepingKind.objects.get_or_create(kind=kind)
    ReasonCategory.objects.get_or_create(name="Skolfrånvaro")
    vaxjo = f.kommun("Växjö")
    social = f.OrganisationFactory(
        name="Växjö kommun", unit="Socialtjänsten", kind=Organisation.Kind.KOMMUN, kommun=vaxjo
    )
    school = f.OrganisationFactory(
        name="Fagrabäcksskolan", kind=Organisation.Kind.SKOLA, kommun=vaxjo
    )
    region = f.OrganisationFactory(
        name="Region Kronoberg", unit="BUP", kind=Organisation.Kind.REGION, kommun=vaxjo
    )
    secrets = {key: generate_totp_secret() for key in ("teacher", "coordinator", "colleague")}
    lead = person(
        "karin.kontakt@vaxjo.se", social, "Karin", "Kontaktperson"
    )  # no authenticator yet
    teacher = person(
        "lars.larare@fagrabacksskolan.se", school, "Lars", "Lärare", secret=secrets["teacher"]
    )
    colleague = person(
        "kalle.kollega@vaxjo.se", social, "Kalle", "Kollega", secret=secrets["colleague"]
    )
    coordinator = person(
        "sara.samordnare@regionkronoberg.se",
        region,
        "Sara",
        "Samordnare",
        secret=secrets["coordinator"],
    )
    network = f.LocalNetworkFactory(name="Barnstödsnätverket i Växjö", kommun=vaxjo)
    NetworkMembership.objects.create(
        network=network,
        user=coordinator,
        organisation=region,
        role=NetworkMembership.Role.COORDINATOR,
    )
    for user, org in ((lead, social), (teacher, school), (colleague, social)):
        NetworkMembership.objects.create(network=network, user=user, organisation=org)
    return {
        "lead": lead,
        "teacher": teacher,
        "colleague": colleague,
        "coordinator": coordinator,
        "school": school,
        "secrets": secrets,
    }


def test_plan_consent_team_action_and_withdrawal(people, page, new_context):
    lead, teacher = people["lead"], people["teacher"]
    secrets = people["secrets"]
    today = timezone.localdate()

    # --- The social worker logs in; plans need two-step verification first -------------------
    log_in(page, lead.email, f.PASSWORD)
    assert path_of(page) == "/"
    check_page(page)
    page.goto("/planer/")
    # Sent to set it up (allauth asks for the password again first: MFA changes need a recent
    # re-authentication, and logging in does not count as one).
    expect(page.locator("main")).to_contain_text("Barnens planer kräver tvåstegsverifiering")
    check_page(page)
    reauthenticate_if_asked(page, None)
    assert path_of(page) == "/konto/2fa/totp/activate/", page.url
    check_page(page)
    lead_secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label(label("Autentiseringskod")).fill(totp_code(lead_secret))
    page.locator("main").get_by_role("button", name="Aktivera").click()
    page.wait_for_load_state("load")
    assert path_of(page).startswith("/konto/2fa/"), page.url
    check_page(page)

    # --- Open a plan -----------------------------------------------------------------------------
    page.goto("/planer/")
    expect(page.locator("h1")).to_have_text("Barnens planer")
    check_page(page)
    page.locator("main").get_by_role("link", name="Öppna en ny plan").click()
    expect(page.locator("h1")).to_have_text("Öppna en ny plan")
    check_page(page)
    page.get_by_label(label("Barnets förnamn")).fill("Tindra")
    page.get_by_label(label("Barnets efternamn")).fill("Testbarnsson")
    page.get_by_label(label("Födelsedatum")).fill("2015-04-12")
    page.get_by_label(label("Personnummer")).fill("20150412-2381")
    page.get_by_label(label("Anledning till att planen öppnas")).fill(
        "Hög frånvaro från skolan sedan januari."
    )
    page.get_by_role("checkbox", name="Skolfrånvaro").check()
    page.get_by_label(label("Min roll i planen")).fill("Handläggare")
    page.get_by_role("button", name="Öppna planen").click()
    expect(page.locator("h1")).to_have_text(f"Barnets plan: {CHILD}")
    check_page(page)
    plan = ChildPlan.objects.get()
    plan_url = f"/planer/{plan.pk}/"
    assert path_of(page) == plan_url
    assert plan.contact_person_id == lead.pk and plan.child.personnummer

    # --- The guardian, and her consent covering the school ----------------------------------------
    page.locator("main nav").get_by_role("link", name="Barnet och vårdnadshavare").click()
    expect(page.locator("h1")).to_have_text("Barnet och vårdnadshavare")
    check_page(page)
    page.locator("main").get_by_role("link", name="Lägg till vårdnadshavare").click()
    expect(page.locator("h1")).to_have_text("Lägg till vårdnadshavare")
    check_page(page)
    page.get_by_label(label("Namn")).fill("Gunilla Vårdnadshavarsson")
    page.get_by_label(label("Relation till barnet")).select_option(label="Mamma")
    page.get_by_label(label("Har vårdnaden om barnet")).check()
    page.get_by_label(label("Kontaktuppgifter")).fill("070-123 45 67")
    page.get_by_role("button", name="Spara").click()
    expect(page.locator("h1")).to_have_text("Barnet och vårdnadshavare")
    expect(page.get_by_role("row").filter(has_text="Gunilla Vårdnadshavarsson")).to_contain_text(
        "Mamma"
    )
    check_page(page)

    page.locator("main nav").get_by_role("link", name="Samtycken").click()
    expect(page.locator("h1")).to_have_text("Samtycken")
    check_page(page)
    page.get_by_label(label("Vårdnadshavare som samtycker")).select_option(
        label="Gunilla Vårdnadshavarsson"
    )
    page.get_by_role("radio", name="Skriftligt").check()
    page.get_by_label(label("Organisationer som får dela uppgifter")).select_option(
        label="Fagrabäcksskolan (Växjö)"
    )
    page.get_by_role("checkbox", name="Samordning i barnets team").check()
    page.get_by_role("checkbox", name="Dela namngivna uppgifter med de valda organisationerna").check()
    page.get_by_label(label("Anteckning om ändamålen")).fill("Samordna stödet kring närvaron i skolan.")
    page.get_by_role("button", name="Registrera samtycket").click()
    page.wait_for_load_state("load")
    reauthenticate_if_asked(page, lead_secret)
    expect(page.locator("main")).to_contain_text("Samtycket är registrerat.")
    expect(page.get_by_role("row").filter(has_text="Gunilla Vårdnadshavarsson")).to_contain_text(
        "Fagrabäcksskolan"
    )
    check_page(page)
    consent = Consent.objects.get(plan=plan)
    assert list(consent.organisations.all()) == [people["school"]]

    # --- The teacher joins the team --------------------------------------------------------------
    page.locator("main nav").get_by_role("link", name="Team", exact=True).click()
    expect(page.locator("h1")).to_have_text("Team")
    check_page(page)
    page.locator("main").get_by_role("link", name="Lägg till i teamet").click()
    expect(page.locator("h1")).to_have_text("Lägg till i teamet")
    check_page(page)
    page.get_by_label(label("Person och organisation")).select_option(
        label="Lars Lärare – Fagrabäcksskolan"
    )
    page.get_by_label(label("Roll i planen")).fill("Mentor")
    page.get_by_role("button", name="Lägg till", exact=True).click()
    page.wait_for_load_state("load")
    reauthenticate_if_asked(page, lead_secret)
    expect(page.locator("h1")).to_have_text("Team")
    expect(page.get_by_role("row").filter(has_text="Lars Lärare")).to_contain_text("Med i teamet")
    check_page(page)
    assert TeamMember.objects.filter(plan=plan, user=teacher, removed_at__isnull=True).exists()

    # --- The eight areas --------------------------------------------------------------------------
    page.locator("main nav").get_by_role("link", name="Översikt").click()
    expect(page.locator("main")).to_contain_text("Ingen bedömning är gjord än.")
    page.locator("main").get_by_role("link", name="Ny bedömning").click()
    expect(page.locator("h1")).to_have_text("Ny bedömning")
    check_page(page)
    needs = {
        code: ("stort" if code == Area.UTVECKLAS else "visst" if code == Area.TRYGG else "inget")
        for code in Area.values
    }
    for code, need in needs.items():
        page.locator(f"input[name={code}_need][value={need}]").check()
    page.get_by_label(label("Utvecklas: vad som ses")).fill(
        "Har varit borta från skolan 40 % av tiden."
    )
    page.get_by_label(label("Utvecklas: av vem")).fill("Mentor")
    page.get_by_role("button", name="Spara").click()
    expect(page.locator("h1")).to_have_text(f"Barnets plan: {CHILD}")
    expect(page.locator("main")).to_contain_text("Bedömningen är sparad.")
    wheel_table = page.locator("main table").first
    expect(wheel_table.get_by_role("row").filter(has_text="Utvecklas")).to_contain_text(
        "Stort behov"
    )
    expect(wheel_table.get_by_role("row").filter(has_text="Trygg")).to_contain_text("Visst behov")
    expect(page.locator("main svg")).to_have_count(1)
    check_page(page)
    assert plan.assessments.get().areas["utvecklas"]["need"] == "stort"

    # --- A goal and an action for the teacher ------------------------------------------------------
    page.locator("main").get_by_role("link", name="Nytt mål").click()
    expect(page.locator("h1")).to_have_text("Nytt mål")
    check_page(page)
    page.get_by_label(label("Område")).select_option(label="Utvecklas")
    page.get_by_label(label("Mål")).fill("Tindra är i skolan varje dag.")
    page.get_by_role("button", name="Spara").click()
    expect(page.locator("main")).to_contain_text("Målet är sparat.")
    check_page(page)
    page.locator("main").get_by_role("link", name="Lägg till insats").click()
    expect(page.locator("h1")).to_have_text("Ny insats")
    check_page(page)
    page.get_by_label(label("Vad ska göras")).fill(ACTION_WHAT)
    page.get_by_label(label("Ansvarig organisation")).select_option(
        label="Fagrabäcksskolan (Växjö)"
    )
    page.get_by_label(label("Ansvarig person")).select_option(label="Lars Lärare")
    page.get_by_label(label("Klart senast")).fill(f"{today + timedelta(days=14):%Y-%m-%d}")
    page.get_by_label(label("Status")).select_option(label="Planerad")
    page.get_by_role("button", name="Spara").click()
    expect(page.locator("main")).to_contain_text("Insatsen är sparad.")
    expect(page.get_by_role("row").filter(has_text=ACTION_WHAT)).to_contain_text("Lars Lärare")
    check_page(page)
    action = Action.objects.get(plan=plan)
    assert action.responsible_person_id == teacher.pk and action.due_on == today + timedelta(
        days=14
    )

    # --- The plan to print for the guardians, and its access log: they fit a phone's width too ----
    page.locator("main nav").get_by_role("link", name="Skriv ut").click()
    expect(page.locator("h1")).to_have_text(f"Barnets plan för {CHILD}")
    expect(page.get_by_role("row").filter(has_text=ACTION_WHAT)).to_contain_text("Lars Lärare")
    check_print_view(page)
    page.goto(f"{plan_url}atkomstlogg/")
    expect(page.locator("h1")).to_have_text(f"Vem har läst eller ändrat planen för {CHILD}")
    check_print_view(page)
    page.goto(plan_url)

    # --- The teacher logs in with a code and finds the action on the dashboard ---------------------
    teacher_page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in_with_code(teacher_page, teacher, secrets["teacher"])
    expect(teacher_page.locator("h1")).to_have_text("Min översikt")
    my_actions = teacher_page.get_by_role("region", name="Mina insatser")
    expect(my_actions.get_by_role("row").filter(has_text=ACTION_WHAT)).to_contain_text(
        f"Plan {plan.pk}"
    )
    expect(my_actions).not_to_contain_text("Tindra")  # the dashboard names no child
    check_page(teacher_page)
    my_actions.get_by_role("link", name=f"Plan {plan.pk}").click()
    expect(teacher_page.locator("h1")).to_have_text(f"Barnets plan: {CHILD}")
    check_page(teacher_page)

    # --- Not on the team: a network coordinator and a colleague of the lead get 404 ---------------
    for key in ("coordinator", "colleague"):
        other = new_context(viewport={"width": 1280, "height": 900}).new_page()
        log_in_with_code(other, people[key], secrets[key])
        goto_404(other, plan_url)
        goto_404(other, f"{plan_url}team/")

    # --- The guardian withdraws her consent: the teacher loses access at once ----------------------
    page.locator("main nav").get_by_role("link", name="Samtycken").click()
    expect(page.locator("h1")).to_have_text("Samtycken")
    page.locator("main").get_by_role("link", name="Återkalla").click()
    page.wait_for_load_state("load")
    reauthenticate_if_asked(page, lead_secret)
    expect(page.locator("h1")).to_have_text("Återkalla samtycke")
    check_page(page)
    page.get_by_label(label("Anteckning")).fill("Mamma ringde och återkallade samtycket.")
    page.get_by_role("button", name="Återkalla samtycket").click()
    page.wait_for_load_state("load")
    reauthenticate_if_asked(page, lead_secret)
    expect(page.locator("main")).to_contain_text(
        re.compile(r"Samtycket är återkallat\. 1 person(er)? togs bort ur teamet\.")
    )
    expect(page.get_by_role("row").filter(has_text="Gunilla Vårdnadshavarsson")).to_contain_text(
        "Återkallat"
    )
    check_page(page)
    page.locator("main nav").get_by_role("link", name="Översikt").click()
    expect(page.get_by_role("status").filter(has_text="Ett samtycke återkallades")).to_be_visible()
    expect(page.get_by_role("region", name="Team")).not_to_contain_text("Lars Lärare")
    check_page(page)
    assert TeamMember.objects.get(plan=plan, user=teacher).removed_because == "consent_withdrawn"

    goto_404(teacher_page, plan_url)
    goto_404(teacher_page, f"/planer/{plan.pk}/insatser/{action.pk}/")
    teacher_page.goto("/")
    expect(teacher_page.locator("h1")).to_have_text("Min översikt")
    expect(teacher_page.locator("main")).not_to_contain_text(ACTION_WHAT)
    check_page(teacher_page)
