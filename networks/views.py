"""Network pages: list, create, detail, edit, members, member organisations, stewardship,
the regional overview and the public invitation link.

Views stay thin: access through networks.access (404 for anyone who may not see the
network), writes through networks.services (which raise ValidationError with Swedish
messages that the view puts next to the field or into a message)."""

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView, TemplateView, UpdateView, View

from meetings.selectors import network_meetings
from portal import fragments
from portal.audit import audit_record
from portal.models import AuditEvent

from . import services
from .access import (
    NetworkAccessMixin,
    is_administrator,
    networks_visible_to,
    regional_networks_coordinated_by,
)
from .forms import (
    MemberInviteForm,
    MemberRoleForm,
    NetworkCreateForm,
    NetworkOrganisationAddForm,
    NetworkUpdateForm,
    StewardshipForm,
)
from .models import (
    Kommun,
    Network,
    NetworkInvitation,
    NetworkMembership,
    NetworkOrganisation,
    Organisation,
    OrganisationMembership,
    Stewardship,
)
from .tokens import invitation_token

User = get_user_model()

ROLE_LABELS = dict(NetworkMembership.Role.choices)
KIND_ORDER = {kind: i for i, kind in enumerate(Organisation.Kind.values)}
# Short column headings for the overview; the full label goes into <abbr title>.
KIND_SHORT = {
    Organisation.Kind.KOMMUN: gettext_lazy("Kommun"),
    Organisation.Kind.REGION: gettext_lazy("Region"),
    Organisation.Kind.POLIS: gettext_lazy("Polis"),
    Organisation.Kind.SKOLA: gettext_lazy("Skola"),
    Organisation.Kind.KYRKA: gettext_lazy("Kyrka"),
    Organisation.Kind.IDEELL: gettext_lazy("Ideell"),
    Organisation.Kind.ANNAN: gettext_lazy("Annan"),
}


def apply_validation_error(form, exc, field_map=None):
    """Put a service's ValidationError next to the matching form fields (unknown fields and
    plain messages go to the top of the form)."""
    field_map = field_map or {}
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field_map.get(field, field)
            form.add_error(target if target in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def error_text(exc):
    return " ".join(force_str(m) for m in exc.messages)


def viewer_is_member(user):
    """Annotation: is ``user`` a member of the network (to link only to visible networks)?"""
    return Exists(NetworkMembership.objects.filter(network=OuterRef("pk"), user=user))


def current_stewardship_prefetch(lookup="stewardships"):
    return Prefetch(
        lookup,
        queryset=Stewardship.objects.filter(ends_on__isnull=True).select_related(
            "organisation", "contact_person"
        ),
        to_attr="current_stewardships",
    )


# --- List --------------------------------------------------------------------------------


class NetworkListView(TemplateView):
    """Nätverk: the networks I am a member of (administrators: all), regional first, 50 a
    page. A cached fragment per viewer and page (portal/fragments.py)."""

    template_name = "networks/network_list.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        page_number = page_number_from(self.request.GET.get("page"))
        ctx["list_html"] = fragments.render(
            self.request,
            fragments.NETWORKS,
            "network-list",
            (user.pk, is_administrator(user), page_number),
            "networks/_network_list.html",
            lambda: self.list_context(user, page_number),
        )
        return ctx

    def get_queryset(self, user):
        my_role = NetworkMembership.objects.filter(network=OuterRef("pk"), user=user).values("role")[:1]
        member_count = (
            NetworkMembership.objects.filter(network=OuterRef("pk"))
            .order_by()
            .values("network")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            networks_visible_to(user)
            .select_related("lan", "kommun", "parent")
            .annotate(
                my_role=Subquery(my_role),
                member_count=Coalesce(Subquery(member_count, output_field=IntegerField()), Value(0)),
                kind_order=Case(When(kind=Network.Kind.REGIONAL, then=Value(0)), default=Value(1)),
            )
            .prefetch_related(current_stewardship_prefetch())
            .order_by("kind_order", "lan__name", "name", "pk")
        )

    def list_context(self, user, page_number):
        paginator = Paginator(self.get_queryset(user), self.paginate_by)
        page = paginator.get_page(page_number)
        networks = list(page.object_list)
        for n in networks:
            n.my_role_label = ROLE_LABELS.get(n.my_role, "")
            n.current_stewardship = n.current_stewardships[0] if n.current_stewardships else None
        admin = is_administrator(user)
        return {
            "networks": networks,
            "page_obj": page,
            "paginator": paginator,
            "is_paginated": page.has_other_pages(),
            "is_administrator": admin,
            "can_create": admin
            or any(
                n.my_role == NetworkMembership.Role.COORDINATOR and n.kind == Network.Kind.REGIONAL for n in networks
            ),
        }


# --- Create and edit ---------------------------------------------------------------------


class NetworkCreateView(FormView):
    """Administrators create any network; coordinators of a regional network create local
    networks in its län. Everyone else gets 404."""

    template_name = "networks/network_create.html"
    form_class = NetworkCreateForm

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        self.regional_networks = None
        if not is_administrator(user):
            regional = regional_networks_coordinated_by(user)
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
        wanted = self.request.GET.get("parent", "")
        if wanted.isdigit():
            allowed = parents if parents is not None else Network.objects.filter(kind=Network.Kind.REGIONAL)
            parent = allowed.filter(pk=int(wanted)).first()
            if parent is not None:
                initial["parent"] = parent
        elif parents is not None:
            initial["parent"] = parents.first()
        return initial

    def form_valid(self, form):
        data = form.cleaned_data
        try:
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
        except ValidationError as exc:
            apply_validation_error(form, exc, {"organisation": "coordinator_organisation"})
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Nätverket %(name)s är skapat och du är dess samordnare.") % {"name": network.name},
        )
        return redirect("network_detail", network_pk=network.pk)


