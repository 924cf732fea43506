"""Reads for the team meeting pages and the dashboard, each in one query whatever the number of
invitees, agenda points or actions (docs/performance.md: a plan page <= 10 queries with auth).
Every read starts from the plan the view loaded through ``ChildPlan.objects.visible_to`` — or,
for the dashboard, from ``visible_to(user)`` itself."""

from django.db.models import Count, F, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from childplans.models import ChildPlan, TeamMember
from portal.queries import parse_id

from .models import AgendaPoint, Invitee, MinutesAction, TeamMeeting


def meetings_of(plan):
    """The plan's team meetings, newest first, with how many are coming and have not answered.
    One query."""
    return list(
        TeamMeeting.objects.filter(plan=plan)
        .annotate(
            coming=Count("invitees", filter=Q(invitees__response=Invitee.Response.YES)),
            pending=Count("invitees", filter=Q(invitees__response=Invitee.Response.PENDING)),
            called=Count("invitees"),
        )
        .order_by("-starts_at", "-pk")
    )


def meeting_of(plan, pk):
    """The plan's meeting ``pk`` (with who called it and closed it), or 404: an id of another
    plan's meeting is a 404 like a missing one."""
    pk = parse_id(pk)
    if pk is None:
        raise Http404
    return get_object_or_404(TeamMeeting.objects.select_related("created_by", "closed_by", "review"), plan=plan,
                             pk=pk)


def invitees_of(meeting):
    """Everyone called, team members first (by name) then guardians, with their person,
    organisation or guardian. One query. ``still_valid`` marks, for the page, a member still on
    the team (``TeamMember.is_current``: the services set ``removed_at`` when someone is removed or
    their consent is withdrawn); what a member may do — answer, get e-mail — is decided by ``still_called`` /
    ``invitee_is_valid`` (the full rule of ``visible_to``), never by this mark."""
    invitees = list(
        Invitee.objects.filter(meeting=meeting)
        .select_related("team_member__user", "team_member__organisation", "guardian")
        .order_by(F("guardian_id").asc(nulls_first=True), "team_member__user__first_name",
                  "team_member__user__last_name", "pk")
    )
    for invitee in invitees:
        invitee.still_valid = invitee.guardian_id is not None or invitee.team_member.is_current
    return invitees


def agenda_of(meeting):
    return list(AgendaPoint.objects.filter(meeting=meeting).order_by("position"))


def minutes_actions_of(meeting):
    return list(
        MinutesAction.objects.filter(meeting=meeting)
        .select_related("goal", "responsible_organisation", "responsible_person", "action")
        .order_by("pk")
    )


def upcoming_team_meetings_for(user, limit=10):
    """"Mina kommande möten": the coming team meetings the user is called to, in active plans they
    may see now, soonest first, with their answer: dicts with ``plan_id``, ``meeting_id``,
    ``starts_at``, ``ends_at`` (local time), ``response`` and ``url``. Plan numbers, times and
    answers only (never a child's name). One query. The dashboard shows them only behind
    two-step verification, like "Mina insatser"."""
    if not (user.is_authenticated and user.is_active and user.pk):
        return []
    rows = list(
        Invitee.objects.filter(
            team_member__in=TeamMember.objects.current().filter(user=user),
            meeting__status=TeamMeeting.Status.PLANNED, meeting__ends_at__gte=timezone.now(),
            meeting__plan__in=ChildPlan.objects.visible_to(user).active().values("pk"),
        )
        .order_by("meeting__starts_at", "pk")
        .values("response", "meeting_id", plan_id=F("meeting__plan_id"), starts_at=F("meeting__starts_at"),
                ends_at=F("meeting__ends_at"))[:limit]
    )
    for row in rows:
        row["starts_at"] = timezone.localtime(row["starts_at"])
        row["ends_at"] = timezone.localtime(row["ends_at"])
        row["url"] = reverse("childplans:teammeeting_detail",
                             kwargs={"plan_pk": row["plan_id"], "meeting_pk": row["meeting_id"]})
    return rows
