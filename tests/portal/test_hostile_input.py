"""The shared pieces behind promise 16 (docs/security.md): the id parser and fields of
``portal.forms``, the validators of ``portal.validators`` and the bounds of ``portal.bounds`` —
each fed the table of hostile values (tests/hostile.py), on the database the suite runs on
(CI runs it on SQLite and on PostgreSQL)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from childplans.models import ChildPlan, ChronologyEntry, Consent
from networks.models import Organisation
from portal import bounds
from portal.forms import IdChoiceField, IdField, IdListField, IdMultipleChoiceField, id_from
from portal.queries import MAX_ID, parse_id
from portal.validators import DateWithin, add_years
from tests import factories as f
from tests.hostile import INVALID_CHOICE, LONG, NOT_IDS, TWENTY_DIGITS

pytestmark = pytest.mark.both_databases  # .ci/run runs these on SQLite too

STOCKHOLM = ZoneInfo("Europe/Stockholm")


# --- ids ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", NOT_IDS + [None, "", [], 2**63, 0, -1, True, 1.0, "9223372036854775808"])
def test_parse_id_refuses_what_cannot_be_an_id(value):
    assert parse_id(value) is None


@pytest.mark.parametrize(("value", "expected"), [("1", 1), (7, 7), ("9223372036854775807", MAX_ID), ("007", 7)])
def test_parse_id_takes_ids(value, expected):
    assert parse_id(value) == expected


@pytest.fixture
def organisation(db):
    return f.OrganisationFactory(name="Växjö kommun")


@pytest.mark.django_db
@pytest.mark.parametrize("value", NOT_IDS)
def test_the_id_choice_field_refuses_before_any_query(organisation, value):
    field = IdChoiceField(queryset=Organisation.objects.all())
    with CaptureQueriesContext(connection) as queries, pytest.raises(ValidationError) as refused:
        field.clean(value)
    assert refused.value.messages == [INVALID_CHOICE]
    assert len(queries) == 0


@pytest.mark.django_db
@pytest.mark.parametrize("value", NOT_IDS)
def test_the_id_multiple_choice_field_refuses_before_any_query(organisation, value):
    """Django's own asks ``pk__in`` first: 20 digits raised OverflowError on SQLite (a 500)."""
    field = IdMultipleChoiceField(queryset=Organisation.objects.all())
    with CaptureQueriesContext(connection) as queries, pytest.raises(ValidationError) as refused:
        field.clean([str(organisation.pk), value])
    assert refused.value.messages == [INVALID_CHOICE]
    assert len(queries) == 0


@pytest.mark.django_db
def test_the_id_fields_still_find_their_choices(organisation):
    other = f.OrganisationFactory(name="Ljungby kommun")
    assert IdChoiceField(queryset=Organisation.objects.all()).clean(str(organisation.pk)) == organisation
    assert IdChoiceField(queryset=Organisation.objects.all()).clean(organisation) == organisation
    chosen = IdMultipleChoiceField(queryset=Organisation.objects.all()).clean([str(organisation.pk), other.pk])
    assert set(chosen) == {organisation, other}
    # An id that fits but names no choice: the same message, asked of the database.
    with pytest.raises(ValidationError) as refused:
        IdChoiceField(queryset=Organisation.objects.exclude(pk=other.pk)).clean(str(other.pk))
    assert refused.value.messages == [INVALID_CHOICE]
    with pytest.raises(ValidationError):
        IdMultipleChoiceField(queryset=Organisation.objects.all()).clean([str(MAX_ID)])
    assert IdChoiceField(queryset=Organisation.objects.all(), required=False).clean("") is None


def test_a_custom_message_may_name_the_value_and_never_gets_it_raw():
    """Both names Django uses (``value`` for one code, ``pk`` for another) are filled, with the
    value cut short and without control characters (no NUL, no right-to-left override)."""
    field = IdMultipleChoiceField(
        queryset=Organisation.objects.none(),
        error_messages={"invalid_choice": "%(value)s / %(pk)s finns inte."},
    )
    with pytest.raises(ValidationError) as refused:
        field.clean(["\u202eabc\x00" + "y" * 50])
    assert refused.value.messages == ["abcyyyyyyyyyyyyyyyyy… / abcyyyyyyyyyyyyyyyyy… finns inte."]


