"""The plan's team: members, adding and removing them, and handing over the contact
person's role."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from portal.models import AuditEvent

from .. import services
from ..access import PlanAccessMixin, PlanFormView
from ..forms import (
    HandoverForm,
    TeamAddForm,
)
from ..models import TeamMember

AuditAction = AuditEvent.Action


class TeamView(PlanAccessMixin, TemplateView):
    template_name = "childplans/team.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["plan"] = self.plan
        ctx["members"] = list(
            TeamMember.objects.filter(plan=self.plan).select_related("user", "organisation", "added_by")
            .order_by("removed_at", "added_at", "pk")
        )
        ctx["is_contact"] = self.request.user.pk == self.plan.contact_person_id
        return ctx


class TeamAddView(PlanFormView):
    template_name = "childplans/team_add.html"
    form_class = TeamAddForm
    contact_only = True
    reauthenticate = True
    change_action = AuditAction.CREATE

    def perform(self, form):
        m = form.cleaned_data["membership"]
        return services.team_add(
            plan=self.plan, by=self.request.user, user=m.user, organisation=m.organisation,
            part=form.cleaned_data["part"], is_supporter=form.cleaned_data["is_supporter"],
        )

    def get_success_url(self):
        return reverse("childplans:team", kwargs={"plan_pk": self.plan.pk})

    success_message = property(lambda self: _("Personen är tillagd i teamet."))


class TeamRemoveView(PlanFormView):
    template_name = "childplans/team_remove.html"
    contact_only = True
    reauthenticate = True
    change_action = AuditAction.DELETE
    plan_form = False

    form_class = forms.Form

    def get_form_kwargs(self):
        self.member = get_object_or_404(
            TeamMember.objects.current().select_related("user", "organisation"),
            plan=self.plan, pk=self.kwargs["member_pk"],
        )
        return super().get_form_kwargs()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["member"] = self.member
        return ctx

    def perform(self, form):
        return services.team_remove(plan=self.plan, member=self.member, by=self.request.user)

    def get_success_url(self):
        return reverse("childplans:team", kwargs={"plan_pk": self.plan.pk})

    success_message = property(lambda self: _("Personen är borttagen ur teamet."))


class HandoverView(PlanFormView):
    template_name = "childplans/handover.html"
    form_class = HandoverForm
    contact_only = True
    reauthenticate = True

    def perform(self, form):
        return services.handover_request(plan=self.plan, by=self.request.user, to_user=form.cleaned_data["to_user"])

    success_message = property(
        lambda self: _("Överlämningen är skickad. Den gäller när den nya kontaktpersonen har accepterat.")
    )


class HandoverRespondView(PlanFormView):
    """The named new contact person accepts (or declines) the handover (POST)."""

    template_name = "childplans/handover_respond.html"
    plan_form = False
    reauthenticate = True

    form_class = forms.Form

    def perform(self, form):
        if self.request.POST.get("answer") == "accept":
            result = services.handover_accept(plan=self.plan, by=self.request.user)
            messages.success(self.request, _("Du är nu planens kontaktperson."))
        else:
            result = services.handover_cancel(plan=self.plan, by=self.request.user)
            messages.info(self.request, _("Överlämningen är återkallad."))
        return result
