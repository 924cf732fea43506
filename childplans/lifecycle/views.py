"""The legal hold page of a plan (its contact person only: 404 off the team, 403 for the rest
of the team, as every contact-person page) and the gallring forecast (the administrators only:
404 for everyone else)."""

import csv
from datetime import timedelta

from django.conf import settings
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from childplans.access import PlanFormView
from portal.models import AuditEvent

from . import policy, services
from .forms import HoldLiftForm, HoldSetForm
from .models import LegalHold

AuditAction = AuditEvent.Action


class LegalHoldView(PlanFormView):
    """Set or lift the plan's legal hold; shows the plan's gallring date and its holds. Open
    and closed plans alike (a closed plan is the one gallring concerns)."""

    template_name = "lifecycle/legal_hold.html"
    plan_form = False
    writes = False
    # The house's rule for the contact person's pages (childplans.access.PlanAccessMixin): 404
    # off the team (twins included), 403 and a DENIED row for the rest of the team.
    contact_only = True
    reauthenticate = True

    def in_force(self):
        if not hasattr(self, "_in_force"):
            self._in_force = LegalHold.objects.filter(plan=self.plan, lifted_at__isnull=True).first()
        return self._in_force

    def get_form_class(self):
        return HoldLiftForm if self.in_force() else HoldSetForm

    @property
    def change_action(self):
        return AuditAction.UPDATE if self.in_force() else AuditAction.CREATE

    def perform(self, form):
        if isinstance(form, HoldLiftForm):
            hold = services.hold_lift(plan=self.plan, by=self.request.user, reason=form.cleaned_data["reason"])
            self.audit_detail = {"event": "legal_hold.lifted"}
        else:
            hold = services.hold_set(
                plan=self.plan, by=self.request.user, reason_category=form.cleaned_data["reason_category"],
                reason=form.cleaned_data["reason"],
            )
            self.audit_detail = {"event": "legal_hold.set", "reason": hold.reason_category}
        return hold

    def get_success_url(self):
        return reverse("childplans:legal_hold", kwargs={"plan_pk": self.plan.pk})

    @property
    def success_message(self):
        return _("Spärren är satt.") if self.audit_detail.get("event") == "legal_hold.set" else _("Spärren är hävd.")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["hold"] = self.in_force()
        ctx["holds"] = list(LegalHold.objects.filter(plan=self.plan).select_related("set_by", "lifted_by"))
        ctx["decision"] = policy.decision_for(self.plan.pk)
        return ctx


def forecast(today=None):
    """What falls due in the next GALLRING_FORECAST_DAYS days: ``(until, [(rule, [decision])])``."""
    today = today or timezone.localdate()
    until = today + timedelta(days=settings.GALLRING_FORECAST_DAYS)
    by_rule = {}
    for decision in policy.due_plans(until):
        by_rule.setdefault(decision.rule, []).append(decision)
    return until, sorted(by_rule.items(), key=lambda item: item[0].key)


class AdministratorOnlyMixin:
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_superuser:
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class GallringForecastView(AdministratorOnlyMixin, TemplateView):
    """Dry run: the plans that will be removed, by rule (numbers and dates only)."""

    template_name = "lifecycle/forecast.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["until"], ctx["rules"] = forecast()
        ctx["days"] = settings.GALLRING_FORECAST_DAYS
        ctx["total"] = sum(len(decisions) for _rule, decisions in ctx["rules"])
        return ctx


class GallringForecastCsvView(AdministratorOnlyMixin, TemplateView):
    def get(self, request, *args, **kwargs):
        until, rules = forecast()
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="gallring-{timezone.localdate()}-{until}.csv"'
        response["Cache-Control"] = "no-store, private"
        writer = csv.writer(response)
        writer.writerow(["regel", "lagrum", "plannummer", "gallras"])
        for rule, decisions in rules:
            for decision in decisions:
                writer.writerow([rule.key, rule.source, decision.plan_id, decision.due_on.isoformat()])
        return response
