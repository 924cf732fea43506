"""A real SAML 2.0 identity provider on this machine, for the tests and the demo (issue 20).

pysaml2's ``Server`` (the IdP side of pysaml2, signing with Debian's ``xmlsec1``) behind a small
WSGI app, run as a separate process (``python tests/idp/saml.py --port 0 --config ...``) with
its own signing key and certificate. The portal talks to it as to Inera's IdP or a Sambi
member's: the browser carries a signed AuthnRequest to ``/sso`` (HTTP-Redirect) and the
signed assertion back to the portal's ACS (HTTP-POST); nothing is mocked.

The config (JSON) names the SP (its entity id, its ACS URL and its certificate, which the IdP
checks the AuthnRequest's signature with) and the people who can log in, each with a password,
the ``AuthnContextClassRef`` this IdP asserts for them (e.g. LoA3, LoA2, or none: then the
assertion carries no authentication statement), attributes, and optionally a ``quirk`` that
makes this IdP answer wrongly for them (``unsigned``, ``wrong_audience``,
``wrong_destination``, ``sha1``, ``unsolicited``, ``ignores_force_authn``: answers from its
session without asking for the password), for the tests of what the portal refuses.

Endpoints: ``/metadata`` (the IdP's metadata), ``/sso`` (a login: the login form, or the answer
at once when this browser is logged in here and the request does not say ``ForceAuthn``),
``/login`` (the form's POST), ``/last-request`` (JSON: the last AuthnRequest, whether its
signature was valid, its RequestedAuthnContext and ForceAuthn, and whether the password was
asked)."""

import base64
import html
import json
import secrets
import sys
import tempfile
import time
import zlib
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qs, unquote

if __name__ == "__main__":  # run as a script: the repository on the path, for tests.idp.process
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.idp.process import IdPProcess, free_port, serve  # noqa: E402

LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"
LOA2 = "http://id.elegnamnden.se/loa/1.0/loa2"
MAIL = "urn:oid:0.9.2342.19200300.100.1.3"
EPPN = "urn:oid:1.3.6.1.4.1.5923.1.1.1.6"
HSA_ID = "urn:oid:1.2.752.29.6.2.1"
SIG_RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SIG_RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
LIFETIME_MINUTES = 10  # the assertion's NotOnOrAfter
PASSWORD_DECLARATION = "urn:x-test:authn-declaration:password"


# --- the IdP's process -----------------------------------------------------------------------


def _key_and_certificate(workdir):
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test SAML IdP")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365)).sign(key, hashes.SHA256())
    )
    key_file, cert_file = Path(workdir) / "idp.key", Path(workdir) / "idp.crt"
    key_file.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption(),
    ))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(key_file), str(cert_file)


def _server(base_url, workdir):
    import shutil

    from saml2 import BINDING_HTTP_REDIRECT
    from saml2 import server as saml2_server
    from saml2.config import IdPConfig
    from saml2.server import Server

    # pysaml2 builds an AuthnContextDeclRef, but its authn dict does not name one.
    saml2_server.AUTHN_DICT_MAP.setdefault("decl_ref", "authn_decl_ref")
    key_file, cert_file = _key_and_certificate(workdir)
    config = IdPConfig()
    config.load({
        "entityid": f"{base_url}/metadata",
        "service": {"idp": {
            "name": "Test SAML IdP",
            "endpoints": {"single_sign_on_service": [(f"{base_url}/sso", BINDING_HTTP_REDIRECT)]},
            "policy": {"default": {"lifetime": {"minutes": LIFETIME_MINUTES}, "attribute_restrictions": None}},
            "name_id_format": ["urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"],
        }},
        "key_file": key_file,
        "cert_file": cert_file,
        "xmlsec_binary": shutil.which("xmlsec1"),
        "metadata": {},
    })
    server = Server(config=config)
    # The SP is known by the config, not by metadata: nothing is encrypted for it.
    server.has_encrypt_cert_in_metadata = lambda sp_entity_id: False
    return server, cert_file


