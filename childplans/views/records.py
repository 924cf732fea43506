"""Reviews, the chronology, the plan's history and its access log for the guardians."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from portal.models import AuditEvent

from .. import selectors, services
from ..access import PlanAccessMixin, PlanFormView
from ..forms import (
    ChronologyForm,
    ReviewPlanForm,
    ReviewRecordForm,
)
from ..models import Review

AuditAction = AuditEvent.Action


class ReviewsView(PlanFormView):
    """The plan's reviews, and a form to plan the next one."""

    template_name = "childplans/reviews.html"
    form_class = ReviewPlanForm
    plan_form = False
    change_action = AuditAction.CREATE
    writes = "post"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["reviews"] = selectors.reviews_for(self.plan)
        ctx["today"] = timezone.localdate()
        return ctx

    def perform(self, form):
        return services.review_plan(plan=self.plan, by=self.request.user, date=form.cleaned_data["date"])

    def get_success_url(self):
        return reverse("childplans:reviews", kwargs={"plan_pk": self.plan.pk})

    success_message = property(lambda self: _("Uppföljningen är planerad."))


class ReviewRecordView(PlanFormView):
    template_name = "childplans/review_form.html"
    form_class = ReviewRecordForm
    plan_form = False

    def get_form_kwargs(self):
        self.review = get_object_or_404(Review, plan=self.plan, pk=self.kwargs["review_pk"])
        return super().get_form_kwargs()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["review"] = self.review
        return ctx

    def perform(self, form):
        return services.review_record(plan=self.plan, review=self.review, by=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return reverse("childplans:reviews", kwargs={"plan_pk": self.plan.pk})

    success_message = property(lambda self: _("Uppföljningen är antecknad. Planen har fått en ny version."))


class ChronologyView(PlanFormView):
    template_name = "childplans/chronology.html"
    form_class = ChronologyForm
    plan_form = False
    change_action = AuditAction.CREATE
    writes = "post"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["entries"] = list(self.plan.chronology.select_related("recorded_by").order_by("-occurred_on", "-pk"))
        return ctx

    def perform(self, form):
        return services.chronology_add(plan=self.plan, by=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return reverse("childplans:chronology", kwargs={"plan_pk": self.plan.pk})

    success_message = property(lambda self: _("Händelsen är tillagd i kronologin."))


class HistoryView(PlanAccessMixin, TemplateView):
    template_name = "childplans/history.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(plan=self.plan, changes=selectors.history_for(self.plan))
        return ctx


class AccessLogView(PlanAccessMixin, TemplateView):
    """The plan's access log, printable for the guardians (an export: re-authentication)."""

    template_name = "childplans/access_log.html"
    read_action = AuditAction.EXPORT
    reauthenticate = "always"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        labels = dict(AuditEvent.Action.choices)
        rows = selectors.access_log_for(self.plan)
        for row in rows:
            row["action_label"] = labels.get(row["action"], row["action"])
        ctx.update(plan=self.plan, child=self.plan.child, rows=rows, today=timezone.localdate())
        return ctx
