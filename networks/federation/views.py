from urllib.parse import urlencode

from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from portal import assurance

from .models import IdentityProvider

# Asked of the provider when re-authenticating: a fresh login (OpenID Connect Core 3.1.2.1).
REAUTH_PARAMS = {"prompt": "login", "max_age": "0"}


class ReauthenticateView(View):
    """Re-authentication of a session that logged in through a provider: back to the same
    provider with prompt=login (allauth's re-authentication decorator and the plan pages send
    here: ``AccountAdapter.get_reauthentication_methods``). The answer's level is checked
    again as at any login."""

    def get(self, request):
        data = assurance.session_assurance(request)
        provider = IdentityProvider.objects.filter(pk=data.get("provider"), is_active=True).first()
        if data["level"] == assurance.PASSWORD or provider is None:
            return redirect("account_reauthenticate")
        query = {"process": "login", "auth_params": urlencode(REAUTH_PARAMS)}
        next_url = request.GET.get("next", "")
        if next_url.startswith("/") and not next_url.startswith("//"):
            query["next"] = next_url
        action = reverse("openid_connect_login", kwargs={"provider_id": provider.slug}) + "?" + urlencode(query)
        return render(request, "federation/reauthenticate.html", {"provider": provider, "action": action})
