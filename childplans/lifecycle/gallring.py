"""The gallring run: removes what is due, irreversibly and completely, one plan at a time.

For each plan ``policy.due_plans`` names, in its own transaction:

1. the plan is locked (``select_for_update(skip_locked=True)``: a plan another run or a person
   is working on is left for the next night) and the decision is taken again inside the lock
   (a legal hold set a moment ago wins);
2. every row of every model ``graph.child_data_models()`` derives for the plan is deleted —
   dependants before what they depend on — with the files they name (after commit), the rows
   of any other table that keeps the plan's number in a plain column (``graph.id_references``;
   not the audit log, which has its own retention, ``portal.audit.audit_prune``) and the
   outbox rows whose key names one of the plan's rows (``OUTBOX_KEYS``);
3. the child and its guardians go too when the child has no plan left;
4. a ``GallringReceipt`` (rule, plan number, time, rows per model — no personal data) and an
   audit row are written in the same transaction.

A run killed anywhere leaves every plan whole or gone; a plan with a receipt is gone, so a
rerun is a no-op for it."""

import logging
from collections import Counter

from django.apps import apps
from django.db import DatabaseError, models, transaction
from django.utils import timezone

from childplans.models import Child, ChildPlan
from portal.audit import audit_record
from portal.models import AuditEvent, OutboundEmail

from . import policy
from .graph import child_data_models, id_references
from .models import GallringReceipt

logger = logging.getLogger(__name__)

# The outbox keys (``object_key="<prefix>:<pk>"``) that name a row of a child's data, by the
# model the number belongs to. tests/childplans/lifecycle/test_gallring.py scans every
# ``object_key=`` in the code: a new prefix must be named here or in NOT_CHILD_OUTBOX_KEYS.
OUTBOX_KEYS = {
    "action": "childplans.Action",
    "consent": "childplans.Consent",  # the consent reminders (issue 19 part 1, on main)
    "handover": "childplans.ContactHandover",
    "referral": "referrals.Referral",
    "review": "childplans.Review",
    "teammeeting": "teammeetings.TeamMeeting",
}
NOT_CHILD_OUTBOX_KEYS = {"activity", "invitation", "meeting", "membership", "organisation"}

# Tables that keep a plan's or a child's number in a plain column and are not removed by
# gallring: the audit log (its own retention).
KEPT_ID_REFERENCES = {AuditEvent}


def _deletion_order(entries):
    """``entries`` sorted so that a model comes before every model it has a key to."""
    models_ = {e.model: e for e in entries}
    order, seen = [], set()

    def visit(model, path=()):
        if model in seen or model in path:
            return
        # the models that point at ``model`` go first
        for other in models_:
            if other is not model and any(
                (f.many_to_one or f.one_to_one) and f.concrete and f.related_model is model
                for f in other._meta.get_fields()
            ):
                visit(other, path + (model,))
        seen.add(model)
        order.append(models_[model])

    for entry in entries:
        visit(entry.model)
    return order


def _delete(queryset, counts):
    """Delete the rows (and, after commit, the files they name); add the counts by label."""
    model = queryset.model
    file_fields = [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
    pks = list(queryset.values_list("pk", flat=True))
    if not pks:
        return
    rows = model._base_manager.filter(pk__in=pks)
    for field in file_fields:
        for name in rows.exclude(**{field.name: ""}).values_list(field.name, flat=True):
            transaction.on_commit(lambda storage=field.storage, name=name: storage.delete(name))
    _total, by_label = rows.delete()
    counts.update({label: n for label, n in by_label.items() if n})


class Graph:
    """What a run needs from the model graph, derived once per run (the walk is not free)."""

    def __init__(self):
        entries = child_data_models()
        by_model = {e.model: e for e in entries}
        self.plan_entries = _deletion_order([e for e in entries if e.root is ChildPlan])
        self.child_entries = _deletion_order([e for e in entries if e.root is Child])
        self.outbox = [(prefix, by_model[apps.get_model(label)]) for prefix, label in OUTBOX_KEYS.items()]
        self.id_refs = [(m, field, root) for m, field, root in id_references() if m not in KEPT_ID_REFERENCES]


def _outbox_keys(graph, plan):
    keys = []
    for prefix, entry in graph.outbox:
        keys += [f"{prefix}:{pk}" for pk in entry.rows_for(plan).values_list("pk", flat=True)]
    return keys


def remove_plan(plan_id, today=None, graph=None):
    """Remove plan ``plan_id`` if it is due (decided again under its lock); returns the receipt,
    or None when the plan is gone, locked by someone else or no longer due."""
    today = today or timezone.localdate()
    graph = graph or Graph()
    with transaction.atomic():
        plan = ChildPlan.objects.select_for_update(skip_locked=True).filter(pk=plan_id).first()
        if plan is None:
            return None
        decision = policy.decision_for(plan_id)
        if decision is None or not decision.is_due(today):
            return None
        child_id = plan.child_id
        counts = Counter()
        outbox = OutboundEmail.objects.filter(object_key__in=_outbox_keys(graph, plan))
        _delete(outbox, counts)
        for model, field, root in graph.id_refs:
            if root is ChildPlan:
                _delete(model._base_manager.filter(**{field: plan_id}), counts)
        for entry in graph.plan_entries:
            _delete(entry.rows_for(plan), counts)
        if not ChildPlan.objects.filter(child_id=child_id).exists():
            child = Child(pk=child_id)
            for model, field, root in graph.id_refs:
                if root is Child:
                    _delete(model._base_manager.filter(**{field: child_id}), counts)
            for entry in graph.child_entries:
                _delete(entry.rows_for(child), counts)
        receipt = GallringReceipt.objects.create(
            rule=f"{decision.rule.key}: {decision.rule.source}"[:100], plan_number=plan_id, counts=dict(sorted(counts.items()))
        )
        audit_record(
            action=AuditEvent.Action.DELETE, event="gallring.plan_removed", obj=receipt, plan_id=plan_id,
            child_id=child_id, detail={"rule": decision.rule.key, "due_on": decision.due_on.isoformat()},
        )
    return receipt


def run(today=None):
    """Remove every plan due today; returns ``{"removed": n, "skipped": n, "failed": n}``. A plan
    whose removal fails (a database error) is left whole and logged by number; the others go."""
    today = today or timezone.localdate()
    result = Counter(removed=0, skipped=0, failed=0)
    graph = Graph()
    for decision in policy.due_plans(today):
        try:
            receipt = remove_plan(decision.plan_id, today, graph)
        except DatabaseError:
            logger.exception("gallring: plan %s could not be removed; left whole", decision.plan_id)
            result["failed"] += 1
            continue
        result["removed" if receipt is not None else "skipped"] += 1
    return dict(result)
