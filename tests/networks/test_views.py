"""The network pages from the outside: who sees what, who may change what, and the
invitation link. Access rule (docs/architecture.md 2): members and administrators see a network,
coordinators change it, anyone else gets 404 and changes nothing."""

import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from networks.models import (
    Network,
    NetworkInvitation,
    NetworkMembership,
    NetworkOrganisation,
    Organisation,
    OrganisationMembership,
    Stewardship,
)
from networks.tokens import invitation_token
from portal.models import AuditEvent, OutboundEmail
from tests import factories as f

User = get_user_model()
Role = NetworkMembership.Role


def _snapshot():
    """Every row a network page could change."""
    return {
        "networks": list(Network.objects.order_by("pk").values_list("pk", "name", "purpose")),
        "memberships": list(NetworkMembership.objects.order_by("pk").values_list("pk", "user_id", "role")),
        "organisations": list(NetworkOrganisation.objects.order_by("pk").values_list("pk", "organisation_id")),
        "stewardships": list(Stewardship.objects.order_by("pk").values_list("pk", "organisation_id", "ends_on")),
        "users": User.objects.count(),
        "invitations": NetworkInvitation.objects.count(),
        "outbox": OutboundEmail.objects.count(),
    }


@pytest.fixture
def personas(coordinator, participant, outsider, administrator, regional_coordinator, regional_participant):
    return {
        "coordinator": coordinator,
        "participant": participant,
        "outsider": outsider,
        "administrator": administrator,
        "regional_coordinator": regional_coordinator,
        "regional_participant": regional_participant,
        "anonymous": None,
    }


