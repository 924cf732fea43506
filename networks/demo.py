"""Demo data for the embedded default (``python manage.py load_demo``), read from
networks/data/demo/: the seeds' regions (Jönköpings län, Kronobergs län and Dalsland) with
organisations of every kind (organisations.toml), their people and the demo log-ins
(people.toml), networks with their members, coordinators and stewardship history
(networks.toml), and a directory of activities with tips to families (activities.toml).

Everything is fixed data (no randomness) and found again by natural keys, so loading twice
changes nothing. Phone numbers are from the series PTS reserves for fiction and e-mail
addresses use exempel.se, so nothing here reaches a real person."""

from datetime import UTC, datetime, time

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from portal.demo import get_or_create, own_fields, read_data

from .geography import load_geography
from .kept import forget_directory, forget_network_pages
from .models import (
    Activity,
    ActivityTipCount,
    Kommun,
    Lan,
    Network,
    NetworkMembership,
    NetworkOrganisation,
    Organisation,
    OrganisationMembership,
    ReferralReceiver,
)
from .services import network_create, stewardship_handover
from .terms import current_term, previous_term

User = get_user_model()

_PEOPLE = read_data(__file__, "people.toml")
DEMO_PASSWORD = _PEOPLE["password"]
LOGINS = _PEOPLE["logins"]  # person key -> {role, try}, in the order they are printed
PEOPLE = _PEOPLE["people"]
_ORGANISATIONS = read_data(__file__, "organisations.toml")
REGIONS = _ORGANISATIONS["regions"]  # län code -> [kommun]
ORGANISATIONS = _ORGANISATIONS["organisations"]
NETWORKS = read_data(__file__, "networks.toml")["networks"]
ACTIVITIES = read_data(__file__, "activities.toml")["activities"]

DEMO_LAN_CODES = list(REGIONS)
DEMO_KOMMUNER = [kommun for kommuner in REGIONS.values() for kommun in kommuner]
# What families read on the leaflet and the open page; given in the data for a few activities.
FAMILY_FIELDS = ("cost", "getting_there", "family_contact", "notify_email", "public")


def demo_logins():
    """[(role, e-mail, what to try)] of the demo log-ins, all with DEMO_PASSWORD."""
    return [(login["role"], PEOPLE[key]["email"], login["try"]) for key, login in LOGINS.items()]


@transaction.atomic
def load_demo():
    """Create whatever of the demo data is missing and return {what: rows created}.

    Objects are found by natural keys (organisation name/unit/län, e-mail, network name/län).
    What hangs under an object (a person's titles, a network's members, member organisations
    and stewardship history, an organisation's activities) is created only together with that
    object, so a start after someone changed the demo (removed a member, handed over, deleted
    an activity) does not undo their change."""
    validate_password(DEMO_PASSWORD)
    created = dict.fromkeys(
        ["organisationer", "personer", "anställningar/uppdrag", "nätverk", "medlemsorganisationer",
         "medlemskap", "ansvarsperioder", "verksamheter"], 0
    )  # fmt: skip
    lans, kommuner = _geography()

    orgs, new_orgs = {}, set()
    for key, spec in ORGANISATIONS.items():
        orgs[key], was = get_or_create(
            Organisation,
            {"name": spec["name"], "unit": spec.get("unit", ""), "lan": lans[spec["lan"]]},
            {"kind": spec["kind"], "kommun": kommuner.get(spec.get("kommun")), "website": spec.get("website", "")},
        )
        if was:
            new_orgs.add(key)
            created["organisationer"] += 1

    people = {}
    for key, spec in PEOPLE.items():
        user = User.objects.filter(email__iexact=spec["email"]).first()
        if user is None:
            user = User(**own_fields(spec, "titles"))
            if key in LOGINS:
                user.set_password(DEMO_PASSWORD)
            else:
                user.set_unusable_password()  # no log-in; an administrator can send a reset
            user.full_clean()
            user.save()
            created["personer"] += 1
            titles = spec.get("titles", {})
            OrganisationMembership.objects.bulk_create(
                OrganisationMembership(user=user, organisation=orgs[org_key], title=title)
                for org_key, title in titles.items()
            )
            created["anställningar/uppdrag"] += len(titles)
        people[key] = user

    admin = next(people[key] for key, spec in PEOPLE.items() if spec.get("is_superuser"))
    networks = {}
    for key, spec in NETWORKS.items():  # regional networks come before their local ones
        kommun = kommuner[spec["kommun"]] if "kommun" in spec else None
        network = Network.objects.filter(name=spec["name"], lan=lans[spec["lan"]]).first()
        if network is None:
            network = network_create(
                by=admin,
                name=spec["name"],
                kind=Network.Kind.LOCAL if kommun else Network.Kind.REGIONAL,
                lan=lans[spec["lan"]],
                kommun=kommun,
                parent=networks[spec["parent"]] if "parent" in spec else None,
                purpose=spec["purpose"],
            )
            created["nätverk"] += 1
            _populate_network(network, spec, orgs, people, admin, created)
        networks[key] = network

    # Fixed, valid data (tests/networks/test_demo.py runs full_clean on every row): bulk inserts.
    activities = [
        Activity(
            organisation=orgs[spec["organisation"]],
            kommun=kommuner[spec["kommun"]],
            created_by=people[spec["created_by"]],
            **own_fields(spec, "organisation", "kommun", "created_by", "tips"),
        )
        for spec in ACTIVITIES
        if spec["organisation"] in new_orgs
    ]
    Activity.objects.bulk_create(activities)
    created["verksamheter"] = len(activities)
    _family_fields_of_an_older_demo(orgs)
    created["mottagare"] = _receivers(orgs, people, admin)
    created["tips"] = _tips(orgs)
    # Bulk inserts: the kept pages that may show them are forgotten here (networks/kept.py).
    forget_network_pages(*(n.pk for n in networks.values()))
    forget_directory()
    return created


