"""Bulk seeding of referrals and tips for the benchmarks (tests/bench/bench_childplans.py): the
receivers' inbox and the flow of tips and referrals need something to list and count. Made from
the seeded plans (childplans/seed.py): fictional, no real child. Rows are written with
bulk_create, so a county takes seconds."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from childplans.models import ChildPlan
from networks.models import (
    Activity,
    ActivityTipCount,
    Organisation,
    OrganisationMembership,
    ReferralReceiver,
)
from networks.terms import current_term, previous_term

from .models import Referral, ReferralEvent

HELP = [
    "Familjen vill träffa andra familjer och få fler vuxna att prata med.",
    "Barnet vill ha läxhjälp i matte två gånger i veckan.",
    "Mamman vill ha stöd i föräldraskapet och någon att prata med.",
    "Familjen behöver hjälp med mat och kläder inför vintern.",
]
STAGES = [  # (status, accepted, declined, started, closed)
    (Referral.Status.SENT, False, False, False, False),
    (Referral.Status.ACCEPTED, True, False, False, False),
    (Referral.Status.STARTED, True, False, True, False),
    (Referral.Status.ENDED, True, False, True, True),
    (Referral.Status.DECLINED, False, True, False, True),
]


@transaction.atomic
def seed_referrals(*, receiver, total=2000, own_share=0.25, seed=13, batch=2000):
    """Make ``receiver`` a receiver of referrals for their first organisation, then (unless
    referrals exist already) ``total`` referrals from the seeded plans of its län to the län's
    organisations — ``own_share`` of them to the receiver's own, so that the inbox has pages —
    this term and the last, at every stage, each with its events; and tips this term and last
    for every activity of the län. Returns {"referrals": n, "tips": n}."""
    rng = random.Random(seed)  # noqa: S311 - fictional benchmark data, not security
    membership = OrganisationMembership.objects.filter(user=receiver).select_related("organisation").order_by("pk").first()
    if membership is None:
        raise ValueError("the receiver belongs to no organisation")
    own = membership.organisation
    ReferralReceiver.objects.get_or_create(organisation=own, user=receiver)
    if Referral.objects.exists():
        return {"referrals": 0, "tips": 0}
    plans = list(
        ChildPlan.objects.filter(owner_organisation__lan_id=own.lan_id, status=ChildPlan.Status.ACTIVE)
        .values_list("pk", "owner_organisation_id", "contact_person_id")
    )
    if not plans:
        raise ValueError("no plans in the receiver's län: seed the plans first")
    organisations = list(Organisation.objects.filter(lan_id=own.lan_id).values_list("pk", flat=True))
    activities = {}
    for pk, organisation_id in Activity.objects.filter(organisation__lan_id=own.lan_id).values_list(
        "pk", "organisation_id"
    ):
        activities.setdefault(organisation_id, []).append(pk)
    now = timezone.now()
    terms = [current_term(), previous_term(*current_term())]
    rows = []
    for i in range(total):
        plan_pk, owner_pk, contact_pk = rng.choice(plans)
        organisation_id = own.pk if rng.random() < own_share else rng.choice(organisations)
        term, year = terms[0] if i % 3 else terms[1]
        status, accepted, declined, started, closed = rng.choice(STAGES)
        at = now - timedelta(days=rng.randrange(1, 150), minutes=i)
        rows.append(Referral(
            plan_id=plan_pk, organisation_id=organisation_id,
            activity_id=rng.choice(activities[organisation_id]) if activities.get(organisation_id) else None,
            referred_by_id=contact_pk, referrer_organisation_id=owner_pk,
            first_name=rng.choice(["Alva", "Noah", "Saga", "Leo"]), age=rng.randrange(2, 17),
            help_wanted=rng.choice(HELP), contact_by=Referral.ContactBy.FAMILY, status=status,
            decline_reason="Gruppen är full." if declined else "", term=term, term_year=year, created_at=at,
            accepted_at=at if accepted else None, declined_at=at if declined else None,
            started_at=at if started else None, ended_at=at if status == Referral.Status.ENDED else None,
            closed_at=at if closed else None,
        ))
    Referral.objects.bulk_create(rows, batch_size=batch)
    events = []
    for referral in rows:
        events.append(ReferralEvent(referral=referral, status=Referral.Status.SENT, at=referral.created_at,
                                    by_id=referral.referred_by_id))
        if referral.status != Referral.Status.SENT:
            events.append(ReferralEvent(referral=referral, status=referral.status, at=referral.created_at,
                                        note="Välkomna en måndag klockan fem.", by_id=receiver.pk))
    ReferralEvent.objects.bulk_create(events, batch_size=batch)
    tips = [
        ActivityTipCount(activity_id=pk, term=term, year=year, count=rng.randrange(0, 20))
        for pks in activities.values() for pk in pks for term, year in terms
    ]
    ActivityTipCount.objects.bulk_create(tips, batch_size=batch, ignore_conflicts=True)
    return {"referrals": len(rows), "tips": len(tips)}
