"""Registerutdrag (issue 19, part 4; docs/security.md promise 23): everything the portal holds
about a child in one zip — for ALL the child's plans, every model the graph finds, never another
child's data — produced by the contact person (or an administrator on a request) after
re-authentication, audited in the transaction that made it."""

import io
import json
import zipfile

import pytest
from django.urls import reverse

from childplans.lifecycle.graph import child_data_models
from childplans.models import Child, ChildPlan, Guardian
from portal.models import AuditEvent
from tests.childplans.conftest import add_mfa, person, reauthenticate
from tests.twins import CONTACT, TEAM_MEMBER, build_twin_world, changed_counts, row_counts

pytestmark = pytest.mark.django_db

EXPORT = AuditEvent.Action.EXPORT
SAGA_PNR = "20140503-2384"
OTHER_PNRS = {"Milo": "20190301-2399", "Alva": "20170612-2385", "Ella": "20160115-2380"}


@pytest.fixture
def saga(demo_plans):
    """Saga's plan, the demo's richest, with personnummer on every child (the demo has none) so a
    leak of another child's would show."""
    Child.objects.filter(given_name="Saga").update(personnummer=SAGA_PNR)
    for name, pnr in OTHER_PNRS.items():
        Child.objects.filter(given_name=name).update(personnummer=pnr)
    return ChildPlan.objects.select_related("child", "contact_person").get(child__given_name="Saga")


def url(plan):
    return reverse("childplans:registerutdrag", kwargs={"plan_pk": plan.pk})


def produce(client, plan, user, data=None):
    client.force_login(user)
    reauthenticate(client, user)
    return client.post(url(plan), data or {"recipient": "child"})


