"""Log-in through an organisation's OpenID Connect provider (issue 20; docs/security.md 24).

A real provider runs on this machine (``tests/idp/oidc.py``: allauth's ``idp.oidc`` in a
process of its own); the portal talks to it over HTTP as to Entra ID or Keycloak. Each case
logs in end to end: start at the portal, log in at the provider, come back."""

from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.urls import reverse

from networks.federation.models import FederatedIdentifier, IdentityProvider
from portal import assurance
from portal.models import AuditEvent
from tests.idp.oidc import LOA2, LOA3, OIDCProvider, log_in_through

from .conftest import SECRETS, person
from .federated import refused_once

pytestmark = pytest.mark.django_db(transaction=False)

SLUG = "vaxjo"
CLIENT_ID = "barnstodsportalen"
CLIENT_SECRET = "test-secret-0123456789"
PASSWORD = "provider-pw-0123456789"
HSA_ID = "SE2321000065-7331"


def _person(email, acr=None, **extra):
    return {"email": email, "password": PASSWORD, **({"acr": acr} if acr else {}), **extra}


@pytest.fixture(scope="module")
def oidc_provider():
    people = [
        _person("kontakt@vaxjo.se", LOA3),  # the plan's contact person (tests/childplans/conftest.py)
        _person("svag@vaxjo.se", LOA2),
        _person("utan-kontext@vaxjo.se"),
        _person("okand@vaxjo.se", LOA3),
        _person("avstangd@vaxjo.se", LOA3),
        _person("overifierad@vaxjo.se", LOA3, email_verified=False),
        _person("annan@region.se", LOA3),
        _person("hsa@vaxjo.se", LOA3, claims={"hsa_id": HSA_ID}),
    ]
    with OIDCProvider(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
        redirect_uris=[f"http://testserver/konto/oidc/{SLUG}/login/callback/"], people=people,
    ) as provider:
        yield provider


@pytest.fixture
def idp(db, oidc_provider, org_social):
    provider = IdentityProvider.objects.create(
        name="Växjö kommun", slug=SLUG, issuer=oidc_provider.url, client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET, strong_contexts=LOA3,
    )
    provider.organisations.add(org_social)
    return provider


def log_in(client, oidc_provider, email):
    return log_in_through(client, oidc_provider, SLUG, email, PASSWORD)


def plan_url(plan):
    return reverse("childplans:plan_detail", kwargs={"plan_pk": plan.pk})


def test_the_login_page_offers_the_provider_and_asks_for_the_strong_context(client, idp):
    page = client.get(reverse("account_login")).content.decode()
    assert "Logga in med Växjö kommun" in page
    start = client.post(f"/konto/oidc/{SLUG}/login/", {"process": "login"})
    query = parse_qs(urlsplit(start["Location"]).query)
    assert query["acr_values"] == [LOA3]
    assert query["client_id"] == [CLIENT_ID]


def test_a_strong_context_reaches_the_plan_without_totp(client, oidc_provider, idp, full_plan, contact):
    assert Authenticator.objects.filter(user=contact).exists()  # has a TOTP, is not asked for it
    response = log_in(client, oidc_provider, "kontakt@vaxjo.se")
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert client.session[assurance.SESSION_KEY]["level"] == assurance.FEDERATED_STRONG
    page = client.get(plan_url(full_plan["plan"]))
    assert page.status_code == 200
    login = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN, user=contact).get()
    assert login.assurance_level == assurance.FEDERATED_STRONG
    assert login.detail == {"provider": idp.pk, "acr": LOA3}
    read = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, plan_id=full_plan["plan"].pk).latest("at")
    assert read.assurance_level == assurance.FEDERATED_STRONG
    # The first login linked the account; "Mina inloggningar" shows how the session logged in.
    assert SocialAccount.objects.filter(user=contact, provider=SLUG).count() == 1
    assert AuditEvent.objects.filter(event="login.federated_linked", user=contact).count() == 1
    assert "stark tillitsnivå" in client.get(reverse("usersessions_list")).content.decode()
    # A second login uses the link; no second link row.
    client.post(reverse("account_logout"))
    assert log_in(client, oidc_provider, "kontakt@vaxjo.se")["Location"] == reverse("dashboard")
    assert AuditEvent.objects.filter(event="login.federated_linked", user=contact).count() == 1


def test_a_weaker_context_still_asks_for_the_portals_totp(client, oidc_provider, idp, org_social):
    person("svag@vaxjo.se", org_social)  # has a TOTP
    response = log_in(client, oidc_provider, "svag@vaxjo.se")
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session  # not logged in before the code


