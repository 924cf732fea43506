"""The issue's flow in a real browser: the demo's local coordinator invites a new person, the
Celery task sends the invitation, the person follows the link, chooses a password, lands on
Min översikt and finds an activity in the directory. Every page passes axe and the keyboard
basics (tests/e2e/checks.py)."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from networks.demo import DEMO_PASSWORD, demo_logins
from networks.models import NetworkInvitation, NetworkMembership

from .checks import NEW_PASSWORD, check_page, label, log_in, path_of

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NETWORK = "Barnstödsnätverket i Växjö"
NEW_PERSON = {
    "email": "agnes.lind@exempel.se",
    "first_name": "Agnes",
    "last_name": "Lind",
    "organisation": "Hela Människan, Växjö (Växjö)",
    "title": "Volontärsamordnare",
}
LINK = re.compile(r"https?://[^\s\"'<>]+/inbjudan/[^\s\"'<>]+/")


def demo_email(role_prefix):
    return next(email for role, email, _hint in demo_logins() if role.startswith(role_prefix))


@pytest.fixture
def demo(transactional_db):
    """The demo data exactly as ``./portal.sh run`` loads it (the command reloads the län and
    kommuner that the previous transactional test's flush removed)."""
    call_command("load_demo", quiet=True)


def test_invite_flow(demo, page, new_context, live_server, portal_base_url):
    coordinator = demo_email("Lokal samordnare")

    # --- The coordinator: Min översikt → the network → Bjud in medlem ----------------------
    log_in(page, coordinator, DEMO_PASSWORD)
    expect(page.locator("h1")).to_have_text("Min översikt")
    check_page(page)

    page.locator("main").get_by_role("link", name=NETWORK, exact=True).click()
    expect(page.locator("h1")).to_have_text(NETWORK)
    check_page(page)

    page.get_by_role("link", name="Bjud in medlem").click()
    expect(page.locator("h1")).to_have_text("Bjud in medlem")
    check_page(page)

    page.get_by_label(label("E-postadress")).fill(NEW_PERSON["email"])
    page.get_by_label(label("Förnamn")).fill(NEW_PERSON["first_name"])
    page.get_by_label(label("Efternamn")).fill(NEW_PERSON["last_name"])
    page.get_by_label(label("Organisation")).select_option(label=NEW_PERSON["organisation"])
    page.get_by_label(label("Titel")).fill(NEW_PERSON["title"])
    page.get_by_role("radio", name="Deltagare").check()
    page.get_by_role("button", name="Skicka inbjudan").click()

    # The confirmation, on the network page, with the new member in the list.
    expect(page.locator("h1")).to_have_text(NETWORK)
    expect(page.get_by_role("alert")).to_contain_text(f"En inbjudan har skickats till {NEW_PERSON['email']}")
    members = page.locator("#medlemmar")
    expect(members.get_by_role("row").filter(has_text="Agnes Lind")).to_contain_text("Deltagare")
    check_page(page)
    membership = NetworkMembership.objects.get(user__email=NEW_PERSON["email"], network__name=NETWORK)
    assert membership.role == NetworkMembership.Role.PARTICIPANT
    assert not membership.user.has_usable_password()

    # --- The e-mail, sent by the Celery task (eager in tests) after the commit -------------
    sent = [m for m in mail.outbox if NEW_PERSON["email"] in m.to]
    assert len(sent) == 1, f"expected one invitation to {NEW_PERSON['email']}, got {len(sent)}"
    message = sent[0]
    assert message.to == [NEW_PERSON["email"]]
    assert message.subject == f"Inbjudan till {NETWORK} i Barnstödsportalen"
    html = next(content for content, mime in message.alternatives if mime == "text/html")
    links = set(LINK.findall(message.body))
    assert len(links) == 1, message.body
    link = links.pop()
    assert link in html
    assert link.startswith(live_server.url + "/inbjudan/")

    # --- The invited person, in a browser of their own ---------------------------------------
    invitee = new_context(viewport={"width": 1280, "height": 900}).new_page()
    invitee.goto(link)
    assert invitee.url == link
    expect(invitee.locator("h1")).to_have_text("Välj lösenord")
    expect(invitee.locator("main")).to_contain_text(NETWORK)
    check_page(invitee)

    password1 = invitee.locator("input[name=new_password1]")
    password2 = invitee.locator("input[name=new_password2]")
    expect(password1).to_have_accessible_name(re.compile("lösenord", re.IGNORECASE))
    expect(password2).to_have_accessible_name(re.compile("lösenord", re.IGNORECASE))
    save = invitee.get_by_role("button", name="Spara lösenordet och logga in")

    # Too short: a Swedish message next to the field, nothing saved, still on the page.
    password1.fill("kort2025")
    password2.fill("kort2025")
    save.click()
    expect(invitee.locator("h1")).to_have_text("Välj lösenord")
    expect(invitee.locator("main")).to_contain_text("minst 12 tecken")
    check_page(invitee)
    membership.user.refresh_from_db()
    assert not membership.user.has_usable_password()

    password1.fill(NEW_PASSWORD)
    password2.fill(NEW_PASSWORD)
    save.click()

    # Logged in, on Min översikt, which shows the network.
    expect(invitee.locator("h1")).to_have_text("Min översikt")
    assert path_of(invitee) == "/"
    expect(invitee.locator("main").get_by_role("link", name=NETWORK, exact=True)).to_be_visible()
    check_page(invitee)
    assert NetworkInvitation.objects.get(user__email=NEW_PERSON["email"]).accepted_at is not None

    # The link has done its job: opened again it is refused.
    used = new_context().new_page()
    response = used.goto(link)
    assert response.status == 404
    expect(used.locator("main")).not_to_contain_text("Välj lösenord")
    check_page(used)

    # --- The directory: search by a word, open the activity ----------------------------------
    invitee.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Verksamhetskatalog").click()
    expect(invitee.locator("h1")).to_have_text("Verksamhetskatalog")
    check_page(invitee)

    invitee.get_by_label(label("Sökord")).fill("läxhjälp")
    invitee.get_by_role("button", name="Sök", exact=True).click()
    assert "q=l%C3%A4xhj%C3%A4lp" in invitee.url or "q=läxhjälp" in invitee.url
    result = invitee.get_by_role("link", name="Läxhjälp i församlingshemmet")
    expect(result).to_be_visible()
    check_page(invitee)

    result.click()
    expect(invitee.locator("h1")).to_have_text("Läxhjälp i församlingshemmet")
    expect(invitee.locator("main")).to_contain_text("Domkyrkans församlingshem")
    assert re.fullmatch(r"/katalog/\d+/", urlsplit(invitee.url).path)
    check_page(invitee)
