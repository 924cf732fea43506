"""Plan routes without a single plan ("member" routes): my plans, opening a plan, my actions
and the indicators (counts only, no child data)."""

from django.conf import settings
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView, TemplateView

from networks.models import Organisation
from portal.forms import ServiceFormMixin
from portal.kept import kept
from portal.models import AuditEvent

from .. import indicators, selectors, services
from ..access import ChildListMixin, no_store
from ..changes import audit_plan
from ..forms import (
    SENSITIVE_FIELDS,
    IndicatorsLanForm,
    PlanOpenForm,
)

AuditAction = AuditEvent.Action


class PlanListView(ChildListMixin, TemplateView):
    """Barnens planer: the plans I am on the team of. One audit row for the list."""

    template_name = "childplans/plan_list.html"
    list_name = "plans"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            plans=list(selectors.plan_list_for(self.request.user)),
            may_open=services.plan_keeping_organisations(self.request.user).exists(),
        )
        return ctx

    def listed_ids(self, context):
        return {"plan_ids": [p.pk for p in context["plans"]]}


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
        audit_plan(  # the change made: a plan page's base view writes this for every later change
            action=AuditAction.CREATE, plan_id=plan.pk, child_id=plan.child_id, obj=plan,
            organisation=str(data["organisation"]),
        )
        return plan

    def get_success_url(self):
        return reverse("childplans:plan_detail", kwargs={"plan_pk": self.result.pk})

    def render_to_response(self, context, **kwargs):
        return no_store(super().render_to_response(context, **kwargs))


class MyActionsView(ChildListMixin, TemplateView):
    """Mina insatser: the open actions I am responsible for, in the plans I may see."""

    template_name = "childplans/my_actions.html"
    list_name = "my_actions"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(today=timezone.localdate(), **selectors.dashboard_actions_context(self.request.user, limit=200))
        return ctx

    def listed_ids(self, context):
        return {"plan_ids": selectors.listed_plan_ids(context["my_actions"])}


class IndicatorsView(TemplateView):
    """Counts for coordinators and administrators: no child data, groups under 5 suppressed."""

    template_name = "childplans/indicators.html"

    def dispatch(self, request, *args, **kwargs):
        if not indicators.may_see_indicators(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["suppress_below"] = indicators.SUPPRESS_BELOW
        ctx["refresh_minutes"] = max(1, settings.INDICATORS_REFRESH_SECONDS // 60)
        figures = indicators.newest_figures()
        if figures is not None:
            # The beat's figures (childplans.indicators.count_figures): the page reads one row.
            ctx["counted_at"] = figures.counted_at
            groups, left_out = figures.groups, figures.left_out
        else:
            # No figures younger than INDICATORS_MAX_AGE_SECONDS (a new installation, a stopped
            # beat): counted now and the counts kept (portal/kept.py), the same for everyone who
            # may open the page, no child data. Forgotten by the services that open and close
            # plans, record reviews and consents (grep INDICATORS_TABLE); the timeout bounds the
            # rest (an organisation moved to another kommun in the admin).
            counted = kept(
                indicators.INDICATORS_TABLE, (),
                lambda: {"groups": indicators.count_groups(), "left_out": indicators.indicators_left_out()},
                timeout=indicators.indicators_timeout(),
            )
            groups, left_out = counted["groups"], counted["left_out"]
        lans = indicators.arrange(groups)
        form = IndicatorsLanForm(self.request.GET or None, lans=lans)
        chosen = form.chosen()
        # One län is shown whole; with several, every län's totals (one row each) or the chosen
        # län with its kommuner: the country's 290 kommuner are never one page.
        ctx.update(form=form if len(lans) > 1 else None, chosen=chosen)
        if len(lans) <= 1:
            table = {"groups": lans}
        elif chosen:
            table = {"groups": [lan for lan in lans if lan.code == chosen]}
        else:
            table = {"totals": lans, "country": indicators.country_total(groups)}

        def render():
            return render_to_string("childplans/_indicators_table.html", {**table, "left_out": left_out})

        # The beat's figures never change: their table is kept as HTML, one per choice of län.
        ctx["table_html"] = (
            kept(indicators.INDICATORS_TABLE, ("figures", figures.pk, chosen), render,
                 timeout=settings.INDICATORS_MAX_AGE_SECONDS)
            if figures is not None else render()
        )
        return ctx
