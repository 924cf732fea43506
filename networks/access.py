"""Who may see and change network data (DESIGN.md, access rule 2).

Network data is visible to that network's members and to administrators (staff), and
changed by its coordinators. A request for a network one may not see answers 404, the
same as for one that does not exist. Nothing is cached: a removed member loses access on
the next request."""

import functools

from django.contrib.auth.mixins import AccessMixin
from django.db import connection
from django.db.models import Exists, OuterRef
from django.http import Http404

from .models import Kommun, Lan, Network, NetworkMembership


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


@functools.cache
def _network_access_sql(vendor):
    """The access query, written once per process from the models' metadata (``vendor`` only
    keys the cache). Every network page runs it, so it is plain SQL: the ORM took about 1 ms
    of CPU a request to build and compile the same statement (0.07 ms to run it raw)."""
    qn = connection.ops.quote_name
    network, lan, kommun = Network._meta, Lan._meta, Kommun._meta
    membership = NetworkMembership._meta
    parent_fields = ["id", "name", "kind", "lan_id", "kommun_id", "parent_id"]
    columns = (
        [f"n.{qn(f.column)}" for f in network.concrete_fields]
        + [f"l.{qn(f.column)} AS {qn('lan__' + f.attname)}" for f in lan.concrete_fields]
        + [f"k.{qn(f.column)} AS {qn('kommun__' + f.attname)}" for f in kommun.concrete_fields]
        + [f"p.{qn(network.get_field(a).column)} AS {qn('parent__' + a)}" for a in parent_fields]
    )
    m_network, m_user = qn(membership.get_field("network").column), qn(membership.get_field("user").column)
    sql = (
        f"SELECT {', '.join(columns)}, "
        f"(SELECT m.{qn('role')} FROM {qn(membership.db_table)} m"
        f" WHERE m.{m_network} = n.{qn('id')} AND m.{m_user} = %s LIMIT 1) AS {qn('user_role')}, "
        f"EXISTS (SELECT 1 FROM {qn(membership.db_table)} pm"
        f" WHERE pm.{m_network} = n.{qn('parent_id')} AND pm.{m_user} = %s) AS {qn('viewer_in_parent')} "
        f"FROM {qn(network.db_table)} n"
        f" INNER JOIN {qn(lan.db_table)} l ON l.{qn('id')} = n.{qn('lan_id')}"
        f" LEFT OUTER JOIN {qn(kommun.db_table)} k ON k.{qn('id')} = n.{qn('kommun_id')}"
        f" LEFT OUTER JOIN {qn(network.db_table)} p ON p.{qn('id')} = n.{qn('parent_id')}"
        f" WHERE n.{qn('id')} = %s"
    )
    return sql, [f.attname for f in lan.concrete_fields], [f.attname for f in kommun.concrete_fields], parent_fields


def get_network_for_user_or_404(user, pk, *, role=None):
    """The network if ``user`` may see it (role=None) or coordinate it (role="coordinator").
    One query. The network comes with its län, kommun and regional network (the parent: only
    its id, name, kind and geography; other fields load on use), with the user's role
    (``network.user_role``, None for a non-member) and whether the user is a member of the
    parent (``network.viewer_in_parent``)."""
    if not user.is_authenticated or not -(2**63) <= int(pk) < 2**63:  # beyond any id: none
        raise Http404
    sql, lan_fields, kommun_fields, parent_fields = _network_access_sql(connection.vendor)
    rows = list(Network.objects.raw(sql, [user.pk, user.pk, pk]))
    if not rows:
        raise Http404
    network = rows[0]
    network.viewer_in_parent = bool(network.viewer_in_parent)
    _attach(network, "lan", Lan, lan_fields)
    _attach(network, "kommun", Kommun, kommun_fields)
    _attach(network, "parent", Network, parent_fields)
    if role == NetworkMembership.Role.COORDINATOR:
        if network.user_role != NetworkMembership.Role.COORDINATOR:
            raise Http404
    elif network.user_role is None and not is_administrator(user):
        raise Http404
    return network


def _attach(network, name, model, attnames):
    """Turn the ``<name>__<field>`` columns of the access query into the related object,
    cached on the network the way select_related does (None when the foreign key is empty)."""
    values = [network.__dict__.pop(f"{name}__{a}") for a in attnames]
    related = model.from_db(network._state.db, attnames, values) if values[0] is not None else None
    Network._meta.get_field(name).set_cached_value(network, related)


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
