"""Kept HTML of the networks pages (portal/kept.py), and the one place that forgets it.

``NETWORK_BODY``: the network page's body — its purpose, who drives it (now and before), one
page of its members (names, contact details, whom they represent, titles, roles, whether they
have logged in yet) and its member organisations. Invariant: the same for every member of the
network and every administrator; nothing per viewer is in it (the coordinator's tools, the
meetings section with its coordinator's button and which local networks the viewer may open
are rendered around it, for each request). Kept per network, page and language; every page of
one network is forgotten at once (``forget_network_pages``) by the services that change what it
shows: networks/services.py (the network, members, roles, member organisations, stewardship, an
accepted invitation, a person's name, phone or title), the networks admin and the demo and
bench loaders. The timeout bounds what they cannot see (a user edited in the admin).

``DIRECTORY_RESULTS``: the directory's search form and results for one search. Invariant: the
same for every logged-in user who asks the same question (no per-viewer part; the "publish"
button is outside). Forgotten as a whole (``forget_directory``) by the activity services, the
networks admin and the loaders."""

from portal.kept import forget_scope

from .models import (
    Activity,
    Kommun,
    Lan,
    Network,
    NetworkMembership,
    NetworkOrganisation,
    Organisation,
    OrganisationMembership,
)

NETWORK_BODY = "networks.network_body"
NETWORK_BODY_TIMEOUT = 600
DIRECTORY_RESULTS = "networks.directory_results"
DIRECTORY_SCOPE = "directory"
DIRECTORY_TIMEOUT = 600


def network_scope(network_id):
    return f"network:{network_id}"


def forget_network_pages(*network_ids):
    """Every kept page of these networks is rendered afresh from the next request on."""
    forget_scope(*(network_scope(pk) for pk in set(network_ids)))


def forget_pages_of_people(*user_ids):
    """The pages of every network these people are members of (their names, phones, titles)."""
    forget_network_pages(
        *NetworkMembership.objects.filter(user_id__in=user_ids).values_list("network_id", flat=True)
    )


def forget_pages_of_organisations(*organisation_ids):
    """The pages of every network these organisations are members of, and the directory."""
    forget_network_pages(
        *NetworkOrganisation.objects.filter(organisation_id__in=organisation_ids).values_list(
            "network_id", flat=True
        )
    )
    forget_directory()


def forget_directory():
    forget_scope(DIRECTORY_SCOPE)


def forget_kept_of(obj):
    """A row of the networks app changed outside the services (the admin): forget every kept
    part that may show it."""
    if isinstance(obj, Network):
        forget_network_pages(obj.pk)
    elif isinstance(obj, Organisation):
        forget_pages_of_organisations(obj.pk)
    elif isinstance(obj, OrganisationMembership):
        forget_pages_of_people(obj.user_id)
    elif isinstance(obj, Activity):
        forget_directory()
    elif isinstance(obj, (Kommun, Lan)):
        lan_id = obj.pk if isinstance(obj, Lan) else obj.lan_id
        forget_network_pages(*Network.objects.filter(lan_id=lan_id).values_list("pk", flat=True))
        forget_directory()
    elif hasattr(obj, "network_id"):  # memberships, member organisations, stewardship, invitations
        forget_network_pages(obj.network_id)
