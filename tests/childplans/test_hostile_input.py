"""Hostile values through the plan's pages (docs/security.md, promise 16): the places issue 18
found answering 500 or keeping nonsense — an id beyond 64 bits among a consent's organisations, a
new plan's categories, a team meeting's members and guardians, a network meeting's participants
and actions; a non-number among the participants (KeyError 'value'); the year 1 as a birth date,
a consent's, an action's, an assessment's, a chronology entry's, a map version's and a network
meeting's date and a team meeting's start; a 10,000-character reason for closing — each now a
Swedish message next to its field, a 200, and nothing changed. Run on SQLite and PostgreSQL."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.hostile import (
    INVALID_CHOICE,
    LONG,
    NUL,
    RTL,
    SCRIPT,
    TWENTY_DIGITS,
    database_state,
    error_next_to,
)

from .conftest import reauthenticate
from .networkmap.helpers import add_network_map
from .teammeetings.helpers import at

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]

NOT_ON_MAP = "Personen finns inte på barnets nätverkskarta."
TOO_LONG = "Säkerställ att detta värde har som mest"
TOO_OLD = "Barnet kan inte vara äldre än 25 år"
FUTURE_BIRTH = "Ett födelsedatum kan inte ligga i framtiden."
BEFORE = "Datumet kan inte ligga före"
FUTURE = "Datumet kan inte ligga i framtiden."
FIVE_YEARS = "Datumet kan inte ligga mer än fem år fram"
MEETING_BACK = "Ett möte kan inte ligga mer än tre år bakåt"
MEETING_AHEAD = "Ett möte kan inte ligga mer än tre år fram"


@pytest.fixture
def world(full_plan, contact, org_social):
    full_plan.update(add_network_map(full_plan["plan"], contact))
    full_plan["org_social"] = org_social
    return full_plan


def _today(days=0):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def _start(days):
    start = at(days)
    return {"starts_at": f"{start:%Y-%m-%dT%H:%M}", "ends_at": f"{start + timedelta(hours=1):%Y-%m-%dT%H:%M}"}


# (route, valid data for the page's form) — each case below changes one field of it.
PAGES = {
    "plan_create": lambda w: {
        "organisation": w["org_social"].pk, "given_name": "Nils", "family_name": "Nilsson", "birth_date": "2016-02-01",
        "personnummer": "", "reason": "Barn som anhöriga.", "part": "Skolkurator",
    },
    "child_update": lambda w: {"given_name": "Tindra", "family_name": "Testbarnsson", "birth_date": "2015-04-12",
                               "personnummer": "20150412-2381"},
    "consents": lambda w: {
        "guardian": w["guardian"].pk, "given_on": _today(), "method": "written", "purposes": ["coordination"], "note": "Samordning i skolan.",
        "valid_until": _today(90),
        "organisations": [w["member"].organisation_id],
    },
    "action_add": lambda w: {
        "goal": w["goal"].pk, "what": "Läxhjälp", "responsible_organisation": w["member"].organisation_id,
        "responsible_person": w["member"].user_id, "starts_on": _today(), "due_on": _today(30), "status": "planerad",
        "follow_up": "",
    },
    "assessment_create": lambda w: {
        "assessed_on": _today(), **{f"{a}_need": "visst" for a in
                                    ("trygg", "halsa", "utvecklas", "omvardad", "aktiv", "respekterad",
                                     "ansvarstagande", "delaktig")},
    },
    "chronology": lambda w: {"occurred_on": _today(), "event": "Bytte skola", "source": "Skolan",
                             "impact": "positive", "action_taken": ""},
    "reviews": lambda w: {"date": _today(10)},
    "close": lambda w: {"reason": "Målen är nådda."},
    "voice": lambda w: {"child_voice": "Jag vill ha en kompis.", "guardians_views": ""},
    "map_versions": lambda w: {"phase": "forsta_kontakt", "saved_on": _today(), "child_took_part": "ja",
                               "child_part_how": ""},
    "map_meeting_add": lambda w: {"kind": "natverksmote", "held_on": _today(),
                                  "participants": [w["map_person"].pk], "agreements": "Vi hjälps åt."},
    "teammeeting_call": lambda w: {**_start(10), "place": "Skolans konferensrum", "video_url": "",
                                   "child_part": "i_rummet", "child_spokesperson": "",
                                   "members": [w["member"].pk], "guardians": [w["guardian"].pk]},
}

CASES = [
    # ids: beyond 64 bits, not a number, a NUL byte, a script, a right-to-left override, "²"
    ("plan_create", "categories", [TWENTY_DIGITS], INVALID_CHOICE),
    ("plan_create", "categories", ["abc"], INVALID_CHOICE),
    ("plan_create", "organisation", NUL, INVALID_CHOICE),
    ("plan_create", "contact_person", "²", INVALID_CHOICE),
    ("consents", "organisations", [TWENTY_DIGITS], INVALID_CHOICE),
    ("consents", "organisations", [SCRIPT], INVALID_CHOICE),
    ("consents", "guardian", "-1", INVALID_CHOICE),
    ("action_add", "goal", TWENTY_DIGITS, INVALID_CHOICE),
    ("action_add", "responsible_person", RTL, INVALID_CHOICE),
    ("action_add", "responsible_organisation", "0", INVALID_CHOICE),
    ("map_meeting_add", "participants", ["abc"], NOT_ON_MAP),  # was KeyError 'value'
    ("map_meeting_add", "participants", [TWENTY_DIGITS], NOT_ON_MAP),
    ("map_meeting_add", "actions", [TWENTY_DIGITS], "Välj insatser ur den här planen."),
    ("map_meeting_add", "invitees_chosen_by_child", [NUL], NOT_ON_MAP),
    ("map_meeting_add", "support_person", "abc", NOT_ON_MAP),
    ("teammeeting_call", "members", [TWENTY_DIGITS], INVALID_CHOICE),
    ("teammeeting_call", "guardians", ["abc"], INVALID_CHOICE),
    # dates: the year 1 and 9999, each refused by the range that fits it
    ("plan_create", "birth_date", "0001-01-01", TOO_OLD),
    ("plan_create", "birth_date", "9999-12-31", FUTURE_BIRTH),
    ("child_update", "birth_date", "0001-01-01", TOO_OLD),
    ("consents", "given_on", "0001-01-01", BEFORE),
    ("consents", "given_on", "9999-12-31", FUTURE),
    ("action_add", "starts_on", "0001-01-01", BEFORE),
    ("action_add", "due_on", "9999-12-31", FIVE_YEARS),
    ("assessment_create", "assessed_on", "0001-01-01", BEFORE),
    ("chronology", "occurred_on", "0001-01-01", BEFORE),
    ("reviews", "date", "9999-12-31", FIVE_YEARS),
    ("map_versions", "saved_on", "0001-01-01", BEFORE),
    ("map_meeting_add", "held_on", "0001-01-01", BEFORE),
    ("map_meeting_add", "follow_up_on", "9999-12-31", FIVE_YEARS),
    ("teammeeting_call", "starts_at", "0001-01-01T00:30", MEETING_BACK),
    ("teammeeting_call", "ends_at", "9999-12-31T23:59", MEETING_AHEAD),
    # texts: 10,000 characters
    ("plan_create", "reason", LONG, TOO_LONG),
    ("consents", "note", LONG, TOO_LONG),
    ("action_add", "what", LONG, TOO_LONG),
    ("assessment_create", "trygg_seen", LONG, TOO_LONG),
    ("chronology", "event", LONG, TOO_LONG),
    ("close", "reason", LONG, TOO_LONG),  # was kept
    ("voice", "child_voice", LONG, TOO_LONG),
    ("map_meeting_add", "agreements", LONG, TOO_LONG),
    ("teammeeting_call", "place", LONG, TOO_LONG),
]


@pytest.mark.parametrize(("page", "field", "value", "message"), CASES,
                         ids=[f"{p}-{f}-{str(v)[:12]!r}" for p, f, v, _m in CASES])
def test_a_hostile_value_gets_a_message_next_to_its_field_and_changes_nothing(
    client, world, contact, page, field, value, message
):
    plan = world["plan"]
    client.force_login(contact)
    reauthenticate(client, contact)
    url = reverse(f"childplans:{page}", kwargs={} if page == "plan_create" else {"plan_pk": plan.pk})
    data = {**PAGES[page](world), field: value}
    before = database_state()
    response = client.post(url, data)
    assert response.status_code == 200
    assert message in error_next_to(response, field)
    assert database_state() == before


@pytest.mark.parametrize("page", sorted(PAGES))
def test_the_valid_data_of_the_table_is_taken(client, world, contact, page):
    """The table's base data is valid: a refusal above is the hostile value's doing."""
    plan = world["plan"]
    client.force_login(contact)
    reauthenticate(client, contact)
    url = reverse(f"childplans:{page}", kwargs={} if page == "plan_create" else {"plan_pk": plan.pk})
    response = client.post(url, PAGES[page](world))
    assert response.status_code == 302, response.context["form"].errors if response.context else response


@pytest.mark.parametrize("value", [TWENTY_DIGITS, "abc", "²", NUL, "-1"])
def test_hostile_values_in_a_pages_query_string_are_ignored(client, world, contact, value):
    """Query parameters that only preselect something (?mal=, ?insats=, ?verksamhet=,
    ?organisation=, ?a=/?b=, ?sida=, ?termin=): a value that cannot be an id is not used."""
    plan = world["plan"]
    client.force_login(contact)
    for name, params in [
        ("action_add", {"mal": value}),
        ("referral_create", {"verksamhet": value, "organisation": value}),
        ("map_compare", {"a": value, "b": value}),
    ]:
        response = client.get(reverse(f"childplans:{name}", kwargs={"plan_pk": plan.pk}), params)
        assert response.status_code == 200, (name, value)
    assert client.get(reverse("childplans:referral_inbox"), {"sida": value}).status_code in (200, 404)
