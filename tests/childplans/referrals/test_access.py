"""docs/security.md promises 3, 5 and 14 for referrals: every referral route, every method, for
the receiver, another member of the receiving organisation who is not a receiver, the referrer,
a team member, a colleague off the team, an administrator and a receiver after the consent was
withdrawn — and their twins in another organisation (tests/twins.py): a receiver of another
organisation's referrals, the contact person (and referrer) and a team member of another plan,
the coordinator of another network, a member of another receiving organisation. Where a persona
may not, the answer is 404, nothing changes and one DENIED audit row is written; where they may,
one audit row carries the plan's and the child's ids."""

import pytest
from django.apps import apps
from django.core import serializers
from django.urls import reverse
from django.utils import timezone

from childplans import services as plan_services
from childplans.referrals.models import Referral
from networks.models import ReferralReceiver
from portal.models import AuditEvent, OutboundEmail
from portal.routes import REFERRAL, classify
from tests.twins import (
    RECEIVER,
    SAFE,
    TWINS,
    ask_outside,
    assert_twins_hold_their_roles,
    build_twin_world,
    changed_counts,
    methods_for,
    missing_kwargs,
    object_routes,
    patterns,
    request,
    row_counts,
    walk_outside,
)

from ..conftest import SECRETS, person
from .conftest import CONTACT_DETAILS, HELP_WANTED

pytestmark = pytest.mark.django_db

ANSWER = {"status": "accepted", "note": "Välkomna på måndag klockan fem."}
CANCEL = {"note": "Familjen har hittat annat."}


def snapshot():
    data = [serializers.serialize("json", m.objects.order_by("pk"))
            for label in ("childplans", "referrals") for m in apps.get_app_config(label).get_models()]
    data.append(serializers.serialize("json", ReferralReceiver.objects.order_by("pk")))
    data.append(serializers.serialize("json", OutboundEmail.objects.order_by("pk")))
    return data


@pytest.fixture
def personas(db, referral, receiver, church_member, contact, teacher, org_social):
    return {
        "receiver": receiver,
        "other_member_of_the_organisation": church_member,
        "referrer": contact,
        "team_member": teacher,
        "colleague_off_the_team": person("kollega@vaxjo.se", org_social, first_name="Kim", last_name="Kollega"),
        "administrator": person("admin@portal.se", org_social, first_name="Ada", last_name="Admin",
                                is_staff=True, is_superuser=True),
        "receiver_after_withdrawal": receiver,
    }


# (route, method, payload, status by persona). Requests that change something come last.
NOT = 404
TABLE = [
    ("referral_inbox", "get", None,
     {"receiver": 200, "referrer": NOT, "team_member": NOT, "receiver_after_withdrawal": 200}),
    ("referral_detail", "get", None,
     {"receiver": 200, "referrer": 200, "team_member": 200, "receiver_after_withdrawal": 200}),
    ("referral_detail", "post", ANSWER, "405 for everyone: the page is read only"),
    ("referral_answer", "get", None,
     {"receiver": 302, "referrer": NOT, "team_member": NOT, "receiver_after_withdrawal": 302}),
    ("referral_cancel", "get", None,
     {"receiver": NOT, "referrer": 200, "team_member": NOT, "receiver_after_withdrawal": NOT}),
    # a receiver after the withdrawal sees the page again, and nothing changes
    ("referral_answer", "post", ANSWER,
     {"receiver": 302, "referrer": NOT, "team_member": NOT, "receiver_after_withdrawal": 200}),
    ("referral_cancel", "post", CANCEL,
     {"receiver": NOT, "referrer": 302, "team_member": NOT, "receiver_after_withdrawal": NOT}),
]
CHANGES = {("receiver", "referral_answer", "post"), ("referrer", "referral_cancel", "post")}
PERSONAS = ["receiver", "other_member_of_the_organisation", "referrer", "team_member", "colleague_off_the_team",
            "administrator", "receiver_after_withdrawal"]


