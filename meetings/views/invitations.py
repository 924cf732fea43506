"""Inviting people to a meeting, the coordinator's list of answers, and answering: in the portal,
or on the public page behind the e-mail's links. That page is safe from link scanners: GET shows
the question, only POSTing its button records an answer."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView, View

from portal.audit import audit_record
from portal.exports import csv_response
from portal.forms import apply_validation_error, error_text, id_from
from portal.models import AuditEvent

from .. import selectors, services
from ..access import MeetingAccessMixin
from ..forms import (
    AnswerForm,
    AnswersFilterForm,
    InviteesForm,
    InviteForm,
)
from ..models import Invitation, RsvpToken, hash_token


class InviteView(MeetingAccessMixin, TemplateView):
    """Review who gets invited (members by default, optionally the regional or local
    networks' members, plus guests), then press send."""

    meeting_role = "coordinator"
    template_name = "meetings/invite.html"

    def get_context_data(self, form=None, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form = form or InviteForm(network=self.meeting.network)
        flags = {"include_regional": False, "include_local": False}
        if form.is_bound and form.is_valid():
            flags = {k: form.cleaned_data.get(k, False) for k in flags}
        candidates = services.invitation_candidates(self.meeting, **flags)
        ctx.update(
            form=form,
            candidates=candidates,
            new_count=sum(1 for c in candidates if not c["already_invited"]),
            guests=form.cleaned_data.get("guests", []) if form.is_bound and form.is_valid() else [],
        )
        return ctx

    def get(self, request, *args, **kwargs):
        if not self.meeting.is_open_for_answers:
            messages.error(request, _("Mötet är inställt, avslutat eller redan genomfört."))
            return redirect("meeting_detail", pk=self.meeting.pk)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        form = InviteForm(request.POST, network=self.meeting.network)
        chosen = InviteesForm(request.POST)
        if not chosen.is_valid():
            form.add_error(None, chosen.errors["invitee"])
        if not form.is_valid() or request.POST.get("action") != "send":
            return self.render_to_response(self.get_context_data(form=form))
        selected = chosen.cleaned_data["invitee"]
        try:
            count = services.meeting_invite(
                meeting=self.meeting,
                by=request.user,
                user_ids=selected,
                include_regional=form.cleaned_data.get("include_regional", False),
                include_local=form.cleaned_data.get("include_local", False),
                guests=form.cleaned_data["guests"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.render_to_response(self.get_context_data(form=form))
        if count:
            messages.success(request, _("%(count)d inbjudningar skickas nu.") % {"count": count})
        else:
            messages.info(request, _("Ingen ny att bjuda in: alla valda är redan inbjudna."))
        return redirect("meeting_answers", pk=self.meeting.pk)


class AnswersView(MeetingAccessMixin, TemplateView):
    """The coordinator's list: everyone invited, their answers, needs and reasons.

    Paginated (PAGE_SIZE rows), filtered by answer (``?svar=``) and searched by name or e-mail
    (``?q=``). The summary counts and the number of matching rows come from one aggregate query
    over all invitations, so the page makes the same queries for 10 and 2,000 invitees; the CSV
    export stays complete."""

    meeting_role = "coordinator"
    template_name = "meetings/answers.html"
    PAGE_SIZE = 50
    # Coming first, then the waiting list in queue order, the unanswered, those not coming.
    RESPONSE_ORDER = [
        Invitation.Response.YES,
        Invitation.Response.WAITLIST,
        Invitation.Response.PENDING,
        Invitation.Response.NO,
    ]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        filter_form = AnswersFilterForm(self.request.GET)
        answer, search = filter_form.filters()

        matching = Q()
        if answer:
            matching &= Q(response=answer)
        if search:
            matching &= Q(name__icontains=search) | Q(email__icontains=search)

        base = Invitation.objects.filter(meeting=self.meeting).order_by()
        counts = base.aggregate(
            total=Count("pk"),
            matching=Count("pk", filter=matching) if matching else Count("pk"),
            **{r: Count("pk", filter=Q(response=r)) for r in Invitation.Response.values},
        )
        rows = (
            base.filter(matching)
            .select_related("organisation")
            .annotate(
                response_rank=Case(
                    *[When(response=r, then=Value(i)) for i, r in enumerate(self.RESPONSE_ORDER)],
                    default=Value(len(self.RESPONSE_ORDER)),
                    output_field=IntegerField(),
                )
            )
            .order_by("response_rank", "waitlist_position", "name", "email", "pk")
        )
        paginator = Paginator(rows, self.PAGE_SIZE)
        paginator.count = counts["matching"]  # already counted above: no COUNT(*) query of its own
        page = paginator.get_page(self.request.GET.get("page"))  # out of range → the last page

        ctx.update(
            page_obj=page,
            paginator=paginator,
            invitations=page.object_list,
            counts=counts,
            answer=answer,
            search=search,
            filter_form=filter_form,
            answer_choices=[("", _("Alla"))] + list(Invitation.Response.choices),
            is_filtered=bool(answer or search),
        )
        return ctx


class InvitationRemoveView(MeetingAccessMixin, View):
    meeting_role = "coordinator"

    def post(self, request, *args, **kwargs):
        """The answers page's one form: the pressed button names the invitation."""
        invitation = get_object_or_404(Invitation, pk=id_from(request.POST, "invitation"), meeting=self.meeting)
        services.invitation_remove(invitation=invitation, by=request.user)
        messages.success(request, _("Inbjudan till %(name)s är borttagen.") % {"name": invitation.display_name})
        return redirect("meeting_answers", pk=self.meeting.pk)


class InvitationsCsvView(MeetingAccessMixin, View):
    meeting_role = "coordinator"

    def get(self, request, *args, **kwargs):
        invitations = selectors.invitations_for(self.meeting)
        audit_record(action=AuditEvent.Action.EXPORT, request=request, obj=self.meeting, detail={"list": "invitations"})
        rows = (
            (
                i.display_name,
                i.email,
                i.organisation_label,
                i.get_source_display(),
                i.get_response_display(),
                i.waitlist_position or "",
                i.comment,
                i.decline_reason,
                timezone.localtime(i.responded_at).strftime("%Y-%m-%d %H:%M") if i.responded_at else "",
            )
            for i in invitations
        )
        return csv_response(
            f"inbjudna-{self.meeting.pk}.csv",
            [
                _("Namn"),
                _("E-post"),
                _("Organisation"),
                _("Inbjuden som"),
                _("Svar"),
                _("Plats i kön"),
                _("Behov"),
                _("Anledning"),
                _("Svarade"),
            ],
            rows,
        )


class MyAnswerView(MeetingAccessMixin, View):
    """POST only: the logged-in invitee answers (or changes the answer) from the portal."""

    def post(self, request, *args, **kwargs):
        if not self.meeting.my_invitation_id:
            raise Http404
        invitation = Invitation.objects.get(pk=self.meeting.my_invitation_id)
        form = AnswerForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Välj om du kommer eller inte."))
            return redirect("meeting_detail", pk=self.meeting.pk)
        try:
            invitation = services.invitation_answer(invitation=invitation, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _answer_message(invitation))
        next_url = request.POST.get("next")
        if next_url == reverse("dashboard"):
            return redirect(next_url)
        return redirect("meeting_detail", pk=self.meeting.pk)


def _answer_message(invitation):
    if invitation.response == Invitation.Response.YES:
        return _("Tack! Du är anmäld till %(title)s.") % {"title": invitation.meeting.title}
    if invitation.response == Invitation.Response.WAITLIST:
        return _(
            "Mötet är fullt. Du står på väntelistan som nummer %(position)d och får e-post om en plats blir ledig."
        ) % {"position": invitation.waitlist_position}
    return _("Tack för ditt svar. Du har meddelat att du inte kommer till %(title)s.") % {
        "title": invitation.meeting.title
    }


def _invitation_for_token(pk, token):
    """The invitation a link belongs to, or 404: unknown or tampered token, a token of another
    meeting, a cancelled meeting or one that is over."""
    if not token or len(token) > 100:
        raise Http404
    link = (
        RsvpToken.objects.select_related("invitation", "invitation__meeting", "invitation__meeting__network")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if link is None or link.invitation.meeting_id != pk or not link.invitation.meeting.is_open_for_answers:
        raise Http404
    return link.invitation


@login_not_required
@never_cache
def rsvp(request, pk, token):
    invitation = _invitation_for_token(pk, token)
    meeting = invitation.meeting
    if request.method == "POST":
        form = AnswerForm(request.POST)
        if form.is_valid():
            try:
                invitation = services.invitation_answer(invitation=invitation, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return render(
                    request,
                    "meetings/rsvp_done.html",
                    {
                        "meeting": meeting,
                        "invitation": invitation,
                        "message": _answer_message(invitation),
                    },
                )
    else:
        preset = {"ja": Invitation.Response.YES, "nej": Invitation.Response.NO}.get(request.GET.get("svar"))
        form = AnswerForm(
            initial={
                "response": preset or (invitation.response if invitation.response in ("yes", "no") else None),
                "comment": invitation.comment,
                "decline_reason": invitation.decline_reason,
            }
        )
    return render(
        request,
        "meetings/rsvp.html",
        {
            "meeting": meeting,
            "invitation": invitation,
            "form": form,
            "topics": list(meeting.topics.all()),
        },
    )