class IdP:
    def __init__(self, base_url, config, workdir):
        self.base_url = base_url
        self.config = config
        self.server, self.cert_file = _server(base_url, workdir)
        self.people = {p["username"]: p for p in config["people"]}
        self.sessions = {}  # cookie -> (username, when the password was given)
        self.pending = {}  # key -> the request being answered
        self.last_request = {}

    # --- WSGI
    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        try:
            if path == "/metadata":
                return self._metadata(start_response)
            if path == "/sso":
                return self._sso(environ, start_response)
            if path == "/login" and environ["REQUEST_METHOD"] == "POST":
                return self._login(environ, start_response)
            if path == "/last-request":
                return _respond(start_response, "200 OK", json.dumps(self.last_request), "application/json")
        except Exception as e:  # noqa: BLE001 (a test IdP: the error in the answer)
            import traceback

            return _respond(start_response, "500 Internal Server Error", traceback.format_exc() + repr(e), "text/plain")
        return _respond(start_response, "404 Not Found", "not found", "text/plain")

    def _metadata(self, start_response):
        from saml2.metadata import create_metadata_string

        xml = create_metadata_string(None, config=self.server.config, valid=24 * 365, sign=False)
        return _respond(start_response, "200 OK", xml.decode() if isinstance(xml, bytes) else xml, "application/samlmetadata+xml")

    def _sso(self, environ, start_response):
        from saml2.samlp import authn_request_from_string

        raw = environ.get("QUERY_STRING", "")
        params = {k: v[0] for k, v in parse_qs(raw).items()}
        xml = zlib.decompress(base64.b64decode(params["SAMLRequest"]), -15).decode()
        request = authn_request_from_string(xml)
        contexts, comparison = [], None
        if request.requested_authn_context is not None:
            contexts = [ref.text.strip() for ref in request.requested_authn_context.authn_context_class_ref]
            comparison = request.requested_authn_context.comparison
        force = str(request.force_authn).lower() in ("true", "1")
        self.last_request = {
            "xml": xml,
            "id": request.id,
            "sig_alg": params.get("SigAlg"),
            "signature_valid": self._signature_valid(raw, params),
            "requested_contexts": contexts,
            "comparison": comparison,
            "force_authn": force,
            "password_asked": False,
        }
        pending = {
            "id": request.id, "relay_state": params.get("RelayState", ""),
            "acs_url": request.assertion_consumer_service_url,
            "entity_id": request.issuer.text.strip() if request.issuer is not None else "",
        }
        session = self.sessions.get(_cookie(environ))
        ignores = session and self.people[session[0]].get("quirk") == "ignores_force_authn"
        if session and (not force or ignores):
            return self._answer(start_response, session[0], pending, authn_instant=session[1])
        key = secrets.token_urlsafe(16)
        self.pending[key] = pending
        self.last_request["password_asked"] = True
        form = (
            "<!doctype html><html lang=sv><head><meta charset=utf-8><title>Test-IdP</title></head><body>"
            "<h1>Test-IdP: logga in</h1>"
            f"<form method=post action='/login'><input type=hidden name=pending value='{key}'>"
            "<label>Användarnamn <input name=username autocomplete=username></label>"
            "<label>Lösenord <input name=password type=password autocomplete=current-password></label>"
            "<button type=submit>Logga in</button></form></body></html>"
        )
        return _respond(start_response, "200 OK", form, "text/html; charset=utf-8")

    def _signature_valid(self, raw, params):
        """The HTTP-Redirect binding's signature (SAML Bindings 3.4.4.1) over the query as sent,
        checked with the SP's certificate from the config."""
        from cryptography import x509
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        if "Signature" not in params or params.get("SigAlg") != SIG_RSA_SHA256:
            return False
        parts = dict(p.split("=", 1) for p in raw.split("&") if "=" in p)
        signed = "&".join(f"{k}={parts[k]}" for k in ("SAMLRequest", "RelayState", "SigAlg") if k in parts)
        cert = x509.load_pem_x509_certificate(self.config["sp"]["cert"].encode())
        try:
            cert.public_key().verify(
                base64.b64decode(unquote(parts["Signature"])), signed.encode(), padding.PKCS1v15(), hashes.SHA256(),
            )
        except InvalidSignature:
            return False
        return True

    def _login(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        form = {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(length).decode()).items()}
        pending = self.pending.pop(form.get("pending", ""), None)
        person = self.people.get(form.get("username", ""))
        if pending is None or person is None or person["password"] != form.get("password"):
            return _respond(start_response, "403 Forbidden", "fel användarnamn eller lösenord", "text/plain; charset=utf-8")
        cookie, now = secrets.token_urlsafe(16), time.time()
        self.sessions[cookie] = (person["username"], now)
        return self._answer(start_response, person["username"], pending, authn_instant=now, set_cookie=cookie)

    def _answer(self, start_response, username, pending, *, authn_instant, set_cookie=None):
        """The signed assertion, in an auto-posting form to the SP's ACS (HTTP-POST binding)."""
        from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID

        person = self.people[username]
        quirk = person.get("quirk")
        sp = dict(self.config["sp"])
        # The demo's SP is reached as 127.0.0.1 or localhost: the request names which.
        if pending.get("acs_url") in sp.get("acs_urls", ()):
            sp["acs_url"] = pending["acs_url"]
        if pending.get("entity_id") in sp.get("entity_ids", ()):
            sp["entity_id"] = pending["entity_id"]
        identity = {name: [value] for name, value in person.get("attributes", {}).items()}
        if person.get("context"):
            authn = {"class_ref": person["context"], "authn_instant": authn_instant}
        else:
            # No class: an AuthnStatement (python3-saml requires one) whose context names a
            # declaration only (SAML Core 2.7.2.2).
            from saml2.saml import AuthnContextDeclRef

            authn = {"decl_ref": AuthnContextDeclRef(text=PASSWORD_DECLARATION), "authn_instant": authn_instant}
        sha1 = quirk == "sha1"
        response = self.server.create_authn_response(
            identity,
            in_response_to=None if quirk == "unsolicited" else pending["id"],
            destination="https://another-sp.example.se/acs/" if quirk == "wrong_destination" else sp["acs_url"],
            sp_entity_id="https://another-sp.example.se/metadata" if quirk == "wrong_audience" else sp["entity_id"],
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=person.get("name_id", f"id-{username}")),
            authn=authn,
            sign_assertion=quirk != "unsigned",
            sign_response=False,
            sign_alg=SIG_RSA_SHA1 if sha1 else SIG_RSA_SHA256,
            digest_alg="http://www.w3.org/2000/09/xmldsig#sha1" if sha1 else "http://www.w3.org/2001/04/xmlenc#sha256",
        )
        encoded = base64.b64encode(str(response).encode()).decode()
        page = (
            "<!doctype html><html lang=sv><head><meta charset=utf-8><title>Test-IdP</title></head>"
            "<body><form id=answer method=post action='" + html.escape(sp["acs_url"]) + "'>"
            f"<input type=hidden name=SAMLResponse value='{encoded}'>"
            f"<input type=hidden name=RelayState value='{html.escape(pending['relay_state'])}'>"
            "<button type=submit>Fortsätt</button></form>"
            "<script>document.getElementById('answer').submit()</script></body></html>"
        )
        headers = [("Set-Cookie", f"saml_idp_session={set_cookie}; Path=/; HttpOnly")] if set_cookie else []
        return _respond(start_response, "200 OK", page, "text/html; charset=utf-8", headers)


