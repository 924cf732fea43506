"""Barnteamets möte through its services: calling draws the agenda from the plan and records one
invitation each; changing and cancelling send calendar updates; closing the minutes becomes the
plan's review, a chronology entry and actions in "Mina insatser"; bad input changes nothing."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from childplans import services as plan_services
from childplans.indicators import INDICATORS_TABLE
from childplans.models import Action, Area, ChronologyEntry, Need, PlanChange, Review, TeamMember
from childplans.selectors import my_actions_for
from childplans.teammeetings import services
from childplans.teammeetings.models import (
    AgendaPoint,
    ChildPart,
    Invitee,
    MinutesAction,
    TeamMeeting,
)
from portal import kept
from portal.models import OutboundEmail
from tests.childplans.networkmap.helpers import MAP_PERSON_NAME, add_network_map

from ..conftest import GUARDIAN_EMAIL, all_areas, person
from .helpers import PLACE, at, call, hold

pytestmark = pytest.mark.django_db


def rows(kind):
    return sorted(OutboundEmail.objects.filter(kind=kind).values_list("recipient", flat=True))


def state():
    """What a refused change must leave as it was."""
    return (
        list(TeamMeeting.objects.order_by("pk").values()),
        list(Invitee.objects.order_by("pk").values()),
        list(AgendaPoint.objects.order_by("pk").values()),
        list(MinutesAction.objects.order_by("pk").values()),
        Review.objects.count(), Action.objects.count(), ChronologyEntry.objects.count(),
        PlanChange.objects.count(), OutboundEmail.objects.count(),
    )


# --- calling -------------------------------------------------------------------------------------


def test_calling_invites_the_team_and_the_guardian_once_each(full_plan, contact, teacher, guardian, deacon):
    plan = full_plan["plan"]
    meeting = call(plan, contact, guardians=[guardian])
    called = Invitee.objects.filter(meeting=meeting)
    assert sorted(called.exclude(team_member=None).values_list("team_member__user__email", flat=True)) == sorted(
        [contact.email, teacher.email, deacon.email]
    )
    assert called.get(guardian=guardian).email == GUARDIAN_EMAIL
    assert called.get(team_member__user=contact).response == Invitee.Response.YES  # the one who called
    assert rows(services.KIND_INVITATION) == sorted([contact.email, teacher.email, deacon.email, GUARDIAN_EMAIL])
    # rendered at send time: the outbox holds no subject, no body
    assert set(OutboundEmail.objects.values_list("subject", "body_text")) == {("", "")}
    assert PlanChange.objects.filter(plan=plan, what="Barnteamets möte kallat").exists()
    # calling twice does not invite twice (a second meeting is a new object: its own rows)
    assert meeting.uid == f"teammeeting-{meeting.pk}@barnstodsportalen.se"


def test_only_the_chosen_members_and_always_the_contact_person(full_plan, contact, teacher, deacon):
    plan = full_plan["plan"]
    church_member = TeamMember.objects.get(plan=plan, user=deacon)
    meeting = call(plan, contact, members=[church_member])
    assert sorted(Invitee.objects.filter(meeting=meeting).values_list("team_member__user__email", flat=True)) == sorted(
        [contact.email, deacon.email]
    )


def test_the_agenda_is_drawn_from_the_plan(full_plan, contact, teacher):
    plan = full_plan["plan"]
    goal = full_plan["goal"]
    today = timezone.localdate()
    plan_services.assessment_record(plan=plan, by=contact, assessed_on=today, areas={
        **all_areas(Need.SOME), Area.UTVECKLAS: {"need": Need.GREAT, "seen": "", "seen_by": ""},
    })
    overdue = plan_services.action_add(
        plan=plan, by=contact, goal=goal, what="Kartläggning av frånvaron", responsible_organisation=plan.owner_organisation,
        responsible_person=contact, starts_on=today - timedelta(days=30), due_on=today - timedelta(days=2),
        status=Action.Status.ONGOING, follow_up="",
    )
    other_goal = plan_services.goal_add(plan=plan, by=contact, area=Area.AKTIV, description="Tindra har en fritidsaktivitet")
    meeting = call(plan, contact, days=7, child_part=ChildPart.LETTER)
    agenda = list(meeting.agenda.order_by("position").values_list("source", "title"))
    titles = [t for _s, t in agenda]
    assert titles[0] == "Barnets och vårdnadshavarnas frågor"
    assert titles[1] == "Barnets brev eller teckning"
    assert ("behov", "Stort behov: Utvecklas") in agenda
    assert agenda.index(("forsenad", f"Försenad insats: {overdue.what} (skulle vara klar {overdue.due_on})")) < \
        agenda.index(("insats", f"Insats: {full_plan['action'].what} (klar senast {full_plan['action'].due_on})"))
    # the school goal has an action running past the meeting; the new goal has none: due for review
    assert ("mal", "Följ upp målet: Tindra har en fritidsaktivitet") in agenda
    assert not any(t.startswith("Följ upp målet: Tindra går") for t in titles)
    assert not any(s == "trada_in" for s, _t in agenda), "no acute element: no 'who can step in'"
    assert titles[-1] == "Nästa möte"
    assert other_goal.pk


@pytest.mark.parametrize("acute_by", ["safety", "negative_event"])
def test_an_acute_element_puts_who_can_step_in_on_the_agenda(full_plan, contact, acute_by):
    """The rule written in services.ACUTE_EVENT_WITHIN_DAYS: a great need in Trygg, or a negative
    event in the chronology within 30 days."""
    plan = full_plan["plan"]
    add_network_map(plan, contact)
    today = timezone.localdate()
    if acute_by == "safety":
        plan_services.assessment_record(plan=plan, by=contact, assessed_on=today, areas={
            **all_areas(Need.SOME), Area.TRYGG: {"need": Need.GREAT, "seen": "", "seen_by": ""},
        })
    else:
        plan_services.chronology_add(plan=plan, by=contact, occurred_on=today - timedelta(days=10), event="Polisanmälan",
                                     source="Polisen", impact=ChronologyEntry.Impact.NEGATIVE)
    meeting = call(plan, contact)
    step_in = meeting.agenda.get(source="trada_in")
    assert MAP_PERSON_NAME in step_in.title and "Tore" not in step_in.title  # only those who can step in


def test_an_old_negative_event_is_not_acute(full_plan, contact):
    plan = full_plan["plan"]
    plan_services.chronology_add(plan=plan, by=contact, occurred_on=timezone.localdate() - timedelta(days=60),
                                 event="Gammal händelse", source="x", impact=ChronologyEntry.Impact.NEGATIVE)
    assert not services.plan_is_acute(plan, all_areas(Need.SOME), timezone.localdate())


def test_the_contact_person_reorders_and_adds_points(full_plan, contact):
    plan = full_plan["plan"]
    meeting = call(plan, contact)
    first, second = list(meeting.agenda.order_by("position")[:2])
    services.agenda_move(plan=plan, meeting=meeting, by=contact, point=second, up=True)
    assert list(meeting.agenda.order_by("position").values_list("pk", flat=True)[:2]) == [second.pk, first.pk]
    services.agenda_move(plan=plan, meeting=meeting, by=contact, point=second, up=True)  # already first: no-op
    point = services.agenda_add(plan=plan, meeting=meeting, by=contact, title="Sommarlovet")
    assert list(meeting.agenda.order_by("position"))[-1] == point
    services.agenda_remove(plan=plan, meeting=meeting, by=contact, point=point)
    assert not AgendaPoint.objects.filter(pk=point.pk).exists()
    with pytest.raises(ValidationError) as exc:
        services.agenda_add(plan=plan, meeting=meeting, by=contact, title="  ")
    assert exc.value.message_dict == {"title": ["Skriv vad punkten handlar om."]}


# --- bad input: a Swedish message keyed by field, nothing changed --------------------------------


def test_a_time_in_the_past_is_refused(full_plan, contact):
    plan = full_plan["plan"]
    before = state()
    start = timezone.now() - timedelta(hours=1)
    with pytest.raises(ValidationError) as exc:
        services.meeting_call(plan=plan, by=contact, starts_at=start, ends_at=start + timedelta(hours=1), place=PLACE)
    assert exc.value.message_dict["starts_at"] == [
        "Mötet kan inte ligga i det förflutna. Välj en tid som inte har passerat."
    ]
    assert state() == before
    meeting = call(plan, contact)
    before = state()
    with pytest.raises(ValidationError) as exc:
        services.meeting_update(plan=plan, meeting=meeting, by=contact, starts_at=start,
                                ends_at=start + timedelta(hours=1))
    assert "starts_at" in exc.value.message_dict
    assert state() == before


def test_a_guardian_without_an_address_cannot_be_invited_by_email(full_plan, contact):
    plan = full_plan["plan"]
    father = plan_services.guardian_add(plan=plan, by=contact, name="Ture Testbarnsson", relation="pappa",
                                        has_custody=True, contact="070-000 00 00")
    before = state()
    with pytest.raises(ValidationError) as exc:
        call(plan, contact, guardians=[father, full_plan["guardian"]])
    assert exc.value.message_dict["guardians"] == [
        "Ture Testbarnsson har ingen e-postadress. Lägg till den under Barnet och vårdnadshavare, eller bjud in "
        "vårdnadshavarna på annat sätt än med e-post."
    ]
    assert state() == before
    # Invited another way (not by e-mail): on the list, without an e-mail.
    meeting = call(plan, contact, guardians=[father], by_email=False)
    invitee = Invitee.objects.get(meeting=meeting, guardian=father)
    assert invitee.email == "" and invitee.sent_at is None
    assert GUARDIAN_EMAIL not in rows(services.KIND_INVITATION)


def test_minutes_with_no_decision_cannot_be_closed(full_plan, contact):
    plan = full_plan["plan"]
    meeting = hold(call(plan, contact))
    before = state()
    with pytest.raises(ValidationError) as exc:
        services.minutes_close(plan=plan, meeting=meeting, by=contact, decisions="  ", child_took_part="ja",
                               guardians_know_plan=True)
    assert exc.value.message_dict == {"decisions": ["Skriv vad som beslutades innan protokollet stängs."]}
    assert state() == before


def test_an_action_owner_not_on_the_team(full_plan, contact, org_social):
    plan = full_plan["plan"]
    meeting = call(plan, contact)
    colleague = person("kollega@vaxjo.se", org_social)  # same organisation, not on the team
    before = state()
    with pytest.raises(ValidationError) as exc:
        services.minutes_action_add(
            plan=plan, meeting=meeting, by=contact, goal=full_plan["goal"], what="Läxhjälp",
            responsible_organisation=org_social, responsible_person=colleague,
            due_on=timezone.localdate() + timedelta(days=30), status=Action.Status.PLANNED,
        )
    assert exc.value.message_dict == {"responsible_person": ["Den ansvariga personen måste vara med i teamet."]}
    assert state() == before


def test_only_the_contact_person_calls_and_closes(full_plan, contact, teacher):
    plan = full_plan["plan"]
    with pytest.raises(ValidationError):
        call(plan, teacher)
    meeting = hold(call(plan, contact))
    with pytest.raises(ValidationError):
        services.minutes_close(plan=plan, meeting=meeting, by=teacher, decisions="x", child_took_part="ja",
                               guardians_know_plan=True)


def test_minutes_cannot_be_closed_before_the_meeting(full_plan, contact):
    plan = full_plan["plan"]
    meeting = call(plan, contact)
    with pytest.raises(ValidationError) as exc:
        services.minutes_close(plan=plan, meeting=meeting, by=contact, decisions="x", child_took_part="ja",
                               guardians_know_plan=True)
    assert "när mötet har börjat" in exc.value.messages[0]


# --- change and cancel ---------------------------------------------------------------------------------


def test_a_new_time_bumps_the_sequence_and_tells_those_not_declining(full_plan, contact, teacher, deacon, guardian):
    plan = full_plan["plan"]
    meeting = call(plan, contact, guardians=[guardian])
    services.invitee_answer(invitee=Invitee.objects.get(meeting=meeting, team_member__user=deacon), response="no")
    start = at(8)
    meeting, moved = services.meeting_update(plan=plan, meeting=meeting, by=contact, starts_at=start,
                                             ends_at=start + timedelta(hours=1))
    assert moved == ["starts_at", "ends_at"] and meeting.sequence == 1
    assert rows(services.KIND_CHANGED) == sorted([contact.email, teacher.email, GUARDIAN_EMAIL])
    assert set(OutboundEmail.objects.filter(kind=services.KIND_CHANGED).values_list("period", flat=True)) == {"v1"}
    # how the child takes part is no calendar change
    meeting, moved = services.meeting_update(plan=plan, meeting=meeting, by=contact, child_part=ChildPart.PART_TIME)
    assert moved == [] and meeting.sequence == 1
    assert PlanChange.objects.filter(plan=plan, what="Barnteamets möte ändrat", field="hur barnet deltar").exists()


def test_cancelling_tells_everyone_once(full_plan, contact, teacher, guardian):
    plan = full_plan["plan"]
    meeting = call(plan, contact, guardians=[guardian])
    services.meeting_cancel(plan=plan, meeting=meeting, by=contact)
    meeting.refresh_from_db()
    assert meeting.status == TeamMeeting.Status.CANCELLED and meeting.sequence == 1
    assert rows(services.KIND_CANCELLED) == sorted([contact.email, teacher.email, GUARDIAN_EMAIL])
    with pytest.raises(ValidationError):
        services.meeting_cancel(plan=plan, meeting=meeting, by=contact)
    assert OutboundEmail.objects.filter(kind=services.KIND_CANCELLED).count() == 3


# --- answers -------------------------------------------------------------------------------------------


def test_answers_are_recorded_and_audited_with_ids_only(full_plan, contact, teacher, guardian):
    from portal.models import AuditEvent

    plan = full_plan["plan"]
    meeting = call(plan, contact, guardians=[guardian])
    mine = Invitee.objects.get(meeting=meeting, team_member__user=teacher)
    services.invitee_answer(invitee=mine, response="yes")
    services.invitee_answer(invitee=Invitee.objects.get(meeting=meeting, guardian=guardian), response="no")
    assert Invitee.objects.get(pk=mine.pk).response == "yes"
    events = AuditEvent.objects.filter(event="teammeeting.answered").order_by("pk")
    assert [e.user_id for e in events] == [teacher.pk, None]
    for e in events:
        assert e.plan_id == plan.pk and set(e.detail) == {"meeting_id", "from", "to", "through", "invitee"}
        assert GUARDIAN_EMAIL not in str(e.detail)
    with pytest.raises(ValidationError):
        services.invitee_answer(invitee=mine, response="kanske")


def test_a_removed_member_or_one_whose_consent_was_withdrawn_cannot_answer(full_plan, contact, teacher, deacon):
    plan = full_plan["plan"]
    meeting = call(plan, contact)
    plan_services.team_remove(plan=plan, member=TeamMember.objects.get(plan=plan, user=deacon), by=contact)
    plan_services.consent_withdraw(plan=plan, consent=full_plan["consent"], by=contact,
                                   withdrawn_on=timezone.localdate())
    for user in (deacon, teacher):
        with pytest.raises(ValidationError):
            services.invitee_answer(invitee=Invitee.objects.get(meeting=meeting, team_member__user=user),
                                    response="yes")


# --- the minutes -----------------------------------------------------------------------------------------


def close(plan, meeting, by, **extra):
    data = {"decisions": "Läxhjälp två gånger i veckan.", "child_took_part": "delvis", "guardians_know_plan": True,
            "next_meeting_on": timezone.localdate() + timedelta(days=60), "attended": [], "child_came": True}
    data.update(extra)
    return services.minutes_close(plan=plan, meeting=meeting, by=by, **data)


def test_closing_the_minutes_makes_the_review_the_chronology_and_the_actions(full_plan, contact, teacher, guardian):
    plan = full_plan["plan"]
    version = plan.version
    planned = full_plan["review"]  # planned for today: the meeting holds it
    meeting = hold(call(plan, contact, guardians=[guardian]))
    present = list(Invitee.objects.filter(meeting=meeting).exclude(team_member__user=teacher).values_list("pk", flat=True))
    point = meeting.agenda.first()
    new = services.minutes_action_add(
        plan=plan, meeting=meeting, by=contact, goal=full_plan["goal"], what="Läxhjälp med mentor",
        responsible_organisation=full_plan["member"].organisation, responsible_person=teacher,
        due_on=timezone.localdate() + timedelta(days=30), status=Action.Status.PLANNED,
    )
    changed = services.minutes_action_add(
        plan=plan, meeting=meeting, by=contact, action=full_plan["action"], goal=full_plan["goal"],
        what=full_plan["action"].what, responsible_organisation=full_plan["member"].organisation,
        responsible_person=teacher, due_on=timezone.localdate() + timedelta(days=45), status=Action.Status.ONGOING,
    )
    kept.kept(INDICATORS_TABLE, (), lambda: "gammal tabell", 600)  # the indicators' kept table
    close(plan, meeting, contact, attended=present, point_notes={point.pk: "Tindra vill ha mer rast."})
    meeting.refresh_from_db()
    assert meeting.status == TeamMeeting.Status.CLOSED and meeting.closed_by == contact

    review = meeting.review
    assert review.pk == planned.pk and review.status == Review.Status.HELD
    assert review.date == meeting.local_start.date()
    assert (review.child_took_part, review.guardians_know_plan) == ("delvis", True)
    assert review.decisions == "Läxhjälp två gånger i veckan."
    assert "Gunilla Vårdnadshavarsson" in review.participants and "barnet" in review.participants
    assert "Lars Lärare" not in review.participants
    assert Review.objects.filter(plan=plan, status=Review.Status.PLANNED,
                                 date=timezone.localdate() + timedelta(days=60)).exists()
    plan.refresh_from_db()
    assert plan.version == version + 1
    assert ChronologyEntry.objects.filter(plan=plan, source="Barnteamets möte",
                                          event__contains="Läxhjälp två gånger").exists()
    new.refresh_from_db()
    action = Action.objects.get(pk=new.action_id)
    assert (action.what, action.responsible_person, action.status) == ("Läxhjälp med mentor", teacher, "planerad")
    assert action in my_actions_for(teacher)
    assert Action.objects.get(pk=changed.action_id).status == Action.Status.ONGOING
    assert AgendaPoint.objects.get(pk=point.pk).notes == "Tindra vill ha mer rast."
    assert kept.kept(INDICATORS_TABLE, (), lambda: "ny tabell", 600) == "ny tabell", "the kept table is forgotten"
    # the team is told, without the one who closed; no summary to the guardians unless chosen
    assert rows(services.KIND_MINUTES_READY) == [teacher.email]
    assert rows(services.KIND_GUARDIAN_SUMMARY) == []
    with pytest.raises(ValidationError):
        close(plan, meeting, contact)


def test_the_guardians_get_a_summary_only_if_chosen(full_plan, contact, guardian):
    plan = full_plan["plan"]
    meeting = hold(call(plan, contact, guardians=[guardian]))
    before = state()
    with pytest.raises(ValidationError) as exc:
        close(plan, meeting, contact, send_summary=True, guardian_summary="")
    assert "guardian_summary" in exc.value.message_dict
    assert state() == before
    close(plan, meeting, contact, send_summary=True, guardian_summary="Vi kom överens om läxhjälp.")
    assert rows(services.KIND_GUARDIAN_SUMMARY) == [GUARDIAN_EMAIL]


def test_an_action_that_no_longer_fits_keeps_the_minutes_open(full_plan, contact, teacher):
    """The owner left the team after the action was written: closing fails with a message and
    nothing of the closing is kept (no review held, no chronology entry)."""
    plan = full_plan["plan"]
    meeting = hold(call(plan, contact))
    services.minutes_action_add(
        plan=plan, meeting=meeting, by=contact, goal=full_plan["goal"], what="Läxhjälp",
        responsible_organisation=full_plan["member"].organisation, responsible_person=teacher,
        due_on=timezone.localdate() + timedelta(days=30), status=Action.Status.PLANNED,
    )
    plan_services.team_remove(plan=plan, member=full_plan["member"], by=contact)
    before = state()
    with pytest.raises(ValidationError) as exc:
        close(plan, meeting, contact)
    assert "En insats i protokollet kan inte sparas i planen" in exc.value.messages[0]
    assert state() == before


def test_a_draft_is_saved_and_closing_later_keeps_it(full_plan, contact):
    plan = full_plan["plan"]
    meeting = call(plan, contact)
    services.minutes_save(plan=plan, meeting=meeting, by=contact, decisions="Utkast", child_took_part="",
                          guardians_know_plan=None)
    meeting.refresh_from_db()
    assert meeting.decisions == "Utkast" and meeting.status == TeamMeeting.Status.PLANNED
    with pytest.raises(ValidationError) as exc:
        services.minutes_save(plan=plan, meeting=meeting, by=contact, next_meeting_on=timezone.localdate())
    assert "next_meeting_on" in exc.value.message_dict


# --- reminders -------------------------------------------------------------------------------------------


def test_reminders_once_each_and_not_to_those_who_left(full_plan, contact, teacher, deacon, guardian):
    plan = full_plan["plan"]
    meeting = call(plan, contact, days=1, guardians=[guardian])  # tomorrow: both reminders are due
    services.invitee_answer(invitee=Invitee.objects.get(meeting=meeting, guardian=guardian), response="yes")
    plan_services.team_remove(plan=plan, member=TeamMember.objects.get(plan=plan, user=deacon), by=contact)
    services.reminders_due()
    services.reminders_due()  # a second beat: nothing new
    assert rows(services.KIND_REMIND_UNANSWERED) == [teacher.email]  # the contact person answered by calling
    assert rows(services.KIND_REMIND_DAY_BEFORE) == sorted([contact.email, teacher.email, GUARDIAN_EMAIL])
    # The school's consent is withdrawn: the teacher is off the team, and a later reminder skips him.
    plan_services.consent_withdraw(plan=plan, consent=full_plan["consent"], by=contact,
                                   withdrawn_on=timezone.localdate())
    OutboundEmail.objects.filter(kind=services.KIND_REMIND_DAY_BEFORE).delete()
    services.reminders_due()
    assert rows(services.KIND_REMIND_DAY_BEFORE) == sorted([contact.email, GUARDIAN_EMAIL])


def test_no_unanswered_reminder_too_early(full_plan, contact):
    call(full_plan["plan"], contact, days=10)
    services.reminders_due()
    assert not OutboundEmail.objects.filter(kind__startswith="teammeeting_reminder").exists()


def test_the_contact_person_is_reminded_of_open_minutes_once(full_plan, contact):
    plan = full_plan["plan"]
    meeting = call(plan, contact)
    hold(meeting, hours_ago=24 * 2)
    services.reminders_due()
    assert rows(services.KIND_MINUTES_DUE) == []  # not yet three days
    hold(meeting, hours_ago=24 * 4)
    services.reminders_due()
    services.reminders_due()
    assert rows(services.KIND_MINUTES_DUE) == [contact.email]
