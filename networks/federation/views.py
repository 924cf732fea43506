from urllib.parse import urlencode

from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from portal import assurance

from .models import IdentityProvider

# Asked of the provider when re-authenticating: a fresh login (OpenID Connect Core 3.1.2.1;
# SAML: ForceAuthn, networks.federation.saml.PortalSAMLProvider).
REAUTH_PARAMS = {"prompt": "login", "max_age": "0"}
SAML_REAUTH_PARAMS = {"force_authn": "true"}


class ReauthenticateView(View):
    """Re-authentication of a session that logged in through a provider: back to the same
    provider with prompt=login (SAML: ForceAuthn) (allauth's re-authentication decorator and the plan pages send
    here: ``AccountAdapter.get_reauthentication_methods``). The answer's level is checked
    again as at any login."""

    def get(self, request):
        data = assurance.session_assurance(request)
        provider = IdentityProvider.objects.filter(pk=data.get("provider"), is_active=True).first()
        if data["level"] == assurance.PASSWORD or provider is None:
            return redirect("account_reauthenticate")
        query = {"process": "login", "auth_params": urlencode(SAML_REAUTH_PARAMS if provider.is_saml else REAUTH_PARAMS)}
        next_url = request.GET.get("next", "")
        if next_url.startswith("/") and not next_url.startswith("//"):
            query["next"] = next_url
        if provider.is_saml:
            start = reverse("saml_login", kwargs={"organization_slug": provider.slug})
        else:
            start = reverse("openid_connect_login", kwargs={"provider_id": provider.slug})
        action = start + "?" + urlencode(query)
        return render(request, "federation/reauthenticate.html", {"provider": provider, "action": action})
