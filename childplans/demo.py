"""Demo child plans and demo professionals for the embedded default (``manage.py load_demo``).

Fictional plans in Kronobergs län (the seeds' län) at every stage, kept by the demo people of
networks/demo.py, so that a newcomer sees barnets plan at once:

- Saga Påhittad: the whole story — guardians, consent for the school, the church and the
  region (the church also for referral), a team from socialtjänst, skola, region and the
  church's stödsamordnare, two assessments months apart, goals and actions (some overdue), a
  held review with the participation indicators and the next one due, chronology, history, the
  child's voice, a network map with two saved versions, a network meeting and a familjeråd,
  barnteamets möte: one held a month ago whose closed minutes are that review, and one coming in
  six days with the invitations sent (to the team and to Lena, the guardian with an e-mail
  address), and a referral to the church's meeting place (Måndagsmiddag för barnfamiljer) that
  the church's receiver, the deacon, has accepted;
- Milo Exempelsson: just opened;
- Alva Demosson: opened by a colleague who asks the demo contact person to take over;
- Ella Fiktivsson: closed.

Every name is obviously made up; phone numbers are from the series PTS reserves for fiction and
there are no personnummer. The plans are written through the services (history, audit of the
pages, consent rules) with dates relative to the day they are loaded; a plan is found again by
its child's name and birth date, so a second load changes nothing.

The demo professionals get the demo password and, where the settings give a
``DEMO_TOTP_SECRET`` (the embedded default and the tests only; never production), a TOTP
authenticator with that secret, so they can pass the two-step log-in that child data needs
(``./portal.sh totp EMAIL`` prints the current code)."""

import os
from datetime import date, datetime, timedelta
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

from . import services
from .models import (
    Action,
    Area,
    ChildPlan,
    ChronologyEntry,
    Consent,
    Guardian,
    Need,
    PlanKeepingKind,
    ReasonCategory,
    Review,
)
from .networkmap import services as map_services
from .networkmap.models import Closeness, MapVersion, NetworkMeeting, Quality, Sector
from .referrals import services as referral_services
from .referrals.models import Referral, ReferralEvent
from .teammeetings import services as meeting_services
from .teammeetings.models import ChildPart, Invitee, TeamMeeting

User = get_user_model()

# The professionals of the demo: (e-mail, role, what to try). The people themselves come from
# networks/demo.py; these get the demo password and, in the embedded default, the demo TOTP.
PROFESSIONALS = [
    ("socialtjanst.vaxjo@exempel.se", "Kontaktperson, socialsekreterare (Växjö)",
     "Barnens planer: Saga Påhittads plan, nätverkskartan, barnteamets möten, uppföljningen; en överlämning att svara på"),
    ("anders.petersson@exempel.se", "Skolkurator i Sagas team (Katedralskolan)",
     "Mina insatser: en är försenad; barnteamets möte under Mina kommande möten; planen och kartan"),
    ("kyrkan.vaxjo@exempel.se", "Stödsamordnare i Sagas team och kyrkans mottagare av hänvisningar",
     "Hänvisningar: en accepterad hänvisning från Sagas plan; planen ur stödsamordnarens syn"),
    ("polisen.vaxjo@exempel.se", "Polis i samma nätverk, inte i något team",
     "Barnens planer är tom, och en plans adress ger 404"),
]
CONTACT_EMAIL, SCHOOL_EMAIL, CHURCH_EMAIL, POLICE_EMAIL = (p[0] for p in PROFESSIONALS)
COLLEAGUE = ("Nora", "Nyström", "nora.nystrom@exempel.se", "070-174 06 30", "Socialsekreterare, barn och familj")
REGION_EMAIL = "eva.johansson@exempel.se"

# (key in the organisations of networks/demo.py) -> natural key
ORGANISATIONS = {
    "social": ("Växjö kommun", "Socialtjänsten, barn och familj"),
    "school": ("Katedralskolan", ""),
    "church": ("Svenska kyrkan", "Växjö domkyrkoförsamling"),
    "region": ("Region Kronoberg", "Hälso- och sjukvård, barn- och ungdomspsykiatrin"),
}

