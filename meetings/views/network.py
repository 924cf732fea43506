"""A network's meetings: the list by term, planning a meeting, the network's defaults for new
meetings. Access through networks.access (404 for anyone who may not see the network)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from networks.access import NetworkAccessMixin
from portal.forms import apply_validation_error

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


class MeetingCreateView(NetworkAccessMixin, FormView):
    network_role = "coordinator"
    template_name = "meetings/meeting_form.html"
    form_class = MeetingForm

    def get_initial(self):
        defaults = services.meeting_defaults_for(self.network)
        return {
            "cost_note": defaults.cost_note,
            "remind_unanswered_days": defaults.remind_unanswered_days,
            "remind_attending_days": defaults.remind_attending_days,
        }

    def form_valid(self, form):
        data, topics = form.service_fields()
        try:
            meeting = services.meeting_schedule(network=self.network, by=self.request.user, topics=topics, **data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Mötet är planerat. Bjud in deltagarna när du är redo."))
        return redirect("meeting_detail", pk=meeting.pk)


class MeetingDefaultsView(NetworkAccessMixin, FormView):
    network_role = "coordinator"
    template_name = "meetings/defaults_form.html"
    form_class = MeetingDefaultsForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = services.meeting_defaults_for(self.network)
        return kwargs

    def form_valid(self, form):
        services.meeting_defaults_set(network=self.network, by=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("Standardinställningarna för nya möten är sparade."))
        return redirect("network_meetings", network_pk=self.network.pk)