def test_a_missing_context_without_totp_is_sent_to_set_it_up(client, oidc_provider, idp, full_plan, contact):
    user = person("utan-kontext@vaxjo.se", contact.organisations.first(), with_mfa=False)
    from childplans import services

    services.team_add(plan=full_plan["plan"], by=contact, user=user, organisation=contact.organisations.first(), part="Kurator")
    response = log_in(client, oidc_provider, "utan-kontext@vaxjo.se")
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert client.session[assurance.SESSION_KEY]["level"] == assurance.FEDERATED
    page = client.get(plan_url(full_plan["plan"]))
    assert page.status_code == 302 and page["Location"] == reverse("mfa_activate_totp")
    assert all(s not in page.content.decode() for s in SECRETS)


def _refused(client, oidc_provider, email, *, text):
    return refused_once(client, lambda: log_in(client, oidc_provider, email), text=text)


def test_an_unknown_identifier_gets_no_account(client, oidc_provider, idp):
    row = _refused(client, oidc_provider, "okand@vaxjo.se", text="Inget konto i Barnstödsportalen")
    assert row.detail == {"provider": idp.pk, "reason": "unknown_identifier", "known_account": False}


def test_an_unverified_email_gets_no_account(client, oidc_provider, idp, org_social):
    person("overifierad@vaxjo.se", org_social)
    row = _refused(client, oidc_provider, "overifierad@vaxjo.se", text="Inget konto")
    assert row.detail["reason"] == "email_not_verified"


def test_a_deactivated_account_is_refused_though_the_provider_says_yes(client, oidc_provider, idp, org_social):
    person("avstangd@vaxjo.se", org_social, is_active=False)
    row = _refused(client, oidc_provider, "avstangd@vaxjo.se", text="Kontot är avstängt")
    assert row.detail["reason"] == "inactive" and row.user is not None


def test_the_same_email_in_another_organisation_is_not_reached(client, oidc_provider, idp, org_other):
    """The provider is Växjö kommun's: an account of Region Kronoberg's staff with the e-mail
    the provider asserts is not its to log in."""
    person("annan@region.se", org_other)
    row = _refused(client, oidc_provider, "annan@region.se", text="Inget konto")
    assert row.detail["reason"] == "unknown_identifier"


def test_an_identifier_recorded_by_an_administrator_reaches_the_account(client, oidc_provider, idp, org_other):
    idp.identifier_claim = "hsa_id"
    idp.save()
    user = person("nagon-annan@vaxjo.se", org_other)  # the account's e-mail plays no part
    FederatedIdentifier.objects.create(provider=idp, user=user, value=HSA_ID)
    response = log_in(client, oidc_provider, "hsa@vaxjo.se")
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_an_identifier_claim_the_provider_does_not_send_gets_no_account(client, oidc_provider, idp, contact):
    idp.identifier_claim = "hsa_id"
    idp.save()
    row = _refused(client, oidc_provider, "kontakt@vaxjo.se", text="Inget konto")
    assert row.detail["reason"] == "no_identifier"


def test_password_login_switched_off_sends_staff_to_their_provider(client, idp, contact):
    idp.password_login_allowed = False
    idp.save()
    response = client.post(reverse("account_login"), {"login": contact.email, "password": _factory_password()})
    assert response.status_code == 403
    assert "Logga in med Växjö kommun" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(event="login.password_off", user=contact).count() == 1


def test_an_inactive_provider_is_not_offered(client, idp):
    idp.is_active = False
    idp.save()
    assert "Logga in med" not in client.get(reverse("account_login")).content.decode()
    assert client.post(f"/konto/oidc/{SLUG}/login/", {"process": "login"}).status_code == 404


def _factory_password():
    from tests.factories import PASSWORD as FACTORY_PASSWORD

    return FACTORY_PASSWORD


def test_reauthentication_goes_back_to_the_same_provider(client, oidc_provider, idp, full_plan, contact, org_other):
    from datetime import timedelta

    from django.utils import timezone

    from childplans.models import Consent

    plan, guardian = full_plan["plan"], full_plan["guardian"]
    log_in(client, oidc_provider, "kontakt@vaxjo.se")
    url = reverse("childplans:consents", kwargs={"plan_pk": plan.pk})
    data = {"guardian": guardian.pk, "given_on": timezone.localdate().isoformat(), "method": "verbal",
            "organisations": [org_other.pk], "purposes": ["coordination"],
            "valid_until": (timezone.localdate() + timedelta(days=100)).isoformat(), "note": "Vård"}
    count = Consent.objects.count()
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"].startswith(reverse("federated_reauthenticate"))
    assert Consent.objects.count() == count
    # The password page does not count for a federated session.
    from .conftest import reauthenticate

    reauthenticate(client, contact)
    assert client.post(url, data)["Location"].startswith(reverse("federated_reauthenticate"))
    page = client.get(response["Location"])
    assert "Logga in med Växjö kommun" in page.content.decode()
    action = page.context["action"]
    start = client.post(action, {"process": "login"})
    query = parse_qs(urlsplit(start["Location"]).query)
    assert query["prompt"] == ["login"] and query["max_age"] == ["0"] and query["acr_values"] == [LOA3]
    back = log_in_through(client, oidc_provider, SLUG, "kontakt@vaxjo.se", PASSWORD, start_path=action)
    assert back.status_code == 302 and back["Location"] == url
    assert client.session[assurance.SESSION_KEY]["level"] == assurance.FEDERATED_STRONG
    response = client.post(url, data)
    assert response.status_code == 302 and Consent.objects.count() == count + 1