def _cookie(environ):
    cookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
    return cookie["saml_idp_session"].value if "saml_idp_session" in cookie else None


def _respond(start_response, status, body, content_type, headers=()):
    data = body.encode()
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(data))), *headers])
    return [data]


# The demo (``./portal.sh run``): Växjö kommun's IdP, asserting LoA3 for its demo staff
# (networks/federation/demo.py creates the portal's side from this IdP's metadata).
DEMO_SLUG = "vaxjo-kommun"
DEMO_PEOPLE = ["socialtjanst.vaxjo@exempel.se", "samordnare.vaxjo@exempel.se", "sofia.lindgren@exempel.se"]
DEMO_PASSWORD = "barnens-basta-demo-2025"  # the demo's published password (networks/demo.py)


def demo_config(portal_url):
    """The demo IdP's config: the portal's SP certificate read from its file (made now when
    missing, as the portal would), its ACS and entity id (allauth's metadata URL)."""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
    import django

    django.setup()
    from urllib.parse import urlsplit

    from networks.federation.saml import sp_credentials

    _, cert = sp_credentials()
    base = portal_url.rstrip("/")
    port = urlsplit(base).port or 80
    bases = [f"http://{host}:{port}" for host in ("127.0.0.1", "localhost")]
    return {
        "sp": {
            "entity_id": f"{base}/konto/saml/{DEMO_SLUG}/metadata/",
            "acs_url": f"{base}/konto/saml/{DEMO_SLUG}/acs/",
            "entity_ids": [f"{b}/konto/saml/{DEMO_SLUG}/metadata/" for b in bases],
            "acs_urls": [f"{b}/konto/saml/{DEMO_SLUG}/acs/" for b in bases],
            "cert": cert,
        },
        "people": [
            {"username": e, "password": DEMO_PASSWORD, "context": LOA3, "attributes": {MAIL: e}} for e in DEMO_PEOPLE
        ],
    }


