"""The Django admin shows NO child data (docs/security.md; issue 4): only the two settings tables
that hold none. Children, guardians, plans, teams, consents, assessments, actions, reviews,
chronology and history are deliberately not registered; tests/childplans/test_admin.py
checks that no model holding child data is ever registered."""

from django.contrib import admin

from portal.admin import AuditedAdmin

from .models import PlanKeepingKind, ReasonCategory


@admin.register(PlanKeepingKind)
class PlanKeepingKindAdmin(AuditedAdmin):
    list_display = ["kind"]


@admin.register(ReasonCategory)
class ReasonCategoryAdmin(AuditedAdmin):
    list_display = ["name", "active"]
    list_filter = ["active"]