SAGA = ("Saga", "Påhittad", date(2014, 5, 3))
LENA_EMAIL = "lena.pahittad@exempel.se"  # Saga's mother: invited to barnteamets möte by e-mail
MILO = ("Milo", "Exempelsson", date(2017, 9, 21))
ALVA = ("Alva", "Demosson", date(2012, 2, 14))
ELLA = ("Ella", "Fiktivsson", date(2010, 11, 30))


def demo_professionals():
    """[(role, e-mail, what to try)] of the professionals, all with the demo password."""
    return [(role, email, hint) for email, role, hint in PROFESSIONALS]


def demo_totp_secret():
    """The TOTP secret of the demo professionals, or None outside the embedded default (and
    always None with production settings, whatever they say)."""
    module = settings.SETTINGS_MODULE or os.environ.get("DJANGO_SETTINGS_MODULE", "")
    if module.endswith(".production"):
        return None
    return getattr(settings, "DEMO_TOTP_SECRET", None) or None


def _org(key):
    name, unit = ORGANISATIONS[key]
    return Organisation.objects.get(name=name, unit=unit, lan__code="07")


def _areas(needs):
    """Assessment areas from {area: (need, what is seen, seen by)}; areas not given: no need."""
    return {
        area: dict(zip(("need", "seen", "seen_by"), needs.get(area, (Need.NONE, "", "")), strict=True))
        for area in Area.values
    }


def _plan_of(given, family, born):
    return ChildPlan.objects.filter(
        child__given_name=given, child__family_name=family, child__birth_date=born
    ).first()


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


@transaction.atomic
def load_plan_demo(today=None):
    """Create the demo professionals' access and the demo plans that are missing; returns
    {what: number created}."""
    today = today or timezone.localdate()
    created = {"planer": 0, "tvåstegsverifieringar": 0, "barnteamsmöten": 0, "hänvisningar": 0}
    _ensure_reference_data()
    people = {u.email: u for u in User.objects.filter(email__in=[p[0] for p in PROFESSIONALS] + [REGION_EMAIL])}
    if len(people) < len(PROFESSIONALS) + 1:
        return created  # the networks demo is not there: nothing to hang plans on
    created["tvåstegsverifieringar"] = _enrol([people[email] for email, _role, _hint in PROFESSIONALS])
    orgs = {key: _org(key) for key in ORGANISATIONS}
    colleague = _colleague(orgs["social"])
    contact, school, church, region = (people[e] for e in (CONTACT_EMAIL, SCHOOL_EMAIL, CHURCH_EMAIL, REGION_EMAIL))
    for given, family, born, build in (
        (*SAGA, lambda: _saga(today, orgs, contact, school, church, region)),
        (*MILO, lambda: _milo(today, orgs, contact)),
        (*ALVA, lambda: _alva(today, orgs, colleague, contact)),
        (*ELLA, lambda: _ella(today, orgs, contact, school)),
    ):
        if _plan_of(given, family, born) is None:
            build()
            created["planer"] += 1
    saga = _plan_of(*SAGA)
    if not TeamMeeting.objects.filter(plan=saga).exists():  # a Saga loaded before team meetings existed
        created["barnteamsmöten"] += _saga_team_meetings(saga, today, contact)
    elif created["planer"]:
        created["barnteamsmöten"] += TeamMeeting.objects.filter(plan=saga).count()
    if saga is not None:
        created["hänvisningar"] += _saga_referral(today, saga, orgs, contact, church)
    return created


def _ensure_reference_data():
    """The plan-keeping kinds and reason categories a migration seeds, when a database was
    emptied since (a test's flush): the demo needs them to open plans."""
    seed = import_module("childplans.migrations.0002_seed_settings").seed
    if not PlanKeepingKind.objects.exists() or not ReasonCategory.objects.exists():
        seed(django_apps, None)


