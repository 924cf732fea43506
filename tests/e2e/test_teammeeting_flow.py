"""Issue 12 in a real browser: barnteamets möte. The contact person (socialtjänst) calls a meeting
with the school and the church; the school counsellor answers from the e-mail's link without
logging in; the contact person records the child's letter, runs the agenda and closes the
minutes with a new action for the counsellor; the plan's review, the new action in the
counsellor's "Mina insatser" and the chronology entry appear; a police officer not on the team
gets 404 on the meeting page. Every page passes the checks of tests/e2e/checks.py (axe, the
keyboard basics, no CSP violation or script error)."""

import re
from datetime import timedelta

import pytest
from allauth.mfa.totp.internal.auth import generate_totp_secret
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from childplans import services as plan_services
from childplans.models import (
    Action,
    Area,
    ChronologyEntry,
    Consent,
    PlanKeepingKind,
    ReasonCategory,
    Review,
)
from childplans.teammeetings.models import Invitee, TeamMeeting
from networks.models import NetworkMembership, Organisation
from tests import factories as f

from .checks import check_page, label, path_of
from .test_childplan_flow import log_in_with_code, person

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHILD = "Vilja Exempeldotter"
YES_LINK = re.compile(r"https?://[^\s\"'<>]+/barnteam/\d+/svara/[^\s\"'<>/]+/\?svar=ja")
LETTER = "Jag vill sitta bredvid Elsa och slippa gympan på fredagar."
ACTION_WHAT = "Samtal med kuratorn varje vecka om rasterna"
DECISION = "Vilja får en rastvärd och samtal med kuratorn varje vecka."


@pytest.fixture
def people(transactional_db):
    # Reference data seeded by migrations; a transactional test before this one flushed it.
    for kind in ("kommun", "region", "skola", "polis"):
        PlanKeepingKind.objects.get_or_create(kind=kind)
    ReasonCategory.objects.get_or_create(name="Skolfrånvaro")
    vaxjo = f.kommun("Växjö")
    social = f.OrganisationFactory(name="Växjö kommun", unit="Socialtjänsten", kind=Organisation.Kind.KOMMUN,
                                   kommun=vaxjo)
    school = f.OrganisationFactory(name="Fagrabäcksskolan", kind=Organisation.Kind.SKOLA, kommun=vaxjo)
    church = f.OrganisationFactory(name="Växjö pastorat", kind=Organisation.Kind.KYRKA, kommun=vaxjo)
    police = f.OrganisationFactory(name="Polisen", unit="Lokalpolisområde Växjö", kind=Organisation.Kind.POLIS,
                                   kommun=vaxjo)
    secrets = {key: generate_totp_secret() for key in ("lead", "counsellor", "deacon", "police")}
    lead = person("karin.kontakt@vaxjo.se", social, "Karin", "Kontaktperson", secret=secrets["lead"])
    counsellor = person("kim.kurator@fagrabacksskolan.se", school, "Kim", "Kurator", secret=secrets["counsellor"])
    deacon = person("dagny.diakon@pastorat.se", church, "Dagny", "Diakon", secret=secrets["deacon"])
    officer = person("pia.polis@polisen.se", police, "Pia", "Polis", secret=secrets["police"])
    network = f.LocalNetworkFactory(name="Barnstödsnätverket i Växjö", kommun=vaxjo)
    for user, org in ((lead, social), (counsellor, school), (deacon, church), (officer, police)):
        NetworkMembership.objects.create(network=network, user=user, organisation=org)

    plan = plan_services.plan_open(by=lead, organisation=social, given_name="Vilja", family_name="Exempeldotter",
                                   birth_date=timezone.localdate() - timedelta(days=9 * 365),
                                   reason="Hög frånvaro och oro på rasterna.", part="Handläggare")
    mother = plan_services.guardian_add(plan=plan, by=lead, name="Maria Exempeldotter", relation="mamma",
                                        has_custody=True, email="maria.exempeldotter@exempel.se")
    plan_services.consent_record(plan=plan, by=lead, guardian=mother, given_on=timezone.localdate(),
                                 method=Consent.Method.WRITTEN, purposes="Samordna stödet i skolan och på fritiden.",
                                 organisations=[school, church])
    plan_services.team_add(plan=plan, by=lead, user=counsellor, organisation=school, part="Skolkurator")
    plan_services.team_add(plan=plan, by=lead, user=deacon, organisation=church, part="Stödsamordnare",
                           is_supporter=True)
    goal = plan_services.goal_add(plan=plan, by=lead, area=Area.TRYGG, description="Vilja känner sig trygg på rasterna.")
    return {"plan": plan, "lead": lead, "counsellor": counsellor, "deacon": deacon, "officer": officer,
            "school": school, "goal": goal, "secrets": secrets}


