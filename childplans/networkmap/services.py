"""Writes to the network map, in the style of ``childplans.services``: keyword-only arguments
and the acting user (``by``), ``full_clean``, ``transaction.atomic``, ``ValidationError`` with a
Swedish message and then nothing changed. Each is a change to the plan
(``childplans/changes.py``): refused on a plan that may no longer change, written to the plan's
history; the request's audit row is written by the page's base view (``PlanAccessMixin``).
Contact details are never written to the history."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from childplans.changes import history_add, history_diff, require_may_change, saved_values

from .models import Closeness, CostlyAction, MapPerson, MapVersion, NetworkMeeting

PERSON_FIELDS = [
    "name", "relation", "sector", "closeness", "quality", "support_practical", "support_emotional",
    "can_step_in", "phone", "contact", "named_by_child",
]
# Shown in the plan's history (contact details are left out: they stay on the map only).
HISTORY_FIELDS = [
    "name", "relation", "sector", "closeness", "quality", "support_practical", "support_emotional",
    "can_step_in", "named_by_child",
]
SNAPSHOT_FIELDS = HISTORY_FIELDS
# How recent a network meeting and a map update must be for the network to count as explored
# before a costly action (days).
EXPLORED_WITHIN_DAYS = getattr(settings, "NETWORKMAP_EXPLORED_WITHIN_DAYS", 90)
FAMILY_COUNCIL_QUESTIONS = (3, 5)
CHILD_CONSENT_AGE = 15


def _check_person(person):
    errors = {}
    if not (person.name or "").strip():
        errors["name"] = _("Skriv personens namn.")
    if person.closeness not in Closeness.values:
        errors["closeness"] = _("Välj en av de tre cirklarna: närmast, nära eller längre ifrån.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def person_add(*, plan, by, **fields):
    require_may_change(plan)
    person = MapPerson(plan=plan, **fields)
    person.name = (person.name or "").strip()
    _check_person(person)
    person.full_clean()
    person.save()
    history_add(plan=plan, by=by, what=_("Nätverkskarta: person tillagd"), field=_("person"),
                new=f"{person.name} ({person.relation})")
    return person


@transaction.atomic
def person_update(*, plan, person, by, **fields):
    require_may_change(plan)
    if person.plan_id != plan.pk:
        raise ValidationError(_("Personen finns inte på den här planens karta."))
    before = saved_values(person, HISTORY_FIELDS)  # the page's ModelForm wrote the new ones on it
    for name, value in fields.items():
        setattr(person, name, value)
    person.name = (person.name or "").strip()
    _check_person(person)
    person.full_clean()
    person.save()
    history_diff(plan=plan, by=by, what=_("Nätverkskarta: %(name)s") % {"name": person.name}, obj=person,
                 before=before, fields=HISTORY_FIELDS)
    return person


@transaction.atomic
def person_leave(*, plan, person, by, left_on, note=""):
    """The person is no longer in the child's life: kept (with history and versions), not drawn."""
    require_may_change(plan)
    if person.plan_id != plan.pk:
        raise ValidationError(_("Personen finns inte på den här planens karta."))
    if person.left_on is not None:
        raise ValidationError(_("Personen är redan markerad som inte längre i barnets liv."))
    if left_on > timezone.localdate():
        raise ValidationError({"left_on": _("Datumet kan inte ligga i framtiden.")})
    person.left_on = left_on
    person.left_note = note
    person.full_clean()
    person.save()
    history_add(plan=plan, by=by, what=_("Nätverkskarta: inte längre i barnets liv"), field=_("person"),
                old=f"{person.name} ({person.relation})", new=str(left_on))
    return person


@transaction.atomic
def person_remove(*, plan, person, by):
    """Delete a person entered by mistake. Someone who took part in a meeting stays: mark them
    as no longer in the child's life instead."""
    require_may_change(plan)
    if person.plan_id != plan.pk:
        raise ValidationError(_("Personen finns inte på den här planens karta."))
    if person.meetings.exists() or NetworkMeeting.objects.filter(support_person=person).exists():
        raise ValidationError(
            _("Personen har deltagit i ett nätverksmöte och kan inte tas bort. Markera i stället att "
              "personen inte längre finns i barnets liv.")
        )
    label = f"{person.name} ({person.relation})"
    person.delete()
    history_add(plan=plan, by=by, what=_("Nätverkskarta: person borttagen"), field=_("person"), old=label)


