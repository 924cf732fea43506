"""Who drives the network onward: handing the responsibility over for a new period."""

from django.utils.translation import gettext as _
from django.views.generic import FormView

from portal.forms import ServiceFormMixin

from .. import selectors, services
from ..access import NetworkAccessMixin
from ..forms import StewardshipForm


class StewardshipHandoverView(NetworkAccessMixin, ServiceFormMixin, FormView):
    network_role = "coordinator"
    template_name = "networks/stewardship_form.html"
    form_class = StewardshipForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["network"] = self.network
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["current_stewardship"], _past = selectors.stewardships(self.network)
        return ctx

    def perform(self, form):
        data = form.cleaned_data
        period = services.stewardship_handover(
            network=self.network,
            organisation=data["organisation"],
            contact_person=data["contact_person"],
            starts_on=data["starts_on"],
            note=data["note"],
            by=self.request.user,
        )
        self.success_message = _(
            "%(org)s driver nätverket från och med %(date)s med %(person)s som kontaktperson."
        ) % {
            "org": period.organisation,
            "date": period.starts_on.isoformat(),
            "person": period.contact_person.display_name,
        }
        return period

    def get_success_url(self):
        return self.network.get_absolute_url()
