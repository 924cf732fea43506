"""Reads for the network pages, each in a fixed number of queries whatever the number of
members, organisations or networks (docs/performance.md). Access is checked before these are
called (networks/access.py); they never decide who sees what."""

from django.contrib.auth.hashers import is_password_usable
from django.db.models import Case, Count, F, OuterRef, Prefetch, Q, Subquery, Value, When
from django.utils.translation import ngettext

from portal.models import tel_uri
from portal.queries import built_once, count_of, counted_page, parse_id, with_total

from .models import (
    Activity,
    Kommun,
    Network,
    NetworkMembership,
    NetworkOrganisation,
    Organisation,
    OrganisationMembership,
    Stewardship,
)

MEMBERS_PER_PAGE = 50
NETWORKS_PER_PAGE = 50
KIND_ORDER = {kind: i for i, kind in enumerate(Organisation.Kind.values)}


def member_count(network_ref="pk"):
    """The number of members of the network at ``network_ref`` of the outer query."""
    return count_of(NetworkMembership.objects.filter(network=OuterRef(network_ref)))


def current_stewardship_prefetch(lookup="stewardships"):
    """The network's current stewardship (``current_stewardships``: a list of at most one)."""
    return Prefetch(
        lookup,
        queryset=Stewardship.objects.filter(ends_on__isnull=True).select_related("organisation", "contact_person"),
        to_attr="current_stewardships",
    )


def page_number_from(raw):
    """The page asked for (a query parameter) as a number from 1 to 10,000 (1 if not a number)."""
    return min(parse_id(raw) or 1, 10_000)


# --- the list of networks ----------------------------------------------------------------------


def network_list_page(user, visible, page_number):
    """A page of the networks in ``visible`` (a queryset), regional first, with the viewer's
    role, the member count and who drives each network now. Two queries (the rows with their
    total, the stewardships)."""
    my_role = NetworkMembership.objects.filter(network=OuterRef("pk"), user=user).values("role")[:1]
    networks = (
        with_total(visible)
        .select_related("lan", "kommun", "parent")
        .annotate(
            my_role=Subquery(my_role),
            member_count=member_count(),
            kind_order=Case(When(kind=Network.Kind.REGIONAL, then=Value(0)), default=Value(1)),
        )
        .prefetch_related(current_stewardship_prefetch())
        .order_by("kind_order", "lan__name", "name", "pk")
    )
    page = counted_page(networks, page_number, NETWORKS_PER_PAGE)
    role_labels = dict(NetworkMembership.Role.choices)
    regional, local = [], []
    for n in page.object_list:
        n.my_role_label = role_labels.get(n.my_role, "")
        n.current_stewardship = n.current_stewardships[0] if n.current_stewardships else None
        (regional if n.kind == Network.Kind.REGIONAL else local).append(n)
    return page, regional, local


# --- the network page --------------------------------------------------------------------------


def _member_rows():
    """Every membership as a plain row with the person's title in the organisation they
    represent and the number of rows (built once per process by ``member_page``; the network
    is filtered per request, in the WHERE clause the window count runs after)."""
    title = OrganisationMembership.objects.filter(
        user=OuterRef("user_id"), organisation=OuterRef("organisation_id")
    ).values("title")[:1]
    return (
        with_total(NetworkMembership.objects.annotate(title=Subquery(title)))
        .order_by("role", "user__first_name", "user__last_name", "user__email", "pk")
        .values(
            "pk", "role", "title", "total", "user__first_name", "user__last_name", "user__email",
            "user__phone", "user__password", "organisation__name", "organisation__unit",
        )
    )


