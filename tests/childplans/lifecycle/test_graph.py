"""The child's data is derived from the models (childplans/lifecycle/graph.py): every model
keyed to a child or a plan is found, with a lookup that really reaches its root."""

import pytest
from django.apps import apps

from childplans.lifecycle.graph import child_data_models, id_references
from childplans.models import Child, ChildPlan
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db


def _labels():
    return {entry.label: entry for entry in child_data_models()}


def test_every_model_keyed_to_a_child_or_a_plan_is_found():
    found = _labels()
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model in (Child, ChildPlan):
                assert model._meta.label in found, model
    # and what hangs on those, one step further: a consent's organisations, a meeting's points
    for label in ("childplans.ConsentOrganisation", "childplans.Guardian", "childplans.Consent"):
        assert label in found
    sub_app_labels = {"networkmap", "teammeetings", "referrals"}
    assert sub_app_labels <= {entry.model._meta.app_label for entry in found.values()}


def test_no_model_outside_the_child_is_taken_for_child_data():
    found = _labels()
    for label in ("portal.User", "networks.Organisation", "networks.Network", "meetings.Meeting", "portal.AuditEvent"):
        model = apps.get_model(label)
        assert model._meta.label not in found


def test_every_row_belongs_to_exactly_one_plan_or_child(demo_plans):
    """On the demo (every plan with what hangs on it): each model's rows, taken plan by plan
    (child by child), are all of its rows, each once — no row is missed, none is counted for
    two plans."""
    plans = list(ChildPlan.objects.all())
    children = list(Child.objects.all())
    assert len(plans) >= 2
    nonempty = 0
    for entry in child_data_models():
        roots = plans if entry.root is ChildPlan else children
        taken = [pk for root in roots for pk in entry.rows_for(root).values_list("pk", flat=True)]
        assert len(taken) == len(set(taken)), entry.label
        assert sorted(taken) == sorted(entry.model._default_manager.values_list("pk", flat=True)), entry.label
        nonempty += bool(taken)
    assert nonempty >= 20


def test_a_plain_number_for_a_plan_or_a_child_is_found():
    refs = {(model, name) for model, name, _ in id_references()}
    assert (AuditEvent, "plan_id") in refs
    assert (AuditEvent, "child_id") in refs
