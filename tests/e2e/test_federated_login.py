"""Log in through an organisation's OpenID Connect provider in a real browser (issue 20): the
log-in page's "Logga in med …", the provider's own log-in page (a real provider in a process of
its own, tests/idp/oidc.py), back to the portal and on to the child's plan without a TOTP,
because the provider asserted LoA3."""

from datetime import date

import pytest
from playwright.sync_api import expect

from childplans import services
from childplans.models import PlanKeepingKind
from networks.federation.models import IdentityProvider
from networks.models import Organisation
from tests import factories as f
from tests.childplans.conftest import person
from tests.idp.oidc import LOA3, OIDCProvider

from .checks import check_page, path_of

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "provider-pw-0123456789"


def test_a_strong_federated_login_reaches_the_plan_without_totp(page, live_server):
    PlanKeepingKind.objects.get_or_create(kind="kommun")
    org = f.OrganisationFactory(name="Växjö kommun", unit="Socialtjänsten", kind=Organisation.Kind.KOMMUN)
    contact = person("kontakt@vaxjo.se", org, first_name="Karin", last_name="Kontaktperson")  # has a TOTP
    plan = services.plan_open(
        by=contact, organisation=org, given_name="Tindra", family_name="Testbarnsson",
        birth_date=date(2015, 4, 12), personnummer="", reason="Oro för skolfrånvaro.", part="Handläggare",
    )
    with OIDCProvider(
        client_id="portal", client_secret="secret-0123456789",
        redirect_uris=[f"{live_server.url}/konto/oidc/vaxjo/login/callback/"],
        people=[{"email": contact.email, "password": PASSWORD, "acr": LOA3}],
    ) as provider:
        idp = IdentityProvider.objects.create(
            name="Växjö kommun", slug="vaxjo", issuer=provider.url, client_id="portal",
            client_secret="secret-0123456789", strong_contexts=LOA3,
        )
        idp.organisations.add(org)

        page.goto("/konto/login/")
        check_page(page)
        page.get_by_role("button", name="Logga in med Växjö kommun").click()
        page.wait_for_load_state("load")
        assert page.url.startswith(provider.url)  # the provider's own log-in page
        page.locator("input[name=login]").fill(contact.email)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("form button[type=submit]").last.click()
        page.wait_for_url(f"{live_server.url}/")
        expect(page.locator("h1")).to_have_text("Min översikt")

        page.goto(f"/planer/{plan.pk}/")
        assert path_of(page) == f"/planer/{plan.pk}/"  # no TOTP asked, no set-up
        expect(page.locator("main")).to_contain_text("Tindra")
        page.goto("/konto/sessions/")
        expect(page.locator("main")).to_contain_text("stark tillitsnivå")


def test_a_strong_saml_login_reaches_the_plan_without_totp(page, live_server):
    """The same over SAML 2.0 (tests/idp/saml.py, pysaml2): the portal's signed AuthnRequest
    asks for LoA3, the IdP's log-in page, its signed assertion posted back by the browser to
    the portal's ACS, and the plan without a TOTP."""
    from networks.federation.admin import parse_metadata
    from networks.federation.saml import sp_credentials
    from tests.idp.saml import MAIL, SAMLIdP

    PlanKeepingKind.objects.get_or_create(kind="kommun")
    org = f.OrganisationFactory(name="Växjö kommun", unit="Socialtjänsten", kind=Organisation.Kind.KOMMUN)
    contact = person("kontakt@vaxjo.se", org, first_name="Karin", last_name="Kontaktperson")  # has a TOTP
    plan = services.plan_open(
        by=contact, organisation=org, given_name="Tindra", family_name="Testbarnsson",
        birth_date=date(2015, 4, 12), personnummer="", reason="Oro för skolfrånvaro.", part="Handläggare",
    )
    _, cert = sp_credentials()
    base = f"{live_server.url}/konto/saml/vaxjo-saml"
    with SAMLIdP(
        sp_entity_id=f"{base}/metadata/", acs_url=f"{base}/acs/", sp_cert=cert,
        people=[{"username": contact.email, "password": PASSWORD, "context": LOA3, "attributes": {MAIL: contact.email}}],
    ) as saml_idp:
        idp = IdentityProvider(name="Växjö kommun", slug="vaxjo-saml", protocol="saml", strong_contexts=LOA3)
        idp.apply_metadata(parse_metadata(saml_idp.metadata()))
        idp.full_clean()
        idp.save()
        idp.organisations.add(org)

        page.goto("/konto/login/")
        page.get_by_role("button", name="Logga in med Växjö kommun").click()
        page.wait_for_load_state("load")
        assert page.url.startswith(f"{saml_idp.url}/sso")  # the IdP's own log-in page
        page.locator("input[name=username]").fill(contact.email)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("form button[type=submit]").click()
        page.wait_for_url(f"{live_server.url}/")
        expect(page.locator("h1")).to_have_text("Min översikt")
        request = saml_idp.last_request()
        assert request["signature_valid"] and request["requested_contexts"] == [LOA3]

        page.goto(f"/planer/{plan.pk}/")
        assert path_of(page) == f"/planer/{plan.pk}/"  # no TOTP asked, no set-up
        expect(page.locator("main")).to_contain_text("Tindra")
        page.goto("/konto/sessions/")
        expect(page.locator("main")).to_contain_text("stark tillitsnivå")
