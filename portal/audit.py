"""Writing the audit log. The only code path that touches AuditEvent: insert, never update."""

from .models import AuditEvent


def client_ip(request):
    """The client's address: REMOTE_ADDR, or the address the trusted proxy saw."""
    if request is None:
        return None
    from django.conf import settings

    hops = getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        parts = [p.strip() for p in forwarded.split(",") if p.strip()]
        if len(parts) >= hops:
            return parts[-hops]
    return request.META.get("REMOTE_ADDR") or None


def audit_record(*, action, request=None, user=None, obj=None, organisation="", detail=None):
    """Insert one audit row. Raises if the insert fails, so the caller's request fails too."""
    if user is None and request is not None and getattr(request, "user", None) is not None:
        if request.user.is_authenticated:
            user = request.user
    return AuditEvent.objects.create(
        action=action,
        user=user if user is not None and user.pk else None,
        user_label=(user.email if user is not None and user.pk else ""),
        organisation_label=str(organisation or ""),
        object_type=(obj._meta.label_lower if obj is not None else ""),
        object_id=(str(obj.pk) if obj is not None else ""),
        request_id=getattr(request, "request_id", "") if request is not None else "",
        ip_address=client_ip(request),
        detail=detail or {},
    )


def audit_record_child(
    *, action, request=None, user=None, plan_id=None, child_id=None, obj=None, organisation="", detail=None
):
    """Insert one audit row about child data (SECURITY.md 5): as ``audit_record`` plus the plan
    and child ids. ``detail`` must hold ids and codes only, never names or personnummer."""
    if user is None and request is not None and getattr(request, "user", None) is not None:
        if request.user.is_authenticated:
            user = request.user
    return AuditEvent.objects.create(
        action=action,
        user=user if user is not None and user.pk else None,
        user_label=(user.email if user is not None and user.pk else ""),
        organisation_label=str(organisation or "")[:300],
        object_type=(obj._meta.label_lower if obj is not None else ""),
        object_id=(str(obj.pk) if obj is not None else ""),
        request_id=getattr(request, "request_id", "") if request is not None else "",
        ip_address=client_ip(request),
        detail=detail or {},
        plan_id=plan_id,
        child_id=child_id,
    )