@pytest.mark.parametrize("value", NOT_IDS)
def test_the_id_field_and_the_id_list_field_refuse(value):
    with pytest.raises(ValidationError) as refused:
        IdField(required=False).clean(value)
    assert refused.value.messages == [INVALID_CHOICE]
    with pytest.raises(ValidationError) as refused:
        IdListField(required=False).clean(["1", value])
    assert refused.value.messages == [INVALID_CHOICE]
    assert id_from({"x": value}, "x") is None


def test_the_id_field_and_the_id_list_field_take_ids():
    assert IdField(required=False).clean("42") == 42
    assert IdField(required=False).clean("") is None
    assert IdListField(required=False).clean(["1", "2"]) == [1, 2]
    assert IdListField(required=False).clean([]) == []
    assert id_from({"x": "42"}, "x") == 42
    assert id_from({}, "x") is None


# --- dates ---------------------------------------------------------------------------------------


def test_add_years_keeps_leap_days_in_the_calendar():
    assert add_years(date(2024, 2, 29), -25) == date(1999, 2, 28)
    assert add_years(date(2025, 6, 1), 3) == date(2028, 6, 1)


@pytest.mark.parametrize("name", sorted(bounds.DATES))
def test_every_range_refuses_the_year_1_and_9999(name):
    validator = DateWithin(name)
    for value in (date(1, 1, 1), date(9999, 12, 31), datetime(1, 1, 1, tzinfo=STOCKHOLM),
                  datetime(9999, 12, 31, 23, 59, tzinfo=STOCKHOLM)):
        with pytest.raises(ValidationError) as refused:
            validator(value)
        assert refused.value.messages[0]  # a Swedish sentence (checked word for word below)


@pytest.mark.parametrize("name", sorted(bounds.DATES))
def test_every_range_takes_its_own_limits_and_today(name):
    validator = DateWithin(name)
    today = timezone.localdate()
    earliest, latest = validator.limits()
    for value in (earliest, latest, today, timezone.now()):
        validator(value)
    for value in (earliest - timedelta(days=1), latest + timedelta(days=1)):
        with pytest.raises(ValidationError):
            validator(value)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("birth", "tomorrow", "Ett födelsedatum kan inte ligga i framtiden."),
        ("birth", "26 years ago", "Barnet kan inte vara äldre än 25 år: datumet kan inte ligga före {earliest}."),
        ("given", "tomorrow", "Datumet kan inte ligga i framtiden."),
        ("plan", "6 years ahead", "Datumet kan inte ligga mer än fem år fram, efter {latest}."),
        ("meeting", "4 years ago", "Ett möte kan inte ligga mer än tre år bakåt, före {earliest}."),
        ("meeting", "4 years ahead", "Ett möte kan inte ligga mer än tre år fram, efter {latest}."),
    ],
)
def test_each_range_says_what_it_means_in_swedish(name, value, message):
    today = timezone.localdate()
    day = {
        "tomorrow": today + timedelta(days=1), "26 years ago": add_years(today, -26),
        "6 years ahead": add_years(today, 6), "4 years ago": add_years(today, -4), "4 years ahead": add_years(today, 4),
    }[value]
    validator = DateWithin(name)
    earliest, latest = validator.limits()
    with pytest.raises(ValidationError) as refused:
        validator(day)
    assert refused.value.messages == [message.format(earliest=earliest.isoformat(), latest=latest.isoformat())]


def test_a_date_field_refuses_the_year_1_in_the_form_without_overflowing():
    """The year 1 at 00:30 in Stockholm is the year 0 in UTC: converting it raises OverflowError.
    The form refuses it before anything converts it."""
    field = forms.DateTimeField(validators=[DateWithin("meeting")])
    with timezone.override(STOCKHOLM), pytest.raises(ValidationError) as refused:
        field.clean("0001-01-01T00:30")
    assert "Ett möte kan inte ligga mer än tre år bakåt" in refused.value.messages[0]


def test_an_unknown_range_is_a_programming_error():
    with pytest.raises(ValueError):
        DateWithin("whenever")


