from django.contrib import admin

from portal.admin import AuditedAdmin

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


@admin.register(Lan)
class LanAdmin(AuditedAdmin):
    list_display = ["code", "name"]
    search_fields = ["name", "code"]


@admin.register(Kommun)
class KommunAdmin(AuditedAdmin):
    list_display = ["code", "name", "lan"]
    list_filter = ["lan"]
    search_fields = ["name", "code"]


class OrganisationMembershipInline(admin.TabularInline):
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


class NetworkMembershipInline(admin.TabularInline):
    model = NetworkMembership
    extra = 0
    autocomplete_fields = ["user", "organisation"]


class NetworkOrganisationInline(admin.TabularInline):
    model = NetworkOrganisation
    extra = 0
    autocomplete_fields = ["organisation"]


class StewardshipInline(admin.TabularInline):
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