def _colleague(social):
    first, last, email, phone, title = COLLEAGUE
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, first_name=first, last_name=last, phone=phone)
        user.set_unusable_password()  # no log-in: she only hands a plan over
        user.full_clean()
        user.save()
        OrganisationMembership.objects.create(user=user, organisation=social, title=title)
    return user


def _open(today, orgs, by, child, reason, categories, opened_days_ago=0, **extra):
    given, family, born = child
    plan = services.plan_open(
        by=by, organisation=orgs["social"], given_name=given, family_name=family, birth_date=born,
        reason=reason, categories=ReasonCategory.objects.filter(name__in=categories), part="Kontaktperson",
        **extra,
    )
    if opened_days_ago:  # a plan with a past: opened back then (and its first chronology entry)
        opened_on = today - timedelta(days=opened_days_ago)
        ChildPlan.objects.filter(pk=plan.pk).update(opened_on=opened_on)
        ChronologyEntry.objects.filter(plan=plan, occurred_on=today).update(occurred_on=opened_on)
        plan.refresh_from_db()
    return plan


def _saga(today, orgs, contact, school, church, region):
    plan = _open(
        today, orgs, contact, SAGA,
        "Skolan och mamman oroar sig för Sagas frånvaro och nedstämdhet sedan pappan blev sjuk.",
        ["Skolfrånvaro", "Barn som anhöriga"], opened_days_ago=165,
    )
    mother = services.guardian_add(plan=plan, by=contact, name="Lena Påhittad", relation=Guardian.Relation.MOTHER,
                                   has_custody=True, contact="070-174 06 21", email=LENA_EMAIL)
    services.guardian_add(plan=plan, by=contact, name="Omar Påhittad", relation=Guardian.Relation.FATHER,
                          has_custody=True, contact="070-174 06 22")
    services.consent_record(
        plan=plan, by=contact, guardian=mother, given_on=today - timedelta(days=160), method=Consent.Method.WRITTEN,
        purposes="Samordna stödet kring Saga i skolan, på fritiden och i vården, och hänvisa familjen "
                 "till kyrkans verksamheter.",
        organisations=[orgs["school"], orgs["church"], orgs["region"]], allows_referral=True,
    )
    services.team_add(plan=plan, by=contact, user=school, organisation=orgs["school"], part="Skolkurator")
    services.team_add(plan=plan, by=contact, user=region, organisation=orgs["region"], part="BUP, samtalskontakt")
    services.team_add(plan=plan, by=contact, user=church, organisation=orgs["church"], part="Stödsamordnare",
                      is_supporter=True)
    services.assessment_record(plan=plan, by=contact, assessed_on=today - timedelta(days=150), areas=_areas({
        Area.TRYGG: (Need.GREAT, "Orolig för pappa, sover dåligt.", "Mamma"),
        Area.HALSA: (Need.SOME, "Ont i magen på morgnarna.", "Skolsköterskan"),
        Area.UTVECKLAS: (Need.GREAT, "Frånvaro 40 % senaste månaden.", "Mentor"),
        Area.AKTIV: (Need.SOME, "Har slutat på fotbollen.", "Saga själv"),
        Area.DELAKTIG: (Need.SOME, "Vill inte prata om det hemma.", "Kurator"),
    }))
    services.assessment_record(plan=plan, by=contact, assessed_on=today - timedelta(days=20), areas=_areas({
        Area.TRYGG: (Need.SOME, "Vet mer om pappas sjukdom, sover bättre.", "Mamma"),
        Area.UTVECKLAS: (Need.SOME, "Frånvaron nere på 10 %.", "Mentor"),
        Area.AKTIV: (Need.NONE, "Går på kyrkans tjejgrupp varje vecka.", "Stödsamordnaren"),
        Area.DELAKTIG: (Need.SOME, "Berättar själv på uppföljningarna.", "Kontaktpersonen"),
    }))
    school_goal = services.goal_add(plan=plan, by=contact, area=Area.UTVECKLAS,
                                    description="Saga är i skolan varje dag och hinner ikapp i matte.")
    safe_goal = services.goal_add(plan=plan, by=contact, area=Area.TRYGG,
                                  description="Saga förstår vad som händer med pappa och har någon att prata med.")
    active_goal = services.goal_add(plan=plan, by=contact, area=Area.AKTIV,
                                    description="Saga har en fritidsaktivitet med kompisar.")
    for goal, what, org, person, starts, due, status in (
        (school_goal, "Samtal med kurator varannan vecka", "school", school, -140, -10, Action.Status.ONGOING),
        (school_goal, "Anpassad studiegång i matte under en termin", "school", school, -120, 40, Action.Status.ONGOING),
        (safe_goal, "Samtalsgrupp för barn som anhöriga (BUP)", "region", region, -100, -30, Action.Status.PLANNED),
        (safe_goal, "Mamma får stöd i hur man pratar med barn om sjukdom", "social", contact, -140, -60,
         Action.Status.DONE),
        (active_goal, "Följa med Saga första gångerna till kyrkans tjejgrupp", "church", church, -90, -45,
         Action.Status.DONE),
        (active_goal, "Ta reda på om fotbollsklubben har en nybörjargrupp", "social", contact, -30, -3,
         Action.Status.PLANNED),
    ):
        services.action_add(plan=plan, by=contact, goal=goal, what=what, responsible_organisation=orgs[org],
                            responsible_person=person, starts_on=today + timedelta(days=starts),
                            due_on=today + timedelta(days=due), status=status, follow_up="")
    # Barnteamets möte a month ago: its closed minutes are the held review (a new version of the
    # plan), with the next review in six days; then the child's voice for the new version.
    _saga_held_meeting(plan, today, contact)
    services.voice_save(
        plan=plan, by=contact,
        child_voice="Jag vill att någon berättar sanningen om pappa. Matte är svårast. Tjejgruppen är det bästa.",
        guardians_views="Vi vill att Saga trivs i skolan igen och att hon får prata med någon utanför familjen.",
    )
    for days, event, source, impact, taken in (
        (-170, "Pappa får en allvarlig diagnos och läggs in på sjukhus.", "Mamma", ChronologyEntry.Impact.NEGATIVE,
         "Skolan informerad med mammas samtycke."),
        (-150, "Frånvaron stiger till 40 procent.", "Katedralskolan", ChronologyEntry.Impact.NEGATIVE,
         "Barnets plan öppnad."),
        (-90, "Saga börjar i kyrkans tjejgrupp.", "Växjö domkyrkoförsamling", ChronologyEntry.Impact.POSITIVE, ""),
        (-40, "Familjeråd hos mormor: släkten delar upp hämtningar och helger.", "Familjerådet",
         ChronologyEntry.Impact.POSITIVE, ""),
    ):
        services.chronology_add(plan=plan, by=contact, occurred_on=today + timedelta(days=days), event=event,
                                source=source, impact=impact, action_taken=taken)
    _saga_map(plan, today, contact)
    _saga_coming_meeting(plan, today, contact)
    return plan


