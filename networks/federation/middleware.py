"""The Content-Security-Policy's ``form-action`` of the pages that start a federated login.

Chromium applies ``form-action`` to the redirects that follow a form's POST: the log-in page's
"Logga in med …" form posts to the portal, which answers with a redirect to the provider's
authorize endpoint — blocked under ``form-action 'self'``. On those pages only (the log-in page
and allauth's confirmation page of a provider's log-in), the active providers' origins are
added; everywhere else the policy stays ``'self'`` (docs/security.md 8, 24)."""

from urllib.parse import urlsplit

from .models import IdentityProvider

PAGES = frozenset({"account_login", "openid_connect_login", "saml_login", "federated_reauthenticate"})


def provider_origins():
    origins = set()
    for provider in IdentityProvider.objects.filter(is_active=True).only("protocol", "issuer", "saml_sso_url"):
        parts = urlsplit(provider.login_origin_url)
        if parts.scheme in ("https", "http") and parts.netloc:
            origins.add(f"{parts.scheme}://{parts.netloc}")
    return sorted(origins)


class ProviderFormActionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name in PAGES and response.get("Content-Type", "").startswith("text/html"):
            origins = provider_origins()
            if origins:
                update = dict(getattr(response, "_csp_update", None) or {})
                update["form-action"] = [*update.get("form-action", []), *origins]
                response._csp_update = update
        return response