def url_of(name, referral):
    return reverse(f"childplans:{name}") if name == "referral_inbox" else reverse(
        f"childplans:{name}", kwargs={"referral_pk": referral.pk})


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_access_table(client, personas, persona, referral, referral_consent, contact):
    if persona == "receiver_after_withdrawal":
        plan_services.consent_withdraw(plan=referral.plan, consent=referral_consent, by=contact,
                                       withdrawn_on=timezone.localdate())
    user = personas[persona]
    client.force_login(user)
    for name, method, payload, expected in TABLE:
        status = 405 if isinstance(expected, str) else expected.get(persona, NOT)
        before, audit_before = snapshot(), AuditEvent.objects.count()
        response = getattr(client, method)(url_of(name, referral), payload)
        assert response.status_code == status, (persona, name, method, response.status_code)
        body = response.content.decode()
        new_audit = list(AuditEvent.objects.order_by("pk")[audit_before:])
        if (persona, name, method) in CHANGES:
            assert snapshot() != before, (persona, name, method, "nothing changed")
        else:
            assert snapshot() == before, (persona, name, method, "database changed")
        if status == NOT:
            for secret in [HELP_WANTED, CONTACT_DETAILS, *SECRETS]:
                assert secret not in body, (persona, name, method, secret)
            assert [e.action for e in new_audit] == [AuditEvent.Action.DENIED], (persona, name, method)
            assert new_audit[0].plan_id is None and new_audit[0].child_id is None  # nothing given away
        elif status == 405:
            assert new_audit == []
        elif name != "referral_inbox":
            assert len(new_audit) == 1 and new_audit[0].action != AuditEvent.Action.DENIED, (persona, name, method)
            assert (new_audit[0].plan_id, new_audit[0].child_id) == (referral.plan_id, referral.plan.child_id)
        else:
            assert len(new_audit) == 1 and new_audit[0].detail["referral_ids"] == [referral.pk]
        if persona == "receiver_after_withdrawal":
            for secret in [HELP_WANTED, CONTACT_DETAILS, referral.first_name, *SECRETS]:
                assert secret not in body, (persona, name, method, secret)


REFERRAL_PATTERNS = [(key, p) for key, p in patterns() if classify(key) == REFERRAL]


@pytest.mark.parametrize("persona", TWINS)
def test_twins_in_another_organisation_get_404_on_every_referral_route(client, persona, referral):
    """The twins of tests/twins.py, each holding its role in another organisation, on every
    referral route (from the URL resolver) and every method its view accepts: 404, nothing of
    the referral in the body, no row changed but one DENIED audit row that names no plan. The
    receiver twin's own inbox answers, with its own referral and never this one."""
    world = build_twin_world()
    assert_twins_hold_their_roles(world, [persona])
    user = world[persona]
    client.force_login(user)
    counts, rows = row_counts(), snapshot()
    assert REFERRAL_PATTERNS
    for key, pattern in REFERRAL_PATTERNS:
        assert set(pattern.pattern.converters) <= {"referral_pk"}, f"{key}: which referral does the table give it?"
        kwargs = {"referral_pk": referral.pk} if pattern.pattern.converters else {}
        url, missing = reverse(key, kwargs=kwargs), reverse(key, kwargs=missing_kwargs(kwargs))
        for method, accepted in methods_for(pattern.callback):
            label = (persona, key, method.upper())
            if not kwargs and persona == RECEIVER and method in SAFE:  # their own inbox
                last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
                response = request(client, method, url)
                body = response.content.decode()
                new = list(AuditEvent.objects.filter(pk__gt=last))
                assert response.status_code == 200, (*label, response.status_code)
                assert [e.detail["referral_ids"] for e in new] == [[world["referral"].pk]], label
                assert row_counts() == counts, (*label, changed_counts(counts, row_counts()))
            else:
                response, body, new = ask_outside(client, method, url, accepted=accepted, missing_url=missing,
                                                  payload=ANSWER | CANCEL, baseline=counts, label=label)
                if response.status_code == 404:
                    assert [e.action for e in new] == [AuditEvent.Action.DENIED], label
                    assert (new[0].user_id, new[0].plan_id, new[0].child_id) == (user.pk, None, None), label
                else:
                    assert new == [], label  # a 405 reads nothing
            for secret in [HELP_WANTED, CONTACT_DETAILS, *SECRETS]:
                assert secret not in body, (*label, secret)
        assert snapshot() == rows, (persona, key, "database changed")