def main():
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--config", help="JSON: sp and people")
    parser.add_argument("--demo", metavar="PORTAL_URL", help="the demo's IdP for the portal at PORTAL_URL")
    args = parser.parse_args()
    config = demo_config(args.demo) if args.demo else json.loads(Path(args.config).read_text(encoding="utf-8"))
    port = args.port or free_port()
    workdir = tempfile.mkdtemp(prefix="saml-idp-")
    serve(IdP(f"http://127.0.0.1:{port}", config, workdir), port)


# --- for the tests ---------------------------------------------------------------------------


class SAMLIdP(IdPProcess):
    """The IdP in its own process, on a free port: ``url`` its base, ``metadata_url`` its
    metadata (entity id)."""

    name = "SAML IdP"

    def __init__(self, *, sp_entity_id, acs_url, sp_cert, people, port=0):
        super().__init__(__file__, {"sp": {"entity_id": sp_entity_id, "acs_url": acs_url, "cert": sp_cert}, "people": people}, port)

    @property
    def metadata_url(self):
        return f"{self.url}/metadata"

    def metadata(self):
        import requests

        return requests.get(self.metadata_url, timeout=10).text

    def last_request(self):
        import requests

        return requests.get(f"{self.url}/last-request", timeout=10).json()


def _form_values(page):
    import re

    return {m.group(1): html.unescape(m.group(2)) for m in re.finditer(r"name=(\w+) value='([^']*)'", page)}


class Browser:
    """The browser on the IdP's side (``requests``): keeps the IdP's session cookie."""

    def __init__(self):
        import requests

        self.session = requests.Session()

    def answer(self, idp, sso_url, username, password):
        """Follow the portal's redirect to ``sso_url``, log in when asked: the SAMLResponse and
        RelayState the IdP's page posts to the ACS."""
        page = self.session.get(sso_url, timeout=10)
        assert page.status_code == 200, page.text[:2000]
        values = _form_values(page.text)
        if "pending" in values:
            page = self.session.post(
                f"{idp.url}/login", data={"pending": values["pending"], "username": username, "password": password}, timeout=10,
            )
            assert page.status_code == 200, page.text[:2000]
            values = _form_values(page.text)
        return {"SAMLResponse": values["SAMLResponse"], "RelayState": values.get("RelayState", "")}


def start_login(client, slug, *, path=None):
    """The portal's side of starting a login: POST the log-in page's form; the IdP's address."""
    start = client.post(path or f"/konto/saml/{slug}/login/", {"process": "login"})
    assert start.status_code == 302, start
    return start["Location"]


def post_answer(client, slug, answer, *, follow=True):
    """The IdP's form posted to the portal's ACS (allauth keeps it in a cookie and redirects
    to its finish view), then the finish view's answer (``follow=False``: the ACS's)."""
    acs = client.post(f"/konto/saml/{slug}/acs/", answer)
    assert acs.status_code == 302, acs
    if not follow:
        return acs
    return client.get(acs["Location"])


def log_in_through(client, idp, slug, username, password, *, browser=None, start_path=None):
    location = start_login(client, slug, path=start_path)
    answer = (browser or Browser()).answer(idp, location, username, password)
    return post_answer(client, slug, answer)


if __name__ == "__main__":
    main()
