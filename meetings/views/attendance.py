"""Who came: ticking attendance, walk-ins, the sign-in sheet and the check-in QR code."""

import re

import qrcode
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View
from qrcode.image.svg import SvgPathImage

from portal.audit import audit_record
from portal.exports import csv_response
from portal.forms import apply_validation_error, error_text, id_from
from portal.models import AuditEvent

from .. import selectors, services
from ..access import MeetingAccessMixin
from ..forms import (
    PresentForm,
    WalkInForm,
)
from ..models import Invitation, Meeting


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
            attendance = get_object_or_404(self.meeting.attendances, pk=id_from(request.POST, "attendance"))
            services.attendance_remove(attendance=attendance, by=request.user)
            messages.success(request, _("%(name)s är borttagen ur närvarolistan.") % {"name": attendance.name})
            return redirect("meeting_attendance", pk=self.meeting.pk)
        present = PresentForm(request.POST)
        try:
            if not present.is_valid():
                raise ValidationError(present.errors["present"])
            services.attendance_set(
                meeting=self.meeting, by=request.user, invitation_ids=present.cleaned_data["present"]
            )
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
            (
                a.name,
                a.email,
                a.organisation_label,
                a.organisation.get_kind_display() if a.organisation_id else "",
                a.organisation.kommun.name if a.organisation_id and a.organisation.kommun_id else "",
                a.get_source_display(),
            )
            for a in attendances
        )
        return csv_response(
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
