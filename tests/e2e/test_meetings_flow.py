"""Issue 3 in a real browser: a coordinator plans a meeting and sends the invitations; a
participant opens the e-mail's "Jag kommer" link without logging in, confirms, and later sees
the answer in the portal; the coordinator sees the answer and the comment. Every page passes
axe and the keyboard basics (tests/e2e/checks.py)."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from meetings.models import Invitation, Meeting
from networks.models import NetworkMembership
from tests import factories as f

from .checks import check_page, check_print_view, label, log_in, path_of

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

YES_LINK = re.compile(r"https?://[^\s\"'<>]+/moten/\d+/svara/[^\s\"'<>/]+/\?svar=ja")


@pytest.fixture
def people(transactional_db):
    network = f.LocalNetworkFactory(name="Barnstödsnätverket i Ljungby", kommun=f.kommun("Ljungby"))
    kommun = f.OrganisationFactory(name="Ljungby kommun", unit="Socialtjänsten", kommun=f.kommun("Ljungby"))
    church = f.OrganisationFactory(name="Ljungby församling", kind="kyrka", kommun=f.kommun("Ljungby"))
    coordinator = f.MembershipFactory(
        network=network, organisation=kommun, role=NetworkMembership.Role.COORDINATOR,
        user=f.UserFactory(email="samordnare@ljungby.se", first_name="Sara", last_name="Samordnare"),
    ).user
    participant = f.MembershipFactory(
        network=network, organisation=church,
        user=f.UserFactory(email="diakon@ljungby-forsamling.se", first_name="Dan", last_name="Diakon"),
    ).user
    from meetings.models import Topic

    Topic.objects.get_or_create(name="ANDTS")
    return network, coordinator, participant


def test_plan_invite_answer(people, page, new_context, live_server, portal_base_url):
    network, coordinator, participant = people
    day = timezone.localdate() + timedelta(days=21)

    # --- The coordinator plans a meeting -------------------------------------------------------
    log_in(page, coordinator.email, f.PASSWORD)
    page.goto(f"/natverk/{network.pk}/moten/")
    expect(page.locator("h1")).to_have_text("Möten i Barnstödsnätverket i Ljungby")
    check_page(page)
    page.locator("main").get_by_role("link", name="Planera ett möte").first.click()
    expect(page.locator("h1")).to_have_text("Planera ett möte")
    check_page(page)

    page.get_by_label(label("Rubrik")).fill("Vårträff om ANDTS")
    page.get_by_label(label("Börjar")).fill(f"{day:%Y-%m-%d}T09:00")
    page.get_by_label(label("Slutar")).fill(f"{day:%Y-%m-%d}T08:00")  # before the start: refused
    page.get_by_label(label("Plats")).fill("Ljungby bibliotek, Stora torget")
    page.get_by_role("checkbox", name="ANDTS").check()
    page.get_by_role("button", name="Spara").click()
    expect(page.locator("main")).to_contain_text("Mötet måste sluta efter att det börjar.")
    check_page(page)
    assert not Meeting.objects.exists()

    page.get_by_label(label("Slutar")).fill(f"{day:%Y-%m-%d}T11:30")
    page.get_by_label(label("Sista svarsdag")).fill(f"{day - timedelta(days=7):%Y-%m-%d}")
    page.get_by_role("button", name="Spara").click()
    expect(page.locator("h1")).to_have_text("Vårträff om ANDTS")
    check_page(page)
    meeting = Meeting.objects.get()
    assert meeting.local_start.hour == 9 and meeting.local_end.minute == 30

    # --- Review the list and send ---------------------------------------------------------------
    page.get_by_role("link", name="Bjud in", exact=True).click()
    expect(page.locator("h1")).to_have_text("Bjud in till mötet")
    expect(page.locator("main")).to_contain_text(participant.email)
    check_page(page)
    page.get_by_role("button", name="Skicka inbjudningar").click()
    expect(page.locator("h1")).to_have_text("Svar och behov")
    check_page(page)

    sent = [m for m in mail.outbox if m.to == [participant.email]]
    assert len(sent) == 1
    yes_link = YES_LINK.search(sent[0].body).group(0)
    assert yes_link.startswith(live_server.url)

    # --- The participant answers from the e-mail, not logged in --------------------------------
    guest = new_context(viewport={"width": 390, "height": 844}).new_page()  # a phone
    guest.goto(yes_link)
    expect(guest.locator("h1")).to_have_text("Svara på inbjudan")
    expect(guest.get_by_role("radio", name="Jag kommer")).to_be_checked()
    check_page(guest)
    assert Invitation.objects.get(user=participant).response == "pending"  # opening changed nothing
    guest.get_by_label(label("Behov")).fill("Laktosfri mat")
    guest.get_by_role("button", name="Skicka mitt svar").click()
    expect(guest.locator("h1")).to_have_text("Tack för ditt svar")
    expect(guest.locator("main")).to_contain_text("Tack! Du är anmäld till Vårträff om ANDTS.")
    check_page(guest)
    assert Invitation.objects.get(user=participant).response == "yes"

    # --- Later, logged in: the meeting shows the answer -----------------------------------------
    member = new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in(member, participant.email, f.PASSWORD)
    member.goto(f"/moten/{meeting.pk}/")
    expect(member.get_by_role("region", name="Mitt svar").locator(".badge")).to_have_text("Kommer")
    check_page(member)
    assert path_of(member) == f"/moten/{meeting.pk}/"

    # --- The coordinator sees the answer and the need -------------------------------------------
    page.reload()
    row = page.get_by_role("row").filter(has_text="Dan Diakon")
    expect(row).to_contain_text("Kommer")
    expect(row).to_contain_text("Laktosfri mat")
    check_page(page)


def test_coordinator_pages_pass_axe(people, page, new_context):
    """The other coordinator pages, with data on them, at the meeting (it started 30 minutes
    ago): invitations, answers with needs, attendance, minutes, agenda, QR code, check-in."""
    from meetings import services

    network, coordinator, participant = people
    start = timezone.now() - timedelta(minutes=30)
    meeting = services.meeting_schedule(
        network=network, by=coordinator, title="Pågående träff", starts_at=start, ends_at=start + timedelta(hours=2),
        place="Ljungby bibliotek", video_url="https://example.org/mote", capacity=10,
    )
    Invitation.objects.create(meeting=meeting, user=participant, email=participant.email, name="Dan Diakon",
                              response="yes", comment="Hörslinga", sent_at=timezone.now())
    Invitation.objects.create(meeting=meeting, user=coordinator, email=coordinator.email, name="Sara Samordnare",
                              response="no", decline_reason="Sjuk", sent_at=timezone.now())
    services.agenda_set(meeting=meeting, by=coordinator, items=[
        {"title": "Välkommen", "responsible": coordinator, "responsible_name": "", "duration_minutes": 10},
    ])
    services.minutes_save(meeting=meeting, by=coordinator, text="Vi lärde känna varandra.")
    services.attendance_add_walk_in(meeting=meeting, by=coordinator, name="Polis Pia", organisation_name="Polisen")

    log_in(page, coordinator.email, f.PASSWORD)
    for path, heading in [
        (f"/moten/{meeting.pk}/", "Pågående träff"),
        (f"/moten/{meeting.pk}/redigera/", "Ändra mötet"),
        (f"/moten/{meeting.pk}/dagordning/", "Dagordning"),
        (f"/moten/{meeting.pk}/svar/", "Svar och behov"),
        (f"/moten/{meeting.pk}/narvaro/", "Vem kom?"),
        (f"/moten/{meeting.pk}/minnesanteckningar/", "Minnesanteckningar"),
        (f"/moten/{meeting.pk}/incheckning/", "Checka in: Pågående träff"),
        (f"/moten/{meeting.pk}/installa/", "Ställ in mötet"),
        (f"/natverk/{network.pk}/moten/installningar/", "Inställningar för möten"),
        (f"/moten/{meeting.pk}/narvaroregister/", "Närvaroregister"),
        (f"/moten/{meeting.pk}/minnesanteckningar/publicera/", "Publicera minnesanteckningarna"),
        (f"/natverk/{network.pk}/narvaro/", f"Närvaro i {network.name}"),
        ("/kalender/", "Mina möten i min kalender"),
    ]:
        page.goto(path)
        expect(page.locator("h1")).to_have_text(heading)
        check_page(page)
    expect(page.locator("main")).to_contain_text("Skapa kalenderlänk")

    # The printable sign-in sheet has no site chrome; the checkers still apply, and it fits 320 px.
    page.goto(f"/moten/{meeting.pk}/narvarolista/")
    expect(page.locator("h1")).to_contain_text("Närvarolista")
    expect(page.get_by_role("row").filter(has_text="Dan Diakon")).to_be_visible()
    check_print_view(page)

    # The participant scans the QR code on a phone and checks in.
    from meetings.views.attendance import checkin_token

    phone = new_context(viewport={"width": 390, "height": 844}).new_page()
    log_in(phone, participant.email, f.PASSWORD)
    phone.goto(f"/moten/{meeting.pk}/checka-in/{checkin_token(meeting)}/")
    expect(phone.locator("h1")).to_have_text("Checka in")
    check_page(phone)
    phone.get_by_role("button", name="Checka in – jag är här").click()
    expect(phone.get_by_role("alert")).to_contain_text("Välkommen! Du är incheckad.")
    check_page(phone)
    assert meeting.attendances.filter(user=participant, source="checkin").exists()
