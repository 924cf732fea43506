"""Log-in through an organisation's SAML 2.0 identity provider (issue 20; docs/security.md 24,
docs/federation.md).

A real IdP runs on this machine (``tests/idp/saml.py``: pysaml2, signing with xmlsec1, in a
process of its own); the portal's side is allauth's ``saml`` provider as the portal extends it
(``networks.federation.saml``). Each case logs in end to end: start at the portal, log in at
the IdP, post its answer to the portal's ACS. The failure cases change one thing in a real
answer (or have the IdP answer wrongly) and check that nothing is written but one audit row."""

import base64
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from networks.federation.models import FederatedIdentifier, IdentityProvider
from networks.federation.saml import sp_credentials
from portal import assurance
from portal.models import AuditEvent
from tests.idp.saml import (
    HSA_ID,
    LOA2,
    LOA3,
    MAIL,
    Browser,
    SAMLIdP,
    log_in_through,
    post_answer,
    start_login,
)

from .conftest import SECRETS, person
from .federated import refused_once

pytestmark = [pytest.mark.django_db(transaction=False), pytest.mark.both_databases]

SLUG = "vaxjo-saml"
PASSWORD = "idp-pw-0123456789"
HSA = "SE2321000065-7331"
SP_ENTITY_ID = f"http://testserver/konto/saml/{SLUG}/metadata/"
ACS_URL = f"http://testserver/konto/saml/{SLUG}/acs/"


def _person(username, context=None, **extra):
    return {"username": username, "password": PASSWORD, "context": context, "attributes": {MAIL: username}, **extra}


@pytest.fixture(scope="module")
def saml_idp(django_db_blocker):
    with django_db_blocker.unblock():
        _, cert = sp_credentials()
    people = [
        _person("kontakt@vaxjo.se", LOA3),  # the plan's contact person (tests/childplans/conftest.py)
        _person("svag@vaxjo.se", LOA2),
        _person("utan-kontext@vaxjo.se"),
        _person("okand@vaxjo.se", LOA3),
        _person("avstangd@vaxjo.se", LOA3),
        _person("hsa@vaxjo.se", LOA3, attributes={HSA_ID: HSA}),
        _person("osignerad@vaxjo.se", LOA3, quirk="unsigned"),
        _person("publik@vaxjo.se", LOA3, quirk="wrong_audience"),
        _person("adress@vaxjo.se", LOA3, quirk="wrong_destination"),
        _person("sha1@vaxjo.se", LOA3, quirk="sha1"),
        _person("oombedd@vaxjo.se", LOA3, quirk="unsolicited"),
        # The contact person again, at an IdP that answers ForceAuthn from its session.
        _person("kontakt-sso@vaxjo.se", LOA3, quirk="ignores_force_authn", attributes={MAIL: "kontakt@vaxjo.se"}),
    ]
    with SAMLIdP(sp_entity_id=SP_ENTITY_ID, acs_url=ACS_URL, sp_cert=cert, people=people) as idp:
        idp.metadata_xml = idp.metadata()
        yield idp


@pytest.fixture
def idp(db, saml_idp, org_social):
    from networks.federation.admin import parse_metadata

    provider = IdentityProvider(
        name="Växjö kommun (SAML)", slug=SLUG, protocol=IdentityProvider.Protocol.SAML, strong_contexts=LOA3,
        saml_metadata_url=saml_idp.metadata_url,
    )
    provider.apply_metadata(parse_metadata(saml_idp.metadata_xml))
    provider.full_clean()
    provider.save()
    provider.organisations.add(org_social)
    return provider


def log_in(client, saml_idp, username, **kwargs):
    return log_in_through(client, saml_idp, SLUG, username, PASSWORD, **kwargs)


def plan_url(plan):
    return reverse("childplans:plan_detail", kwargs={"plan_pk": plan.pk})


