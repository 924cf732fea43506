"""The plan page, the child and the guardians, the printable plan and closing the plan. Every
view declares ``PlanAccessMixin`` (childplans/access.py): the plan through
``ChildPlan.objects.visible_to``, 404 otherwise, one audit row per request."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import TemplateView

from portal.models import AuditEvent

from .. import selectors, services
from ..access import PlanAccessMixin, PlanFormView
from ..changes import may_change
from ..forms import (
    SENSITIVE_FIELDS,
    ChildForm,
    CloseForm,
    GuardianForm,
)
from ..lifecycle import policy as gallring_policy
from ..models import Guardian
from ..referrals.selectors import plan_referral_counts
from ..svg import wheel_svg_safe

AuditAction = AuditEvent.Action


class PlanDetailView(PlanAccessMixin, TemplateView):
    template_name = "childplans/plan_detail.html"

    def plan_queryset(self):
        # The referrals' counts come with the plan (childplans.referrals sits on the plan: its
        # selectors are asked here, in the view, never by the plan's core).
        return selectors.plan_page_queryset(more=plan_referral_counts)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        plan = selectors.unpack_plan_page(self.plan)
        team = selectors.current_team(plan)
        ctx.update(
            plan=plan,
            child=plan.child,
            team=team,
            handover_to=next((m.user for m in team if m.user_id == plan.pending_handover_to_id), None),
            goals=selectors.goals_with_actions(plan),
            wheel=wheel_svg_safe(plan.latest_areas) if plan.latest_areas else None,
            area_rows=selectors.assessment_rows(plan.latest_areas, plan.previous_areas),
            is_contact=self.request.user.pk == plan.contact_person_id,
            handover_to_me=plan.pending_handover_to_id == self.request.user.pk,
            today=timezone.localdate(),
            # a closed plan shows when it is removed (gallring), or why it is kept: one query
            gallring=gallring_policy.decision_for(plan.pk) if plan.is_closed else None,
        )
        return ctx


@method_decorator(sensitive_post_parameters(*SENSITIVE_FIELDS), name="dispatch")
class ChildUpdateView(PlanFormView):
    template_name = "childplans/child_form.html"
    form_class = ChildForm
    plan_form = False
    writes = "post"  # the page shows the child and guardians on a closed plan too

    def get_initial(self):
        child = self.plan.child
        return {"given_name": child.given_name, "family_name": child.family_name,
                "birth_date": child.birth_date, "personnummer": child.personnummer}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["guardians"] = list(Guardian.objects.filter(child_id=self.plan.child_id).order_by("name", "pk"))
        ctx["categories"] = list(self.plan.reason_categories.all())
        return ctx

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if not may_change(self.plan):
            for field in form.fields.values():
                field.disabled = True
        return form

    def perform(self, form):
        return services.child_update(plan=self.plan, by=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return reverse("childplans:child_update", kwargs={"plan_pk": self.plan.pk})


@method_decorator(sensitive_post_parameters(*SENSITIVE_FIELDS), name="dispatch")
class GuardianAddView(PlanFormView):
    template_name = "childplans/guardian_form.html"
    form_class = GuardianForm
    plan_form = False
    change_action = AuditAction.CREATE

    def perform(self, form):
        return services.guardian_add(plan=self.plan, by=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return reverse("childplans:child_update", kwargs={"plan_pk": self.plan.pk})


class GuardianUpdateView(GuardianAddView):
    change_action = AuditAction.UPDATE

    def get_form_kwargs(self):
        self.guardian = get_object_or_404(Guardian, child_id=self.plan.child_id, pk=self.kwargs["guardian_pk"])
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.guardian
        return kwargs

    def perform(self, form):
        return services.guardian_update(
            plan=self.plan, guardian=self.guardian, by=self.request.user, **form.cleaned_data
        )


class PrintView(PlanAccessMixin, TemplateView):
    """A clean printable plan in plain Swedish for the family (print stylesheet)."""

    template_name = "childplans/print.html"
    read_action = AuditAction.PRINT

    def plan_queryset(self):
        return selectors.plan_page_queryset()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        plan = selectors.unpack_plan_page(self.plan)
        ctx.update(
            plan=plan,
            child=plan.child,
            guardians=list(Guardian.objects.filter(child_id=plan.child_id).order_by("name", "pk")),
            team=selectors.current_team(plan),
            goals=selectors.goals_with_actions(plan),
            area_rows=selectors.assessment_rows(plan.latest_areas, plan.previous_areas),
            wheel=wheel_svg_safe(plan.latest_areas) if plan.latest_areas else None,
            today=timezone.localdate(),
        )
        return ctx


class CloseView(PlanFormView):
    template_name = "childplans/close.html"
    form_class = CloseForm
    plan_form = False
    contact_only = True

    def perform(self, form):
        return services.plan_close(plan=self.plan, by=self.request.user, reason=form.cleaned_data["reason"])

    success_message = property(lambda self: _("Planen är avslutad. Den kan läsas men inte längre ändras."))
