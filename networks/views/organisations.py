"""Member organisations of a network: adding one, an organisation's page in the network
(its members here, what it offers in the directory), removing it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView, View

from portal.forms import ServiceFormMixin, error_text

from .. import selectors, services
from ..access import NetworkAccessMixin
from ..forms import NetworkOrganisationAddForm
from ..models import NetworkOrganisation


class NetworkOrganisationAddView(NetworkAccessMixin, ServiceFormMixin, FormView):
    network_role = "coordinator"
    template_name = "networks/network_organisation_add.html"
    form_class = NetworkOrganisationAddForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["network"] = self.network
        return kwargs

    def perform(self, form):
        organisation = form.cleaned_data["organisation"]
        services.network_organisation_add(network=self.network, organisation=organisation, by=self.request.user)
        self.success_message = _("%(org)s är nu medlemsorganisation i nätverket.") % {"org": organisation}
        return organisation

    def get_success_url(self):
        return self.network.get_absolute_url() + "#organisationer"


class NetworkOrganisationView(NetworkAccessMixin, TemplateView):
    """A member organisation as the network sees it: where it is, since when it is a member,
    who represents it here, and what it offers families (a link to its directory entries). For
    coordinators, removing it when no member represents it and it does not drive the
    network."""

    template_name = "networks/network_organisation.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        organisation, members = selectors.organisation_in(self.network, self.kwargs["organisation_pk"])
        if organisation is None:
            raise Http404
        ctx.update(
            organisation=organisation,
            members=members,
            removable=not members and not organisation.drives_network,
        )
        return ctx


class NetworkOrganisationRemoveView(NetworkAccessMixin, View):
    network_role = "coordinator"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        link = (
            NetworkOrganisation.objects.select_related("organisation")
            .filter(network=self.network, organisation_id=kwargs["organisation_pk"])
            .first()
        )
        if link is None:
            raise Http404
        try:
            services.network_organisation_remove(network=self.network, organisation=link.organisation, by=request.user)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return redirect("network_organisation", network_pk=self.network.pk, organisation_pk=link.organisation_id)
        messages.success(request, _("%(org)s är borttagen ur nätverket.") % {"org": link.organisation})
        return redirect(self.network.get_absolute_url() + "#organisationer")
