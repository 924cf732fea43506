"""Demo child plans and demo professionals for the embedded default (``manage.py load_demo``),
read from childplans/data/demo/: who keeps the plans (people.toml) and four fictional plans in
Kronobergs län at every stage (plans.toml): Saga Påhittad's whole story (team, consent,
assessments, goals and actions, barnteamets möten, the network map, a referral the church has
accepted), Milo's just opened, Alva's waiting for a handover and under a legal hold, Ella's
closed with her gallring date. So a newcomer sees barnets plan at once.

The plans are written through the services (history, audit of the pages, consent rules) with
dates relative to the day they are loaded; a plan is found again by its child's name and birth
date, so a second load changes nothing. The demo professionals get the demo password and, where
the settings give a ``DEMO_TOTP_SECRET`` (the embedded default and the tests only; never
production), a TOTP authenticator with that secret, so they can pass the two-step log-in that
child data needs (``./portal.sh totp EMAIL`` prints the current code)."""

from datetime import timedelta
from importlib import import_module

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from networks.demo import DEMO_PASSWORD
from networks.models import Activity, Organisation, OrganisationMembership, ReferralReceiver
from portal.demo import at, dated, day, own_fields, production_settings, read_data

from . import services
from .lifecycle.models import LegalHold
from .lifecycle.services import hold_set
from .models import (
    Area,
    ChildPlan,
    ChronologyEntry,
    Guardian,
    Need,
    PlanKeepingKind,
    ReasonCategory,
)
from .networkmap import services as map_services
from .referrals import services as referral_services
from .referrals.models import Referral, ReferralEvent
from .teammeetings import services as meeting_services
from .teammeetings.models import Invitee, TeamMeeting

User = get_user_model()

_PEOPLE = read_data(__file__, "people.toml")
PROFESSIONALS = _PEOPLE["professionals"]  # key -> {email, role, try}, in the order they are printed
COLLEAGUE = _PEOPLE["colleague"]
ORGANISATIONS = _PEOPLE["organisations"]
# Every person of the plans by key: e-mail.
PEOPLE = {key: p["email"] for key, p in PROFESSIONALS.items()} | _PEOPLE["people"]
PLANS = read_data(__file__, "plans.toml")["plans"]
CONTACT_EMAIL, SCHOOL_EMAIL, CHURCH_EMAIL, POLICE_EMAIL = (
    PROFESSIONALS[key]["email"] for key in ("contact", "school", "church", "police")
)


def demo_professionals():
    """[(role, e-mail, what to try)] of the professionals, all with the demo password."""
    return [(p["role"], p["email"], p["try"]) for p in PROFESSIONALS.values()]


def demo_children():
    """The demo plans' children, for tests: [(given name, family name, birth date)]."""
    return [(p["given_name"], p["family_name"], p["birth_date"]) for p in PLANS]


def demo_totp_secret():
    """The TOTP secret of the demo professionals, or None outside the embedded default (and
    always None with production settings, whatever they say)."""
    if production_settings():
        return None
    return getattr(settings, "DEMO_TOTP_SECRET", None) or None


@transaction.atomic
def load_plan_demo(today=None):
    """Create the demo professionals' access and the demo plans that are missing; returns
    {what: number created}."""
    today = today or timezone.localdate()
    created = {"planer": 0, "tvåstegsverifieringar": 0, "barnteamsmöten": 0, "hänvisningar": 0}
    _ensure_reference_data()
    users = {u.email: u for u in User.objects.filter(email__in=PEOPLE.values())}
    if len(users) < len(set(PEOPLE.values())):
        return created  # the networks demo is not there: nothing to hang plans on
    people = {key: users[email] for key, email in PEOPLE.items()}
    created["tvåstegsverifieringar"] = _enrol([people[key] for key in PROFESSIONALS])
    orgs = {key: Organisation.objects.get(name=o["name"], unit=o["unit"], lan__code=o["lan"])
            for key, o in ORGANISATIONS.items()}  # fmt: skip
    people["colleague"] = _colleague(orgs[COLLEAGUE["organisation"]])
    built = set()
    for i, spec in enumerate(PLANS):
        if _plan_of(spec) is None:
            _build(spec, today, orgs, people)
            built.add(i)
            created["planer"] += 1
    for i, spec in enumerate(PLANS):
        plan = _plan_of(spec)
        if spec.get("team_meetings"):
            if not TeamMeeting.objects.filter(plan=plan).exists():  # a plan loaded before team meetings existed
                created["barnteamsmöten"] += _team_meetings_of_an_older_demo(plan, spec, today, people)
            elif i in built:
                created["barnteamsmöten"] += TeamMeeting.objects.filter(plan=plan).count()
        if "referral" in spec:
            created["hänvisningar"] += _referral(plan, spec, today, orgs, people)
        if "legal_hold" in spec and not LegalHold.objects.filter(plan=plan).exists():
            hold_set(plan=plan, by=plan.contact_person, **spec["legal_hold"])
    return created


def _plan_of(spec):
    return ChildPlan.objects.filter(
        child__given_name=spec["given_name"], child__family_name=spec["family_name"],
        child__birth_date=spec["birth_date"],
    ).first()  # fmt: skip


