"""A real OpenID Connect provider on this machine, for the tests and the demo (issue 20).

allauth's own ``allauth.idp.oidc`` in a small Django project of its own, run as a separate
process (``python tests/idp/oidc.py --port 0 --config ...``): its own settings, its own SQLite
file, its own RSA signing key. The portal talks to it over HTTP exactly as to Entra ID or
Keycloak (discovery, authorize, token, userinfo, JWKS); nothing is mocked.

The config (JSON) names the client (id, secret, redirect URIs) and the people who can log in,
each with a password, the ``acr`` this provider asserts for them (the authentication context it
reached: e.g. LoA3, a weaker one, or none) and extra claims (e.g. an HSA-id).

``OIDCProvider`` (for the tests) starts it on a free port and stops it."""

import json
import os
import sys
import tempfile
from pathlib import Path

if __name__ == "__main__":  # run as a script: the repository on the path, for tests.idp.process
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.idp.process import IdPProcess, serve  # noqa: E402

LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"
LOA2 = "http://id.elegnamnden.se/loa/1.0/loa2"


# --- the provider's process ------------------------------------------------------------------

PEOPLE = {}  # e-mail -> {"acr": ..., "claims": {...}}


def _configure(workdir, config):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from django.conf import settings

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    settings.configure(
        DEBUG=False,
        SECRET_KEY=os.urandom(32).hex(),
        ALLOWED_HOSTS=["*"],
        # Cookies are per host, not per port: on 127.0.0.1 beside the portal, the provider's
        # own names keep it from overwriting the portal's session (and its login state).
        SESSION_COOKIE_NAME="idp_sessionid",
        CSRF_COOKIE_NAME="idp_csrftoken",
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "django.contrib.messages",
            "allauth",
            "allauth.account",
            "allauth.idp.oidc",
        ],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
            "allauth.account.middleware.AccountMiddleware",
        ],
        TEMPLATES=[{
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "APP_DIRS": True,
            "OPTIONS": {"context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]},
        }],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(Path(workdir) / "idp.sqlite3")}},
        AUTHENTICATION_BACKENDS=["allauth.account.auth_backends.AuthenticationBackend"],
        ACCOUNT_LOGIN_METHODS={"email"},
        ACCOUNT_SIGNUP_FIELDS=["email*", "password1*"],
        ACCOUNT_EMAIL_VERIFICATION="none",
        ACCOUNT_RATE_LIMITS=False,
        IDP_OIDC_PRIVATE_KEY=pem,
        IDP_OIDC_ADAPTER=f"{__name__}.ProviderAdapter",
        USE_TZ=True,
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],  # test IdP only
        LOGGING_CONFIG=None,
    )


def _seed(config):
    from allauth.account.models import EmailAddress
    from allauth.idp.oidc.models import Client
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    User = get_user_model()
    for person in config["people"]:
        user = User.objects.create_user(username=person["email"], email=person["email"], password=person["password"])
        EmailAddress.objects.create(user=user, email=person["email"], verified=person.get("email_verified", True), primary=True)
        PEOPLE[person["email"]] = person
    client = config["client"]
    registered = Client(
        id=client["id"],
        name="Barnstödsportalen",
        scopes="openid\nemail\nprofile",
        redirect_uris="\n".join(client["redirect_uris"]),
        grant_types="authorization_code",
        response_types="code",
        skip_consent=True,
        type=Client.Type.CONFIDENTIAL,
    )
    registered.set_secret(client["secret"])
    registered.save()


def _adapter_class():
    from allauth.idp.oidc.adapter import DefaultOIDCAdapter

    class ProviderAdapter(DefaultOIDCAdapter):
        def get_claims(self, purpose, user, client, scopes, email=None, **kwargs):
            claims = super().get_claims(purpose, user, client, scopes, email=email, **kwargs)
            person = PEOPLE.get(user.email, {})
            claims.update(person.get("claims", {}))
            if purpose == "id_token" and person.get("acr"):
                claims["acr"] = person["acr"]
            return claims

    return ProviderAdapter


urlpatterns = []