def member_page(network, page_number):
    """One page of the network's members (``MEMBERS_PER_PAGE``), coordinators first: plain rows
    (``values``: a list of 50 rows reads in a third of the time model instances take) with the
    person's name, contact details, whom they represent and their title there. One query: the
    total comes with the rows (``portal.queries.counted_page``)."""
    members = built_once("networks.member_rows", _member_rows).filter(network=network)
    page = counted_page(members, page_number, MEMBERS_PER_PAGE)
    role_labels = dict(NetworkMembership.Role.choices)
    for row in page.object_list:
        name = " ".join(p for p in (row["user__first_name"], row["user__last_name"]) if p)
        row["name"] = name or row["user__email"]
        row["email"] = row["user__email"]
        row["phone"] = row["user__phone"]
        row["phone_uri"] = tel_uri(row["user__phone"])
        row["invited"] = not is_password_usable(row.pop("user__password"))
        row["organisation"] = ", ".join(p for p in (row["organisation__name"], row["organisation__unit"]) if p)
        row["role_label"] = role_labels.get(row["role"], "")
    return page


def stewardships(network):
    """(the current period or None, the past periods newest first). One query."""
    periods = list(
        Stewardship.objects.filter(network=network)
        .select_related("organisation", "contact_person")
        .order_by("-starts_on")
    )
    current = next((p for p in periods if p.ends_on is None), None)
    return current, [p for p in periods if p.ends_on is not None]


def _organisation_links():
    """Every member organisation of every network as a plain row with its members in that
    network (built once per process by ``organisation_groups``; the network per request)."""
    return (
        NetworkOrganisation.objects.annotate(
            member_count=count_of(
                NetworkMembership.objects.filter(
                    network=OuterRef("network_id"), organisation=OuterRef("organisation_id")
                )
            )
        )
        .order_by("organisation__name", "organisation__unit")
        .values(
            "organisation_id", "member_count", "organisation__name", "organisation__unit", "organisation__kind",
            "organisation__kommun__name", "organisation__lan__name",
        )
    )


def organisation_groups(network, current_stewardship=None):
    """The network's member organisations grouped by kind (in the kinds' order), each a plain
    row with its name, place, its members in the network as the page shows them ("3
    medlemmar": one ``ngettext`` here costs a tenth of a ``{% blocktranslate count %}`` per
    card) and whether it drives the network now. One query."""
    links = built_once("networks.organisation_links", _organisation_links).filter(network=network)
    groups = {}
    driving = current_stewardship.organisation_id if current_stewardship is not None else None
    for link in links:
        org = {
            "pk": link["organisation_id"],
            "name": ", ".join(p for p in (link["organisation__name"], link["organisation__unit"]) if p),
            "place": link["organisation__kommun__name"] or link["organisation__lan__name"],
            "member_count_text": ngettext("%(counter)s medlem", "%(counter)s medlemmar", link["member_count"])
            % {"counter": link["member_count"]},
            "drives_network": link["organisation_id"] == driving,
        }
        groups.setdefault(link["organisation__kind"], []).append(org)
    return [
        {"kind": kind, "label": Organisation.Kind(kind).label, "organisations": orgs}
        for kind, orgs in sorted(groups.items(), key=lambda item: KIND_ORDER.get(item[0], 99))
    ]


def local_networks(network, user, admin):
    """The local networks under a regional ``network`` as plain rows (``pk``, ``name``,
    ``kommun_name``), each with whether the viewer may open it (``viewer_may_open``). One
    query."""
    mine = NetworkMembership.objects.filter(user=user).values("network_id")
    rows = list(
        Network.objects.filter(parent=network)
        .annotate(kommun_name=F("kommun__name"), viewer_is_member=Q(pk__in=mine))
        .order_by("kommun__name", "name")
        .values("pk", "name", "kommun_name", "viewer_is_member")
    )
    for row in rows:
        row["viewer_may_open"] = admin or row["viewer_is_member"]
    return rows


# --- a member, an organisation in a network ------------------------------------------------------


def membership_in(network, membership_pk):
    """A membership of ``network`` with the person, the organisation and their title there, or
    None. One query."""
    title = OrganisationMembership.objects.filter(
        user=OuterRef("user_id"), organisation=OuterRef("organisation_id")
    ).values("title")[:1]
    return (
        NetworkMembership.objects.filter(network=network, pk=membership_pk)
        .select_related("user", "organisation", "organisation__kommun", "organisation__lan")
        .annotate(
            title=Subquery(title),
            coordinator_count=count_of(
                NetworkMembership.objects.filter(network=network, role=NetworkMembership.Role.COORDINATOR)
            ),
        )
        .first()
    )


