from django.contrib import admin

from portal.admin import AuditedAdmin as PortalAuditedAdmin
from portal.admin import TabularInline

from .kept import forget_kept_of
from .models import (
    Activity,
    Kommun,
    Lan,
    Network,
    NetworkInvitation,
    NetworkMembership,
    NetworkOrganisation,
    Organisation,
    OrganisationMembership,
    Stewardship,
)


class AuditedAdmin(PortalAuditedAdmin):
    """The networks admin: audited (portal.admin.AuditedAdmin), and a change shows on the next
    request of the pages that keep HTML (networks/kept.py)."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        forget_kept_of(obj)

    def delete_model(self, request, obj):
        forget_kept_of(obj)  # before: the rows that lead to the pages are still there
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            forget_kept_of(obj)
        super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        forget_kept_of(form.instance)
        for obj in [*formset.new_objects, *(o for o, _fields in formset.changed_objects), *formset.deleted_objects]:
            forget_kept_of(obj)


@admin.register(Lan)
class LanAdmin(AuditedAdmin):
    list_display = ["code", "name"]
    search_fields = ["name", "code"]


@admin.register(Kommun)
class KommunAdmin(AuditedAdmin):
    list_display = ["code", "name", "lan"]
    list_filter = ["lan"]
    search_fields = ["name", "code"]


class OrganisationMembershipInline(TabularInline):
    model = OrganisationMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "unit", "kind", "kommun", "lan"]
    list_filter = ["kind", "lan"]
    search_fields = ["name", "unit"]
    autocomplete_fields = ["kommun"]
    inlines = [OrganisationMembershipInline]


@admin.register(OrganisationMembership)
class OrganisationMembershipAdmin(AuditedAdmin):
    list_display = ["user", "organisation", "title"]
    search_fields = ["user__email", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]


class NetworkMembershipInline(TabularInline):
    model = NetworkMembership
    extra = 0
    autocomplete_fields = ["user", "organisation"]


class NetworkOrganisationInline(TabularInline):
    model = NetworkOrganisation
    extra = 0
    autocomplete_fields = ["organisation"]


class StewardshipInline(TabularInline):
    model = Stewardship
    extra = 0
    autocomplete_fields = ["organisation", "contact_person"]


@admin.register(Network)
class NetworkAdmin(AuditedAdmin):
    list_display = ["name", "kind", "lan", "kommun", "parent"]
    list_filter = ["kind", "lan"]
    search_fields = ["name"]
    autocomplete_fields = ["kommun", "parent"]
    inlines = [NetworkOrganisationInline, NetworkMembershipInline, StewardshipInline]


@admin.register(NetworkMembership)
class NetworkMembershipAdmin(AuditedAdmin):
    list_display = ["user", "network", "organisation", "role"]
    list_filter = ["role"]
    search_fields = ["user__email", "network__name"]
    autocomplete_fields = ["user", "network", "organisation"]


@admin.register(NetworkOrganisation)
class NetworkOrganisationAdmin(AuditedAdmin):
    list_display = ["network", "organisation", "joined_on"]
    autocomplete_fields = ["network", "organisation"]


@admin.register(Stewardship)
class StewardshipAdmin(AuditedAdmin):
    list_display = ["network", "organisation", "contact_person", "starts_on", "ends_on"]
    autocomplete_fields = ["network", "organisation", "contact_person"]


@admin.register(NetworkInvitation)
class NetworkInvitationAdmin(AuditedAdmin):
    list_display = ["user", "network", "invited_by", "created_at", "accepted_at"]
    autocomplete_fields = ["user", "network", "invited_by"]


@admin.register(Activity)
class ActivityAdmin(AuditedAdmin):
    list_display = ["title", "organisation", "category", "kommun"]
    list_filter = ["category", "kommun__lan"]
    search_fields = ["title", "description"]
    autocomplete_fields = ["organisation", "kommun"]
