"""``manage.py load_demo``: the embedded default's demo data and log-ins (networks/demo.py)."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from networks.demo import DEMO_KOMMUNER, DEMO_PASSWORD, NETWORKS, PEOPLE, demo_logins, load_demo
from networks.models import (
    Activity,
    Kommun,
    Lan,
    Network,
    NetworkInvitation,
    NetworkMembership,
    NetworkOrganisation,
    Organisation,
    OrganisationMembership,
    Stewardship,
)
from portal.models import OutboundEmail

User = get_user_model()
MODELS = [
    User, Organisation, OrganisationMembership, Network, NetworkOrganisation, NetworkMembership,
    Stewardship, NetworkInvitation, Activity, OutboundEmail, Lan, Kommun,
]  # fmt: skip
CO = NetworkMembership.Role.COORDINATOR


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def load(**options):
    call_command("load_demo", quiet=True, **options)


@pytest.fixture
def demo(db):
    load_demo()  # the networks part only (the command also loads the demo meetings)


def email_of(key):
    return PEOPLE[key]["email"]


def test_loading_twice_changes_nothing(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        load()
    first = counts()
    latest_change = Network.objects.order_by("-updated_at").values_list("updated_at", flat=True)[0]
    with django_capture_on_commit_callbacks(execute=True):
        load()
    assert counts() == first
    assert Network.objects.order_by("-updated_at").values_list("updated_at", flat=True)[0] == latest_change
    assert first["Network"] == 14 and first["Organisation"] >= 50 and first["User"] >= 50
    assert 25 <= first["Activity"] <= 40
    # The demo people already have accounts: no network invitation is recorded or sent.
    # (The demo meetings do send meeting invitations: meetings/demo.py.)
    assert first["NetworkInvitation"] == 0
    assert not OutboundEmail.objects.filter(kind__startswith="network_").exists()
    assert not [m for m in mail.outbox if m.subject.startswith("Inbjudan till")]


def test_a_second_start_keeps_what_users_changed(db):
    """Removing a demo member or activity survives the next ./portal.sh run."""
    load()
    membership = NetworkMembership.objects.get(
        user__email=email_of("erik"), network__name="Barnstödsnätverket i Växjö"
    )
    membership.delete()
    Activity.objects.filter(title="Babycafé").delete()
    load()
    assert not NetworkMembership.objects.filter(pk=membership.pk).exists()
    assert not NetworkMembership.objects.filter(user__email=email_of("erik"), network=membership.network).exists()
    assert not Activity.objects.filter(title="Babycafé").exists()


def test_demo_logins_work_through_the_login_page(demo, client):
    logins = demo_logins()
    assert [role.split(" ")[0].rstrip(",") for role, _email, _hint in logins] == [
        "Administratör", "Regional", "Lokal", "Deltagare", "Deltagare", "Deltagare",
    ]  # fmt: skip
    for role, email, _hint in logins:
        response = client.post(reverse("account_login"), {"login": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, role
        assert response["Location"] == reverse("dashboard"), role
        assert client.get(reverse("dashboard")).status_code == 200, role
        client.logout()


def test_the_other_demo_people_cannot_log_in(demo):
    logins = {email for _role, email, _hint in demo_logins()}
    others = User.objects.filter(email__in=[p["email"] for p in PEOPLE.values()]).exclude(email__in=logins)
    assert others.count() == len(PEOPLE) - len(logins)
    assert not any(user.has_usable_password() for user in others)


def test_demo_password_is_accepted_by_the_password_rules(demo):
    from django.contrib.auth.password_validation import validate_password

    assert len(DEMO_PASSWORD) >= 12
    validate_password(DEMO_PASSWORD, user=User.objects.get(email=email_of("karin")))  # raises if not


def test_roles_of_the_demo_logins(demo):
    admin = User.objects.get(email=email_of("admin"))
    assert admin.is_staff and admin.is_superuser

    def roles(key):
        return {
            (m.network.name, m.network.kind, m.role)
            for m in NetworkMembership.objects.filter(user__email=email_of(key)).select_related("network")
        }

    assert ("Barnens bästa gäller! i Kronoberg", Network.Kind.REGIONAL, CO) in roles("karin")
    assert ("Barnstödsnätverket i Växjö", Network.Kind.LOCAL, CO) in roles("lina")
    for key in ["erik", "maria", "johan"]:
        assert roles(key), key
        assert all(role != CO for _name, _kind, role in roles(key)), key
        assert not User.objects.get(email=email_of(key)).is_staff

    def represents(key):
        return {
            (m.organisation.kind, m.organisation.unit)
            for m in NetworkMembership.objects.filter(user__email=email_of(key)).select_related("organisation")
        }

    assert (Organisation.Kind.KOMMUN, "Socialtjänsten, barn och familj") in represents("erik")
    assert {kind for kind, _unit in represents("maria")} == {Organisation.Kind.KYRKA}
    assert {kind for kind, _unit in represents("johan")} == {Organisation.Kind.POLIS}


def test_demo_regions_and_networks_are_consistent(demo):
    assert Kommun.objects.filter(name__in=DEMO_KOMMUNER).count() == len(DEMO_KOMMUNER)
    dalsland = ["Bengtsfors", "Dals-Ed", "Färgelanda", "Mellerud", "Åmål"]
    assert set(Kommun.objects.filter(name__in=dalsland).values_list("lan__name", flat=True)) == {
        "Västra Götalands län"
    }
    networks = Network.objects.select_related("kommun", "parent", "lan")
    assert networks.count() == len(NETWORKS)
    for network in networks:
        if network.kind == Network.Kind.LOCAL:
            assert network.kommun.name in DEMO_KOMMUNER
            assert network.lan_id == network.kommun.lan_id == network.parent.lan_id, network
        else:
            assert network.kommun is None and network.parent is None
        assert network.purpose, network
        assert network.memberships.filter(role=CO).exists(), f"{network} has no coordinator"
        current = network.stewardships.filter(ends_on__isnull=True)
        assert current.count() == 1, network
        period = current.get()
        assert network.memberships.filter(user=period.contact_person).exists()
        assert NetworkOrganisation.objects.filter(network=network, organisation=period.organisation).exists()
        member_orgs = set(network.memberships.values_list("organisation_id", flat=True))
        assert member_orgs <= set(network.organisations.values_list("pk", flat=True)), network
    local_kommuner = set(networks.filter(kind=Network.Kind.LOCAL).values_list("kommun__name", flat=True))
    assert local_kommuner == set(DEMO_KOMMUNER)
    # Stewardship history: some networks have handed over, periods do not overlap.
    assert Stewardship.objects.filter(ends_on__isnull=False).count() >= 5
    for network in networks:
        periods = list(network.stewardships.order_by("starts_on"))
        for earlier, later in zip(periods, periods[1:], strict=False):
            assert earlier.ends_on is not None and earlier.ends_on < later.starts_on


def test_every_kind_of_organisation_and_directory_category(demo):
    assert set(Organisation.objects.values_list("kind", flat=True)) == set(Organisation.Kind.values)
    categories = set(Activity.objects.values_list("category", flat=True))
    assert len(categories) >= 7, categories
    for activity in Activity.objects.select_related("kommun", "organisation"):
        assert activity.kommun.name in DEMO_KOMMUNER
        assert activity.organisation.lan_id == activity.kommun.lan_id
        assert activity.contact and activity.when and activity.how_to_refer, activity
        activity.full_clean()


def test_refuses_production_settings_without_force(db, settings):
    settings.SETTINGS_MODULE = "portal.settings.production"
    with pytest.raises(CommandError):
        load()
    assert Network.objects.count() == 0
    load(force=True)
    assert Network.objects.count() == len(NETWORKS)


def test_prints_the_demo_logins(db, capsys):
    call_command("load_demo")
    out = capsys.readouterr().out
    for _role, email, _hint in demo_logins():
        assert email in out
    assert DEMO_PASSWORD in out
    call_command("load_demo", quiet=True)
    assert capsys.readouterr().out == ""
