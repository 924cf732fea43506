"""The networks' demo data (networks/data/demo/*.toml) is valid and complete: every reference
resolves, every choice is a choice, every field is one the model has and fits it, and the
loader creates every entry. A typo fails here, not at a demo start."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from networks import demo
from networks.demo import ACTIVITIES, LOGINS, NETWORKS, ORGANISATIONS, PEOPLE, REGIONS, load_demo
from networks.models import Activity, Network, NetworkMembership, Organisation, ReferralReceiver
from tests.demo_data import check_fictional, check_keys, choice, model_fields

User = get_user_model()
ORGANISATION_KEYS = {"name", "unit", "kind", "kommun", "lan", "website", "receivers"}
PERSON_KEYS = {"first_name", "last_name", "email", "phone", "titles", "is_staff", "is_superuser"}
NETWORK_KEYS = {"name", "lan", "kommun", "parent", "founded", "purpose", "coordinators", "participants",
                "organisations", "stewardships"}  # fmt: skip
ACTIVITY_REFERENCES = {"organisation", "kommun", "created_by", "tips"}


def valid(instance, *references):
    """Every field of an unsaved row fits the model (lengths, choices, formats, blanks); the
    references are checked against the data instead."""
    try:
        instance.clean_fields(exclude=references)
    except ValidationError as error:
        pytest.fail(f"{instance!r}: {error.message_dict}")


def test_organisations():
    natural_keys = set()
    for key, spec in ORGANISATIONS.items():
        check_keys(spec, ORGANISATION_KEYS, {"name", "kind", "lan"}, key)
        choice(spec["kind"], Organisation.Kind, key)
        assert spec["lan"] in REGIONS, key
        assert spec.get("kommun") is None or spec["kommun"] in REGIONS[spec["lan"]], key
        assert set(spec.get("receivers", ())) <= set(PEOPLE), key
        natural_keys.add((spec["name"], spec.get("unit", ""), spec["lan"]))
        valid(Organisation(**{k: v for k, v in spec.items() if k not in ("kommun", "lan", "receivers")}), "lan", "kommun")
    assert len(natural_keys) == len(ORGANISATIONS), "two organisations with the same name, unit and län"
    assert {spec["kind"] for spec in ORGANISATIONS.values()} == set(Organisation.Kind.values)


def test_people_and_log_ins():
    for key, spec in PEOPLE.items():
        check_keys(spec, PERSON_KEYS, {"first_name", "last_name", "email", "phone"}, key)
        assert set(spec.get("titles", {})) <= set(ORGANISATIONS), key
        valid(User(**{k: v for k, v in spec.items() if k != "titles"}), "password")
    emails = [spec["email"].lower() for spec in PEOPLE.values()]
    assert len(set(emails)) == len(emails), "two people with the same e-mail address"
    assert [key for key, spec in PEOPLE.items() if spec.get("is_superuser")] == ["admin"]
    assert set(LOGINS) <= set(PEOPLE)
    for key, login in LOGINS.items():
        check_keys(login, {"role", "try"}, {"role", "try"}, key)
    check_fictional(demo._PEOPLE, "people.toml")


def test_networks():
    for key, spec in NETWORKS.items():
        check_keys(spec, NETWORK_KEYS, NETWORK_KEYS - {"kommun", "parent"}, key)
        assert spec["lan"] in REGIONS, key
        if "kommun" in spec:  # local: under a regional network of the same län, listed before it
            assert spec["kommun"] in REGIONS[spec["lan"]], key
            parent = NETWORKS[spec["parent"]]
            assert "kommun" not in parent and parent["lan"] == spec["lan"], key
            assert list(NETWORKS).index(spec["parent"]) < list(NETWORKS).index(key), key
        else:
            assert "parent" not in spec, key
        assert spec["coordinators"], f"{key} has no coordinator"
        members = {**spec["coordinators"], **spec["participants"]}
        assert len(members) == len(spec["coordinators"]) + len(spec["participants"]), f"{key}: a member twice"
        for person, org in members.items():
            assert org in PEOPLE[person].get("titles", {}), f"{key}: {person} has no title at {org}"
        member_orgs = set(members.values()) | set(spec["organisations"])
        assert set(spec["organisations"]) <= set(ORGANISATIONS), key
        assert spec["stewardships"], key
        starts = [period["starts_on"] for period in spec["stewardships"]]
        assert starts == sorted(set(starts)) and starts[0] >= spec["founded"], f"{key}: periods oldest first"
        for period in spec["stewardships"]:
            check_keys(period, {"organisation", "person", "starts_on", "note"}, {"organisation", "person", "starts_on"}, key)
            assert period["organisation"] in member_orgs and period["person"] in members, key
        valid(Network(name=spec["name"], purpose=spec["purpose"], kind=Network.Kind.REGIONAL), "lan", "kommun", "parent")
    assert {spec["kommun"] for spec in NETWORKS.values() if "kommun" in spec} == set(demo.DEMO_KOMMUNER)


def test_activities():
    titles = set()
    fields = model_fields(Activity)
    for spec in ACTIVITIES:
        where = spec.get("title", spec)
        check_keys(spec, fields | ACTIVITY_REFERENCES, {"organisation", "kommun", "category", "title",
                                                         "description", "when", "contact", "how_to_refer",
                                                         "created_by"}, where)  # fmt: skip
        choice(spec["category"], Activity.Category, where)
        organisation = ORGANISATIONS[spec["organisation"]]
        assert spec["kommun"] in REGIONS[organisation["lan"]], where
        assert spec["created_by"] in PEOPLE, where
        assert "tips" not in spec or set(spec["tips"]) == {"this_term", "last_term"}, where
        assert spec.get("age_from", 0) <= spec.get("age_to", 99), where
        titles.add((spec["organisation"], spec["title"]))
        valid(Activity(**{k: v for k, v in spec.items() if k not in ACTIVITY_REFERENCES}),
              "organisation", "kommun", "created_by")
    assert len(titles) == len(ACTIVITIES), "an organisation with two activities of the same title"
    check_fictional(ACTIVITIES, "activities.toml")


@pytest.mark.django_db
def test_the_loader_creates_every_entry():
    load_demo()
    for spec in ORGANISATIONS.values():
        organisation = Organisation.objects.get(name=spec["name"], unit=spec.get("unit", ""), lan__code=spec["lan"])
        assert set(ReferralReceiver.objects.filter(organisation=organisation).values_list("user__email", flat=True)) == {
            PEOPLE[person]["email"] for person in spec.get("receivers", ())
        }
    for key, spec in PEOPLE.items():
        user = User.objects.get(email=spec["email"])
        assert set(user.organisationmembership_set.values_list("title", flat=True)) == set(spec.get("titles", {}).values())
        assert user.has_usable_password() == (key in LOGINS)
    for spec in NETWORKS.values():
        network = Network.objects.get(name=spec["name"], lan__code=spec["lan"])
        assert network.memberships.filter(role=NetworkMembership.Role.COORDINATOR).count() == len(spec["coordinators"])
        assert network.memberships.count() == len(spec["coordinators"]) + len(spec["participants"])
        assert network.stewardships.count() == len(spec["stewardships"])
    for spec in ACTIVITIES:
        activity = Activity.objects.get(title=spec["title"], organisation__name=ORGANISATIONS[spec["organisation"]]["name"],
                                        organisation__unit=ORGANISATIONS[spec["organisation"]].get("unit", ""))
        assert activity.tip_counts.count() == (2 if "tips" in spec else 0)
