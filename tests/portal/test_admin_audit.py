"""A change made in the Django admin leaves its audit row too (portal.admin.AuditedAdmin;
docs/security.md, promise 5b): added, changed (with the names of the changed fields) and
deleted, by the administrator, in the admin's transaction."""

import pytest
from django.urls import reverse

from networks.models import Activity, Organisation
from portal.models import AuditEvent

from .. import factories as f

pytestmark = pytest.mark.django_db


def test_an_organisation_changed_in_the_admin_is_audited(client_for, administrator, org_church):
    client = client_for(administrator)
    url = reverse("admin:networks_organisation_change", args=[org_church.pk])
    data = {
        "name": "Växjö domkyrkoförsamling", "unit": "Diakonin", "kind": org_church.kind, "kommun": org_church.kommun_id,
        "lan": org_church.lan_id, "website": "",
        "organisationmembership_set-TOTAL_FORMS": "0", "organisationmembership_set-INITIAL_FORMS": "0",
        "organisationmembership_set-MIN_NUM_FORMS": "0", "organisationmembership_set-MAX_NUM_FORMS": "1000",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    org_church.refresh_from_db()
    assert org_church.unit == "Diakonin"
    row = AuditEvent.objects.get(event="admin.organisation.changed")
    assert row.user_id == administrator.pk and row.object_id == str(org_church.pk)
    assert row.action == AuditEvent.Action.UPDATE and row.detail == {"fields": ["unit"]}


def test_added_and_deleted_in_the_admin_are_audited(client_for, administrator, org_church):
    client = client_for(administrator)
    activity = f.ActivityFactory(organisation=org_church)
    response = client.post(reverse("admin:networks_activity_delete", args=[activity.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Activity.objects.filter(pk=activity.pk).exists()
    deleted = AuditEvent.objects.get(event="admin.activity.deleted")
    assert (deleted.user_id, deleted.object_id) == (administrator.pk, str(activity.pk))

    response = client.post(reverse("admin:meetings_topic_add"), {"name": "Föräldraskap i förändring", "description": "", "is_active": "on"})
    assert response.status_code == 302
    added = AuditEvent.objects.get(event="admin.topic.added")
    assert added.user_id == administrator.pk and added.action == AuditEvent.Action.CREATE
    assert Organisation.objects.filter(pk=org_church.pk).exists()
