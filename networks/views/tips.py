"""Tipsa en familj: from any activity in the directory a professional makes a leaflet for a
family — what, when, where, the cost, whom to contact and how, how to get there, and a QR code
to the activity's open page. No child data: the portal keeps no record of the family, only a
count of tips per activity and term (``services.activity_tip_record``).

The open page (``activity_public``) needs no log-in and shows only what the organisation
published for families, and only when it made the activity public."""

import re

import qrcode
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from qrcode.image.svg import SvgPathImage

from portal.forms import ServiceFormMixin
from portal.queries import is_valid_id

from .. import services
from ..models import Activity

ACTIVITY_QUERYSET = Activity.objects.select_related("organisation", "kommun")


def public_url(activity):
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("activity_public", args=[activity.pk])


def qr_svg(url, size=160):
    """An SVG QR code for ``url`` (no external image: the CSP allows only the portal's own)."""
    svg = qrcode.make(url, image_factory=SvgPathImage, border=2).to_string(encoding="unicode")
    return re.sub(r'^<svg width="[^"]*" height="[^"]*"', f'<svg width="{size}" height="{size}"', svg)


class TipForm(forms.Form):
    notify_contact = forms.BooleanField(
        label=gettext_lazy("Berätta för verksamhetens kontakt att en familj kan höra av sig"),
        required=False,
        help_text=gettext_lazy("Ett e-postmeddelande utan några uppgifter om familjen."),
    )

    def __init__(self, *args, activity, **kwargs):
        super().__init__(*args, **kwargs)
        if not activity.notify_email:
            del self.fields["notify_contact"]


class ActivityTipView(ServiceFormMixin, FormView):
    """"Tipsa en familj": what the leaflet will say, and the button that makes it (and counts
    the tip)."""

    template_name = "networks/activity_tip.html"
    form_class = TipForm

    def dispatch(self, request, *args, **kwargs):
        self.activity = get_object_or_404(ACTIVITY_QUERYSET, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["activity"] = self.activity
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["activity"] = self.activity
        return ctx

    def perform(self, form):
        told = bool(form.cleaned_data.get("notify_contact"))
        result = services.activity_tip_record(activity=self.activity, by=self.request.user, notify_contact=told)
        self.success_message = (
            _("Lappen är klar. Kontakten får veta att en familj kan höra av sig.") if told else _("Lappen är klar.")
        )
        return result

    def get_success_url(self):
        return reverse("activity_leaflet", args=[self.activity.pk])


class ActivityLeafletView(TemplateView):
    """The leaflet itself: one A4 page when printed, readable on a phone."""

    template_name = "networks/activity_leaflet.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        activity = get_object_or_404(ACTIVITY_QUERYSET, pk=self.kwargs["pk"])
        ctx.update(activity=activity, today=timezone.localdate())
        if activity.public:
            url = public_url(activity)
            ctx.update(public_url=url, qr_svg=qr_svg(url))
        return ctx


@method_decorator(login_not_required, name="dispatch")
class ActivityPublicView(TemplateView):
    """The activity's open page: only what the organisation published for families, and only
    when it made the activity public (404 otherwise, the same as for one that does not
    exist)."""

    template_name = "networks/activity_public.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if not is_valid_id(self.kwargs["pk"]):
            raise Http404
        activity = (
            Activity.objects.select_related("organisation")
            .only(
                "title", "description", "age_from", "age_to", "when", "where", "cost", "getting_there",
                "family_contact", "contact", "public", "organisation__name", "organisation__unit",
                "organisation__website",
            )
            .filter(pk=self.kwargs["pk"], public=True)
            .first()
        )
        if activity is None:
            raise Http404
        ctx["activity"] = activity
        return ctx
