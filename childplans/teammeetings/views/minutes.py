"""The minutes of a team meeting and the new and changed actions in them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from childplans.changes import may_change
from portal.forms import error_text, id_from

from .. import selectors, services
from ..forms import MinutesActionForm, MinutesForm
from ..models import MinutesAction
from .base import AuditAction, MeetingFormView, detail_url


class MinutesView(MeetingFormView):
    """The minutes: who came, what was said per point, what was decided, the new and changed
    actions, the next meeting; saved as a draft, or closed (``action=close``) into the plan's
    review."""

    template_name = "teammeetings/minutes.html"
    form_class = MinutesForm
    contact_only = "post"
    writes = "post"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        self.invitees = selectors.invitees_of(self.meeting)
        self.agenda = selectors.agenda_of(self.meeting)
        kwargs.update(invitees=self.invitees, points=self.agenda)
        return kwargs

    def get_initial(self):
        m = self.get_meeting()
        return {
            "attended": [str(i.pk) for i in getattr(self, "invitees", [])],
            "child_came": m.child_came, "other_participants": m.other_participants, "decisions": m.decisions,
            "notes": m.notes, "next_meeting_on": m.next_meeting_on, "child_took_part": m.child_took_part,
            "guardians_know_plan": {True: "ja", False: "nej"}.get(m.guardians_know_plan, ""),
            "send_summary": m.send_summary, "guardian_summary": m.guardian_summary,
        }

    def get_form(self, form_class=None):
        kwargs = self.get_form_kwargs()
        initial = kwargs["initial"]
        initial["attended"] = [str(i.pk) for i in self.invitees if i.attended]
        form = self.get_form_class()(**kwargs)
        if not (self.meeting.is_planned and self.request.user.pk == self.plan.contact_person_id and may_change(self.plan)):
            for field in form.fields.values():
                field.disabled = True
        return form

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form = ctx["form"]
        chosen = {str(v) for v in (form["attended"].value() or [])}
        ctx.update(
            invitees=self.invitees,
            points=[(p, form[f"point_{p.pk}"]) for p in self.agenda],
            attended=[(value, text, value in chosen) for value, text in form.fields["attended"].choices],
            actions=selectors.minutes_actions_of(self.meeting),
        )
        return ctx

    def perform(self, form):
        self.closing = self.request.POST.get("action") == "close"
        service = services.minutes_close if self.closing else services.minutes_save
        return service(plan=self.plan, meeting=self.meeting, by=self.request.user, **form.minutes())

    def get_success_url(self):
        if self.closing:
            return detail_url(self.plan.pk, self.meeting.pk)
        return reverse("childplans:teammeeting_minutes", kwargs={"plan_pk": self.plan.pk, "meeting_pk": self.meeting.pk})

    @property
    def success_message(self):
        if self.closing:
            return _("Protokollet är stängt. Uppföljningen, kronologin och insatserna finns nu i planen, och teamet "
                     "har fått ett meddelande.")
        return _("Protokollet är sparat.")


class MinutesActionView(MeetingFormView):
    """A new action, or a change of one, in the minutes (``?insats=<id>`` starts from one of the
    plan's actions); a POST with ``remove=<id>`` takes one out again."""

    template_name = "teammeetings/minutes_action.html"
    form_class = MinutesActionForm
    plan_form = True
    contact_only = True
    writes = True
    change_action = AuditAction.CREATE

    def post(self, request, *args, **kwargs):
        if "remove" not in request.POST:
            return super().post(request, *args, **kwargs)
        meeting = self.get_meeting()
        item = get_object_or_404(MinutesAction, meeting=meeting, pk=id_from(request.POST, "remove"))
        try:
            services.minutes_action_remove(plan=self.plan, meeting=meeting, by=request.user, item=item)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        return redirect(self.get_success_url())

    def get_initial(self):
        initial = {"status": "planerad"}
        action_pk = id_from(self.request.GET, "insats")
        if action_pk is not None:
            action = self.plan.actions.filter(pk=action_pk).first()
            if action is not None:
                initial.update(action=action.pk, goal=action.goal_id, what=action.what,
                               responsible_organisation=action.responsible_organisation_id,
                               responsible_person=action.responsible_person_id, due_on=action.due_on,
                               status=action.status)
        return initial

    def perform(self, form):
        return services.minutes_action_add(plan=self.plan, meeting=self.meeting, by=self.request.user,
                                           **form.cleaned_data)

    def get_success_url(self):
        return reverse("childplans:teammeeting_minutes", kwargs={"plan_pk": self.plan.pk, "meeting_pk": self.meeting.pk})

    success_message = property(lambda self: _("Insatsen finns i protokollet och läggs in i planen när protokollet stängs."))


