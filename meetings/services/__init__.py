"""Writes with side effects for meetings: plan, change, cancel, invite, answer, waiting list,
attendance, minutes, calendar feeds and reminders — a package split by concept (common, planning, invitations,
attendance, reminders), named here for the rest of the code (``services.meeting_update``).

Keyword-only arguments and the acting user (``by``); ``full_clean``; ``transaction.atomic``;
``ValidationError`` with Swedish messages for the form. Each change writes its audit row in its
transaction (``audit_record``: an ``event`` naming the change, ids only in ``detail``). Every
e-mail is an outbox row written in the same transaction (portal/outbox.py), unique per (kind,
recipient, meeting, period), so a second attempt - a retried task, a second beat - is a no-op."""

from .attendance import (
    attendance_add_walk_in,
    attendance_checkin,
    attendance_remove,
    attendance_set,
    checkin_window,
    minutes_save,
)
from .common import (
    EDITABLE_FIELDS,
    KIND_ANSWER,
    KIND_CANCELLED,
    KIND_CHANGED,
    KIND_CLOSE_REMINDER,
    KIND_INVITATION,
    KIND_PROMOTED,
    KIND_REMIND_ATTENDING,
    KIND_REMIND_UNANSWERED,
    NOTIFY_FIELDS,
    Action,
    User,
    change_is_urgent,
    meeting_key,
)
from .invitations import (
    invitation_answer,
    invitation_candidates,
    invitation_remove,
    meeting_invite,
    parse_guests,
)
from .planning import (
    agenda_set,
    meeting_cancel,
    meeting_close,
    meeting_defaults_for,
    meeting_defaults_set,
    meeting_schedule,
    meeting_update,
)
from .reminders import (
    REMINDER_HORIZON_DAYS,
    calendar_feed_renew,
    calendar_feed_revoke,
    reminders_due,
)

__all__ = [
    "Action",
    "EDITABLE_FIELDS",
    "KIND_ANSWER",
    "KIND_CANCELLED",
    "KIND_CHANGED",
    "KIND_CLOSE_REMINDER",
    "KIND_INVITATION",
    "KIND_PROMOTED",
    "KIND_REMIND_ATTENDING",
    "KIND_REMIND_UNANSWERED",
    "NOTIFY_FIELDS",
    "REMINDER_HORIZON_DAYS",
    "User",
    "agenda_set",
    "attendance_add_walk_in",
    "attendance_checkin",
    "attendance_remove",
    "attendance_set",
    "calendar_feed_renew",
    "calendar_feed_revoke",
    "change_is_urgent",
    "checkin_window",
    "invitation_answer",
    "invitation_candidates",
    "invitation_remove",
    "meeting_cancel",
    "meeting_close",
    "meeting_defaults_for",
    "meeting_defaults_set",
    "meeting_invite",
    "meeting_key",
    "meeting_schedule",
    "meeting_update",
    "minutes_save",
    "parse_guests",
    "reminders_due",
]
