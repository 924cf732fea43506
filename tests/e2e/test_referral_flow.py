"""Issue 13 in a real browser: a family-centre worker finds the church's meeting place in the
directory and makes a family leaflet (no record of the family: only the term's count goes up by
one), opens it on a phone and follows its QR code to the open page; then refers a child from
her plan to the church, with the guardian's consent. The church's receiver logs in with an
authenticator code, finds the referral on Min översikt, sees only the shared words and accepts.
The status and the chronology entry show on the plan. A police officer in the same network gets
404 for the referral, the inbox and the plan. Every page passes axe and the keyboard basics
(tests/e2e/checks.py)."""

from datetime import date

import pytest
from allauth.mfa.totp.internal.auth import generate_totp_secret
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import expect

from childplans import services as plan_services
from childplans.models import Consent, PlanKeepingKind
from childplans.referrals.models import Referral
from networks.models import ActivityTipCount, NetworkMembership, Organisation, ReferralReceiver
from networks.terms import current_term
from tests import factories as f

from .checks import assert_fits_widths, assert_no_horizontal_scroll, check_page, label, path_of
from .test_childplan_flow import goto_404, log_in_with_code, person

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MEETING_PLACE = "Måndagsmiddag för barnfamiljer"
HELP = "Mamman vill träffa andra föräldrar och att barnen får leka med andra barn."
NOTE = "Välkomna på måndag klockan fem, jag möter er i entrén."
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def world(transactional_db):
    for kind in ("kommun", "region", "skola", "polis"):
        PlanKeepingKind.objects.get_or_create(kind=kind)
    vaxjo = f.kommun("Växjö")
    family_centre = f.OrganisationFactory(name="Växjö kommun", unit="Familjecentralen Araby",
                                          kind=Organisation.Kind.KOMMUN, kommun=vaxjo)
    church = f.OrganisationFactory(name="Svenska kyrkan", unit="Växjö domkyrkoförsamling",
                                   kind=Organisation.Kind.KYRKA, kommun=vaxjo)
    police = f.OrganisationFactory(name="Polisen", unit="Lokalpolisområde Växjö", kind=Organisation.Kind.POLIS,
                                   kommun=vaxjo)
    secrets = {key: generate_totp_secret() for key in ("worker", "deacon", "officer")}
    worker = person("frida.familjepedagog@vaxjo.se", family_centre, "Frida", "Familjepedagog",
                    secret=secrets["worker"])
    deacon = person("maria.diakon@svenskakyrkan.se", church, "Maria", "Diakon", secret=secrets["deacon"])
    officer = person("pelle.polis@polisen.se", police, "Pelle", "Polis", secret=secrets["officer"])
    ReferralReceiver.objects.create(organisation=church, user=deacon)
    network = f.LocalNetworkFactory(name="Barnstödsnätverket i Växjö", kommun=vaxjo)
    for user, org in ((worker, family_centre), (deacon, church), (officer, police)):
        NetworkMembership.objects.create(network=network, user=user, organisation=org)
    activity = f.ActivityFactory(
        organisation=church, title=MEETING_PLACE, kommun=vaxjo,
        description="En enkel, gratis middag för familjer som vill äta tillsammans med andra.",
        when="Måndagar 17.00–19.00", where="Domkyrkans församlingshem", cost="Gratis",
        getting_there="Buss 1 till Domkyrkan, ingången på gårdssidan.",
        family_contact="Diakon Maria, 070-174 06 09", contact="Diakon Maria (tjänstetelefon)",
        how_to_refer="Ring diakonen innan.", public=True,
    )
    # The worker's plan for a child, with the mother's consent to referral to the church.
    plan = plan_services.plan_open(by=worker, organisation=family_centre, given_name="Tindra",
                                   family_name="Testbarnsson", birth_date=date(2016, 3, 1),
                                   reason="Familjen är ensam och saknar kontakter.", part="Familjepedagog")
    mother = plan_services.guardian_add(plan=plan, by=worker, name="Gunilla Vårdnadshavarsson",
                                        relation="mamma", has_custody=True, contact="070-123 45 67")
    plan_services.consent_record(plan=plan, by=worker, guardian=mother, given_on=timezone.localdate(),
                                 method=Consent.Method.WRITTEN, purposes="Hänvisning till kyrkans mötesplats.",
                                 organisations=[church], allows_referral=True)
    return {"worker": worker, "deacon": deacon, "officer": officer, "church": church, "activity": activity,
            "plan": plan, "secrets": secrets}