def _geography():
    """The demo's län and kommuner by code and name (loaded from networks/data/kommuner.csv
    into a database that has none)."""
    if not Kommun.objects.filter(name__in=DEMO_KOMMUNER).exists():
        load_geography(Lan, Kommun)
    lans = {lan.code: lan for lan in Lan.objects.filter(code__in=DEMO_LAN_CODES)}
    kommuner = {
        k.name: k for k in Kommun.objects.filter(name__in=DEMO_KOMMUNER, lan__code__in=DEMO_LAN_CODES)
    }
    missing = set(DEMO_KOMMUNER) - set(kommuner)
    if missing or len(lans) != len(DEMO_LAN_CODES):
        raise LookupError(f"geography is incomplete; missing kommuner: {sorted(missing)}")
    return lans, kommuner


def _populate_network(network, spec, orgs, people, admin, created):
    """Members, member organisations and stewardship history of a newly created network.
    No invitation e-mails: the demo people already have their accounts."""
    founded = spec["founded"]
    co, pa = NetworkMembership.Role.COORDINATOR, NetworkMembership.Role.PARTICIPANT
    members = [(person, org_key, co) for person, org_key in spec["coordinators"].items()]
    members += [(person, org_key, pa) for person, org_key in spec["participants"].items()]
    member_orgs = [org_key for _person, org_key, _role in members] + spec["organisations"]
    links = NetworkOrganisation.objects.bulk_create(
        NetworkOrganisation(network=network, organisation=orgs[key], joined_on=founded)
        for key in dict.fromkeys(member_orgs)
    )
    joined_at = datetime.combine(founded, time(12, 0), tzinfo=UTC)
    memberships = NetworkMembership.objects.bulk_create(
        NetworkMembership(network=network, user=people[person], organisation=orgs[org_key], role=role,
                          joined_at=joined_at)
        for person, org_key, role in members
    )
    created["medlemsorganisationer"] += len(links)
    created["medlemskap"] += len(memberships)
    for period in spec["stewardships"]:  # oldest first
        stewardship_handover(
            network=network,
            organisation=orgs[period["organisation"]],
            contact_person=people[period["person"]],
            starts_on=period["starts_on"],
            by=admin,
            note=period.get("note", ""),
        )
        created["ansvarsperioder"] += 1


def _family_fields_of_an_older_demo(orgs):
    """A demo loaded before activities had fields for families gets them once: only where all of
    them are still empty (an organisation's own change is kept)."""
    for spec in ACTIVITIES:
        fields = {field: spec[field] for field in FAMILY_FIELDS if field in spec}
        if fields:
            Activity.objects.filter(
                title=spec["title"], organisation=orgs[spec["organisation"]], cost="", getting_there="",
                family_contact="", notify_email="", public=False,
            ).update(**fields)


def _receivers(orgs, people, admin):
    """The demo's receivers of referrals, for organisations that have none."""
    named = 0
    for key, spec in ORGANISATIONS.items():
        if not spec.get("receivers") or ReferralReceiver.objects.filter(organisation=orgs[key]).exists():
            continue
        for person in spec["receivers"]:
            ReferralReceiver.objects.create(organisation=orgs[key], user=people[person], named_by=admin)
            named += 1
    return named


def _tips(orgs):
    """Tips counted this term and last for a few activities (the counts only; no family)."""
    counted = 0
    this = current_term()
    terms = (this, previous_term(*this))
    for spec in ACTIVITIES:
        if "tips" not in spec:
            continue
        activity = Activity.objects.filter(title=spec["title"], organisation=orgs[spec["organisation"]]).first()
        if activity is None or ActivityTipCount.objects.filter(activity=activity).exists():
            continue
        counts = (spec["tips"]["this_term"], spec["tips"]["last_term"])
        ActivityTipCount.objects.bulk_create(
            ActivityTipCount(activity=activity, term=term, year=year, count=count)
            for (term, year), count in zip(terms, counts, strict=True)
        )
        counted += sum(counts)
    return counted
