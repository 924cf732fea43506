"""Checks shared by the tests of the apps' demo data (<app>/data/demo/*.toml): a typo in a data
file fails a test, not a demo start."""

import inspect
import re
from datetime import date, time

# Phone numbers from the series PTS reserves for fiction; e-mail addresses at exempel.se.
FICTIONAL_PHONE = re.compile(r"070-174 06 (0[5-9]|[1-9]\d)")
ANY_PHONE = re.compile(r"\b0\d{1,3}-[\d ]{5,}\d")
ANY_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def check_keys(entry, allowed, required=(), where=""):
    """Every key of a data entry is one the loader knows (a misspelt field is not silently left
    out), and the required ones are there."""
    unknown = set(entry) - set(allowed)
    assert not unknown, f"{where}: unknown keys {sorted(unknown)} (known: {sorted(allowed)})"
    missing = set(required) - set(entry)
    assert not missing, f"{where}: missing keys {sorted(missing)}"


def check_when(value, where="", *, with_time=False):
    """A date of the data: fixed, or { days_from_today = n } (with at = HH:MM:SS for a time)."""
    if not with_time and isinstance(value, date):
        return
    assert isinstance(value, dict), f"{where}: {value!r} is not a date"
    keys = {"days_from_today", "at"} if with_time else {"days_from_today"}
    assert set(value) == keys, f"{where}: {value!r} needs exactly {sorted(keys)}"
    assert isinstance(value["days_from_today"], int), where
    if with_time:
        assert isinstance(value["at"], time), where


def choice(value, choices, where=""):
    assert value in choices.values, f"{where}: {value!r} is not one of {choices.values}"


def keyword_arguments(function):
    """The keyword arguments a service takes, when it takes no **fields."""
    parameters = inspect.signature(function).parameters.values()
    assert not any(p.kind is p.VAR_KEYWORD for p in parameters), function
    return {p.name for p in parameters}


def model_fields(model):
    return {f.name for f in model._meta.get_fields() if getattr(f, "concrete", False)}


def strings(data):
    """Every string in a data tree."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield key
            yield from strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from strings(value)


def check_fictional(data, where=""):
    """Nothing in the data reaches a real person: every phone number is from the fiction series
    and every e-mail address at exempel.se."""
    for text in strings(data):
        for match in ANY_PHONE.finditer(text):
            assert FICTIONAL_PHONE.fullmatch(match.group().strip()), f"{where}: {match.group()!r} in {text!r}"
        for match in ANY_EMAIL.finditer(text):
            assert match.group().endswith("@exempel.se"), f"{where}: {match.group()!r}"
