from django.contrib import admin

from portal.admin import AuditedAdmin, TabularInline

from .models import (
    AgendaItem,
    Attendance,
    CalendarFeed,
    Invitation,
    Meeting,
    MinutesRevision,
    NetworkMeetingDefaults,
    Topic,
)


@admin.register(Topic)
class TopicAdmin(AuditedAdmin):
    list_display = ["name", "is_active", "description"]
    list_filter = ["is_active"]
    search_fields = ["name"]


@admin.register(NetworkMeetingDefaults)
class NetworkMeetingDefaultsAdmin(AuditedAdmin):
    list_display = ["network", "remind_unanswered_days", "remind_attending_days"]
    autocomplete_fields = ["network"]


class AgendaItemInline(TabularInline):
    model = AgendaItem
    extra = 0
    raw_id_fields = ["responsible"]


@admin.register(Meeting)
class MeetingAdmin(AuditedAdmin):
    list_display = ["title", "network", "starts_at", "term", "term_year", "status"]
    list_filter = ["status", "kind", "term", "term_year"]
    search_fields = ["title", "network__name"]
    date_hierarchy = "starts_at"
    autocomplete_fields = ["network"]
    filter_horizontal = ["topics"]
    raw_id_fields = ["created_by"]
    readonly_fields = ["term", "term_year", "sequence", "invitations_sent_at", "cancelled_at", "closed_at",
                       "series", "recurrence_id"]
    inlines = [AgendaItemInline]


@admin.register(Invitation)
class InvitationAdmin(AuditedAdmin):
    list_display = ["email", "name", "meeting", "response", "responded_at"]
    list_filter = ["response", "source"]
    search_fields = ["email", "name", "meeting__title"]
    raw_id_fields = ["meeting", "user", "organisation"]


@admin.register(Attendance)
class AttendanceAdmin(AuditedAdmin):
    list_display = ["name", "meeting", "organisation", "source", "recorded_at"]
    list_filter = ["source"]
    search_fields = ["name", "email", "meeting__title"]
    raw_id_fields = ["meeting", "invitation", "user", "organisation", "recorded_by"]


@admin.register(MinutesRevision)
class MinutesRevisionAdmin(AuditedAdmin):
    list_display = ["meeting", "number", "author", "created_at"]
    raw_id_fields = ["meeting", "author"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(AuditedAdmin):
    list_display = ["user", "created_at", "last_used_at"]
    raw_id_fields = ["user"]
    readonly_fields = ["token_hash"]
