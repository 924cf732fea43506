"""An organisation's receivers of referrals (*mottagare*): who they are, naming one, removing
one. For the organisation's members, the coordinators of its networks and administrators
(networks/receivers.py); 404 for anyone else."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, View

from portal.forms import ServiceFormMixin, error_text

from .. import services
from ..forms import ReceiverAddForm
from ..models import ReferralReceiver
from ..receivers import current_receivers, get_organisation_for_receivers_or_404


class ReceiversView(ServiceFormMixin, FormView):
    template_name = "networks/receivers.html"
    form_class = ReceiverAddForm

    def dispatch(self, request, *args, **kwargs):
        self.organisation = get_organisation_for_receivers_or_404(request.user, kwargs["organisation_pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["organisation"] = self.organisation
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(organisation=self.organisation, receivers=current_receivers(self.organisation))
        return ctx

    def perform(self, form):
        user = form.cleaned_data["user"]
        self.success_message = _("%(name)s tar nu emot hänvisningar till %(organisation)s.") % {
            "name": user.display_name, "organisation": self.organisation,
        }
        return services.receiver_add(organisation=self.organisation, user=user, by=self.request.user)

    def get_success_url(self):
        return self.request.path


class ReceiverRemoveView(View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        organisation = get_organisation_for_receivers_or_404(request.user, kwargs["organisation_pk"])
        receiver = (
            ReferralReceiver.objects.select_related("user")
            .filter(organisation=organisation, pk=kwargs["receiver_pk"])
            .first()
        )
        if receiver is None:
            raise Http404
        try:
            services.receiver_remove(receiver=receiver, by=request.user)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("%(name)s tar inte längre emot hänvisningar.") % {
                "name": receiver.user.display_name})
        return redirect("organisation_receivers", organisation_pk=organisation.pk)
