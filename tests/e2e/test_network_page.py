"""The network page and a member's page in a real browser: the member table links to each
member's page, where a coordinator changes the role or removes the member; the network page
shows each change at once, and an ordinary participant sees the same member page without the
coordinator's tools."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from networks.demo import DEMO_PASSWORD, demo_logins
from networks.models import NetworkMembership

from .checks import check_page, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NETWORK = "Barnstödsnätverket i Växjö"


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", quiet=True)


def demo_email(role_prefix):
    return next(email for role, email, _hint in demo_logins() if role.startswith(role_prefix))


def test_coordinator_changes_a_role_and_removes_a_member(demo, page, new_context):
    coordinator = demo_email("Lokal samordnare")
    network_pk = NetworkMembership.objects.filter(network__name=NETWORK).values_list("network_id", flat=True)[0]
    participants = list(
        NetworkMembership.objects.filter(network_id=network_pk, role=NetworkMembership.Role.PARTICIPANT)
        .exclude(user__email=coordinator)
        .select_related("user")
        .order_by("user__first_name", "pk")[:2]
    )
    promoted, removed = participants
    promoted_name, removed_name = promoted.user.display_name, removed.user.display_name

    log_in(page, coordinator, DEMO_PASSWORD)
    page.goto(f"/natverk/{network_pk}/")
    expect(page.locator("h1")).to_have_text(NETWORK)
    check_page(page)
    members = page.locator("#medlemmar")

    # Make a participant a coordinator, on their member page.
    members.get_by_role("link", name=promoted_name, exact=True).click()
    expect(page.locator("h1")).to_have_text(promoted_name)
    check_page(page)
    page.get_by_label("Roll", exact=True).select_option(label="Samordnare")  # not the form "Ändra roll"
    page.get_by_role("button", name="Ändra roll").click()
    expect(page.get_by_role("alert")).to_contain_text(promoted_name)
    promoted.refresh_from_db()
    assert promoted.role == NetworkMembership.Role.COORDINATOR
    page.get_by_role("link", name=NETWORK).click()
    expect(members.get_by_role("row").filter(has_text=promoted_name)).to_contain_text("Samordnare")

    # Remove another member: open the confirmation on their page, confirm.
    members.get_by_role("link", name=removed_name, exact=True).click()
    page.locator("summary", has_text="Ta bort ur nätverket").click()
    page.get_by_role("button", name=f"Ja, ta bort {removed_name} ur nätverket").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator("h1")).to_have_text(NETWORK)
    expect(members).not_to_contain_text(removed_name)
    assert not NetworkMembership.objects.filter(pk=removed.pk).exists()
    check_page(page)

    # An ordinary participant sees the same member page without the coordinator's tools (one
    # without the demo professionals' authenticator, so the password alone logs in).
    participant = (
        NetworkMembership.objects.filter(network_id=network_pk, role=NetworkMembership.Role.PARTICIPANT)
        .filter(user__authenticator__isnull=True)
        .select_related("user")
        .first()
        .user
    )
    participant.set_password(DEMO_PASSWORD)
    participant.save()
    other = new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in(other, participant.email, DEMO_PASSWORD)
    other.goto(f"/natverk/{network_pk}/")
    expect(other.locator("h1")).to_have_text(NETWORK)
    expect(other.locator("#medlemmar")).to_contain_text(promoted_name)
    expect(other.get_by_role("navigation", name="Samordnarens verktyg")).to_have_count(0)
    other.locator("#medlemmar").get_by_role("link", name=promoted_name, exact=True).click()
    expect(other.locator("h1")).to_have_text(promoted_name)
    expect(other.get_by_role("button", name="Ändra roll")).to_have_count(0)
    check_page(other)


def test_regional_overview(demo, page):
    """The regional coordinator's overview of every kommun in the län, from the network page: a
    wide table with a row header per kommun and a total row. The total's row header is one
    column wide (one spanning the columns made HTML_CodeSniffer read the table as having two
    levels of headers)."""
    coordinator = demo_email("Regional samordnare")
    network_pk = NetworkMembership.objects.filter(
        user__email=coordinator, role=NetworkMembership.Role.COORDINATOR, network__kind="regional"
    ).values_list("network_id", flat=True)[0]
    log_in(page, coordinator, DEMO_PASSWORD)
    page.goto(f"/natverk/{network_pk}/")
    page.locator("main").get_by_role("link", name="Regional överblick").click()
    expect(page.locator("h1")).to_have_text("Regional överblick")
    expect(page.get_by_role("row", name="Summa")).to_be_visible()
    check_page(page)
