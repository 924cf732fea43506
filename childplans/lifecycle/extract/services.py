"""Producing a registerutdrag, and the administrator's one way to a plan outside ``visible_to``."""

from django.utils import timezone
from django.utils.translation import gettext as _

from childplans.models import ChildPlan
from portal.audit import audit_record
from portal.models import AuditEvent

from .collect import collect
from .render import build_zip

EVENT = "registerutdrag.produced"


def recipient_label(*, recipient, guardian=None, guardian_name=""):
    """Who the extract is for, as the document names them."""
    if recipient == "guardian":
        return _("vårdnadshavare %(name)s") % {"name": guardian.name if guardian is not None else guardian_name}
    return _("barnet")


def audit_detail(*, extract, recipient, guardian=None, diarienummer=""):
    """Ids and codes only: the plans in it, whom it is for, the request's case number."""
    detail = {"event": EVENT, "plan_ids": [p.pk for p in extract.plans], "recipient": recipient}
    if guardian is not None:
        detail["guardian_id"] = guardian.pk
    if diarienummer:
        detail["diarienummer"] = diarienummer
    return detail


def registerutdrag_produce(*, plan, recipient_text, made_by):
    """(extract, file name, zip bytes) for ``plan``'s child — every plan of the child. The caller
    has reached the plan through ``visible_to`` or ``plan_for_administrator`` and writes the
    EXPORT audit row in the same transaction (the mixin, or ``plan_for_administrator``)."""
    extract = collect(plan=plan, recipient=recipient_text, made_by=made_by)
    name = f"registerutdrag-plan-{plan.pk}-{timezone.localdate():%Y%m%d}.zip"
    return extract, name, build_zip(extract)


def plan_for_administrator(*, plan_pk, user, diarienummer):
    """The plan ``plan_pk`` for an administrator answering a request for a registerutdrag (the
    request's ``diarienummer``), or None. The ONE place outside ``ChildPlan.objects.visible_to``
    that fetches a plan: only for an active staff member, and every fetch is audited (an
    EXPORT row naming the plan, the child and the case number) in the caller's transaction."""
    if user is None or not (user.is_active and user.is_staff):
        return None
    plan = ChildPlan.objects.select_related("child", "owner_organisation", "contact_person").filter(pk=plan_pk).first()
    if plan is None:
        return None
    audit_record(
        action=AuditEvent.Action.EXPORT,
        event=EVENT,
        user=user,
        obj=plan,
        organisation="",
        plan_id=plan.pk,
        child_id=plan.child_id,
        detail={"event": EVENT, "diarienummer": diarienummer, "by": "administrator"},
    )
    return plan