def unzip(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    return {name: archive.read(name).decode("utf-8-sig") for name in archive.namelist()}


def test_the_zip_holds_the_document_json_csv_and_a_read_me(client, saga):
    files = unzip(produce(client, saga, saga.contact_person))
    expected = {"registerutdrag.html", "registerutdrag.json", "LASMIG.txt", "csv/atkomstlogg.csv"}
    expected |= {f"csv/{e.label.replace('.', '_').lower()}.csv" for e in child_data_models()}
    assert set(files) == expected
    html = files["registerutdrag.html"]
    assert "Registerutdrag för Saga Påhittad" in html and "@media print" in html
    # every kind of data the issue names, under its Swedish heading
    for heading in ("Vårdnadshavare", "Ändringar", "Samtycken", "Teammedlemmar", "Bedömningar", "Mål",
                    "Uppföljningar", "Kronologi", "Åtkomstlogg", "Hänvisningar"):
        assert f">{heading}<" in html or heading in html, heading
    assert "Socialtjänsten" in html  # the team's organisations
    assert "registerutdrag.json" in files["LASMIG.txt"]
    assert files["csv/atkomstlogg.csv"].splitlines()[0] == "När;Vem;Roll;Organisation;Händelse;Vad;Plan"


def test_every_model_of_the_graph_is_in_the_json_with_all_its_rows(client, saga):
    data = json.loads(unzip(produce(client, saga, saga.contact_person))["registerutdrag.json"])
    plans = list(ChildPlan.objects.filter(child=saga.child))
    for entry in child_data_models():
        assert entry.label in data["tabeller"], entry.label
        roots = [saga.child] if entry.root is Child else plans
        expected = sorted(pk for root in roots for pk in entry.rows_for(root).values_list("pk", flat=True))
        got = sorted(row[entry.model._meta.pk.name] for row in data["tabeller"][entry.label]["rader"])
        assert got == expected, entry.label
    nonempty = [label for label, table in data["tabeller"].items() if table["rader"]]
    assert len(nonempty) >= 20, nonempty
    # Swedish headings from the models' verbose names; no secret
    assert data["tabeller"]["childplans.Consent"]["rubrik"] == "Samtycken"
    assert "token_hash" not in data["tabeller"]["teammeetings.AnswerToken"]["falt"]


def test_no_other_childs_data_anywhere_in_the_zip(client, saga):
    """Saga shares her contact person, organisation and staff with Milo, Alva and Ella."""
    others = Child.objects.exclude(pk=saga.child_id)
    assert ChildPlan.objects.filter(child__in=others, contact_person=saga.contact_person).exists()
    secrets = set(OTHER_PNRS.values()) | {p.replace("-", "") for p in OTHER_PNRS.values()}
    for child in others:
        secrets |= {child.given_name, child.family_name}
    secrets |= set(Guardian.objects.filter(child__in=others).values_list("name", flat=True))
    files = unzip(produce(client, saga, saga.contact_person))
    for name, text in files.items():
        for secret in secrets:
            assert secret not in text, (name, secret)
    assert SAGA_PNR in files["registerutdrag.json"]
    data = json.loads(files["registerutdrag.json"])
    assert data["registerutdrag"]["planer"] == list(
        ChildPlan.objects.filter(child=saga.child).order_by("opened_on", "pk").values_list("pk", flat=True)
    )


def test_the_access_log_matches_the_audit_table_and_the_export_is_in_the_next(client, saga):
    contact = saga.contact_person
    expected = list(
        AuditEvent.objects.filter(plan_id=saga.pk).exclude(action=AuditEvent.Action.DENIED).values_list("pk", flat=True)
    )
    first = json.loads(unzip(produce(client, saga, contact))["registerutdrag.json"])
    assert sorted(row["id"] for row in first["atkomstlogg"]) == sorted(expected)
    export = AuditEvent.objects.filter(action=EXPORT, plan_id=saga.pk, user=contact).latest("pk")
    assert export.child_id == saga.child_id and export.detail["recipient"] == "child"
    assert export.detail["plan_ids"] == first["registerutdrag"]["planer"]
    second = json.loads(unzip(client.post(url(saga), {"recipient": "child"}))["registerutdrag.json"])
    row = next(r for r in second["atkomstlogg"] if r["id"] == export.pk)
    assert row["action"] == EXPORT and row["role"] == "kontaktperson" and row["who"] == contact.display_name


def test_the_form_is_one_read_row_and_the_export_one_export_row(client, saga):
    contact = saga.contact_person
    client.force_login(contact)
    reauthenticate(client, contact)
    since = AuditEvent.objects.latest("pk").pk
    before = row_counts()
    response = client.get(url(saga))
    assert response.status_code == 200 and "Registerutdrag" in response.content.decode()
    assert changed_counts(before, row_counts()) == {}
    assert [r.action for r in AuditEvent.objects.filter(pk__gt=since)] == [AuditEvent.Action.VIEW]
    since = AuditEvent.objects.latest("pk").pk
    guardian = Guardian.objects.filter(child=saga.child).first()
    files = unzip(client.post(url(saga), {"recipient": "guardian", "guardian": guardian.pk}))
    assert guardian.name in files["LASMIG.txt"]
    rows = list(AuditEvent.objects.filter(pk__gt=since))
    assert [(r.action, r.plan_id, r.detail["guardian_id"]) for r in rows] == [(EXPORT, saga.pk, guardian.pk)]
    assert guardian.name not in json.dumps(rows[0].detail)


@pytest.mark.parametrize("data,field", [
    ({"recipient": "guardian"}, "guardian"),
    ({"recipient": "guardian", "guardian": "99999999999999999999"}, "guardian"),
    ({"recipient": "someone"}, "recipient"),
])
def test_bad_recipient_is_a_field_error_and_no_export(client, saga, data, field):
    other_guardian = Guardian.objects.exclude(child=saga.child).first()
    if data.get("guardian") is None and data["recipient"] == "guardian" and field == "guardian" and other_guardian:
        data = {**data, "guardian": other_guardian.pk}  # another child's guardian: not a choice
    response = produce(client, saga, saga.contact_person, data)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert response.context["form"].errors[field]
    assert not AuditEvent.objects.filter(action=EXPORT).exists()


def test_re_authentication_is_required(client, saga):
    contact = saga.contact_person
    client.force_login(contact)
    for method in ("get", "post"):
        response = getattr(client, method)(url(saga), {"recipient": "child"})
        assert response.status_code == 302 and "reauthenticate" in response["Location"], method
    assert not AuditEvent.objects.filter(action=EXPORT).exists()


def test_the_access_table(client, saga):
    """Only the contact person: a team member who is not, a colleague off the team, staff, and
    the contact person and team member of a plan in another organisation get 404 on the form
    and the export, and nothing changes but one DENIED row."""
    twins = build_twin_world()
    member = saga.team.exclude(user=saga.contact_person).select_related("user").first().user
    staff = person("utdrag-staff@test.invalid", None, is_staff=True)
    colleague = person("utdrag-kollega@test.invalid", saga.owner_organisation)
    for who in (member, staff, colleague, twins[CONTACT], twins[TEAM_MEMBER]):
        client.force_login(who)
        reauthenticate(client, who)
        for method in ("get", "post"):
            before = row_counts()
            since = AuditEvent.objects.latest("pk").pk
            response = getattr(client, method)(url(saga), {"recipient": "child"})
            assert response.status_code == 404, (who.email, method)
            assert "Saga" not in response.content.decode()
            assert changed_counts(before, row_counts()) == {}
            assert [r.action for r in AuditEvent.objects.filter(pk__gt=since)] == [AuditEvent.Action.DENIED]
    # and the twin's own plan is not reachable by our contact person
    response = produce(client, twins["plan"], saga.contact_person)
    assert response.status_code == 404


def test_hidden_staff_names_in_the_access_log(client, saga, settings):
    settings.REGISTERUTDRAG_HIDE_STAFF_NAMES = True
    contact = saga.contact_person
    client.force_login(contact)
    reauthenticate(client, contact)
    client.get(reverse("childplans:plan_detail", kwargs={"plan_pk": saga.pk}))
    files = unzip(client.post(url(saga), {"recipient": "child"}))
    log = json.loads(files["registerutdrag.json"])["atkomstlogg"]
    assert log and all(contact.display_name not in row["who"] for row in log)
    assert any(row["who"].startswith("kontaktperson, ") for row in log)
    assert contact.display_name not in files["csv/atkomstlogg.csv"]


def test_protected_identity_is_nowhere_in_the_zip(client, saga):
    member = saga.team.exclude(user=saga.contact_person).select_related("user").first().user
    member.protected_identity = True
    member.save(update_fields=["protected_identity"])
    client.force_login(member)
    reauthenticate(client, member)
    assert client.get(reverse("childplans:plan_detail", kwargs={"plan_pk": saga.pk})).status_code == 200
    files = unzip(produce(client, saga, saga.contact_person))
    for name, text in files.items():
        i = text.find(member.display_name)
        assert member.display_name not in text, (name, text[max(0, i - 1500):i + 100])
        assert member.email not in text, name
    log = json.loads(files["registerutdrag.json"])["atkomstlogg"]
    assert any(row["who"] != "" and row["organisation"] and row["who"].endswith(row["organisation"]) for row in log)


# --- the administrator's route ---------------------------------------------------------------------

ADMIN_URL = "/planer/registerutdrag/"


@pytest.fixture
def administrator(db):
    return person("utdrag-admin@test.invalid", None, is_staff=True)


def test_an_administrator_produces_it_by_plan_number_and_diarienummer(client, saga, administrator):
    assert reverse("childplans:registerutdrag_admin") == ADMIN_URL
    client.force_login(administrator)
    reauthenticate(client, administrator)
    assert client.get(ADMIN_URL).status_code == 200
    files = unzip(client.post(ADMIN_URL, {"plan_number": str(saga.pk), "diarienummer": "SN 2026/123",
                                          "recipient": "guardian", "guardian_name": "Vårdnadshavaren"}))
    assert "Saga Påhittad" in files["registerutdrag.html"]
    row = AuditEvent.objects.get(action=EXPORT, user=administrator)
    assert (row.plan_id, row.child_id, row.detail["diarienummer"]) == (saga.pk, saga.child_id, "SN 2026/123")


@pytest.mark.parametrize("plan_number,diarienummer,field", [
    ("abc", "SN 1", "plan_number"),
    ("²", "SN 1", "plan_number"),
    ("9" * 20, "SN 1", "plan_number"),
    ("-1", "SN 1", "plan_number"),
    ("", "SN 1", "plan_number"),
    ("99999999", "SN 1", "plan_number"),
    (None, "", "diarienummer"),
    (None, "x" * 101, "diarienummer"),
    (None, "SN\x001", "diarienummer"),
    (None, "SN\u202e1", "diarienummer"),
    (None, "<script>alert(1)</script>", "diarienummer"),
    (None, "KS-2026.0042 BOU 2026:17/ärende", None),
])
def test_bad_input_on_the_administrators_form(client, saga, administrator, plan_number, diarienummer, field):
    client.force_login(administrator)
    reauthenticate(client, administrator)
    before = row_counts()
    response = client.post(ADMIN_URL, {"plan_number": str(saga.pk) if plan_number is None else plan_number,
                                       "diarienummer": diarienummer, "recipient": "child"})
    if field is None:  # a case number as registrators write them
        assert response.status_code == 200 and response["Content-Type"] == "application/zip"
        return
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert response.context["form"].errors[field]
    assert changed_counts(before, row_counts()) == {}
    assert not AuditEvent.objects.filter(action=EXPORT).exists()


def test_a_guardian_without_a_name_is_a_field_error(client, saga, administrator):
    client.force_login(administrator)
    reauthenticate(client, administrator)
    response = client.post(ADMIN_URL, {"plan_number": saga.pk, "diarienummer": "SN 1", "recipient": "guardian"})
    assert "Skriv namnet" in response.context["form"].errors["guardian_name"][0]


def test_the_administrators_route_is_404_for_everyone_else(client, saga):
    """Not staff: 404 on both methods, nothing changed, nothing exported — the contact person and
    a colleague of the plan's organisation included. Staff without two-step verification are
    sent to set it up first, and then to re-authenticate."""
    for who in (saga.contact_person, person("utdrag-vem@test.invalid", saga.owner_organisation)):
        client.force_login(who)
        reauthenticate(client, who)
        before = row_counts()
        since = AuditEvent.objects.latest("pk").pk
        for method in ("get", "post"):
            response = getattr(client, method)(ADMIN_URL, {"plan_number": saga.pk, "diarienummer": "SN 1",
                                                           "recipient": "child"})
            assert response.status_code == 404, (who.email, method)
            assert "Saga" not in response.content.decode()
        assert changed_counts(before, row_counts()) == {}
        assert not AuditEvent.objects.filter(pk__gt=since).exists()
    staff = person("utdrag-utan@test.invalid", None, is_staff=True, with_mfa=False)
    client.force_login(staff)
    reauthenticate(client, staff)
    response = client.post(ADMIN_URL, {"plan_number": saga.pk, "diarienummer": "SN 1", "recipient": "child"})
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    assert not AuditEvent.objects.filter(action=EXPORT).exists()
    add_mfa(staff)
    client.logout()
    client.force_login(staff)
    response = client.get(ADMIN_URL)
    assert response.status_code == 302 and "reauthenticate" in response["Location"]  # re-authentication first


# --- queries ----------------------------------------------------------------------------------------

EXTRACT_QUERY_BUDGET = 45  # one per model of the graph, the plans, the access log, its users and roles


def _queries_of_the_export(client, plan):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        unzip(client.post(url(plan), {"recipient": "child"}))
    return len(ctx.captured_queries)


def test_the_query_count_is_pinned_and_flat_as_the_access_log_grows(client, saga):
    """A performance-critical path: the extract of a child with years of history must not ask a
    query per audit row or per row of a table (docs/performance.md)."""
    contact = saga.contact_person
    client.force_login(contact)
    reauthenticate(client, contact)
    client.get(reverse("childplans:plan_list"))  # the session's first request
    first = _queries_of_the_export(client, saga)
    assert first <= EXTRACT_QUERY_BUDGET, first
    AuditEvent.objects.bulk_create(
        [AuditEvent(action=AuditEvent.Action.VIEW, plan_id=saga.pk, child_id=saga.child_id, user_id=contact.pk,
                    organisation_label="Socialtjänsten", object_type="childplans.childplan", object_id=str(saga.pk))
         for _ in range(500)]
    )
    assert _queries_of_the_export(client, saga) == first