def organisation_in(network, organisation_pk):
    """A member organisation of ``network`` (with ``joined_on``, ``activity_count`` and whether
    it drives the network now) and its members in the network, or (None, []). Two queries."""
    link = (
        NetworkOrganisation.objects.filter(network=network, organisation_id=organisation_pk)
        .select_related("organisation", "organisation__kommun", "organisation__lan")
        .annotate(
            activity_count=count_of(Activity.objects.filter(organisation=OuterRef("organisation_id"))),
            drives_network=Q(
                organisation_id__in=Stewardship.objects.filter(network=network, ends_on__isnull=True).values(
                    "organisation_id"
                )
            ),
        )
        .first()
    )
    if link is None:
        return None, []
    organisation = link.organisation
    organisation.joined_on = link.joined_on
    organisation.activity_count = link.activity_count
    organisation.drives_network = link.drives_network
    members = list(
        NetworkMembership.objects.filter(network=network, organisation=organisation)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__email")
    )
    return organisation, members


# --- the regional overview -----------------------------------------------------------------------


def _overview_networks():
    """Local networks with their members and member organisations counted, of every kind
    (built once per process by ``regional_overview``: nothing here depends on the request)."""
    org_counts = {
        f"org_{kind}": Count(
            "networkorganisation", filter=Q(networkorganisation__organisation__kind=kind)
        )
        for kind in Organisation.Kind.values
    }
    return (
        Network.objects.only("pk", "name", "kind", "kommun_id", "parent_id")
        .annotate(
            member_count=member_count(),
            organisation_count=Count("networkorganisation"),
            **org_counts,
        )
        .order_by("name", "pk")
    )


def regional_overview(network):
    """Every kommun of the regional network's län (plain rows) with its local network(s): who
    drives each, members, member organisations of each kind, and the totals. Three flat queries
    (kommuner, their networks with the counts, the current stewardships), joined here: a
    nested prefetch cost more than the queries themselves."""
    kinds = Organisation.Kind.values
    in_lan = Q(kind=Network.Kind.LOCAL, kommun__lan_id=network.lan_id)
    kommuner = list(
        Kommun.objects.filter(lan_id=network.lan_id).order_by("name").values("pk", "name")
    )
    # The counts depend on nothing of the request: built once per process, the län added afresh.
    networks = list(built_once("networks.regional_overview", _overview_networks).filter(in_lan))
    current = {
        s.network_id: s
        for s in Stewardship.objects.filter(
            ends_on__isnull=True, network__in=Network.objects.filter(in_lan)
        )
        .select_related("organisation", "contact_person")
        .only(
            "network_id",
            "organisation__name",
            "organisation__unit",
            "contact_person__first_name",
            "contact_person__last_name",
            "contact_person__email",
        )
    }
    by_kommun = {}
    for n in networks:
        by_kommun.setdefault(n.kommun_id, []).append(n)
    totals = {"networks": 0, "members": 0, "organisations": 0, "kinds": [0] * len(kinds)}
    covered = 0
    every_network = []
    for kommun in kommuner:
        kommun["local_networks"] = by_kommun.get(kommun["pk"], [])
        covered += bool(kommun["local_networks"])
        for n in kommun["local_networks"]:
            n.current_stewardship = current.get(n.pk)
            n.kind_counts = [getattr(n, f"org_{kind}") for kind in kinds]
            n.under_this_network = n.parent_id == network.pk
            totals["networks"] += 1
            totals["members"] += n.member_count
            totals["organisations"] += n.organisation_count
            totals["kinds"] = [a + b for a, b in zip(totals["kinds"], n.kind_counts, strict=True)]
            every_network.append(n)
    return {
        "kommuner": kommuner,
        "local_networks": every_network,
        "kommun_count": len(kommuner),
        "covered_count": covered,
        "totals": totals,
    }
