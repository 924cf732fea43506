"""The twin world (docs/security.md promise 3; issue 18, part 5): every role of the access
tables again, in ANOTHER organisation, another kommun and another län — a receiver of referrals,
a plan's contact person, a team member, a network's coordinator and participant. Each twin holds
its role for real (``assert_twins_hold_their_roles``): a rule that forgot to compare the
organisation, the plan or the network would let them in, and the access tables see it.

The access tables (tests/childplans/test_access.py, tests/childplans/referrals/test_access.py,
tests/networks/test_access.py, tests/meetings/test_access.py) build the twin world next to their
own and ask, for each twin, every route of their class with every method the view accepts:
404 (or, for a method the view does not take, the same answer as for an object that does not
exist), none of the first world's data in the body, and nothing changed — the row count of
every model (``django.apps.apps.get_models``) is the same, but for one DENIED audit row where
the route logs denials.

Helpers for the tables: ``row_counts`` (every model's rows, in one query), ``methods_for`` (the
methods a route's view accepts), ``patterns`` (the URL resolver's patterns with their
namespaced names, as tests/portal/test_routes.py walks them)."""

from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from django.apps import apps
from django.db import connection
from django.test import Client
from django.test.client import encode_multipart
from django.urls import URLPattern, get_resolver, reverse
from django.utils import timezone

from childplans import services as plan_services
from childplans.models import Consent, PlanKeepingKind
from childplans.referrals import services as referral_services
from childplans.referrals.models import Referral
from meetings import services as meeting_services
from networks.models import (
    NetworkMembership,
    Organisation,
    OrganisationMembership,
    ReferralReceiver,
)
from portal.models import AuditEvent

from . import factories as f
from .childplans.conftest import add_mfa

TZ = ZoneInfo("Europe/Stockholm")

TWIN_CHILD = "Vilgot"
TWIN_HELP_WANTED = "Pappan vill ha stöd i att hitta en fritidsaktivitet för sonen."

# The twins, by the role they hold in the other world.
RECEIVER = "receiver_of_another_organisation"  # a current mottagare of another church, with a referral of its own
CONTACT = "contact_person_of_another_plan"  # another kommun's social services; also the referrer of its referral
TEAM_MEMBER = "team_member_of_another_plan"  # a teacher of another school, on the other plan's team by consent
COORDINATOR = "coordinator_of_another_network"  # coordinates the other kommun's network and the other län's
PARTICIPANT = "participant_of_another_network"  # takes part in it; a member of the other church, not its receiver
TWINS = (RECEIVER, CONTACT, TEAM_MEMBER, COORDINATOR, PARTICIPANT)


def twin(email, organisation, first_name, last_name):
    user = f.UserFactory(email=email, first_name=first_name, last_name=last_name)
    OrganisationMembership.objects.create(user=user, organisation=organisation)
    return add_mfa(user)  # as the MFA middleware wants of anyone who may reach child data


def build_twin_world():
    """The other world, in Jönköping (Jönköpings län): organisations, people, a plan with its
    team and a referral, a network with a meeting. Returns the twins by role (``TWINS``) and
    their own objects."""
    for kind in ("kommun", "region", "skola", "polis"):
        PlanKeepingKind.objects.get_or_create(kind=kind)
    jonkoping = f.kommun("Jönköping")
    place = {"kommun": jonkoping, "lan": jonkoping.lan}
    social = f.OrganisationFactory(name="Jönköpings kommun", unit="Socialtjänsten", kind=Organisation.Kind.KOMMUN,
                                   **place)
    school = f.OrganisationFactory(name="Tabergsskolan", kind=Organisation.Kind.SKOLA, **place)
    church = f.OrganisationFactory(name="Jönköpings pastorat", kind=Organisation.Kind.KYRKA, **place)

    contact = twin("kontakt@jonkoping.se", social, "Tove", "Tvillingkontakt")
    teacher = twin("larare@tabergsskolan.se", school, "Tage", "Tvillinglärare")
    receiver = twin("diakon@jonkopingspastorat.se", church, "Tyra", "Tvillingmottagare")
    ReferralReceiver.objects.create(organisation=church, user=receiver)
    coordinator = twin("samordnare@jonkoping.se", social, "Tor", "Tvillingsamordnare")
    participant = twin("kantor@jonkopingspastorat.se", church, "Tilde", "Tvillingdeltagare")

    plan = plan_services.plan_open(
        by=contact, organisation=social, given_name=TWIN_CHILD, family_name="Tvillingsson",
        birth_date=date(2016, 5, 20), reason="Oro för ensamhet.", part="Handläggare",
    )
    guardian = plan_services.guardian_add(plan=plan, by=contact, name="Tor Tvillingsson", relation="pappa",
                                          has_custody=True, contact="070-765 43 21")
    plan_services.consent_record(
        plan=plan, by=contact, guardian=guardian, given_on=timezone.localdate(), method=Consent.Method.WRITTEN,
        purposes="Stöd i skolan och på fritiden.", organisations=[school, church], allows_referral=True,
    )
    plan_services.team_add(plan=plan, by=contact, user=teacher, organisation=school, part="Mentor")
    activity = f.ActivityFactory(organisation=church, title="Tvillingkyrkans fredagsmys", public=True,
                                 kommun=jonkoping)
    referral = referral_services.referral_send(
        plan=plan, by=contact, organisation=church, activity=activity, help_wanted=TWIN_HELP_WANTED,
        contact_by=Referral.ContactBy.FAMILY,
    )

    regional = f.RegionalNetworkFactory(name="Barnens bästa i Jönköpings län", lan=jonkoping.lan)
    network = f.LocalNetworkFactory(name="Barnstödsnätverket i Jönköping", kommun=jonkoping, parent=regional)
    for net in (network, regional):
        f.MembershipFactory(network=net, user=coordinator, organisation=social,
                            role=NetworkMembership.Role.COORDINATOR)
    f.MembershipFactory(network=network, user=participant, organisation=church)
    day = timezone.localdate() + timedelta(days=21)
    starts = datetime(day.year, day.month, day.day, 13, 0, tzinfo=TZ)
    meeting = meeting_services.meeting_schedule(
        network=network, by=coordinator, title="Tvillingträff", kind="natverkstraff", starts_at=starts,
        ends_at=starts + timedelta(hours=2), place="Rådhuset, Jönköping", description="",
        rsvp_deadline=(starts - timedelta(days=5)).date(),
    )
    meeting_services.meeting_invite(meeting=meeting, by=coordinator)
    return {
        RECEIVER: receiver, CONTACT: contact, TEAM_MEMBER: teacher, COORDINATOR: coordinator,
        PARTICIPANT: participant,
        "plan": plan, "referral": referral, "network": network, "regional_network": regional, "meeting": meeting,
        "church": church,
    }


