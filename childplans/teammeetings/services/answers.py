"""Answers to a call: a member on the meeting's page, anyone called through an e-mail's link.
One audit row per answer (ids and codes only), written here: the link has no plan page around
it."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from childplans.changes import audit_plan, history_add, may_change
from childplans.models import TeamMember
from portal.models import AuditEvent

from ..models import Invitee, TeamMeeting
from .common import invitee_is_valid


@transaction.atomic
def invitee_answer(*, invitee, response, by=None):
    """Record an answer ("yes"/"no"): in the portal (``by``, the member themself) or through an
    e-mail's link (``by`` None). Refused once the meeting is cancelled, closed or over, and for
    a member who no longer gives access to the plan. One audit row (ids and codes only)."""
    if response not in (Invitee.Response.YES, Invitee.Response.NO):
        raise ValidationError({"response": _("Välj om du kommer eller inte.")})
    meeting = TeamMeeting.objects.select_for_update().select_related("plan").get(pk=invitee.meeting_id)
    if not meeting.is_open_for_answers or not may_change(meeting.plan):
        raise ValidationError(_("Det går inte längre att svara på den här kallelsen."))
    invitee = Invitee.objects.select_for_update().get(pk=invitee.pk)
    if not invitee_is_valid(invitee):
        raise ValidationError(_("Det går inte längre att svara på den här kallelsen."))
    previous = invitee.response
    invitee.response = response
    invitee.responded_at = timezone.now()
    invitee.save(update_fields=["response", "responded_at"])
    user = by
    if user is None and invitee.team_member_id:
        user = TeamMember.objects.select_related("user").get(pk=invitee.team_member_id).user
    if previous != response:
        history_add(plan=meeting.plan, by=user, what=_("Svar på kallelse till barnteamets möte"),
                    field=_("vårdnadshavare") if invitee.is_guardian else _("teammedlem"),
                    old=Invitee.Response(previous).label, new=Invitee.Response(response).label)
    audit_plan(
        action=AuditEvent.Action.UPDATE, event="teammeeting.answered", user=user, obj=invitee,
        plan_id=meeting.plan_id, child_id=meeting.plan.child_id,
        detail={"meeting_id": meeting.pk, "from": previous, "to": response,
                "through": "portal" if by is not None else "link",
                "invitee": "guardian" if invitee.is_guardian else "member"},
    )
    return invitee
