"""Every admin changelist answers 200 however it is searched and filtered (docs/security.md,
promise 16). The list of admins is derived from the admin site, not written here: a newly
registered model is walked the day it is registered. Run on SQLite and on PostgreSQL in CI.

allauth's admin of user sessions searched ``user__username``, a field the portal's user does not
have: ``/admin/usersessions/usersession/?q=x`` answered 500 every time."""

import urllib.parse
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from allauth.usersessions.models import UserSession
from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from childplans.models import ReasonCategory
from meetings import services as meeting_services
from meetings.models import Topic
from networks.federation.models import FederatedIdentifier, IdentityProvider
from networks.models import NetworkMembership
from portal.audit import audit_record
from portal.models import AuditEvent
from tests import factories as f
from tests.hostile import INVALID_CHOICE, LONG, NUL, RTL, SCRIPT, TWENTY_DIGITS, database_state

pytestmark = pytest.mark.both_databases  # .ci/run runs these on SQLite too

ADMINS = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
SEARCHES = ["x", TWENTY_DIGITS, "-1", NUL, LONG, SCRIPT, RTL, "²", "%", "_", "'", "\\"]


def changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.fixture
def rows(db, administrator, network, coordinator, participant):
    """At least one row of most registered models, so the filters have choices to offer."""
    ReasonCategory.objects.get_or_create(name="Skolfrånvaro")
    Topic.objects.get_or_create(name="ANDTS")
    starts = timezone.now() + timedelta(days=10)
    meeting = meeting_services.meeting_schedule(
        network=network, by=coordinator, title="Nätverksträff", starts_at=starts, ends_at=starts + timedelta(hours=2),
        place="Stadshuset",
    )
    meeting_services.meeting_invite(meeting=meeting, by=coordinator)
    f.ActivityFactory(organisation=NetworkMembership.objects.filter(user=participant).first().organisation)
    Authenticator.objects.create(user=administrator, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "x"})
    UserSession.objects.create(user=administrator, ip="127.0.0.1", session_key="k" * 32, user_agent="test")
    audit_record(action=AuditEvent.Action.LOGIN, user=administrator)
    provider = IdentityProvider.objects.create(
        name="Region Kronoberg", slug="kronoberg", issuer="https://idp.example.se", client_id="portal",
    )
    provider.organisations.add(NetworkMembership.objects.filter(user=participant).first().organisation)
    FederatedIdentifier.objects.create(provider=provider, user=participant, value="SE2321000065-1")
    SocialAccount.objects.create(user=participant, provider="kronoberg", uid="SE2321000065-1")
    other = IdentityProvider.objects.create(name="Polisen", slug="polisen", issuer="https://idp.polisen.example", client_id="p")
    FederatedIdentifier.objects.create(provider=other, user=administrator, value="polis-1")


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


def test_the_walk_covers_the_libraries_admins_too():
    labels = {model._meta.label for model, _admin in ADMINS}
    assert {"usersessions.UserSession", "mfa.Authenticator", "account.EmailAddress", "auth.Group",
            "networks.Network", "meetings.Meeting"} <= labels


@pytest.mark.parametrize(("model", "model_admin"), ADMINS, ids=[m._meta.label for m, _a in ADMINS])
def test_every_changelist_answers_every_search(admin_client, rows, model, model_admin):
    url = changelist(model)
    assert admin_client.get(url).status_code == 200
    for q in SEARCHES:
        response = admin_client.get(url, {"q": q})
        assert response.status_code == 200, (model._meta.label, q[:20])


