"""The minutes: saving them as a draft, the new and changed actions in them, and closing them
into the plan (its review, its chronology, its actions) in one transaction."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from childplans import services as plan_services
from childplans.changes import history_add, history_diff, require_may_change, snapshot
from childplans.models import ChronologyEntry, Guardian, Review, TeamMember
from portal.outbox import outbox_add_many

from ..models import AgendaPoint, Invitee, MinutesAction, TeamMeeting
from .common import (
    KIND_GUARDIAN_SUMMARY,
    KIND_MINUTES_READY,
    MINUTES_FIELDS,
    full_clean_meeting,
    locked,
    meeting_key,
    require_contact,
    require_planned,
    short,
)


def _minutes_changes(meeting, *, attended, point_notes, fields):
    """Set the minutes' fields on ``meeting`` (not saved); returns (invitee ids present, notes per
    point id) after checking they belong to the meeting."""
    for name, value in fields.items():
        if name not in MINUTES_FIELDS:
            raise TypeError(f"unknown minutes field: {name}")
        setattr(meeting, name, value.strip() if isinstance(value, str) else value)
    invitees = set(Invitee.objects.filter(meeting=meeting).values_list("pk", flat=True))
    present = {getattr(i, "pk", i) for i in attended}  # invitees or their ids
    if not present <= invitees:
        raise ValidationError({"attended": _("Välj bland de kallade.")})
    points = {p.pk: p for p in AgendaPoint.objects.filter(meeting=meeting)}
    notes = {}
    for pk, text in (point_notes or {}).items():
        if pk not in points:
            raise ValidationError(_("Punkten hör inte till mötet."))
        notes[pk] = (text or "").strip()
    return present, notes, points


def _write_minutes(meeting, present, notes, points):
    Invitee.objects.filter(meeting=meeting).exclude(pk__in=present).update(attended=False)
    Invitee.objects.filter(meeting=meeting, pk__in=present).update(attended=True)
    changed = [p for pk, p in points.items() if pk in notes and p.notes != notes[pk]]
    for p in changed:
        p.notes = notes[p.pk]
    AgendaPoint.objects.bulk_update(changed, ["notes"])
    meeting.save(update_fields=[*MINUTES_FIELDS, "updated_at"])


@transaction.atomic
def minutes_save(*, plan, meeting, by, attended=(), point_notes=None, **fields):
    """Save the minutes as a draft: who came, what was said per point, what was decided, the
    next meeting, the participation indicators and the guardians' summary."""
    require_may_change(plan)
    require_contact(plan, by)
    meeting = locked(plan, meeting)
    require_planned(meeting)
    before = snapshot(meeting, MINUTES_FIELDS)
    present, notes, points = _minutes_changes(meeting, attended=attended, point_notes=point_notes, fields=fields)
    _check_next_meeting(meeting)
    full_clean_meeting(meeting)
    _write_minutes(meeting, present, notes, points)
    history_diff(plan=plan, by=by, what=_("Protokoll från barnteamets möte"), obj=meeting,
                 before=before, fields=MINUTES_FIELDS)
    return meeting


def _check_next_meeting(meeting):
    day = meeting.local_start.date()
    if meeting.next_meeting_on is not None and (
        meeting.next_meeting_on <= day or meeting.next_meeting_on < timezone.localdate()
    ):
        raise ValidationError(
            {"next_meeting_on": _("Nästa möte måste ligga efter det här och inte i det förflutna.")}
        )


MINUTES_ACTION_FIELDS = ["goal", "what", "responsible_organisation", "responsible_person", "due_on", "status"]