# The demo (``./portal.sh run``): Region Kronoberg's provider, asserting LoA3 for its staff in
# the demo (networks/federation/demo.py creates the portal's side).
DEMO_CLIENT_ID = "barnstodsportalen-demo"
DEMO_CLIENT_SECRET = "demo-secret-not-for-production"  # noqa: S105 (the demo's, published)
DEMO_SLUG = "region-kronoberg"
DEMO_PEOPLE = ["eva.johansson@exempel.se", "samordnare.kronoberg@exempel.se"]
DEMO_PASSWORD = "barnens-basta-demo-2025"  # the demo's published password (networks/demo.py)


def demo_config(portal_url):
    from urllib.parse import urlsplit

    port = urlsplit(portal_url).port or 80
    callback = f"/konto/oidc/{DEMO_SLUG}/login/callback/"
    return {
        "client": {
            "id": DEMO_CLIENT_ID, "secret": DEMO_CLIENT_SECRET,
            "redirect_uris": [f"http://{host}:{port}{callback}" for host in ("127.0.0.1", "localhost")],
        },
        "people": [{"email": e, "password": DEMO_PASSWORD, "acr": LOA3} for e in DEMO_PEOPLE],
    }


def main():
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--config", help="JSON: client and people")
    parser.add_argument("--demo", metavar="PORTAL_URL", help="the demo's provider for the portal at PORTAL_URL")
    args = parser.parse_args()
    if args.demo:
        config = demo_config(args.demo)
    else:
        config = json.loads(Path(args.config).read_text(encoding="utf-8"))
    workdir = tempfile.mkdtemp(prefix="oidc-idp-")
    _configure(workdir, config)
    import django

    django.setup()
    global ProviderAdapter, urlpatterns
    ProviderAdapter = _adapter_class()
    from django.urls import include, path

    urlpatterns = [path("", include("allauth.idp.urls")), path("accounts/", include("allauth.urls"))]
    _seed(config)
    from django.core.wsgi import get_wsgi_application

    serve(get_wsgi_application(), args.port)


# --- for the tests ---------------------------------------------------------------------------


class OIDCProvider(IdPProcess):
    """The provider in its own process, on a free port: ``url`` is its issuer."""

    name = "OIDC provider"

    def __init__(self, *, client_id, client_secret, redirect_uris, people, port=0):
        config = {
            "client": {"id": client_id, "secret": client_secret, "redirect_uris": list(redirect_uris)},
            "people": people,
        }
        super().__init__(__file__, config, port)


def log_in_through(client, provider, slug, email, password, *, start_path=None, follow=True):
    """A whole login through the provider with Django's test ``client`` as the browser on the
    portal's side and ``requests`` as the browser on the provider's side: start at the portal,
    log in at the provider, come back to the portal's callback. Returns the portal's answer
    to the callback (``follow=False``: the callback's path and query, not yet opened)."""
    from urllib.parse import urlsplit

    import requests

    start = client.post(start_path or f"/konto/oidc/{slug}/login/", {"process": "login"})
    assert start.status_code == 302, start
    authorize_url = start["Location"]
    assert authorize_url.startswith(provider.url), authorize_url
    browser = requests.Session()
    answer = browser.get(authorize_url, allow_redirects=False, timeout=10)
    if answer.status_code == 302 and "/accounts/login/" in answer.headers["Location"]:
        login_url = provider.url + answer.headers["Location"] if answer.headers["Location"].startswith("/") else answer.headers["Location"]
        page = browser.get(login_url, timeout=10)
        answer = browser.post(
            login_url,
            data={"login": email, "password": password, "csrfmiddlewaretoken": browser.cookies["idp_csrftoken"]},
            headers={"Referer": login_url},
            allow_redirects=False,
            timeout=10,
        )
        assert answer.status_code == 302, page.text[:2000]
        location = answer.headers["Location"]
        answer = browser.get(provider.url + location if location.startswith("/") else location, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:2000]
    callback = urlsplit(answer.headers["Location"])
    if not follow:
        return f"{callback.path}?{callback.query}"
    return client.get(f"{callback.path}?{callback.query}")


ProviderAdapter = None

if __name__ == "__main__":
    main()
