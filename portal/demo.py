"""What the apps' demo loaders share (``manage.py load_demo``, the embedded default only).

Each app keeps its demo as data, ``<app>/data/demo/*.toml`` read with the standard library's
tomllib, and a short loader in ``<app>/demo.py`` that creates what is missing through the app's
services; the dashboard's command composes the loaders. In the data, a date is either fixed
(``founded = 2020-09-01``) or counted from the day the demo is loaded
(``given_on = { days_from_today = -160 }``), a time of day is ``{ days_from_today = 9,
at = 13:00:00 }`` in Swedish time, and a choice is its stored value (``kind = "kommun"``)."""

import os
import tomllib
from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone


def production_settings():
    """Whether these are the production settings, where no demo account and no demo TOTP
    secret may exist. (override_settings in tests hides SETTINGS_MODULE; the environment
    still names it.)"""
    module = settings.SETTINGS_MODULE or os.environ.get("DJANGO_SETTINGS_MODULE", "")
    return module.endswith(".production")


def read_data(module_file, name):
    """The demo data file ``name`` of the app of ``module_file``: ``<app>/data/demo/<name>``."""
    with (Path(module_file).resolve().parent / "data" / "demo" / name).open("rb") as fh:
        return tomllib.load(fh)


def own_fields(entry, *references):
    """The fields of a data entry that go to the model as they are: all but the named
    references to other entries (which the loader resolves)."""
    return {key: value for key, value in entry.items() if key not in references}


def get_or_create(model, lookup, defaults):
    """Find by natural key, or validate and create. Never updates an existing row, so a demo
    row someone changed stays as they left it."""
    obj = model.objects.filter(**lookup).first()
    if obj is not None:
        return obj, False
    obj = model(**lookup, **defaults)
    obj.full_clean()
    obj.save()
    return obj, True


def dated(entry, today):
    """``entry`` with every date or time counted from today (``{ days_from_today = n }``,
    with ``at`` for a time of day) turned into a date or an aware datetime."""
    return {key: _when(value, today) for key, value in entry.items()}


def _when(value, today):
    if isinstance(value, dict) and "days_from_today" in value:
        return moment(value, today) if "at" in value else day(value, today)
    return value


def day(value, today):
    """A date of the data: fixed, or ``{ days_from_today = n }``."""
    if isinstance(value, date):
        return value
    return today + timedelta(days=value["days_from_today"])


def moment(value, today):
    """A time of the data, ``{ days_from_today = n, at = HH:MM:SS }``, in Swedish time."""
    return at(day(value, today), value["at"])


def at(on, time):
    """``on`` at the ``time`` of day, Swedish time."""
    return timezone.make_aware(datetime.combine(on, time))