def _at(day, hour, minute=0):
    """``day`` at ``hour``:``minute``, Swedish time."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.get_current_timezone())


def _answer(meeting, response, *, email=None, guardian=None):
    invitee = Invitee.objects.get(meeting=meeting, **({"guardian": guardian} if guardian else {"email": email}))
    meeting_services.invitee_answer(invitee=invitee, response=response)
    return invitee


def _saga_held_meeting(plan, today, contact):
    """Barnteamets möte a month ago with the school, the region, the church and Lena; its minutes
    are closed, so it is the plan's held review (participation indicators, the next review in six
    days) and an entry in the chronology. Called before its time (the service refuses the past),
    answered, then moved back to the day it was held."""
    lena = Guardian.objects.get(child_id=plan.child_id, email=LENA_EMAIL)
    start = _at(today + timedelta(days=1), 14)
    meeting = meeting_services.meeting_call(
        plan=plan, by=contact, starts_at=start, ends_at=start + timedelta(hours=1, minutes=30),
        place="Katedralskolan, samtalsrummet", guardians=[lena], child_part=ChildPart.PART_TIME,
    )
    meeting_services.preparation_save(
        plan=plan, meeting=meeting, by=contact,
        family_topics="Frånvaron, och vad Saga kan göra på fritiden när pappa är på sjukhuset.",
        not_before_child="Pappas prognos.",
        child_words="Jag vill inte prata om pappa när alla är där. Jag vill börja i tjejgruppen.",
    )
    _answer(meeting, "yes", email=SCHOOL_EMAIL)
    _answer(meeting, "yes", email=CHURCH_EMAIL)
    _answer(meeting, "no", email=REGION_EMAIL)
    _answer(meeting, "yes", guardian=lena)
    held = _at(today - timedelta(days=30), 14)
    TeamMeeting.objects.filter(pk=meeting.pk).update(starts_at=held, ends_at=held + timedelta(hours=1, minutes=30))
    meeting.refresh_from_db()
    came = Invitee.objects.filter(meeting=meeting, response=Invitee.Response.YES).values_list("pk", flat=True)
    meeting_services.minutes_close(
        plan=plan, meeting=meeting, by=contact, attended=list(came), child_came=True,
        decisions="Fortsatta samtal i skolan. Saga börjar i kyrkans tjejgrupp. Ny uppföljning om två månader.",
        notes="Saga var med den första halvtimmen och berättade själv om tjejgruppen.",
        next_meeting_on=today + timedelta(days=6), child_took_part=Review.ChildTookPart.YES,
        guardians_know_plan=True, send_summary=True,
        guardian_summary="Saga fortsätter att prata med kuratorn i skolan och börjar i kyrkans tjejgrupp. "
                         "Vi ses igen om ungefär en månad.",
    )
    return meeting


def _saga_coming_meeting(plan, today, contact):
    """Barnteamets möte in six days (the next review): the team and Lena are called, the school
    has answered, the family's preparation and Saga's letter are recorded."""
    lena = Guardian.objects.get(child_id=plan.child_id, email=LENA_EMAIL)
    start = _at(today + timedelta(days=6), 13)
    meeting = meeting_services.meeting_call(
        plan=plan, by=contact, starts_at=start, ends_at=start + timedelta(hours=1, minutes=30),
        place="Katedralskolan, samtalsrummet", guardians=[lena], child_part=ChildPart.PART_TIME,
    )
    meeting_services.preparation_save(
        plan=plan, meeting=meeting, by=contact,
        family_topics="Sommarlovet: vem Saga kan vara hos när mamma arbetar.",
        not_before_child="Pappas nya behandling.",
        child_words="Hej! Jag tycker om tjejgruppen. Matte är fortfarande svårt men kuratorn är snäll. "
                    "Jag vill vara hos mormor på sommarlovet. /Saga",
    )
    _answer(meeting, "yes", email=SCHOOL_EMAIL)
    return meeting


def _saga_team_meetings(plan, today, contact):
    """For a Saga plan loaded before team meetings existed: Lena's address, then both meetings."""
    lena = Guardian.objects.filter(child_id=plan.child_id, name="Lena Påhittad").first()
    if lena is not None and not lena.email:
        services.guardian_update(plan=plan, guardian=lena, by=contact, email=LENA_EMAIL)
    _saga_held_meeting(plan, today, contact)
    _saga_coming_meeting(plan, today, contact)
    return 2