def _answer(client, saml_idp, username):
    """A real answer of the IdP for ``username``, not yet posted to the portal."""
    return Browser().answer(saml_idp, start_login(client, SLUG), username, PASSWORD)


def _only_an_error_row(client, answer, code):
    users, links, audit_before = get_user_model().objects.count(), SocialAccount.objects.count(), AuditEvent.objects.count()
    response = post_answer(client, SLUG, answer)
    assert response.status_code in (400, 401, 403), response.status_code
    assert "Inloggningen via din organisation misslyckades" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert (get_user_model().objects.count(), SocialAccount.objects.count()) == (users, links)
    rows = list(AuditEvent.objects.order_by("pk")[audit_before:])
    assert [(r.action, r.event) for r in rows] == [(AuditEvent.Action.LOGIN_FAILED, "login.federated_error")]
    assert rows[0].detail == {"provider": SLUG, "error": code}
    return rows[0]


# --- the SP's side: metadata and the request ---------------------------------------------------


def test_the_sp_metadata_names_the_acs_the_certificate_and_signed_assertions(client, idp):
    response = client.get(f"/konto/saml/{SLUG}/metadata/")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/xml")
    xml = response.content.decode()
    assert f'entityID="{SP_ENTITY_ID}"' in xml
    assert f'Location="{ACS_URL}"' in xml and "HTTP-POST" in xml
    assert 'AuthnRequestsSigned="true"' in xml and 'WantAssertionsSigned="true"' in xml
    _, cert = sp_credentials()
    body = "".join(cert.strip().splitlines()[1:-1])
    assert body in "".join(xml.split())
    assert not AuditEvent.objects.exists()  # a GET writes nothing


def test_the_login_page_offers_the_idp_and_the_request_is_signed_and_asks_for_loa3(client, saml_idp, idp):
    assert "Logga in med Växjö kommun (SAML)" in client.get(reverse("account_login")).content.decode()
    location = start_login(client, SLUG)
    assert location.startswith(f"{saml_idp.url}/sso?")
    query = parse_qs(urlsplit(location).query)
    assert query["SigAlg"] == ["http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"] and query["Signature"]
    Browser().session.get(location, timeout=10)  # the IdP reads the request
    request = saml_idp.last_request()
    assert request["signature_valid"] is True
    assert request["requested_contexts"] == [LOA3] and request["comparison"] == "exact"
    assert request["force_authn"] is False
    assert f'AssertionConsumerServiceURL="{ACS_URL}"' in request["xml"]


def test_minimum_comparison_and_no_request_of_contexts(client, saml_idp, idp):
    idp.saml_context_comparison = IdentityProvider.Comparison.MINIMUM
    idp.save()
    Browser().session.get(start_login(client, SLUG), timeout=10)
    assert saml_idp.last_request()["comparison"] == "minimum"
    idp.request_contexts = False
    idp.save()
    Browser().session.get(start_login(client, SLUG), timeout=10)
    assert saml_idp.last_request()["requested_contexts"] == []


def test_a_request_signature_the_idp_cannot_check_is_seen_as_such(client, saml_idp, idp):
    """The IdP's check of the request's signature can fail (so ``signature_valid`` above means
    something): the same request with a changed signature."""
    location = start_login(client, SLUG)
    signature = parse_qs(urlsplit(location).query)["Signature"][0]
    forged = base64.b64encode(bytes(b ^ 1 for b in base64.b64decode(signature))).decode()
    from urllib.parse import quote

    Browser().session.get(location.replace(quote(signature, safe=""), quote(forged, safe="")), timeout=10)
    assert saml_idp.last_request()["signature_valid"] is False


# --- levels --------------------------------------------------------------------------------


