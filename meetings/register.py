"""The attendance register (issue 21, part 2): per meeting and invitee, närvarande,
frånvarande med förhinder (anmält) or frånvarande, and the network's year in attendance.

Three sources set a status: the coordinator on the register page (``register_set``), the QR
check-in (present, meetings.services.attendance_checkin) and the answer to the invitation. The
answer is not copied: an invitee without a register row has the status ``entry_status`` derives
from it, so a "nej" given before the answer deadline reads "anmält förhinder" until the
coordinator marks something else. ``entry_status`` is the one rule; the register page, the
year report and the minutes' recipients all call it."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from networks.models import NetworkMembership, Organisation
from portal.audit import audit_record
from portal.models import AuditEvent
from portal.routers import reports_on_replica

from .models import Attendance, Invitation, Meeting

STATUS = Attendance.Status
RESPONSE = Invitation.Response


def answered_in_time(invitation, meeting):
    """Whether the answer came by the answer deadline (the meeting's start when it has none).
    An answer without a recorded time counts as in time."""
    if invitation.responded_at is None:
        return True
    if meeting.rsvp_deadline is not None:
        return timezone.localtime(invitation.responded_at).date() <= meeting.rsvp_deadline
    return invitation.responded_at <= meeting.starts_at


def entry_status(invitation, meeting, attendance=None):
    """An invitee's status in the register: what was recorded (``attendance``, their register
    row, if any), else what their answer says — a "nej" in time, or a place on the waiting
    list, is notice of absence; anything else (a yes, no answer, a late "nej") is absent."""
    if attendance is not None:
        return attendance.status
    if invitation.response == RESPONSE.WAITLIST:
        return STATUS.EXCUSED
    if invitation.response == RESPONSE.NO and answered_in_time(invitation, meeting):
        return STATUS.EXCUSED
    return STATUS.ABSENT


@dataclass
class RegisterEntry:
    invitation: object  # None for someone who came without an invitation
    attendance: object
    status: str
    name: str
    organisation_label: str
    organisation: object = None
    email: str = ""

    @property
    def status_label(self):
        return STATUS(self.status).label

    @property
    def recorded(self):
        """Set by the coordinator or the check-in, not derived from the answer."""
        return self.attendance is not None


def _entries(invitations, walk_ins, meeting):
    """Register entries of one meeting from its invitations (``attendance`` loaded) and its rows
    without an invitation. A person present without their invitation's row (added by e-mail, or
    checked in before the invitation) counts once, as present, on their invitation."""
    by_user = {a.user_id: a for a in walk_ins if a.user_id}
    entries, used = [], set()
    for inv in invitations:
        att = getattr(inv, "attendance", None)  # (a missing reverse one-to-one is an AttributeError)
        if att is None and inv.user_id in by_user:
            att = by_user[inv.user_id]
            used.add(att.pk)
        entries.append(RegisterEntry(
            invitation=inv, attendance=att, status=entry_status(inv, meeting, att), name=inv.display_name,
            organisation_label=inv.organisation_label, organisation=inv.organisation, email=inv.email,
        ))
    for a in walk_ins:
        if a.pk not in used:
            entries.append(RegisterEntry(
                invitation=None, attendance=a, status=a.status, name=a.name,
                organisation_label=a.organisation_label, organisation=a.organisation, email=a.email,
            ))
    return entries


def _invitations_with_attendance(meeting_ids):
    return list(
        Invitation.objects.filter(meeting_id__in=meeting_ids)
        .select_related("attendance", "organisation")
        .order_by("name", "email")
    )


def register_for(meeting):
    """The meeting's register: one entry per invitee and per person who came without an
    invitation, in name order. Two queries."""
    invitations = _invitations_with_attendance([meeting.pk])
    walk_ins = list(
        Attendance.objects.filter(meeting=meeting, invitation__isnull=True).select_related("organisation")
    )
    return _entries(invitations, walk_ins, meeting)


def register_counts(entries):
    counts = {s: 0 for s in STATUS.values}
    for e in entries:
        counts[e.status] += 1
    return counts


def check_register_open(meeting):
    """The register can be kept from two hours before the start (as attendance_set)."""
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("Mötet är inställt."))
    if meeting.starts_at > timezone.now() + timedelta(hours=2):
        raise ValidationError(_("Närvaro kan registreras först när mötet börjar."))


@transaction.atomic
def register_set(*, meeting, by, statuses):
    """Record the coordinator's register: ``statuses`` maps invitation ids of this meeting to a
    status. A status equal to what the answer already says stores nothing (the answer still
    decides); any other is recorded and beats the answer. Returns the number of invitees whose
    status changed."""
    check_register_open(meeting)
    bad = [v for v in statuses.values() if v not in STATUS.values]
    if bad:
        raise ValidationError(_("Välj närvarande, frånvarande med förhinder eller frånvarande."))
    Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
    entries = {e.invitation.pk: e for e in register_for(meeting) if e.invitation is not None}
    now = timezone.now()
    changed = {}
    for inv_id, status in statuses.items():
        entry = entries.get(inv_id)
        if entry is None or entry.status == status:
            continue
        att = entry.attendance
        if att is not None:
            att.status = status
            if status == STATUS.PRESENT:
                att.source = Attendance.Source.COORDINATOR
            att.recorded_by, att.recorded_at = by, now
            att.save(update_fields=["status", "source", "recorded_by", "recorded_at"])
        else:
            inv = entry.invitation
            Attendance.objects.create(
                meeting=meeting, invitation=inv, user_id=inv.user_id, name=inv.display_name, email=inv.email,
                organisation_id=inv.organisation_id, organisation_name=inv.organisation_name,
                source=Attendance.Source.COORDINATOR, status=status, recorded_by=by, recorded_at=now,
            )
        changed[str(inv_id)] = status
    if changed:
        audit_record(action=AuditEvent.Action.UPDATE, event="attendance.register_set", user=by, obj=meeting,
                     detail={"network_id": meeting.network_id, "statuses": changed})
    return len(changed)


# --- the network's year -------------------------------------------------------------------------

OTHER_KIND = "other"


@dataclass
class Tally:
    """Attendance of one organisation or kind of organisation over the year's meetings."""

    label: str
    kind_label: str = ""
    present: int = 0
    excused: int = 0
    absent: int = 0
    meetings: set = field(default_factory=set)  # meetings at which it was represented

    @property
    def represented(self):
        return len(self.meetings)

    def add(self, entry, meeting_id):
        setattr(self, entry.status, getattr(self, entry.status) + 1)
        if entry.status == STATUS.PRESENT:
            self.meetings.add(meeting_id)