def _saga_map(plan, today, contact):
    add = map_services.person_add
    grandma = add(plan=plan, by=contact, name="Majvor Påhittad", relation="mormor", sector=Sector.RELATIVES,
                  closeness=Closeness.CLOSEST, quality=Quality.POSITIVE, can_step_in=True, support_practical=True,
                  support_emotional=True, phone="070-174 06 23", named_by_child=True)
    mother = add(plan=plan, by=contact, name="Lena Påhittad", relation="mamma", sector=Sector.FAMILY,
                 closeness=Closeness.CLOSEST, quality=Quality.POSITIVE, support_practical=True,
                 support_emotional=True, phone="070-174 06 21", named_by_child=True)
    father = add(plan=plan, by=contact, name="Omar Påhittad", relation="pappa", sector=Sector.FAMILY,
                 closeness=Closeness.CLOSEST, quality=Quality.MIXED, named_by_child=True)
    friend = add(plan=plan, by=contact, name="Wilma", relation="bästa kompis", sector=Sector.FRIENDS,
                 closeness=Closeness.CLOSE, quality=Quality.POSITIVE, named_by_child=True)
    coach = add(plan=plan, by=contact, name="Tore Tränarsson", relation="fotbollstränare", sector=Sector.LEISURE,
                closeness=Closeness.FURTHER, quality=Quality.MIXED)
    map_services.version_save(plan=plan, by=contact, phase=MapVersion.Phase.FIRST_CONTACT,
                              child_took_part=MapVersion.ChildTookPart.YES, child_part_how="Ritade kartan själv",
                              saved_on=today - timedelta(days=140))
    uncle = add(plan=plan, by=contact, name="Ali Påhittad", relation="morbror", sector=Sector.RELATIVES,
                closeness=Closeness.CLOSE, quality=Quality.POSITIVE, can_step_in=True, support_practical=True,
                phone="070-174 06 24", named_by_child=True)
    leader = add(plan=plan, by=contact, name="Ledaren i tjejgruppen", relation="ledare", sector=Sector.LEISURE,
                 closeness=Closeness.CLOSE, quality=Quality.POSITIVE, support_emotional=True)
    map_services.person_update(plan=plan, person=coach, by=contact, closeness=Closeness.CLOSE)
    map_services.meeting_record(
        plan=plan, by=contact, held_on=today - timedelta(days=100), kind=NetworkMeeting.Kind.NETWORK_MEETING,
        participants=[mother, grandma], other_participants="Kontaktpersonen, skolkuratorn",
        agreements="Mormor hämtar Saga på fredagar. Skolan hör av sig till mamma vid frånvaro.",
    )
    map_services.meeting_record(
        plan=plan, by=contact, held_on=today - timedelta(days=40), kind=NetworkMeeting.Kind.FAMILY_COUNCIL,
        participants=[mother, father, grandma, uncle], invitees_chosen_by_child=[grandma, uncle],
        support_person=grandma, coordinator_name="Neutral samordnare från familjerådsenheten",
        guardians_consent=True,
        questions="Vem kan hämta Saga när mamma är på sjukhuset?\nVar bor Saga om pappa blir sämre?\n"
                  "Vem pratar Saga med när hon är ledsen?",
        information_part="Kontaktpersonen och BUP berättade om pappas sjukdom och vad barn behöver.",
        family_own_time=True,
        family_plan="Mormor hämtar måndag och fredag, morbror Ali tar helger vid behov. Saga ringer mormor när "
                    "hon är ledsen.",
        family_plan_approved=True, follow_up_on=today + timedelta(days=50),
    )
    map_services.version_save(plan=plan, by=contact, phase=MapVersion.Phase.REVIEW,
                              child_took_part=MapVersion.ChildTookPart.PARTLY,
                              child_part_how="Berättade, ville inte rita", saved_on=today - timedelta(days=25))
    return friend, leader


