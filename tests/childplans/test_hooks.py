"""The plan's core calls the apps built on it through explicit hook lists (childplans/hooks.py):
``consent_withdraw`` and ``plan_close`` call every registered hook inside their transaction, so
what a hook does is kept or rolled back with the change."""

import pytest
from django.utils import timezone

from childplans import hooks, services
from childplans.changes import may_change
from childplans.models import ChildPlan, Consent

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorded():
    """(calls, add): ``add(hook_list, fn)`` registers a hook for this test only."""
    calls = []
    added = []

    def add(hook_list, fn):
        hooks.register(hook_list, fn)
        added.append((hook_list, fn))

    yield calls, add
    for hook_list, fn in added:
        hook_list.remove(fn)


def test_consent_withdraw_calls_the_hooks_in_its_transaction(full_plan, contact, recorded):
    calls, add = recorded
    add(hooks.consent_withdrawn_hooks, lambda **kw: calls.append(("withdrawn", kw["plan"].pk, kw["consent"].pk)))
    services.consent_withdraw(plan=full_plan["plan"], consent=full_plan["consent"], by=contact,
                              withdrawn_on=timezone.localdate())
    assert calls == [("withdrawn", full_plan["plan"].pk, full_plan["consent"].pk)]


def test_a_failing_hook_rolls_the_withdrawal_back(full_plan, contact, recorded):
    _calls, add = recorded

    def fail(**kwargs):
        raise RuntimeError("hook failed")

    add(hooks.consent_withdrawn_hooks, fail)
    with pytest.raises(RuntimeError):
        services.consent_withdraw(plan=full_plan["plan"], consent=full_plan["consent"], by=contact,
                                  withdrawn_on=timezone.localdate())
    assert Consent.objects.get(pk=full_plan["consent"].pk).withdrawn_on is None


def test_plan_close_calls_the_hooks_while_the_plan_may_still_change(full_plan, contact, recorded):
    """Closing is the plan's last change: what hangs on it closes first, through the apps' own
    services (which refuse a plan that may no longer change), then the plan is closed."""
    calls, add = recorded
    add(hooks.plan_closed_hooks, lambda **kw: calls.append(("closing", may_change(kw["plan"]))))
    services.plan_close(plan=full_plan["plan"], by=contact, reason="Målen är nådda.")
    assert calls == [("closing", True)]
    assert ChildPlan.objects.get(pk=full_plan["plan"].pk).is_closed


def test_a_failing_hook_keeps_the_plan_open(full_plan, contact, recorded):
    _calls, add = recorded

    def fail(**kwargs):
        raise RuntimeError("hook failed")

    add(hooks.plan_closed_hooks, fail)
    with pytest.raises(RuntimeError):
        services.plan_close(plan=full_plan["plan"], by=contact, reason="Målen är nådda.")
    assert not ChildPlan.objects.get(pk=full_plan["plan"].pk).is_closed

