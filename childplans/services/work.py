"""The work on a plan: assessments, the child's voice, goals and actions (``childplans.services``)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.outbox import outbox_add

from ..changes import (
    history_add,
    history_created,
    history_diff,
    require_may_change,
    saved_values,
    snapshot,
)
from ..models import (
    NEED_RANK,
    Action,
    Area,
    Assessment,
    Goal,
    Need,
    PlanVoice,
    TeamMember,
)
from .consent import consent_covers

# --- assessment, voice, goals, actions ---------------------------------------------------------


@transaction.atomic
def assessment_record(*, plan, by, assessed_on, areas):
    """``areas``: {area: {"need": Need, "seen": text, "seen_by": text}} for all eight areas."""
    require_may_change(plan)
    if assessed_on > timezone.localdate():
        raise ValidationError({"assessed_on": _("Bedömningsdatumet kan inte ligga i framtiden.")})
    clean = {}
    for area in Area.values:
        entry = areas.get(area) or {}
        need = entry.get("need")
        if need not in Need.values:
            raise ValidationError(_("Ange behovet för alla åtta områden."))
        clean[area] = {
            "need": need,
            "seen": (entry.get("seen") or "").strip(),
            "seen_by": (entry.get("seen_by") or "").strip(),
        }
    assessment = Assessment.objects.create(plan=plan, assessed_on=assessed_on, assessed_by=by, areas=clean)
    history_add(
        plan=plan, by=by, what=_("Ny bedömning"), field=_("bedömningsdatum"), new=str(assessed_on)
    )
    return assessment


def movement(latest, previous):
    """Per area: "better", "worse", "same" or "" (no previous assessment), by need level."""
    result = {}
    for area in Area.values:
        now = (latest or {}).get(area, {}).get("need")
        before = (previous or {}).get(area, {}).get("need")
        if now is None or before is None:
            result[area] = ""
        elif NEED_RANK[now] < NEED_RANK[before]:
            result[area] = "better"
        elif NEED_RANK[now] > NEED_RANK[before]:
            result[area] = "worse"
        else:
            result[area] = "same"
    return result


@transaction.atomic
def voice_save(*, plan, by, child_voice, guardians_views):
    require_may_change(plan)
    voice = PlanVoice.objects.filter(plan=plan, version=plan.version).first()
    if voice is None:
        voice = PlanVoice(plan=plan, version=plan.version, recorded_by=by)
        before = {"child_voice": "", "guardians_views": ""}
    else:
        before = snapshot(voice, ["child_voice", "guardians_views"])
    voice.child_voice = child_voice.strip()
    voice.guardians_views = guardians_views.strip()
    voice.recorded_by = by
    voice.updated_at = timezone.now()
    voice.full_clean()
    voice.save()
    history_diff(
        plan=plan, by=by, what=_("Barnets röst och vårdnadshavarnas synpunkter, version %(n)s") % {"n": plan.version},
        obj=voice, before=before, fields=["child_voice", "guardians_views"],
    )
    return voice


GOAL_FIELDS = ["area", "description"]
ACTION_FIELDS = ["goal", "what", "responsible_organisation", "responsible_person", "starts_on", "due_on",
                 "status", "follow_up"]


@transaction.atomic
def goal_add(*, plan, by, area, description):
    require_may_change(plan)
    goal = Goal(plan=plan, area=area, description=description.strip())
    goal.full_clean()
    goal.save()
    history_created(plan=plan, by=by, what=_("Nytt mål"), obj=goal, fields=GOAL_FIELDS)
    return goal


def _check_action(plan, action):
    errors = {}
    if action.goal_id and action.goal.plan_id != plan.pk:
        errors["goal"] = _("Välj ett av planens mål.")
    if action.starts_on and action.due_on and action.due_on < action.starts_on:
        errors["due_on"] = _("Slutdatumet kan inte ligga före startdatumet.")
    if action.responsible_person_id and not TeamMember.objects.current().filter(
        plan=plan, user_id=action.responsible_person_id
    ).exists():
        errors["responsible_person"] = _("Den ansvariga personen måste vara med i teamet.")
    if action.responsible_organisation_id and not consent_covers(plan, action.responsible_organisation_id):
        errors["responsible_organisation"] = _("Inget samtycke omfattar den organisationen.")
    if errors:
        raise ValidationError(errors)


def _notify_responsible(action, by):
    """Tell the person responsible for an action that it is new or changed, unless they made the
    change themselves: a notice (actions), so in their digest or at once as they chose."""
    if action.responsible_person_id and action.responsible_person_id != by.pk and action.is_open:
        outbox_add(kind="plan_action_assigned", recipient=action.responsible_person.email,
                   object_key=f"action:{action.pk}", period=timezone.now().isoformat())


@transaction.atomic
def action_add(*, plan, by, **fields):
    require_may_change(plan)
    action = Action(plan=plan, **fields)
    _check_action(plan, action)
    action.full_clean()
    action.save()
    history_created(plan=plan, by=by, what=_("Ny insats"), obj=action, fields=ACTION_FIELDS)
    _notify_responsible(action, by)
    return action


@transaction.atomic
def action_update(*, plan, action, by, **fields):
    require_may_change(plan)
    if action.plan_id != plan.pk:
        raise ValidationError(_("Insatsen hör inte till planen."))
    before = saved_values(action, ACTION_FIELDS)  # the page's ModelForm wrote the new ones on it
    for name, value in fields.items():
        setattr(action, name, value)
    _check_action(plan, action)
    action.full_clean()
    action.save()
    if history_diff(plan=plan, by=by, what=_("Insats"), obj=action, before=before, fields=ACTION_FIELDS):
        _notify_responsible(action, by)
    return action


@transaction.atomic
def action_complete(*, plan, action, by, follow_up=""):
    """Mark an open action done, with a follow-up note (a referral's follow-up action when the
    referral moves on). Only the status and the note change, so it is allowed whoever is
    responsible now; an action already done or cancelled is left as it is (returns None)."""
    require_may_change(plan)
    if action.plan_id != plan.pk:
        raise ValidationError(_("Insatsen hör inte till planen."))
    action = Action.objects.select_for_update().filter(pk=action.pk, status__in=Action.OPEN_STATUSES).first()
    if action is None:
        return None
    before = snapshot(action, ACTION_FIELDS)
    action.status = Action.Status.DONE
    action.follow_up = (follow_up or "").strip()
    action.full_clean(exclude=[f.name for f in Action._meta.fields if f.name not in ("status", "follow_up")])
    action.save(update_fields=["status", "follow_up"])
    history_diff(plan=plan, by=by, what=_("Insats"), obj=action, before=before, fields=ACTION_FIELDS)
    return action