def _ensure_reference_data():
    """The plan-keeping kinds and reason categories a migration seeds, when a database was
    emptied since (a test's flush): the demo needs them to open plans."""
    seed = import_module("childplans.migrations.0002_seed_settings").seed
    if not PlanKeepingKind.objects.exists() or not ReasonCategory.objects.exists():
        seed(django_apps, None)


def _enrol(users):
    """The demo password for the professionals who have none, and the demo TOTP (embedded
    default only) for those without an authenticator. Returns how many were enrolled."""
    secret = demo_totp_secret()
    enrolled = 0
    for user in users:
        if not user.has_usable_password():
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        if secret and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, secret)
            enrolled += 1
    return enrolled


def _colleague(organisation):
    user = User.objects.filter(email=COLLEAGUE["email"]).first()
    if user is None:
        user = User(**own_fields(COLLEAGUE, "organisation", "title"))
        user.set_unusable_password()  # no log-in: she only hands a plan over
        user.full_clean()
        user.save()
        OrganisationMembership.objects.create(user=user, organisation=organisation, title=COLLEAGUE["title"])
    return user


def _build(spec, today, orgs, people):
    """A plan of the data, through the services, in the order plans.toml describes."""
    by = people[spec["by"]]
    plan = services.plan_open(
        by=by, organisation=orgs[spec["organisation"]], given_name=spec["given_name"],
        family_name=spec["family_name"], birth_date=spec["birth_date"], reason=spec["reason"],
        categories=ReasonCategory.objects.filter(name__in=spec["categories"]), part=spec["part"],
        **({"contact_person": people[spec["contact_person"]]} if "contact_person" in spec else {}),
    )
    if "opened_on" in spec:  # a plan with a past: opened back then (and its first chronology entry)
        opened_on = day(spec["opened_on"], today)
        ChildPlan.objects.filter(pk=plan.pk).update(opened_on=opened_on)
        ChronologyEntry.objects.filter(plan=plan, occurred_on=today).update(occurred_on=opened_on)
        plan.refresh_from_db()
    guardians = {g["name"]: services.guardian_add(plan=plan, by=by, **g) for g in spec.get("guardians", ())}
    for consent in spec.get("consents", ()):
        services.consent_record(
            plan=plan, by=by, **dated(own_fields(consent, "guardian", "organisations"), today),
            guardian=guardians[consent["guardian"]], organisations=[orgs[key] for key in consent["organisations"]],
        )
    for member in spec.get("team", ()):
        services.team_add(plan=plan, by=by, user=people[member["user"]], organisation=orgs[member["organisation"]],
                          **own_fields(member, "user", "organisation"))
    for assessment in spec.get("assessments", ()):
        services.assessment_record(plan=plan, by=by, assessed_on=day(assessment["assessed_on"], today),
                                   areas=_areas(assessment["areas"]))
    goals = [(services.goal_add(plan=plan, by=by, **own_fields(g, "actions")), g) for g in spec.get("goals", ())]
    for goal, g in goals:  # the actions after all the goals
        for action in g.get("actions", ()):
            services.action_add(
                plan=plan, by=by, goal=goal, responsible_organisation=orgs[action["responsible_organisation"]],
                responsible_person=people[action["responsible_person"]],
                **dated(own_fields(action, "responsible_organisation", "responsible_person"), today),
            )
    meetings = spec.get("team_meetings", ())
    for meeting in meetings:
        if day(meeting["starts_at"], today) < today:
            _team_meeting(plan, by, meeting, today, people)
    if "voice" in spec:
        services.voice_save(plan=plan, by=by, **spec["voice"])
    for entry in spec.get("chronology", ()):
        services.chronology_add(plan=plan, by=by, **dated(entry, today))
    _map(plan, by, spec.get("map", ()), today)
    for meeting in meetings:
        if day(meeting["starts_at"], today) >= today:
            _team_meeting(plan, by, meeting, today, people)
    if "close_reason" in spec:
        services.plan_close(plan=plan, by=by, reason=spec["close_reason"])
    return plan


def _areas(given):
    """Assessment areas from {area: {need, seen, seen_by}}; areas not given: no need."""
    return {area: {"need": Need.NONE, "seen": "", "seen_by": "", **given.get(area, {})} for area in Area.values}


