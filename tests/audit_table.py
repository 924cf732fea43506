"""Shared by the service audit tables (tests/networks/test_audit.py, tests/meetings/test_audit.py):
every service that changes shared data writes its audit row with the acting user, in its own
transaction (docs/security.md, promise 5)."""

import inspect

from django.db import transaction

from portal.models import AuditEvent


def changing_services(module, reads=()):
    """The module's public service functions: defined there (or, for a package split by concept,
    in one of its modules), keyword-only arguments, not in ``reads`` (the ones that only read)."""
    found = set()
    for name, fn in inspect.getmembers(module, inspect.isfunction):
        defined_here = fn.__module__ == module.__name__ or fn.__module__.startswith(module.__name__ + ".")
        if not defined_here or name.startswith("_") or name in reads:
            continue
        if any(p.kind == p.KEYWORD_ONLY for p in inspect.signature(fn).parameters.values()):
            found.add(name)
    return found


def assert_audited(call, *, event, user, obj=None, action=None):
    """``call()`` writes an audit row for ``event`` with ``user`` (and ``obj`` when given), and
    the row is part of the service's transaction: when the surrounding transaction is rolled
    back after the call, the row is gone with the change."""
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    result = call()
    rows = [r for r in AuditEvent.objects.exclude(pk__in=before) if r.event == event]
    assert len(rows) == 1, f"{event}: {[(r.event, r.user_id) for r in AuditEvent.objects.exclude(pk__in=before)]}"
    row = rows[0]
    assert row.user_id == user.pk and row.user_label == user.email, (event, row.user_id)
    if obj is not None:
        assert (row.object_type, row.object_id) == (obj._meta.label_lower, str(obj.pk)), event
    if action is not None:
        assert row.action == action, event
    for value in row.detail.values():  # ids and codes only
        assert not isinstance(value, str) or "@" not in value, row.detail
    return result, row


def assert_rolled_back_together(call, event):
    """Run ``call()`` in a transaction that is then rolled back: no row of ``event`` is left."""
    before = AuditEvent.objects.filter(event=event).count()

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            call()
            assert AuditEvent.objects.filter(event=event).count() == before + 1
            raise Rollback
    except Rollback:
        pass
    assert AuditEvent.objects.filter(event=event).count() == before
