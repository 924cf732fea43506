"""One meeting: details, changing, cancelling and closing it, the agenda, the minutes and its
calendar file. Access through meetings.access (404 for anyone who may not see the meeting);
writes through meetings.services (a ValidationError goes next to its field)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView, View

from networks.access import is_administrator
from portal.forms import ServiceFormMixin, error_text

from .. import ics, selectors, services
from ..access import MeetingAccessMixin
from ..forms import (
    AgendaFormSet,
    AnswerForm,
    MeetingForm,
    MinutesForm,
)
from ..models import Invitation, Meeting, MinutesRevision


class MeetingDetailView(MeetingAccessMixin, TemplateView):
    """Details, agenda, the number coming, my answer, minutes and who was represented. A fixed
    number of queries whatever the number of invitees (docs/performance.md: detail <= 8)."""

    template_name = "meetings/meeting_detail.html"

    def get_meeting_queryset(self):
        return selectors.with_my_invitation(selectors.with_counts(Meeting.objects.all()), self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        meeting = self.meeting
        my_invitation = None
        if meeting.my_invitation_id:
            # Built from the annotations: no extra query.
            my_invitation = Invitation(
                pk=meeting.my_invitation_id,
                meeting=meeting,
                response=meeting.my_response,
                comment=meeting.my_comment or "",
                decline_reason=meeting.my_decline_reason or "",
                waitlist_position=meeting.my_waitlist_position,
            )
        attendances = selectors.attendances_for(meeting) if meeting.starts_at <= timezone.now() else []
        ctx.update(
            topics=list(meeting.topics.all()),
            agenda=list(meeting.agenda_items.select_related("responsible")),
            counts={
                "yes": meeting.coming,
                "waitlist": meeting.waiting,
                "no": meeting.declined,
                "pending": meeting.pending,
            },
            my_invitation=my_invitation,
            answer_form=AnswerForm(
                initial={
                    "response": my_invitation.response
                    if my_invitation and my_invitation.response in ("yes", "no")
                    else None,
                    "comment": my_invitation.comment if my_invitation else "",
                    "decline_reason": my_invitation.decline_reason if my_invitation else "",
                }
            ),
            minutes=selectors.latest_minutes(meeting),
            representation=selectors.representation(attendances) if attendances else None,
            is_administrator=is_administrator(self.request.user),
            can_close=meeting.status == Meeting.Status.PLANNED and meeting.starts_at <= timezone.now(),
        )
        return ctx


class MeetingUpdateView(MeetingAccessMixin, ServiceFormMixin, FormView):
    meeting_role = "coordinator"
    template_name = "meetings/meeting_form.html"
    form_class = MeetingForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.meeting
        return kwargs

    def get(self, request, *args, **kwargs):
        if self.meeting.status != Meeting.Status.PLANNED:
            messages.error(request, _("Mötet är inställt eller avslutat och kan inte ändras."))
            return redirect("meeting_detail", pk=self.meeting.pk)
        return super().get(request, *args, **kwargs)

    def perform(self, form):
        data, topics = form.service_fields()
        moved = services.meeting_update(meeting=self.meeting, by=self.request.user, topics=topics, **data)
        if moved and self.meeting.invitations_sent_at:
            self.success_message = _(
                "Ändringen är sparad. De inbjudna får ett meddelande och en uppdaterad kalenderfil."
            )
        else:
            self.success_message = _("Ändringen är sparad.")
        return moved

    def get_success_url(self):
        return reverse("meeting_detail", args=[self.meeting.pk])


class MeetingCancelView(MeetingAccessMixin, TemplateView):
    meeting_role = "coordinator"
    template_name = "meetings/meeting_cancel.html"

    def post(self, request, *args, **kwargs):
        try:
            services.meeting_cancel(meeting=self.meeting, by=request.user)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Mötet är inställt. De inbjudna får besked och kalenderfilen tar bort mötet."))
        return redirect("meeting_detail", pk=self.meeting.pk)


class MeetingCloseView(MeetingAccessMixin, View):
    meeting_role = "coordinator"

    def post(self, request, *args, **kwargs):
        try:
            services.meeting_close(meeting=self.meeting, by=request.user)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Mötet är avslutat."))
        return redirect("meeting_detail", pk=self.meeting.pk)


def people_of(network):
    """The network's members, for choosing who is responsible for an agenda item."""
    return (
        get_user_model()
        .objects.filter(network_memberships__network=network)
        .order_by("first_name", "last_name", "email")
    )


class AgendaView(MeetingAccessMixin, TemplateView):
    meeting_role = "coordinator"
    template_name = "meetings/agenda_form.html"

    def get_formset(self, data=None):
        items = list(self.meeting.agenda_items.all())
        initial = [
            {
                "title": i.title,
                "responsible": i.responsible_id,
                "responsible_name": i.responsible_name,
                "duration_minutes": i.duration_minutes,
            }
            for i in items
        ]
        return AgendaFormSet(data, initial=initial, form_kwargs={"people": people_of(self.meeting.network)})

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.setdefault("formset", self.get_formset())
        return ctx

    def post(self, request, *args, **kwargs):
        formset = self.get_formset(request.POST)
        if formset.is_valid():
            items = [
                {
                    k: f.cleaned_data.get(k) or ("" if k == "responsible_name" else None)
                    for k in ("title", "responsible", "responsible_name", "duration_minutes")
                }
                for f in formset.forms
                if f.cleaned_data.get("title")
            ]
            try:
                services.agenda_set(meeting=self.meeting, by=request.user, items=items)
            except ValidationError as exc:
                messages.error(request, error_text(exc))
            else:
                messages.success(request, _("Dagordningen är sparad."))
                return redirect("meeting_detail", pk=self.meeting.pk)
        return self.render_to_response(self.get_context_data(formset=formset))


class MinutesView(MeetingAccessMixin, ServiceFormMixin, FormView):
    meeting_role = "coordinator"
    template_name = "meetings/minutes_form.html"
    form_class = MinutesForm
    success_message = gettext_lazy("Minnesanteckningarna är sparade och delade med nätverkets medlemmar.")

    def get_initial(self):
        latest = selectors.latest_minutes(self.meeting)
        return {"text": latest.text, "follow_ups": latest.follow_ups} if latest else {}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["revisions"] = list(
            MinutesRevision.objects.filter(meeting=self.meeting).select_related("author").order_by("-number")
        )
        return ctx

    def perform(self, form):
        return services.minutes_save(meeting=self.meeting, by=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return reverse("meeting_detail", args=[self.meeting.pk])


class MeetingIcsView(MeetingAccessMixin, View):
    """The meeting as a calendar file, with my own answer if I am invited."""

    def get(self, request, *args, **kwargs):
        invitation = None
        if self.meeting.my_invitation_id:
            invitation = Invitation.objects.get(pk=self.meeting.my_invitation_id)
        body = ics.meeting_ics(self.meeting, invitation=invitation, method="PUBLISH")
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="mote-{self.meeting.pk}.ics"'
        return response