def test_call_answer_prepare_agenda_minutes(people, page, new_context, portal_base_url):
    plan, lead, counsellor = people["plan"], people["lead"], people["counsellor"]
    secrets = people["secrets"]
    today = timezone.localdate()

    # --- The contact person calls the team: the school and the church, and the mother -------------
    log_in_with_code(page, lead, secrets["lead"])
    page.goto(f"/planer/{plan.pk}/")
    expect(page.locator("h1")).to_have_text(f"Barnets plan: {CHILD}")
    page.locator("main nav").get_by_role("link", name="Barnteamets möten").click()
    expect(page.locator("h1")).to_have_text("Barnteamets möten")
    check_page(page)
    page.locator("main").get_by_role("link", name="Kalla till möte").click()
    expect(page.locator("h1")).to_have_text("Kalla till barnteamets möte")
    check_page(page)
    day = today + timedelta(days=9)
    page.get_by_label(label("Börjar")).fill(f"{day:%Y-%m-%d}T13:00")
    page.get_by_label(label("Slutar")).fill(f"{day:%Y-%m-%d}T14:30")
    page.get_by_label(label("Plats")).fill("Fagrabäcksskolan, rum 12")
    expect(page.get_by_role("checkbox", name=re.compile("Kim Kurator – Fagrabäcksskolan"))).to_be_checked()
    expect(page.get_by_role("checkbox", name=re.compile("Dagny Diakon – Växjö pastorat"))).to_be_checked()
    expect(page.get_by_role("checkbox", name=re.compile("Maria Exempeldotter"))).to_be_checked()
    page.get_by_role("radio", name="I rummet en del av tiden").check()
    page.get_by_role("button", name="Kalla").click()
    expect(page.locator("h1")).to_have_text(re.compile(r"^Barnteamets möte \d+"))
    expect(page.locator("main")).to_contain_text("Mötet är kallat.")
    expect(page.get_by_role("row").filter(has_text="Kim Kurator")).to_contain_text("Inte svarat")
    check_page(page)
    meeting = TeamMeeting.objects.get(plan=plan)
    assert Invitee.objects.filter(meeting=meeting).count() == 4  # the contact person, school, church, mother

    # --- The school counsellor answers from the e-mail's link, not logged in --------------------------
    sent = [m for m in mail.outbox if m.to == [counsellor.email]]
    assert len(sent) == 1 and "Vilja" not in sent[0].subject + sent[0].body
    yes_link = YES_LINK.search(sent[0].body).group(0)
    assert yes_link.startswith(portal_base_url)
    phone = new_context(viewport={"width": 390, "height": 844}).new_page()
    phone.goto(yes_link)
    expect(phone.locator("h1")).to_have_text("Svara på kallelsen")
    expect(phone.locator("main")).to_contain_text("Möte om en plan i Barnstödsportalen")
    expect(phone.locator("main")).not_to_contain_text("Vilja")
    check_page(phone)
    assert Invitee.objects.get(meeting=meeting, team_member__user=counsellor).response == "pending"
    phone.get_by_role("button", name="Jag kommer").click()
    expect(phone.locator("h1")).to_have_text("Tack för ditt svar")
    check_page(phone)
    assert Invitee.objects.get(meeting=meeting, team_member__user=counsellor).response == "yes"

    # --- Before the meeting: the child's letter ------------------------------------------------------------
    page.reload()
    expect(page.get_by_role("row").filter(has_text="Kim Kurator")).to_contain_text("Kommer")
    page.locator("main").get_by_role("link", name="Förberedelse", exact=True).click()
    expect(page.locator("h1")).to_have_text("Förberedelse inför mötet")
    check_page(page)
    page.get_by_label(label("Vad vårdnadshavarna och barnet vill prata om")).fill("Rasterna och gympan.")
    page.get_by_label(label("Barnets brev eller egna ord")).fill(LETTER)
    page.get_by_role("button", name="Spara").click()
    expect(page.locator("main")).to_contain_text("Förberedelsen är sparad.")
    check_page(page)

    # --- The agenda drawn from the plan; a point added and moved up ------------------------------------
    page.locator("main").get_by_role("link", name="Dagordning", exact=True).click()
    expect(page.locator("h1")).to_have_text("Dagordning")
    agenda = page.locator("main ol")
    expect(agenda).to_contain_text("Barnets och vårdnadshavarnas frågor")
    expect(agenda).to_contain_text("Följ upp målet: Vilja känner sig trygg på rasterna.")
    check_page(page)
    page.get_by_label(label("Ny punkt")).fill("Sommarlovet")
    page.get_by_role("button", name="Lägg till").click()
    expect(agenda.locator("li").last).to_contain_text("Sommarlovet")
    page.get_by_role("button", name="Upp – Sommarlovet").click()
    expect(agenda.locator("li").nth(-2)).to_contain_text("Sommarlovet")
    check_page(page)

    # --- The meeting takes place (it started two hours ago) -----------------------------------------------
    start = timezone.now() - timedelta(hours=2)
    TeamMeeting.objects.filter(pk=meeting.pk).update(starts_at=start, ends_at=start + timedelta(hours=1))

    # --- The minutes: a new action for the counsellor, who came, what was decided; closed -------------
    page.locator("main").get_by_role("link", name="Protokoll", exact=True).click()
    expect(page.locator("h1")).to_have_text(re.compile("^Protokoll från barnteamets möte"))
    expect(page.locator("main")).to_contain_text(LETTER)
    check_page(page)
    page.locator("main").get_by_role("link", name="Lägg till eller ändra en insats").click()
    expect(page.locator("h1")).to_have_text("Insats i protokollet")
    check_page(page)
    page.get_by_label(label("Mål")).select_option(label="Trygg: Vilja känner sig trygg på rasterna.")
    page.get_by_label(label("Vad ska göras")).fill(ACTION_WHAT)
    page.get_by_label(label("Ansvarig organisation")).select_option(label="Fagrabäcksskolan (Växjö)")
    page.get_by_label(label("Ansvarig person")).select_option(label="Kim Kurator")
    page.get_by_label(label("Klart senast")).fill(f"{today + timedelta(days=30):%Y-%m-%d}")
    page.get_by_role("button", name="Spara").click()
    expect(page.locator("main")).to_contain_text("Insatsen finns i protokollet")
    expect(page.get_by_role("row").filter(has_text=ACTION_WHAT)).to_contain_text("Kim Kurator")
    check_page(page)
    for name in ("Karin Kontaktperson", "Kim Kurator", "Maria Exempeldotter"):
        page.get_by_role("checkbox", name=re.compile(name)).check()
    page.get_by_role("checkbox", name="Barnet var med").check()
    page.get_by_label(label("Barnets och vårdnadshavarnas frågor")).fill("Vilja vill ha en rastvärd.")
    page.get_by_label(label("Vad som beslutades")).fill(DECISION)
    page.get_by_label(label("Datum för nästa möte")).fill(f"{today + timedelta(days=60):%Y-%m-%d}")
    page.locator("input[name=child_took_part][value=ja]").check()
    page.locator("input[name=guardians_know_plan][value=ja]").check()
    page.get_by_role("button", name="Stäng protokollet").click()
    expect(page.locator("main")).to_contain_text("Protokollet är stängt.")
    expect(page.locator("main")).to_contain_text(DECISION)
    check_page(page)
    meeting.refresh_from_db()
    assert meeting.status == "closed"

    # --- The review, the chronology entry -------------------------------------------------------------
    page.locator("main nav").get_by_role("link", name="Uppföljningar").click()
    expect(page.locator("h1")).to_have_text("Uppföljningar")
    held = page.get_by_role("row").filter(has_text=DECISION)
    expect(held).to_contain_text("Genomförd")
    expect(held).to_contain_text("Kim Kurator")
    check_page(page)
    page.locator("main nav").get_by_role("link", name="Kronologi").click()
    expect(page.locator("main")).to_contain_text(f"Barnteamets möte. Beslut: {DECISION}")
    check_page(page)
    review = Review.objects.get(plan=plan, status="held")
    assert (review.child_took_part, review.guardians_know_plan) == ("ja", True)
    assert ChronologyEntry.objects.filter(plan=plan, source="Barnteamets möte").exists()

    # --- The new action in the counsellor's "Mina insatser" ---------------------------------------------
    school_page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in_with_code(school_page, counsellor, secrets["counsellor"])
    my_actions = school_page.get_by_role("region", name="Mina insatser")
    expect(my_actions.get_by_role("row").filter(has_text=ACTION_WHAT)).to_contain_text(f"Plan {plan.pk}")
    expect(my_actions).not_to_contain_text("Vilja")
    check_page(school_page)
    assert Action.objects.get(plan=plan, what=ACTION_WHAT).responsible_person == counsellor

    # --- A police officer, in the same network but not on the team: 404 -------------------------------
    police_page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in_with_code(police_page, people["officer"], secrets["police"])
    response = police_page.goto(f"/planer/{plan.pk}/barnteam/{meeting.pk}/")
    assert response.status == 404
    expect(police_page.locator("h1")).to_have_text("Sidan finns inte")
    expect(police_page.locator("main")).not_to_contain_text("Vilja")
    check_page(police_page)
    assert path_of(police_page) == f"/planer/{plan.pk}/barnteam/{meeting.pk}/"