def rows_of_every_model():
    return {m._meta.label: m.objects.count() for m in apps.get_models()}


def test_tip_refer_answer(world, page, new_context):
    worker, deacon, activity, plan = world["worker"], world["deacon"], world["activity"], world["plan"]
    secrets = world["secrets"]

    # --- A leaflet for the church's meeting place: no record of the family ------------------------
    log_in_with_code(page, worker, secrets["worker"])
    page.goto("/katalog/?q=middag")
    expect(page.locator("h1")).to_have_text("Verksamhetskatalog")
    check_page(page)
    page.locator("main").get_by_role("link", name=MEETING_PLACE).click()
    expect(page.locator("h1")).to_have_text(MEETING_PLACE)
    check_page(page)
    page.locator("main").get_by_role("link", name="Tipsa en familj").click()
    expect(page.locator("h1")).to_have_text("Tipsa en familj")
    expect(page.locator("main")).to_contain_text("Portalen sparar ingenting om familjen.")
    check_page(page)
    before = rows_of_every_model()
    page.get_by_role("button", name="Gör lappen").click()
    expect(page.locator("h1")).to_have_text(MEETING_PLACE)
    leaflet = page.locator("article.leaflet")
    for text in ("Måndagar 17.00–19.00", "Domkyrkans församlingshem", "Gratis", "Buss 1 till Domkyrkan",
                 "Diakon Maria, 070-174 06 09"):
        expect(leaflet).to_contain_text(text)
    expect(leaflet).not_to_contain_text("Ring diakonen innan.")  # for professionals, not on the leaflet
    expect(leaflet.get_by_role("img", name="QR-kod till verksamhetens sida")).to_be_visible()
    check_page(page)
    assert_fits_widths(page, media=("print",))  # its A4 layout reflows down to 320 px as well
    term, year = current_term()
    assert ActivityTipCount.objects.get(activity=activity, term=term, year=year).count == 1
    after = rows_of_every_model()
    changed = {label: after[label] - before[label] for label in after if after[label] != before[label]}
    # The count's row, the request's audit row and the user's session bookkeeping: nothing else.
    assert set(changed) <= {"networks.ActivityTipCount", "portal.AuditEvent", "usersessions.UserSession",
                            "sessions.Session"}, changed
    leaflet_url = page.url

    # The same leaflet on a phone, and the QR code's page for anyone.
    phone = new_context(**PHONE).new_page()
    phone.context.add_cookies(page.context.cookies())
    phone.goto(leaflet_url)
    expect(phone.locator("h1")).to_have_text(MEETING_PLACE)
    assert_no_horizontal_scroll(phone)
    check_page(phone)
    anyone = new_context(**PHONE).new_page()
    anyone.goto(f"/for-familjer/{activity.pk}/")
    expect(anyone.locator("h1")).to_have_text(MEETING_PLACE)
    expect(anyone.locator("main")).to_contain_text("Diakon Maria, 070-174 06 09")
    expect(anyone.locator("main")).not_to_contain_text("tjänstetelefon")
    assert_no_horizontal_scroll(anyone)
    check_page(anyone)
    assert ActivityTipCount.objects.get(activity=activity).count == 1  # reading counts nothing

    # --- The same worker refers the child from her plan, with consent ------------------------------
    page.goto(f"/planer/{plan.pk}/")
    expect(page.locator("h1")).to_have_text("Barnets plan: Tindra Testbarnsson")
    check_page(page)
    page.locator("main nav").get_by_role("link", name="Hänvisningar").click()
    expect(page.locator("h1")).to_have_text("Hänvisningar")
    check_page(page)
    page.locator("main").get_by_role("link", name="Ny hänvisning").click()
    expect(page.locator("h1")).to_have_text("Ny hänvisning")
    check_page(page)
    page.get_by_label(label("Organisation")).select_option(
        label="Svenska kyrkan, Växjö domkyrkoförsamling (Växjö) – samtycke finns")
    page.get_by_label(label("Verksamhet")).select_option(
        label=f"{MEETING_PLACE} – Svenska kyrkan, Växjö domkyrkoförsamling – samtycke finns")
    page.get_by_label(label("Vad familjen vill ha hjälp med")).fill(HELP)
    page.get_by_role("radio", name="Familjen hör av sig själv").check()
    page.get_by_role("button", name="Skicka hänvisningen").click()
    expect(page.locator("h1")).to_have_text("Hänvisningar")
    expect(page.locator("main")).to_contain_text("Hänvisningen är skickad.")
    expect(page.get_by_role("row").filter(has_text=MEETING_PLACE)).to_contain_text("Väntar på svar")
    check_page(page)
    referral = Referral.objects.get()
    assert referral.first_name == "Tindra" and referral.help_wanted == HELP

    # --- The church's receiver logs in with a code, sees only the shared words and accepts ----------
    church_page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in_with_code(church_page, deacon, secrets["deacon"])
    waiting = church_page.get_by_role("region", name="Hänvisningar som väntar på svar")
    expect(waiting).to_contain_text(f"Hänvisning {referral.pk}")
    expect(waiting).not_to_contain_text("Tindra")  # the dashboard names no child
    check_page(church_page)
    waiting.get_by_role("link", name=f"Hänvisning {referral.pk}").click()
    expect(church_page.locator("h1")).to_have_text(f"Hänvisning {referral.pk}")
    main = church_page.locator("main")
    expect(main).to_contain_text(HELP)
    expect(main).to_contain_text("Tindra")
    for hidden in ("Testbarnsson", "Gunilla", "070-123 45 67", "Familjen är ensam"):
        expect(main).not_to_contain_text(hidden)
    assert church_page.locator("main a[href^='/planer/']").count() == 0
    check_page(church_page)
    church_page.get_by_role("radio", name="Vi tar emot familjen (accepterad)").check()
    church_page.get_by_label(label("Kort meddelande till teamet")).fill(NOTE)
    church_page.get_by_role("button", name="Skicka svaret").click()
    expect(church_page.locator("main")).to_contain_text("Svaret är skickat till barnets team.")
    expect(church_page.locator("main")).to_contain_text("Accepterad")
    check_page(church_page)
    church_page.goto("/hanvisningar/")
    expect(church_page.locator("h1")).to_have_text("Hänvisningar")
    check_page(church_page)
    goto_404(church_page, f"/planer/{plan.pk}/")  # accepting never puts the receiver on the team
    # The church's own pages: who receives its referrals, and the flow (counts only).
    church = world["church"]
    church_page.goto(f"/organisationer/{church.pk}/mottagare/")
    expect(church_page.locator("h1")).to_have_text("Mottagare av hänvisningar")
    expect(church_page.locator("main")).to_contain_text("Maria Diakon")
    check_page(church_page)
    church_page.goto(f"/hanvisningar/flode/organisation/{church.pk}/")
    expect(church_page.locator("h1")).to_have_text("Tips och hänvisningar")
    expect(church_page.get_by_role("row").filter(has_text=MEETING_PLACE)).to_contain_text("färre än 5")
    expect(church_page.locator("main")).not_to_contain_text("Tindra")
    check_page(church_page)

    # --- The status and the chronology entry on the plan -------------------------------------------
    page.goto(f"/planer/{plan.pk}/hanvisningar/")
    row = page.get_by_role("row").filter(has_text=MEETING_PLACE)
    expect(row).to_contain_text("Accepterad")
    expect(row).to_contain_text(NOTE)
    check_page(page)
    page.locator("main nav").get_by_role("link", name="Kronologi").click()
    expect(page.locator("h1")).to_have_text("Kronologi")
    expect(page.get_by_role("row").filter(has_text="accepterades")).to_contain_text(NOTE)
    check_page(page)
    page.locator("main nav").get_by_role("link", name="Översikt").click()
    expect(page.get_by_role("region", name="Hänvisningar")).to_contain_text("1 accepterad eller pågår")
    check_page(page)
    # The referrer could take it back (the page only: the referral stays).
    page.goto(f"/hanvisningar/{referral.pk}/ta-tillbaka/")
    expect(page.locator("h1")).to_have_text("Ta tillbaka hänvisningen")
    check_page(page)

    # --- A police officer in the same network gets 404 ----------------------------------------------
    officer_page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in_with_code(officer_page, world["officer"], secrets["officer"])
    goto_404(officer_page, f"/hanvisningar/{referral.pk}/")
    goto_404(officer_page, "/hanvisningar/")
    goto_404(officer_page, f"/planer/{plan.pk}/")
    assert path_of(officer_page) == f"/planer/{plan.pk}/"
