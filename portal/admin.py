"""The admin's shared pieces: every registered admin, ours and the libraries', checks its input
like the portal's forms (``AdminInputMixin``), and ours leave audit rows (``AuditedAdmin``)."""

import re

from allauth.account.admin import EmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.admin import AuthenticatorAdmin
from allauth.mfa.models import Authenticator
from allauth.usersessions.admin import UserSessionAdmin
from allauth.usersessions.models import UserSession
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import SEARCH_VAR
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from .audit import audit_record
from .forms import INVALID_CHOICE, IdChoiceField, IdMultipleChoiceField, bounded
from .models import AuditEvent, OutboundEmail, User
from .queries import parse_id
from .validators import DateWithin

Action = AuditEvent.Action


_DATE = re.compile(r"([0-9]{4})-[0-9]{2}-[0-9]{2}")
_DIGITS = re.compile(r"[0-9]+")
# A date hierarchy's parts (Django makes ``datetime(year, month, day)`` of them; twenty digits
# overflow a C long, a 500, where a wrong month or day is its "?e=1").
_PARTS = {"__month": range(1, 13), "__day": range(1, 32)}


def _implausible(key, value, years):
    """Whether a changelist's filter parameter is one the database cannot be asked: a NUL byte
    (PostgreSQL refuses it in text), a date hierarchy's year outside ``years`` or month or day
    beyond the calendar, or a date filter's ``YYYY-MM-DD…`` in a year outside ``years``."""
    if "\x00" in value:
        return True
    for suffix, allowed in (("__year", years), *_PARTS.items()):
        if key.endswith(suffix):
            return bool(_DIGITS.fullmatch(value)) and int(value) not in allowed
    match = _DATE.match(value)
    return bool(match) and int(match.group(1)) not in years


class AdminInputMixin:
    """The admin's form fields check their input as the portal's forms do (docs/security.md,
    promise 16; ``portal.forms``): a foreign key or many-to-many field refuses a value that
    cannot be an id before any query, and a date carries its model field's range (``any`` for
    a row's own timestamps). Every registered admin and inline has it —
    tests/test_architecture_input.py fails on one without."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", IdChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", IdMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        form_field = super().formfield_for_dbfield(db_field, request, **kwargs)
        return form_field if form_field is None else bounded(form_field, db_field)

    def get_changelist_instance(self, request):
        """Django's filters pass their values to the database as they come: a NUL byte is a
        DataError on PostgreSQL; its date filters and date hierarchy take any year, and the
        year 1 or 9999 overflows the time-zone arithmetic, twenty digits a C long (each a 500).
        Such a value is wrong lookup parameters, as a date that does not parse is: the admin
        shows the list again with its "?e=1" notice."""
        earliest, latest = DateWithin("any").limits()
        years = range(earliest.year, latest.year + 1)
        for key, values in request.GET.lists():
            if key != SEARCH_VAR and any(_implausible(key, value, years) for value in values):
                raise IncorrectLookupParameters(f"{key}: no such date")
        return super().get_changelist_instance(request)

    def get_search_results(self, request, queryset, search_term):
        """A search for a NUL byte finds nothing: PostgreSQL refuses it in text (a 500 from the
        admin's autocomplete, whose ``term`` no form checks; the changelist's own search form
        refuses it already)."""
        if "\x00" in search_term:
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)

    def response_action(self, request, queryset):
        """An action on the ticked rows: a row named by a value that cannot be an id (twenty
        digits overflow SQLite in Django's ``pk__in``, "abc" is a ValueError) is refused with
        Django's own "Välj ett giltigt alternativ", and nothing is done."""
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if isinstance(self.model._meta.pk, models.IntegerField) and any(parse_id(v) is None for v in selected):
            self.message_user(request, INVALID_CHOICE, messages.WARNING)
            return None
        return super().response_action(request, queryset)

    def get_readonly_fields(self, request, obj=None):
        """JSON the portal or a library writes (an audit row's detail, an authenticator's keys, a
        session's data) is shown, never typed in by hand: it has no length or shape a form
        could check."""
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly + [
            f.name for f in self.model._meta.concrete_fields
            if isinstance(f, models.JSONField) and f.name not in readonly
        ]


class ModelAdmin(AdminInputMixin, admin.ModelAdmin):
    pass


class InlineFormSet(BaseInlineFormSet):
    """An inline's rows checked against the database's unique rules *with* the parent's key.

    Django's own check leaves out fields that are not on the form, and the parent's key never
    is; so a row that repeats an existing one — a second membership of the same person, or an
    existing row posted as new with a tampered management form (``INITIAL_FORMS`` 0) — passed
    the form and failed in the database (IntegrityError, a 500). Here each row is checked whole
    (``validate_unique``, ``validate_constraints``) and refused with the error on the form."""

    def clean(self):
        super().clean()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or (self.can_delete and self._should_delete_form(form)):
                continue
            if form.instance._state.adding and not form.has_changed():
                continue  # an empty extra row, which is not saved
            try:
                form.instance.validate_unique()
                form.instance.validate_constraints()
            except ValidationError as exc:
                form.add_error(None, exc.messages)


class TabularInline(AdminInputMixin, admin.TabularInline):
    formset = InlineFormSet


class StackedInline(AdminInputMixin, admin.StackedInline):
    formset = InlineFormSet


class AuditedAdmin(ModelAdmin):
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
        (_("Personuppgifter"), {"fields": ("first_name", "last_name", "phone", "protected_identity")}),
        (_("Behörigheter"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Viktiga datum"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "first_name", "last_name", "password1", "password2")}),)


@admin.register(AuditEvent)
class AuditEventAdmin(ModelAdmin):
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
class OutboundEmailAdmin(ModelAdmin):
    list_display = ["created_at", "kind", "recipient", "status", "attempts", "handed_over_at", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["recipient", "object_key"]
    readonly_fields = [f.name for f in OutboundEmail._meta.fields]

    def has_add_permission(self, request):
        return False


# The libraries' admins, registered again with the same input checks (Django's public
# ``unregister``/``register``; their own classes stay as they are).


class PortalGroupAdmin(AdminInputMixin, GroupAdmin):
    pass


class PortalEmailAddressAdmin(AdminInputMixin, EmailAddressAdmin):
    pass


class PortalAuthenticatorAdmin(AdminInputMixin, AuthenticatorAdmin):
    pass


class PortalUserSessionAdmin(AdminInputMixin, UserSessionAdmin):
    # allauth searches ``user__username``, a field the portal's user (e-mail log-in) does not
    # have: every search answered 500. These are the fields that exist.
    search_fields = ["user__email", "ip"]


for _model, _admin in (
    (Group, PortalGroupAdmin),
    (EmailAddress, PortalEmailAddressAdmin),
    (Authenticator, PortalAuthenticatorAdmin),
    (UserSession, PortalUserSessionAdmin),
):
    admin.site.unregister(_model)
    admin.site.register(_model, _admin)