NEIGHBOUR = "coordinator_of_a_neighbouring_network"


def neighbouring_coordinator(organisation):
    """The coordinator of another network (Alvesta's, the same län) who comes from
    ``organisation``, a member organisation of ours but is no member of our network: a rule that
    compared the organisation instead of the network would let them in. Returns the person and
    their network."""
    alvesta = f.kommun("Alvesta")
    network = f.LocalNetworkFactory(name="Barnstödsnätverket i Alvesta", kommun=alvesta, lan=alvesta.lan)
    user = twin("samordnare@alvesta.se", organisation, "Nils", "Grannsamordnare")
    f.MembershipFactory(network=network, user=user, organisation=organisation, role=NetworkMembership.Role.COORDINATOR)
    client = Client()
    client.force_login(user)
    assert client.get(reverse("network_update", args=[network.pk])).status_code == 200  # the role is real
    return user, network


def assert_twins_hold_their_roles(world, twins=TWINS):
    """Each twin reaches its own world: a persona who may see nothing anywhere proves nothing."""
    own = {
        RECEIVER: [reverse("childplans:referral_detail", args=[world["referral"].pk]),
                   reverse("childplans:referral_inbox")],
        CONTACT: [reverse("childplans:plan_detail", args=[world["plan"].pk]),
                  reverse("childplans:referral_cancel", args=[world["referral"].pk])],
        TEAM_MEMBER: [reverse("childplans:plan_detail", args=[world["plan"].pk]),
                      reverse("childplans:referral_detail", args=[world["referral"].pk])],
        COORDINATOR: [reverse("network_update", args=[world["network"].pk]),
                      reverse("network_update", args=[world["regional_network"].pk]),
                      reverse("meeting_update", args=[world["meeting"].pk]),
                      reverse("organisation_receivers", args=[world["church"].pk])],
        PARTICIPANT: [reverse("network_detail", args=[world["network"].pk]),
                      reverse("meeting_detail", args=[world["meeting"].pk]),
                      reverse("organisation_receivers", args=[world["church"].pk])],
    }
    for name in twins:
        client = Client()
        client.force_login(world[name])
        for url in own[name]:
            assert client.get(url).status_code == 200, f"the twin {name} does not reach its own {url}"


# --- Helpers for the tables -------------------------------------------------------------------


@cache
def _counted_tables():
    """(model label, table) for every model with a table of its own, m2m tables included."""
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        opts = model._meta
        if opts.managed and not opts.proxy:
            tables.setdefault(opts.db_table, opts.label)
    return tuple(sorted((label, table) for table, label in tables.items()))


# Rows a refused request may change: the session (the test client's log-in, renewed by the
# idle-timeout middleware) and the audit log (checked on its own: one DENIED row at most).
NOT_COUNTED = {"sessions.Session", AuditEvent._meta.label}


def row_counts():
    """The number of rows of every model (``apps.get_models()``), but the session's and the
    audit log's, in one query."""
    counted = [(label, table) for label, table in _counted_tables() if label not in NOT_COUNTED]
    quote = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(table)})" for _, table in counted)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        values = cursor.fetchone()
    return dict(zip((label for label, _ in counted), values, strict=True))


def changed_counts(before, after):
    return {label: (before[label], after[label]) for label in before if before[label] != after[label]}


