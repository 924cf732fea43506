"""Writes for barnteamets möte: call, change, cancel, the family's preparation, the agenda,
answers, the minutes and closing them into the plan's review, and the reminders.

Keyword-only arguments and the acting user (``by``); ``full_clean``; ``transaction.atomic``;
``ValidationError`` with Swedish messages keyed by field, and then nothing is changed. Every
change is written to the plan's own history (``childplans.services.history_add``); the request's
audit row is written by ``PlanAccessMixin`` around the view (an answer through an e-mail's link,
which has no plan page around it, writes its own). Every e-mail is an outbox row written in the
same transaction, unique per (kind, recipient, meeting, period), so a second attempt — a retried
task, a second beat — is a no-op; it is rendered at send time (``emails.py``) from ids, so the
outbox's subject column stays empty and no guardian's address or child's name reaches a task."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from childplans import services as plan_services
from childplans.managers import members_with_access
from childplans.models import (
    Action,
    Area,
    Assessment,
    ChildPlan,
    ChronologyEntry,
    Goal,
    Guardian,
    Need,
    PlanChange,
    Review,
    TeamMember,
)
from childplans.networkmap.models import MapPerson
from portal.audit import audit_record
from portal.models import AuditEvent
from portal.outbox import outbox_add, outbox_add_many

from .models import AgendaPoint, ChildPart, Invitee, MinutesAction, TeamMeeting

# Outbox kinds (renderers in emails.py).
KIND_INVITATION = "teammeeting_invitation"
KIND_CHANGED = "teammeeting_changed"
KIND_CANCELLED = "teammeeting_cancelled"
KIND_REMIND_UNANSWERED = "teammeeting_reminder_unanswered"
KIND_REMIND_DAY_BEFORE = "teammeeting_reminder_day_before"
KIND_MINUTES_DUE = "teammeeting_minutes_due"
KIND_MINUTES_READY = "teammeeting_minutes_ready"
KIND_GUARDIAN_SUMMARY = "teammeeting_guardian_summary"

# Reminders (the beat task): to those who have not answered this many days before the meeting,
# to everyone coming (or not yet answering) the day before, and to the contact person when the
# minutes are still open this many days after the meeting.
REMIND_UNANSWERED_DAYS = 3
REMIND_MINUTES_AFTER_DAYS = 3
MINUTES_REMINDER_HORIZON_DAYS = 60

# "Acute element" (the agenda names who can step in): a great need in the area Trygg (the GIRFEC
# area for being safe from harm) in the latest assessment, or a negative event in the chronology
# within this many days of the meeting.
ACUTE_EVENT_WITHIN_DAYS = 30

NOTIFY_FIELDS = ("starts_at", "ends_at", "place", "video_url")
MEETING_FIELDS = ["starts_at", "ends_at", "place", "video_url", "child_part", "child_spokesperson"]
PREPARATION_FIELDS = ["family_topics", "not_before_child", "child_words"]
MINUTES_FIELDS = ["child_came", "other_participants", "decisions", "notes", "next_meeting_on", "child_took_part",
                  "guardians_know_plan", "send_summary", "guardian_summary"]


def meeting_key(meeting):
    return f"teammeeting:{meeting.pk if hasattr(meeting, 'pk') else meeting}"


def still_called():
    """Invitees whose invitation still works: a guardian, or a team member while they give access
    to the plan (removed, consent withdrawn or left the organisation: no more). Correlated on the
    invitee's team member, so it is an index lookup per invitee, whatever the number of plans."""
    return Q(guardian__isnull=False) | Exists(members_with_access().filter(pk=OuterRef("team_member_id")))


def invitee_is_valid(invitee):
    """One invitee (with ``team_member`` loaded): does their invitation still work? One query for
    a member, none for a guardian."""
    if invitee.guardian_id is not None:
        return True
    return members_with_access().filter(pk=invitee.team_member_id).exists()


