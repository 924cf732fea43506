import pytest

from networks.models import OrganisationMembership
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_profile_updates_name_phone_and_titles(client_for, participant, org_church):
    client = client_for(participant)
    om = OrganisationMembership.objects.get(user=participant, organisation=org_church)
    page = client.get("/profil/")
    assert page.status_code == 200
    assert "Växjö domkyrkoförsamling" in page.content.decode()
    response = client.post("/profil/", {
        "first_name": "Pia", "last_name": "Präst", "phone": "0470-123 45",
        "titles-TOTAL_FORMS": "1", "titles-INITIAL_FORMS": "1",
        "titles-0-id": str(om.pk), "titles-0-title": "Diakon",
    })
    assert response.status_code == 302
    participant.refresh_from_db()
    om.refresh_from_db()
    assert (participant.first_name, participant.phone, om.title) == ("Pia", "0470-123 45", "Diakon")


def test_empty_name_is_refused_with_a_swedish_message(client_for, participant):
    client = client_for(participant)
    response = client.post("/profil/", {
        "first_name": " ", "last_name": "Präst", "phone": "",
        "titles-TOTAL_FORMS": "0", "titles-INITIAL_FORMS": "0",
    })
    assert response.status_code == 200
    assert "Skriv ditt förnamn." in response.content.decode()
    participant.refresh_from_db()
    assert participant.first_name == "Per"


def test_cannot_change_someone_elses_title(client_for, participant, coordinator, org_kommun):
    theirs = OrganisationMembership.objects.get(user=coordinator, organisation=org_kommun)
    before = theirs.title
    client = client_for(participant)
    response = client.post("/profil/", {
        "first_name": "Per", "last_name": "Präst", "phone": "",
        "titles-TOTAL_FORMS": "1", "titles-INITIAL_FORMS": "1",
        "titles-0-id": str(theirs.pk), "titles-0-title": "Kapad",
    })
    assert response.status_code in (200, 302)  # ignored or refused, never saved
    theirs.refresh_from_db()
    assert theirs.title == before


def test_anonymous_is_sent_to_login(client):
    response = client.get("/profil/")
    assert response.status_code == 302 and "/konto/login/" in response["Location"]


def test_user_with_several_organisations_sees_each(client_for):
    user = f.UserFactory()
    for name in ("Ljungby kommun", "Ljungby församling"):
        f.OrganisationMembershipFactory(user=user, organisation=f.OrganisationFactory(name=name))
    body = client_for(user).get("/profil/").content.decode()
    assert "Ljungby kommun" in body and "Ljungby församling" in body
