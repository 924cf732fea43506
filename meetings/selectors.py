"""Reads for meeting pages, the dashboard, the network page and the regional overview, each in
a fixed number of queries whatever the number of meetings or invitees (docs/performance.md)."""

from dataclasses import dataclass, field

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from networks.models import Network, Organisation
from portal.queries import count_of

from .models import Attendance, Invitation, Meeting, MinutesRevision, term_for, term_label

RESPONSES = Invitation.Response


def _count(response):
    return count_of(Invitation.objects.filter(meeting=OuterRef("pk"), response=response))


def with_counts(qs):
    """Annotate ``coming``, ``waiting``, ``declined``, ``pending`` (one query, subqueries)."""
    return qs.annotate(
        coming=_count(RESPONSES.YES),
        waiting=_count(RESPONSES.WAITLIST),
        declined=_count(RESPONSES.NO),
        pending=_count(RESPONSES.PENDING),
    )


def with_my_invitation(qs, user):
    """Annotate the viewer's own answer (``my_response``, ``my_comment``,
    ``my_decline_reason``, ``my_waitlist_position``) as subqueries of the same query."""
    mine = Invitation.objects.filter(meeting=OuterRef("pk"), user=user)
    return qs.annotate(**{
        f"my_{name}": Subquery(mine.values(name)[:1])
        for name in ("response", "comment", "decline_reason", "waitlist_position")
    })


# --- dashboard ------------------------------------------------------------------------------


def upcoming_meetings_for(user, limit=10):
    """My coming meetings (the ones I am invited to), soonest first, with my answer: a list of
    invitations with ``.meeting`` and ``.meeting.network`` loaded. One query."""
    if not user.is_authenticated:
        return []
    return list(
        Invitation.objects.filter(user=user, meeting__ends_at__gte=timezone.now())
        .select_related("meeting", "meeting__network")
        .order_by("meeting__starts_at")[:limit]
    )


# --- network page -----------------------------------------------------------------------------


@dataclass
class TermGroup:
    term: str
    year: int
    meetings: list = field(default_factory=list)

    @property
    def label(self):
        return term_label(self.term, self.year)


def current_term(today=None):
    return term_for(today or timezone.localdate())


def network_meetings(network):
    """The network's meetings grouped by term (newest term first), each with the number coming,
    and whether the current term still lacks a meeting (a cancelled one does not count). One
    query, of the columns the network page shows."""
    meetings = list(
        Meeting.objects.filter(network=network)
        .only("pk", "network_id", "title", "kind", "status", "starts_at", "ends_at", "term", "term_year", "series")
        .annotate(coming=_count(RESPONSES.YES))
        .order_by("-term_year", "-term", "starts_at")
    )
    groups = {}
    for m in meetings:
        groups.setdefault((m.term_year, m.term), TermGroup(m.term, m.term_year)).meetings.append(m)
    term, year = current_term()
    lacks = not any(m.status != Meeting.Status.CANCELLED for m in groups.get((year, term), TermGroup(term, year)).meetings)
    now = timezone.now()
    return {
        "terms": list(groups.values()),
        "current_term_label": term_label(term, year),
        "current_term_lacks_meeting": lacks,
        "next_meeting": next(
            (m for m in meetings if m.starts_at >= now and m.status == Meeting.Status.PLANNED), None
        ),
    }


# --- regional overview ------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingMark:
    """A meeting as a list shows it: when and what."""

    starts_at: object
    title: str

    @property
    def local_start(self):
        return timezone.localtime(self.starts_at)


def last_and_next_meetings(networks):
    """``{network_id: (last meeting, next meeting)}`` (``MeetingMark`` or None) for the given
    networks (a queryset, or networks or their ids): the last meeting that started before now
    and was not cancelled, and the next planned one. One query."""
    now = timezone.now()
    held = (
        Meeting.objects.filter(network=OuterRef("pk"), starts_at__lt=now)
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("-starts_at")
    )
    coming = Meeting.objects.filter(
        network=OuterRef("pk"), starts_at__gte=now, status=Meeting.Status.PLANNED
    ).order_by("starts_at")
    ids = networks.values("pk") if isinstance(networks, QuerySet) else [getattr(n, "pk", n) for n in networks]
    rows = Network.objects.filter(pk__in=ids).annotate(
        last_at=Subquery(held.values("starts_at")[:1]),
        last_title=Subquery(held.values("title")[:1]),
        next_at=Subquery(coming.values("starts_at")[:1]),
        next_title=Subquery(coming.values("title")[:1]),
    ).values_list("pk", "last_at", "last_title", "next_at", "next_title")
    return {
        pk: (MeetingMark(last_at, last_title) if last_at else None, MeetingMark(next_at, next_title) if next_at else None)
        for pk, last_at, last_title, next_at, next_title in rows
    }


# --- meeting page -----------------------------------------------------------------------------


def latest_minutes(meeting):
    return MinutesRevision.objects.filter(meeting=meeting).select_related("author").order_by("-number").first()


def representation(attendances):
    """Who was represented, from attendance rows (with organisation and its kommun loaded): the
    figures networks report upward. No queries."""
    orgs, kinds, kommuner = {}, {}, {}
    others = set()
    for a in attendances:
        org = a.organisation
        if org is not None:
            orgs[org.pk] = org
        elif a.organisation_name:
            others.add(a.organisation_name.strip())
    for org in orgs.values():
        kinds[org.kind] = kinds.get(org.kind, 0) + 1
        if org.kommun_id:
            kommuner[org.kommun.name] = kommuner.get(org.kommun.name, 0) + 1
    return {
        "people": len(attendances),
        "organisations": sorted(orgs.values(), key=str),
        "other_organisations": sorted(others),
        "organisation_count": len(orgs) + len(others),
        "kinds": [
            {"kind": k, "label": Organisation.Kind(k).label, "count": kinds[k]}
            for k in Organisation.Kind.values
            if k in kinds
        ],
        "kommuner": sorted(kommuner.items()),
    }


def attendances_for(meeting):
    """Who was present (the register's other marks are in meetings/register.py)."""
    return list(
        Attendance.objects.filter(meeting=meeting, status=Attendance.Status.PRESENT)
        .select_related("organisation", "organisation__kommun")
        .order_by("name")
    )


def invitations_for(meeting):
    """All invitations of a meeting with what the answers list needs (one query)."""
    return list(
        Invitation.objects.filter(meeting=meeting)
        .select_related("organisation", "attendance")
        .order_by("name", "email")
    )