def snapshot_of(people):
    return [
        {"id": p.pk, **{name: (int(getattr(p, name)) if name == "closeness" else getattr(p, name))
                        for name in SNAPSHOT_FIELDS}}
        for p in people
    ]


@transaction.atomic
def version_save(*, plan, by, phase, child_took_part, child_part_how="", saved_on=None):
    """Save the current map as a dated version at a phase, with the child's part in it."""
    require_may_change(plan)
    people = list(MapPerson.objects.filter(plan=plan, left_on__isnull=True).order_by("pk"))
    version = MapVersion(
        plan=plan, phase=phase, saved_on=saved_on or timezone.localdate(), child_took_part=child_took_part,
        child_part_how=child_part_how, people=snapshot_of(people), saved_by=by,
    )
    if version.saved_on and version.saved_on > timezone.localdate():
        raise ValidationError({"saved_on": _("Datumet kan inte ligga i framtiden.")})
    version.full_clean()
    version.save()
    history_add(plan=plan, by=by, what=_("Nätverkskarta: version sparad"), field=_("fas"),
                new=f"{version.get_phase_display()} {version.saved_on}")
    return version


def compare(old_people, new_people):
    """What changed between two snapshots (lists of dicts with "id"): added, left, moved closer,
    moved further, and who stayed in the same circle."""
    old = {p["id"]: p for p in old_people}
    new = {p["id"]: p for p in new_people}
    added = [new[i] for i in new if i not in old]
    left = [old[i] for i in old if i not in new]
    closer, further, same = [], [], []
    for i in new:
        if i in old:
            before, after = old[i]["closeness"], new[i]["closeness"]
            row = {**new[i], "closeness_before": before}
            (closer if after < before else further if after > before else same).append(row)
    key = lambda p: (p["closeness"], p["name"].lower())  # noqa: E731
    return {
        "added": sorted(added, key=key), "left": sorted(left, key=key), "closer": sorted(closer, key=key),
        "further": sorted(further, key=key), "same": sorted(same, key=key),
    }


# --- network meetings and familjeråd ----------------------------------------------------------