@dataclass
class MissedAll:
    name: str
    email: str
    organisation: str
    invited: int
    excused: int


@dataclass
class YearReport:
    year: int
    meetings: list
    by_organisation: list
    by_kind: list
    missed_all: list


def year_bounds(year):
    tz = timezone.get_current_timezone()
    return datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)


@reports_on_replica()
def year_report(network, year, now=None):
    """The network's meetings held in ``year`` (started by now, not cancelled) with their
    register counts; attendance by organisation and by kind of organisation (present, excused,
    absent, and at how many meetings it was represented); and the network's members who were
    present at none of them. Four queries, whatever the number of meetings or people."""
    now = now or timezone.now()
    start, end = year_bounds(year)
    meetings = list(
        Meeting.objects.filter(network=network, starts_at__gte=start, starts_at__lt=end, starts_at__lte=now)
        .exclude(status=Meeting.Status.CANCELLED)
        .only("pk", "network_id", "title", "starts_at", "ends_at", "rsvp_deadline", "status", "term", "term_year")
        .order_by("starts_at")
    )
    ids = [m.pk for m in meetings]
    invitations, walk_ins = {}, {}
    for inv in _invitations_with_attendance(ids) if ids else []:
        invitations.setdefault(inv.meeting_id, []).append(inv)
    if ids:
        for a in Attendance.objects.filter(meeting_id__in=ids, invitation__isnull=True).select_related("organisation"):
            walk_ins.setdefault(a.meeting_id, []).append(a)
    by_org, by_kind = {}, {}
    present_users, seen = set(), {}  # seen: user id -> [invited, excused]
    for m in meetings:
        entries = _entries(invitations.get(m.pk, []), walk_ins.get(m.pk, []), m)
        m.counts = register_counts(entries)
        for e in entries:
            org = e.organisation
            if org is not None:
                key, kind, kind_label = ("org", org.pk), org.kind, org.get_kind_display()
                label = str(org)
            else:
                label = e.organisation_label.strip() or _("Utan organisation")
                key, kind, kind_label = ("name", label.casefold()), OTHER_KIND, _("Annan eller okänd")
            by_org.setdefault(key, Tally(label, kind_label)).add(e, m.pk)
            by_kind.setdefault(kind, Tally(kind_label)).add(e, m.pk)
            user_id = e.invitation.user_id if e.invitation is not None else e.attendance.user_id
            if user_id:
                if e.status == STATUS.PRESENT:
                    present_users.add(user_id)
                tally = seen.setdefault(user_id, [0, 0])
                tally[0] += 1
                tally[1] += e.status == STATUS.EXCUSED
    kinds_order = [*Organisation.Kind.values, OTHER_KIND]
    missed = []
    if meetings:
        members = (
            NetworkMembership.objects.filter(network=network, user__is_active=True)
            .exclude(user_id__in=present_users)
            .select_related("user", "organisation")
            .order_by("user__first_name", "user__last_name", "user__email")
        )
        for ms in members:
            invited, excused = seen.get(ms.user_id, (0, 0))
            missed.append(MissedAll(ms.user.display_name, ms.user.email, str(ms.organisation) if ms.organisation_id
                                    else "", invited, excused))
    return YearReport(
        year=year,
        meetings=meetings,
        by_organisation=sorted(by_org.values(), key=lambda t: (-t.represented, -t.present, t.label.casefold())),
        by_kind=[by_kind[k] for k in kinds_order if k in by_kind],
        missed_all=missed,
    )
