"""A meeting series' dates (issue 21): a rule ("the second Tuesday of September, November,
February and April, 13.00–15.30") or dates picked one by one, expanded into the occurrences'
start times in Europe/Stockholm local time, so a meeting at 13.00 stays at 13.00 on both sides
of a summer-time switch.

The rule is kept as an iCalendar RRULE (RFC 5545) with COUNT: the calendar file carries it as
it is (meetings/ics.py, ``series_ics``) and a calendar expands it to the same dates as
``expand_rule`` (tests/meetings/test_series_ics.py checks with two parsers).

Bounds (settings, docs/architecture.md "Meeting series"): at most
``MEETING_SERIES_MAX_MEETINGS`` occurrences, none more than ``MEETING_SERIES_YEARS_AHEAD``
years ahead, and every date within the meeting range (``portal.bounds.DATES["meeting"]``).
Every refusal is a ``ValidationError`` naming the form field, in Swedish."""

import datetime
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.validators import DateWithin, add_years

TZ = ZoneInfo("Europe/Stockholm")

WEEKDAYS = [
    ("MO", gettext_lazy("måndag")), ("TU", gettext_lazy("tisdag")), ("WE", gettext_lazy("onsdag")),
    ("TH", gettext_lazy("torsdag")), ("FR", gettext_lazy("fredag")), ("SA", gettext_lazy("lördag")),
    ("SU", gettext_lazy("söndag")),
]
ORDINALS = [
    ("1", gettext_lazy("första")), ("2", gettext_lazy("andra")), ("3", gettext_lazy("tredje")),
    ("4", gettext_lazy("fjärde")), ("-1", gettext_lazy("sista")),
]
MONTHS = [
    (str(n), name) for n, name in enumerate(
        [gettext_lazy("januari"), gettext_lazy("februari"), gettext_lazy("mars"), gettext_lazy("april"),
         gettext_lazy("maj"), gettext_lazy("juni"), gettext_lazy("juli"), gettext_lazy("augusti"),
         gettext_lazy("september"), gettext_lazy("oktober"), gettext_lazy("november"),
         gettext_lazy("december")],
        start=1,
    )
]
_WEEKDAY_CODES = {code for code, _label in WEEKDAYS}


def max_meetings():
    return settings.MEETING_SERIES_MAX_MEETINGS


def latest_day(today=None):
    """The last day a series may reach: ``MEETING_SERIES_YEARS_AHEAD`` years from today."""
    return add_years(today or timezone.localdate(), settings.MEETING_SERIES_YEARS_AHEAD)


def rule_for(*, ordinal, weekday, months):
    """The RRULE (without COUNT) for "the ``ordinal`` ``weekday`` of ``months``"."""
    if weekday not in _WEEKDAY_CODES or str(ordinal) not in dict(ORDINALS):
        raise ValidationError({"weekday": _("Välj en veckodag och vilken i månaden.")})
    months = sorted({int(m) for m in months})
    if not months or any(m < 1 or m > 12 for m in months):
        raise ValidationError({"months": _("Välj minst en månad.")})
    day = f"{int(ordinal):+d}{weekday}"
    return f"FREQ=MONTHLY;BYMONTH={','.join(str(m) for m in months)};BYDAY={day}"


def _local(day, at):
    return datetime.datetime.combine(day, at).replace(tzinfo=TZ)


def expand_rule(rule, *, first_day, last_day, start_time):
    """The local start times of ``rule`` (an RRULE without DTSTART) from ``first_day`` to
    ``last_day``, at ``start_time`` each day. Raises ``ValidationError`` past the bounds. Returns
    (starts, rule_with_count)."""
    errors = {}
    if last_day < first_day:
        errors["last_day"] = _("Sista dagen kan inte vara före den första.")
    elif last_day > latest_day():
        errors["last_day"] = _("En serie kan planeras högst %(years)d år framåt, till och med %(day)s.") % {
            "years": settings.MEETING_SERIES_YEARS_AHEAD, "day": latest_day().isoformat(),
        }
    if errors:
        raise ValidationError(errors)
    limit = max_meetings()
    try:
        parsed = rrulestr(rule, dtstart=datetime.datetime.combine(first_day, start_time))
    except (ValueError, TypeError):
        raise ValidationError({"weekday": _("Regeln går inte att tolka.")}) from None
    until = datetime.datetime.combine(last_day, datetime.time(23, 59))
    starts = []
    for naive in parsed.xafter(datetime.datetime.combine(first_day, start_time), inc=True):
        if naive > until or len(starts) > limit:
            break
        starts.append(_local(naive.date(), start_time))
    _check(starts, field="months")
    return starts, f"{rule};COUNT={len(starts)}"


def expand_dates(days, *, start_time):
    """Dates picked one by one, at ``start_time`` each, in order, each once."""
    starts = [_local(day, start_time) for day in sorted(set(days))]
    _check(starts, field="dates")
    return starts


def parse_dates(text):
    """Dates one a line (or separated by commas) as ÅÅÅÅ-MM-DD; a ValidationError names each bad
    line."""
    days, errors = [], []
    for number, raw in enumerate((text or "").replace(",", "\n").splitlines(), start=1):
        value = raw.strip()
        if not value:
            continue
        try:
            days.append(datetime.date.fromisoformat(value))
        except ValueError:
            errors.append(_("Rad %(line)d: ”%(value)s” är inget datum (ÅÅÅÅ-MM-DD).") % {
                "line": number, "value": value[:40],
            })
    if errors:
        raise ValidationError({"dates": errors})
    return days


def _check(starts, *, field):
    """The bounds every series' dates keep, whatever their source."""
    if not starts:
        raise ValidationError({field: _("Serien får inga möten med de här valen.")})
    limit = max_meetings()
    if len(starts) > limit:
        raise ValidationError({field: _(
            "En serie kan ha högst %(max)d möten. Välj färre månader eller en kortare period."
        ) % {"max": limit}})
    last = latest_day()
    within = DateWithin("meeting")
    for start in starts:
        if start.date() > last:
            raise ValidationError({field: _("En serie kan planeras högst %(years)d år framåt, till och med %(day)s.") % {
                "years": settings.MEETING_SERIES_YEARS_AHEAD, "day": last.isoformat(),
            }})
        try:
            within(start.date())
        except ValidationError as exc:
            raise ValidationError({field: exc.messages}) from None
