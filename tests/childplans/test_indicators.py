"""Indicators for coordinators and administrators: counts only, no child data, groups under 5
suppressed."""

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from childplans import services, tasks
from childplans.indicators import SUPPRESS_BELOW
from childplans.models import ChildPlan, IndicatorFigures, Review

from .conftest import SECRETS

pytestmark = pytest.mark.django_db


def counted(plan, contact):
    """A guardian's consent that covers counted statistics (issue 19: only such plans count)."""
    guardian = services.guardian_add(plan=plan, by=contact, name="Vh", relation="mamma", has_custody=True)
    services.consent_record(plan=plan, by=contact, guardian=guardian, given_on=timezone.localdate(),
                            method="written", purposes=["statistics"], organisations=[plan.owner_organisation])
    return plan


def open_plans(contact, organisation, n):
    plans = []
    for i in range(n):
        plans.append(counted(services.plan_open(by=contact, organisation=organisation, given_name=f"Barn{i}",
                                                family_name="Indikatorsson", birth_date=date(2014, 1, 1 + i),
                                                reason="x"), contact))
    return plans


def held(plan, child, guardians):
    Review.objects.create(plan=plan, date=timezone.localdate() - timedelta(days=1), status="held",
                          participants="x", decisions="y", child_took_part=child, guardians_know_plan=guardians)


