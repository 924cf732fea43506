"""Meeting pages. Access through meetings.access / networks.access (404 for anyone who may not
see the meeting), writes through meetings.services (ValidationError with Swedish messages that
are put next to the field). The answer page behind an e-mail link is public: GET shows the
question, only POSTing its button records an answer, so a mail scanner answers for no one."""

import csv
import re
from datetime import timedelta

import qrcode
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView, View
from qrcode.image.svg import SvgPathImage

from networks.access import NetworkAccessMixin, is_administrator
from portal.audit import audit_record
from portal.models import AuditEvent

from . import ics, selectors, services
from .access import MeetingAccessMixin
from .forms import (
    AgendaFormSet,
    AnswerForm,
    InviteForm,
    MeetingDefaultsForm,
    MeetingForm,
    MinutesForm,
    WalkInForm,
)
from .models import CalendarFeed, Invitation, Meeting, MinutesRevision, RsvpToken, hash_token


def apply_validation_error(form, exc):
    """Put a service's ValidationError next to the matching fields (others on top)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def error_text(exc):
    return " ".join(force_str(m) for m in exc.messages)


def people_of(network):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(network_memberships__network=network).order_by(
        "first_name", "last_name", "email"
    )


# --- network level ----------------------------------------------------------------------------


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


# --- one meeting ------------------------------------------------------------------------------


class MeetingDetailView(MeetingAccessMixin, TemplateView):
    """Details, agenda, the number coming, my answer, minutes and who was represented. A fixed
    number of queries whatever the number of invitees (PERFORMANCE.md: detail <= 8)."""

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
                pk=meeting.my_invitation_id, meeting=meeting, response=meeting.my_response,
                comment=meeting.my_comment or "", decline_reason=meeting.my_decline_reason or "",
                waitlist_position=meeting.my_waitlist_position,
            )
        attendances = selectors.attendances_for(meeting) if meeting.starts_at <= timezone.now() else []
        ctx.update(
            topics=list(meeting.topics.all()),
            agenda=list(meeting.agenda_items.select_related("responsible")),
            counts={"yes": meeting.coming, "waitlist": meeting.waiting, "no": meeting.declined,
                    "pending": meeting.pending},
            my_invitation=my_invitation,
            answer_form=AnswerForm(initial={
                "response": my_invitation.response if my_invitation and my_invitation.response in ("yes", "no") else None,
                "comment": my_invitation.comment if my_invitation else "",
                "decline_reason": my_invitation.decline_reason if my_invitation else "",
            }),
            minutes=selectors.latest_minutes(meeting),
            representation=selectors.representation(attendances) if attendances else None,
            is_administrator=is_administrator(self.request.user),
            can_close=meeting.status == Meeting.Status.PLANNED and meeting.starts_at <= timezone.now(),
        )
        return ctx


class MeetingUpdateView(MeetingAccessMixin, FormView):
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

    def form_valid(self, form):
        data, topics = form.service_fields()
        try:
            moved = services.meeting_update(meeting=self.meeting, by=self.request.user, topics=topics, **data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        if moved and self.meeting.invitations_sent_at:
            messages.success(self.request, _("Ändringen är sparad. De inbjudna får ett meddelande och en uppdaterad kalenderfil."))
        else:
            messages.success(self.request, _("Ändringen är sparad."))
        return redirect("meeting_detail", pk=self.meeting.pk)


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


class AgendaView(MeetingAccessMixin, TemplateView):
    meeting_role = "coordinator"
    template_name = "meetings/agenda_form.html"

    def get_formset(self, data=None):
        items = list(self.meeting.agenda_items.all())
        initial = [
            {"title": i.title, "responsible": i.responsible_id, "responsible_name": i.responsible_name,
             "duration_minutes": i.duration_minutes}
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
                {k: f.cleaned_data.get(k) or ("" if k == "responsible_name" else None)
                 for k in ("title", "responsible", "responsible_name", "duration_minutes")}
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


class InviteView(MeetingAccessMixin, TemplateView):
    """Review who gets invited (members by default, optionally the regional or local
    networks' members, plus guests), then press send."""

    meeting_role = "coordinator"
    template_name = "meetings/invite.html"

    def get_context_data(self, form=None, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form = form or InviteForm(network=self.meeting.network)
        flags = {"include_regional": False, "include_local": False}
        if form.is_bound and form.is_valid():
            flags = {k: form.cleaned_data.get(k, False) for k in flags}
        candidates = services.invitation_candidates(self.meeting, **flags)
        ctx.update(
            form=form,
            candidates=candidates,
            new_count=sum(1 for c in candidates if not c["already_invited"]),
            guests=form.cleaned_data.get("guests", []) if form.is_bound and form.is_valid() else [],
        )
        return ctx

    def get(self, request, *args, **kwargs):
        if not self.meeting.is_open_for_answers:
            messages.error(request, _("Mötet är inställt, avslutat eller redan genomfört."))
            return redirect("meeting_detail", pk=self.meeting.pk)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        form = InviteForm(request.POST, network=self.meeting.network)
        if not form.is_valid() or request.POST.get("action") != "send":
            return self.render_to_response(self.get_context_data(form=form))
        selected = request.POST.getlist("invitee")
        try:
            count = services.meeting_invite(
                meeting=self.meeting,
                by=request.user,
                user_ids=selected,
                include_regional=form.cleaned_data.get("include_regional", False),
                include_local=form.cleaned_data.get("include_local", False),
                guests=form.cleaned_data["guests"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.render_to_response(self.get_context_data(form=form))
        if count:
            messages.success(request, _("%(count)d inbjudningar skickas nu.") % {"count": count})
        else:
            messages.info(request, _("Ingen ny att bjuda in: alla valda är redan inbjudna."))
        return redirect("meeting_answers", pk=self.meeting.pk)


class AnswersView(MeetingAccessMixin, TemplateView):
    """The coordinator's list: everyone invited, their answers, needs and reasons.

    Paginated (PAGE_SIZE rows), filtered by answer (``?svar=``) and searched by name or e-mail
    (``?q=``). The summary counts and the number of matching rows come from one aggregate query
    over all invitations, so the page makes the same queries for 10 and 2,000 invitees; the CSV
    export stays complete."""

    meeting_role = "coordinator"
    template_name = "meetings/answers.html"
    PAGE_SIZE = 50
    SEARCH_MAX_LENGTH = 100
    # Coming first, then the waiting list in queue order, the unanswered, those not coming.
    RESPONSE_ORDER = [Invitation.Response.YES, Invitation.Response.WAITLIST,
                      Invitation.Response.PENDING, Invitation.Response.NO]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        answer = self.request.GET.get("svar", "")
        if answer not in Invitation.Response.values:
            answer = ""
        search = self.request.GET.get("q", "").strip()[: self.SEARCH_MAX_LENGTH]

        matching = Q()
        if answer:
            matching &= Q(response=answer)
        if search:
            matching &= Q(name__icontains=search) | Q(email__icontains=search)

        base = Invitation.objects.filter(meeting=self.meeting).order_by()
        counts = base.aggregate(
            total=Count("pk"),
            matching=Count("pk", filter=matching) if matching else Count("pk"),
            **{r: Count("pk", filter=Q(response=r)) for r in Invitation.Response.values},
        )
        rows = (
            base.filter(matching)
            .select_related("organisation")
            .annotate(response_rank=Case(
                *[When(response=r, then=Value(i)) for i, r in enumerate(self.RESPONSE_ORDER)],
                default=Value(len(self.RESPONSE_ORDER)), output_field=IntegerField(),
            ))
            .order_by("response_rank", "waitlist_position", "name", "email", "pk")
        )
        paginator = Paginator(rows, self.PAGE_SIZE)
        paginator.count = counts["matching"]  # already counted above: no COUNT(*) query of its own
        page = paginator.get_page(self.request.GET.get("page"))  # out of range → the last page

        ctx.update(
            page_obj=page,
            paginator=paginator,
            invitations=page.object_list,
            counts=counts,
            answer=answer,
            search=search,
            answer_choices=[("", _("Alla"))] + list(Invitation.Response.choices),
            is_filtered=bool(answer or search),
            # meeting_invitation_remove's address up to the invitation id, reversed once
            remove_prefix=reverse("meeting_invitation_remove", args=[self.meeting.pk, 0]).removesuffix("0/ta-bort/"),
        )
        return ctx


class InvitationRemoveView(MeetingAccessMixin, View):
    meeting_role = "coordinator"

    def post(self, request, *args, **kwargs):
        invitation = get_object_or_404(Invitation, pk=kwargs["invitation_pk"], meeting=self.meeting)
        services.invitation_remove(invitation=invitation, by=request.user)
        messages.success(request, _("Inbjudan till %(name)s är borttagen.") % {"name": invitation.display_name})
        return redirect("meeting_answers", pk=self.meeting.pk)


def _csv_response(filename, header, rows):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # Excel opens UTF-8 with a BOM correctly
    writer = csv.writer(response, delimiter=";")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_safe(v) for v in row])
    return response


def _csv_safe(value):
    """Neutralise spreadsheet formulas (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class InvitationsCsvView(MeetingAccessMixin, View):
    meeting_role = "coordinator"

    def get(self, request, *args, **kwargs):
        invitations = selectors.invitations_for(self.meeting)
        audit_record(action=AuditEvent.Action.EXPORT, request=request, obj=self.meeting, detail={"list": "invitations"})
        rows = (
            (i.display_name, i.email, i.organisation_label, i.get_source_display(), i.get_response_display(),
             i.waitlist_position or "", i.comment, i.decline_reason,
             timezone.localtime(i.responded_at).strftime("%Y-%m-%d %H:%M") if i.responded_at else "")
            for i in invitations
        )
        return _csv_response(
            f"inbjudna-{self.meeting.pk}.csv",
            [_("Namn"), _("E-post"), _("Organisation"), _("Inbjuden som"), _("Svar"), _("Plats i kön"),
             _("Behov"), _("Anledning"), _("Svarade")],
            rows,
        )


class AttendanceView(MeetingAccessMixin, TemplateView):
    """Tick who came; add people who came without an invitation."""

    meeting_role = "coordinator"
    template_name = "meetings/attendance.html"

    def get_context_data(self, walk_in_form=None, **kwargs):
        ctx = super().get_context_data(**kwargs)
        invitations = selectors.invitations_for(self.meeting)
        attendances = selectors.attendances_for(self.meeting)
        ctx.update(
            invitations=[i for i in invitations if i.response != Invitation.Response.NO]
            + [i for i in invitations if i.response == Invitation.Response.NO],
            present_ids={a.invitation_id for a in attendances if a.invitation_id},
            walk_ins=[a for a in attendances if not a.invitation_id],
            walk_in_form=walk_in_form or WalkInForm(network=self.meeting.network),
            representation=selectors.representation(attendances),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") == "walk_in":
            form = WalkInForm(request.POST, network=self.meeting.network)
            if form.is_valid():
                try:
                    services.attendance_add_walk_in(meeting=self.meeting, by=request.user, **form.cleaned_data)
                except ValidationError as exc:
                    apply_validation_error(form, exc)
                else:
                    messages.success(request, _("%(name)s är tillagd.") % {"name": form.cleaned_data["name"]})
                    return redirect("meeting_attendance", pk=self.meeting.pk)
            return self.render_to_response(self.get_context_data(walk_in_form=form))
        if request.POST.get("action") == "remove":
            attendance = get_object_or_404(self.meeting.attendances, pk=request.POST.get("attendance"))
            services.attendance_remove(attendance=attendance, by=request.user)
            messages.success(request, _("%(name)s är borttagen ur närvarolistan.") % {"name": attendance.name})
            return redirect("meeting_attendance", pk=self.meeting.pk)
        try:
            services.attendance_set(meeting=self.meeting, by=request.user, invitation_ids=request.POST.getlist("present"))
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Närvaron är sparad."))
        return redirect("meeting_attendance", pk=self.meeting.pk)


class AttendanceCsvView(MeetingAccessMixin, View):
    meeting_role = "coordinator"

    def get(self, request, *args, **kwargs):
        attendances = selectors.attendances_for(self.meeting)
        audit_record(action=AuditEvent.Action.EXPORT, request=request, obj=self.meeting, detail={"list": "attendance"})
        rows = (
            (a.name, a.email, a.organisation_label,
             a.organisation.get_kind_display() if a.organisation_id else "",
             a.organisation.kommun.name if a.organisation_id and a.organisation.kommun_id else "",
             a.get_source_display())
            for a in attendances
        )
        return _csv_response(
            f"narvaro-{self.meeting.pk}.csv",
            [_("Namn"), _("E-post"), _("Organisation"), _("Sort"), _("Kommun"), _("Registrerad")],
            rows,
        )


class SignInSheetView(MeetingAccessMixin, TemplateView):
    """The list of participants to print and sign at the door."""

    meeting_role = "coordinator"
    template_name = "meetings/signin_sheet.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        invitations = selectors.invitations_for(self.meeting)
        ctx["rows"] = [i for i in invitations if i.response == Invitation.Response.YES]
        ctx["blank_rows"] = range(8)
        audit_record(action=AuditEvent.Action.PRINT, request=self.request, obj=self.meeting, detail={"list": "signin"})
        return ctx


class MinutesView(MeetingAccessMixin, FormView):
    meeting_role = "coordinator"
    template_name = "meetings/minutes_form.html"
    form_class = MinutesForm

    def get_initial(self):
        latest = selectors.latest_minutes(self.meeting)
        return {"text": latest.text, "follow_ups": latest.follow_ups} if latest else {}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["revisions"] = list(
            MinutesRevision.objects.filter(meeting=self.meeting).select_related("author").order_by("-number")
        )
        return ctx

    def form_valid(self, form):
        try:
            services.minutes_save(meeting=self.meeting, by=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Minnesanteckningarna är sparade och delade med nätverkets medlemmar."))
        return redirect("meeting_detail", pk=self.meeting.pk)


# --- check-in with a QR code --------------------------------------------------------------------


def checkin_token(meeting):
    """Stable per meeting, unguessable without the server's secret key."""
    return salted_hmac("meetings.checkin", f"{meeting.pk}:{meeting.created_at.isoformat()}").hexdigest()[:32]


def checkin_url(meeting):
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse(
        "meeting_checkin", kwargs={"pk": meeting.pk, "token": checkin_token(meeting)}
    )


class CheckinQrView(MeetingAccessMixin, TemplateView):
    """Shown on the screen at the meeting: participants scan it and are marked present."""

    meeting_role = "coordinator"
    template_name = "meetings/checkin_qr.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        url = checkin_url(self.meeting)
        svg = qrcode.make(url, image_factory=SvgPathImage, border=2).to_string(encoding="unicode")
        # Large on the meeting room's screen, shrinking on a narrow one (attributes, not styles).
        svg = re.sub(r'^<svg width="[^"]*" height="[^"]*"', '<svg width="400" height="400" class="img-fluid"', svg)
        ctx.update(qr_svg=svg, checkin_url=url)
        opens, closes = services.checkin_window(self.meeting)
        ctx["checkin_open"] = self.meeting.status != Meeting.Status.CANCELLED and opens <= timezone.now() <= closes
        return ctx


class CheckinView(MeetingAccessMixin, TemplateView):
    """The QR code's target: after logging in if needed, a button marks me present."""

    template_name = "meetings/checkin.html"

    def _check_token(self):
        if not constant_time_compare(self.kwargs["token"], checkin_token(self.meeting)):
            raise Http404

    def get(self, request, *args, **kwargs):
        self._check_token()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self._check_token()
        try:
            _attendance, created = services.attendance_checkin(meeting=self.meeting, user=request.user)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return redirect(request.path)
        messages.success(request, _("Välkommen! Du är incheckad.") if created else _("Du var redan incheckad."))
        return redirect("meeting_detail", pk=self.meeting.pk)


# --- answering in the portal --------------------------------------------------------------------


class MyAnswerView(MeetingAccessMixin, View):
    """POST only: the logged-in invitee answers (or changes the answer) from the portal."""

    def post(self, request, *args, **kwargs):
        if not self.meeting.my_invitation_id:
            raise Http404
        invitation = Invitation.objects.get(pk=self.meeting.my_invitation_id)
        form = AnswerForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Välj om du kommer eller inte."))
            return redirect("meeting_detail", pk=self.meeting.pk)
        try:
            invitation = services.invitation_answer(invitation=invitation, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _answer_message(invitation))
        next_url = request.POST.get("next")
        if next_url == reverse("dashboard"):
            return redirect(next_url)
        return redirect("meeting_detail", pk=self.meeting.pk)


def _answer_message(invitation):
    if invitation.response == Invitation.Response.YES:
        return _("Tack! Du är anmäld till %(title)s.") % {"title": invitation.meeting.title}
    if invitation.response == Invitation.Response.WAITLIST:
        return _("Mötet är fullt. Du står på väntelistan som nummer %(position)d och får e-post om en plats blir ledig.") % {
            "position": invitation.waitlist_position
        }
    return _("Tack för ditt svar. Du har meddelat att du inte kommer till %(title)s.") % {"title": invitation.meeting.title}


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


# --- the public answer page behind the e-mail links -----------------------------------------------


def _invitation_for_token(pk, token):
    """The invitation a link belongs to, or 404: unknown or tampered token, a token of another
    meeting, a cancelled meeting or one that is over."""
    if not token or len(token) > 100:
        raise Http404
    link = (
        RsvpToken.objects.select_related("invitation", "invitation__meeting", "invitation__meeting__network")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if link is None or link.invitation.meeting_id != pk or not link.invitation.meeting.is_open_for_answers:
        raise Http404
    return link.invitation


@login_not_required
@never_cache
def rsvp(request, pk, token):
    invitation = _invitation_for_token(pk, token)
    meeting = invitation.meeting
    if request.method == "POST":
        form = AnswerForm(request.POST)
        if form.is_valid():
            try:
                invitation = services.invitation_answer(invitation=invitation, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return render(request, "meetings/rsvp_done.html", {
                    "meeting": meeting, "invitation": invitation, "message": _answer_message(invitation),
                })
    else:
        preset = {"ja": Invitation.Response.YES, "nej": Invitation.Response.NO}.get(request.GET.get("svar"))
        form = AnswerForm(initial={
            "response": preset or (invitation.response if invitation.response in ("yes", "no") else None),
            "comment": invitation.comment,
            "decline_reason": invitation.decline_reason,
        })
    return render(request, "meetings/rsvp.html", {
        "meeting": meeting, "invitation": invitation, "form": form,
        "topics": list(meeting.topics.all()),
    })


# --- calendar feed ------------------------------------------------------------------------------


class CalendarFeedSettingsView(TemplateView):
    """Create, renew or revoke my private calendar feed. The URL is shown once."""

    template_name = "meetings/calendar_feed.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["feed"] = CalendarFeed.objects.filter(user=self.request.user).first()
        ctx["feed_url"] = self.request.session.pop("calendar_feed_url", None)
        return ctx

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") == "revoke":
            services.calendar_feed_revoke(user=request.user)
            messages.success(request, _("Kalenderlänken är avstängd. Kalendrar som prenumererade på den får inga fler möten."))
        else:
            raw = services.calendar_feed_renew(user=request.user)
            request.session["calendar_feed_url"] = settings.PORTAL_BASE_URL.rstrip("/") + reverse(
                "calendar_feed", kwargs={"token": raw}
            )
            messages.success(request, _("En ny kalenderlänk är skapad. En tidigare länk fungerar inte längre."))
        return redirect("calendar_feed_settings")


@login_not_required
@never_cache
def calendar_feed(request, token):
    """The private feed: every meeting I am invited to, from 90 days back. Public route; the
    token is the key."""
    if len(token) > 100:
        raise Http404
    feed = CalendarFeed.objects.select_related("user").filter(token_hash=hash_token(token)).first()
    if feed is None or not feed.user.is_active:
        raise Http404
    since = timezone.now() - timedelta(days=90)
    invitations = list(
        Invitation.objects.filter(user=feed.user, meeting__ends_at__gte=since)
        .select_related("meeting", "meeting__network")
        .order_by("meeting__starts_at")
    )
    with transaction.atomic():
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
    body = ics.feed_ics([(i.meeting, i) for i in invitations], name=_("Barnstödsportalen – mina möten"))
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")