def test_a_strong_context_reaches_the_plan_without_totp(client, saml_idp, idp, full_plan, contact):
    assert Authenticator.objects.filter(user=contact).exists()  # has a TOTP, is not asked for it
    response = log_in(client, saml_idp, "kontakt@vaxjo.se")
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    data = client.session[assurance.SESSION_KEY]
    assert data["level"] == assurance.FEDERATED_STRONG and data["acr"] == LOA3 and data["provider"] == idp.pk
    assert client.get(plan_url(full_plan["plan"])).status_code == 200
    login = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN, user=contact).get()
    assert login.assurance_level == assurance.FEDERATED_STRONG
    assert login.detail == {"provider": idp.pk, "acr": LOA3}
    read = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, plan_id=full_plan["plan"].pk).latest("at")
    assert read.assurance_level == assurance.FEDERATED_STRONG
    assert AuditEvent.objects.filter(event="login.federated_linked", user=contact).count() == 1
    assert SocialAccount.objects.get(user=contact).provider == SLUG
    assert "stark tillitsnivå" in client.get(reverse("usersessions_list")).content.decode()


def test_a_weaker_context_still_asks_for_the_portals_totp(client, saml_idp, idp, org_social):
    person("svag@vaxjo.se", org_social)  # has a TOTP
    response = log_in(client, saml_idp, "svag@vaxjo.se")
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session


def test_a_missing_context_without_totp_is_sent_to_set_it_up(client, saml_idp, idp, full_plan, contact):
    user = person("utan-kontext@vaxjo.se", contact.organisations.first(), with_mfa=False)
    from childplans import services

    services.team_add(plan=full_plan["plan"], by=contact, user=user, organisation=contact.organisations.first(), part="Kurator")
    response = log_in(client, saml_idp, "utan-kontext@vaxjo.se")
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert client.session[assurance.SESSION_KEY]["level"] == assurance.FEDERATED
    assert client.session[assurance.SESSION_KEY]["acr"] == ""
    page = client.get(plan_url(full_plan["plan"]))
    assert page.status_code == 302 and page["Location"] == reverse("mfa_activate_totp")
    assert all(s not in page.content.decode() for s in SECRETS)


# --- invite-only ---------------------------------------------------------------------------


def _refused(client, saml_idp, username, *, text):
    return refused_once(client, lambda: log_in(client, saml_idp, username), text=text)


def test_an_unknown_identifier_gets_no_account(client, saml_idp, idp):
    row = _refused(client, saml_idp, "okand@vaxjo.se", text="Inget konto i Barnstödsportalen")
    assert row.detail == {"provider": idp.pk, "reason": "unknown_identifier", "known_account": False}


def test_a_deactivated_account_is_refused_though_the_idp_says_yes(client, saml_idp, idp, org_social):
    person("avstangd@vaxjo.se", org_social, is_active=False)
    row = _refused(client, saml_idp, "avstangd@vaxjo.se", text="Kontot är avstängt")
    assert row.detail["reason"] == "inactive" and row.user is not None


def test_an_hsa_id_recorded_by_an_administrator_reaches_the_account(client, saml_idp, idp, org_other):
    idp.identifier_claim = HSA_ID
    idp.save()
    user = person("nagon-annan@vaxjo.se", org_other)  # the account's e-mail plays no part
    FederatedIdentifier.objects.create(provider=idp, user=user, value=HSA)
    response = log_in(client, saml_idp, "hsa@vaxjo.se")
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert SocialAccount.objects.get(user=user).uid == HSA


def test_the_hsa_attribute_by_its_short_name_and_missing(client, saml_idp, idp, org_other, contact):
    idp.identifier_claim = "hsaIdentity"
    idp.save()
    user = person("nagon-annan@vaxjo.se", org_other)
    FederatedIdentifier.objects.create(provider=idp, user=user, value=HSA)
    assert log_in(client, saml_idp, "hsa@vaxjo.se")["Location"] == reverse("dashboard")
    client.post(reverse("account_logout"))
    row = _refused(client, saml_idp, "kontakt@vaxjo.se", text="Inget konto")  # sends no HSA-id
    assert row.detail["reason"] == "no_identifier"


