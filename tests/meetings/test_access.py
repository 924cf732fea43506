"""A meeting from the outside, by the twins (tests/twins.py; docs/security.md promise 3): the
coordinator of another kommun's network (another organisation), a participant of it who is
invited to its own meeting, and the coordinator of a neighbouring network who comes from one of
our member organisations. On every meeting route (from the URL resolver: a network's meeting
pages and one meeting's, the check-in link with its real token) and every method the view
accepts: 404, nothing of the meeting in the body, no row changed (every model's count; the
meetings' and networks' rows column by column). And the other network's coordinator, made a
participant of ours, on every coordinator page of ours: 404 as for any participant. The outsider, the participant on the
coordinator's pages and the administrator are in tests/meetings/test_views.py."""

import pytest

from meetings.views.attendance import checkin_token
from tests import factories as f
from tests.twins import (
    COORDINATOR,
    NEIGHBOUR,
    PARTICIPANT,
    app_rows,
    assert_twins_hold_their_roles,
    build_twin_world,
    coordinator_only,
    neighbouring_coordinator,
    object_routes,
    walk_outside,
)

pytestmark = pytest.mark.django_db

MEETING_ROUTES = object_routes("meetings")


def meeting_targets(meeting, regional_network, series=None):
    """(name, pattern, kwargs) for every meeting route; a network's meeting pages are asked for
    the meeting's local network and for the regional one above it; a series' pages for
    ``series`` (issue 21)."""
    ids = {"pk": meeting.pk, "network_pk": meeting.network_id, "token": checkin_token(meeting),
           "series_pk": series.pk if series is not None else 0}
    targets = []
    for key, pattern in MEETING_ROUTES:
        names = list(pattern.pattern.converters)
        unknown = [n for n in names if n not in ids]
        assert not unknown, f"{key}: the twin table does not know the URL argument(s) {unknown}"
        targets.append((key, pattern, {n: ids[n] for n in names}))
        if names == ["network_pk"]:
            targets.append((key, pattern, {"network_pk": regional_network.pk}))
    return targets


def test_the_table_walks_every_meeting_route():
    names = {key for key, _ in MEETING_ROUTES}
    assert {"meeting_detail", "meeting_update", "meeting_checkin", "network_meetings", "meeting_ics"} <= names


# Plausible data for every form, so a POST that slipped past the rule would change something.
PAYLOAD = {"title": "Kapad", "kind": "natverkstraff", "place": "x", "action": "send", "response": "yes",
           "comment": "x", "text": "x", "present": "1", "minutes": "x", "reason": "x", "cost_note": "x",
           "remind_unanswered_days": "3", "remind_attending_days": "1",
           "start_time": "13:00", "end_time": "15:00", "scope": "all", "mode": "dates", "dates": "2027-01-12",
           "all": "yes"}


@pytest.mark.parametrize("persona", [COORDINATOR, PARTICIPANT, NEIGHBOUR])
def test_twins_get_404_on_every_meeting_route(client, persona, invited, regional_network, org_kommun,
                                              meeting_series):
    world = build_twin_world()
    if persona == NEIGHBOUR:
        user, _ = neighbouring_coordinator(org_kommun)  # our coordinator's organisation
    else:
        assert_twins_hold_their_roles(world, [persona])
        user = world[persona]
    client.force_login(user)
    secrets = [invited.title, invited.place, invited.network.name, meeting_series.title]
    walk_outside(client, persona, meeting_targets(invited, regional_network, meeting_series), payload=PAYLOAD,
                 secrets=secrets,
                 snapshot=lambda: app_rows("meetings", "networks"))


def test_a_participant_here_who_coordinates_another_network_coordinates_no_meeting_here(
    client, invited, regional_network, meeting_series
):
    world = build_twin_world()
    user = world[COORDINATOR]
    f.MembershipFactory(network=invited.network, user=user, organisation=world["plan"].owner_organisation)
    assert_twins_hold_their_roles(world, [COORDINATOR])  # still coordinates their own
    client.force_login(user)
    targets = [t for t in meeting_targets(invited, regional_network, meeting_series) if coordinator_only(t[1])]
    assert {t[0] for t in targets} >= {"meeting_update", "meeting_invite", "meeting_answers", "meeting_create",
                                       "series_create", "series_detail", "series_update", "series_end",
                                       "series_invite"}
    walk_outside(client, "participant_here_coordinator_elsewhere", targets, payload=PAYLOAD,
                 secrets=["Glutenfritt"], snapshot=lambda: app_rows("meetings", "networks"))
