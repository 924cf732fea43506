"""MFA enforced by us (promise 11), re-authentication before consent, team changes and exports
(13), no-store on child pages (8), and an admin with no child data."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from childplans.models import Consent, ContactHandover, PlanKeepingKind, TeamMember

from .conftest import SECRETS, add_mfa, person, reauthenticate

pytestmark = pytest.mark.django_db


# --- MFA -------------------------------------------------------------------------------------


def test_plan_keeper_without_mfa_is_sent_to_set_it_up(client, org_social):
    user = person("utan-mfa@vaxjo.se", org_social, with_mfa=False)
    client.force_login(user)
    for name in ("plan_list", "plan_create", "my_actions"):
        response = client.get(reverse(f"childplans:{name}"))
        assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp"), name
    # Set-up and log-out pass.
    assert client.get(reverse("mfa_activate_totp")).status_code in (200, 302)
    assert client.post(reverse("account_logout")).status_code == 302


def test_team_member_without_mfa_is_sent_to_set_it_up_even_for_the_plan(client, full_plan, teacher):
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=teacher).delete()
    client.force_login(teacher)
    url = reverse("childplans:plan_detail", kwargs={"plan_pk": full_plan["plan"].pk})
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    assert all(s not in response.content.decode() for s in SECRETS)
    # ... and a POST changes nothing.
    before = TeamMember.objects.count()
    client.post(reverse("childplans:team_add", kwargs={"plan_pk": full_plan["plan"].pk}), {})
    assert TeamMember.objects.count() == before
    add_mfa(teacher)
    assert client.get(url).status_code == 200


def test_church_member_on_no_team_is_not_forced(client, church):
    """A church (not a plan-keeping kind) on no team never reaches child data."""
    user = person("kyrka@pastorat.se", church, with_mfa=False)
    client.force_login(user)
    assert client.get(reverse("childplans:plan_list")).status_code == 200


def test_a_supporter_from_a_church_on_a_team_must_have_mfa(client, full_plan, contact, church):
    from childplans import services

    plan = full_plan["plan"]
    Consent.objects.get(pk=full_plan["consent"].pk).organisations.add(church)
    supporter = person("stod@pastorat.se", church, with_mfa=False)
    services.team_add(plan=plan, by=contact, user=supporter, organisation=church, is_supporter=True)
    client.force_login(supporter)
    response = client.get(reverse("childplans:plan_detail", kwargs={"plan_pk": plan.pk}))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")


def test_plan_keeping_kinds_are_administered(client, church):
    """Administrators choose the kinds; a church member is forced once churches may keep plans."""
    user = person("kyrka2@pastorat.se", church, with_mfa=False)
    client.force_login(user)
    assert client.get(reverse("childplans:plan_create")).status_code == 404  # may not open plans
    PlanKeepingKind.objects.create(kind="kyrka")
    assert client.get(reverse("childplans:plan_create")).status_code == 302


def test_indicators_need_no_mfa_but_a_coordinator_or_administrator(client, coordinator_with_mfa, org_social):
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=coordinator_with_mfa).delete()
    client.force_login(coordinator_with_mfa)
    assert client.get(reverse("childplans:indicators")).status_code == 200
    client.force_login(person("vanlig@vaxjo.se", org_social))
    assert client.get(reverse("childplans:indicators")).status_code == 404


# --- re-authentication -------------------------------------------------------------------------


def test_consent_change_needs_reauthentication(client, full_plan, contact, guardian, org_other):
    plan = full_plan["plan"]
    client.force_login(contact)
    url = reverse("childplans:consents", kwargs={"plan_pk": plan.pk})
    data = {"guardian": guardian.pk, "given_on": timezone.localdate().isoformat(), "method": "verbal",
            "organisations": [org_other.pk], "purposes": ["coordination"],
            "valid_until": (timezone.localdate() + timedelta(days=100)).isoformat()}
    count = Consent.objects.count()
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_reauthenticate"))
    assert Consent.objects.count() == count
    reauthenticate(client, contact)
    response = client.post(url, data)
    assert response.status_code == 302 and Consent.objects.count() == count + 1


@pytest.mark.parametrize("name", ["team_add", "handover", "consent_withdraw", "team_remove"])
def test_team_changes_need_reauthentication(client, full_plan, contact, name):
    plan = full_plan["plan"]
    kwargs = {"plan_pk": plan.pk}
    if name == "consent_withdraw":
        kwargs["consent_pk"] = full_plan["consent"].pk
    if name == "team_remove":
        kwargs["member_pk"] = full_plan["member"].pk
    client.force_login(contact)
    before = (TeamMember.objects.filter(removed_at__isnull=True).count(), ContactHandover.objects.count(),
              Consent.objects.filter(withdrawn_on__isnull=True).count())
    response = client.post(reverse(f"childplans:{name}", kwargs=kwargs),
                           {"withdrawn_on": timezone.localdate().isoformat(), "to_user": contact.pk})
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_reauthenticate"))
    after = (TeamMember.objects.filter(removed_at__isnull=True).count(), ContactHandover.objects.count(),
             Consent.objects.filter(withdrawn_on__isnull=True).count())
    assert after == before


def test_access_log_export_needs_reauthentication(client, full_plan, contact):
    client.force_login(contact)
    url = reverse("childplans:access_log", kwargs={"plan_pk": full_plan["plan"].pk})
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_reauthenticate"))
    reauthenticate(client, contact)
    client.get(reverse("childplans:plan_detail", kwargs={"plan_pk": full_plan["plan"].pk}))
    response = client.get(url)
    assert response.status_code == 200
    assert contact.email in response.content.decode()  # who read it
    assert "Växjö kommun, Socialtjänsten" in response.content.decode()


# --- headers, admin ------------------------------------------------------------------------------


def test_child_pages_are_never_cached(client, full_plan, contact):
    client.force_login(contact)
    for name in ("plan_detail", "history", "print"):
        response = client.get(reverse(f"childplans:{name}", kwargs={"plan_pk": full_plan["plan"].pk}))
        assert "no-store" in response["Cache-Control"], name
    assert "no-store" in client.get(reverse("childplans:plan_list"))["Cache-Control"]


def test_admin_registers_no_child_data():
    from childplans import models

    child_models = {
        models.Child, models.Guardian, models.ChildPlan, models.TeamMember, models.ContactHandover,
        models.Consent, models.ConsentOrganisation, models.Assessment, models.PlanVoice, models.Goal,
        models.Action, models.Review, models.ChronologyEntry, models.PlanChange,
    }
    assert child_models.isdisjoint(admin.site._registry)
    registered = {m for m in admin.site._registry if m._meta.app_label == "childplans"}
    assert registered == {models.PlanKeepingKind, models.ReasonCategory}


def test_admin_pages_show_no_child_data(client, full_plan, administrator):
    client.force_login(administrator)
    for url in (reverse("admin:index"), reverse("admin:portal_auditevent_changelist")):
        body = client.get(url).content.decode()
        for secret in SECRETS:
            assert secret not in body, url
