"""Verksamhetskatalogen: search (PostgreSQL full-text and the SQLite fallback), the pages, who
may change an activity, and bad input."""

import pytest
from django.db import connection, transaction
from django.urls import reverse

from networks.directory import search_activities
from networks.models import Activity, Organisation

from .. import factories as f

pytestmark = pytest.mark.django_db


def titles(qs):
    return [a.title for a in qs]


@pytest.fixture
def vaxjo():
    return f.kommun("Växjö")


@pytest.fixture
def ljungby():
    return f.kommun("Ljungby")


@pytest.fixture
def homework(org_church):
    """Title match for "läxhjälp"."""
    return f.ActivityFactory(
        organisation=org_church,
        title="Läxhjälp för mellanstadiet",
        description="Volontärer hjälper till med skolarbetet varje vecka.",
        category=Activity.Category.LAXHJALP,
        age_from=9,
        age_to=12,
        when="Onsdagar 15–17",
        where="Församlingshemmet",
        contact="Anna Andersson, 0470-123 45",
        how_to_refer="Ring Anna, eller låt familjen komma direkt.",
    )


@pytest.fixture
def cafe(org_kommun):
    """Description match for "läxhjälp"; alphabetically before ``homework``."""
    return f.ActivityFactory(
        organisation=org_kommun,
        title="Familjecafé",
        description="En mötesplats för familjer. Ibland erbjuder vi läxhjälp till äldre syskon.",
        category=Activity.Category.MOTESPLATS,
        age_from=0,
        age_to=6,
    )


@pytest.fixture
def parents_group(ljungby):
    org = f.OrganisationFactory(
        name="Hela Människan Ljungby", kind=Organisation.Kind.IDEELL, kommun=ljungby
    )
    return f.ActivityFactory(
        organisation=org,
        title="Föräldrastöd i grupp",
        description="Samtal för föräldrar om vardagen med tonåringar.",
        category=Activity.Category.FORALDRASTOD,
        age_from=13,
    )


# --- search_activities ----------------------------------------------------------------------


def test_search_without_words_lists_everything_by_title(homework, cafe, parents_group):
    assert titles(search_activities()) == [
        "Familjecafé",
        "Föräldrastöd i grupp",
        "Läxhjälp för mellanstadiet",
    ]


def test_search_by_words_finds_title_and_description(homework, cafe, parents_group):
    assert set(titles(search_activities(q="läxhjälp"))) == {
        "Läxhjälp för mellanstadiet",
        "Familjecafé",
    }


def test_every_word_must_match(homework, cafe, parents_group):
    assert titles(search_activities(q="läxhjälp mellanstadiet")) == ["Läxhjälp för mellanstadiet"]
    assert titles(search_activities(q="läxhjälp tonåringar")) == []


def test_search_finds_words_in_how_to_refer(homework, cafe):
    assert titles(search_activities(q="Anna")) == ["Läxhjälp för mellanstadiet"]


def test_ranking_puts_title_match_above_description_match(homework, cafe, is_postgres):
    result = titles(search_activities(q="läxhjälp"))
    if is_postgres:
        # Ranked: the title (weight A) beats the description (weight B), although
        # "Familjecafé" comes first alphabetically.
        assert result == ["Läxhjälp för mellanstadiet", "Familjecafé"]
    else:
        # The SQLite fallback does not rank; it orders by title.
        assert result == ["Familjecafé", "Läxhjälp för mellanstadiet"]


def test_swedish_stemming_on_postgres_plain_words_on_sqlite(
    homework, cafe, parents_group, is_postgres
):
    inflected = set(titles(search_activities(q="läxhjälpen")))
    families = set(titles(search_activities(q="familjerna")))
    if is_postgres:
        # The Swedish snowball stemmer: läxhjälpen -> läxhjälp, familjerna/familjer -> familj.
        assert inflected == {"Läxhjälp för mellanstadiet", "Familjecafé"}
        # "familjer" in Familjecafé's description, "familjen" in the other's how_to_refer.
        assert families == {"Familjecafé", "Läxhjälp för mellanstadiet"}
        # websearch syntax: a minus excludes a word.
        assert titles(search_activities(q="läxhjälp -syskon")) == ["Läxhjälp för mellanstadiet"]
    else:
        # The fallback matches the letters typed, nothing more.
        assert inflected == set()
        assert families == set()
        assert titles(search_activities(q="familjer")) == ["Familjecafé"]


