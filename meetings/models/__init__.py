"""Termly meetings: topics, meetings, agenda, invitations and answers, attendance, minutes and
calendar feeds (docs/architecture.md, ``meetings/``).

Secrets (RSVP links, calendar feed URLs) are stored only as SHA-256 hashes; the raw token
exists in the e-mail or on the screen that showed it once."""

from networks.terms import TERM_SHORT, term_for, term_label  # noqa: F401  (one copy of the rule)

from .meeting import (  # noqa: F401
    DEFAULT_COST_NOTE,
    DEFAULT_REMIND_ATTENDING_DAYS,
    DEFAULT_REMIND_UNANSWERED_DAYS,
    AgendaItem,
    Meeting,
    MeetingQuerySet,
    NetworkMeetingDefaults,
    Topic,
    hash_token,
    new_token,
)
from .people import (  # noqa: F401
    Attendance,
    CalendarFeed,
    Invitation,
    MinutesRevision,
    RsvpToken,
)
from .series import (  # noqa: F401
    MeetingSeries,
)