# --- answers the portal refuses: nothing written but one audit row --------------------------------


def test_a_tampered_assertion_is_refused(client, saml_idp, idp, contact):
    answer = _answer(client, saml_idp, "kontakt@vaxjo.se")
    xml = base64.b64decode(answer["SAMLResponse"]).decode()
    assert "kontakt@vaxjo.se" in xml
    tampered = xml.replace("kontakt@vaxjo.se", "kontakx@vaxjo.se")
    answer["SAMLResponse"] = base64.b64encode(tampered.encode()).decode()
    _only_an_error_row(client, answer, "saml_bad_signature")


def test_a_context_changed_after_signing_is_refused(client, saml_idp, idp, org_social):
    """A LoA2 answer made to look like LoA3: the signature no longer holds."""
    person("svag@vaxjo.se", org_social)
    answer = _answer(client, saml_idp, "svag@vaxjo.se")
    xml = base64.b64decode(answer["SAMLResponse"]).decode().replace(LOA2, LOA3)
    answer["SAMLResponse"] = base64.b64encode(xml.encode()).decode()
    _only_an_error_row(client, answer, "saml_bad_signature")


@pytest.mark.parametrize(("username", "code"), [
    ("osignerad@vaxjo.se", "saml_unsigned"),
    ("publik@vaxjo.se", "saml_wrong_audience"),
    ("adress@vaxjo.se", "saml_wrong_destination"),
    ("sha1@vaxjo.se", "saml_sha1"),
])
def test_an_unsigned_misaddressed_or_sha1_answer_is_refused(client, saml_idp, idp, org_social, username, code):
    person(username, org_social)
    _only_an_error_row(client, _answer(client, saml_idp, username), code)


def test_an_unsolicited_answer_is_refused(client, saml_idp, idp, org_social):
    """IdP-initiated login (no InResponseTo): refused (login CSRF)."""
    person("oombedd@vaxjo.se", org_social)
    _only_an_error_row(client, _answer(client, saml_idp, "oombedd@vaxjo.se"), "saml_unsolicited")


def test_an_expired_assertion_is_refused(client, saml_idp, idp, contact):
    """The assertion lives 10 minutes (NotOnOrAfter), python3-saml allows 5 minutes of drift:
    posted 16 minutes later by the portal's clock, it is refused."""
    import time_machine

    answer = _answer(client, saml_idp, "kontakt@vaxjo.se")
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=True):
        _only_an_error_row(client, answer, "saml_expired")


def test_a_replayed_assertion_is_refused(client, saml_idp, idp, contact):
    answer = _answer(client, saml_idp, "kontakt@vaxjo.se")
    assert post_answer(client, SLUG, answer)["Location"] == reverse("dashboard")
    client.post(reverse("account_logout"))
    start_login(client, SLUG)  # even with a request of this browser pending
    _only_an_error_row(client, answer, "saml_replayed")


def test_an_answer_delivered_in_another_browser_is_refused(client, saml_idp, idp, contact):
    """Login CSRF: the answer to one browser's request posted from another browser."""
    from django.test import Client

    answer = _answer(Client(), saml_idp, "kontakt@vaxjo.se")
    _only_an_error_row(client, answer, "saml_unknown_request")


def test_a_finish_without_an_answer_is_refused(client, idp):
    audit_before = AuditEvent.objects.count()
    response = client.get(f"/konto/saml/{SLUG}/acs/finish/")
    assert response.status_code == 401
    assert AuditEvent.objects.count() == audit_before + 1


def test_a_request_without_host_header_is_no_500(client, saml_idp, idp):
    """allauth's SAML views read request.META["HTTP_HOST"]; Django's test client sends none."""
    assert "HTTP_HOST" not in client.get("/").wsgi_request.META
    assert client.post(f"/konto/saml/{SLUG}/login/", {"process": "login"}).status_code == 302


# --- re-authentication ---------------------------------------------------------------------