def test_fallback_and_full_text_ignore_case_of_swedish_letters(parents_group):
    # "Föräldrastöd" starts with a capital Ö; SQLite's LIKE folds only ASCII letters.
    assert titles(search_activities(q="föräldrastöd")) == ["Föräldrastöd i grupp"]
    assert titles(search_activities(q="FÖRÄLDRASTÖD")) == ["Föräldrastöd i grupp"]


def test_search_by_kommun(homework, cafe, parents_group, ljungby, vaxjo):
    assert titles(search_activities(kommun=ljungby)) == ["Föräldrastöd i grupp"]
    assert titles(search_activities(kommun=vaxjo.pk)) == [
        "Familjecafé",
        "Läxhjälp för mellanstadiet",
    ]


def test_search_by_category(homework, cafe, parents_group):
    assert titles(search_activities(category=Activity.Category.LAXHJALP)) == [
        "Läxhjälp för mellanstadiet"
    ]


def test_search_by_organisation_kind(homework, cafe, parents_group):
    assert titles(search_activities(organisation_kind=Organisation.Kind.KYRKA)) == [
        "Läxhjälp för mellanstadiet"
    ]
    assert titles(search_activities(organisation_kind=Organisation.Kind.IDEELL)) == [
        "Föräldrastöd i grupp"
    ]


def test_search_by_age_treats_open_ends_as_open(homework, cafe, parents_group):
    assert titles(search_activities(age=4)) == ["Familjecafé"]
    assert titles(search_activities(age=10)) == ["Läxhjälp för mellanstadiet"]
    assert titles(search_activities(age=17)) == ["Föräldrastöd i grupp"]
    assert titles(search_activities(age=0)) == ["Familjecafé"]


def test_filters_combine_with_words(homework, cafe, parents_group, vaxjo):
    assert titles(search_activities(q="läxhjälp", category=Activity.Category.MOTESPLATS)) == [
        "Familjecafé"
    ]
    assert titles(search_activities(q="föräldrar", kommun=vaxjo)) == []


def test_full_text_index_is_usable(org_church, is_postgres):
    """The stored search vector (migration 0005) is indexed, and the GIN index serves searches."""
    kommun = org_church.kommun
    Activity.objects.bulk_create(
        Activity(
            organisation=org_church,
            kommun=kommun,
            title=f"Aktivitet {i}" + (" med läxhjälp" if i % 100 == 0 else ""),
            description=f"Beskrivning nummer {i} av en mötesplats för familjer.",
            category=Activity.Category.ANNAT,
            contact="Växeln",
        )
        for i in range(3000)
    )
    qs = search_activities(q="läxhjälpen")
    assert qs.count() == (30 if is_postgres else 0)
    assert search_activities(q="läxhjälp").count() == 30
    if is_postgres:
        # With the vector stored, a sequential scan of a few thousand rows is cheap and the
        # planner may prefer it; what matters is that the index serves the query at all.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("ANALYZE networks_activity")
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")  # GIN serves bitmap scans
            plan = qs.explain()
        assert "activity_search_sv" in plan, plan


# --- Search page ------------------------------------------------------------------------------


