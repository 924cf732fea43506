"""Before the meeting: the agenda the plan suggests (``agenda_draft``), the family's and the
child's preparation, and the contact person's changes to the agenda."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from childplans.changes import history_add, history_diff, require_may_change, snapshot
from childplans.models import Action, Area, Assessment, ChronologyEntry, Goal, Need
from childplans.networkmap.models import MapPerson

from ..models import AgendaPoint, ChildPart
from .common import PREPARATION_FIELDS, locked, require_contact, require_planned, short

# "Acute element" (the agenda names who can step in): a great need in the area Trygg (the GIRFEC
# area for being safe from harm) in the latest assessment, or a negative event in the chronology
# within this many days of the meeting.
ACUTE_EVENT_WITHIN_DAYS = 30


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
                           % {"what": short(what), "date": due_on.isoformat()}))
    for what, due_on in actions:
        if due_on >= day:
            points.append((Source.OPEN_ACTION, _("Insats: %(what)s (klar senast %(date)s)")
                           % {"what": short(what), "date": due_on.isoformat()}))
    running = Action.objects.filter(goal=OuterRef("pk"), status__in=Action.OPEN_STATUSES, due_on__gt=day)
    for description in (
        Goal.objects.filter(plan=plan).filter(~Exists(running)).order_by("pk").values_list("description", flat=True)
    ):
        points.append((Source.GOAL, _("Följ upp målet: %(goal)s") % {"goal": short(description)}))
    if plan_is_acute(plan, latest, day):
        people = list(
            MapPerson.objects.filter(plan=plan, can_step_in=True, left_on__isnull=True)
            .order_by("closeness", "name", "pk").values_list("name", "relation")
        )
        if people:
            names = ", ".join(f"{name} ({relation})" for name, relation in people)
            points.append((Source.CAN_STEP_IN, _("Vem kan träda in om det behövs: %(names)s") % {"names": short(names, 250)}))
        else:
            points.append((Source.CAN_STEP_IN, _(
                "Vem kan träda in om det behövs? Ingen på nätverkskartan är markerad som en som kan träda in."
            )))
    points.append((Source.ADDED, _("Nästa möte")))
    return points



@transaction.atomic
def preparation_save(*, plan, meeting, by, family_topics, not_before_child, child_words):
    """What the guardians and the child want to talk about, what must not be raised in front of
    the child, and the child's letter or words — recorded by the contact person on their behalf."""
    require_may_change(plan)
    require_contact(plan, by)
    meeting = locked(plan, meeting)
    require_planned(meeting)
    before = snapshot(meeting, PREPARATION_FIELDS)
    meeting.family_topics = family_topics.strip()
    meeting.not_before_child = not_before_child.strip()
    meeting.child_words = child_words.strip()
    meeting.save(update_fields=[*PREPARATION_FIELDS, "updated_at"])
    history_diff(plan=plan, by=by, what=_("Förberedelse inför barnteamets möte"), obj=meeting,
                 before=before, fields=PREPARATION_FIELDS)
    return meeting


@transaction.atomic
def agenda_add(*, plan, meeting, by, title):
    require_may_change(plan)
    require_contact(plan, by)
    meeting = locked(plan, meeting)
    require_planned(meeting)
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": _("Skriv vad punkten handlar om.")})
    last = AgendaPoint.objects.filter(meeting=meeting).order_by("-position").values_list("position", flat=True).first()
    point = AgendaPoint(meeting=meeting, position=(last or 0) + 1, title=title, source=AgendaPoint.Source.ADDED)
    point.full_clean(exclude=["meeting"], validate_constraints=False)
    point.save()
    history_add(plan=plan, by=by, what=_("Punkt på dagordningen tillagd"), new=title)
    return point


@transaction.atomic
def agenda_move(*, plan, meeting, by, point, up):
    """Move a point one step up or down (it swaps places with its neighbour)."""
    require_may_change(plan)
    require_contact(plan, by)
    meeting = locked(plan, meeting)
    require_planned(meeting)
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
    history_add(plan=plan, by=by, what=_("Dagordningen ordnad om"), new=point.title)
    return point


@transaction.atomic
def agenda_remove(*, plan, meeting, by, point):
    require_may_change(plan)
    require_contact(plan, by)
    meeting = locked(plan, meeting)
    require_planned(meeting)
    if point.meeting_id != meeting.pk:
        raise ValidationError(_("Punkten hör inte till mötet."))
    point.delete()
    history_add(plan=plan, by=by, what=_("Punkt på dagordningen borttagen"), old=point.title)
