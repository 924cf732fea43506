"""Networks: the list, creating and editing a network, and the network page.

Views stay thin: access through networks.access (404 for anyone who may not see the network),
reads through networks.selectors, writes through networks.services (a ValidationError with a
Swedish message goes next to its field)."""

from django.http import Http404
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from portal.forms import ServiceFormMixin, id_from
from portal.kept import kept
from portal.links import href_for

from .. import contrib, selectors, services
from ..access import NetworkAccessMixin, is_administrator, regional_networks_coordinated_by
from ..forms import NetworkCreateForm, NetworkUpdateForm
from ..kept import NETWORK_BODY, NETWORK_BODY_TIMEOUT, network_scope
from ..models import Network, NetworkMembership


class NetworkListView(TemplateView):
    """Nätverk: the networks I am a member of (administrators: all), regional first, 50 a
    page."""

    template_name = "networks/network_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        page, regional, local = selectors.network_list_page(
            user, Network.objects.visible_to(user), selectors.page_number_from(self.request.GET.get("page"))
        )
        admin = is_administrator(user)
        ctx.update(
            page_obj=page,
            networks=regional + local,
            regional_networks=regional,
            local_networks=local,
            is_administrator=admin,
            can_create=admin or any(n.my_role == NetworkMembership.Role.COORDINATOR for n in regional),
        )
        return ctx


class NetworkCreateView(ServiceFormMixin, FormView):
    """Administrators create any network; coordinators of a regional network create local
    networks in its län. Everyone else gets 404."""

    template_name = "networks/network_create.html"
    form_class = NetworkCreateForm
    service_field_map = {"organisation": "coordinator_organisation"}

    def dispatch(self, request, *args, **kwargs):
        self.regional_networks = None
        if not is_administrator(request.user):
            regional = regional_networks_coordinated_by(request.user)
            if not regional.exists():
                raise Http404
            self.regional_networks = regional
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        kwargs["regional_networks"] = self.regional_networks
        return kwargs

    def get_initial(self):
        initial = super().get_initial()
        initial["kind"] = Network.Kind.LOCAL
        parents = self.regional_networks
        wanted = id_from(self.request.GET, "parent")
        if wanted is not None:
            allowed = parents if parents is not None else Network.objects.filter(kind=Network.Kind.REGIONAL)
            parent = allowed.filter(pk=wanted).first()
            if parent is not None:
                initial["parent"] = parent
        elif parents is not None:
            initial["parent"] = parents.first()
        return initial

    def perform(self, form):
        data = form.cleaned_data
        network = services.network_create(
            by=self.request.user,
            name=data["name"],
            kind=data["kind"],
            lan=data["lan"],
            kommun=data.get("kommun"),
            parent=data.get("parent"),
            purpose=data["purpose"],
            coordinator_organisation=data["coordinator_organisation"],
        )
        self.success_message = _("Nätverket %(name)s är skapat och du är dess samordnare.") % {"name": network.name}
        return network

    def get_success_url(self):
        return self.result.get_absolute_url()


class NetworkUpdateView(NetworkAccessMixin, ServiceFormMixin, FormView):
    network_role = "coordinator"
    template_name = "networks/network_update.html"
    form_class = NetworkUpdateForm

    def get_initial(self):
        return {"name": self.network.name, "purpose": self.network.purpose}

    def perform(self, form):
        self.success_message = _("Nätverkets uppgifter är sparade.")
        return services.network_update(network=self.network, by=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return self.network.get_absolute_url()


class NetworkDetailView(NetworkAccessMixin, TemplateView):
    """Meetings (contributed by meetings, networks/contrib.py), then the network's body —
    purpose, who drives the network, members 50 a page and member organisations — kept HTML
    (networks/kept.py ``NETWORK_BODY``), the same for everyone who may see the network. A fixed
    number of queries whatever the number of members (docs/performance.md)."""

    template_name = "networks/network_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        network = self.network
        user = self.request.user
        admin = is_administrator(user)
        page_number = selectors.page_number_from(self.request.GET.get("sida"))
        ctx.update(
            is_administrator=admin,
            sections=contrib.network_sections(self.request, network, ctx["is_coordinator"]),
            network_body=kept(
                NETWORK_BODY, (network.pk, page_number), lambda: self.render_body(network, page_number),
                NETWORK_BODY_TIMEOUT, scope=network_scope(network.pk),
            ),
            parent_visible=bool(network.parent_id) and (admin or network.viewer_in_parent),
        )
        if network.kind == Network.Kind.REGIONAL:
            local_networks = selectors.local_networks(network, user, admin)
            network_href = href_for("network_detail")
            for row in local_networks:
                row["href"] = network_href(row["pk"])
            ctx["local_networks"] = local_networks
        return ctx

    @staticmethod
    def render_body(network, page_number):
        """The kept body; each row's link reversed once per page (portal/links.py)."""
        current, past = selectors.stewardships(network)
        member_page = selectors.member_page(network, page_number)
        member_href = href_for("network_member", network.pk)
        for row in member_page.object_list:
            row["href"] = member_href(row["pk"])
        organisation_groups = selectors.organisation_groups(network, current)
        organisation_href = href_for("network_organisation", network.pk)
        for group in organisation_groups:
            for org in group["organisations"]:
                org["href"] = organisation_href(org["pk"])
        return render_to_string("networks/_network_body.html", {
            "network": network,
            "current_stewardship": current,
            "past_stewardships": past,
            "member_page": member_page,
            "organisation_groups": organisation_groups,
        })