def _age_on(birth_date, day):
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def _check_meeting(plan, meeting, participants, invitees, actions):
    errors = {}
    people_ids = set(MapPerson.objects.filter(plan=plan).values_list("pk", flat=True))
    if any(p.pk not in people_ids for p in participants):
        errors["participants"] = _("Deltagarna måste finnas på barnets nätverkskarta.")
    if any(p.pk not in people_ids for p in invitees):
        errors["invitees_chosen_by_child"] = _("De inbjudna måste finnas på barnets nätverkskarta.")
    if meeting.support_person_id and meeting.support_person_id not in people_ids:
        errors["support_person"] = _("Stödpersonen måste finnas på barnets nätverkskarta.")
    if any(a.plan_id != plan.pk for a in actions):
        errors["actions"] = _("Välj insatser ur den här planen.")
    if meeting.held_on and meeting.held_on > timezone.localdate():
        errors["held_on"] = _("Anteckna mötet när det har hållits: datumet kan inte ligga i framtiden.")
    if meeting.follow_up_on and meeting.held_on and meeting.follow_up_on <= meeting.held_on:
        errors["follow_up_on"] = _("Uppföljningen måste ligga efter mötet.")
    if meeting.kind == NetworkMeeting.Kind.FAMILY_COUNCIL:
        if not meeting.coordinator_name.strip():
            errors["coordinator_name"] = _("Ett familjeråd leds av en neutral samordnare: skriv namnet.")
        if not meeting.guardians_consent:
            errors["guardians_consent"] = _("Ett familjeråd kräver vårdnadshavarnas samtycke.")
        low, high = FAMILY_COUNCIL_QUESTIONS
        if not low <= len(meeting.question_list) <= high:
            errors["questions"] = _("Skriv 3–5 frågor som familjen ska besvara, en per rad.")
        child = plan.child
        if meeting.held_on and _age_on(child.birth_date, meeting.held_on) >= CHILD_CONSENT_AGE \
                and not meeting.child_consent:
            errors["child_consent"] = _("Barnet har fyllt 15 år: barnets eget samtycke krävs.")
        if meeting.support_person_id and participants and meeting.support_person_id not in {
            p.pk for p in participants
        }:
            errors["support_person"] = _("Stödpersonen ska också vara med bland deltagarna.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def meeting_record(*, plan, by, participants=(), invitees_chosen_by_child=(), actions=(), **fields):
    require_may_change(plan)
    meeting = NetworkMeeting(plan=plan, recorded_by=by, **fields)
    participants, invitees, actions = list(participants), list(invitees_chosen_by_child), list(actions)
    _check_meeting(plan, meeting, participants, invitees, actions)
    meeting.full_clean()
    meeting.save()
    meeting.participants.set(participants)
    meeting.invitees_chosen_by_child.set(invitees)
    meeting.actions.set(actions)
    history_add(plan=plan, by=by, what=_("Nätverksmöte antecknat"), field=_("slag"),
                new=f"{meeting.get_kind_display()} {meeting.held_on}")
    return meeting


# --- costly actions -----------------------------------------------------------------------------


def is_explored(last_meeting_on, last_update_on, today=None):
    """The rule: the network counts as explored when a network meeting or familjeråd was held
    and the map was updated (a person changed or a version saved), both within
    ``EXPLORED_WITHIN_DAYS``."""
    since = (today or timezone.localdate()) - timedelta(days=EXPLORED_WITHIN_DAYS)
    return bool(last_meeting_on and last_meeting_on >= since and last_update_on and last_update_on >= since)


def last_map_update(last_person_change, last_version_on):
    """The day the map was last updated: a person changed (a datetime) or a version saved."""
    updates = [d for d in (timezone.localdate(last_person_change) if last_person_change else None,
                           last_version_on) if d]
    return max(updates) if updates else None


def network_explored(plan, today=None):
    """Whether ``plan``'s network has been explored recently enough for a costly action
    (``is_explored``). Returns (explored, last meeting date, last map update)."""
    last_meeting = (
        NetworkMeeting.objects.filter(plan=plan).order_by("-held_on").values_list("held_on", flat=True).first()
    )
    last_person = (
        MapPerson.objects.filter(plan=plan).order_by("-updated_at").values_list("updated_at", flat=True).first()
    )
    last_version = (
        MapVersion.objects.filter(plan=plan).order_by("-saved_on").values_list("saved_on", flat=True).first()
    )
    last_update = last_map_update(last_person, last_version)
    return is_explored(last_meeting, last_update, today), last_meeting, last_update


@transaction.atomic
def action_mark_costly(*, plan, action, by, reason=""):
    require_may_change(plan)
    if action.plan_id != plan.pk:
        raise ValidationError({"action": _("Välj en insats ur den här planen.")})
    if CostlyAction.objects.filter(action=action).exists():
        raise ValidationError({"action": _("Insatsen är redan markerad som kostsam.")})
    explored, _meeting, _update = network_explored(plan)
    reason = reason.strip()
    if not explored and not reason:
        raise ValidationError(
            {"reason": _("Nätverket är inte utforskat (nätverksmöte eller familjeråd och uppdaterad karta "
                         "inom %(days)s dagar). Skriv varför insatsen ändå planeras.") % {
                "days": EXPLORED_WITHIN_DAYS}}
        )
    costly = CostlyAction(action=action, plan=plan, network_explored=explored, reason=reason, marked_by=by)
    costly.full_clean()
    costly.save()
    history_add(plan=plan, by=by, what=_("Insats markerad som kostsam"), field=_("insats"), new=str(action))
    return costly