MEETING_PLACE = "Måndagsmiddag för barnfamiljer"


def _saga_referral(today, plan, orgs, contact, church):
    """Saga's family referred to the church's meeting place three weeks ago, accepted by the
    church's receiver (networks/demo.py names the deacon). Once: not when the plan has a
    referral already, nor when the church has no receiver or meeting place any more."""
    church_org = orgs["church"]
    if plan.is_closed or Referral.objects.filter(plan=plan).exists():
        return 0
    if not ReferralReceiver.objects.current().filter(organisation=church_org, user=church).exists():
        return 0
    activity = Activity.objects.filter(organisation=church_org, title=MEETING_PLACE).first()
    if activity is None:
        return 0
    if not referral_services.referral_consent_covers(plan, church_org.pk):
        # A demo loaded before consents could cover referral: the mother's consent for it.
        mother = plan.child.guardians.filter(relation=Guardian.Relation.MOTHER).first()
        if mother is None:
            return 0
        services.consent_record(plan=plan, by=contact, guardian=mother, given_on=today - timedelta(days=22),
                                method=Consent.Method.VERBAL, purposes="Hänvisning till kyrkans mötesplats.",
                                organisations=[church_org], allows_referral=True)
    goal = plan.goals.filter(area=Area.AKTIV).first()
    referral = referral_services.referral_send(
        plan=plan, by=contact, organisation=church_org, activity=activity,
        help_wanted="Familjen vill äta middag tillsammans med andra familjer och lära känna fler vuxna i "
                    "närheten. Saga vill gärna ta med en kompis första gången. Mamma undrar om lillebror (3 år) "
                    "också kan följa med.",
        contact_by=Referral.ContactBy.FAMILY, follow=goal is not None, follow_goal=goal,
    )
    referral_services.referral_answer(referral=referral, by=church, status=Referral.Status.ACCEPTED,
                                      note="Varmt välkomna en måndag klockan fem. Jag möter er i entrén.")
    # Sent three weeks ago, accepted three days later.
    sent, accepted = timezone.now() - timedelta(days=21), timezone.now() - timedelta(days=18)
    Referral.objects.filter(pk=referral.pk).update(created_at=sent, accepted_at=accepted)
    events = ReferralEvent.objects.filter(referral=referral)
    events.filter(status=Referral.Status.SENT).update(at=sent)
    events.filter(status=Referral.Status.ACCEPTED).update(at=accepted)
    ChronologyEntry.objects.filter(plan=plan, occurred_on=today, event__startswith="Hänvisad till").update(
        occurred_on=sent.date())
    ChronologyEntry.objects.filter(plan=plan, occurred_on=today, event__contains="accepterades").update(
        occurred_on=accepted.date())
    return 1