def test_a_password_session_keeps_the_password_reauthentication(client, idp, contact):
    client.force_login(contact)
    assert client.get(reverse("federated_reauthenticate"))["Location"] == reverse("account_reauthenticate")


def _only_an_error_row(client, callback, audit_before, users_before):
    response = client.get(callback)
    assert response.status_code in (400, 401, 403), response.status_code
    assert "Inloggningen via din organisation misslyckades" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert get_user_model().objects.count() == users_before
    rows = list(AuditEvent.objects.order_by("pk")[audit_before:])
    assert [(r.action, r.event) for r in rows] == [(AuditEvent.Action.LOGIN_FAILED, "login.federated_error")]


def test_a_replayed_callback_is_refused(client, oidc_provider, idp, contact):
    callback = log_in_through(client, oidc_provider, SLUG, "kontakt@vaxjo.se", PASSWORD, follow=False)
    assert client.get(callback)["Location"] == reverse("dashboard")
    client.post(reverse("account_logout"))
    audit_before, users_before = AuditEvent.objects.count(), get_user_model().objects.count()
    _only_an_error_row(client, callback, audit_before, users_before)


def test_a_callback_from_another_browser_is_refused(client, oidc_provider, idp, contact):
    """Login CSRF: the answer meant for one browser (its state) opened in another."""
    from django.test import Client

    callback = log_in_through(Client(), oidc_provider, SLUG, "kontakt@vaxjo.se", PASSWORD, follow=False)
    audit_before, users_before = AuditEvent.objects.count(), get_user_model().objects.count()
    _only_an_error_row(client, callback, audit_before, users_before)


def test_a_tampered_code_is_refused(client, oidc_provider, idp, contact):
    callback = log_in_through(client, oidc_provider, SLUG, "kontakt@vaxjo.se", PASSWORD, follow=False)
    tampered = callback.replace("code=", "code=x", 1)
    audit_before, users_before = AuditEvent.objects.count(), get_user_model().objects.count()
    _only_an_error_row(client, tampered, audit_before, users_before)


def test_an_expired_id_token_is_refused(client, oidc_provider, idp, contact):
    """The provider's ID token lives 5 minutes (its exp); opened 6 minutes later by the
    portal's clock, the answer is refused."""
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    callback = log_in_through(client, oidc_provider, SLUG, "kontakt@vaxjo.se", PASSWORD, follow=False)
    audit_before, users_before = AuditEvent.objects.count(), get_user_model().objects.count()
    with time_machine.travel(timezone.now() + timedelta(minutes=6), tick=True):
        _only_an_error_row(client, callback, audit_before, users_before)


def test_the_issuer_is_https_but_on_this_machine(idp):
    from django.core.exceptions import ValidationError

    idp.issuer = "http://idp.example.se"
    with pytest.raises(ValidationError) as error:
        idp.full_clean()
    assert "issuer" in error.value.message_dict
    for issuer in ("https://idp.example.se/realms/x", "http://127.0.0.1:8100", "http://localhost:8100"):
        idp.issuer = issuer
        idp.full_clean()


def test_only_the_pages_that_start_a_login_let_forms_go_to_the_provider(client, idp, oidc_provider, contact):
    """CSP form-action: the log-in page names the provider's origin (the browser follows the
    redirect after the form's POST); every other page stays 'self'."""
    policy = client.get(reverse("account_login"))["Content-Security-Policy"]
    form_action = next(d for d in policy.split(";") if d.strip().startswith("form-action"))
    assert oidc_provider.url in form_action and "'self'" in form_action
    client.force_login(contact)
    policy = client.get(reverse("dashboard"))["Content-Security-Policy"]
    assert oidc_provider.url not in policy


def test_a_password_session_is_shown_as_such(client, idp, church):
    user = person("diakon@kyrkan.se", church, with_mfa=False)  # no provider, no TOTP asked
    client.post(reverse("account_login"), {"login": user.email, "password": _factory_password()})
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN, user=user).get().assurance_level == assurance.PASSWORD
    assert "lösenord (och portalens tvåstegsverifiering)" in client.get(reverse("usersessions_list")).content.decode()
