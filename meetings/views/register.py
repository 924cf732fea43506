"""The attendance register, publishing the minutes and the network's year in attendance
(issue 21). Coordinators only: meetings.access / networks.access answer 404 to anyone else."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from networks.access import NetworkAccessMixin
from portal.audit import audit_record
from portal.exports import csv_response
from portal.forms import apply_validation_error, error_text
from portal.models import AuditEvent

from .. import minutes, register
from ..access import MeetingAccessMixin
from ..forms import RegisterForm, YearForm


class RegisterView(MeetingAccessMixin, TemplateView):
    """Per invitee: närvarande, frånvarande med förhinder or frånvarande; the answer gives the
    default (meetings.register.entry_status), the coordinator decides."""

    meeting_role = "coordinator"
    template_name = "meetings/register.html"

    def get_context_data(self, form=None, **kwargs):
        ctx = super().get_context_data(**kwargs)
        entries = register.register_for(self.meeting)
        ctx.update(
            form=form or RegisterForm(entries=entries),
            walk_ins=[e for e in entries if e.invitation is None],
            counts=register.register_counts(entries),
            status_choices=[(value, str(label)) for value, label in register.STATUS.choices],
        )
        return ctx

    def post(self, request, *args, **kwargs):
        form = RegisterForm(request.POST, entries=register.register_for(self.meeting))
        if form.is_valid():
            try:
                changed = register.register_set(meeting=self.meeting, by=request.user, statuses=form.statuses())
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Närvaroregistret är sparat (%(n)d ändrade).") % {"n": changed})
                return redirect("meeting_register", pk=self.meeting.pk)
        return self.render_to_response(self.get_context_data(form=form), status=200)


class MinutesPublishView(MeetingAccessMixin, TemplateView):
    """The step after writing the minutes: send the latest revision to the participants."""

    meeting_role = "coordinator"
    template_name = "meetings/minutes_publish.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        revisions = list(self.meeting.minutes_revisions.select_related("published_by").order_by("-number"))
        latest = revisions[0] if revisions else None
        ctx.update(
            latest=latest,
            published=[r for r in revisions if r.published_at],
            correction=any(r.published_at for r in revisions[1:]),
            recipients=len(minutes.minutes_recipients(self.meeting)) if latest else 0,
            recipients_mode=minutes.recipients_setting(),
            next_meeting=minutes.next_meeting_of(self.meeting) if latest and latest.follow_ups else None,
            follow_ups=minutes.follow_up_items(latest.follow_ups) if latest else [],
        )
        return ctx

    def post(self, request, *args, **kwargs):
        try:
            result = minutes.minutes_publish(meeting=self.meeting, by=request.user)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return redirect("meeting_minutes_publish", pk=self.meeting.pk)
        text = (_("Rättelsen är publicerad och skickas till %(n)d deltagare.") if result.correction
                else _("Minnesanteckningarna är publicerade och skickas till %(n)d deltagare."))
        messages.success(request, text % {"n": result.recipients})
        if result.agenda_items:
            messages.info(request, _("%(n)d punkter lades till på dagordningen för nästa möte.") % {
                "n": result.agenda_items})
        return redirect("meeting_detail", pk=self.meeting.pk)


class YearReportMixin(NetworkAccessMixin):
    network_role = "coordinator"

    def get_report(self):
        self.year_form = YearForm(self.request.GET or None)
        year = self.year_form.year()
        self.report = register.year_report(self.network, year) if year is not None else None
        return self.report


class YearReportView(YearReportMixin, TemplateView):
    """The network's year: attendance by organisation and kind, and who missed every meeting."""

    template_name = "meetings/year_report.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(report=self.get_report(), year_form=self.year_form)
        return ctx


class YearReportCsvView(YearReportMixin, TemplateView):
    """The same report as CSV: one row per organisation, per kind and per member who missed all."""

    template_name = "meetings/year_report.html"

    def get(self, request, *args, **kwargs):
        report = self.get_report()
        if report is None:  # a bad year: the page with its message next to the field
            return self.render_to_response(self.get_context_data(report=None, year_form=self.year_form))
        audit_record(action=AuditEvent.Action.EXPORT, request=request, obj=self.network,
                     detail={"list": "attendance_year", "year": report.year})
        header = [_("Del"), _("Namn"), _("Sort"), _("Möten med närvaro"), _("Närvarande"),
                  _("Frånvarande med förhinder"), _("Frånvarande")]
        rows = [(_("Organisation"), t.label, t.kind_label, t.represented, t.present, t.excused, t.absent)
                for t in report.by_organisation]
        rows += [(_("Sort av organisation"), t.label, "", t.represented, t.present, t.excused, t.absent)
                 for t in report.by_kind]
        rows += [(_("Missat alla möten"), m.name, m.organisation, 0, 0, m.excused, m.invited - m.excused)
                 for m in report.missed_all]
        return csv_response(f"narvaro-{self.network.pk}-{report.year}.csv", header, rows)
