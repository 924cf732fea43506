"""Log-in through an organisation's SAML 2.0 identity provider (issue 20; docs/federation.md,
docs/security.md 24): allauth's ``saml`` provider (python3-saml, xmlsec), configured per
``IdentityProvider`` row and extended where it stops short.

Where allauth stops short, and what this does instead:
- allauth's provider does not ask for an authentication context, nor for a fresh login:
  ``PortalSAMLProvider.redirect`` sends ``RequestedAuthnContext`` (the provider's strong
  contexts, comparison exact or minimum) and ``ForceAuthn`` on re-authentication, and signs
  the AuthnRequest with the portal's SP key (``sp_credentials``: generated into var/saml/).
- allauth's settings take one IdP certificate: ``build_config`` names all of the provider's
  (a key rollover), requires signed assertions and refuses SHA-1.
- allauth's finish view takes any assertion twice and answers an unknown ``InResponseTo``
  with a bare 403: ``FinishACSView`` refuses a reused assertion ID (``fresh_assertion``, in the
  cache until the assertion expires), an unsolicited (IdP-initiated) response and an unknown
  or used request id, each as an audited ``login.federated_error`` with the Swedish page.
- allauth's views read ``request.META["HTTP_HOST"]`` (a KeyError, a 500, for a request
  without a Host header): ``_request_data`` uses ``request.get_host()``.
- The answer's ``AuthnContextClassRef`` and ``AuthnInstant`` (from the signed assertion) go
  into the social account's data as ``acr`` and ``auth_time``: the adapter decides the level
  with the same function as for an OpenID Connect ID token (``services.answer_assurance``)."""

import binascii
import functools
import logging
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from allauth.socialaccount.helpers import complete_social_login, render_authentication_error
from allauth.socialaccount.providers.base.constants import AuthError
from allauth.socialaccount.providers.saml import views as allauth_views
from allauth.socialaccount.providers.saml.provider import SAMLProvider
from allauth.socialaccount.providers.saml.utils import build_saml_config
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt

logger = logging.getLogger(__name__)

