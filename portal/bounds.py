"""Dates and lengths are bounded by what they mean (docs/security.md, promise 16).

Every date a person enters has a range that fits its meaning, counted from today (a child's
birth date is not in the future and not more than 25 years back; a meeting is within a few
years of today), and every text a maximum length. The numbers live here, once; the validators
that apply them (``portal.validators``) name a range by its key, so a number changed here needs
no migration and takes effect in every form, every service's ``full_clean`` and the admin at
once. Rows stored before a bound existed are not rewritten (docs/security.md).

Why these numbers:

- ``birth``: the portal keeps plans for children and young people up to 25 (the issue's bound;
  a plan may go on past 18 for young people in care), never for someone not yet born.
- ``given``: a consent, its withdrawal, an assessment, a chronology entry, a version of the
  network map, the day a person left the child's life: things that have happened — not in the
  future, and not further back than a child's life.
- ``plan``: an action's start and due date, a review, a network meeting and its follow-up, the
  next team meeting: the plan's past (a child's life) and its foreseeable future (five years;
  a plan is followed up at least every year).
- ``meeting``: a network meeting or a team meeting and its answer deadline: within three years
  of today either way (a term's meetings are planned a year ahead at most; old ones are
  recorded within a term or two).
- ``network``: the history of a network (stewardship periods, member organisations): thirty
  years back, five ahead.
- ``any``: a date nobody enters by hand (a row's own timestamps), when a form shows it anyway
  (the admin): a century either way — enough to refuse the year 1 and 9999, which the
  database or the time-zone arithmetic cannot take.

Lengths, in characters (a page of A4 holds about 3,000):

- ``NOTE`` (1,000): a short note, a reason, a purpose, a follow-up, contact details — a
  paragraph or two.
- ``TEXT`` (4,000): what is seen in an area, a goal, an action, a chronology entry, the family's
  plan, the words written for a receiver — up to about a page.
- ``LONG_TEXT`` (8,000): the child's own words, the guardians' views, minutes and decisions, a
  network's purpose, an activity's description — up to about three pages.
A 10,000-character text is refused everywhere.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

NOTE = 1_000
TEXT = 4_000
LONG_TEXT = 8_000


@dataclass(frozen=True)
class DateRange:
    """From ``years_back`` years before today to ``years_ahead`` years after it (0: today)."""

    years_back: int
    years_ahead: int
    too_early: str
    too_late: str


DATES = {
    "birth": DateRange(
        25, 0,
        too_early=_("Barnet kan inte vara äldre än 25 år: datumet kan inte ligga före %(earliest)s."),
        too_late=_("Ett födelsedatum kan inte ligga i framtiden."),
    ),
    "given": DateRange(
        25, 0,
        too_early=_("Datumet kan inte ligga före %(earliest)s."),
        too_late=_("Datumet kan inte ligga i framtiden."),
    ),
    "plan": DateRange(
        25, 5,
        too_early=_("Datumet kan inte ligga före %(earliest)s."),
        too_late=_("Datumet kan inte ligga mer än fem år fram, efter %(latest)s."),
    ),
    "meeting": DateRange(
        3, 3,
        too_early=_("Ett möte kan inte ligga mer än tre år bakåt, före %(earliest)s."),
        too_late=_("Ett möte kan inte ligga mer än tre år fram, efter %(latest)s."),
    ),
    "network": DateRange(
        30, 5,
        too_early=_("Datumet kan inte ligga före %(earliest)s."),
        too_late=_("Datumet kan inte ligga mer än fem år fram, efter %(latest)s."),
    ),
    "any": DateRange(
        100, 100,
        too_early=_("Datumet kan inte ligga före %(earliest)s."),
        too_late=_("Datumet kan inte ligga efter %(latest)s."),
    ),
}