def _check_minutes_action(plan, item, *, today):
    """The same rules as an action of the plan (``childplans.services.work._check_action``), with
    Swedish messages keyed by field."""
    errors = {}
    if item.goal_id and item.goal.plan_id != plan.pk:
        errors["goal"] = _("Välj ett av planens mål.")
    if item.responsible_person_id and not TeamMember.objects.giving_access().filter(
        plan=plan, user_id=item.responsible_person_id
    ).exists():
        errors["responsible_person"] = _("Den ansvariga personen måste vara med i teamet.")
    if item.responsible_organisation_id and not plan_services.consent_covers(plan, item.responsible_organisation_id):
        errors["responsible_organisation"] = _("Inget samtycke omfattar den organisationen.")
    if item.is_new and item.due_on and item.due_on < today:
        errors["due_on"] = _("En ny insats kan inte vara klar i det förflutna.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def minutes_action_add(*, plan, meeting, by, action=None, **fields):
    """A new action (``action`` None) or a change of one of the plan's actions, in the minutes;
    it becomes real in the plan when the minutes are closed."""
    unknown = set(fields) - set(MINUTES_ACTION_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    require_may_change(plan)
    require_contact(plan, by)
    meeting = locked(plan, meeting)
    require_planned(meeting)
    if action is not None and action.plan_id != plan.pk:
        raise ValidationError({"action": _("Insatsen hör inte till planen.")})
    item = MinutesAction(meeting=meeting, action=action, is_new=action is None, **fields)
    item.what = (item.what or "").strip()
    _check_minutes_action(plan, item, today=timezone.localdate())
    item.full_clean(exclude=["meeting", "action"], validate_constraints=False)
    item.save()
    history_add(plan=plan, by=by, what=_("Ny insats i protokollet") if item.is_new else _("Ändrad insats i protokollet"),
                new=item.what)
    return item


@transaction.atomic
def minutes_action_remove(*, plan, meeting, by, item):
    require_may_change(plan)
    require_contact(plan, by)
    meeting = locked(plan, meeting)
    require_planned(meeting)
    if item.meeting_id != meeting.pk:
        raise ValidationError(_("Insatsen hör inte till mötet."))
    item.delete()
    history_add(plan=plan, by=by, what=_("Insats borttagen ur protokollet"), old=item.what)


def participants_text(meeting):
    """Who came, for the review: the team members (name, organisation), the guardians, the child,
    the others. One query."""
    names = []
    for inv in (
        Invitee.objects.filter(meeting=meeting, attended=True)
        .select_related("team_member__user", "team_member__organisation", "guardian")
        .order_by(F("guardian_id").asc(nulls_first=True), "pk")
    ):
        if inv.is_guardian:
            names.append(f"{inv.guardian.name} ({inv.guardian.get_relation_display().lower()})")
        else:
            names.append(f"{inv.team_member.user.display_name} ({inv.team_member.organisation})")
    if meeting.child_came:
        names.append(_("barnet"))
    if meeting.other_participants:
        names.append(meeting.other_participants)
    return ", ".join(names)


def _review_for(plan, meeting, *, by):
    """The review this meeting holds: the earliest planned review dated no later than the next
    meeting (any planned review, without a next meeting) — the meeting did that follow-up, and
    the next meeting takes its place — moved to the meeting's day; otherwise a new review."""
    day = meeting.local_start.date()
    planned = Review.objects.select_for_update().filter(plan=plan, status=Review.Status.PLANNED)
    if meeting.next_meeting_on is not None:
        planned = planned.filter(date__lte=meeting.next_meeting_on)
    review = planned.order_by("date", "pk").first()
    if review is None:
        return Review.objects.create(plan=plan, date=day)
    if review.date != day:
        history_add(plan=plan, by=by, what=_("Uppföljning hålls på barnteamets möte"), field=_("datum"),
                    old=str(review.date), new=str(day))
        review.date = day
        review.save(update_fields=["date"])
    return review


@transaction.atomic
def minutes_close(*, plan, meeting, by, attended=(), point_notes=None, **fields):
    """Close the minutes. In one transaction: the minutes are saved; the plan's review is recorded
    as held with the participation indicators (``childplans.services.review_record``: a new
    version of the plan, the next review planned for the next meeting, the indicators' kept table
    forgotten); a chronology entry; the new and changed actions made real
    (``action_add``/``action_update``: they show in "Mina insatser"); the team gets a "minutes
    ready" notice (no child data, a link); the guardians a plain-language summary only if the
    contact person chose to send one. Any error: nothing of it is kept."""
    require_may_change(plan)
    require_contact(plan, by)
    meeting = locked(plan, meeting)
    require_planned(meeting)
    if not meeting.has_started:
        raise ValidationError(_("Protokollet kan stängas först när mötet har börjat."))
    before = snapshot(meeting, MINUTES_FIELDS)
    present, notes, points = _minutes_changes(meeting, attended=attended, point_notes=point_notes, fields=fields)
    errors = {}
    if not meeting.decisions:
        errors["decisions"] = _("Skriv vad som beslutades innan protokollet stängs.")
    if meeting.child_took_part not in Review.ChildTookPart.values:
        errors["child_took_part"] = _("Ange om barnet var delaktigt.")
    if meeting.guardians_know_plan is None:
        errors["guardians_know_plan"] = _("Ange om vårdnadshavarna känner till planen.")
    summary_to = []
    if meeting.send_summary:
        if not meeting.guardian_summary:
            errors["guardian_summary"] = _("Skriv sammanfattningen till vårdnadshavarna, eller skicka ingen.")
        summary_to = list(
            Guardian.objects.filter(child_id=plan.child_id, has_custody=True).exclude(email="")
            .values_list("email", flat=True)
        )
        if not summary_to:
            errors["send_summary"] = _(
                "Ingen vårdnadshavare har en e-postadress. Lägg till den under Barnet och vårdnadshavare."
            )
    if errors:
        raise ValidationError(errors)
    _check_next_meeting(meeting)
    full_clean_meeting(meeting)
    _write_minutes(meeting, present, notes, points)
    history_diff(plan=plan, by=by, what=_("Protokoll från barnteamets möte"), obj=meeting,
                 before=before, fields=MINUTES_FIELDS)

    day = meeting.local_start.date()
    review = _review_for(plan, meeting, by=by)
    plan_services.review_record(
        plan=plan, review=review, by=by, participants=participants_text(meeting), decisions=meeting.decisions,
        child_took_part=meeting.child_took_part, guardians_know_plan=meeting.guardians_know_plan,
        next_review_on=meeting.next_meeting_on,
    )
    plan.refresh_from_db(fields=["version"])
    plan_services.chronology_add(
        plan=plan, by=by, occurred_on=day, event=_("Barnteamets möte. Beslut: %(decisions)s")
        % {"decisions": short(meeting.decisions, 500)},
        source=_("Barnteamets möte"), impact=ChronologyEntry.Impact.POSITIVE,
    )
    try:
        for item in MinutesAction.objects.filter(meeting=meeting).select_related("action", "goal").order_by("pk"):
            _apply(plan, item, by=by, day=day)
    except ValidationError as exc:
        raise ValidationError(
            _("En insats i protokollet kan inte sparas i planen: %(reason)s Ändra den och försök igen.")
            % {"reason": " ".join(exc.messages)}
        ) from None

    meeting.status = TeamMeeting.Status.CLOSED
    meeting.closed_at = timezone.now()
    meeting.closed_by = by
    meeting.review = review
    meeting.save(update_fields=["status", "closed_at", "closed_by", "review", "updated_at"])
    history_add(plan=plan, by=by, what=_("Protokollet från barnteamets möte stängt"), field=_("uppföljning"),
                new=str(review.date))
    team = (
        TeamMember.objects.giving_access().filter(plan=plan).exclude(user_id=by.pk)
        .values_list("user__email", flat=True)
    )
    outbox_add_many(kind=KIND_MINUTES_READY, recipients=team, object_key=meeting_key(meeting))
    if meeting.send_summary:
        outbox_add_many(kind=KIND_GUARDIAN_SUMMARY, recipients=summary_to, object_key=meeting_key(meeting))
    return meeting


def _apply(plan, item, *, by, day):
    if item.is_new:
        action = plan_services.action_add(
            plan=plan, by=by, goal=item.goal, what=item.what, responsible_organisation_id=item.responsible_organisation_id,
            responsible_person_id=item.responsible_person_id, starts_on=min(day, item.due_on), due_on=item.due_on,
            status=item.status, follow_up="",
        )
        item.action = action
        item.save(update_fields=["action"])
    else:
        plan_services.action_update(
            plan=plan, action=item.action, by=by, goal=item.goal, what=item.what,
            responsible_organisation_id=item.responsible_organisation_id,
            responsible_person_id=item.responsible_person_id, due_on=item.due_on, status=item.status,
        )
