"""A network's meetings: the list by term, planning a meeting, the network's defaults for new
meetings. Access through networks.access (404 for anyone who may not see the network)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from networks.access import NetworkAccessMixin
from portal.forms import ServiceFormMixin

from .. import selectors, services
from ..forms import (
    MeetingDefaultsForm,
    MeetingForm,
)


class NetworkMeetingsView(NetworkAccessMixin, TemplateView):
    """A network's meetings by term, and whether this term still lacks one."""

    template_name = "meetings/network_meetings.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["meetings"] = selectors.network_meetings(self.network)
        return ctx


class MeetingCreateView(NetworkAccessMixin, ServiceFormMixin, FormView):
    network_role = "coordinator"
    template_name = "meetings/meeting_form.html"
    form_class = MeetingForm
    success_message = gettext_lazy("Mötet är planerat. Bjud in deltagarna när du är redo.")

    def get_initial(self):
        defaults = services.meeting_defaults_for(self.network)
        return {
            "cost_note": defaults.cost_note,
            "remind_unanswered_days": defaults.remind_unanswered_days,
            "remind_attending_days": defaults.remind_attending_days,
        }

    def perform(self, form):
        data, topics = form.service_fields()
        return services.meeting_schedule(network=self.network, by=self.request.user, topics=topics, **data)

    def get_success_url(self):
        return reverse("meeting_detail", args=[self.result.pk])


class MeetingDefaultsView(NetworkAccessMixin, ServiceFormMixin, FormView):
    network_role = "coordinator"
    template_name = "meetings/defaults_form.html"
    form_class = MeetingDefaultsForm
    success_message = gettext_lazy("Standardinställningarna för nya möten är sparade.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = services.meeting_defaults_for(self.network)
        return kwargs

    def perform(self, form):
        return services.meeting_defaults_set(network=self.network, by=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return reverse("network_meetings", args=[self.network.pk])