@pytest.mark.parametrize(("model", "model_admin"), ADMINS, ids=[m._meta.label for m, _a in ADMINS])
def test_every_changelist_answers_each_of_its_filters(admin_client, rows, model, model_admin):
    """Each choice every filter offers answers 200; a filter's parameter set to a hostile value
    answers 200 or sends back to the list with Django's "?e=1" (never a 5xx)."""
    url = changelist(model)
    response = admin_client.get(url)
    cl = response.context["cl"]
    asked = 0
    for spec in cl.filter_specs:
        for choice in spec.choices(cl):
            query = choice["query_string"]
            answer = admin_client.get(url + query)
            assert answer.status_code == 200, (model._meta.label, query)
            asked += 1
        for parameter in spec.expected_parameters():
            for value in (TWENTY_DIGITS, "abc", NUL, "-1", "0001-01-01", "9999-12-31 23:59:59", LONG[:2000]):
                answer = admin_client.get(url + "?" + urllib.parse.urlencode({parameter: value}))
                assert answer.status_code in (200, 302), (model._meta.label, parameter, value[:20])
                if answer.status_code == 302:
                    assert answer["Location"].endswith("?e=1")
    assert asked >= len(model_admin.list_filter)
    if model_admin.date_hierarchy:
        # Django's date hierarchy: the year 1 overflowed the time-zone arithmetic, 9999 had no
        # next year (both a 500).
        for year in ("1", "9999", "0", TWENTY_DIGITS, "abc", NUL):
            answer = admin_client.get(url, {f"{model_admin.date_hierarchy}__year": year})
            assert answer.status_code in (200, 302), (model._meta.label, year)
        assert admin_client.get(url, {f"{model_admin.date_hierarchy}__year": "2025", f"{model_admin.date_hierarchy}__month": "13"}).status_code in (200, 302)


@pytest.mark.parametrize(("model", "model_admin"), ADMINS, ids=[m._meta.label for m, _a in ADMINS])
def test_every_add_form_refuses_hostile_ids_next_to_the_field(admin_client, rows, model, model_admin):
    """The admin's own forms: every foreign key and many-to-many field of every add form,
    posted an id beyond 64 bits, answers 200 with Django's "Välj ett giltigt alternativ" (or,
    for a raw id field, its own message) next to that field, and adds nothing."""
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    response = admin_client.get(url)
    if response.status_code == 403:  # the audit log and the outbox cannot be added to
        return
    assert response.status_code == 200
    form = response.context["adminform"].form
    relations = [name for name, field in form.fields.items() if hasattr(field, "queryset")]
    before = model.objects.count()
    for name in relations:
        many = isinstance(form.fields[name], forms.ModelMultipleChoiceField)
        answer = admin_client.post(url, {name: [TWENTY_DIGITS, "abc"] if many else TWENTY_DIGITS})
        assert answer.status_code == 200, (model._meta.label, name)
        assert INVALID_CHOICE in answer.context["adminform"].form.errors.get(name, []), (model._meta.label, name)
    assert model.objects.count() == before


@pytest.mark.parametrize(("model", "model_admin"), ADMINS, ids=[m._meta.label for m, _a in ADMINS])
def test_an_action_on_hostile_rows_does_nothing(admin_client, rows, model, model_admin):
    """Django runs an action on ``pk__in`` of the ticked values: twenty digits overflowed
    SQLite, "abc" was a ValueError (both a 500)."""
    url = changelist(model)
    actions = list(model_admin.get_actions(admin_client.get(url).wsgi_request))
    if not actions:
        return
    before = model.objects.count()
    for value in (TWENTY_DIGITS, "abc", NUL, "-1"):
        for confirm in ({"index": "0"}, {}):
            answer = admin_client.post(url, {"action": actions[0], "_selected_action": [value], **confirm})
            assert answer.status_code in (200, 302), (model._meta.label, value[:20])
    assert model.objects.count() == before


AUTOCOMPLETES = sorted(
    ((model, name) for model, model_admin in admin.site._registry.items() for name in model_admin.autocomplete_fields),
    key=lambda pair: (pair[0]._meta.label, pair[1]),
)


