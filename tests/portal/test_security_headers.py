"""docs/security.md promises 8 (headers on every route) and 9 (CSRF on every state-changing route).

Every route comes from walking the URL resolver (test_routes.py), so new pages are covered
without being listed here."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client

from portal import routes

from .test_routes import ROUTES, route_id

# The SAML assertion consumer service: the IdP's page POSTs the signed answer cross-site (the
# HTTP-POST binding), which can carry no CSRF token. Its view writes nothing; the finish page
# (a GET) accepts only a signed assertion answering this browser's own request, once
# (tests/childplans/test_saml_login.py; docs/federation.md).
CSRF_EXEMPT_BY_PROTOCOL = {"saml_acs"}
CSRF_EXEMPT_VIEWS = {"networks/federation/saml/__init__.py": ["ACSView"]}

BASE_DIR = Path(settings.BASE_DIR)
PRODUCTION_ENV = {
    "SECRET_KEY": "test-" + "k3y-" * 16,
    "ALLOWED_HOSTS": "portal.example.se",
    "DATABASE_URL": "sqlite:////tmp/x.db",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "PORTAL_BASE_URL": "https://portal.example.se",
}


def _directives(response):
    policy = response["Content-Security-Policy"]
    result = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            result[words[0]] = words[1:]
    return result


def assert_security_headers(response, label):
    assert "Content-Security-Policy" in response, f"{label}: no CSP"
    csp = _directives(response)
    script_src = csp.get("script-src", csp.get("default-src"))
    assert script_src, f"{label}: CSP without script-src"
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src, label
    assert any(s.startswith("'nonce-") for s in script_src), f"{label}: CSP without a nonce"
    assert csp.get("frame-ancestors") == ["'none'"], label
    assert csp.get("object-src") == ["'none'"], label
    assert response["X-Content-Type-Options"] == "nosniff", label
    assert response["Referrer-Policy"] == "same-origin", label
    assert response["X-Frame-Options"] == "DENY", label


def _get_every_route(client):
    for route in ROUTES:
        yield route, client.get(route.url)


@pytest.mark.django_db
def test_headers_on_every_route_logged_out(client):
    for route, response in _get_every_route(client):
        assert_security_headers(response, route)


@pytest.mark.django_db
def test_headers_and_no_store_on_every_route_logged_in(client, administrator):
    """As an administrator (who may open the admin too). Pages for a logged-in user are never
    stored by a browser or proxy."""
    client.force_login(administrator)
    seen_logged_in = 0
    for route, response in _get_every_route(client):
        assert_security_headers(response, route)
        if response.wsgi_request.user.is_authenticated:
            seen_logged_in += 1
            assert "no-store" in response["Cache-Control"], f"{route}: {response.get('Cache-Control')}"
    # The walk itself never logs the user out, so every route was checked logged in.
    assert seen_logged_in == len(ROUTES)


@pytest.mark.django_db
def test_nonce_is_fresh_per_response(client):
    first = _directives(client.get("/konto/login/"))["script-src"]
    second = _directives(client.get("/konto/login/"))["script-src"]
    assert [s for s in first if "nonce" in s] != [s for s in second if "nonce" in s]


@pytest.mark.django_db
def test_pages_have_no_inline_script_or_style(client, administrator):
    """The policy allows no inline script; the pages carry none (nor style="" attributes)."""
    client.force_login(administrator)
    for path in ["/", "/konto/password/change/", "/konto/2fa/", "/konto/sessions/", "/profil/"]:
        html = client.get(path).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, f"{path}: {tag}"
        assert not re.search(r"\sstyle=\"", html), path


# --- production settings --------------------------------------------------------------

def _production_settings(*names, env=None):
    """Values of production settings, read in a subprocess with only the given environment."""
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}, default=str))"
    )
    result = _run_python(code, env=PRODUCTION_ENV if env is None else env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _run_python(code, *, env, args=None):
    environ = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        **env,
    }
    # A developer's .env must not supply what the test leaves out.
    prelude = "import environ; environ.Env.read_env = classmethod(lambda *a, **k: None); "
    command = [sys.executable, *(args or ["-c", prelude + code])]
    return subprocess.run(command, cwd=BASE_DIR, env=environ, capture_output=True, text=True, timeout=120)


def test_production_has_hsts_for_a_year_with_subdomains_and_secure_cookies():
    values = _production_settings(
        "DEBUG",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_CONTENT_TYPE_NOSNIFF",
        "X_FRAME_OPTIONS",
        "SECURE_REFERRER_POLICY",
    )
    assert values == {
        "DEBUG": False,
        "SECURE_HSTS_SECONDS": 365 * 24 * 3600,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_REFERRER_POLICY": "same-origin",
    }


def test_check_deploy_reports_nothing_with_production_settings():
    result = _run_python(
        "", env=PRODUCTION_ENV, args=["manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = _run_python(
        "import django; from django.conf import settings; django.setup(); print(settings.SECRET_KEY)",
        env=env,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "SECRET_KEY" in result.stderr


# --- CSRF (promise 9) -------------------------------------------------------------------

def _snapshot():
    """Every row of every table, except the session bookkeeping a request always touches."""
    skip = {"sessions.session", "usersessions.usersession"}
    data = {}
    for model in apps.get_models():
        if model._meta.label_lower in skip or not model._meta.managed:
            continue
        data[model._meta.label_lower] = list(model.objects.order_by("pk").values())
    return data


@pytest.mark.django_db
def test_post_without_csrf_token_is_rejected_on_every_route(administrator, network, participant):
    client = Client(enforce_csrf_checks=True)
    client.force_login(administrator)
    client.get("/")  # the session's first request records it (usersessions)
    before = _snapshot()
    for route in ROUTES:
        response = client.post(route.url, {"email": "ny@exempel.se", "name": "x", "title": "x"})
        if route.key in CSRF_EXEMPT_BY_PROTOCOL:
            # kept aside in a short-lived cookie for the finish page (a GET), nothing written
            assert response.status_code == 302, f"{route}: {response.status_code}"
            assert response["Location"].endswith("/acs/finish/"), response["Location"]
            continue
        assert response.status_code == 403, f"{route}: {response.status_code}"
    assert _snapshot() == before
    assert client.get("/").wsgi_request.user == administrator  # not even logged out


@pytest.mark.django_db
@pytest.mark.parametrize(
    "route",
    [r for r in ROUTES if routes.classify(r.key) == routes.PUBLIC and r.key not in CSRF_EXEMPT_BY_PROTOCOL],
    ids=route_id,
)
def test_public_post_without_csrf_token_is_rejected_logged_out(route):
    client = Client(enforce_csrf_checks=True)
    assert client.post(route.url, {"login": "a@b.se", "password": "x"}).status_code == 403


def test_no_csrf_exempt_in_the_project():
    """No view is exempt from the CSRF check but the SAML assertion consumer service."""
    offenders = []
    for path in BASE_DIR.rglob("*.py"):
        relative = path.relative_to(BASE_DIR)
        if relative.parts[0] in {".venv", "tests", "node_modules", "var", ".tools"}:
            continue
        text = path.read_text(encoding="utf-8")
        if "csrf_exempt" not in text:
            continue
        exempted = re.findall(r"@method_decorator\(csrf_exempt[^)]*\)\n(?:@.*\n)*class (\w+)", text)
        uses = text.count("csrf_exempt") - text.count("import csrf_exempt")
        if exempted != CSRF_EXEMPT_VIEWS.get(str(relative)) or uses != len(exempted):
            offenders.append(f"{relative}: {exempted or uses}")
    assert not offenders