def _client(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _assert_login_redirect(response):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- Who sees which page (GET) -------------------------------------------------------------

# (url name, network: "local"/"regional"/None, {persona: expected status})
PAGES = [
    ("network_list", None, {
        "coordinator": 200, "participant": 200, "outsider": 200, "administrator": 200,
    }),
    ("network_create", None, {
        "administrator": 200, "regional_coordinator": 200,
        "coordinator": 404, "participant": 404, "outsider": 404, "regional_participant": 404,
    }),
    ("network_detail", "local", {
        "coordinator": 200, "participant": 200, "administrator": 200,
        "outsider": 404, "regional_coordinator": 404,
    }),
    ("network_detail", "regional", {
        "regional_coordinator": 200, "regional_participant": 200, "administrator": 200,
        "coordinator": 404, "outsider": 404,
    }),
    ("network_update", "local", {
        "coordinator": 200, "participant": 404, "outsider": 404, "administrator": 404,
    }),
    ("network_member_invite", "local", {
        "coordinator": 200, "participant": 404, "outsider": 404, "administrator": 404,
    }),
    ("network_organisation_add", "local", {
        "coordinator": 200, "participant": 404, "outsider": 404, "administrator": 404,
    }),
    ("network_stewardship", "local", {
        "coordinator": 200, "participant": 404, "outsider": 404, "administrator": 404,
    }),
    ("network_overview", "regional", {
        "regional_coordinator": 200, "regional_participant": 200, "administrator": 200,
        "coordinator": 404, "participant": 404, "outsider": 404,
    }),
    ("network_overview", "local", {
        "coordinator": 404, "participant": 404, "administrator": 404,
    }),
]


def _page_url(name, which, network, regional_network):
    target = {"local": network, "regional": regional_network, None: None}[which]
    return reverse(name, args=[target.pk]) if target else reverse(name)


@pytest.mark.parametrize(("name", "which", "expected"), PAGES, ids=lambda v: v if isinstance(v, str) else None)
def test_page_access(name, which, expected, personas, network, regional_network):
    url = _page_url(name, which, network, regional_network)
    target = {"local": network, "regional": regional_network}.get(which)
    for persona, status in expected.items():
        response = _client(personas[persona]).get(url)
        assert response.status_code == status, f"{persona} GET {url}"
        if status == 404 and target is not None:
            assert target.name not in response.content.decode(), f"{persona} sees the network's name"
    _assert_login_redirect(_client(None).get(url))


def test_unknown_network_is_404_like_a_forbidden_one(client_for, administrator):
    response = client_for(administrator).get(reverse("network_detail", args=[999999]))
    assert response.status_code == 404


# --- Who may change what (POST) ------------------------------------------------------------


def _post_cases(network, participant, org_church, coordinator):
    """(url, data) for every coordinator-only change; each would succeed for the coordinator."""
    membership = NetworkMembership.objects.get(network=network, user=participant)
    idle_org = f.OrganisationFactory(name="Idrottsföreningen", kind=Organisation.Kind.IDEELL)
    spare_org = f.OrganisationFactory(name="Ledig organisation", kind=Organisation.Kind.ANNAN)
    NetworkOrganisation.objects.create(network=network, organisation=spare_org)
    return [
        (reverse("network_update", args=[network.pk]), {"name": "Kapat", "purpose": "Kapat"}),
        (reverse("network_member_invite", args=[network.pk]), {
            "email": "ny@exempel.se", "first_name": "Ny", "last_name": "Person",
            "organisation": org_church.pk, "title": "", "role": Role.PARTICIPANT,
        }),
        (reverse("network_stewardship", args=[network.pk]), {
            "organisation": org_church.pk, "contact_person": participant.pk, "starts_on": "2025-09-01",
        }),
        (reverse("network_member_role", args=[network.pk, membership.pk]), {"role": Role.COORDINATOR}),
        (reverse("network_member_remove", args=[network.pk, membership.pk]), {}),
        (reverse("network_organisation_add", args=[network.pk]), {"organisation": idle_org.pk}),
        (reverse("network_organisation_remove", args=[network.pk, spare_org.pk]), {}),
    ]


@pytest.mark.parametrize("persona", ["participant", "outsider", "administrator", "regional_coordinator"])
def test_non_coordinators_get_404_on_every_change_and_nothing_changes(
    persona, personas, network, participant, org_church, coordinator
):
    cases = _post_cases(network, participant, org_church, coordinator)
    before = _snapshot()
    client = _client(personas[persona])
    for url, data in cases:
        response = client.post(url, data)
        assert response.status_code == 404, f"{persona} POST {url}"
    assert _snapshot() == before
    assert mail.outbox == []


def test_anonymous_changes_redirect_to_login_and_change_nothing(network, participant, org_church, coordinator):
    cases = _post_cases(network, participant, org_church, coordinator)
    before = _snapshot()
    for url, data in cases:
        _assert_login_redirect(Client().post(url, data))
    assert _snapshot() == before


def test_coordinator_can_make_every_change(network, participant, org_church, coordinator):
    """The same requests succeed for the coordinator, so the 404s above are about access."""
    client = _client(coordinator)
    for url, data in _post_cases(network, participant, org_church, coordinator):
        response = client.post(url, data)
        assert response.status_code == 302, (url, response.content.decode()[:2000])
    network.refresh_from_db()
    assert network.name == "Kapat"
    assert User.objects.filter(email="ny@exempel.se").exists()
    assert not NetworkMembership.objects.filter(network=network, user=participant).exists()
    assert Stewardship.objects.filter(network=network, organisation=org_church).exists()
    assert not NetworkOrganisation.objects.filter(network=network, organisation__name="Ledig organisation").exists()
    assert NetworkOrganisation.objects.filter(network=network, organisation__name="Idrottsföreningen").exists()


def test_post_only_actions_refuse_get(client_for, coordinator, network, participant):
    membership = NetworkMembership.objects.get(network=network, user=participant)
    client = client_for(coordinator)
    for name in ("network_member_role", "network_member_remove"):
        assert client.get(reverse(name, args=[network.pk, membership.pk])).status_code == 405
    assert NetworkMembership.objects.filter(pk=membership.pk).exists()


def test_membership_of_another_network_is_404(client_for, coordinator, network):
    elsewhere = f.MembershipFactory(network=f.LocalNetworkFactory())
    response = client_for(coordinator).post(
        reverse("network_member_remove", args=[network.pk, elsewhere.pk])
    )
    assert response.status_code == 404
    assert NetworkMembership.objects.filter(pk=elsewhere.pk).exists()


def test_a_removed_member_loses_access_on_the_next_request(client_for, coordinator, participant, network):
    participant_client = Client()
    participant_client.force_login(participant)
    url = reverse("network_detail", args=[network.pk])
    assert participant_client.get(url).status_code == 200
    membership = NetworkMembership.objects.get(network=network, user=participant)
    client_for(coordinator).post(reverse("network_member_remove", args=[network.pk, membership.pk]))
    assert participant_client.get(url).status_code == 404


# --- Page content --------------------------------------------------------------------------


def test_list_shows_my_networks_grouped_with_role_members_and_steward(
    client_for, coordinator, network, regional_network, org_kommun
):
    f.StewardshipFactory(network=network, organisation=org_kommun, contact_person=coordinator, starts_on=date(2025, 1, 1))
    hidden = f.LocalNetworkFactory(name="Ett nätverk jag inte är med i")
    response = client_for(coordinator).get(reverse("network_list"))
    html = response.content.decode()
    assert network.name in html
    assert hidden.name not in html
    assert "Lokala nätverk (kommun)" in html
    assert "Samordnare" in html
    assert "Växjö kommun, Socialtjänsten" in html
    assert [n.member_count for n in response.context["networks"]] == [1]
    assert "Nytt nätverk" not in html, "a local coordinator cannot create networks"


def test_list_for_administrator_shows_all_networks(client_for, administrator, network, regional_network):
    other = f.LocalNetworkFactory(name="Nätverket i Ljungby", kommun=f.kommun("Ljungby"))
    response = client_for(administrator).get(reverse("network_list"))
    names = [n.name for n in response.context["networks"]]
    assert names[0] == regional_network.name, "regional networks come first"
    assert {network.name, other.name} <= set(names)
    assert "Nytt nätverk" in response.content.decode()


def test_list_paginates_at_50(client_for, administrator):
    for _ in range(51):
        f.LocalNetworkFactory()
    client = client_for(administrator)
    assert len(client.get(reverse("network_list")).context["networks"]) == 50
    assert len(client.get(reverse("network_list") + "?page=2").context["networks"]) == 1


def test_detail_shows_members_organisations_steward_and_coordinator_tools(
    client_for, coordinator, participant, network, org_kommun, org_church
):
    OrganisationMembership.objects.filter(user=participant, organisation=org_church).update(title="Diakon")
    invited = f.MembershipFactory(
        network=network, organisation=org_church,
        user=f.UserFactory(email="inbjuden@exempel.se", first_name="Ida", last_name="Inbjuden", password=None),
    ).user
    invited.set_unusable_password()
    invited.save()
    f.StewardshipFactory(
        network=network, organisation=org_church, contact_person=participant,
        starts_on=date(2024, 1, 1), ends_on=date(2024, 12, 31),
    )
    f.StewardshipFactory(network=network, organisation=org_kommun, contact_person=coordinator, starts_on=date(2025, 1, 1))

    response = client_for(coordinator).get(reverse("network_detail", args=[network.pk]))
    html = response.content.decode()
    assert network.purpose in html
    assert "Sara Samordnare" in html and "Per Präst" in html
    assert "Diakon" in html
    assert participant.email in html and participant.phone in html
    assert html.count("Inbjuden – har inte loggat in än") == 1
    assert response.context["current_stewardship"].organisation == org_kommun
    assert [p.organisation for p in response.context["past_stewardships"]] == [org_church]
    groups = [g["label"] for g in response.context["organisation_groups"]]
    assert groups == ["Kommun", "Kyrka/församling"]
    for name in ("network_member_invite", "network_organisation_add", "network_stewardship", "network_update"):
        assert reverse(name, args=[network.pk]) in html
    assert "csrfmiddlewaretoken" in html
    assert "Barnens bästa gäller! i Kronoberg" in html, "the parent regional network is named"


def test_detail_for_participant_has_no_coordinator_tools(client_for, coordinator, participant, network):
    html = client_for(participant).get(reverse("network_detail", args=[network.pk])).content.decode()
    assert "Sara Samordnare" in html
    assert reverse("network_member_invite", args=[network.pk]) not in html
    assert "Ta bort" not in html
    assert "Gör till samordnare" not in html


def test_regional_detail_lists_local_networks(client_for, regional_coordinator, regional_network, network):
    html = client_for(regional_coordinator).get(reverse("network_detail", args=[regional_network.pk])).content.decode()
    assert network.name in html
    assert reverse("network_overview", args=[regional_network.pk]) in html
    assert reverse("network_detail", args=[network.pk]) not in html, "no link to a network they cannot see"


def test_create_local_network_as_regional_coordinator(client_for, regional_coordinator, regional_network, org_region):
    client = client_for(regional_coordinator)
    form = client.get(reverse("network_create")).context["form"]
    assert form.initial["parent"] == regional_network
    assert list(form.fields["kind"].choices) == [(Network.Kind.LOCAL, Network.Kind.LOCAL.label)]
    response = client.post(reverse("network_create"), {
        "kind": "local", "name": "Barnstöd i Alvesta", "kommun": f.kommun("Alvesta").pk,
        "parent": regional_network.pk, "purpose": "Vi träffas en gång per termin.",
        "coordinator_organisation": org_region.pk,
    })
    created = Network.objects.get(name="Barnstöd i Alvesta")
    assert response.status_code == 302
    assert response["Location"] == reverse("network_detail", args=[created.pk])
    assert created.parent == regional_network and created.lan == regional_network.lan
    assert NetworkMembership.objects.get(network=created).role == Role.COORDINATOR


def test_create_regional_network_as_administrator(client_for, administrator, org_kommun):
    lan = f.kommun("Jönköping").lan
    response = client_for(administrator).post(reverse("network_create"), {
        "kind": "regional", "name": "Barnstöd i Jönköpings län", "lan": lan.pk,
        "purpose": "", "coordinator_organisation": org_kommun.pk,
    })
    assert response.status_code == 302
    created = Network.objects.get(name="Barnstöd i Jönköpings län")
    assert (created.kind, created.lan, created.kommun, created.parent) == ("regional", lan, None, None)


def test_update_network(client_for, coordinator, network):
    response = client_for(coordinator).post(
        reverse("network_update", args=[network.pk]), {"name": "Nytt namn", "purpose": "Ny avsikt"}
    )
    assert response.status_code == 302
    network.refresh_from_db()
    assert (network.name, network.purpose) == ("Nytt namn", "Ny avsikt")


def test_last_coordinator_cannot_be_removed_or_demoted_through_the_page(client_for, coordinator, network):
    membership = NetworkMembership.objects.get(network=network, user=coordinator)
    client = client_for(coordinator)
    before = _snapshot()
    for name, data in (("network_member_remove", {}), ("network_member_role", {"role": Role.PARTICIPANT})):
        response = client.post(reverse(name, args=[network.pk, membership.pk]), data, follow=True)
        assert response.status_code == 200
        assert "Nätverket måste ha minst en samordnare" in response.content.decode()
    assert _snapshot() == before


def test_organisation_with_members_is_not_removed_through_the_page(
    client_for, coordinator, participant, network, org_church
):
    response = client_for(coordinator).post(
        reverse("network_organisation_remove", args=[network.pk, org_church.pk]), follow=True
    )
    assert "företräds fortfarande av medlemmar" in response.content.decode()
    assert NetworkOrganisation.objects.filter(network=network, organisation=org_church).exists()


def test_stewardship_handover_through_the_page(client_for, coordinator, participant, network, org_kommun, org_church):
    f.StewardshipFactory(network=network, organisation=org_kommun, contact_person=coordinator, starts_on=date(2025, 1, 1))
    response = client_for(coordinator).post(reverse("network_stewardship", args=[network.pk]), {
        "organisation": org_church.pk, "contact_person": participant.pk, "starts_on": "2025-08-01",
        "note": "Kyrkan tar över",
    }, follow=True)
    assert response.status_code == 200
    assert response.context["current_stewardship"].organisation == org_church
    assert Stewardship.objects.get(network=network, organisation=org_kommun).ends_on == date(2025, 7, 31)


def test_overview_lists_every_kommun_of_the_lan(
    client_for, regional_participant, regional_network, network, org_kommun, coordinator, participant
):
    f.StewardshipFactory(network=network, organisation=org_kommun, contact_person=coordinator, starts_on=date(2025, 1, 1))
    response = client_for(regional_participant).get(reverse("network_overview", args=[regional_network.pk]))
    html = response.content.decode()
    kommuner = response.context["kommuner"]
    assert len(kommuner) == 8, "Kronobergs län has eight kommuner"
    vaxjo = next(k for k in kommuner if k["name"] == "Växjö")
    (row,) = vaxjo["local_networks"]
    assert row.member_count == 2
    assert row.kind_counts[list(Organisation.Kind.values).index("kommun")] == 1
    assert row.kind_counts[list(Organisation.Kind.values).index("kyrka")] == 1
    assert row.current_stewardship.organisation == org_kommun
    assert html.count("Inget nätverk än") == 7
    assert "Sara Samordnare" in html


# --- The invitation link -------------------------------------------------------------------


def _invitation_link_from_mail():
    (message,) = mail.outbox
    (path,) = re.findall(r"http://testserver(/inbjudan/\S+/)", message.body)
    return path


def test_invitation_flow_through_the_client(
    client_for, coordinator, network, org_church, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(coordinator).post(reverse("network_member_invite", args=[network.pk]), {
            "email": "nora.ny@exempel.se", "first_name": "Nora", "last_name": "Ny",
            "organisation": org_church.pk, "title": "Diakon", "role": Role.PARTICIPANT,
        })
    assert response.status_code == 302
    link = _invitation_link_from_mail()
    user = User.objects.get(email="nora.ny@exempel.se")
    assert not user.has_usable_password()

    visitor = Client()
    page = visitor.get(link)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Välj lösenord" in html and network.name in html
    assert 'name="new_password1"' in html and 'name="new_password2"' in html
    assert "no-cache" in page["Cache-Control"] or "no-store" in page["Cache-Control"]

    # Too short and too common: Swedish messages, nothing saved.
    weak = visitor.post(link, {"new_password1": "password", "new_password2": "password"})
    assert weak.status_code == 200
    assert "för kort" in weak.content.decode() and "för vanligt" in weak.content.decode()
    user.refresh_from_db()
    assert not user.has_usable_password()

    done = visitor.post(link, {"new_password1": "blåbärsskogen i maj 2025", "new_password2": "blåbärsskogen i maj 2025"})
    assert done.status_code == 302 and done["Location"] == reverse("dashboard")
    user.refresh_from_db()
    assert user.check_password("blåbärsskogen i maj 2025")
    assert NetworkInvitation.objects.get(user=user).accepted_at is not None
    assert AuditEvent.objects.filter(user=user, action=AuditEvent.Action.PASSWORD_SET).count() == 1
    assert AuditEvent.objects.filter(user=user, action=AuditEvent.Action.LOGIN).count() == 1

    dashboard = visitor.get(reverse("dashboard"))
    assert dashboard.status_code == 200
    assert dashboard.context["user"] == user
    assert "Välkommen till Barnstödsportalen!" in dashboard.content.decode()
    assert network.name in dashboard.content.decode()

    # The link is used up.
    again = Client().get(link)
    assert again.status_code == 404
    assert "Länken gäller inte längre" in again.content.decode()


@pytest.fixture
def invited(network, coordinator, org_church):
    from networks import services

    membership = services.network_member_invite(
        network=network, email="inbjuden@exempel.se", first_name="Ida", last_name="Inbjuden",
        organisation=org_church, role=Role.PARTICIPANT, by=coordinator,
    )
    return membership.user


def _link(user, token=None):
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("invitation_accept", args=[uidb64, token or invitation_token.make_token(user)])


@pytest.mark.parametrize("tamper", ["token", "uid", "garbage_uid"])
def test_tampered_invitation_link_sets_no_password(tamper, invited, participant):
    good = invitation_token.make_token(invited)
    if tamper == "token":
        url = _link(invited, good[:-1] + ("a" if good[-1] != "a" else "b"))
    elif tamper == "uid":
        url = _link(participant, good)  # a real token for another account
    else:
        url = reverse("invitation_accept", args=["!!!", good])
    client = Client()
    assert client.get(url).status_code == 404
    response = client.post(url, {"new_password1": "ett långt bra lösenord", "new_password2": "ett långt bra lösenord"})
    assert response.status_code == 404
    assert "Länken gäller inte längre" in response.content.decode()
    invited.refresh_from_db()
    participant.refresh_from_db()
    assert not invited.has_usable_password()
    assert not participant.check_password("ett långt bra lösenord")
    assert "_auth_user_id" not in client.session
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.PASSWORD_SET).exists()


def test_invalid_link_page_says_the_same_for_unknown_and_known_accounts(invited):
    token = invitation_token.make_token(invited)
    unknown = Client().get(reverse("invitation_accept", args=[urlsafe_base64_encode(b"999999"), token]))
    known = Client().get(_link(invited, token[:-2] + "zz"))
    assert unknown.status_code == known.status_code == 404
    assert _main(unknown) == _main(known)
    assert "Länken gäller inte längre" in _main(known)
    assert invited.email not in known.content.decode()


def _main(response):
    """The page's own content (the layout carries a per-client CSRF token)."""
    return re.search(r"<main.*</main>", response.content.decode(), re.S).group(0)


def test_invitation_link_expires_after_14_days(invited, monkeypatch):
    from datetime import datetime, timedelta

    token = invitation_token.make_token(invited)
    later = datetime.now() + timedelta(days=15)  # noqa: DTZ005 (the token generator uses naive local time)
    monkeypatch.setattr(invitation_token, "_now", lambda: later)
    assert Client().get(_link(invited, token)).status_code == 404


def test_invitation_page_is_never_cached(invited):
    response = Client().get(_link(invited))
    assert "max-age=0" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_overview_shows_last_and_next_meeting_per_local_network(client_for, regional_network, network, administrator):
    from datetime import timedelta

    from django.utils import timezone

    from meetings.models import Meeting

    now = timezone.now()
    for title, start, status in [
        ("Höstträffen", now - timedelta(days=30), Meeting.Status.PLANNED),
        ("Inställd träff", now - timedelta(days=10), Meeting.Status.CANCELLED),
        ("Vårträffen", now + timedelta(days=40), Meeting.Status.PLANNED),
        ("Sommarträffen", now + timedelta(days=90), Meeting.Status.PLANNED),
    ]:
        Meeting.objects.create(
            network=network, title=title, kind=Meeting.Kind.NETWORK, starts_at=start,
            ends_at=start + timedelta(hours=2), rsvp_deadline=(start - timedelta(days=3)).date(), status=status,
            cancelled_at=now if status == Meeting.Status.CANCELLED else None,
        )
    body = client_for(administrator).get(f"/natverk/{regional_network.pk}/oversikt/").content.decode()
    assert "Höstträffen" in body and "Vårträffen" in body
    assert "Inställd träff" not in body and "Sommarträffen" not in body


def test_network_page_shows_members_fifty_a_page(client_for, network, coordinator):
    from tests import factories as f

    for n in range(60):
        f.MembershipFactory(
            network=network, user=f.UserFactory(first_name="Zeta", last_name=f"Medlem{n:02d}")
        )
    client = client_for(coordinator)
    first = client.get(f"/natverk/{network.pk}/").content.decode()
    assert "Visar medlem 1–50 av 61." in first
    assert first.count("Medlem") >= 49
    second = client.get(f"/natverk/{network.pk}/?sida=2").content.decode()
    assert "Visar medlem 51–61 av 61." in second
    assert "Medlem59" in second and "Medlem59" not in first
    # The coordinator (first in order) is on page one only.
    assert "samordnare@vaxjo.se" in first and "samordnare@vaxjo.se" not in second
    # Past the last page, or not a number: the last page, and the first.
    assert "Visar medlem 51–61 av 61." in client.get(f"/natverk/{network.pk}/?sida=9").content.decode()
    assert "Visar medlem 1–50 av 61." in client.get(f"/natverk/{network.pk}/?sida=x").content.decode()


def test_row_links_are_the_reversed_urls(client_for, administrator, regional_network, regional_coordinator,
                                         regional_participant, network, coordinator):
    """The regional network's page and overview build their row links once per page
    (portal/links.py): each is the URL ``reverse()`` gives for that row."""
    client = client_for(administrator)
    html = client.get(reverse("network_detail", args=[regional_network.pk])).content.decode()
    memberships = NetworkMembership.objects.filter(network=regional_network)
    assert memberships.count() == 2
    for membership in memberships:
        assert f'href="{reverse("network_member", args=[regional_network.pk, membership.pk])}"' in html
        assert f'href="{reverse("network_organisation", args=[regional_network.pk, membership.organisation_id])}"' in html
    assert f'href="{reverse("network_detail", args=[network.pk])}">{network.name}</a>' in html
    overview = client.get(reverse("network_overview", args=[regional_network.pk])).content.decode()
    assert f'href="{reverse("network_detail", args=[network.pk])}">{network.name}</a>' in overview


def test_each_network_page_counts_its_own_members(client_for, administrator, network, regional_network, org_kommun):
    """The member rows and the organisations' member counts are built once per process and
    narrowed to the network per request: two networks in one process each show their own."""
    for n in range(3):
        f.MembershipFactory(network=network, organisation=org_kommun, user=f.UserFactory(first_name=f"Lokal{n}"))
    f.MembershipFactory(network=regional_network, organisation=org_kommun, user=f.UserFactory(first_name="Rutger"))
    client = client_for(administrator)
    local = client.get(reverse("network_detail", args=[network.pk])).content.decode()
    regional = client.get(reverse("network_detail", args=[regional_network.pk])).content.decode()
    assert "3 medlemmar" in local and "4 medlemmar" not in local
    assert "Lokal0" in local and "Rutger" not in local
    assert "1 medlem" in regional and "medlemmar" not in regional.split('id="organisationer"')[1]
    assert "Rutger" in regional and "Lokal0" not in regional