# Attribute names an administrator may choose by their short name (the SAML attribute
# profiles name them by OID or URI): the answer's attributes carry both.
ATTRIBUTE_ALIASES = {
    "urn:oid:0.9.2342.19200300.100.1.3": "mail",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.6": "eduPersonPrincipalName",
    "urn:oid:1.2.752.29.6.2.1": "hsaIdentity",  # HSA-id (Inera's HSA schema)
    "http://sambi.se/attributes/1/employeeHsaId": "employeeHsaId",
    "urn:oid:1.2.752.29.4.13": "personalIdentityNumber",  # Swedish eID Framework: a personnummer
    "urn:oasis:names:tc:SAML:attribute:subject-id": "subject-id",
}
MAIL_ATTRIBUTES = ["urn:oid:0.9.2342.19200300.100.1.3", "mail", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"]
SAML_NS = "urn:oasis:names:tc:SAML:2.0:assertion"
NO_UID = "-"  # an answer without the identifier: refused by resolve_account (no_identifier)


# --- the portal's SP key and certificate ---------------------------------------------------


def sp_credentials():
    """The SP's private key and certificate (PEM), made on first use into
    ``SAML_SP_KEY_FILE``/``SAML_SP_CERT_FILE`` (default var/saml/): the AuthnRequests are
    signed with it and the SP metadata publishes the certificate."""
    key_path, cert_path = Path(settings.SAML_SP_KEY_FILE), Path(settings.SAML_SP_CERT_FILE)
    if not key_path.exists() or not cert_path.exists():
        import fcntl

        # Several processes may start at once (web workers, parallel test workers): one makes
        # the pair, under a lock, the others find it made.
        key_path.parent.mkdir(parents=True, exist_ok=True)
        with open(key_path.parent / ".sp-credentials.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not key_path.exists() or not cert_path.exists():
                _generate(key_path, cert_path)
        _read.cache_clear()
    return _read(key_path, cert_path)


@functools.lru_cache(maxsize=4)
def _read(key_path, cert_path):
    """Read once per process (the log-in page lists the providers on every view)."""
    return key_path.read_text(encoding="ascii"), cert_path.read_text(encoding="ascii")


def _generate(key_path, cert_path):
    import os

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Barnstödsportalen SAML SP")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650)).sign(key, hashes.SHA256())
    )
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    # Each file whole or not at all (written aside, then renamed); the key first, the
    # certificate last: both there means both made.
    for path, data, mode in ((key_path, key_pem, 0o600), (cert_path, cert.public_bytes(serialization.Encoding.PEM), 0o644)):
        tmp = path.with_name(path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        tmp.replace(path)


# --- allauth's app settings and python3-saml's configuration ---------------------------------


def app_settings(provider):
    """The ``SocialApp.settings`` of a SAML ``IdentityProvider`` (allauth's format)."""
    key, cert = sp_credentials()
    identifier = provider.identifier_claim
    uid = [identifier, *[name for name, alias in ATTRIBUTE_ALIASES.items() if alias == identifier]]
    if identifier == "email":
        uid = MAIL_ATTRIBUTES
    certificates = provider.certificates
    return {
        "idp": {
            "entity_id": provider.saml_entity_id,
            "sso_url": provider.saml_sso_url,
            "x509cert": certificates[0] if certificates else "",
        },
        "attribute_mapping": {"uid": uid, "email": MAIL_ATTRIBUTES},
        "advanced": {
            "strict": True,
            "authn_request_signed": True,
            "want_assertion_signed": True,
            "want_message_signed": False,
            "want_attribute_statement": False,
            "reject_deprecated_algorithm": True,
            "reject_idp_initiated_sso": True,
            # python3-saml's URL check wants a dot in the host: an internal name (a container's,
            # the test client's "testserver") is the portal's own address, taken as it is.
            "allow_single_label_domains": True,
            "private_key": key,
            "x509cert": cert,
        },
        # Read by build_config (not allauth).
        "portal": {
            "certificates": certificates,
            "contexts": provider.contexts if provider.request_contexts else [],
            "comparison": provider.saml_context_comparison,
        },
    }


def build_config(request, app):
    config = build_saml_config(request, app.settings, app.client_id)
    portal = app.settings.get("portal", {})
    certificates = portal.get("certificates") or []
    if len(certificates) > 1:
        config["idp"].pop("x509cert", None)
        config["idp"]["x509certMulti"] = {"signing": certificates}
    security = config["security"]
    security["wantAssertionsSigned"] = True
    security["rejectDeprecatedAlgorithm"] = True
    security["authnRequestsSigned"] = True
    security["requestedAuthnContext"] = portal.get("contexts") or False
    security["requestedAuthnContextComparison"] = portal.get("comparison") or "exact"
    return config


def _request_data(request):
    """python3-saml's view of a request (allauth's ``prepare_django_request``, with the host
    from ``get_host()``: a request without a Host header is no KeyError)."""
    return {
        "https": "on" if request.is_secure() else "off",
        "http_host": request.META.get("HTTP_HOST") or request.get_host(),
        "script_name": request.META.get("SCRIPT_NAME", ""),
        "path_info": request.META.get("PATH_INFO", request.path_info),
        "get_data": request.GET.copy(),
        "post_data": request.POST.copy(),
    }


def build_auth(request, provider):
    from onelogin.saml2.auth import OneLogin_Saml2_Auth

    return OneLogin_Saml2_Auth(_request_data(request), build_config(request, provider.app))


# --- the provider --------------------------------------------------------------------------


class PortalSAMLProvider(SAMLProvider):
    """allauth's SAML provider with the portal's request and the answer's level
    (``SOCIALACCOUNT_PROVIDERS["saml"]["provider_class"]``)."""

    # allauth includes "<package>.urls": allauth's SAML URL patterns with the portal's views
    # where they differ (networks/federation/saml/urls.py).
    package = "networks.federation.saml"

    def get_redirect_from_request_kwargs(self, request):
        kwargs = super().get_redirect_from_request_kwargs(request)
        from urllib.parse import parse_qs

        auth_params = parse_qs(request.POST.get("auth_params") or request.GET.get("auth_params") or "")
        if auth_params.get("force_authn") == ["true"]:
            kwargs["force_authn"] = True
        return kwargs

    def redirect(self, request: HttpRequest, process, next_url=None, data=None, force_authn=False, **kwargs):
        auth = build_auth(request, self)
        location = auth.login(return_to="", force_authn=bool(force_authn))
        self.stash_redirect_state(
            request, process, next_url, data, state_id=auth.get_last_request_id(),
            **({"force_authn": True} if force_authn else {}), **kwargs,
        )
        return HttpResponseRedirect(location)

    def extract_uid(self, data):
        uid = super().extract_uid(data)
        return uid if isinstance(uid, str) and uid and len(uid) <= 191 else NO_UID

    def extract_extra_data(self, data):
        """The answer as the adapter reads it (``services.saml_answer``): its attributes, its
        NameID, and the signed assertion's AuthnContextClassRef and AuthnInstant."""
        contexts = data.get_last_authn_contexts() or []
        return {
            "attributes": data.get_attributes(),
            "name_id": data.get_nameid() or "",
            "acr": contexts[0] if contexts else "",
            "auth_time": authn_instant(data),
        }


def authn_instant(auth):
    """The signed assertion's ``AuthnStatement/@AuthnInstant`` as a POSIX time, or None.
    python3-saml accepts a response with exactly one assertion, the one whose ID it names."""
    from lxml import etree

    xml = auth.get_last_response_xml()
    assertion_id = auth.get_last_assertion_id()
    if not xml or not assertion_id:
        return None
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        root = etree.fromstring(xml.encode() if isinstance(xml, str) else xml, parser)
        values = root.xpath(
            "//saml:Assertion[@ID=$id]/saml:AuthnStatement/@AuthnInstant", namespaces={"saml": SAML_NS}, id=assertion_id,
        )
        if not values:
            return None
        return datetime.fromisoformat(values[0].replace("Z", "+00:00")).timestamp()
    except (etree.XMLSyntaxError, ValueError):
        return None


def fresh_assertion(provider, auth):
    """True the first time an assertion (by its IdP and ID) is presented; kept in the cache
    until it expires (its NotOnOrAfter, plus python3-saml's allowed clock drift)."""
    from onelogin.saml2.constants import OneLogin_Saml2_Constants

    assertion_id = auth.get_last_assertion_id()
    if not assertion_id:
        return False
    not_on_or_after = auth.get_last_assertion_not_on_or_after() or (time.time() + 3600)
    timeout = max(int(not_on_or_after - time.time()), 60) + int(OneLogin_Saml2_Constants.ALLOWED_CLOCK_DRIFT)
    key = f"saml-assertion:{provider.sub_id}:{assertion_id}"
    return cache.add(key, 1, timeout=timeout)


# --- the views -----------------------------------------------------------------------------


def failure_code(auth, request_data):
    """Why python3-saml refused an answer, as a short code for the audit row
    (docs/federation.md's table): the answer checked again, raising this time, for its code."""
    from onelogin.saml2.errors import OneLogin_Saml2_ValidationError as E
    from onelogin.saml2.response import OneLogin_Saml2_Response

    codes = {
        E.ASSERTION_EXPIRED: "saml_expired", E.RESPONSE_EXPIRED: "saml_expired", E.SESSION_EXPIRED: "saml_expired",
        E.WRONG_AUDIENCE: "saml_wrong_audience", E.WRONG_DESTINATION: "saml_wrong_destination",
        # No SubjectConfirmation for this ACS still valid (its Recipient or NotOnOrAfter).
        E.WRONG_SUBJECTCONFIRMATION: "saml_subject_confirmation",
        E.NO_SIGNED_ASSERTION: "saml_unsigned", E.NO_SIGNATURE_FOUND: "saml_unsigned",
        E.INVALID_SIGNATURE: "saml_bad_signature",
        E.DEPRECATED_SIGNATURE_METHOD: "saml_sha1", E.DEPRECATED_DIGEST_METHOD: "saml_sha1",
    }
    try:
        response = OneLogin_Saml2_Response(auth.get_settings(), request_data["post_data"]["SAMLResponse"])
        response.is_valid(request_data, raise_exceptions=True)
    except E as e:
        return codes.get(e.code, "saml_invalid_response")
    except Exception:  # noqa: BLE001 (an answer that does not even parse)
        return "saml_invalid_response"
    return "saml_invalid_response"


def _refused(request, provider, code, reason=""):
    logger.warning("SAML login refused: provider=%s code=%s reason=%s", provider.sub_id, code, reason)
    return render_authentication_error(request, provider, error=code, extra_context={"saml_errors": [code]})


@method_decorator(csrf_exempt, name="dispatch")
@method_decorator(login_not_required, name="dispatch")
class ACSView(allauth_views.ACSView):
    """allauth's: the IdP's POST kept in a short-lived cookie, then on to the finish view (the
    session cookie is not sent with a cross-site POST); the host kept for ``_request_data``.

    The one CSRF-exempt view of the portal (tests/portal/test_security_headers.py): the SAML
    HTTP-POST binding is a cross-site POST from the IdP's page, which can carry no token. It
    changes nothing and logs no one in: the finish view (a GET, with the session) accepts only a
    signed assertion answering a request this browser made (InResponseTo), once."""

    def dispatch(self, request, organization_slug):
        if "HTTP_HOST" not in request.META:
            request.META["HTTP_HOST"] = request.get_host()
        return super().dispatch(request, organization_slug)


@method_decorator(login_not_required, name="dispatch")
class FinishACSView(allauth_views.FinishACSView):
    def dispatch(self, request, organization_slug):
        from allauth.core.internal import httpkit
        from allauth.socialaccount.sessions import LoginSession
        from onelogin.saml2.auth import OneLogin_Saml2_Auth
        from onelogin.saml2.errors import OneLogin_Saml2_Error, OneLogin_Saml2_ValidationError

        provider = self.get_provider(organization_slug)
        acs_session = LoginSession(request, "saml_acs_session", "saml-acs-session")
        data = acs_session.store.get("request")
        acs_session.delete()
        if not data:
            return _refused(request, provider, "saml_no_response")
        acs_request = httpkit.deserialize_request(data, HttpRequest())
        request_data = _request_data(acs_request)
        auth = OneLogin_Saml2_Auth(request_data, build_config(acs_request, provider.app))
        try:
            # InResponseTo is checked below, against the requests this browser sent.
            auth.process_response(request_id=None)
        except (binascii.Error, OneLogin_Saml2_Error, OneLogin_Saml2_ValidationError, ValueError) as e:
            return _refused(request, provider, "saml_invalid_response", str(e))
        if auth.get_errors():
            return _refused(request, provider, failure_code(auth, request_data), auth.get_last_error_reason())
        if not auth.is_authenticated():
            return render_authentication_error(request, provider, error=AuthError.CANCELLED)
        state_id = auth.get_last_response_in_response_to()
        if not state_id:
            return _refused(request, provider, "saml_unsolicited")
        if not fresh_assertion(provider, auth):
            return _refused(request, provider, "saml_replayed")
        try:
            state = provider.unstash_redirect_state(request, state_id)
        except PermissionDenied:
            return _refused(request, provider, "saml_unknown_request")
        login = provider.sociallogin_from_response(request, auth)
        login.state = state
        return complete_social_login(request, login)


# Not CSRF-exempt: single logout over the HTTP-POST binding is not supported (docs/federation.md,
# "Not done yet"); the HTTP-Redirect binding is a GET.
@method_decorator(login_not_required, name="dispatch")
class SLSView(allauth_views.SLSView):
    def dispatch(self, request, organization_slug):
        if "HTTP_HOST" not in request.META:
            request.META["HTTP_HOST"] = request.get_host()
        return super().dispatch(request, organization_slug)
