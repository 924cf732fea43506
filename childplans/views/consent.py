"""Consent: recording the guardians' consent and withdrawing it (contact person,
re-authenticated)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.models import AuditEvent

from .. import services
from ..access import PlanFormView
from ..forms import (
    ConsentForm,
    ConsentWithdrawForm,
)
from ..models import Consent

AuditAction = AuditEvent.Action


class ConsentView(PlanFormView):
    """The plan's consents, and a form to record one (contact person, re-authenticated)."""

    template_name = "childplans/consents.html"
    form_class = ConsentForm
    contact_only = "post"
    change_action = AuditAction.CREATE
    reauthenticate = True
    writes = "post"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["consents"] = list(
            Consent.objects.filter(plan=self.plan).select_related("guardian", "recorded_by", "withdrawn_by")
            .prefetch_related("organisations")
        )
        ctx["is_contact"] = self.request.user.pk == self.plan.contact_person_id
        ctx["withdraw_form"] = ConsentWithdrawForm()
        return ctx

    def perform(self, form):
        d = form.cleaned_data
        return services.consent_record(
            plan=self.plan, by=self.request.user, guardian=d["guardian"], given_on=d["given_on"],
            method=d["method"], purposes=d["purposes"], organisations=d["organisations"],
            allows_referral=d["allows_referral"],
        )

    def get_success_url(self):
        return reverse("childplans:consents", kwargs={"plan_pk": self.plan.pk})

    success_message = property(lambda self: _("Samtycket är registrerat."))


class ConsentWithdrawView(PlanFormView):
    template_name = "childplans/consent_withdraw.html"
    form_class = ConsentWithdrawForm
    plan_form = False
    contact_only = True
    reauthenticate = True

    def get_form_kwargs(self):
        self.consent = get_object_or_404(Consent, plan=self.plan, pk=self.kwargs["consent_pk"])
        return super().get_form_kwargs()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["consent"] = self.consent
        return ctx

    def perform(self, form):
        removed = services.consent_withdraw(
            plan=self.plan, consent=self.consent, by=self.request.user,
            withdrawn_on=form.cleaned_data["withdrawn_on"], note=form.cleaned_data["note"],
        )
        self.audit_detail = {"removed_team_members": [m.pk for m in removed]}
        messages.success(
            self.request,
            ngettext(
                "Samtycket är återkallat. %(n)s person togs bort ur teamet.",
                "Samtycket är återkallat. %(n)s personer togs bort ur teamet.",
                len(removed),
            )
            % {"n": len(removed)},
        )
        return self.consent

    def get_success_url(self):
        return reverse("childplans:consents", kwargs={"plan_pk": self.plan.pk})
