"""The regional overview: every kommun of the län, its local network(s), who drives each,
members, member organisations of each kind, and (contributed by meetings, networks/contrib.py)
the last and next meeting."""

from django.http import Http404
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from portal.links import href_for

from .. import contrib, selectors
from ..access import NetworkAccessMixin, is_administrator
from ..models import Network, NetworkMembership, Organisation

# Short column headings for the organisation kinds; the full label goes into <abbr title>.
KIND_SHORT = {
    Organisation.Kind.KOMMUN: gettext_lazy("Kommun"),
    Organisation.Kind.REGION: gettext_lazy("Region"),
    Organisation.Kind.POLIS: gettext_lazy("Polis"),
    Organisation.Kind.SKOLA: gettext_lazy("Skola"),
    Organisation.Kind.KYRKA: gettext_lazy("Kyrka"),
    Organisation.Kind.IDEELL: gettext_lazy("Ideell"),
    Organisation.Kind.ANNAN: gettext_lazy("Annan"),
}


class RegionalOverviewView(NetworkAccessMixin, TemplateView):
    """A fixed number of queries whatever the number of kommuner and networks."""

    template_name = "networks/overview.html"

    def get(self, request, *args, **kwargs):
        if self.network.kind != Network.Kind.REGIONAL:
            raise Http404
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        network = self.network
        user = self.request.user
        overview = selectors.regional_overview(network)
        headings, cells = contrib.overview_columns(overview["local_networks"])
        admin = is_administrator(user)
        mine = set() if admin else set(
            NetworkMembership.objects.filter(user=user, network__kind=Network.Kind.LOCAL, network__lan_id=network.lan_id)
            .values_list("network_id", flat=True)
        )
        network_href = href_for("network_detail")  # reversed once (portal/links.py)
        for n in overview["local_networks"]:
            n.contributed_cells = cells[n.pk]
            n.viewer_may_open = admin or n.pk in mine
            n.href = network_href(n.pk)
        ctx.update(
            overview,
            sections=contrib.overview_sections(self.request, network),
            contributed_headings=headings,
            kind_columns=[{"short": KIND_SHORT[kind], "label": Organisation.Kind(kind).label} for kind in Organisation.Kind.values],
            column_count=4 + len(headings) + len(Organisation.Kind.values),
        )
        return ctx
