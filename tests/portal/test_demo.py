"""portal/demo.py: what the apps' demo loaders share."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from networks.models import Lan
from portal.demo import dated, get_or_create, production_settings

TODAY = date(2025, 3, 29)  # the day before summer time begins in Sweden


def test_dates_count_from_today_and_times_are_swedish():
    entry = {
        "founded": date(2020, 9, 1),
        "given_on": {"days_from_today": -160},
        "starts_at": {"days_from_today": 1, "at": time(13, 0)},
        "capacity": 40,
        "topics": ["ANDTS"],
    }
    assert dated(entry, TODAY) == {
        "founded": date(2020, 9, 1),
        "given_on": date(2024, 10, 20),
        "starts_at": datetime(2025, 3, 30, 13, 0, tzinfo=ZoneInfo("Europe/Stockholm")),
        "capacity": 40,
        "topics": ["ANDTS"],
    }
    assert dated(entry, TODAY)["starts_at"].utcoffset().total_seconds() == 2 * 3600  # summer time


def test_production_settings(settings):
    assert not production_settings()
    settings.SETTINGS_MODULE = "portal.settings.production"
    assert production_settings()


@pytest.mark.django_db
def test_get_or_create_finds_by_natural_key_and_never_updates():
    lan, created = get_or_create(Lan, {"code": "99"}, {"name": "Testlän"})
    assert created and lan.name == "Testlän"
    again, created = get_or_create(Lan, {"code": "99"}, {"name": "Ett annat namn"})
    assert not created and again.pk == lan.pk and Lan.objects.get(code="99").name == "Testlän"
