"""The child plans of the embedded default (childplans/demo.py, loaded by ``manage.py
load_demo``): fictional plans at every stage, the professionals who keep them with their demo
TOTP, the police officer who gets 404, and nothing of it with production settings."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import validate_totp_code
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from childplans.demo import CHURCH_EMAIL, CONTACT_EMAIL, POLICE_EMAIL, SCHOOL_EMAIL, demo_children
from childplans.models import (
    Action,
    ChildPlan,
    ChronologyEntry,
    Consent,
    PlanChange,
    Review,
    TeamMember,
)
from childplans.networkmap.models import MapVersion, NetworkMeeting
from childplans.teammeetings.models import Invitee, TeamMeeting
from networks.demo import DEMO_PASSWORD
from portal.models import OutboundEmail, User

pytestmark = pytest.mark.django_db
SECRET = "BARNSTODSPORTALENDEMOKOD"


@pytest.fixture
def demo(db, settings):
    settings.DEMO_TOTP_SECRET = SECRET
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def plan_of(given):
    return ChildPlan.objects.select_related("child").get(child__given_name=given)


def client_for(email):
    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


def test_four_fictional_plans_at_every_stage(demo):
    plans = {p.child.given_name: p for p in ChildPlan.objects.select_related("child")}
    assert set(plans) == {given for given, _family, _born in demo_children()}
    assert plans["Ella"].status == ChildPlan.Status.CLOSED
    assert plans["Milo"].team.count() == 1 and not plans["Milo"].assessments.exists()
    assert plans["Alva"].handovers.filter(accepted_at__isnull=True, to_user__email=CONTACT_EMAIL).exists()
    assert all(p.child.personnummer == "" for p in plans.values())


def test_saga_has_the_whole_story(demo):
    saga = plan_of("Saga")
    assert saga.child.guardians.count() == 2
    covered = set(Consent.objects.filter(plan=saga).values_list("organisations__kind", flat=True))
    assert {"skola", "kyrka", "region"} <= covered
    kinds = set(TeamMember.objects.filter(plan=saga, removed_at__isnull=True).values_list("organisation__kind", flat=True))
    assert kinds == {"kommun", "skola", "region", "kyrka"}
    assert TeamMember.objects.get(plan=saga, user__email=CHURCH_EMAIL).is_supporter
    dates = sorted(saga.assessments.values_list("assessed_on", flat=True))
    assert len(dates) == 2 and (dates[1] - dates[0]).days >= 90, "months apart, so the wheel shows change"
    overdue = [a for a in Action.objects.filter(plan=saga) if a.status in Action.OPEN_STATUSES and a.due_on < saga.opened_on.today()]
    assert overdue and Action.objects.filter(plan=saga, status=Action.Status.DONE).exists()
    held = Review.objects.get(plan=saga, status=Review.Status.HELD)
    assert held.child_took_part == Review.ChildTookPart.YES and held.guardians_know_plan
    assert Review.objects.filter(plan=saga, status=Review.Status.PLANNED).exists()
    assert ChronologyEntry.objects.filter(plan=saga).count() >= 4
    assert PlanChange.objects.filter(plan=saga).count() >= 20
    assert MapVersion.objects.filter(plan=saga).count() == 2
    assert NetworkMeeting.objects.filter(plan=saga, kind=NetworkMeeting.Kind.FAMILY_COUNCIL).exists()


def test_saga_has_a_held_and_a_coming_team_meeting(demo):
    saga = plan_of("Saga")
    held, coming = TeamMeeting.objects.filter(plan=saga).order_by("starts_at")
    assert held.status == TeamMeeting.Status.CLOSED and held.review == Review.objects.get(plan=saga, status="held")
    assert held.review.date == held.local_start.date() and held.decisions
    assert ChronologyEntry.objects.filter(plan=saga, source="Barnteamets möte").exists()
    assert coming.status == TeamMeeting.Status.PLANNED and coming.starts_at > timezone.now()
    assert coming.invitations_sent_at and coming.child_words
    lena = Invitee.objects.get(meeting=coming, guardian__name="Lena Påhittad")
    assert lena.email == "lena.pahittad@exempel.se" and lena.email.endswith("@exempel.se")
    assert OutboundEmail.objects.filter(kind="teammeeting_invitation", object_key=f"teammeeting:{coming.pk}",
                                        recipient="lena.pahittad@exempel.se").exists()
    assert Invitee.objects.filter(meeting=coming).exclude(guardian=None).count() == 1  # Omar has no address
    # the held meeting's review is the one the plan page shows; the next one is in six days
    assert Review.objects.filter(plan=saga, status="planned", date=timezone.localdate() + timedelta(days=6)).exists()
    school = client_for(SCHOOL_EMAIL).get(reverse("dashboard")).content.decode()
    assert reverse("childplans:teammeeting_detail", args=[saga.pk, coming.pk]) in school
    assert "Saga" not in school


def test_loading_twice_changes_nothing(demo):
    before = (ChildPlan.objects.count(), Action.objects.count(), Authenticator.objects.count(), PlanChange.objects.count(),
              TeamMeeting.objects.count(), OutboundEmail.objects.count())
    call_command("load_demo", quiet=True)
    assert (ChildPlan.objects.count(), Action.objects.count(), Authenticator.objects.count(),
            PlanChange.objects.count(), TeamMeeting.objects.count(), OutboundEmail.objects.count()) == before


def test_a_saga_from_before_team_meetings_gets_them_once(demo):
    saga = plan_of("Saga")
    TeamMeeting.objects.filter(plan=saga).delete()
    call_command("load_demo", quiet=True)
    assert TeamMeeting.objects.filter(plan=saga).count() == 2
    call_command("load_demo", quiet=True)
    assert TeamMeeting.objects.filter(plan=saga).count() == 2


def test_the_professionals_are_printed_with_the_secret_and_their_codes_work(demo):
    for email in (CONTACT_EMAIL, SCHOOL_EMAIL, CHURCH_EMAIL, POLICE_EMAIL):
        assert email in demo
    assert SECRET in demo and DEMO_PASSWORD in demo
    out = StringIO()
    call_command("demo_totp", CONTACT_EMAIL, stdout=out)
    code = out.getvalue().strip()
    assert re.fullmatch(r"\d{6}", code) and validate_totp_code(SECRET, code)
    with pytest.raises(CommandError):
        call_command("demo_totp", "admin@exempel.se")


def test_the_police_officer_gets_404_on_every_plan(demo):
    police = client_for(POLICE_EMAIL)
    listing = police.get(reverse("childplans:plan_list"))
    assert listing.status_code == 200 and "Saga" not in listing.content.decode()
    for plan in ChildPlan.objects.all():
        assert police.get(reverse("childplans:plan_detail", args=[plan.pk])).status_code == 404
        assert police.get(reverse("childplans:map", args=[plan.pk])).status_code == 404


def test_the_team_sees_saga_and_the_contact_person_has_work_on_the_dashboard(demo):
    saga, alva = plan_of("Saga"), plan_of("Alva")
    for email in (CONTACT_EMAIL, SCHOOL_EMAIL, CHURCH_EMAIL):
        assert client_for(email).get(reverse("childplans:plan_detail", args=[saga.pk])).status_code == 200
    dashboard = client_for(CONTACT_EMAIL).get(reverse("dashboard"))
    kinds = [step.kind for step in dashboard.context["next_steps"]]
    assert kinds[:4] == ["handover", "review_due", "consent_ending", "overdue_actions"], kinds
    body = dashboard.content.decode()
    assert reverse("childplans:handover_respond", args=[alva.pk]) in body
    assert reverse("childplans:reviews", args=[saga.pk]) in body
    assert "Saga" not in body and "Påhittad" not in body, "the dashboard never names a child"
    school = client_for(SCHOOL_EMAIL).get(reverse("dashboard"))
    assert "overdue_actions" in [step.kind for step in school.context["next_steps"]]


def test_nothing_of_it_with_production_settings(db, settings):
    settings.DEMO_TOTP_SECRET = SECRET  # even if someone set one: production refuses
    settings.SETTINGS_MODULE = "portal.settings.production"  # (last: a later override hides it)
    with pytest.raises(CommandError):
        call_command("load_demo", quiet=True)
    assert not ChildPlan.objects.exists()
    with pytest.raises(CommandError):
        call_command("demo_totp", CONTACT_EMAIL)
    call_command("load_demo", quiet=True, force=True)
    assert not Authenticator.objects.exists(), "no demo secret in production, even with --force"


def test_a_referral_from_sagas_plan_accepted_by_the_church(demo):
    from childplans.referrals.models import Referral
    from networks.models import ActivityTipCount, ReferralReceiver

    saga = plan_of("Saga")
    referral = Referral.objects.get(plan=saga)
    assert referral.status == Referral.Status.ACCEPTED
    assert referral.organisation.unit == "Växjö domkyrkoförsamling"
    assert referral.activity.title == "Måndagsmiddag för barnfamiljer" and referral.activity.public
    assert ReferralReceiver.objects.filter(organisation=referral.organisation, user__email=CHURCH_EMAIL).exists()
    assert ActivityTipCount.objects.filter(activity=referral.activity).exists()
    client = client_for(CHURCH_EMAIL)
    body = client.get(reverse("childplans:referral_inbox")).content.decode()
    assert "Saga" in body and "Accepterad" in body
    call_command("load_demo", quiet=True)
    assert Referral.objects.filter(plan=saga).count() == 1