def test_reauthentication_goes_back_to_the_idp_with_force_authn(client, saml_idp, idp, full_plan, contact, org_other):
    from childplans.models import Consent

    plan, guardian = full_plan["plan"], full_plan["guardian"]
    browser = Browser()
    log_in(client, saml_idp, "kontakt@vaxjo.se", browser=browser)
    url = reverse("childplans:consents", kwargs={"plan_pk": plan.pk})
    data = {"guardian": guardian.pk, "given_on": timezone.localdate().isoformat(), "method": "verbal",
            "organisations": [org_other.pk], "purposes": ["coordination"],
            "valid_until": (timezone.localdate() + timedelta(days=100)).isoformat(), "note": "Vård"}
    count = Consent.objects.count()
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"].startswith(reverse("federated_reauthenticate"))
    assert Consent.objects.count() == count
    page = client.get(response["Location"])
    assert "Logga in med Växjö kommun (SAML)" in page.content.decode()
    action = page.context["action"]
    assert action.startswith(f"/konto/saml/{SLUG}/login/")
    back = log_in_through(client, saml_idp, SLUG, "kontakt@vaxjo.se", PASSWORD, browser=browser, start_path=action)
    request = saml_idp.last_request()
    # The IdP was asked for a fresh login and asked for the password again, though this
    # browser was logged in there; the level was checked again.
    assert request["force_authn"] is True and request["password_asked"] is True and request["signature_valid"]
    assert request["requested_contexts"] == [LOA3]
    assert back.status_code == 302 and back["Location"] == url
    assert client.session[assurance.SESSION_KEY]["level"] == assurance.FEDERATED_STRONG
    response = client.post(url, data)
    assert response.status_code == 302 and Consent.objects.count() == count + 1


def test_an_idp_that_ignores_force_authn_does_not_reauthenticate(client, saml_idp, idp, full_plan, contact, org_other):
    """ForceAuthn answered from the IdP's session: the assertion's AuthnInstant is the old
    login's, older than ACCOUNT_REAUTHENTICATION_TIMEOUT by the portal's (moved) clock, so the
    login is no re-authentication and the consent change is still refused."""
    import time_machine

    from childplans.models import Consent

    plan, guardian = full_plan["plan"], full_plan["guardian"]
    browser = Browser()
    log_in(client, saml_idp, "kontakt-sso@vaxjo.se", browser=browser)
    url = reverse("childplans:consents", kwargs={"plan_pk": plan.pk})
    data = {"guardian": guardian.pk, "given_on": timezone.localdate().isoformat(), "method": "verbal",
            "organisations": [org_other.pk], "purposes": ["coordination"],
            "valid_until": (timezone.localdate() + timedelta(days=100)).isoformat(), "note": "Vård"}
    count = Consent.objects.count()
    with time_machine.travel(timezone.now() + timedelta(minutes=6), tick=True):
        action = client.get(client.post(url, data)["Location"]).context["action"]
        back = log_in_through(client, saml_idp, SLUG, "kontakt-sso@vaxjo.se", PASSWORD, browser=browser, start_path=action)
        assert saml_idp.last_request()["force_authn"] is True and saml_idp.last_request()["password_asked"] is False
        assert back.status_code == 302 and back["Location"] == url
        response = client.post(url, data)
        assert response["Location"].startswith(reverse("federated_reauthenticate"))
    assert Consent.objects.count() == count


def test_without_force_authn_the_idp_answers_at_once(client, saml_idp, idp, contact):
    browser = Browser()
    log_in(client, saml_idp, "kontakt@vaxjo.se", browser=browser)
    client.post(reverse("account_logout"))
    assert log_in(client, saml_idp, "kontakt@vaxjo.se", browser=browser)["Location"] == reverse("dashboard")
    assert saml_idp.last_request()["password_asked"] is False


# --- the administrator's side ----------------------------------------------------------------