def _team_meeting(plan, by, spec, today, people):
    """Barnteamets möte of the data: called with the guardians it names, the preparation
    recorded, the answers given; one in the past is called the day after ``today`` at the same
    time (the service refuses the past), answered, then moved back to its day, and its minutes
    closed (the plan's held review)."""
    guardians = {name: Guardian.objects.get(child_id=plan.child_id, name=name) for name in spec.get("guardians", ())}
    when = dated(spec, today)
    starts_at, length = when["starts_at"], when["ends_at"] - when["starts_at"]
    if starts_at.date() < today:
        call_at = at(today + timedelta(days=1), spec["starts_at"]["at"])
    else:
        call_at = starts_at
    meeting = meeting_services.meeting_call(
        plan=plan, by=by, starts_at=call_at, ends_at=call_at + length, place=spec["place"],
        guardians=list(guardians.values()), child_part=spec["child_part"],
    )
    meeting_services.preparation_save(plan=plan, meeting=meeting, by=by, **spec["preparation"])
    for answer in spec.get("answers", ()):
        if "guardian" in answer:
            invitee = Invitee.objects.get(meeting=meeting, guardian=guardians[answer["guardian"]])
        else:
            invitee = Invitee.objects.get(meeting=meeting, email=people[answer["invitee"]].email)
        meeting_services.invitee_answer(invitee=invitee, response=answer["response"])
    if call_at != starts_at:
        TeamMeeting.objects.filter(pk=meeting.pk).update(starts_at=starts_at, ends_at=starts_at + length)
        meeting.refresh_from_db()
    if "minutes" in spec:
        came = Invitee.objects.filter(meeting=meeting, response=Invitee.Response.YES).values_list("pk", flat=True)
        meeting_services.minutes_close(plan=plan, meeting=meeting, by=by, attended=list(came),
                                       **dated(spec["minutes"], today))
    return meeting


def _team_meetings_of_an_older_demo(plan, spec, today, people):
    """For a plan loaded before team meetings existed: the guardians' e-mail addresses, then
    its meetings."""
    by = people[spec["by"]]
    for g in spec.get("guardians", ()):
        guardian = Guardian.objects.filter(child_id=plan.child_id, name=g["name"]).first()
        if g.get("email") and guardian is not None and not guardian.email:
            services.guardian_update(plan=plan, guardian=guardian, by=by, email=g["email"])
    for meeting in spec["team_meetings"]:
        _team_meeting(plan, by, meeting, today, people)
    return len(spec["team_meetings"])


def _map(plan, by, steps, today):
    """The network map's story, one service call per step (plans.toml)."""
    persons = {}

    def the(keys):
        return [persons[key] for key in keys]

    for step in steps:
        fields = dated(own_fields(step, "do", "key", "person"), today)
        if step["do"] == "add":
            persons[step["key"]] = map_services.person_add(plan=plan, by=by, **fields)
        elif step["do"] == "update":
            map_services.person_update(plan=plan, person=persons[step["person"]], by=by, **fields)
        elif step["do"] == "meet":
            fields["participants"] = the(fields.get("participants", ()))
            fields["invitees_chosen_by_child"] = the(fields.get("invitees_chosen_by_child", ()))
            if "support_person" in fields:
                fields["support_person"] = persons[fields["support_person"]]
            map_services.meeting_record(plan=plan, by=by, **fields)
        elif step["do"] == "save":
            map_services.version_save(plan=plan, by=by, **fields)
        else:
            raise ValueError(f"unknown step of the network map: {step['do']!r}")


def _referral(plan, spec, today, orgs, people):
    """The plan's referral of the data, answered by the organisation's receiver, with its dates
    moved back. Once: not when the plan has a referral already, nor when the organisation has no
    such receiver or activity any more."""
    referral_spec, by = spec["referral"], people[spec["by"]]
    organisation, receiver = orgs[referral_spec["organisation"]], people[referral_spec["receiver"]]
    if plan.is_closed or Referral.objects.filter(plan=plan).exists():
        return 0
    if not ReferralReceiver.objects.current().filter(organisation=organisation, user=receiver).exists():
        return 0
    activity = Activity.objects.filter(organisation=organisation, title=referral_spec["activity"]).first()
    if activity is None:
        return 0
    if not referral_services.referral_consent_covers(plan, organisation.pk):
        # A demo loaded before consents could cover referral: the guardian's consent for it.
        consent = referral_spec["consent"]
        guardian = plan.child.guardians.filter(name=consent["guardian"]).first()
        if guardian is None:
            return 0
        services.consent_record(plan=plan, by=by, guardian=guardian, organisations=[organisation],
                                **dated(own_fields(consent, "guardian"), today))
    goal = plan.goals.filter(area=referral_spec["follow_goal_area"]).first()
    referral = referral_services.referral_send(
        plan=plan, by=by, organisation=organisation, activity=activity, help_wanted=referral_spec["help_wanted"],
        contact_by=referral_spec["contact_by"], follow=goal is not None, follow_goal=goal,
    )
    referral_services.referral_answer(referral=referral, by=receiver, status=Referral.Status.ACCEPTED,
                                      note=referral_spec["note"])
    now = timezone.now()
    sent = now - timedelta(days=referral_spec["sent_days_ago"])
    accepted = now - timedelta(days=referral_spec["accepted_days_ago"])
    Referral.objects.filter(pk=referral.pk).update(created_at=sent, accepted_at=accepted)
    events = ReferralEvent.objects.filter(referral=referral)
    events.filter(status=Referral.Status.SENT).update(at=sent)
    events.filter(status=Referral.Status.ACCEPTED).update(at=accepted)
    ChronologyEntry.objects.filter(plan=plan, occurred_on=today, event__startswith="Hänvisad till").update(
        occurred_on=sent.date())
    ChronologyEntry.objects.filter(plan=plan, occurred_on=today, event__contains="accepterades").update(
        occurred_on=accepted.date())
    return 1
