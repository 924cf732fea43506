"""allauth's adapters for federated log-in (issue 20). Named in the settings
(``SOCIALACCOUNT_ADAPTER``, ``ACCOUNT_ADAPTER``); the rules live in ``services``.

Where allauth stops short, and what this does instead:
- SAML 2.0 (allauth's ``saml`` provider) is extended in ``saml``; its answer reaches the same
  rules here (``services.provider_answer``).
- allauth reads OpenID Connect apps from settings or its own ``SocialApp`` table:
  ``list_apps`` builds them from ``IdentityProvider`` rows, so the administrator's provider
  row is the only configuration.
- allauth links a login to an account by a stored ``SocialAccount`` or signs a new user up:
  ``pre_social_login`` resolves the account by the administrator's chosen identifier on every
  login, refuses sign-up, connect and any mismatch, and records the level of the answer.
- allauth's TOTP step applies to every login: ``portal.stages.AuthenticateStage`` skips it when
  the answer asserted a strong context (``portal.adapters.AccountAdapter.get_login_stages``)."""

import logging

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base import AuthProcess
from django.db.models import Q
from django.shortcuts import render
from django.urls import reverse

from portal import assurance
from portal.adapters import AccountAdapter as PortalAccountAdapter
from portal.audit import audit_record
from portal.models import AuditEvent

from . import services
from .models import IdentityProvider

OIDC = "openid_connect"
SAML = "saml"
logger = logging.getLogger(__name__)


def refuse(request, *, provider, reason, user=None, status=403, template="federation/refused.html"):
    """A federated login that reaches no account: one audit row, a Swedish page, nothing else."""
    audit_record(
        action=AuditEvent.Action.LOGIN_FAILED,
        event="login.federated_refused",
        request=request,
        user=user,
        detail={"provider": provider.pk if provider else None, "reason": reason, "known_account": user is not None},
    )
    context = {"provider": provider, "reason": reason, "organisations": provider.organisations.all() if provider else []}
    raise ImmediateHttpResponse(render(request, template, context, status=status))


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin):
        return False

    def is_auto_signup_allowed(self, request, sociallogin):
        return False

    def list_apps(self, request, provider=None, client_id=None):
        # allauth asks by its provider ("openid_connect", "saml") or by one app's provider_id
        # (our slug); a SAML app's client_id is the slug too (allauth's SAML URLs name it).
        providers = IdentityProvider.objects.filter(is_active=True).order_by("name")
        if provider == OIDC:
            providers = providers.filter(protocol=IdentityProvider.Protocol.OIDC)
        elif provider == SAML:
            providers = providers.filter(protocol=IdentityProvider.Protocol.SAML)
        elif provider is not None:
            providers = providers.filter(slug=provider)
        if client_id:
            providers = providers.filter(
                Q(protocol=IdentityProvider.Protocol.OIDC, client_id=client_id)
                | Q(protocol=IdentityProvider.Protocol.SAML, slug=client_id)
            )
        return [p.social_app() for p in providers]

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        """The provider's answer failed allauth's checks (state, code, token, ID token's
        issuer/audience/expiry) or the user cancelled: audited as a failed login."""
        logger.warning("federated login failed: provider=%s error=%s exception=%r", getattr(provider, "id", ""), error, exception)
        audit_record(
            action=AuditEvent.Action.LOGIN_FAILED, event="login.federated_error", request=request,
            detail={"provider": getattr(getattr(provider, "app", None), "provider_id", ""), "error": str(error or "")[:50]},
        )
        return super().on_authentication_error(request, provider, error=error, exception=exception, extra_context=extra_context)

    def pre_social_login(self, request, sociallogin):
        provider = services.provider_for(sociallogin.account.provider)
        if provider is None:
            refuse(request, provider=None, reason=services.UNKNOWN_PROVIDER)
        if sociallogin.state.get("process", AuthProcess.LOGIN) != AuthProcess.LOGIN:
            refuse(request, provider=provider, reason=services.NOT_A_LOGIN)
        claims, id_token = services.provider_answer(provider, sociallogin.account.extra_data)
        user, reason = services.resolve_account(provider, claims)
        if user is None:
            refuse(request, provider=provider, reason=reason, template="federation/no_account.html")
        if reason:
            refuse(request, provider=provider, reason=reason, user=user)
        if sociallogin.is_existing and sociallogin.user.pk != user.pk:
            refuse(request, provider=provider, reason=services.OTHER_ACCOUNT, user=user)
        answer = services.answer_assurance(provider, id_token)
        if services.is_reauthentication(request, user, id_token):
            answer["reauthenticated"] = True
        sociallogin.state[assurance.STATE_KEY] = answer
        if not sociallogin.is_existing:
            # The first login through this provider: the link is recorded (allauth's
            # SocialAccount) and audited.
            sociallogin.connect(request, user)
            audit_record(
                action=AuditEvent.Action.CREATE, event="login.federated_linked", request=request, user=user,
                obj=sociallogin.account, detail={"provider": provider.pk},
            )


class AccountAdapter(PortalAccountAdapter):
    """The portal's account adapter, and password login refused for the staff of an
    organisation whose administrator switched it off; a session that logged in through a
    provider re-authenticates there (``views.ReauthenticateView``)."""

    def get_reauthentication_methods(self, user):
        from allauth.core import context as allauth_context

        request = allauth_context.request
        if request is not None and assurance.session_level(request) != assurance.PASSWORD:
            provider = IdentityProvider.objects.filter(pk=assurance.session_assurance(request).get("provider")).first()
            if provider is not None:
                return [{
                    "id": "federated_reauthenticate",
                    "description": provider.name,
                    "url": reverse("federated_reauthenticate"),
                }]
        return super().get_reauthentication_methods(user)

    def pre_login(self, request, user, **kwargs):
        if "sociallogin" not in (kwargs.get("signal_kwargs") or {}):
            provider = services.password_login_refused(user)
            if provider is not None:
                audit_record(
                    action=AuditEvent.Action.LOGIN_FAILED, event="login.password_off", request=request, user=user,
                    detail={"provider": provider.pk, "known_account": True},
                )
                from allauth.account.internal.stagekit import clear_login

                clear_login(request)
                return render(request, "federation/password_off.html", {"provider": provider}, status=403)
        return super().pre_login(request, user, **kwargs)