def _admin_client(client, org_social):
    admin = person("admin@portal.se", org_social, is_staff=True, is_superuser=True)
    client.force_login(admin)
    from .conftest import reauthenticate

    reauthenticate(client, admin)
    return admin


def test_admin_uploads_metadata_and_the_fields_are_filled(client, saml_idp, org_social):
    from django.core.files.uploadedfile import SimpleUploadedFile

    _admin_client(client, org_social)
    data = {
        "name": "Inera", "slug": "inera", "organisations": [org_social.pk], "protocol": "saml",
        "identifier_claim": HSA_ID, "strong_contexts": LOA3, "request_contexts": "on",
        "password_login_allowed": "on", "is_active": "on", "scopes": "openid email profile",
        "saml_context_comparison": "exact",
        "saml_metadata_file": SimpleUploadedFile("idp.xml", saml_idp.metadata_xml.encode(), "application/xml"),
    }
    response = client.post(reverse("admin:federation_identityprovider_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    provider = IdentityProvider.objects.get(slug="inera")
    assert provider.saml_entity_id == saml_idp.metadata_url
    assert provider.saml_sso_url == f"{saml_idp.url}/sso"
    assert len(provider.certificates) == 1
    assert AuditEvent.objects.filter(event="admin.identityprovider.added").count() == 1


def test_admin_pasted_metadata_that_is_not_xml_gets_a_message(client, org_social):
    _admin_client(client, org_social)
    data = {
        "name": "Inera", "slug": "inera", "organisations": [org_social.pk], "protocol": "saml",
        "identifier_claim": "email", "scopes": "openid", "saml_context_comparison": "exact",
        "saml_metadata_xml": "<not metadata",
    }
    response = client.post(reverse("admin:federation_identityprovider_add"), data)
    assert response.status_code == 200
    assert "Metadata kan inte läsas" in response.content.decode()
    assert not IdentityProvider.objects.exists()


def test_admin_fetches_metadata_from_the_idp(client, saml_idp, idp, org_social):
    idp.saml_certificates = ""
    idp.saml_sso_url = "https://old.example.se/sso"
    idp.save()
    _admin_client(client, org_social)
    response = client.post(
        reverse("admin:federation_identityprovider_changelist"),
        {"action": "fetch_saml_metadata", "_selected_action": [idp.pk]},
    )
    assert response.status_code == 302
    idp.refresh_from_db()
    assert idp.saml_sso_url == f"{saml_idp.url}/sso" and len(idp.certificates) == 1
    assert AuditEvent.objects.filter(event="admin.identityprovider.metadata_fetched").count() == 1


def test_a_saml_provider_needs_its_idp_fields(db):
    from django.core.exceptions import ValidationError

    provider = IdentityProvider(name="X", slug="x", protocol="saml", saml_sso_url="http://idp.example.se/sso",
                                saml_certificates="-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----")
    with pytest.raises(ValidationError) as error:
        provider.full_clean()
    assert set(error.value.message_dict) >= {"saml_entity_id", "saml_sso_url", "saml_certificates"}
    assert re.search("https", str(error.value.message_dict["saml_sso_url"]))


def test_the_login_page_lets_its_form_go_to_the_idp_and_password_login_can_be_off(client, saml_idp, idp, contact):
    """CSP form-action names the IdP's SSO origin on the log-in page only; with password login
    switched off, the staff of its organisations are sent to it."""
    from tests.factories import PASSWORD as FACTORY_PASSWORD

    policy = client.get(reverse("account_login"))["Content-Security-Policy"]
    form_action = next(d for d in policy.split(";") if d.strip().startswith("form-action"))
    assert saml_idp.url in form_action
    idp.password_login_allowed = False
    idp.save()
    response = client.post(reverse("account_login"), {"login": contact.email, "password": FACTORY_PASSWORD})
    assert response.status_code == 403 and "Logga in med Växjö kommun (SAML)" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(event="login.password_off", user=contact).count() == 1
