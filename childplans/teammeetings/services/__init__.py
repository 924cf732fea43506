"""Writes for barnteamets möte, split by concept:

- ``calling``: calling the meeting, changing its time or place, cancelling it;
- ``preparation``: the agenda the plan suggests (``agenda_draft``), the family's preparation and
  the contact person's changes to the agenda;
- ``answers``: an answer to a call, on the meeting's page or through an e-mail's link;
- ``minutes``: the minutes, their actions, and closing them into the plan's review;
- ``reminders``: the reminders the beat task records;
- ``common``: the outbox kinds, the fields, who is still called (``still_called``,
  ``invitee_is_valid``: ``TeamMember.objects.giving_access()``), and the guards every change of
  a meeting passes.

Keyword-only arguments and the acting user (``by``); ``full_clean``; ``transaction.atomic``;
``ValidationError`` with Swedish messages keyed by field, and then nothing is changed. Every
change is a change to the plan (``childplans/changes.py``): refused on a plan that may no longer
change, written to the plan's own history; the request's audit row is written by the page's base
view around the view (an answer through an e-mail's link, which has no plan page around it,
writes its own). Every e-mail is an outbox row written in the same transaction, unique per (kind,
recipient, meeting, period), so a second attempt — a retried task, a second beat — is a no-op;
it is rendered at send time (``emails.py``) from ids, so the outbox's subject column stays empty
and no guardian's address or child's name reaches a task.

The names below are the team meetings' services as the rest of the code calls them
(``from childplans.teammeetings import services``; ``services.meeting_call``)."""

from .answers import invitee_answer
from .calling import meeting_call, meeting_cancel, meeting_update
from .common import (
    KIND_CANCELLED,
    KIND_CHANGED,
    KIND_GUARDIAN_SUMMARY,
    KIND_INVITATION,
    KIND_MINUTES_DUE,
    KIND_MINUTES_READY,
    KIND_REMIND_DAY_BEFORE,
    KIND_REMIND_UNANSWERED,
    MEETING_FIELDS,
    MINUTES_FIELDS,
    NOTIFY_FIELDS,
    PREPARATION_FIELDS,
    change_is_urgent,
    invitee_is_valid,
    meeting_key,
    still_called,
)
from .minutes import (
    MINUTES_ACTION_FIELDS,
    minutes_action_add,
    minutes_action_remove,
    minutes_close,
    minutes_save,
    participants_text,
)
from .preparation import (
    ACUTE_EVENT_WITHIN_DAYS,
    agenda_add,
    agenda_draft,
    agenda_move,
    agenda_remove,
    plan_is_acute,
    preparation_save,
)
from .reminders import (
    MINUTES_REMINDER_HORIZON_DAYS,
    REMIND_MINUTES_AFTER_DAYS,
    REMIND_UNANSWERED_DAYS,
    reminders_due,
)

__all__ = [
    "ACUTE_EVENT_WITHIN_DAYS",
    "KIND_CANCELLED",
    "KIND_CHANGED",
    "KIND_GUARDIAN_SUMMARY",
    "KIND_INVITATION",
    "KIND_MINUTES_DUE",
    "KIND_MINUTES_READY",
    "KIND_REMIND_DAY_BEFORE",
    "KIND_REMIND_UNANSWERED",
    "MEETING_FIELDS",
    "MINUTES_ACTION_FIELDS",
    "MINUTES_FIELDS",
    "MINUTES_REMINDER_HORIZON_DAYS",
    "NOTIFY_FIELDS",
    "PREPARATION_FIELDS",
    "REMIND_MINUTES_AFTER_DAYS",
    "REMIND_UNANSWERED_DAYS",
    "agenda_add",
    "change_is_urgent",
    "agenda_draft",
    "agenda_move",
    "agenda_remove",
    "invitee_answer",
    "invitee_is_valid",
    "meeting_call",
    "meeting_cancel",
    "meeting_key",
    "meeting_update",
    "minutes_action_add",
    "minutes_action_remove",
    "minutes_close",
    "minutes_save",
    "participants_text",
    "plan_is_acute",
    "preparation_save",
    "reminders_due",
    "still_called",
]
