"""A change to a plan, in one place: may the plan still change, what its history keeps, and the
audit row that names a plan and its child.

Every service that changes a plan — the plan's own (``childplans.services``), the network map's,
the team meetings', the referrals' — runs in a transaction and

1. starts with ``require_may_change(plan)`` (pages ask ``may_change(plan)``);
2. keeps the plan's history (``PlanChange``: who, when, what, old and new value) with
   ``history_add`` (one row), ``history_created`` (a new object's fields) or ``history_diff``
   (the fields that changed: take ``before = saved_values(obj, fields)`` before changing the
   object, so the old values are the database's even when a page's ModelForm has already
   written the new ones onto the instance);
3. leaves the request's audit row to the page's base view (``childplans.access``), which writes
   it with ``audit_plan`` in the same transaction; a change with no page around it (an answer
   through an e-mail's link) writes its own with ``audit_plan``.

Changes that the plan's core does to the apps on it go through their hooks
(``childplans/hooks.py``), which call those apps' services: the same guard, the same history."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.audit import audit_record

from .models import PlanChange

CLOSED_MESSAGE = gettext_lazy("Planen är avslutad och kan inte ändras.")


# --- may this plan still change -------------------------------------------------------------------


def may_change(plan):
    """Whether ``plan`` may still change: an active plan may; a closed one is read-only."""
    return not plan.is_closed


def require_may_change(plan):
    """Refuse a change to a plan that may no longer change (a ValidationError, nothing changed)."""
    if not may_change(plan):
        raise ValidationError(CLOSED_MESSAGE)


# --- the plan's history ----------------------------------------------------------------------------


def display(obj, name):
    """A field's value as a person reads it in the history: the choice's label, ja/nej, a time in
    Swedish time, "" for nothing."""
    value = getattr(obj, name)
    if value is None or value == "":
        return ""
    if obj._meta.get_field(name).choices:
        return str(getattr(obj, f"get_{name}_display")())
    if isinstance(value, bool):
        return _("ja") if value else _("nej")
    if isinstance(value, datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    return str(value)


def snapshot(obj, fields):
    """``{field: display value}`` of ``obj`` as it is in memory."""
    return {name: display(obj, name) for name in fields}


def saved_values(obj, fields):
    """``{field: display value}`` of ``obj`` as the database holds it now (all "" for an object
    not saved yet): the "before" of ``history_diff``."""
    if obj.pk is None:
        return dict.fromkeys(fields, "")
    saved = type(obj)._default_manager.filter(pk=obj.pk).first()
    return snapshot(saved, fields) if saved is not None else dict.fromkeys(fields, "")


def history_add(*, plan, by, what, field="", old="", new=""):
    """One history row."""
    return PlanChange.objects.create(
        plan=plan, user=by, what=str(what)[:200], field=str(field)[:200], old_value=old, new_value=new
    )


def _label(obj, name):
    return str(obj._meta.get_field(name).verbose_name)[:200]


def history_created(*, plan, by, what, obj, fields):
    """A new object: one row per field with a value."""
    rows = [
        PlanChange(plan=plan, user=by, what=str(what)[:200], field=_label(obj, name), new_value=value)
        for name, value in snapshot(obj, fields).items()
        if value != ""
    ]
    return PlanChange.objects.bulk_create(rows)


def history_diff(*, plan, by, what, obj, before, fields):
    """A changed object: one row per field whose value differs from ``before``
    (``saved_values`` taken before the change)."""
    after = snapshot(obj, fields)
    rows = [
        PlanChange(
            plan=plan, user=by, what=str(what)[:200], field=_label(obj, name),
            old_value=before[name], new_value=after[name],
        )
        for name in fields
        if before[name] != after[name]
    ]
    return PlanChange.objects.bulk_create(rows)


# --- the audit row that names a plan --------------------------------------------------------------


def audit_plan(*, action, plan_id, child_id, request=None, user=None, event="", obj=None, organisation="",
               detail=None):
    """The one audit row of a read or change of a plan's data: the plan's and the child's ids (so
    it is in the plan's access log), the organisation the user acts for, ids and codes in
    ``detail``. Written in the caller's transaction (``portal.audit.audit_record``)."""
    return audit_record(
        action=action, event=event, request=request, user=user, obj=obj, organisation=organisation,
        detail=detail, plan_id=plan_id, child_id=child_id,
    )