class NetworkUpdateView(NetworkAccessMixin, UpdateView):
    network_role = "coordinator"
    template_name = "networks/network_update.html"
    form_class = NetworkUpdateForm

    def get_object(self, queryset=None):
        return self.network

    def form_valid(self, form):
        form.save()
        messages.success(self.request, _("Nätverkets uppgifter är sparade."))
        return redirect("network_detail", network_pk=self.network.pk)


# --- Detail --------------------------------------------------------------------------------


MEMBERS_PER_PAGE = 50


def page_number_from(raw):
    """The page asked for as a number from 1 to 1,000 (1 if not a number); a number past the
    last page shows the last page. Bounded, as it is part of a fragment's cache key."""
    try:
        return min(max(int(raw), 1), 1000)
    except (TypeError, ValueError):
        return 1


class NetworkDetailView(NetworkAccessMixin, TemplateView):
    """Purpose, who drives the network, meetings, members and member organisations. A fixed
    number of queries whatever the number of members (PERFORMANCE.md: detail <= 8); the big
    parts are cached fragments (portal/fragments.py), so most requests make three (session,
    user, network)."""

    template_name = "networks/network_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        network = self.network
        user = self.request.user
        admin = is_administrator(user)
        is_coordinator = ctx["is_coordinator"]
        page_number = page_number_from(self.request.GET.get("sida"))
        wanted = [(
            "network-body",
            (network.pk, page_number, is_coordinator),
            "networks/_network_body.html",
            lambda: self.body_context(network, page_number, is_coordinator),
        )]
        if network.kind == Network.Kind.REGIONAL:
            # Which local networks link to their page depends on the viewer: one small
            # fragment per viewer (their memberships change the generation too).
            wanted.append((
                "local-networks",
                (network.pk, user.pk, admin),
                "networks/_local_networks.html",
                lambda: self.local_networks_context(network, user, admin),
            ))
        body, *local = fragments.render_many(self.request, fragments.NETWORKS, wanted)
        ctx["network_body"] = body
        ctx["local_networks_html"] = local[0] if local else ""
        parent_visible = bool(network.parent_id) and (admin or network.viewer_in_parent)
        ctx.update(
            parent_visible=parent_visible,
            is_administrator=admin,
        )
        return ctx

    @staticmethod
    def local_networks_context(network, user, admin):
        local_networks = list(
            Network.objects.filter(parent=network)
            .select_related("kommun")
            .annotate(viewer_is_member=viewer_is_member(user))
            .order_by("kommun__name", "name")
        )
        return {
            "network": network,
            "local_networks": local_networks,
            "visible_ids": {n.pk for n in local_networks if admin or n.viewer_is_member},
        }

    @staticmethod
    def body_context(network, page_number, is_coordinator):
        """What ``networks/_network_body.html`` shows; run only when the fragment is rendered."""
        title = OrganisationMembership.objects.filter(
            user=OuterRef("user_id"), organisation=OuterRef("organisation_id")
        ).values("title")[:1]
        # Members are shown 50 a page: a regional network has hundreds. The totals come with
        # the page's rows (window aggregates over all the network's members) and the
        # per-organisation counts with the organisations.
        is_coordinator_role = Case(
            When(role=NetworkMembership.Role.COORDINATOR, then=Value(1)), default=Value(0)
        )
        members = (
            NetworkMembership.objects.filter(network=network)
            .select_related("user", "organisation")
            .annotate(
                title=Subquery(title),
                members_total=Window(Count("pk")),
                coordinators_total=Window(Sum(is_coordinator_role)),
            )
            .order_by("role", "user__first_name", "user__last_name", "user__email", "pk")
        )
        start = (page_number - 1) * MEMBERS_PER_PAGE
        memberships = list(members[start : start + MEMBERS_PER_PAGE])
        if not memberships and page_number > 1:  # past the last page: show the last one
            total = NetworkMembership.objects.filter(network=network).count()
            page_number = max(1, -(-total // MEMBERS_PER_PAGE))
            start = (page_number - 1) * MEMBERS_PER_PAGE
            memberships = list(members[start : start + MEMBERS_PER_PAGE])
        member_total = memberships[0].members_total if memberships else 0
        coordinators = memberships[0].coordinators_total if memberships else 0
        paginator = Paginator(memberships, MEMBERS_PER_PAGE)
        paginator.count = member_total
        page = Page(memberships, page_number, paginator)
        periods = list(
            Stewardship.objects.filter(network=network)
            .select_related("organisation", "contact_person")
            .order_by("-starts_on")
        )
        org_members = (
            NetworkMembership.objects.filter(network=network, organisation=OuterRef("organisation_id"))
            .order_by()
            .values("organisation")
            .annotate(n=Count("pk"))
            .values("n")
        )
        links = list(
            NetworkOrganisation.objects.filter(network=network)
            .select_related("organisation", "organisation__kommun", "organisation__lan")
            .annotate(member_count=Coalesce(Subquery(org_members, output_field=IntegerField()), Value(0)))
            .order_by("organisation__name", "organisation__unit")
        )
        current = next((p for p in periods if p.ends_on is None), None)

        for m in memberships:
            m.is_last_coordinator = m.role == NetworkMembership.Role.COORDINATOR and coordinators == 1
        groups = {}
        for link in links:
            org = link.organisation
            org.member_count = link.member_count
            org.joined_on = link.joined_on
            org.drives_network = current is not None and current.organisation_id == org.pk
            org.removable = org.member_count == 0 and not org.drives_network
            groups.setdefault(org.kind, []).append(org)
        organisation_groups = [
            {"kind": kind, "label": Organisation.Kind(kind).label, "organisations": orgs}
            for kind, orgs in sorted(groups.items(), key=lambda item: KIND_ORDER.get(item[0], 99))
        ]
        return {
            "network": network,
            "is_coordinator": is_coordinator,
            "meetings": network_meetings(network),
            "memberships": memberships,
            "member_page": page,
            "member_count": member_total,
            "current_stewardship": current,
            "past_stewardships": [p for p in periods if p.ends_on is not None],
            "organisation_groups": organisation_groups,
            "organisation_count": len(links),
        }


# --- Members -------------------------------------------------------------------------------


class MemberInviteView(NetworkAccessMixin, FormView):
    network_role = "coordinator"
    template_name = "networks/member_invite.html"
    form_class = MemberInviteForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["network"] = self.network
        return kwargs

    def form_valid(self, form):
        data = form.cleaned_data
        try:
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
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        user = membership.user
        if user.has_usable_password():
            text = _("%(name)s är tillagd i nätverket och har fått ett e-postmeddelande om det.")
        else:
            text = _("En inbjudan har skickats till %(email)s. %(name)s finns nu med bland medlemmarna.")
        messages.success(self.request, text % {"name": user.display_name, "email": user.email})
        return redirect("network_detail", network_pk=self.network.pk)


class _MembershipActionView(NetworkAccessMixin, View):
    """POST-only actions on one membership of the network (coordinators only)."""

    network_role = "coordinator"
    http_method_names = ["post"]

    def get_membership(self):
        return get_object_or_404(
            NetworkMembership.objects.select_related("user", "network"),
            pk=self.kwargs["membership_pk"],
            network=self.network,
        )

    def detail_url(self):
        return reverse("network_detail", kwargs={"network_pk": self.network.pk}) + "#medlemmar"


class MemberRoleView(_MembershipActionView):
    def post(self, request, *args, **kwargs):
        membership = self.get_membership()
        form = MemberRoleForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Välj en giltig roll."))
            return redirect(self.detail_url())
        role = form.cleaned_data["role"]
        try:
            services.network_member_set_role(membership=membership, role=role, by=request.user)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return redirect(self.detail_url())
        messages.success(
            request,
            _("%(name)s är nu %(role)s.")
            % {"name": membership.user.display_name, "role": ROLE_LABELS[role].lower()},
        )
        if membership.user_id == request.user.pk and role != NetworkMembership.Role.COORDINATOR:
            # The coordinator stepped down; the detail page is still theirs to read.
            return redirect("network_detail", network_pk=self.network.pk)
        return redirect(self.detail_url())


class MemberRemoveView(_MembershipActionView):
    def post(self, request, *args, **kwargs):
        membership = self.get_membership()
        try:
            services.network_member_remove(membership=membership, by=request.user)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return redirect(self.detail_url())
        name = membership.user.display_name
        if membership.user_id == request.user.pk:
            messages.success(request, _("Du har lämnat nätverket %(network)s.") % {"network": self.network})
            return redirect("network_list")
        messages.success(request, _("%(name)s är borttagen ur nätverket.") % {"name": name})
        return redirect(self.detail_url())


# --- Member organisations ------------------------------------------------------------------


class NetworkOrganisationAddView(NetworkAccessMixin, FormView):
    network_role = "coordinator"
    template_name = "networks/network_organisation_add.html"
    form_class = NetworkOrganisationAddForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["network"] = self.network
        return kwargs

    def form_valid(self, form):
        organisation = form.cleaned_data["organisation"]
        try:
            with transaction.atomic():
                services.network_organisation_add(
                    network=self.network, organisation=organisation, by=self.request.user
                )
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request, _("%(org)s är nu medlemsorganisation i nätverket.") % {"org": organisation}
        )
        return redirect(reverse("network_detail", kwargs={"network_pk": self.network.pk}) + "#organisationer")


class NetworkOrganisationRemoveView(NetworkAccessMixin, View):
    network_role = "coordinator"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        link = get_object_or_404(
            NetworkOrganisation.objects.select_related("organisation"),
            network=self.network,
            organisation_id=kwargs["organisation_pk"],
        )
        try:
            services.network_organisation_remove(
                network=self.network, organisation=link.organisation, by=request.user
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(
                request, _("%(org)s är borttagen ur nätverket.") % {"org": link.organisation}
            )
        return redirect(reverse("network_detail", kwargs={"network_pk": self.network.pk}) + "#organisationer")


# --- Stewardship ---------------------------------------------------------------------------


class StewardshipHandoverView(NetworkAccessMixin, FormView):
    """Hand over the responsibility for driving the network onward."""

    network_role = "coordinator"
    template_name = "networks/stewardship_form.html"
    form_class = StewardshipForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["network"] = self.network
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["current_stewardship"] = (
            Stewardship.objects.filter(network=self.network, ends_on__isnull=True)
            .select_related("organisation", "contact_person")
            .first()
        )
        return ctx

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            period = services.stewardship_handover(
                network=self.network,
                organisation=data["organisation"],
                contact_person=data["contact_person"],
                starts_on=data["starts_on"],
                note=data["note"],
                by=self.request.user,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(org)s driver nätverket från och med %(date)s med %(person)s som kontaktperson.")
            % {
                "org": period.organisation,
                "date": period.starts_on.isoformat(),
                "person": period.contact_person.display_name,
            },
        )
        return redirect("network_detail", network_pk=self.network.pk)


# --- Regional overview -------------------------------------------------------------------


class RegionalOverviewView(NetworkAccessMixin, TemplateView):
    """Regional överblick: every kommun of the län, its local network(s), who drives each,
    how many members and member organisations of each kind. A fixed number of queries."""

    template_name = "networks/overview.html"

    def get(self, request, *args, **kwargs):
        if self.network.kind != Network.Kind.REGIONAL:
            raise Http404
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        network = self.network
        user = self.request.user
        admin = is_administrator(user)
        visible_ids = () if admin else tuple(
            NetworkMembership.objects.filter(
                user=user, network__kind=Network.Kind.LOCAL, network__kommun__lan_id=network.lan_id
            )
            .order_by("network_id")
            .values_list("network_id", flat=True)
            .distinct()
        )
        ctx["overview_html"] = fragments.render(
            self.request,
            fragments.NETWORKS,
            "regional-overview",
            (network.pk, admin, visible_ids),
            "networks/_overview_table.html",
            lambda: {
                **self.overview_context(network),
                "network": network,
                "visible_all": admin,
                "visible_ids": set(visible_ids),
            },
        )
        return ctx

    @staticmethod
    def overview_context(network):
        """What ``networks/_overview_table.html`` shows; run only when the fragment is rendered."""
        kinds = Organisation.Kind.values
        member_count = (
            NetworkMembership.objects.filter(network=OuterRef("pk"))
            .order_by()
            .values("network")
            .annotate(n=Count("pk"))
            .values("n")
        )
        org_counts = {
            f"org_{kind}": Count(
                "networkorganisation", filter=Q(networkorganisation__organisation__kind=kind)
            )
            for kind in kinds
        }
        from meetings.models import Meeting  # the figures networks report upward

        now = timezone.now()
        held = (
            Meeting.objects.filter(network=OuterRef("pk"), starts_at__lt=now)
            .exclude(status=Meeting.Status.CANCELLED)
            .order_by("-starts_at")
        )
        coming = Meeting.objects.filter(
            network=OuterRef("pk"), starts_at__gte=now, status=Meeting.Status.PLANNED
        ).order_by("starts_at")
        local_networks = (
            Network.objects.filter(kind=Network.Kind.LOCAL)
            .annotate(
                last_meeting_at=Subquery(held.values("starts_at")[:1]),
                last_meeting_title=Subquery(held.values("title")[:1]),
                next_meeting_at=Subquery(coming.values("starts_at")[:1]),
                next_meeting_title=Subquery(coming.values("title")[:1]),
                member_count=Coalesce(Subquery(member_count, output_field=IntegerField()), Value(0)),
                organisation_count=Count("networkorganisation"),
                **org_counts,
            )
            .prefetch_related(current_stewardship_prefetch())
            .order_by("name", "pk")
        )
        kommuner = list(
            Kommun.objects.filter(lan_id=network.lan_id)
            .prefetch_related(Prefetch("networks", queryset=local_networks, to_attr="local_networks"))
            .order_by("name")
        )
        rows = []
        totals = {"networks": 0, "members": 0, "organisations": 0, "kinds": [0] * len(kinds)}
        covered = 0
        for kommun in kommuner:
            if kommun.local_networks:
                covered += 1
            for n in kommun.local_networks:
                n.current_stewardship = n.current_stewardships[0] if n.current_stewardships else None
                n.kind_counts = [getattr(n, f"org_{kind}") for kind in kinds]
                n.under_this_network = n.parent_id == network.pk
                totals["networks"] += 1
                totals["members"] += n.member_count
                totals["organisations"] += n.organisation_count
                totals["kinds"] = [a + b for a, b in zip(totals["kinds"], n.kind_counts, strict=True)]
            rows.append(kommun)
        return {
            "kommuner": rows,
            "kommun_count": len(rows),
            "covered_count": covered,
            "totals": totals,
            "kind_columns": [
                {"short": KIND_SHORT[kind], "label": Organisation.Kind(kind).label} for kind in kinds
            ],
            "column_count": 6 + len(kinds),
        }


# --- Invitation link (public) --------------------------------------------------------------


def _user_from_uidb64(uidb64):
    try:
        pk = force_str(urlsafe_base64_decode(uidb64))
        return User.objects.filter(pk=int(pk)).first()
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None


@login_not_required
@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
def invitation_accept(request, uidb64, token):
    """The link in the invitation e-mail: choose a password, get logged in. An invalid,
    expired or used link gets the same page whoever it names (no account enumeration)."""
    user = _user_from_uidb64(uidb64)
    invitation = None
    if user is not None and user.is_active and invitation_token.check_token(user, token):
        invitation = (
            NetworkInvitation.objects.filter(user=user, accepted_at__isnull=True)
            .select_related("network", "invited_by")
            .order_by("-created_at")
            .first()
        )
    if invitation is None:
        return render(request, "networks/invitation_invalid.html", status=404)
    invitation.user = user  # one instance: login() below must see the new password hash

    if request.method == "POST":
        form = SetPasswordForm(user, request.POST)
        if form.is_valid():
            with transaction.atomic():
                user = services.network_invitation_accept(
                    invitation=invitation, password=form.cleaned_data["new_password1"]
                )
                audit_record(
                    action=AuditEvent.Action.PASSWORD_SET, request=request, user=user, obj=invitation
                )
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("Välkommen till Barnstödsportalen! Ditt lösenord är sparat och du är inloggad."),
            )
            return redirect("dashboard")
    else:
        form = SetPasswordForm(user)
    return render(
        request,
        "networks/invitation_accept.html",
        {"form": form, "invitation": invitation, "invited_user": user},
    )
