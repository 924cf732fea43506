from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .audit import audit_record
from .models import AuditEvent, OutboundEmail, User

Action = AuditEvent.Action


class AuditedAdmin(admin.ModelAdmin):
    """A change made in the Django admin leaves its audit row too, in the admin's transaction
    (docs/security.md, promise 5b): what was added, changed or deleted, by whom, and which
    fields changed (names only, never values)."""

    def _audit(self, request, obj, action, verb, fields=()):
        audit_record(
            action=action, event=f"admin.{obj._meta.model_name}.{verb}", user=request.user, obj=obj,
            detail={"fields": sorted(fields)} if fields else None,
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            self._audit(request, obj, Action.UPDATE, "changed", form.changed_data)
        else:
            self._audit(request, obj, Action.CREATE, "added")

    def delete_model(self, request, obj):
        self._audit(request, obj, Action.DELETE, "deleted")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self._audit(request, obj, Action.DELETE, "deleted")
        super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            self._audit(request, obj, Action.CREATE, "added")
        for obj, fields in formset.changed_objects:
            self._audit(request, obj, Action.UPDATE, "changed", fields)
        for obj in formset.deleted_objects:
            self._audit(request, obj, Action.DELETE, "deleted")


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff", "last_login"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personuppgifter"), {"fields": ("first_name", "last_name", "phone")}),
        (_("Behörigheter"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Viktiga datum"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "first_name", "last_name", "password1", "password2")}),)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only."""

    list_display = ["at", "user_label", "action", "object_type", "object_id", "ip_address"]
    list_filter = ["action"]
    search_fields = ["user_label", "object_id", "request_id"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "recipient", "status", "attempts", "handed_over_at", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["recipient", "object_key"]
    readonly_fields = [f.name for f in OutboundEmail._meta.fields]

    def has_add_permission(self, request):
        return False