FLOW_ROUTES = object_routes("childplans")


@pytest.mark.parametrize("persona", TWINS)
def test_twins_get_404_on_the_flow_of_our_network_and_organisation(client, persona, referral, network, church):
    """The flow (counts only) is for the network's coordinators and the organisation's members:
    the twins, coordinator and members of other ones, get 404 on ours, every method."""
    world = build_twin_world()
    assert_twins_hold_their_roles(world, [persona])
    client.force_login(world[persona])
    ids = {"network_pk": network.pk, "organisation_pk": church.pk}
    assert {key for key, _ in FLOW_ROUTES} >= {"childplans:flow_network", "childplans:flow_organisation"}
    targets = []
    for key, pattern in FLOW_ROUTES:
        unknown = [n for n in pattern.pattern.converters if n not in ids]
        assert not unknown, f"{key}: the twin table does not know the URL argument(s) {unknown}"
        targets.append((key, pattern, {n: ids[n] for n in pattern.pattern.converters}))
    walk_outside(client, persona, targets, payload={"termin": "x"}, secrets=[network.name, church.name],
                 snapshot=snapshot)


def test_after_withdrawal_the_receiver_sees_only_that_it_was_withdrawn(client, referral, referral_consent, contact,
                                                                     receiver):
    plan_services.consent_withdraw(plan=referral.plan, consent=referral_consent, by=contact,
                                   withdrawn_on=timezone.localdate())
    client.force_login(receiver)
    body = client.get(url_of("referral_detail", referral)).content.decode()
    assert "återkallat samtycket" in body
    assert HELP_WANTED not in body and "Välkomna" not in body
    assert 'action="' + url_of("referral_answer", referral) not in body


def test_receivers_and_team_are_decided_on_every_request(client, referral, receiver, church):
    """Promise 4 for referrals: a receiver who is no longer named, or who left the organisation,
    gets 404 on the next request."""
    client.force_login(receiver)
    url = url_of("referral_detail", referral)
    assert client.get(url).status_code == 200
    ReferralReceiver.objects.filter(user=receiver).delete()
    assert client.get(url).status_code == 404
    assert client.get(url_of("referral_inbox", referral)).status_code == 404
    ReferralReceiver.objects.create(organisation=church, user=receiver)
    assert client.get(url).status_code == 200
    from networks.models import OrganisationMembership

    OrganisationMembership.objects.filter(user=receiver).delete()
    assert client.get(url).status_code == 404


def test_a_missing_referral_is_the_same_404(client, referral, contact):
    client.force_login(contact)
    assert client.get(reverse("childplans:referral_detail", kwargs={"referral_pk": referral.pk + 1000})).status_code == 404
    assert client.get(f"/hanvisningar/{2**70}/").status_code == 404


def test_the_receiver_gets_404_for_the_plan(client, referral, receiver):
    """Accepting never puts the receiver on the team: every plan route is 404 for them."""
    from childplans.referrals import services

    services.referral_answer(referral=referral, by=receiver, status=Referral.Status.ACCEPTED)
    client.force_login(receiver)
    for name in ("plan_detail", "plan_referrals", "chronology", "consents", "team", "print"):
        response = client.get(reverse(f"childplans:{name}", kwargs={"plan_pk": referral.plan_id}))
        assert response.status_code == 404, name


def test_a_failing_audit_insert_fails_the_read_and_the_answer(client, referral, receiver, break_audit):
    """Promise 5a for referrals: no audit row, no referral shown, no answer kept."""
    client.force_login(receiver)
    break_audit()
    client.raise_request_exception = False
    for url, method, payload in (
        (url_of("referral_detail", referral), "get", None),
        (url_of("referral_inbox", referral), "get", None),
        (url_of("referral_answer", referral), "post", ANSWER),
    ):
        response = getattr(client, method)(url, payload)
        assert response.status_code == 500, url
        assert HELP_WANTED not in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT
