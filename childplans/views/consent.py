"""Consent: recording the guardians' consent and withdrawing it (contact person,
re-authenticated)."""

from django.conf import settings
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
    ConsentRenewForm,
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
        # Every version, renewed ones too (issue 19): in force or not is the database's answer.
        in_force = set(Consent.objects.in_force().filter(plan=self.plan).values_list("pk", flat=True))
        ctx["consents"] = list(
            Consent.objects.filter(plan=self.plan)
            .select_related("guardian", "recorded_by", "withdrawn_by", "supersedes", "superseded_by")
            .prefetch_related("organisations")
        )
        for c in ctx["consents"]:
            c.in_force_now = c.pk in in_force
        ctx["ending_soon"] = {
            c.pk for c in Consent.objects.filter(plan=self.plan).ending_within(settings.CONSENT_ENDING_SOON_DAYS)
        }
        ctx["is_contact"] = self.request.user.pk == self.plan.contact_person_id
        ctx["withdraw_form"] = ConsentWithdrawForm()
        return ctx

    def perform(self, form):
        d = form.cleaned_data
        return services.consent_record(
            plan=self.plan, by=self.request.user, guardian=d["guardian"], given_on=d["given_on"],
            valid_until=d["valid_until"], method=d["method"], purposes=d["purposes"], note=d["note"],
            organisations=d["organisations"],
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


class ConsentRenewView(PlanFormView):
    """Renew a consent (contact person, re-authenticated): a new consent that supersedes it, with
    the same guardian and organisations; the old one stays in the history (issue 19)."""

    template_name = "childplans/consent_renew.html"
    form_class = ConsentRenewForm
    plan_form = False
    contact_only = True
    change_action = AuditAction.CREATE
    reauthenticate = True
    writes = "post"

    def get_form_kwargs(self):
        self.consent = get_object_or_404(
            Consent.objects.select_related("guardian"), plan=self.plan, pk=self.kwargs["consent_pk"]
        )
        return super().get_form_kwargs()

    def get_initial(self):
        return {**super().get_initial(), "purposes": [p.value for p in self.consent.purposes],
                "note": self.consent.note}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["consent"] = self.consent
        return ctx

    def perform(self, form):
        d = form.cleaned_data
        return services.consent_renew(
            plan=self.plan, consent=self.consent, by=self.request.user, given_on=d["given_on"],
            valid_until=d["valid_until"], method=d["method"], purposes=d["purposes"], note=d["note"],
        )

    def get_success_url(self):
        return reverse("childplans:consents", kwargs={"plan_pk": self.plan.pk})

    success_message = property(lambda self: _("Samtycket är förnyat."))
