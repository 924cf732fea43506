"""What every page of one meeting shares: the meeting from the plan's own rows (``MeetingMixin``)
and a form on a meeting page (``MeetingFormView``)."""

from django.urls import reverse

from childplans.access import PlanFormView
from childplans.changes import may_change
from portal.models import AuditEvent

from .. import selectors

AuditAction = AuditEvent.Action


def detail_url(plan_pk, meeting_pk):
    return reverse("childplans:teammeeting_detail", kwargs={"plan_pk": plan_pk, "meeting_pk": meeting_pk})


class MeetingMixin:
    """The meeting of the URL, from the plan's own rows; the audit row names it."""

    def get_meeting(self):
        if getattr(self, "meeting", None) is None:
            self.meeting = selectors.meeting_of(self.plan, self.kwargs["meeting_pk"])
            self.audit_object = self.meeting
        return self.meeting

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        meeting = self.get_meeting()
        is_contact = self.request.user.pk == self.plan.contact_person_id
        ctx.update(plan=self.plan, meeting=meeting, is_contact=is_contact,
                   can_edit=is_contact and meeting.is_planned and may_change(self.plan))
        return ctx

    def get_success_url(self):
        return detail_url(self.plan.pk, self.get_meeting().pk)


class MeetingFormView(MeetingMixin, PlanFormView):
    """A form on a meeting page (the audit row names the meeting)."""

    plan_form = False

    def get_form_kwargs(self):
        self.get_meeting()
        return super().get_form_kwargs()

    def form_valid(self, form):
        response = super().form_valid(form)
        self.audit_object = self.meeting  # the row the audit names: the meeting
        return response