SAFE = ("get", "head")


def methods_for(callback):
    """The methods to try on a route: GET and POST always; HEAD where the view answers GET; PUT
    and DELETE where the view has a handler for them (a FormView's ``put`` is its ``post``).
    Returns (method, whether the view accepts it)."""
    view_class = getattr(callback, "view_class", None)
    if view_class is None:  # a function view: GET, HEAD and POST
        return [(m, True) for m in ("get", "head", "post")]
    allowed = [m for m in view_class.http_method_names if hasattr(view_class, m)]
    if "get" in allowed and "head" in view_class.http_method_names:
        allowed.append("head")
    tried = ["get", "head", "post"] + [m for m in ("put", "delete") if m in allowed]
    return [(m, m in allowed) for m in dict.fromkeys(tried)]


def request(client, method, url, payload=None):
    if method == "post":
        return client.post(url, payload or {})
    if method in ("put", "delete"):
        body = encode_multipart("BoUnDaRy", payload or {})
        return getattr(client, method)(url, body, content_type="multipart/form-data; boundary=BoUnDaRy")
    return getattr(client, method)(url)


def patterns():
    """(namespaced name, pattern) for every named URL pattern of the project."""
    found = []

    def walk(resolver, namespace):
        for p in resolver.url_patterns:
            if isinstance(p, URLPattern):
                if p.name:
                    found.append((f"{namespace}:{p.name}" if namespace else p.name, p))
            else:
                ns = namespace
                if p.namespace:
                    ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
                walk(p, ns)

    walk(get_resolver(), "")
    return found


def view_module(pattern):
    callback = pattern.callback
    return getattr(callback, "view_class", callback).__module__


MISSING_ID = 2**31 - 7  # an id no object has (within every id column's range)


def missing_kwargs(kwargs):
    """The same URL arguments with every id one that no object has."""
    return {k: MISSING_ID if isinstance(v, int) else v for k, v in kwargs.items()}


def ask_outside(client, method, url, *, accepted, missing_url, payload=None, baseline, label):
    """Ask ``url`` as someone outside its object's scope. The answer is 404 — or, for a method
    the view does not take, a 405 that is the same answer as for an object that does not exist
    (given before anything is looked up). No model's row count changes (``baseline``). Returns
    the response, its body and the audit rows the request wrote (the caller knows which it
    expects)."""
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    response = request(client, method, url, payload)
    audit = list(AuditEvent.objects.filter(pk__gt=last).order_by("pk"))
    if response.status_code != 404:
        assert not accepted, (*label, response.status_code, "expected 404")
        missing = request(client, method, missing_url, payload).status_code
        assert response.status_code == missing == 405, (*label, response.status_code, "a missing object", missing)
    after = row_counts()
    assert after == baseline, (*label, "rows changed", changed_counts(baseline, after))
    return response, response.content.decode(errors="replace"), audit


def object_routes(*apps_):
    """(name, pattern) of every route for logged-in users (``MEMBER`` in portal/routes.py; the
    admin's aside, staff only, and allauth's disabled flows, 404 for everyone) that takes a URL
    argument and whose view lives in one of ``apps_`` (e.g. "networks"; all without)."""
    from portal.routes import DISABLED, MEMBER, classify

    return [
        (key, p) for key, p in patterns()
        if classify(key) == MEMBER and p.pattern.regex.groups and not key.startswith("admin:")
        and key not in DISABLED and (not apps_ or view_module(p).split(".")[0] in apps_)
    ]


def coordinator_only(pattern):
    """Whether the route's view is for the network's coordinators only, by its declaration
    (``network_role`` or ``meeting_role`` = "coordinator")."""
    view_class = getattr(pattern.callback, "view_class", None)
    return "coordinator" in (getattr(view_class, "network_role", None), getattr(view_class, "meeting_role", None))


def walk_outside(client, persona, targets, *, payload, secrets, snapshot):
    """Every (name, pattern, kwargs) of ``targets``, every method its view accepts, as someone
    outside the object's scope (``ask_outside``): 404, no audit row (these routes log only
    changes), none of ``secrets`` in the body, no row counted changed, and ``snapshot()`` (every
    column of the rows that matter) the same after each route."""
    counts, rows = row_counts(), snapshot()
    for key, pattern, kwargs in targets:
        url, missing = reverse(key, kwargs=kwargs), reverse(key, kwargs=missing_kwargs(kwargs))
        for method, accepted in methods_for(pattern.callback):
            label = (persona, key, kwargs, method.upper())
            _response, body, new = ask_outside(client, method, url, accepted=accepted, missing_url=missing,
                                               payload=payload, baseline=counts, label=label)
            assert new == [], (*label, "audit rows", [e.action for e in new])
            for secret in secrets:
                assert secret not in body, (*label, secret)
        assert snapshot() == rows, (persona, key, kwargs, "database changed")


def app_rows(*labels):
    """Every column of every row of the apps' models (an UPDATE that keeps the count shows)."""
    return [list(m.objects.order_by("pk").values_list()) for label in labels
            for m in apps.get_app_config(label).get_models()]
