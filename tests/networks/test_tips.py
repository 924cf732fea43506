"""Tipsa en familj (issue 13): from any activity a professional makes a family leaflet; the
portal keeps no record of the family, only a count per activity and term; the contact may be
told that a family may get in touch; the activity's open page shows only what the organisation
published for families, and only when it made the activity public."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from networks import services
from networks.models import ActivityTipCount
from networks.terms import current_term, term_for
from portal.models import AuditEvent, OutboundEmail
from portal.outbox import build_message

from .. import factories as f

pytestmark = pytest.mark.django_db

HOW_TO_REFER = "Ring diakonen innan, säg att du är från familjecentralen."
NOTIFY = "diakon.notis@kyrkan.se"
PROFESSIONALS_CONTACT = "Diakon Maria Holm, 070-174 06 09 (tjänstetelefon)"


@pytest.fixture
def meeting_place(org_church):
    return f.ActivityFactory(
        organisation=org_church, title="Måndagsmiddag för barnfamiljer",
        description="En enkel, gratis middag för familjer.", when="Måndagar 17–19", where="Församlingshemmet",
        contact=PROFESSIONALS_CONTACT, how_to_refer=HOW_TO_REFER, cost="Gratis",
        getting_there="Buss 1 till Domkyrkan, ingång från baksidan.", family_contact="Ring 070-174 06 09",
        notify_email=NOTIFY, public=True,
    )


def count_of(activity):
    term, year = current_term()
    row = ActivityTipCount.objects.filter(activity=activity, term=term, year=year).first()
    return row.count if row else 0


def test_the_terms():
    from datetime import date

    assert term_for(date(2026, 6, 30)) == ("VT", 2026)
    assert term_for(date(2026, 7, 1)) == ("HT", 2026)


def test_making_a_leaflet_counts_one_tip_and_keeps_nothing_about_the_family(client_for, outsider, meeting_place):
    client = client_for(outsider)  # any logged-in professional
    page = client.get(reverse("activity_tip", args=[meeting_place.pk]))
    assert page.status_code == 200
    assert "Portalen sparar ingenting om familjen" in page.content.decode()
    audit_before = AuditEvent.objects.count()
    response = client.post(reverse("activity_tip", args=[meeting_place.pk]), {})
    assert response.status_code == 302 and response["Location"] == reverse("activity_leaflet", args=[meeting_place.pk])
    assert count_of(meeting_place) == 1
    client.post(reverse("activity_tip", args=[meeting_place.pk]), {})
    assert count_of(meeting_place) == 2
    # One counter row, no e-mail, and audit rows with ids and the term only.
    assert ActivityTipCount.objects.count() == 1
    assert not OutboundEmail.objects.exists()
    rows = list(AuditEvent.objects.order_by("pk")[audit_before:])
    assert [r.event for r in rows] == ["activity.tipped", "activity.tipped"]
    assert set(rows[0].detail) == {"activity_id", "term", "contact_told"}


def test_the_contact_may_be_told_once_a_day_and_nothing_about_the_family(client_for, outsider, meeting_place):
    client = client_for(outsider)
    client.post(reverse("activity_tip", args=[meeting_place.pk]), {"notify_contact": "on"})
    client.post(reverse("activity_tip", args=[meeting_place.pk]), {"notify_contact": "on"})
    assert count_of(meeting_place) == 2
    rows = list(OutboundEmail.objects.filter(kind="activity_tip_notice"))
    assert len(rows) == 1 and rows[0].recipient == NOTIFY
    message = build_message(rows[0])
    text = message.subject + message.body
    assert "Måndagsmiddag" in message.subject
    assert outsider.email not in text and outsider.first_name not in text
    assert reverse("activity_detail", args=[meeting_place.pk]) in message.body


def test_no_address_no_notice(client_for, outsider, org_church):
    activity = f.ActivityFactory(organisation=org_church)
    client = client_for(outsider)
    page = client.get(reverse("activity_tip", args=[activity.pk])).content.decode()
    assert 'name="notify_contact"' not in page
    with pytest.raises(ValidationError) as exc:
        services.activity_tip_record(activity=activity, by=outsider, notify_contact=True)
    assert "notify_contact" in exc.value.error_dict
    assert count_of(activity) == 0


def test_the_leaflet_holds_what_a_family_needs_and_a_qr_code(client_for, outsider, meeting_place):
    client = client_for(outsider)
    page = client.get(reverse("activity_leaflet", args=[meeting_place.pk]))
    body = page.content.decode()
    for text in ("Måndagsmiddag för barnfamiljer", "Måndagar 17–19", "Församlingshemmet", "Gratis",
                 "Buss 1 till Domkyrkan", "Ring 070-174 06 09", "<svg"):
        assert text in body, text
    assert "http://testserver" + reverse("activity_public", args=[meeting_place.pk]) in body
    for hidden in (HOW_TO_REFER, NOTIFY):
        assert hidden not in body
    assert count_of(meeting_place) == 0  # reading the leaflet again counts nothing


def test_no_qr_code_without_a_public_page(client_for, outsider, org_church):
    activity = f.ActivityFactory(organisation=org_church, public=False)
    body = client_for(outsider).get(reverse("activity_leaflet", args=[activity.pk])).content.decode()
    assert "<svg" not in body
    assert reverse("activity_public", args=[activity.pk]) not in body


def test_the_public_page_shows_only_what_was_published(anon_client, meeting_place, org_church):
    response = anon_client.get(reverse("activity_public", args=[meeting_place.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Måndagsmiddag för barnfamiljer" in body and "Ring 070-174 06 09" in body
    for hidden in (HOW_TO_REFER, NOTIFY, PROFESSIONALS_CONTACT):
        assert hidden not in body
    private = f.ActivityFactory(organisation=org_church, public=False)
    assert anon_client.get(reverse("activity_public", args=[private.pk])).status_code == 404
    assert anon_client.get(reverse("activity_public", args=[private.pk + 1000])).status_code == 404
    assert anon_client.get(f"/for-familjer/{2**70}/").status_code == 404


def test_the_organisation_publishes_the_family_fields(client_for, participant, org_church):
    """A member of the organisation fills in cost, how to get there and the family contact and
    makes the page public through the activity form."""
    activity = f.ActivityFactory(organisation=org_church)
    client = client_for(participant)
    response = client.post(reverse("activity_update", args=[activity.pk]), {
        "organisation": org_church.pk, "title": activity.title, "description": activity.description,
        "category": activity.category, "kommun": activity.kommun_id, "contact": "Växeln",
        "cost": "Gratis", "getting_there": "Buss 4", "family_contact": "Ring 070-174 06 09",
        "notify_email": "fel-adress", "public": "on",
    })
    assert response.status_code == 200
    assert "Skriv en giltig e-postadress." in response.content.decode()
    activity.refresh_from_db()
    assert activity.public is False and activity.cost == ""