def test_small_groups_are_suppressed(client, plan, contact, administrator):
    counted(plan, contact)
    client.force_login(administrator)
    response = client.get(reverse("childplans:indicators"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "&lt; 5" in body
    for secret in SECRETS:
        assert secret not in body


def test_figures_per_kommun_and_lan(client, contact, org_social, coordinator_with_mfa):
    plans = open_plans(contact, org_social, 6)
    for i, p in enumerate(plans):
        held(p, "ja" if i < 3 else "nej", i < 5)
    client.force_login(coordinator_with_mfa)
    response = client.get(reverse("childplans:indicators"))
    groups = response.context["groups"]
    assert len(groups) == 1
    lan = groups[0]
    assert lan.total.name == "Kronobergs län"
    assert (lan.total.plans, lan.total.reviews, lan.total.child_share, lan.total.guardians_share) == (6, 6, 50, 83)
    [vaxjo] = lan.kommuner
    assert vaxjo.name == "Växjö" and vaxjo.plans == 6
    assert "Indikatorsson" not in response.content.decode()


def test_not_for_ordinary_members(client, full_plan, contact):
    client.force_login(contact)
    assert client.get(reverse("childplans:indicators")).status_code == 404


def held_through_the_service(plan, contact, child, guardians):
    review = services.review_plan(plan=plan, by=contact, date=timezone.localdate())
    services.review_record(plan=plan, review=review, by=contact, participants="x", decisions="y",
                           child_took_part=child, guardians_know_plan=guardians)


def test_figures_are_kept_and_change_at_once(client, contact, org_social, coordinator_with_mfa,
                                              django_assert_max_num_queries):
    """With no figures from the beat (a new installation, a stopped beat) the page counts for
    itself. That table is kept HTML (portal/kept.py): a second request does not count again, and
    a review recorded, a plan opened or closed through the services shows on the next request."""
    plans = open_plans(contact, org_social, 6)
    for p in plans[:5]:
        held(p, "ja", True)  # written straight to the table: only the first request counts it
    client.force_login(coordinator_with_mfa)
    url = reverse("childplans:indicators")

    def figures():
        body = client.get(url).content.decode()
        return [cell.split("<")[0] for cell in body.split('<td class="text-end">')[1:5]]

    assert figures() == ["6", "5", "100 %", "100 %"]
    with django_assert_max_num_queries(4):  # session, user, the coordinator check, no figures
        client.get(url)
    held_through_the_service(plans[5], contact, "nej", False)
    assert figures() == ["6", "6", "83 %", "83 %"]
    new = services.plan_open(by=contact, organisation=org_social, given_name="Ny", family_name="Indikatorsson",
                             birth_date=date(2015, 2, 2), reason="x")
    assert figures()[0] == "6"  # no consent covers statistics: left out
    counted(new, contact)
    assert figures()[0] == "7"
    services.plan_close(plan=plans[0], by=contact, reason="Målen är nådda.")
    assert figures()[0] == "6"


def test_seeded_plans_show_on_the_next_request(client, contact, org_social, coordinator_with_mfa):
    """The bulk write path (childplans/seed.py) forgets the kept table too."""
    from childplans.seed import seed_plans

    client.force_login(coordinator_with_mfa)
    url = reverse("childplans:indicators")
    before = client.get(url).context["groups"]
    assert not before or before[0].total.plans is None  # under five: suppressed
    seed_plans(plans=7, actions=7, reviews=7)
    response = client.get(url)
    # Seeded plans have a consent in force; most cover statistics (issue 19): those are counted
    # at once, the rest the page says it left out.
    counted = ChildPlan.objects.filter(consents__for_statistics=True).count()
    assert counted >= SUPPRESS_BELOW
    assert response.context["groups"][0].total.plans == counted
    assert response.context["left_out"] == 7 - counted


# The beat's figures (childplans.indicators.count_figures; docs/performance.md): counting reads
# every plan and review of the country, so the beat counts every INDICATORS_REFRESH_SECONDS and
# the page reads the newest figures.


def table_figures(body):
    return [cell.split("<")[0] for cell in body.split('<td class="text-end">')[1:5]]


def test_the_page_shows_the_beats_figures_until_the_next_count(
    client, contact, org_social, coordinator_with_mfa, django_assert_num_queries
):
    plans = open_plans(contact, org_social, 6)
    for p in plans[:5]:
        held(p, "ja", True)
    figures = tasks.indicators_refresh()
    assert IndicatorFigures.objects.filter(pk=figures).exists()
    client.force_login(coordinator_with_mfa)
    url = reverse("childplans:indicators")
    body = client.get(url).content.decode()
    assert table_figures(body) == ["6", "5", "100 %", "100 %"]
    assert "Siffrorna räknades" in body and "var 5:e minut" in body
    counted(services.plan_open(by=contact, organisation=org_social, given_name="Ny", family_name="Indikatorsson",
                               birth_date=date(2015, 2, 2), reason="x"), contact)
    # Until the beat counts again, the page shows what it counted, and reads one row for it:
    # session, user, the coordinator check, the newest figures — whatever the number of plans.
    with django_assert_num_queries(4):
        assert table_figures(client.get(url).content.decode())[0] == "6"
    tasks.indicators_refresh()
    assert table_figures(client.get(url).content.decode())[0] == "7"
    assert IndicatorFigures.objects.count() == 1  # counting again removes the older figures


def test_figures_older_than_the_max_age_are_not_shown(client, contact, org_social, coordinator_with_mfa, settings):
    """A stopped beat: once the newest figures are older than INDICATORS_MAX_AGE_SECONDS, the page
    counts for itself (and says so), so it never shows old figures for long."""
    settings.INDICATORS_MAX_AGE_SECONDS = 1800
    open_plans(contact, org_social, 5)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        tasks.indicators_refresh()
        open_plans(contact, org_social, 1)
        client.force_login(coordinator_with_mfa)
        url = reverse("childplans:indicators")
        assert table_figures(client.get(url).content.decode())[0] == "5"
        clock.shift(timedelta(seconds=1799))
        assert table_figures(client.get(url).content.decode())[0] == "5"
        clock.shift(timedelta(seconds=2))
        body = client.get(url).content.decode()
        assert table_figures(body)[0] == "6"
        assert "räknade just nu" in body


def test_the_figures_hold_no_child_data(contact, org_social):
    """What IndicatorFigures keeps: counts per län and kommun, nothing that names a plan or a
    child (and no key to one: the gallring graph, derived from the models, does not reach it)."""
    from childplans.lifecycle.graph import child_data_models

    plans = open_plans(contact, org_social, 5)
    for p in plans:
        held(p, "nej", True)
    figures = IndicatorFigures.objects.get(pk=tasks.indicators_refresh())
    assert figures.groups == [{"lan_code": "07", "lan": "Kronobergs län", "kommun": "Växjö", "plans": 5, "reviews": 5,
                               "child": 0, "guardians": 5}]
    assert figures.left_out == 0
    text = repr(figures.groups)
    for secret in [*SECRETS, "Indikatorsson", "Barn0"]:
        assert secret not in text
    assert IndicatorFigures not in {m.model for m in child_data_models()}


def test_the_beat_counts_as_often_as_configured():
    from django.conf import settings as django_settings

    entry = django_settings.CELERY_BEAT_SCHEDULE["indicators-refresh"]
    assert entry["task"] == "childplans.tasks.indicators_refresh"
    assert entry["schedule"] == float(django_settings.INDICATORS_REFRESH_SECONDS)
    assert django_settings.INDICATORS_MAX_AGE_SECONDS > django_settings.INDICATORS_REFRESH_SECONDS


# One län is shown whole; with several, every län's totals, and one län's kommuner when it is
# chosen (?lan=, its code): the country's 290 kommuner are never one page (docs/performance.md).


@pytest.fixture
def org_solna(contact):
    from networks.models import Organisation
    from tests import factories as f

    organisation = f.OrganisationFactory(name="Solna stad", unit="Socialtjänsten", kind=Organisation.Kind.KOMMUN,
                                         kommun=f.kommun("Solna"))
    f.OrganisationMembershipFactory(user=contact, organisation=organisation)
    return organisation


def two_lan(contact, org_social, org_solna):
    for p in open_plans(contact, org_social, 6):
        held(p, "ja", True)
    open_plans(contact, org_solna, 5)


def rows(body):
    """The table's row headings and first figure, in order."""
    result = []
    for row in body.split("<tr")[2:]:
        heading = row.split("<th scope=\"row\">")[1].split("</th>")[0]
        heading = heading.split(">")[1].split("<")[0] if heading.startswith("<a") else heading
        result.append((heading, row.split('<td class="text-end">')[1].split("<")[0]))
    return result


@pytest.mark.parametrize("beat", [True, False], ids=["the beat's figures", "counted now"])
def test_with_several_lan_the_page_shows_their_totals_and_one_lan_when_chosen(
    beat, client, contact, org_social, org_solna, coordinator_with_mfa, django_assert_num_queries
):
    two_lan(contact, org_social, org_solna)
    if beat:
        tasks.indicators_refresh()
    client.force_login(coordinator_with_mfa)
    url = reverse("childplans:indicators")
    client.get(url)  # the live count is kept: the same queries below on both paths
    with django_assert_num_queries(4):
        body = client.get(url).content.decode()
    table = body.split("<table")[1]
    assert rows(table) == [("Kronobergs län", "6"), ("Stockholms län", "5"), ("Hela landet", "11")]
    assert 'href="?lan=01"' in table and 'href="?lan=07"' in table
    assert "Växjö" not in table and "Solna" not in table  # no kommun until a län is chosen
    assert '<select name="lan"' in body

    with django_assert_num_queries(4):
        response = client.get(url, {"lan": "01"})
    body = response.content.decode()
    assert [lan.total.name for lan in response.context["groups"]] == ["Stockholms län"]
    assert rows(body.split("<table")[1]) == [("Solna", "5"), ("Hela länet", "5")]
    assert "Växjö" not in body.split("<table")[1]
    assert '<option value="01" selected>' in body
    assert f'href="{url}"' in body  # the way back to every län


@pytest.mark.parametrize("value", ["99", "1", "Stockholms län", "<script>", "01\x00", "0" * 5000, "okant"])
def test_a_lan_not_counted_gets_a_message_by_the_field_and_every_lans_totals(
    value, client, contact, org_social, org_solna, coordinator_with_mfa
):
    from portal.models import AuditEvent

    two_lan(contact, org_social, org_solna)
    tasks.indicators_refresh()
    client.force_login(coordinator_with_mfa)
    events = AuditEvent.objects.count()
    response = client.get(reverse("childplans:indicators"), {"lan": value})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Länet finns inte bland de räknade. Sidan visar alla län." in body
    select = body.split('<select name="lan"')[1].split(">")[0]
    assert "is-invalid" in select and 'aria-describedby="id_lan_error"' in select  # the message by the field
    assert rows(body.split("<table")[1])[-1] == ("Hela landet", "11")
    assert "<script>" not in body.split("</form>")[0].split("<form")[-1]
    assert AuditEvent.objects.count() == events and IndicatorFigures.objects.count() == 1


def test_one_lan_is_shown_whole_without_a_choice(client, contact, org_social, coordinator_with_mfa):
    open_plans(contact, org_social, 5)
    tasks.indicators_refresh()
    client.force_login(coordinator_with_mfa)
    body = client.get(reverse("childplans:indicators"), {"lan": "01"}).content.decode()
    assert '<select name="lan"' not in body and "Länet finns inte" not in body
    assert rows(body.split("<table")[1]) == [("Växjö", "5"), ("Hela länet", "5")]


def test_figures_counted_before_the_lan_codes_name_each_lan_by_its_name(client, coordinator_with_mfa):
    """Figures the beat kept before it kept the län codes (until it counts again)."""
    old = [{"lan": "Kronobergs län", "kommun": "Växjö", "plans": 6, "reviews": 0, "child": 0, "guardians": 0},
           {"lan": "Stockholms län", "kommun": "Solna", "plans": 5, "reviews": 0, "child": 0, "guardians": 0}]
    IndicatorFigures.objects.create(counted_at=timezone.now(), groups=old, left_out=0)
    client.force_login(coordinator_with_mfa)
    body = client.get(reverse("childplans:indicators"), {"lan": "stockholms-lan"}).content.decode()
    assert rows(body.split("<table")[1]) == [("Solna", "5"), ("Hela länet", "5")]
