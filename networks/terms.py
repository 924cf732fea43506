"""Terms (VT January–June, HT July–December): the meetings are planned by term, and the
directory's tips and the referrals are counted by term. One copy of the rule, in the lowest app
that needs it (meetings imports it from here)."""

from django.utils import timezone
from django.utils.translation import pgettext_lazy


def term_for(date):
    """(term, year) for a local date: VT January–June, HT July–December."""
    return ("VT" if date.month <= 6 else "HT"), date.year


def current_term(today=None):
    """(term, year) of today (local time)."""
    return term_for(today or timezone.localdate())


def previous_term(term, year):
    return ("HT", year - 1) if term == "VT" else ("VT", year)


# "VT 2026" in Swedish, "Spring 2026" in English.
TERM_SHORT = {"VT": pgettext_lazy("school term", "VT"), "HT": pgettext_lazy("school term", "HT")}


def term_label(term, year):
    return f"{TERM_SHORT.get(term, term)} {year}"


def term_key(term, year):
    """The term as it is written in a URL's query string and an e-mail's period: "HT2025"."""
    return f"{term}{year}"


def parse_term_key(value):
    """(term, year) from "HT2025", or None if it is not one."""
    value = (value or "").strip().upper()
    if len(value) == 6 and value[:2] in ("VT", "HT") and value[2:].isascii() and value[2:].isdigit():
        year = int(value[2:])
        if 2000 <= year <= 2100:
            return value[:2], year
    return None
