"""The registerutdrag's pages (issue 19, part 4; docs/security.md promise 23).

- ``RegisterutdragView``, under a plan: only the plan's contact person (everyone else, the rest
  of the team included, gets 404 and a DENIED row), after re-authentication. Opening the form
  is one read row; producing the zip is one EXPORT row in the transaction that made it
  (``ChildDataMixin``), so it is in the next extract's access log.
- ``AdministratorRegisterutdragView``: an administrator (active staff; one without two-step
  verification is sent to set it up) answering a request by the plan's number and the request's diarienummer,
  after re-authentication; the plan comes from ``services.plan_for_administrator`` (audited).
  Everyone else gets 404."""

from allauth.core.exceptions import ReauthenticationRequired
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView

from childplans.access import PlanAccessMixin, audit_denied, my_organisation_label, no_store
from childplans.middleware import has_authenticator
from portal.assurance import recently_reauthenticated
from portal.models import AuditEvent

from . import services
from .forms import AdministratorForm, RecipientForm


def zip_response(name, content):
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return no_store(response)


class RegisterutdragView(PlanAccessMixin, FormView):
    template_name = "lifecycle/registerutdrag_form.html"
    form_class = RecipientForm
    reauthenticate = "always"
    read_action = AuditEvent.Action.VIEW

    def check_plan_rules(self, request):
        if request.user.pk != self.plan.contact_person_id:
            audit_denied(request, plan_id=self.plan.pk, reason="not_contact_person")
            raise Http404
        return super().check_plan_rules(request)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "child": self.plan.child}

    def get_audit_action(self, request, response):
        if getattr(self, "extract", None) is not None:
            return AuditEvent.Action.EXPORT
        return super().get_audit_action(request, response)

    def get_audit_detail(self):
        return getattr(self, "audit_detail", None)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "plan": self.plan}

    def form_valid(self, form):
        recipient = form.cleaned_data["recipient"]
        guardian = form.cleaned_data.get("guardian") if recipient == "guardian" else None
        made_by = _("%(role)s, %(organisation)s") % {
            "role": _("kontaktperson"), "organisation": my_organisation_label(self.plan) or self.plan.owner_organisation,
        }
        self.extract, name, content = services.registerutdrag_produce(
            plan=self.plan,
            recipient_text=services.recipient_label(recipient=recipient, guardian=guardian),
            made_by=made_by,
        )
        self.audit_detail = services.audit_detail(extract=self.extract, recipient=recipient, guardian=guardian)
        return zip_response(name, content)


class AdministratorRegisterutdragView(FormView):
    template_name = "lifecycle/registerutdrag_admin.html"
    form_class = AdministratorForm

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_staff):
            raise Http404
        if not has_authenticator(user):  # child data needs two-step verification (promise 11)
            messages.warning(request, _("Registerutdrag kräver tvåstegsverifiering. Ställ in en autentiseringsapp först."))
            return no_store(redirect("mfa_activate_totp"))
        if not recently_reauthenticated(request):
            raise ReauthenticationRequired()
        return no_store(super().dispatch(request, *args, **kwargs))

    def form_valid(self, form):
        data = form.cleaned_data
        with transaction.atomic():
            plan = services.plan_for_administrator(
                plan_pk=data["plan_number"], user=self.request.user, diarienummer=data["diarienummer"]
            )
            if plan is None:
                form.add_error("plan_number", _("Det finns ingen plan med det numret."))
                return self.form_invalid(form)
            _extract, name, content = services.registerutdrag_produce(
                plan=plan,
                recipient_text=services.recipient_label(
                    recipient=data["recipient"], guardian_name=data.get("guardian_name", "").strip()
                ),
                made_by=_("administratör (diarienummer %(number)s)") % {"number": data["diarienummer"]},
            )
        return zip_response(name, content)
