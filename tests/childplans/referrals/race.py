"""A referral with two receivers, made in a transactional test (the race test's threads need
committed rows)."""

from datetime import date

from django.utils import timezone

from childplans import services as plan_services
from childplans.models import Consent, PlanKeepingKind
from childplans.referrals import services
from childplans.referrals.models import Referral
from networks.models import Organisation, ReferralReceiver
from tests import factories as f

from ..conftest import person


def make_referral():
    for kind in ("kommun", "region", "skola", "polis"):
        PlanKeepingKind.objects.get_or_create(kind=kind)
    social = f.OrganisationFactory(name="Växjö kommun", unit="Socialtjänsten", kind=Organisation.Kind.KOMMUN)
    church = f.OrganisationFactory(name="Växjö pastorat", kind=Organisation.Kind.KYRKA)
    contact = person("kontakt@vaxjo.se", social)
    plan = plan_services.plan_open(by=contact, organisation=social, given_name="Tindra", family_name="Testbarnsson",
                                   birth_date=date(2015, 4, 12), reason="Oro.")
    guardian = plan_services.guardian_add(plan=plan, by=contact, name="Gunilla", relation="mamma", has_custody=True)
    plan_services.consent_record(plan=plan, by=contact, guardian=guardian, given_on=timezone.localdate(),
                                 method=Consent.Method.WRITTEN, purposes="Fritid.", organisations=[church],
                                 allows_referral=True)
    receivers = [person(f"mottagare{i}@kyrkan.se", church) for i in (1, 2)]
    for user in receivers:
        ReferralReceiver.objects.create(organisation=church, user=user)
    referral = services.referral_send(plan=plan, by=contact, organisation=church, help_wanted="Träffa andra.",
                                      contact_by=Referral.ContactBy.FAMILY)
    return referral, receivers[0], receivers[1]
