"""Plan routes without a single plan ("member" routes): my plans, opening a plan, my actions
and the indicators (counts only, no child data)."""

from django.db import transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView, TemplateView

from networks.models import NetworkMembership, Organisation
from portal.audit import audit_record
from portal.forms import ServiceFormMixin
from portal.kept import kept
from portal.models import AuditEvent

from .. import selectors, services
from ..access import no_store
from ..forms import (
    SENSITIVE_FIELDS,
    PlanOpenForm,
)

AuditAction = AuditEvent.Action


class PlanListView(TemplateView):
    """Barnens planer: the plans I am on the team of. One audit row for the list."""

    template_name = "childplans/plan_list.html"

    def get(self, request, *args, **kwargs):
        plans = list(selectors.plan_list_for(request.user))
        # Rendered outside a transaction, audited before it is sent (as PlanAccessMixin reads).
        response = self.render_to_response(
            self.get_context_data(
                plans=plans,
                may_open=services.plan_keeping_organisations(request.user).exists(),
            )
        )
        response.render()
        if plans:
            with transaction.atomic():
                audit_record(
                    action=AuditAction.VIEW, request=request,
                    detail={"list": "plans", "plan_ids": [p.pk for p in plans]},
                )
        return no_store(response)


@method_decorator(sensitive_post_parameters(*SENSITIVE_FIELDS), name="dispatch")
class PlanCreateView(ServiceFormMixin, FormView):
    template_name = "childplans/plan_form.html"
    form_class = PlanOpenForm
    success_message = gettext_lazy("Planen är öppnad. Registrera vårdnadshavare och samtycke.")

    def dispatch(self, request, *args, **kwargs):
        self.organisations = services.plan_keeping_organisations(request.user)
        if not self.organisations.exists():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["organisations"] = Organisation.objects.filter(
            pk__in=self.organisations.values("organisation_id")
        ).select_related("kommun", "lan")
        kwargs["user"] = self.request.user
        return kwargs

    def perform(self, form):
        data = form.cleaned_data
        plan = services.plan_open(
            by=self.request.user,
            organisation=data["organisation"],
            given_name=data["given_name"],
            family_name=data["family_name"],
            birth_date=data["birth_date"],
            personnummer=data["personnummer"],
            reason=data["reason"],
            categories=data["categories"],
            part=data["part"],
            contact_person=data["contact_person"],
        )
        audit_record(
            action=AuditAction.CREATE, plan_id=plan.pk, child_id=plan.child_id, obj=plan,
            organisation=str(data["organisation"]),
        )
        return plan

    def get_success_url(self):
        return reverse("childplans:plan_detail", kwargs={"plan_pk": self.result.pk})

    def render_to_response(self, context, **kwargs):
        return no_store(super().render_to_response(context, **kwargs))


class MyActionsView(TemplateView):
    template_name = "childplans/my_actions.html"

    def get(self, request, *args, **kwargs):
        # The selector writes the read's audit row before the page is rendered, which happens
        # outside the transaction (as PlanAccessMixin reads).
        with transaction.atomic():
            ctx = selectors.dashboard_actions_context(request, limit=200)
        response = self.render_to_response(self.get_context_data(today=timezone.localdate(), **ctx))
        response.render()
        return no_store(response)


class IndicatorsView(TemplateView):
    """Counts for coordinators and administrators: no child data, groups under 5 suppressed."""

    template_name = "childplans/indicators.html"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        allowed = user.is_staff or NetworkMembership.objects.filter(
            user=user, role=NetworkMembership.Role.COORDINATOR
        ).exists()
        if not allowed:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["suppress_below"] = selectors.SUPPRESS_BELOW
        # Kept HTML (portal/kept.py): counts over every plan and review, the same for everyone
        # who may open the page, no child data. Forgotten by the services that open and close
        # plans and record reviews (grep INDICATORS_TABLE); the timeout bounds the rest
        # (an organisation moved to another kommun in the admin).
        ctx["table_html"] = kept(
            services.INDICATORS_TABLE, (),
            lambda: render_to_string("childplans/_indicators_table.html", {"groups": selectors.indicators()}),
            timeout=selectors.INDICATORS_TIMEOUT,
        )
        return ctx
