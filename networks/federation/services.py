"""The rules of a federated login, each in one function (docs/security.md 24)."""

from django.contrib.auth import get_user_model

from portal import assurance

from .models import FederatedIdentifier, IdentityProvider

# Why a provider's answer reaches no account (the audit row's detail["reason"]).
NO_IDENTIFIER = "no_identifier"
EMAIL_NOT_VERIFIED = "email_not_verified"
UNKNOWN_IDENTIFIER = "unknown_identifier"
INACTIVE = "inactive"
OTHER_ACCOUNT = "linked_to_other_account"
NOT_A_LOGIN = "not_a_login"
UNKNOWN_PROVIDER = "unknown_provider"


def provider_for(provider_id):
    """The active provider named by allauth's ``provider_id`` (our slug), or None."""
    return IdentityProvider.objects.filter(slug=provider_id, is_active=True).first()


def answer_claims(extra_data):
    """The claims of an OpenID Connect answer: the ID token's (signed, checked by allauth)
    over the userinfo's."""
    extra_data = extra_data if isinstance(extra_data, dict) else {}
    userinfo = extra_data.get("userinfo") if isinstance(extra_data.get("userinfo"), dict) else {}
    id_token = extra_data.get("id_token") if isinstance(extra_data.get("id_token"), dict) else {}
    return {**userinfo, **id_token}, id_token


def saml_answer(extra_data):
    """The claims of a SAML answer (``saml.PortalSAMLProvider.extract_extra_data``): each
    attribute's first value under its name and its short name (``saml.ATTRIBUTE_ALIASES``),
    ``email`` from the mail attribute, and the signed assertion's context and instant in the
    shape of an ID token's (``acr``, ``auth_time``), for ``answer_assurance`` and
    ``is_reauthentication``. The assertion is signed by the organisation's IdP, whose directory
    the mail attribute comes from: it counts as verified."""
    from .saml import ATTRIBUTE_ALIASES, MAIL_ATTRIBUTES

    extra_data = extra_data if isinstance(extra_data, dict) else {}
    attributes = extra_data.get("attributes") if isinstance(extra_data.get("attributes"), dict) else {}
    claims = {}
    for name, values in attributes.items():
        if isinstance(values, list) and values and isinstance(values[0], str):
            claims[name] = values[0]
            if name in ATTRIBUTE_ALIASES:
                claims.setdefault(ATTRIBUTE_ALIASES[name], values[0])
    mail = next((claims[name] for name in MAIL_ATTRIBUTES if name in claims), None)
    if mail:
        claims["email"], claims["email_verified"] = mail, True
    name_id = extra_data.get("name_id")
    if isinstance(name_id, str) and name_id:
        claims["name_id"] = name_id
    token = {"acr": extra_data.get("acr") or ""}
    if isinstance(extra_data.get("auth_time"), int | float):
        token["auth_time"] = extra_data["auth_time"]
    return claims, token


def provider_answer(provider, extra_data):
    """(claims, id-token-like dict with ``acr`` and maybe ``auth_time``) of an answer of
    ``provider``, whatever its protocol."""
    return saml_answer(extra_data) if provider.is_saml else answer_claims(extra_data)


def resolve_account(provider, claims):
    """The account an answer of ``provider`` reaches: (user or None, reason ""/code).

    Invite-only: never creates one. By the provider's identifier claim: a value an
    administrator recorded for the person (``FederatedIdentifier``), or for the claim "email" a
    verified e-mail address that is the account of a member of one of the provider's
    organisations. A deactivated account is refused even when the provider says yes."""
    value = claims.get(provider.identifier_claim)
    if not isinstance(value, str) or not value.strip() or len(value) > 254:
        return None, NO_IDENTIFIER
    value = value.strip()
    recorded = FederatedIdentifier.objects.filter(provider=provider, value=value).select_related("user").first()
    user = recorded.user if recorded is not None else None
    if user is None and provider.identifier_claim == "email":
        if claims.get("email_verified") is not True:
            return None, EMAIL_NOT_VERIFIED
        user = (
            get_user_model()
            .objects.filter(
                email__iexact=value,
                organisationmembership__organisation__identity_providers=provider,
            )
            .distinct()
            .first()
        )
    if user is None:
        return None, UNKNOWN_IDENTIFIER
    if not user.is_active:
        return user, INACTIVE
    return user, ""


def answer_assurance(provider, id_token):
    """The level an answer reached: strong when the ID token's ``acr`` (SAML: the signed
    assertion's ``AuthnContextClassRef``) is one of the provider's strong contexts (asked for
    with ``acr_values`` / ``RequestedAuthnContext``; checked here, whatever was asked), else
    federated."""
    acr = id_token.get("acr")
    acr = acr if isinstance(acr, str) and len(acr) <= 200 else ""
    level = assurance.FEDERATED_STRONG if acr and acr in provider.contexts else assurance.FEDERATED
    return {"level": level, "provider": provider.pk, "acr": acr}


def is_reauthentication(request, user, id_token):
    """A login of the person already logged in in this session, fresh at the provider: the
    provider's ``auth_time`` (when it sends one) within the re-authentication timeout."""
    import time

    from django.conf import settings

    current = getattr(request, "user", None)
    if current is None or not current.is_authenticated or current.pk != user.pk:
        return False
    auth_time = id_token.get("auth_time")
    if isinstance(auth_time, int | float) and not isinstance(auth_time, bool):
        return time.time() - auth_time < settings.ACCOUNT_REAUTHENTICATION_TIMEOUT
    return True


def password_login_refused(user):
    """True when one of ``user``'s organisations logs in only through its identity provider
    (an administrator switched password login off). Superusers keep their password."""
    if user is None or user.is_superuser:
        return None
    return (
        IdentityProvider.objects.filter(
            is_active=True, password_login_allowed=False, organisations__organisationmembership__user=user,
        )
        .order_by("name")
        .first()
    )
