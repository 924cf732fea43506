"""Who may see and change network data (docs/security.md, access rule 2).

Network data is visible to that network's members and to administrators (active staff), and
changed by its coordinators. A request for a network one may not see answers 404, the same as
for one that does not exist. ``Network.objects.visible_to(user)`` decides, built by the ORM on
every request: a removed member loses access on the next request."""

from django.contrib.auth.mixins import AccessMixin
from django.db.models import Exists, OuterRef, Subquery
from django.http import Http404

from portal.queries import is_valid_id

from .models import Network, NetworkMembership

COORDINATOR = NetworkMembership.Role.COORDINATOR


def is_administrator(user):
    return user.is_authenticated and user.is_active and user.is_staff


def regional_networks_coordinated_by(user):
    """Regional networks in which ``user`` is a coordinator (they may create local networks
    in those networks' län)."""
    if not user.is_authenticated:
        return Network.objects.none()
    return Network.objects.filter(
        kind=Network.Kind.REGIONAL, memberships__user=user, memberships__role=COORDINATOR
    ).select_related("lan")


def get_network_for_user_or_404(user, pk, *, role=None):
    """The network if ``user`` may see it (role=None) or coordinate it (role="coordinator");
    Http404 otherwise. One query: the network comes with its län, kommun and regional network,
    the user's role (``network.user_role``, None for a non-member) and whether the user is a
    member of the regional network above it (``network.viewer_in_parent``)."""
    if not is_valid_id(pk):
        raise Http404
    memberships = NetworkMembership.objects.filter(user_id=user.pk)
    network = (
        Network.objects.visible_to(user)
        .select_related("lan", "kommun", "parent")
        .annotate(
            user_role=Subquery(memberships.filter(network=OuterRef("pk")).values("role")[:1]),
            viewer_in_parent=Exists(memberships.filter(network=OuterRef("parent_id"))),
        )
        .filter(pk=pk)
        .first()
    )
    if network is None or (role == COORDINATOR and network.user_role != COORDINATOR):
        raise Http404
    return network


class NetworkAccessMixin(AccessMixin):
    """Loads ``self.network`` for the URL's ``network_pk``. ``network_role`` on the view says
    who may use it: "member" (members and administrators) or "coordinator"."""

    network_role = "member"

    def dispatch(self, request, *args, **kwargs):
        role = COORDINATOR if self.network_role == "coordinator" else None
        self.network = get_network_for_user_or_404(request.user, kwargs["network_pk"], role=role)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["network"] = self.network
        ctx["is_coordinator"] = self.network.user_role == COORDINATOR
        return ctx
