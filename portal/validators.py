"""Validators that keep stored values plausible (docs/security.md, promise 16; the numbers are in
``portal.bounds``). They sit on the model fields, so every path checks them: the forms (the
portal's ``ModelForm`` and the admin copy them onto the form field, next to which the message
shows), every service's ``full_clean`` and the admin's own validation.

A text's maximum is Django's ``MaxLengthValidator`` on the model field beside ``max_length``:
``TextField(max_length=…)`` only gives its form field a limit; the validator makes
``full_clean`` refuse a longer text too."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.deconstruct import deconstructible

from . import bounds

__all__ = ["DateWithin", "MaxLengthValidator", "add_months", "add_years"]


def add_years(day, years):
    """``day`` moved ``years`` years (negative: back); 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_months(day, months):
    """``day`` moved ``months`` calendar months (negative: back); a day the month lacks becomes
    its last (31 January + 1 month = 28 or 29 February)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = (datetime.date(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)).day
    return day.replace(year=year, month=month, day=min(day.day, last))


@deconstructible
class DateWithin:
    """A date or datetime within the range ``bounds.DATES[name]`` of today (the site's today).
    The range is looked up when a value is checked, so migrations keep only its name.

    A datetime is compared by its own calendar day, without converting it to another time zone
    first: the year 1 or 9999 converted would overflow (``OverflowError``) before it could be
    refused."""

    def __init__(self, name):
        if name not in bounds.DATES:
            raise ValueError(f"no date range named {name!r} in portal.bounds.DATES")
        self.name = name

    @property
    def range(self):
        return bounds.DATES[self.name]

    def limits(self, today=None):
        """(earliest, latest) allowed day."""
        today = today or timezone.localdate()
        return add_years(today, -self.range.years_back), add_years(today, self.range.years_ahead)

    def __call__(self, value):
        if value is None:
            return
        day = value.date() if isinstance(value, datetime.datetime) else value
        earliest, latest = self.limits()
        params = {"earliest": earliest.isoformat(), "latest": latest.isoformat()}
        if day < earliest:
            raise ValidationError(self.range.too_early, code="date_too_early", params=params)
        if day > latest:
            raise ValidationError(self.range.too_late, code="date_too_late", params=params)

    def __eq__(self, other):
        return isinstance(other, DateWithin) and other.name == self.name

    def __hash__(self):
        return hash(("DateWithin", self.name))

    def __repr__(self):
        return f"DateWithin({self.name!r})"


def date_range_of(field):
    """The ``DateWithin`` validator of a model or form field, or None."""
    return next((v for v in field.validators if isinstance(v, DateWithin)), None)


def max_length_of(field):
    """The limit of a field's ``MaxLengthValidator``, or None."""
    return next((v.limit_value for v in field.validators if isinstance(v, MaxLengthValidator)), None)
