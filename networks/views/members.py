"""Members of a network: inviting one, a member's page, changing a role, removing a member.

Every member of the network sees a member's page (how to reach them, whom they represent);
coordinators change the role and remove members there. The network page's member table only
links to these pages: no per-row forms."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView, View

from portal.forms import ServiceFormMixin, error_text

from .. import selectors, services
from ..access import NetworkAccessMixin
from ..forms import MemberInviteForm, MemberRoleForm
from ..models import NetworkMembership

ROLE_LABELS = dict(NetworkMembership.Role.choices)


class MemberInviteView(NetworkAccessMixin, ServiceFormMixin, FormView):
    network_role = "coordinator"
    template_name = "networks/member_invite.html"
    form_class = MemberInviteForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["network"] = self.network
        return kwargs

    def perform(self, form):
        data = form.cleaned_data
        membership = services.network_member_invite(
            network=self.network,
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            organisation=data["organisation"],
            title=data["title"],
            role=data["role"],
            by=self.request.user,
        )
        user = membership.user
        if user.has_usable_password():
            text = _("%(name)s är tillagd i nätverket och har fått ett e-postmeddelande om det.")
        else:
            text = _("En inbjudan har skickats till %(email)s. %(name)s finns nu med bland medlemmarna.")
        self.success_message = text % {"name": user.display_name, "email": user.email}
        return membership

    def get_success_url(self):
        return self.network.get_absolute_url()


class MemberDetailView(NetworkAccessMixin, TemplateView):
    """A member of the network: name, whom they represent, title, role, how to reach them. For
    coordinators, the forms to change the role and to remove the member."""

    template_name = "networks/member_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        membership = selectors.membership_in(self.network, self.kwargs["membership_pk"])
        if membership is None:
            raise Http404
        ctx.update(
            membership=membership,
            member=membership.user,
            is_last_coordinator=membership.role == NetworkMembership.Role.COORDINATOR
            and membership.coordinator_count == 1,
            role_form=MemberRoleForm(initial={"role": membership.role}),
        )
        return ctx


class _MembershipActionView(NetworkAccessMixin, View):
    """POST-only actions on one membership of the network (coordinators only)."""

    network_role = "coordinator"
    http_method_names = ["post"]

    def get_membership(self):
        membership = (
            NetworkMembership.objects.select_related("user")
            .filter(pk=self.kwargs["membership_pk"], network=self.network)
            .first()
        )
        if membership is None:
            raise Http404
        return membership

    def member_url(self, membership):
        return redirect("network_member", network_pk=self.network.pk, membership_pk=membership.pk)


class MemberRoleView(_MembershipActionView):
    def post(self, request, *args, **kwargs):
        membership = self.get_membership()
        form = MemberRoleForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Välj en giltig roll."))
            return self.member_url(membership)
        role = form.cleaned_data["role"]
        try:
            services.network_member_set_role(membership=membership, role=role, by=request.user)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return self.member_url(membership)
        messages.success(
            request,
            _("%(name)s är nu %(role)s.") % {"name": membership.user.display_name, "role": ROLE_LABELS[role].lower()},
        )
        return self.member_url(membership)


class MemberRemoveView(_MembershipActionView):
    def post(self, request, *args, **kwargs):
        membership = self.get_membership()
        try:
            services.network_member_remove(membership=membership, by=request.user)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return self.member_url(membership)
        if membership.user_id == request.user.pk:
            messages.success(request, _("Du har lämnat nätverket %(network)s.") % {"network": self.network})
            return redirect("network_list")
        messages.success(
            request, _("%(name)s är borttagen ur nätverket.") % {"name": membership.user.display_name}
        )
        return redirect(self.network.get_absolute_url() + "#medlemmar")
