"""The wellbeing wheel's assessments, the child's and guardians' voices, goals and actions
(a costly action goes through the network map's check)."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from portal.forms import id_from
from portal.models import AuditEvent

from .. import selectors, services
from ..access import PlanAccessMixin, PlanFormView
from ..forms import (
    ActionForm,
    AssessmentForm,
    GoalForm,
    VoiceForm,
)
from ..models import Action, Assessment, PlanVoice
from ..networkmap.services import EXPLORED_WITHIN_DAYS, action_mark_costly, network_explored
from ..svg import wheel_svg_safe

AuditAction = AuditEvent.Action


class AssessmentListView(PlanAccessMixin, TemplateView):
    template_name = "childplans/assessments.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        assessments = list(
            Assessment.objects.filter(plan=self.plan).select_related("assessed_by").order_by("-assessed_on", "-pk")
        )
        for index, a in enumerate(assessments):
            previous = assessments[index + 1].areas if index + 1 < len(assessments) else None
            a.rows = selectors.assessment_rows(a.areas, previous)
            a.wheel = wheel_svg_safe(a.areas, title_id=f"wheel-title-{a.pk}")
        ctx.update(plan=self.plan, assessments=assessments)
        return ctx


class AssessmentCreateView(PlanFormView):
    template_name = "childplans/assessment_form.html"
    form_class = AssessmentForm
    plan_form = False
    change_action = AuditAction.CREATE

    def perform(self, form):
        return services.assessment_record(
            plan=self.plan, by=self.request.user, assessed_on=form.cleaned_data["assessed_on"], areas=form.areas()
        )

    success_message = property(lambda self: _("Bedömningen är sparad."))


class VoiceView(PlanFormView):
    template_name = "childplans/voice.html"
    form_class = VoiceForm
    plan_form = False
    writes = "post"

    def get_initial(self):
        current = PlanVoice.objects.filter(plan=self.plan, version=self.plan.version).first()
        self.current_voice = current
        return {"child_voice": current.child_voice, "guardians_views": current.guardians_views} if current else {}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["voices"] = list(PlanVoice.objects.filter(plan=self.plan).select_related("recorded_by"))
        return ctx

    def perform(self, form):
        return services.voice_save(plan=self.plan, by=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return reverse("childplans:voice", kwargs={"plan_pk": self.plan.pk})

    success_message = property(lambda self: _("Barnets röst och vårdnadshavarnas synpunkter är sparade."))


class GoalAddView(PlanFormView):
    template_name = "childplans/goal_form.html"
    form_class = GoalForm
    plan_form = False
    change_action = AuditAction.CREATE

    def perform(self, form):
        return services.goal_add(plan=self.plan, by=self.request.user, **form.cleaned_data)

    success_message = property(lambda self: _("Målet är sparat."))


class ActionAddView(PlanFormView):
    template_name = "childplans/action_form.html"
    form_class = ActionForm
    change_action = AuditAction.CREATE

    def get_initial(self):
        initial = {"starts_on": timezone.localdate()}
        goal = id_from(self.request.GET, "mal")
        if goal is not None:
            initial["goal"] = goal
        return initial

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        explored, last_meeting, last_update = network_explored(self.plan)
        ctx.update(
            network_explored=explored, last_network_meeting=last_meeting,
            last_map_update=last_update, explored_within_days=EXPLORED_WITHIN_DAYS,
        )
        return ctx

    def split_costly(self, form):
        data = dict(form.cleaned_data)
        return data, data.pop("costly", False), data.pop("costly_reason", "")

    def mark_costly(self, action, costly, reason):
        """A costly action goes through the network map's check: the network explored
        recently, or a reason (networkmap.services.action_mark_costly)."""
        if not costly:
            return
        try:
            action_mark_costly(plan=self.plan, action=action, by=self.request.user, reason=reason)
        except ValidationError as exc:
            errors = exc.error_dict if hasattr(exc, "error_dict") else {"costly": exc.error_list}
            raise ValidationError(
                {("costly_reason" if field == "reason" else "costly"): e for field, e in errors.items()}
            ) from exc

    def perform(self, form):
        data, costly, reason = self.split_costly(form)
        action = services.action_add(plan=self.plan, by=self.request.user, **data)
        self.mark_costly(action, costly, reason)
        return action

    success_message = property(lambda self: _("Insatsen är sparad."))


class ActionUpdateView(ActionAddView):
    change_action = AuditAction.UPDATE

    def get_form_kwargs(self):
        self.action = get_object_or_404(Action, plan=self.plan, pk=self.kwargs["action_pk"])
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.action
        return kwargs

    def get_initial(self):
        return {}

    def perform(self, form):
        data, costly, reason = self.split_costly(form)
        action = services.action_update(plan=self.plan, action=self.action, by=self.request.user, **data)
        self.mark_costly(action, costly, reason)
        return action