def test_search_page_needs_login(client):
    response = client.get(reverse("directory_search"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_search_page_shows_form_and_results(client_for, outsider, homework, cafe, parents_group):
    response = client_for(outsider).get(reverse("directory_search"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'method="get"' in html
    for name, label in [
        ("q", "Sökord"),
        ("kommun", "Kommun"),
        ("category", "Kategori"),
        ("organisation_kind", "Sorts organisation"),
        ("age", "Barnets ålder"),
    ]:
        assert f'for="id_{name}"' in html
        assert label in html
    assert "<optgroup" in html and "Kronobergs län" in html
    assert "3 verksamheter" in html
    assert "Läxhjälp för mellanstadiet" in html
    assert "Kyrka/församling" in html
    assert "9–12 år" in html
    assert "Onsdagar 15–17" in html
    # An outsider belongs to no organisation: no publish button.
    assert reverse("activity_create") not in html


def test_search_page_filters(client_for, outsider, homework, cafe, parents_group, ljungby):
    client = client_for(outsider)
    response = client.get(reverse("directory_search"), {"q": "läxhjälp", "category": "laxhjalp"})
    assert list(response.context["activities"]) == [homework]
    assert "1 verksamhet" in response.content.decode()
    response = client.get(
        reverse("directory_search"), {"kommun": ljungby.pk, "organisation_kind": "ideell"}
    )
    assert list(response.context["activities"]) == [parents_group]
    response = client.get(reverse("directory_search"), {"age": "5"})
    assert list(response.context["activities"]) == [cafe]


def test_search_page_organisation_filter(client_for, outsider, homework, cafe, org_church):
    response = client_for(outsider).get(
        reverse("directory_search"), {"organisation": org_church.pk}
    )
    assert list(response.context["activities"]) == [homework]
    assert "Visar verksamheter från Växjö domkyrkoförsamling" in response.content.decode()


def test_search_page_bad_filter_shows_message_and_keeps_the_others(
    client_for, outsider, homework, cafe
):
    response = client_for(outsider).get(
        reverse("directory_search"), {"age": "-3", "kommun": "nej", "category": "laxhjalp"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["age"] == ["Kontrollera att detta värde är större än eller lika med 0."]
    assert "kommun" in form.errors
    assert "Kontrollera att detta värde är större än eller lika med 0." in response.content.decode()
    assert list(response.context["activities"]) == [homework]


def test_search_for_punctuation_only_lists_everything(homework, cafe):
    assert titles(search_activities(q=" !? ")) == ["Familjecafé", "Läxhjälp för mellanstadiet"]


def test_search_page_paginates_50(client_for, outsider, org_church):
    f.ActivityFactory.create_batch(51, organisation=org_church)
    client = client_for(outsider)
    response = client.get(reverse("directory_search"))
    assert len(response.context["activities"]) == 50
    html = response.content.decode()
    assert "51 verksamheter" in html
    assert "?page=2" in html
    response = client.get(reverse("directory_search"), {"page": 2})
    assert len(response.context["activities"]) == 1


def test_search_page_shows_publish_button_to_organisation_member(client_for, participant):
    html = client_for(participant).get(reverse("directory_search")).content.decode()
    assert reverse("activity_create") in html


# --- Detail -----------------------------------------------------------------------------------


def test_detail_shows_everything(client_for, outsider, homework):
    response = client_for(outsider).get(reverse("activity_detail", args=[homework.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in [
        "Läxhjälp för mellanstadiet",
        "Volontärer hjälper till",
        "Så hänvisar du en familj",
        "Ring Anna",
        "Anna Andersson, 0470-123 45",
        "Församlingshemmet",
        "Onsdagar 15–17",
        "Växjö domkyrkoförsamling",
        "Kronobergs län",
        "9–12 år",
        "Läxhjälp",
    ]:
        assert text in html, text
    # Not a member of the organisation: no edit buttons.
    assert reverse("activity_update", args=[homework.pk]) not in html
    assert reverse("activity_delete", args=[homework.pk]) not in html


def test_detail_shows_edit_buttons_to_organisation_member_and_staff(
    client_for, participant, administrator, homework
):
    for user in (participant, administrator):  # participant belongs to org_church
        html = client_for(user).get(reverse("activity_detail", args=[homework.pk])).content.decode()
        assert reverse("activity_update", args=[homework.pk]) in html
        assert reverse("activity_delete", args=[homework.pk]) in html


def test_detail_of_missing_activity_is_404(client_for, outsider):
    assert client_for(outsider).get(reverse("activity_detail", args=[999999])).status_code == 404


# --- Access to changes --------------------------------------------------------------------------


def _valid_data(organisation, **overrides):
    data = {
        "organisation": organisation.pk,
        "title": "Samtalsgrupp för barn",
        "description": "För barn som har en förälder som är allvarligt sjuk.",
        "category": Activity.Category.SAMTALSSTOD,
        "age_from": "7",
        "age_to": "12",
        "kommun": "",
        "when": "Torsdagar",
        "where": "Kyrkan",
        "contact": "Diakonen, 0470-111 11",
        "how_to_refer": "Ring diakonen.",
    }
    data.update(overrides)
    return data


def _snapshot(activity):
    return Activity.objects.filter(pk=activity.pk).values().get()


@pytest.mark.parametrize(
    "name, method",
    [
        ("directory_search", "get"),
        ("activity_create", "get"),
        ("activity_create", "post"),
        ("activity_detail", "get"),
        ("activity_update", "get"),
        ("activity_update", "post"),
        ("activity_delete", "get"),
        ("activity_delete", "post"),
    ],
)
def test_anonymous_is_sent_to_login(client, homework, org_church, name, method):
    before = _snapshot(homework)
    args = [] if name in ("directory_search", "activity_create") else [homework.pk]
    data = _valid_data(org_church, title="Ändrad") if method == "post" else None
    response = getattr(client, method)(reverse(name, args=args), data)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert _snapshot(homework) == before
    assert Activity.objects.count() == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_update_by_non_member_of_organisation_is_404(
    client_for, coordinator, homework, org_church, method
):
    """The coordinator of the network belongs to the kommun, not to the church."""
    before = _snapshot(homework)
    data = _valid_data(org_church, title="Kapad") if method == "post" else None
    response = getattr(client_for(coordinator), method)(
        reverse("activity_update", args=[homework.pk]), data
    )
    assert response.status_code == 404
    assert _snapshot(homework) == before


@pytest.mark.parametrize("method", ["get", "post"])
def test_delete_by_non_member_of_organisation_is_404(client_for, coordinator, homework, method):
    response = getattr(client_for(coordinator), method)(
        reverse("activity_delete", args=[homework.pk])
    )
    assert response.status_code == 404
    assert Activity.objects.filter(pk=homework.pk).exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_create_by_person_without_organisation_is_404(client_for, outsider, org_church, method):
    data = _valid_data(org_church) if method == "post" else None
    response = getattr(client_for(outsider), method)(reverse("activity_create"), data)
    assert response.status_code == 404
    assert not Activity.objects.exists()


def test_create_for_someone_elses_organisation_is_refused(client_for, participant, org_kommun):
    response = client_for(participant).post(reverse("activity_create"), _valid_data(org_kommun))
    assert response.status_code == 200
    assert "Välj en av dina organisationer." in response.context["form"].errors["organisation"]
    assert not Activity.objects.exists()


def test_create_offers_only_my_organisations(client_for, participant, org_church, org_kommun):
    response = client_for(participant).get(reverse("activity_create"))
    choices = list(response.context["form"].fields["organisation"].queryset)
    assert choices == [org_church]
    # My only organisation is chosen, and its kommun is the default.
    assert response.context["form"].initial == {
        "organisation": org_church.pk,
        "kommun": org_church.kommun_id,
    }


def test_create_preselects_organisation_from_query(client_for, org_church, org_kommun):
    user = f.UserFactory()
    f.OrganisationMembershipFactory(user=user, organisation=org_church)
    f.OrganisationMembershipFactory(user=user, organisation=org_kommun)
    client = client_for(user)
    assert client.get(reverse("activity_create")).context["form"].initial == {}
    response = client.get(reverse("activity_create"), {"organisation": org_kommun.pk})
    assert response.context["form"].initial["organisation"] == org_kommun.pk
    other = f.OrganisationFactory()
    response = client.get(reverse("activity_create"), {"organisation": other.pk})
    assert "organisation" not in response.context["form"].initial


def test_member_creates_activity_with_default_kommun(client_for, participant, org_church):
    response = client_for(participant).post(reverse("activity_create"), _valid_data(org_church))
    activity = Activity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("activity_detail", args=[activity.pk])
    assert activity.organisation == org_church
    assert activity.kommun == org_church.kommun
    assert activity.created_by == participant
    assert (activity.age_from, activity.age_to) == (7, 12)


def test_member_creates_activity_in_another_kommun(client_for, participant, org_church, ljungby):
    client_for(participant).post(
        reverse("activity_create"), _valid_data(org_church, kommun=ljungby.pk)
    )
    assert Activity.objects.get().kommun == ljungby


def test_kommun_required_when_organisation_has_none(client_for):
    user = f.UserFactory()
    lan = f.kommun("Växjö").lan
    regional_org = Organisation.objects.create(
        name="Region Kronoberg", kind=Organisation.Kind.REGION, lan=lan
    )
    f.OrganisationMembershipFactory(user=user, organisation=regional_org)
    response = client_for(user).post(reverse("activity_create"), _valid_data(regional_org))
    assert response.status_code == 200
    assert response.context["form"].errors["kommun"] == [
        "Organisationen hör inte till en kommun. Välj var verksamheten finns."
    ]
    assert not Activity.objects.exists()


def test_member_updates_activity(client_for, participant, homework, org_church):
    response = client_for(participant).post(
        reverse("activity_update", args=[homework.pk]),
        _valid_data(org_church, title="Läxhjälp för alla", kommun=homework.kommun_id),
    )
    assert response.status_code == 302
    homework.refresh_from_db()
    assert homework.title == "Läxhjälp för alla"


def test_member_cannot_move_activity_to_someone_elses_organisation(
    client_for, participant, homework, org_kommun
):
    before = _snapshot(homework)
    response = client_for(participant).post(
        reverse("activity_update", args=[homework.pk]), _valid_data(org_kommun, title="Flyttad")
    )
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert _snapshot(homework) == before


def test_staff_updates_any_activity(client_for, administrator, homework, org_kommun):
    response = client_for(administrator).post(
        reverse("activity_update", args=[homework.pk]),
        _valid_data(org_kommun, title="Flyttad av admin"),
    )
    assert response.status_code == 302
    homework.refresh_from_db()
    assert (homework.title, homework.organisation) == ("Flyttad av admin", org_kommun)


def test_delete_asks_first_then_deletes(client_for, participant, homework):
    client = client_for(participant)
    response = client.get(reverse("activity_delete", args=[homework.pk]))
    assert response.status_code == 200
    assert "Vill du ta bort ”Läxhjälp för mellanstadiet”" in response.content.decode()
    assert Activity.objects.filter(pk=homework.pk).exists()
    response = client.post(reverse("activity_delete", args=[homework.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("directory_search")
    assert not Activity.objects.filter(pk=homework.pk).exists()


def test_removed_from_organisation_loses_access_at_once(
    client_for, participant, homework, org_church
):
    client = client_for(participant)
    assert client.get(reverse("activity_update", args=[homework.pk])).status_code == 200
    participant.organisationmembership_set.filter(organisation=org_church).delete()
    assert client.get(reverse("activity_update", args=[homework.pk])).status_code == 404


# --- Bad input ---------------------------------------------------------------------------------


def test_age_range_backwards_gives_swedish_message_and_changes_nothing(
    client_for, participant, homework, org_church
):
    before = _snapshot(homework)
    client = client_for(participant)
    response = client.post(
        reverse("activity_update", args=[homework.pk]),
        _valid_data(org_church, age_from="12", age_to="7"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["age_to"] == [
        "”Ålder till” kan inte vara lägre än ”ålder från”."
    ]
    assert "”Ålder till” kan inte vara lägre än ”ålder från”." in response.content.decode()
    assert _snapshot(homework) == before
    response = client.post(
        reverse("activity_create"), _valid_data(org_church, age_from="12", age_to="7")
    )
    assert "age_to" in response.context["form"].errors
    assert Activity.objects.count() == 1


@pytest.mark.parametrize(
    "field, message",
    [
        ("title", "Skriv en rubrik."),
        ("description", "Beskriv verksamheten."),
        ("category", "Välj en kategori."),
        ("contact", "Ange hur man kommer i kontakt med verksamheten."),
    ],
)
def test_required_fields_give_swedish_message_and_change_nothing(
    client_for, participant, homework, org_church, field, message
):
    before = _snapshot(homework)
    client = client_for(participant)
    response = client.post(
        reverse("activity_update", args=[homework.pk]), _valid_data(org_church, **{field: ""})
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()
    assert _snapshot(homework) == before
    response = client.post(reverse("activity_create"), _valid_data(org_church, **{field: ""}))
    assert response.context["form"].errors[field] == [message]
    assert Activity.objects.count() == 1


def test_form_fields_are_labelled(client_for, participant):
    html = client_for(participant).get(reverse("activity_create")).content.decode()
    for name in [
        "organisation",
        "title",
        "description",
        "category",
        "age_from",
        "age_to",
        "kommun",
        "when",
        "where",
        "contact",
        "how_to_refer",
    ]:
        assert f'for="id_{name}"' in html, name
    assert "Så hänvisar du en familj" in html


def test_detail_links_only_to_web_addresses(client_for, outsider, org_church, homework):
    Organisation.objects.filter(pk=org_church.pk).update(website="https://kyrkan.example/barn")
    html = client_for(outsider).get(reverse("activity_detail", args=[homework.pk])).content.decode()
    assert 'href="https://kyrkan.example/barn"' in html
    Organisation.objects.filter(pk=org_church.pk).update(website="javascript:alert(1)")
    html = client_for(outsider).get(reverse("activity_detail", args=[homework.pk])).content.decode()
    assert "javascript:" not in html

