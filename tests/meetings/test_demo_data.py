"""The demo meetings' data (meetings/data/demo/meetings.toml) is valid: every field is one
meeting_schedule takes (the meeting's own), every time counts from today and makes sense (last
term's meeting in the past, the coming ones after their deadline), every topic exists."""

from datetime import date

import pytest

from meetings.demo import MEETINGS, NOT_FIELDS
from meetings.models import Meeting, Topic
from portal.demo import dated
from tests.demo_data import check_fictional, check_keys, check_when, choice, model_fields

TODAY = date(2025, 3, 10)


def test_the_meetings_have_the_meetings_fields():
    assert set(MEETINGS) == {"places", "held", "coming", "steering"}
    check_keys(MEETINGS["places"], {"local", "regional"}, {"local", "regional"}, "places")
    assert "{kommun}" in MEETINGS["places"]["local"]
    fields = model_fields(Meeting) - {"network", "status", "created_by"}
    for key in ("held", "coming", "steering"):
        spec = MEETINGS[key]
        check_keys(spec, fields | set(NOT_FIELDS), {"title", "starts_at", "ends_at"}, key)
        for name in ("starts_at", "ends_at", "invitations_sent_at", "answered_at"):
            if name in spec:
                check_when(spec[name], f"{key}.{name}", with_time=True)
        if "rsvp_deadline" in spec:
            check_when(spec["rsvp_deadline"], f"{key}.rsvp_deadline")
        if "kind" in spec:
            choice(spec["kind"], Meeting.Kind, key)
        for item in spec.get("agenda", ()):
            check_keys(item, {"title", "duration_minutes", "responsible"}, {"title", "duration_minutes"}, key)
            assert item.get("responsible", "coordinator") == "coordinator", key
        when = dated(spec, TODAY)
        assert when["starts_at"] < when["ends_at"], key
        assert "rsvp_deadline" not in when or when["rsvp_deadline"] < when["starts_at"].date(), key
    held, coming, steering = (dated(MEETINGS[key], TODAY) for key in ("held", "coming", "steering"))
    assert held["invitations_sent_at"] < held["answered_at"] < held["starts_at"] and held["starts_at"].date() < TODAY
    assert coming["starts_at"].date() > TODAY and steering["starts_at"].date() > TODAY
    check_fictional(MEETINGS, "meetings.toml")


@pytest.mark.django_db
def test_every_topic_exists():
    names = {name for key in ("held", "coming", "steering") for name in MEETINGS[key].get("topics", ())}
    assert set(Topic.objects.filter(name__in=names).values_list("name", flat=True)) == names