@pytest.mark.parametrize(("model", "field"), AUTOCOMPLETES, ids=[f"{m._meta.label}.{n}" for m, n in AUTOCOMPLETES])
def test_every_autocomplete_answers_every_term(admin_client, rows, model, field):
    """The admin's autocomplete searches the related model's admin with a ``term`` no form
    checks: a NUL byte was a DataError on PostgreSQL."""
    for term in SEARCHES:
        answer = admin_client.get(reverse("admin:autocomplete"), {
            "app_label": model._meta.app_label, "model_name": model._meta.model_name, "field_name": field,
            "term": term,
        })
        assert answer.status_code == 200, (model._meta.label, field, term[:20])


def test_the_user_sessions_admin_searches_fields_that_exist(admin_client, rows, administrator):
    url = changelist(UserSession)
    response = admin_client.get(url, {"q": administrator.email})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    assert admin_client.get(url, {"q": "ingen@exempel.se"}).context["cl"].result_count == 0


def test_a_hostile_admin_post_changes_nothing(admin_client, rows, network):
    """A network posted with a 20-digit parent, a year-1 stewardship and 10,000 characters of
    purpose: every message next to its field, nothing changed."""
    from networks.models import Network

    before = database_state("networks")
    url = reverse("admin:networks_network_change", args=[network.pk])
    response = admin_client.post(url, {
        "name": network.name, "kind": network.kind, "lan": network.lan_id, "kommun": network.kommun_id or "",
        "parent": TWENTY_DIGITS, "purpose": LONG,
        "networkorganisation_set-TOTAL_FORMS": "0", "networkorganisation_set-INITIAL_FORMS": "0",
        "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
        "stewardships-TOTAL_FORMS": "1", "stewardships-INITIAL_FORMS": "0",
        "stewardships-0-organisation": TWENTY_DIGITS, "stewardships-0-contact_person": "abc",
        "stewardships-0-starts_on": "0001-01-01",
    })
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "purpose" in errors and "parent" in errors
    inline = [fs for fs in response.context["inline_admin_formsets"] if fs.formset.prefix == "stewardships"]
    if inline:
        inline_errors = inline[0].formset.forms[0].errors
        assert {"organisation", "contact_person", "starts_on"} <= set(inline_errors)
    assert database_state("networks") == before
    assert Network.objects.get(pk=network.pk).purpose == network.purpose


def _form_data(response):
    """The change form's own values, as the browser would post them (main form and inlines)."""
    data = {}
    adminform = response.context["adminform"].form
    for bound in adminform:
        value = bound.value()
        if value is None:
            continue
        data[bound.html_name] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for bound in formset.management_form:
            data[bound.html_name] = str(bound.value())
        for form in formset.forms:
            for bound in form:
                value = bound.value()
                if value not in (None, ""):
                    data[bound.html_name] = str(getattr(value, "pk", value))
    return data


def test_every_inline_checks_its_rows_against_the_database_with_the_parents_key():
    from portal.admin import InlineFormSet

    inlines = [inline for model_admin in admin.site._registry.values() for inline in model_admin.inlines]
    assert inlines
    for inline in inlines:
        assert issubclass(inline.formset, InlineFormSet), inline


@pytest.mark.parametrize("model_name", ["networks.Network", "networks.Organisation"])
def test_existing_inline_rows_posted_as_new_are_refused_not_a_500(admin_client, rows, model_name):
    """A tampered management form (INITIAL_FORMS 0) turns the existing rows into new ones, which
    repeat what the database holds: the answer is the form with the error, and nothing changes."""
    from django.apps import apps

    model = apps.get_model(model_name)
    obj = next(o for o in model.objects.order_by("pk") if any(
        getattr(o, rel.get_accessor_name()).exists() for rel in model._meta.related_objects
        if rel.one_to_many and rel.related_model._meta.label in {"networks.NetworkOrganisation", "networks.OrganisationMembership"}
    ))
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
    data = _form_data(admin_client.get(url))
    tampered = 0
    for name in list(data):
        if name.endswith("-INITIAL_FORMS") and data[name] != "0":
            data[name] = "0"
            tampered += 1
    assert tampered
    before = database_state("networks", "portal")
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert any(form.errors for inline in response.context["inline_admin_formsets"] for form in inline.formset.forms)
    assert database_state("networks", "portal") == before
