"""Every model that holds data about a child, derived from the models — never listed by hand.

Gallring and the registerutdrag must cover *all* of a child's data. A list written by hand
would forget the next model; so the list is the models' own relations, walked from the two
roots: ``Child`` (the child and its guardians) and ``ChildPlan`` (everything kept under a
plan). A model belongs to the child's data when one of its foreign keys (or one-to-one keys)
leads, through models that belong too, to a root. Each found model comes with the ORM lookups
that reach the root (``plan``, ``meeting__plan``, ``consent__plan``, ``child``), the best first:
a way through keys that cannot be empty, then the shortest; ``rows_for(plan)`` is the model's
rows for that plan.

Models that name a plan or a child by a plain number (the audit log's ``plan_id`` and
``child_id``) are not relations; ``id_references()`` finds them by their field names, so a new
table that keeps a plan's number is found too."""

from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.db.models import Q

from childplans.models import Child, ChildPlan

ID_FIELD_NAMES = {"plan_id": ChildPlan, "child_id": Child}


@dataclass(frozen=True)
class ChildDataModel:
    model: type
    root: type  # Child or ChildPlan
    lookups: tuple  # ORM paths from ``model`` to ``root``, the best first ("" for the root itself)
    certain: bool  # the best path has no nullable key: every row reaches the root through it

    @property
    def label(self):
        return self.model._meta.label

    @property
    def lookup(self):
        return self.lookups[0]

    def rows_for(self, root_obj):
        """``model``'s rows that belong to ``root_obj`` (a Child or a ChildPlan): through the best
        path, or through any of them where every path has a nullable key (a team meeting's
        invitee is a team member *or* a guardian)."""
        manager = self.model._default_manager
        if not self.lookup:
            return manager.filter(pk=root_obj.pk)
        if self.certain:
            return manager.filter(**{self.lookup: root_obj})
        condition = Q()
        for lookup in self.lookups:
            condition |= Q(**{lookup: root_obj})
        return manager.filter(condition).distinct()


def _keys(model):
    """``model``'s own foreign and one-to-one keys."""
    return [f for f in model._meta.get_fields() if (f.many_to_one or f.one_to_one) and f.concrete]


def _paths():
    """For every model that reaches a root: ``{model: (root, [(cost, lookup), ...])}``, cost
    being (nullable keys on the way, keys on the way). A path to ``ChildPlan`` is preferred to
    one to ``Child`` (a plan's rows go with the plan). Relaxed until nothing improves."""
    concrete = [m for m in apps.get_models(include_auto_created=True) if not m._meta.abstract and not m._meta.proxy]
    best = {ChildPlan: (ChildPlan, (0, 0), ""), Child: (Child, (0, 0), "")}

    def rank(root, cost):
        return (root is not ChildPlan, cost)

    changed = True
    while changed:
        changed = False
        for model in concrete:
            if model in (Child, ChildPlan):
                continue
            for field in _keys(model):
                via = best.get(field.related_model)
                if via is None:
                    continue
                root, (nullable, length), lookup = via
                cost = (nullable + int(field.null), length + 1)
                candidate = (root, cost, f"{field.name}__{lookup}" if lookup else field.name)
                if model not in best or rank(root, cost) < rank(best[model][0], best[model][1]):
                    best[model] = candidate
                    changed = True
    paths = {}
    for model, (root, _cost, _lookup) in best.items():
        if model in (Child, ChildPlan):
            paths[model] = (root, [((0, 0), "")])
            continue
        options = []
        for field in _keys(model):
            via = best.get(field.related_model)
            if via is None or via[0] is not root:
                continue
            _root, (nullable, length), lookup = via
            options.append(((nullable + int(field.null), length + 1), f"{field.name}__{lookup}" if lookup else field.name))
        paths[model] = (root, sorted(options))
    return paths


def child_data_models():
    """Every concrete model holding a child's data (many-to-many tables too), each with its
    ways to ``ChildPlan`` where it has one, otherwise to ``Child``; sorted by label."""
    found = []
    for model, (root, options) in _paths().items():
        found.append(ChildDataModel(model, root, tuple(lookup for _cost, lookup in options), options[0][0][0] == 0))
    return sorted(found, key=lambda e: e.label)


def id_references():
    """``(model, field name, root)`` for every integer field named like a plan's or a child's
    number that is not a relation (the audit log keeps them as numbers, so that a removed plan's
    log stays)."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            root = ID_FIELD_NAMES.get(field.attname)
            if root is not None and not field.is_relation and isinstance(field, models.IntegerField):
                found.append((model, field.name, root))
    return found