def _milo(today, orgs, contact):
    return _open(today, orgs, contact, MILO,
                 "Förskolan har sett blåmärken och anmält oro. Första samtalet med familjen är bokat.",
                 ["Oro för hemsituationen"])


def _alva(today, orgs, colleague, contact):
    """Opened by a colleague who names the demo contact person: the handover waits for them."""
    return _open(today, orgs, colleague, ALVA,
                 "Alva bor med sin pappa som har en missbruksproblematik; mormor har hört av sig.",
                 ["Missbruk i familjen"], contact_person=contact)


def _ella(today, orgs, contact, school):
    plan = _open(today, orgs, contact, ELLA, "Skolfrånvaro under högstadiet.", ["Skolfrånvaro"],
                 opened_days_ago=400)
    goal = services.goal_add(plan=plan, by=contact, area=Area.UTVECKLAS, description="Ella går ut nian med betyg.")
    services.action_add(plan=plan, by=contact, goal=goal, what="Studieplan och mentorssamtal varje vecka",
                        responsible_organisation=orgs["social"], responsible_person=contact,
                        starts_on=today - timedelta(days=300), due_on=today - timedelta(days=60),
                        status=Action.Status.DONE, follow_up="Ella gick ut nian med godkända betyg.")
    services.plan_close(plan=plan, by=contact, reason="Målen är nådda: Ella har börjat på gymnasiet och trivs.")
    return plan


def demo_children():
    """The demo plans' children, for tests: [(given name, family name, birth date)]."""
    return [SAGA, MILO, ALVA, ELLA]

