"""Gallring in the admin: each organisation's choice (the research sample) and the receipts,
read-only, each page showing the policy in force (settings, read-only). Legal holds are not
registered: their reasons are about a child (the plan's page shows them to its contact person)."""

from django.conf import settings
from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from portal.admin import AuditedAdmin, ModelAdmin

from . import policy
from .models import GallringReceipt, OrganisationRetention


def policy_table():
    rows = [
        (key, rule.years, _("ja") if rule.end_of_following_year else _("nej"), rule.source)
        for key, rule in sorted(policy.rules().items())
    ]
    rules = format_html_join(
        "", "<li>{}: {} år efter sista anteckningen, senast året därpå: {} ({})</li>", rows
    )
    extra = format_html_join("", "<li>{}: {}</li>", [
        (_("Bevaras alltid (kategorier)"), ", ".join(settings.GALLRING_KEPT_REASON_CATEGORIES) or "–"),
        (_("Forskningsurval, födda dag"), ", ".join(str(d) for d in settings.GALLRING_RESEARCH_BIRTH_DAYS)),
        (_("Granskningsloggen sparas (år)"), str(settings.AUDIT_RETENTION_YEARS)),
    ])
    return format_html_join("", "<ul>{}{}</ul>", [(rules, extra)])


@admin.register(OrganisationRetention)
class OrganisationRetentionAdmin(AuditedAdmin):
    list_display = ["organisation", "research_sample"]
    list_filter = ["research_sample"]
    readonly_fields = ["gallring_policy"]
    fields = ["organisation", "research_sample", "gallring_policy"]
    autocomplete_fields = ["organisation"]

    @admin.display(description=_("Gallringsregler (inställningar)"))
    def gallring_policy(self, obj=None):
        return policy_table()


@admin.register(GallringReceipt)
class GallringReceiptAdmin(ModelAdmin):
    """Read-only: a receipt is written by the gallring run only."""

    list_display = ["plan_number", "rule", "removed_at"]
    readonly_fields = ["plan_number", "rule", "removed_at", "counts", "gallring_policy"]
    date_hierarchy = "removed_at"

    @admin.display(description=_("Gallringsregler (inställningar)"))
    def gallring_policy(self, obj=None):
        return policy_table()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
