"""Who may see and change network data (DESIGN.md, access rule 2).

Network data is visible to that network's members and to administrators (staff), and
changed by its coordinators. A request for a network one may not see answers 404, the
same as for one that does not exist. Nothing is cached: a removed member loses access on
the next request."""

from django.contrib.auth.mixins import AccessMixin
from django.db.models import Exists, OuterRef, Subquery
from django.http import Http404

from portal.prepared import PreparedQuery

from .models import Network, NetworkMembership


def is_administrator(user):
    return user.is_authenticated and user.is_active and user.is_staff


def networks_visible_to(user):
    qs = Network.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if is_administrator(user):
        return qs
    # Exists, not a join: a join on memberships would also filter any later
    # Count("memberships") down to the user's own row.
    return qs.filter(Exists(NetworkMembership.objects.filter(network=OuterRef("pk"), user=user)))


def network_role(user, network):
    """The user's role in the network, or None."""
    return (
        NetworkMembership.objects.filter(network=network, user=user).values_list("role", flat=True).first()
    )


def regional_networks_coordinated_by(user):
    """Regional networks in which ``user`` is a coordinator (they may create local networks
    in those networks' län)."""
    if not user.is_authenticated:
        return Network.objects.none()
    return Network.objects.filter(
        kind=Network.Kind.REGIONAL,
        memberships__user=user,
        memberships__role=NetworkMembership.Role.COORDINATOR,
    ).select_related("lan")


def _access_query(user_id, pk):
    """The network with its geography, the user's role and whether the user is a member of
    the regional network above it."""
    memberships = NetworkMembership.objects.filter(user_id=user_id)
    return (
        Network.objects.select_related("lan", "kommun", "parent")
        .annotate(
            user_role=Subquery(memberships.filter(network=OuterRef("pk")).values("role")[:1]),
            viewer_in_parent=Exists(memberships.filter(network=OuterRef("parent_id"))),
        )
        .filter(pk=pk)
    )


# Every network page runs it: compiled once per process (portal/prepared.py), as building it
# through the ORM took about 1 ms of CPU a request.
_ACCESS = PreparedQuery(_access_query, "user_id", "pk")


def get_network_for_user_or_404(user, pk, *, role=None):
    """The network if ``user`` may see it (role=None) or coordinate it (role="coordinator").
    One query. The network comes with its län, kommun and regional network, with the user's
    role (``network.user_role``, None for a non-member) and whether the user is a member of
    the parent (``network.viewer_in_parent``)."""
    if not user.is_authenticated:
        raise Http404
    network = _ACCESS.first(user_id=user.pk, pk=pk)
    if network is None:
        raise Http404
    if role == NetworkMembership.Role.COORDINATOR:
        if network.user_role != NetworkMembership.Role.COORDINATOR:
            raise Http404
    elif network.user_role is None and not is_administrator(user):
        raise Http404
    return network


class NetworkAccessMixin(AccessMixin):
    """Loads ``self.network`` for the URL's ``network_pk``. ``network_role`` on the view says
    who may use it: "member" (members and administrators) or "coordinator"."""

    network_role = "member"

    def dispatch(self, request, *args, **kwargs):
        role = NetworkMembership.Role.COORDINATOR if self.network_role == "coordinator" else None
        self.network = get_network_for_user_or_404(request.user, kwargs["network_pk"], role=role)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["network"] = self.network
        ctx["is_coordinator"] = self.network.user_role == NetworkMembership.Role.COORDINATOR
        return ctx