def test_ranges_are_kept_by_name_in_migrations():
    """A number changed in portal.bounds needs no migration: the validator deconstructs to its
    name only."""
    path, args, kwargs = DateWithin("birth").deconstruct()
    assert (path, args, kwargs) == ("portal.validators.DateWithin", ("birth",), {})
    assert DateWithin("birth") == DateWithin("birth") != DateWithin("given")


# --- the models refuse what the forms refuse (every service calls full_clean) -----------------

# The dates a person enters, with the range that fits each (portal/bounds.py says why).
ENTERED_DATES = [
    ("childplans.Child", "birth_date", "birth"),
    ("childplans.Consent", "given_on", "given"),
    ("childplans.Consent", "withdrawn_on", "given"),
    ("childplans.Assessment", "assessed_on", "given"),
    ("childplans.Action", "starts_on", "plan"),
    ("childplans.Action", "due_on", "plan"),
    ("childplans.Review", "date", "plan"),
    ("childplans.Review", "next_review_on", "plan"),
    ("childplans.ChronologyEntry", "occurred_on", "given"),
    ("networkmap.MapPerson", "left_on", "given"),
    ("networkmap.MapVersion", "saved_on", "given"),
    ("networkmap.NetworkMeeting", "held_on", "given"),
    ("networkmap.NetworkMeeting", "follow_up_on", "plan"),
    ("teammeetings.TeamMeeting", "starts_at", "meeting"),
    ("teammeetings.TeamMeeting", "ends_at", "meeting"),
    ("teammeetings.TeamMeeting", "next_meeting_on", "plan"),
    ("teammeetings.MinutesAction", "due_on", "plan"),
    ("meetings.Meeting", "starts_at", "meeting"),
    ("meetings.Meeting", "ends_at", "meeting"),
    ("meetings.Meeting", "rsvp_deadline", "meeting"),
    ("networks.Stewardship", "starts_on", "network"),
    ("networks.Stewardship", "ends_on", "network"),
    ("networks.NetworkOrganisation", "joined_on", "network"),
    ("networks.NetworkMembership", "joined_at", "network"),
]


@pytest.mark.parametrize(("model", "field", "name"), ENTERED_DATES)
def test_every_entered_date_has_its_range_on_the_model(model, field, name):
    from django.apps import apps

    db_field = apps.get_model(model)._meta.get_field(field)
    assert DateWithin(name) in db_field.validators
    for value in (date(1, 1, 1), date(9999, 12, 31)):
        day_or_time = value if db_field.get_internal_type() == "DateField" else datetime(
            value.year, value.month, value.day, tzinfo=STOCKHOLM)
        with pytest.raises(ValidationError):
            db_field.clean(day_or_time, None)


@pytest.mark.django_db
def test_full_clean_refuses_a_10000_character_text_and_the_year_1(organisation):
    """``TextField(max_length=…)`` alone limits the form only; the validator beside it makes
    every service's ``full_clean`` refuse too."""
    from childplans.models import Child

    child = Child(given_name="Tindra", family_name="Testsson", birth_date=date(1, 1, 1))
    with pytest.raises(ValidationError) as refused:
        child.full_clean()
    assert "birth_date" in refused.value.message_dict
    entry = ChronologyEntry(occurred_on=timezone.localdate(), event=LONG, source="Skolan", impact="positiv")
    with pytest.raises(ValidationError) as refused:
        entry.clean_fields(exclude=["plan", "recorded_by"])
    assert refused.value.message_dict["event"] == [
        f"Säkerställ att detta värde har som mest {bounds.TEXT} tecken (den har 10000)."
    ]
    assert ChildPlan._meta.get_field("close_reason").max_length == bounds.NOTE
    consent = Consent(given_on=timezone.localdate() + timedelta(days=1), note="Samordning", method="written",
                      valid_until=timezone.localdate() + timedelta(days=30))
    with pytest.raises(ValidationError) as refused:
        consent.clean_fields(exclude=["plan", "guardian", "recorded_by"])
    assert refused.value.message_dict["given_on"] == ["Datumet kan inte ligga i framtiden."]


def test_no_bound_lets_10000_characters_through():
    assert max(bounds.NOTE, bounds.TEXT, bounds.LONG_TEXT) < len(LONG)
    assert int(TWENTY_DIGITS) > MAX_ID
