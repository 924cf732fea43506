"""Personas and a fully populated plan for the child-plan tests.

The plan is owned by Växjö kommun's social services (``org_social``); its team is the contact
person ``contact`` (social services) and ``teacher`` from ``org_school``, which a guardian's
consent covers. Everyone who may reach child data has an authenticator (TOTP), as the MFA
middleware requires; ``mfa`` adds one to any user."""

import time
from datetime import date, timedelta

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone

from childplans import services
from childplans.models import Area, ChronologyEntry, Consent, Need, PlanKeepingKind
from networks.models import NetworkMembership, Organisation, OrganisationMembership
from tests import factories as f

CHILD_GIVEN = "Tindra"
CHILD_FAMILY = "Testbarnsson"
CHILD_PNR = "20150412-2381"
GUARDIAN_NAME = "Gunilla Vårdnadshavarsson"
GUARDIAN_CONTACT = "070-123 45 67"
GUARDIAN_EMAIL = "gunilla@example.se"
# Strings that must never appear where child data must not be.
SECRETS = [CHILD_GIVEN, CHILD_FAMILY, CHILD_PNR, CHILD_PNR.replace("-", ""), GUARDIAN_NAME, "070-123 45 67"]


def add_mfa(user):
    TOTP.activate(user, generate_totp_secret())
    return user


def person(email, organisation, *, first_name="Test", last_name="Person", with_mfa=True, **extra):
    user = f.UserFactory(email=email, first_name=first_name, last_name=last_name, **extra)
    if organisation is not None:
        OrganisationMembership.objects.get_or_create(user=user, organisation=organisation)
    if with_mfa:
        add_mfa(user)
    return user


def reauthenticate(client, user):
    """Mark the client's session as freshly re-authenticated (as allauth records it)."""
    session = client.session
    session["account_authentication_methods_user"] = str(user.pk)
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "reauthenticated": True, "email": user.email}
    ]
    session.save()


@pytest.fixture
def mfa():
    return add_mfa


@pytest.fixture
def plan_kinds(db):
    """The default plan-keeping kinds (seeded by a migration; re-created after a flush)."""
    for kind in ("kommun", "region", "skola", "polis"):
        PlanKeepingKind.objects.get_or_create(kind=kind)


@pytest.fixture
def org_social(db, plan_kinds):
    return f.OrganisationFactory(name="Växjö kommun", unit="Socialtjänsten", kind=Organisation.Kind.KOMMUN)


@pytest.fixture
def org_school(db):
    return f.OrganisationFactory(name="Fagrabäcksskolan", kind=Organisation.Kind.SKOLA)


@pytest.fixture
def org_other(db):
    return f.OrganisationFactory(name="Region Kronoberg", unit="BUP", kind=Organisation.Kind.REGION)


@pytest.fixture
def church(db):
    return f.OrganisationFactory(name="Växjö pastorat", kind=Organisation.Kind.KYRKA)


@pytest.fixture
def contact(db, org_social):
    return person("kontakt@vaxjo.se", org_social, first_name="Karin", last_name="Kontaktperson")


@pytest.fixture
def teacher(db, org_school):
    return person("larare@skolan.se", org_school, first_name="Lars", last_name="Lärare")


@pytest.fixture
def plan(db, contact, org_social):
    return services.plan_open(
        by=contact, organisation=org_social, given_name=CHILD_GIVEN, family_name=CHILD_FAMILY,
        birth_date=date(2015, 4, 12), personnummer=CHILD_PNR, reason="Oro för skolfrånvaro.",
        part="Handläggare",
    )


@pytest.fixture
def guardian(db, plan, contact):
    return services.guardian_add(
        plan=plan, by=contact, name=GUARDIAN_NAME, relation="mamma", has_custody=True, contact=GUARDIAN_CONTACT,
        email=GUARDIAN_EMAIL,
    )


@pytest.fixture
def consent(db, plan, contact, guardian, org_school):
    return services.consent_record(
        plan=plan, by=contact, guardian=guardian, given_on=timezone.localdate(), method=Consent.Method.WRITTEN,
        purposes="Samordning av stöd i skolan.", organisations=[org_school],
    )


@pytest.fixture
def teacher_member(db, plan, contact, consent, teacher, org_school):
    return services.team_add(plan=plan, by=contact, user=teacher, organisation=org_school, part="Mentor")


def all_areas(need=Need.SOME):
    return {a: {"need": need, "seen": "Ser bra ut", "seen_by": "Mentor"} for a in Area.values}


@pytest.fixture
def full_plan(db, plan, contact, guardian, consent, teacher_member, teacher):
    """A plan with one of everything, so every child-scoped URL has an object to point at."""
    services.assessment_record(plan=plan, by=contact, assessed_on=timezone.localdate() - timedelta(days=30),
                               areas=all_areas(Need.GREAT))
    services.assessment_record(plan=plan, by=contact, assessed_on=timezone.localdate(), areas=all_areas())
    goal = services.goal_add(plan=plan, by=contact, area=Area.UTVECKLAS, description="Tindra går till skolan")
    action = services.action_add(
        plan=plan, by=contact, goal=goal, what="Samtal varje vecka med mentor", responsible_organisation=teacher_member.organisation,
        responsible_person=teacher, starts_on=timezone.localdate(), due_on=timezone.localdate() + timedelta(days=30),
        status="planerad", follow_up="",
    )
    review = services.review_plan(plan=plan, by=contact, date=timezone.localdate())
    services.voice_save(plan=plan, by=contact, child_voice="Jag vill ha en kompis i skolan.",
                        guardians_views="Vi vill att hon trivs.")
    services.chronology_add(plan=plan, by=contact, occurred_on=timezone.localdate(), event="Började i ny klass",
                            source="Skolan", impact=ChronologyEntry.Impact.POSITIVE)
    plan.refresh_from_db()
    return {"plan": plan, "guardian": guardian, "consent": consent, "member": teacher_member, "goal": goal,
            "action": action, "review": review}


@pytest.fixture
def coordinator_with_mfa(db, network, org_social):
    """A network coordinator from the owning organisation (not on the team)."""
    user = person("samordnare2@vaxjo.se", org_social, first_name="Sam", last_name="Samordnare")
    NetworkMembership.objects.create(network=network, user=user, organisation=org_social,
                                     role=NetworkMembership.Role.COORDINATOR)
    return user
