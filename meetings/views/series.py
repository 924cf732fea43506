"""A meeting series (issue 21): plan, see, invite, change and end it (the network's
coordinators), and answer for it or download it as one calendar event (its invitees).

Who may: the series' network's coordinators for everything; an invitee to one of its meetings
(or a member of the network, or an administrator) for the calendar file, and an invitee for
their own answers. Anyone else gets 404, as for a series that does not exist."""

from django.contrib import messages
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from networks.access import NetworkAccessMixin, is_administrator
from networks.models import NetworkMembership
from portal.forms import ServiceFormMixin, error_text

from .. import ics
from .. import series as series_services
from ..models import Invitation, Meeting, MeetingSeries
from ..series_forms import SeriesAnswerForm, SeriesEditForm, SeriesForm, SeriesInviteForm

COORDINATOR = NetworkMembership.Role.COORDINATOR


def get_series_for_user_or_404(user, pk, *, role=None):
    """The series if ``user`` coordinates its network (role="coordinator"), or else may see it:
    a member of its network, an invitee to one of its meetings, an administrator. Sets
    ``series.is_coordinator`` and ``series.is_invited``. One query."""
    if not user.is_authenticated:
        raise Http404
    user_role = NetworkMembership.objects.filter(network=OuterRef("network_id"), user=user).values("role")[:1]
    invited = Invitation.objects.filter(meeting__series=OuterRef("pk"), user=user)
    series = get_object_or_404(
        MeetingSeries.objects.select_related("network").annotate(
            user_role=Subquery(user_role), is_invited=Exists(invited)
        ),
        pk=pk,
    )
    series.is_coordinator = series.user_role == COORDINATOR
    if role == COORDINATOR:
        if not series.is_coordinator:
            raise Http404
    elif series.user_role is None and not series.is_invited and not is_administrator(user):
        raise Http404
    return series


class SeriesAccessMixin(AccessMixin):
    """Loads ``self.series`` for the URL's ``series_pk``; ``meeting_role`` "member" or
    "coordinator" (the same declaration as the meeting views, which tests/twins.py reads)."""

    meeting_role = "member"

    def dispatch(self, request, *args, **kwargs):
        role = COORDINATOR if self.meeting_role == "coordinator" else None
        self.series = get_series_for_user_or_404(request.user, kwargs["series_pk"], role=role)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["series"] = self.series
        ctx["network"] = self.series.network
        ctx["is_coordinator"] = self.series.is_coordinator
        return ctx


class SeriesCreateView(NetworkAccessMixin, ServiceFormMixin, FormView):
    network_role = "coordinator"
    template_name = "meetings/series_form.html"
    form_class = SeriesForm
    success_message = gettext_lazy("Mötesserien är planerad. Bjud in deltagarna när du är redo.")

    def perform(self, form):
        return series_services.series_create(network=self.network, by=self.request.user, **form.service_fields())

    def get_success_url(self):
        return reverse("series_detail", args=[self.result.pk])


class SeriesDetailView(SeriesAccessMixin, TemplateView):
    meeting_role = "coordinator"
    template_name = "meetings/series_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["meetings"] = list(
            Meeting.objects.filter(series=self.series).annotate(
                coming=Count("invitations", filter=Q(invitations__response=Invitation.Response.YES)),
                invited=Count("invitations"),
            ).order_by("recurrence_id")
        )
        ctx["invite_form"] = SeriesInviteForm(network=self.series.network)
        return ctx


class SeriesInviteView(SeriesAccessMixin, ServiceFormMixin, FormView):
    meeting_role = "coordinator"
    template_name = "meetings/series_invite.html"
    form_class = SeriesInviteForm
    success_message = gettext_lazy("Inbjudan till serien är skickad.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "network": self.series.network}

    def perform(self, form):
        return series_services.series_invite(series=self.series, by=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return reverse("series_detail", args=[self.series.pk])


class SeriesUpdateView(SeriesAccessMixin, ServiceFormMixin, FormView):
    meeting_role = "coordinator"
    template_name = "meetings/series_edit.html"
    form_class = SeriesEditForm
    success_message = gettext_lazy("Ändringen är sparad och deltagarna har fått en uppdatering.")

    def coming(self):
        return series_services.coming(self.series)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "meetings": self.coming()}

    def get_initial(self):
        s = self.series
        first = self.coming().first()
        initial = {"title": s.title, "kind": s.kind, "place": s.place, "video_url": s.video_url,
                   "description": s.description, "scope": series_services.SCOPE_ALL}
        if first is not None:
            initial.update(meeting=first.pk, start_time=first.local_start.time(), end_time=first.local_end.time())
        return initial

    def get(self, request, *args, **kwargs):
        if self.series.is_ended:
            messages.error(request, _("Serien är avslutad och kan inte ändras."))
            return redirect("series_detail", series_pk=self.series.pk)
        return super().get(request, *args, **kwargs)

    def perform(self, form):
        d = form.cleaned_data
        return series_services.series_update(
            series=self.series, by=self.request.user, scope=d["scope"], meeting=d["meeting"],
            start_time=d["start_time"], end_time=d["end_time"],
            **{k: d[k] for k in series_services.SERIES_FIELDS},
        )

    def get_success_url(self):
        return reverse("series_detail", args=[self.series.pk])


class SeriesEndView(SeriesAccessMixin, TemplateView):
    """GET asks; POST ends the series (the coming meetings are cancelled)."""

    meeting_role = "coordinator"
    template_name = "meetings/series_end.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["left"] = list(series_services.coming(self.series))
        return ctx

    def post(self, request, *args, **kwargs):
        try:
            left = series_services.series_end(series=self.series, by=request.user)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Serien är avslutad. %(count)d kommande möten är inställda.") % {
                "count": len(left)
            })
        return redirect("series_detail", series_pk=self.series.pk)


class SeriesMyAnswerView(SeriesAccessMixin, ServiceFormMixin, FormView):
    """My answers for the series: all at once, or per meeting."""

    template_name = "meetings/series_answer.html"
    form_class = SeriesAnswerForm
    success_message = gettext_lazy("Tack! Dina svar är sparade.")

    def invitations(self):
        if not self.series.is_invited:
            raise Http404
        return list(
            Invitation.objects.filter(user=self.request.user, meeting__series=self.series)
            .select_related("meeting").order_by("meeting__starts_at")
        )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "invitations": self.invitations()}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["invitations"] = ctx["form"].invitations
        return ctx

    def perform(self, form):
        return series_services.series_answer(series=self.series, user=self.request.user, answers=form.answers())

    def get_success_url(self):
        return reverse("series_my_answer", args=[self.series.pk])


class SeriesIcsView(SeriesAccessMixin, View):
    """The whole series as one calendar event, with my own answers if I am invited."""

    def get(self, request, *args, **kwargs):
        meetings = list(Meeting.objects.filter(series=self.series).select_related("network"))
        if not meetings:
            raise Http404
        invitations = {
            inv.meeting_id: inv for inv in Invitation.objects.filter(user=request.user, meeting__series=self.series)
        }
        body = ics.series_ics(self.series, meetings, invitations=invitations, method="PUBLISH")
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="serie-{self.series.pk}.ics"'
        return response
