"""The one page outside a plan: the answer page behind a team meeting's e-mail links. Public, its
token is the key; GET shows the question and only POSTing its button records the answer (safe
from link scanners). A professional's page shows no child data; a guardian's shows the child's
first name, the time, the place and who is invited."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from childplans.access import no_store
from childplans.changes import may_change
from meetings.models import hash_token
from portal.audit import audit_record
from portal.forms import apply_validation_error
from portal.models import AuditEvent

from .. import selectors, services
from ..emails import genitive
from ..forms import AnswerForm
from ..models import AnswerToken

AuditAction = AuditEvent.Action

# --- the public answer page -------------------------------------------------------------------------


def _invitee_for_token(meeting_pk, token):
    """The invitee a link belongs to, or 404: an unknown or tampered token, one of another meeting,
    a meeting cancelled, closed or over, a closed plan, and a member who no longer gives access
    to the plan (removed from the team, consent withdrawn, left the organisation)."""
    if not token or len(token) > 100:
        raise Http404
    link = (
        AnswerToken.objects.select_related(
            "invitee", "invitee__meeting", "invitee__meeting__plan", "invitee__meeting__plan__child",
            "invitee__meeting__plan__contact_person", "invitee__team_member__user", "invitee__guardian",
        )
        .filter(token_hash=hash_token(token))
        .first()
    )
    if link is None or link.invitee.meeting_id != meeting_pk:
        raise Http404
    invitee = link.invitee
    meeting = invitee.meeting
    if not meeting.is_open_for_answers or not may_change(meeting.plan) or not services.invitee_is_valid(invitee):
        raise Http404
    return invitee


@login_not_required
@never_cache
def answer(request, meeting_pk, token):
    invitee = _invitee_for_token(meeting_pk, token)
    meeting = invitee.meeting
    if request.method == "POST":
        form = AnswerForm(request.POST)
        if form.is_valid():
            try:
                invitee = services.invitee_answer(invitee=invitee, response=form.cleaned_data["response"])
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                return no_store(render(request, "teammeetings/answer_done.html", {
                    "meeting": meeting, "invitee": invitee, "for_guardian": invitee.is_guardian,
                    "child_genitive": genitive(meeting.plan.child.given_name) if invitee.is_guardian else "",
                }))
    else:
        preset = {"ja": "yes", "nej": "no"}.get(request.GET.get("svar"))
        form = AnswerForm(initial={"response": preset or (invitee.response if invitee.response != "pending" else None)})
    ctx = {"meeting": meeting, "invitee": invitee, "form": form, "for_guardian": invitee.is_guardian,
           "preset": form.initial.get("response") if not form.is_bound else form.data.get("response")}
    if invitee.is_guardian:
        # The child's first name, the time, the place and who is invited: a read of child data
        # by the guardian, logged like any other (ids and codes only).
        ctx.update(child_genitive=genitive(meeting.plan.child.given_name), people=selectors.invitees_of(meeting),
                   contact=meeting.plan.contact_person)
        if request.method == "GET":
            audit_record(action=AuditAction.VIEW, event="teammeeting.answer_page", request=request, obj=invitee,
                         plan_id=meeting.plan_id, child_id=meeting.plan.child_id,
                         detail={"meeting_id": meeting.pk, "through": "link", "invitee": "guardian"})
    return no_store(render(request, "teammeetings/answer.html", ctx))

