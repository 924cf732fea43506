"""The plan's team meetings, calling one, one meeting (and a member's answer there), changing and
cancelling it, the family's preparation and the agenda."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from childplans.access import PlanAccessMixin, PlanFormView
from portal.forms import error_text, id_from

from .. import selectors, services
from ..forms import AgendaAddForm, AnswerForm, CallForm, PrepareForm, UpdateForm
from ..models import AgendaPoint
from .base import AuditAction, MeetingFormView, detail_url

# --- the plan's meetings, calling one -------------------------------------------------------------


class TeamMeetingsView(PlanAccessMixin, TemplateView):
    template_name = "teammeetings/list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(plan=self.plan, meetings=selectors.meetings_of(self.plan), now=timezone.now(),
                   is_contact=self.request.user.pk == self.plan.contact_person_id)
        return ctx


class CallView(PlanFormView):
    """The contact person calls the team (and the family) to a meeting."""

    template_name = "teammeetings/call_form.html"
    form_class = CallForm
    contact_only = True
    change_action = AuditAction.CREATE

    def perform(self, form):
        d = form.cleaned_data
        self.meeting = services.meeting_call(
            plan=self.plan, by=self.request.user, starts_at=d["starts_at"], ends_at=d["ends_at"], place=d["place"],
            video_url=d["video_url"], members=list(d["members"]), guardians=list(d["guardians"]),
            guardians_by_email=d["guardians_by_email"], child_part=d["child_part"],
            child_spokesperson=d["child_spokesperson"],
        )
        return self.meeting

    def get_success_url(self):
        return detail_url(self.plan.pk, self.meeting.pk)

    success_message = property(lambda self: _("Mötet är kallat. Kallelserna skickas nu med en kalenderfil."))


# --- one meeting -------------------------------------------------------------------------------------


class DetailView(MeetingFormView):
    """The meeting: time and place, who is called and their answers, how the child takes part,
    the preparation and the agenda; a called team member answers here (POST)."""

    template_name = "teammeetings/detail.html"
    form_class = AnswerForm
    writes = "post"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        invitees = selectors.invitees_of(self.meeting)
        ctx.update(
            invitees=invitees,
            mine=self.my_invitee(invitees),
            agenda=selectors.agenda_of(self.meeting),
            now=timezone.now(),
        )
        return ctx

    def my_invitee(self, invitees=None):
        invitees = invitees if invitees is not None else selectors.invitees_of(self.meeting)
        return next((i for i in invitees if i.team_member_id and i.team_member.user_id == self.request.user.pk), None)

    def perform(self, form):
        mine = self.my_invitee()
        if mine is None or not mine.still_valid:
            raise ValidationError(_("Du är inte kallad till det här mötet."))
        return services.invitee_answer(invitee=mine, response=form.cleaned_data["response"], by=self.request.user)

    success_message = property(lambda self: _("Ditt svar är sparat."))


class UpdateView(MeetingFormView):
    template_name = "teammeetings/update_form.html"
    form_class = UpdateForm
    contact_only = True
    writes = True

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.meeting
        return kwargs

    def perform(self, form):
        _meeting, self.moved = services.meeting_update(plan=self.plan, meeting=self.meeting, by=self.request.user,
                                                        **form.cleaned_data)
        return self.meeting

    @property
    def success_message(self):
        if self.moved:
            return _("Mötet är ändrat. De kallade får en uppdaterad kalenderfil.")
        return _("Mötet är ändrat.")


class CancelView(MeetingFormView):
    template_name = "teammeetings/cancel.html"
    contact_only = True
    writes = True

    def get_form_class(self):
        return forms.Form

    def perform(self, form):
        return services.meeting_cancel(plan=self.plan, meeting=self.meeting, by=self.request.user)

    success_message = property(lambda self: _("Mötet är inställt. De kallade får ett meddelande som tar bort det ur kalendern."))


class PrepareView(MeetingFormView):
    """Before the meeting, on the guardians' and the child's behalf."""

    template_name = "teammeetings/prepare.html"
    form_class = PrepareForm
    contact_only = "post"
    writes = "post"

    def get_initial(self):
        m = self.get_meeting()
        return {"family_topics": m.family_topics, "not_before_child": m.not_before_child,
                "child_words": m.child_words}

    def perform(self, form):
        return services.preparation_save(plan=self.plan, meeting=self.meeting, by=self.request.user,
                                         **form.cleaned_data)

    def get_success_url(self):
        return reverse("childplans:teammeeting_prepare", kwargs={"plan_pk": self.plan.pk, "meeting_pk": self.meeting.pk})

    success_message = property(lambda self: _("Förberedelsen är sparad."))


class AgendaView(MeetingFormView):
    """The agenda drawn from the plan: the contact person adds points and moves them (a POST with
    ``op`` = up, down or remove and ``point``)."""

    template_name = "teammeetings/agenda.html"
    form_class = AgendaAddForm
    contact_only = "post"
    writes = "post"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["agenda"] = selectors.agenda_of(self.meeting)
        return ctx

    def post(self, request, *args, **kwargs):
        op = request.POST.get("op")
        if op not in ("up", "down", "remove"):
            return super().post(request, *args, **kwargs)
        meeting = self.get_meeting()
        point = get_object_or_404(AgendaPoint, meeting=meeting, pk=id_from(request.POST, "point"))
        try:
            if op == "remove":
                services.agenda_remove(plan=self.plan, meeting=meeting, by=request.user, point=point)
            else:
                services.agenda_move(plan=self.plan, meeting=meeting, by=request.user, point=point, up=op == "up")
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        return redirect(self.get_success_url())

    def perform(self, form):
        return services.agenda_add(plan=self.plan, meeting=self.meeting, by=self.request.user,
                                   title=form.cleaned_data["title"])

    def get_success_url(self):
        return reverse("childplans:teammeeting_agenda", kwargs={"plan_pk": self.plan.pk, "meeting_pk": self.meeting.pk})

    success_message = property(lambda self: _("Dagordningen är sparad."))