def _history(*, plan, by, what, field="", old="", new=""):
    return plan_services.history_add(plan=plan, by=by, what=what, field=field, old=old, new=new)


def _value(obj, name):
    """A field's value as a person reads it in the plan's history (times in Swedish time)."""
    value = getattr(obj, name)
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _("ja") if value else _("nej")
    if isinstance(value, datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    if obj._meta.get_field(name).choices:
        return str(getattr(obj, f"get_{name}_display")())
    return str(value)


def _snapshot(obj, fields):
    return {name: _value(obj, name) for name in fields}


def _history_diff(*, plan, by, what, obj, before, fields):
    """One history row per changed field."""
    after = _snapshot(obj, fields)
    PlanChange.objects.bulk_create(
        PlanChange(plan=plan, user=by, what=str(what)[:200], field=str(obj._meta.get_field(name).verbose_name),
                   old_value=before[name], new_value=after[name])
        for name in fields
        if before[name] != after[name]
    )


def _require_contact(plan, by):
    if by.pk != plan.contact_person_id:
        raise ValidationError(_("Bara planens kontaktperson kan göra detta."))


def _require_planned(meeting):
    if meeting.status == TeamMeeting.Status.CANCELLED:
        raise ValidationError(_("Mötet är inställt."))
    if meeting.status == TeamMeeting.Status.CLOSED:
        raise ValidationError(_("Protokollet är stängt och kan inte ändras."))


def _locked(plan, meeting):
    """The meeting, locked for the change (and checked to be this plan's)."""
    if meeting.plan_id != plan.pk:
        raise ValidationError(_("Mötet hör inte till planen."))
    return TeamMeeting.objects.select_for_update().get(pk=meeting.pk)


def _check_time(starts_at, ends_at, now):
    errors = {}
    if starts_at is not None and starts_at < now:
        errors["starts_at"] = _("Mötet kan inte ligga i det förflutna. Välj en tid som inte har passerat.")
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        errors["ends_at"] = _("Mötet måste sluta efter att det börjar.")
    return errors


def _full_clean(meeting, errors=None):
    errors = dict(errors or {})
    try:
        meeting.full_clean(exclude=["plan", "created_by", "closed_by", "review"], validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)


# --- the agenda, drawn from the plan -------------------------------------------------------------


def _short(text, length=200):
    return Truncator(" ".join(str(text).split())).chars(length)


def plan_is_acute(plan, latest_areas, day):
    """Does the plan have an acute element (see ``ACUTE_EVENT_WITHIN_DAYS``)? One query."""
    if (latest_areas or {}).get(Area.TRYGG, {}).get("need") == Need.GREAT:
        return True
    return ChronologyEntry.objects.filter(
        plan=plan, impact=ChronologyEntry.Impact.NEGATIVE, occurred_on__gte=day - timedelta(days=ACUTE_EVENT_WITHIN_DAYS)
    ).exists()


def agenda_draft(plan, *, day, child_part=ChildPart.IN_ROOM, child_spokesperson=""):
    """The agenda the plan suggests for a meeting on ``day``: [(source, title)], in order:

    - the family's and the child's questions; the child's letter or spokesperson;
    - each area with a great need in the latest assessment;
    - the open actions, overdue ones (due before the meeting) first;
    - goals due for review: a goal with no open action that runs past the meeting (its planned
      work should be done by then, or it has none) — is it reached, or what next?;
    - when the plan has an acute element (``plan_is_acute``): the people on the network map who
      can step in;
    - the next meeting.

    At most six queries, whatever the plan holds."""
    Source = AgendaPoint.Source
    points = [(Source.FAMILY, _("Barnets och vårdnadshavarnas frågor"))]
    if child_part == ChildPart.LETTER:
        points.append((Source.FAMILY, _("Barnets brev eller teckning")))
    elif child_part == ChildPart.SPOKESPERSON:
        points.append((Source.FAMILY, _("%(name)s berättar vad barnet vill säga") % {"name": child_spokesperson}))
    latest = (
        Assessment.objects.filter(plan=plan).order_by("-assessed_on", "-pk").values_list("areas", flat=True).first()
    ) or {}
    for code, label in Area.choices:
        if (latest.get(code) or {}).get("need") == Need.GREAT:
            points.append((Source.NEED, _("Stort behov: %(area)s") % {"area": label}))
    actions = list(
        Action.objects.filter(plan=plan, status__in=Action.OPEN_STATUSES).order_by("due_on", "pk").values_list(
            "what", "due_on"
        )
    )
    for what, due_on in actions:
        if due_on < day:
            points.append((Source.OVERDUE, _("Försenad insats: %(what)s (skulle vara klar %(date)s)")
                           % {"what": _short(what), "date": due_on.isoformat()}))
    for what, due_on in actions:
        if due_on >= day:
            points.append((Source.OPEN_ACTION, _("Insats: %(what)s (klar senast %(date)s)")
                           % {"what": _short(what), "date": due_on.isoformat()}))
    running = Action.objects.filter(goal=OuterRef("pk"), status__in=Action.OPEN_STATUSES, due_on__gt=day)
    for description in (
        Goal.objects.filter(plan=plan).filter(~Exists(running)).order_by("pk").values_list("description", flat=True)
    ):
        points.append((Source.GOAL, _("Följ upp målet: %(goal)s") % {"goal": _short(description)}))
    if plan_is_acute(plan, latest, day):
        people = list(
            MapPerson.objects.filter(plan=plan, can_step_in=True, left_on__isnull=True)
            .order_by("closeness", "name", "pk").values_list("name", "relation")
        )
        if people:
            names = ", ".join(f"{name} ({relation})" for name, relation in people)
            points.append((Source.CAN_STEP_IN, _("Vem kan träda in om det behövs: %(names)s") % {"names": _short(names, 250)}))
        else:
            points.append((Source.CAN_STEP_IN, _(
                "Vem kan träda in om det behövs? Ingen på nätverkskartan är markerad som en som kan träda in."
            )))
    points.append((Source.ADDED, _("Nästa möte")))
    return points


# --- calling the meeting ------------------------------------------------------------------------


@transaction.atomic
def meeting_call(
    *, plan, by, starts_at, ends_at, place="", video_url="", members=None, guardians=(), guardians_by_email=True,
    child_part=ChildPart.IN_ROOM, child_spokesperson="",
):
    """The contact person calls the team: ``members`` (TeamMember rows of the plan; every current
    member by default; the contact person always), the chosen ``guardians`` (by e-mail when
    ``guardians_by_email``: then each needs an address) and how the child takes part. The agenda
    is drawn from the plan; one invitation e-mail per address goes into the outbox."""
    plan_services.require_active(plan)
    _require_contact(plan, by)
    now = timezone.now()
    errors = _check_time(starts_at, ends_at, now)
    current = {m.pk: m for m in members_with_access().filter(plan=plan).select_related("user", "organisation")}
    if members is None:
        chosen = list(current.values())
    else:
        chosen = []
        for m in members:
            pk = getattr(m, "pk", m)
            if pk not in current:
                errors.setdefault("members", _("Välj bara personer som är med i teamet."))
            else:
                chosen.append(current[pk])
    contact = next((m for m in current.values() if m.user_id == plan.contact_person_id), None)
    if contact is not None and contact not in chosen:
        chosen.insert(0, contact)
    if len([m for m in chosen if m.user_id != plan.contact_person_id]) == 0 and "members" not in errors:
        errors["members"] = _("Välj minst en person i teamet att kalla.")
    guardians = list(guardians)
    for g in guardians:
        if g.child_id != plan.child_id:
            errors["guardians"] = _("Välj bland barnets vårdnadshavare.")
    if guardians_by_email:
        missing = [g.name for g in guardians if not g.email]
        if missing:
            errors["guardians"] = _(
                "%(names)s har ingen e-postadress. Lägg till den under Barnet och vårdnadshavare, eller "
                "bjud in vårdnadshavarna på annat sätt än med e-post."
            ) % {"names": ", ".join(missing)}
    meeting = TeamMeeting(
        plan=plan, starts_at=starts_at, ends_at=ends_at, place=(place or "").strip(), video_url=video_url or "",
        child_part=child_part, child_spokesperson=(child_spokesperson or "").strip(),
        guardians_by_email=bool(guardians_by_email and guardians), created_by=by, invitations_sent_at=now,
    )
    _full_clean(meeting, errors)
    meeting.save()
    invitees = [
        Invitee(meeting=meeting, team_member=m, email=m.user.email.lower(), sent_at=now,
                response=Invitee.Response.YES if m.user_id == plan.contact_person_id else Invitee.Response.PENDING,
                responded_at=now if m.user_id == plan.contact_person_id else None)
        for m in chosen
    ]
    invitees += [
        Invitee(meeting=meeting, guardian=g, email=g.email.lower() if guardians_by_email else "",
                sent_at=now if guardians_by_email else None)
        for g in guardians
    ]
    Invitee.objects.bulk_create(invitees)
    day = timezone.localtime(starts_at).date()
    AgendaPoint.objects.bulk_create(
        AgendaPoint(meeting=meeting, position=i, title=title[:300], source=source)
        for i, (source, title) in enumerate(
            agenda_draft(plan, day=day, child_part=child_part, child_spokesperson=meeting.child_spokesperson), start=1
        )
    )
    _history(plan=plan, by=by, what=_("Barnteamets möte kallat"), field=_("tid"),
             new=f"{meeting.local_start:%Y-%m-%d %H:%M}")
    outbox_add_many(kind=KIND_INVITATION, recipients=[i.email for i in invitees if i.email],
                    object_key=meeting_key(meeting))
    return meeting


@transaction.atomic
def meeting_update(*, plan, meeting, by, **changes):
    """Change time, place or how the child takes part. A new time or place bumps the calendar
    SEQUENCE and sends everyone who has not declined an updated calendar file (REQUEST)."""
    unknown = set(changes) - set(MEETING_FIELDS)
    if unknown:
        raise TypeError(f"unknown team meeting fields: {sorted(unknown)}")
    plan_services.require_active(plan)
    _require_contact(plan, by)
    meeting = _locked(plan, meeting)
    _require_planned(meeting)
    before = _snapshot(meeting, MEETING_FIELDS)
    old = {f: getattr(meeting, f) for f in NOTIFY_FIELDS}
    for name, value in changes.items():
        setattr(meeting, name, value.strip() if isinstance(value, str) and name != "video_url" else value)
    errors = {}
    if meeting.starts_at != old["starts_at"] or meeting.ends_at != old["ends_at"]:
        errors = _check_time(meeting.starts_at, meeting.ends_at, timezone.now())
    _full_clean(meeting, errors)
    moved = [f for f in NOTIFY_FIELDS if getattr(meeting, f) != old[f]]
    if moved:
        meeting.sequence += 1
    meeting.save()
    _history_diff(plan=plan, by=by, what=_("Barnteamets möte ändrat"), obj=meeting, before=before,
                                fields=MEETING_FIELDS)
    if moved:
        _notify(meeting, KIND_CHANGED, f"v{meeting.sequence}")
    return meeting, moved


def _notify(meeting, kind, period=""):
    """Everyone invited by e-mail who has not declined and whose invitation still works."""
    recipients = (
        Invitee.objects.filter(meeting=meeting, sent_at__isnull=False)
        .exclude(email="")
        .exclude(response=Invitee.Response.NO)
        .filter(still_called())
        .values_list("email", flat=True)
    )
    return outbox_add_many(kind=kind, recipients=recipients, object_key=meeting_key(meeting), period=period)


@transaction.atomic
def meeting_cancel(*, plan, meeting, by):
    """Cancel: everyone who has not declined gets a cancelling calendar file (METHOD:CANCEL)."""
    plan_services.require_active(plan)
    _require_contact(plan, by)
    meeting = _locked(plan, meeting)
    _require_planned(meeting)
    meeting.status = TeamMeeting.Status.CANCELLED
    meeting.cancelled_at = timezone.now()
    meeting.sequence += 1
    meeting.save(update_fields=["status", "cancelled_at", "sequence", "updated_at"])
    _history(plan=plan, by=by, what=_("Barnteamets möte inställt"), field=_("tid"),
             old=f"{meeting.local_start:%Y-%m-%d %H:%M}")
    _notify(meeting, KIND_CANCELLED)
    return meeting


# --- before the meeting ---------------------------------------------------------------------------


@transaction.atomic
def preparation_save(*, plan, meeting, by, family_topics, not_before_child, child_words):
    """What the guardians and the child want to talk about, what must not be raised in front of
    the child, and the child's letter or words — recorded by the contact person on their behalf."""
    plan_services.require_active(plan)
    _require_contact(plan, by)
    meeting = _locked(plan, meeting)
    _require_planned(meeting)
    before = _snapshot(meeting, PREPARATION_FIELDS)
    meeting.family_topics = family_topics.strip()
    meeting.not_before_child = not_before_child.strip()
    meeting.child_words = child_words.strip()
    meeting.save(update_fields=[*PREPARATION_FIELDS, "updated_at"])
    _history_diff(plan=plan, by=by, what=_("Förberedelse inför barnteamets möte"), obj=meeting,
                                before=before, fields=PREPARATION_FIELDS)
    return meeting


@transaction.atomic
def agenda_add(*, plan, meeting, by, title):
    plan_services.require_active(plan)
    _require_contact(plan, by)
    meeting = _locked(plan, meeting)
    _require_planned(meeting)
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": _("Skriv vad punkten handlar om.")})
    last = AgendaPoint.objects.filter(meeting=meeting).order_by("-position").values_list("position", flat=True).first()
    point = AgendaPoint(meeting=meeting, position=(last or 0) + 1, title=title, source=AgendaPoint.Source.ADDED)
    point.full_clean(exclude=["meeting"], validate_constraints=False)
    point.save()
    _history(plan=plan, by=by, what=_("Punkt på dagordningen tillagd"), new=title)
    return point


@transaction.atomic
def agenda_move(*, plan, meeting, by, point, up):
    """Move a point one step up or down (it swaps places with its neighbour)."""
    plan_services.require_active(plan)
    _require_contact(plan, by)
    meeting = _locked(plan, meeting)
    _require_planned(meeting)
    if point.meeting_id != meeting.pk:
        raise ValidationError(_("Punkten hör inte till mötet."))
    points = AgendaPoint.objects.filter(meeting=meeting)
    neighbour = (
        points.filter(position__lt=point.position).order_by("-position")
        if up else points.filter(position__gt=point.position).order_by("position")
    ).first()
    if neighbour is None:
        return point
    mine, theirs = point.position, neighbour.position
    AgendaPoint.objects.filter(pk=point.pk).update(position=0)  # positions start at 1: 0 is free
    AgendaPoint.objects.filter(pk=neighbour.pk).update(position=mine)
    AgendaPoint.objects.filter(pk=point.pk).update(position=theirs)
    point.position = theirs
    _history(plan=plan, by=by, what=_("Dagordningen ordnad om"), new=point.title)
    return point


@transaction.atomic
def agenda_remove(*, plan, meeting, by, point):
    plan_services.require_active(plan)
    _require_contact(plan, by)
    meeting = _locked(plan, meeting)
    _require_planned(meeting)
    if point.meeting_id != meeting.pk:
        raise ValidationError(_("Punkten hör inte till mötet."))
    point.delete()
    _history(plan=plan, by=by, what=_("Punkt på dagordningen borttagen"), old=point.title)


# --- answers ----------------------------------------------------------------------------------------


@transaction.atomic
def invitee_answer(*, invitee, response, by=None):
    """Record an answer ("yes"/"no"): in the portal (``by``, the member themself) or through an
    e-mail's link (``by`` None). Refused once the meeting is cancelled, closed or over, and for
    a member who no longer gives access to the plan. One audit row (ids and codes only)."""
    if response not in (Invitee.Response.YES, Invitee.Response.NO):
        raise ValidationError({"response": _("Välj om du kommer eller inte.")})
    meeting = TeamMeeting.objects.select_for_update().select_related("plan").get(pk=invitee.meeting_id)
    if not meeting.is_open_for_answers or meeting.plan.is_closed:
        raise ValidationError(_("Det går inte längre att svara på den här kallelsen."))
    invitee = Invitee.objects.select_for_update().get(pk=invitee.pk)
    if not invitee_is_valid(invitee):
        raise ValidationError(_("Det går inte längre att svara på den här kallelsen."))
    previous = invitee.response
    invitee.response = response
    invitee.responded_at = timezone.now()
    invitee.save(update_fields=["response", "responded_at"])
    user = by
    if user is None and invitee.team_member_id:
        user = TeamMember.objects.select_related("user").get(pk=invitee.team_member_id).user
    if previous != response:
        _history(plan=meeting.plan, by=user, what=_("Svar på kallelse till barnteamets möte"),
                 field=_("vårdnadshavare") if invitee.is_guardian else _("teammedlem"),
                 old=Invitee.Response(previous).label, new=Invitee.Response(response).label)
    audit_record(
        action=AuditEvent.Action.UPDATE, event="teammeeting.answered", user=user, obj=invitee,
        plan_id=meeting.plan_id, child_id=meeting.plan.child_id,
        detail={"meeting_id": meeting.pk, "from": previous, "to": response,
                "through": "portal" if by is not None else "link",
                "invitee": "guardian" if invitee.is_guardian else "member"},
    )
    return invitee


# --- the minutes -------------------------------------------------------------------------------------


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
    plan_services.require_active(plan)
    _require_contact(plan, by)
    meeting = _locked(plan, meeting)
    _require_planned(meeting)
    before = _snapshot(meeting, MINUTES_FIELDS)
    present, notes, points = _minutes_changes(meeting, attended=attended, point_notes=point_notes, fields=fields)
    _check_next_meeting(meeting)
    _full_clean(meeting)
    _write_minutes(meeting, present, notes, points)
    _history_diff(plan=plan, by=by, what=_("Protokoll från barnteamets möte"), obj=meeting,
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
    """The same rules as an action of the plan (``childplans.services._check_action``), with
    Swedish messages keyed by field."""
    errors = {}
    if item.goal_id and item.goal.plan_id != plan.pk:
        errors["goal"] = _("Välj ett av planens mål.")
    if item.responsible_person_id and not members_with_access().filter(
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
    plan_services.require_active(plan)
    _require_contact(plan, by)
    meeting = _locked(plan, meeting)
    _require_planned(meeting)
    if action is not None and action.plan_id != plan.pk:
        raise ValidationError({"action": _("Insatsen hör inte till planen.")})
    item = MinutesAction(meeting=meeting, action=action, is_new=action is None, **fields)
    item.what = (item.what or "").strip()
    _check_minutes_action(plan, item, today=timezone.localdate())
    item.full_clean(exclude=["meeting", "action"], validate_constraints=False)
    item.save()
    _history(plan=plan, by=by, what=_("Ny insats i protokollet") if item.is_new else _("Ändrad insats i protokollet"),
             new=item.what)
    return item


@transaction.atomic
def minutes_action_remove(*, plan, meeting, by, item):
    plan_services.require_active(plan)
    _require_contact(plan, by)
    meeting = _locked(plan, meeting)
    _require_planned(meeting)
    if item.meeting_id != meeting.pk:
        raise ValidationError(_("Insatsen hör inte till mötet."))
    item.delete()
    _history(plan=plan, by=by, what=_("Insats borttagen ur protokollet"), old=item.what)


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
        _history(plan=plan, by=by, what=_("Uppföljning hålls på barnteamets möte"), field=_("datum"),
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
    plan_services.require_active(plan)
    _require_contact(plan, by)
    meeting = _locked(plan, meeting)
    _require_planned(meeting)
    if not meeting.has_started:
        raise ValidationError(_("Protokollet kan stängas först när mötet har börjat."))
    before = _snapshot(meeting, MINUTES_FIELDS)
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
    _full_clean(meeting)
    _write_minutes(meeting, present, notes, points)
    _history_diff(plan=plan, by=by, what=_("Protokoll från barnteamets möte"), obj=meeting,
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
        % {"decisions": _short(meeting.decisions, 500)},
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
    _history(plan=plan, by=by, what=_("Protokollet från barnteamets möte stängt"), field=_("uppföljning"),
             new=str(review.date))
    team = members_with_access().filter(plan=plan).exclude(user_id=by.pk).values_list("user__email", flat=True)
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


# --- reminders (Celery beat) -------------------------------------------------------------------------


def reminders_due(now=None):
    """Record every reminder that is due; the outbox's unique constraint makes each go out at most
    once per person and kind, however often and however concurrently this runs:

    - to invitees who have not answered, ``REMIND_UNANSWERED_DAYS`` days before the meeting;
    - to everyone invited who has not declined, the day before;
    - to the contact person, when the minutes are still open ``REMIND_MINUTES_AFTER_DAYS`` days
      after the meeting.

    Only invitations that still work (``still_called``): a removed member, or one whose
    organisation's consent was withdrawn, gets no more reminders. Returns the number of
    addresses considered (not the number of new e-mails)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    count = 0
    coming = TeamMeeting.objects.filter(
        status=TeamMeeting.Status.PLANNED, plan__status=ChildPlan.Status.ACTIVE, starts_at__gt=now,
        starts_at__lt=now + timedelta(days=REMIND_UNANSWERED_DAYS + 2), invitations_sent_at__isnull=False,
    )
    for meeting in coming:
        start_day = meeting.local_start.date()
        called = (
            Invitee.objects.filter(meeting=meeting, sent_at__isnull=False).exclude(email="").filter(still_called())
        )
        if start_day - timedelta(days=REMIND_UNANSWERED_DAYS) <= today:
            with transaction.atomic():
                count += outbox_add_many(
                    kind=KIND_REMIND_UNANSWERED,
                    recipients=called.filter(response=Invitee.Response.PENDING).values_list("email", flat=True),
                    object_key=meeting_key(meeting),
                )
        if start_day - timedelta(days=1) <= today:
            with transaction.atomic():
                count += outbox_add_many(
                    kind=KIND_REMIND_DAY_BEFORE,
                    recipients=called.exclude(response=Invitee.Response.NO).values_list("email", flat=True),
                    object_key=meeting_key(meeting),
                )
    open_minutes = TeamMeeting.objects.filter(
        status=TeamMeeting.Status.PLANNED, plan__status=ChildPlan.Status.ACTIVE,
        ends_at__lte=now - timedelta(days=REMIND_MINUTES_AFTER_DAYS),
        ends_at__gt=now - timedelta(days=MINUTES_REMINDER_HORIZON_DAYS),
    ).values_list("pk", "plan__contact_person__email")
    for pk, email in open_minutes:
        with transaction.atomic():
            if outbox_add(kind=KIND_MINUTES_DUE, recipient=email, object_key=meeting_key(pk)) is not None:
                count += 1
    return count
