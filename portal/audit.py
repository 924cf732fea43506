"""The audit log's one writer (docs/security.md, promises 5 and 6): insert, never update.

``audit_record`` is called by the services that change shared data (networks, memberships,
organisations, stewardship, invitations, meetings, attendance, minutes, the directory), by the
plan pages' access mixin for every read and change of child data, and by the login signals.
It runs in the caller's transaction: if the insert fails, the caller's change fails with it.

Outside a request (a Celery task, a management command) the row has no request id or address;
inside one, the request id and the client's address come from the request that is being
served (``portal.middleware.RequestIdMiddleware`` keeps them for the thread), so a service
need not be handed the request."""

from django.conf import settings

from .assurance import session_level
from .middleware import current_request
from .models import AuditEvent


def client_ip(request):
    """The client's address: REMOTE_ADDR, or the address the trusted proxy saw."""
    if request is None:
        return None
    hops = getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        parts = [p.strip() for p in forwarded.split(",") if p.strip()]
        if len(parts) >= hops:
            return parts[-hops]
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *, action, event="", user=None, request=None, obj=None, organisation="", detail=None, plan_id=None,
    child_id=None,
):
    """Insert one audit row; raises if the insert fails, so the caller's transaction fails too.

    ``action`` is what kind of access it was (AuditEvent.Action), ``event`` names the change
    (e.g. "membership.role_changed"), ``user`` is the acting user (the request's user when not
    given), ``obj`` the row it concerns, ``plan_id``/``child_id`` mark child data. ``detail``
    holds ids and codes only, never names, addresses or personnummer."""
    request = request if request is not None else current_request()
    if user is None and request is not None:
        request_user = getattr(request, "user", None)
        if request_user is not None and request_user.is_authenticated:
            user = request_user
    known = user is not None and user.pk is not None
    request_user = getattr(request, "user", None) if request is not None else None
    # The level of the session that acts (docs/security.md 24): a child-data read names it.
    level = session_level(request) if request_user is not None and request_user.is_authenticated else ""
    return AuditEvent.objects.create(
        action=action,
        event=event,
        user=user if known else None,
        user_label=user.email if known else "",
        organisation_label=str(organisation or "")[:300],
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        request_id=getattr(request, "request_id", "") if request is not None else "",
        ip_address=client_ip(request),
        detail=detail or {},
        plan_id=plan_id,
        child_id=child_id,
        assurance_level=level,
    )


def audit_prune(now=None, batch=None):
    """The audit log's one delete path: rows older than the log's retention
    (``AUDIT_RETENTION_YEARS``, at least five years), oldest first, ``batch`` rows per
    transaction, after dropping the month partitions that lie wholly before the cutoff
    (PostgreSQL). The database trigger (``portal.auditguard``) refuses any younger row, and
    ``drop_partition`` any younger month, so a wrong clock here fails instead of deleting.
    Returns how many rows were removed."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from .auditguard import retention_years

    now = now or timezone.now()
    try:
        cutoff = now.replace(year=now.year - retention_years())
    except ValueError:  # 29 February
        cutoff = now.replace(year=now.year - retention_years(), day=28)
    cutoff -= timedelta(days=1)  # a day's margin for the database's own clock
    batch = batch or getattr(settings, "AUDIT_PRUNE_BATCH", 1000)
    removed = 0
    # PostgreSQL: whole months past the retention go as partitions (portal.partitions; the
    # database's clock must agree); what is left (the default partition, the month the cutoff
    # falls in, and SQLite's one table) goes row by row below.
    from .partitions import drop_partition, expired_partitions

    for name in expired_partitions(cutoff):
        removed += drop_partition(name)
    while True:
        with transaction.atomic():
            pks = list(AuditEvent.objects.filter(at__lt=cutoff).order_by("at", "pk").values_list("pk", flat=True)[:batch])
            if not pks:
                return removed
            removed += AuditEvent.objects.filter(pk__in=pks).delete()[0]
