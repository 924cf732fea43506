"""Who may see and change a meeting (docs/security.md, access rule 2).

The network's coordinators plan, change, invite, record attendance and read answers with
comments; its other members (and invitees who are not members, and administrators) see the
meeting and the number coming; anyone else gets 404, the same as for a meeting that does not
exist. One query: the viewer's role and invitation come as annotations."""

from django.contrib.auth.mixins import AccessMixin
from django.db.models import Exists, OuterRef, Q, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404

from networks.access import is_administrator
from networks.models import NetworkMembership

from .models import Invitation, Meeting

COORDINATOR = NetworkMembership.Role.COORDINATOR


def meetings_visible_to(user):
    qs = Meeting.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if is_administrator(user):
        return qs
    return qs.filter(
        Q(Exists(NetworkMembership.objects.filter(network=OuterRef("network_id"), user=user)))
        | Q(Exists(Invitation.objects.filter(meeting=OuterRef("pk"), user=user)))
    )


def get_meeting_for_user_or_404(user, pk, *, role=None, queryset=None):
    """The meeting if ``user`` may see it (role=None) or coordinate its network
    (role="coordinator"). Sets ``meeting.user_role``, ``meeting.is_coordinator`` and
    ``meeting.my_invitation_id``."""
    if not user.is_authenticated:
        raise Http404
    user_role = NetworkMembership.objects.filter(network=OuterRef("network_id"), user=user).values("role")[:1]
    my_invitation = Invitation.objects.filter(meeting=OuterRef("pk"), user=user).values("pk")[:1]
    qs = Meeting.objects.all() if queryset is None else queryset
    meeting = get_object_or_404(
        qs.select_related("network", "network__lan", "network__kommun").annotate(
            user_role=Subquery(user_role), my_invitation_id=Subquery(my_invitation)
        ),
        pk=pk,
    )
    meeting.is_coordinator = meeting.user_role == COORDINATOR
    if role == COORDINATOR:
        if not meeting.is_coordinator:
            raise Http404
    elif meeting.user_role is None and meeting.my_invitation_id is None and not is_administrator(user):
        raise Http404
    return meeting


class MeetingAccessMixin(AccessMixin):
    """Loads ``self.meeting`` for the URL's ``pk``; ``meeting_role`` is "member" or "coordinator"."""

    meeting_role = "member"

    def get_meeting_queryset(self):
        """Views may add annotations here (they come in the same single query)."""
        return Meeting.objects.all()

    def dispatch(self, request, *args, **kwargs):
        role = COORDINATOR if self.meeting_role == "coordinator" else None
        self.meeting = get_meeting_for_user_or_404(
            request.user, kwargs["pk"], role=role, queryset=self.get_meeting_queryset()
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["meeting"] = self.meeting
        ctx["network"] = self.meeting.network
        ctx["is_coordinator"] = self.meeting.is_coordinator
        return ctx
