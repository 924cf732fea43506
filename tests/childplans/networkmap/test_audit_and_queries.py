"""Every read and change of the network map writes exactly one audit row (ids only, no contact
details), and the map and comparison pages do not grow in queries from 1 to 40 people
(docs/performance.md: a detail page, <= 8 queries including auth)."""

import logging

import pytest
from django.urls import reverse
from django.utils import timezone

from childplans.networkmap import services
from childplans.networkmap.models import MapPerson, MapVersion
from portal.models import AuditEvent
from tests.childplans.conftest import SECRETS
from tests.childplans.test_queries import AUTH_QUERIES, DETAIL_BUDGET, measure

from .helpers import MAP_SECRETS, sample_people

pytestmark = pytest.mark.django_db


def last_pk():
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def url(name, plan, **kwargs):
    return reverse(f"childplans:{name}", kwargs={"plan_pk": plan.pk, **kwargs})


@pytest.mark.parametrize(
    "name, action",
    [
        ("map", AuditEvent.Action.VIEW),
        ("map_print", AuditEvent.Action.PRINT),
        ("map_versions", AuditEvent.Action.VIEW),
        ("map_compare", AuditEvent.Action.VIEW),
        ("map_acute", AuditEvent.Action.VIEW),
        ("map_meetings", AuditEvent.Action.VIEW),
        ("map_meeting_add", AuditEvent.Action.VIEW),
        ("map_costly", AuditEvent.Action.VIEW),
        ("map_person_add", AuditEvent.Action.VIEW),
        ("map_person_update", AuditEvent.Action.VIEW),
        ("map_person_leave", AuditEvent.Action.VIEW),
        ("map_person_remove", AuditEvent.Action.VIEW),
    ],
)
def test_each_read_writes_one_row(client, network_map, contact, name, action):
    plan = network_map["plan"]
    client.force_login(contact)
    kwargs = {"person_pk": network_map["map_person"].pk} if name.startswith("map_person_") and name != \
        "map_person_add" else {}
    since = last_pk()
    response = client.get(url(name, plan, **kwargs), REMOTE_ADDR="192.0.2.9")
    assert response.status_code == 200
    events = list(AuditEvent.objects.filter(pk__gt=since))
    assert len(events) == 1
    event = events[0]
    assert event.action == action and event.plan_id == plan.pk and event.child_id == plan.child_id
    assert event.user_id == contact.pk and event.ip_address == "192.0.2.9"
    for secret in SECRETS + MAP_SECRETS:
        assert secret not in str(event.detail) and secret not in event.object_id


def test_each_change_writes_one_row(client, network_map, contact):
    plan, person = network_map["plan"], network_map["map_person_2"]
    client.force_login(contact)
    posts = [
        (url("map_person_add", plan), {"name": "Ny Person", "relation": "moster", "sector": "slakt", "closeness": "2",
                                       "quality": "positive"}, AuditEvent.Action.CREATE, "networkmap.mapperson"),
        (url("map_person_update", plan, person_pk=person.pk),
         {"name": person.name, "relation": "tränare", "sector": "fritid", "closeness": "3", "quality": "mixed"},
         AuditEvent.Action.UPDATE, "networkmap.mapperson"),
        (url("map_versions", plan), {"phase": "insatser", "child_took_part": "nej", "saved_on": timezone.localdate()},
         AuditEvent.Action.CREATE, "networkmap.mapversion"),
        (url("map_meeting_add", plan), {"kind": "natverksmote", "held_on": timezone.localdate(),
                                        "participants": [person.pk]},
         AuditEvent.Action.CREATE, "networkmap.networkmeeting"),
    ]
    for target, data, action, object_type in posts:
        since = last_pk()
        assert client.post(target, data).status_code == 302, target
        events = list(AuditEvent.objects.filter(pk__gt=since))
        assert [(e.action, e.object_type) for e in events] == [(action, object_type)], target
    removable = MapPerson.objects.get(name="Ny Person")
    since = last_pk()
    assert client.post(url("map_person_remove", plan, person_pk=removable.pk)).status_code == 302
    events = list(AuditEvent.objects.filter(pk__gt=since))
    assert [(e.action, e.object_type, e.object_id) for e in events] == [
        (AuditEvent.Action.DELETE, "networkmap.mapperson", str(removable.pk))
    ]


def test_contact_details_stay_in_the_plan(client, network_map, contact, caplog):
    """No phone number or name of the map in logs, URLs or the admin."""
    from django.contrib import admin

    assert not any(m._meta.app_label == "networkmap" for m in admin.site._registry)
    plan = network_map["plan"]
    client.force_login(contact)
    caplog.set_level(logging.DEBUG)
    for name in ("map", "map_acute", "map_compare", "map_meetings", "map_print"):
        body = client.get(url(name, plan)).content.decode()
        for href in body.split('href="')[1:]:
            link = href.split('"', 1)[0]
            if link.startswith("tel:"):
                continue
            for secret in MAP_SECRETS:
                assert secret not in link
    client.get(url("map", plan).replace(str(plan.pk), "999999"))
    for record in caplog.records:
        for secret in SECRETS + MAP_SECRETS:
            assert secret not in record.getMessage()


OWN_BUDGET = {"map": 4, "map_compare": 5, "map_acute": 4, "map_print": 4}


def grow(plan, contact, n):
    MapPerson.objects.bulk_create(MapPerson(plan=plan, **p) for p in sample_people(n))
    for phase in (MapVersion.Phase.INVESTIGATION, MapVersion.Phase.REVIEW):  # the comparison's two
        services.version_save(plan=plan, by=contact, phase=phase, child_took_part=MapVersion.ChildTookPart.YES)


@pytest.mark.parametrize("name", ["map", "map_compare", "map_acute", "map_print"])
def test_pages_do_not_grow_from_1_to_40_people(client, full_plan, contact, name):
    plan = full_plan["plan"]
    client.force_login(contact)
    grow(plan, contact, 1)
    target = url(name, plan)
    small_total, small_own = measure(client, target)
    MapPerson.objects.filter(plan=plan).delete()
    grow(plan, contact, 40)
    large_total, large_own = measure(client, target)
    assert large_total == small_total, "This is a performance-critical page: no N+1 queries."
    assert len(large_own) == len(small_own)
    # The page's own: MFA check, plan (with its latest version and meeting as subqueries),
    # people or versions, audit insert; the comparison reads the version list and the two.
    assert len(large_own) <= OWN_BUDGET[name], large_own
    assert len(large_own) <= DETAIL_BUDGET - AUTH_QUERIES
