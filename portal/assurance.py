"""The assurance level of a session (docs/security.md 24; issue 20).

A session is logged in one of three ways:

- ``password``: e-mail and password, then the portal's own TOTP when the user has one;
- ``federated``: through an organisation's identity provider whose answer did not assert one
  of the provider's strong authentication contexts (or asserted none);
- ``federated_strong``: through an identity provider that asserted one of its strong contexts
  (e.g. the Swedish eID Framework's LoA3): that login was already multi-factor, so it counts as
  the second factor the child data needs (``childplans.middleware``) and allauth's TOTP step
  is skipped for it.

The level is decided once, when the provider answers (``networks.federation.adapters``
writes it into the social login's state under ``STATE_KEY``), kept in the session under
``SESSION_KEY`` at log-in (``record_login``, from ``portal.signals.on_login``) and written in
every audit row of the session (``portal.audit.audit_record``). This module knows nothing of
providers: it reads what the federation app decided."""

from django.utils.translation import gettext_lazy as _

SESSION_KEY = "portal_assurance"
STATE_KEY = "portal_assurance"
# The login being completed in this request, set by ``AssuranceStage`` for ``record_login``.
REQUEST_ATTR = "_portal_login_assurance"

PASSWORD = "password"
FEDERATED = "federated"
FEDERATED_STRONG = "federated_strong"
LEVELS = {
    PASSWORD: _("lösenord (och portalens tvåstegsverifiering)"),
    FEDERATED: _("organisationens inloggning, utan stark tillitsnivå"),
    FEDERATED_STRONG: _("organisationens inloggning, stark tillitsnivå"),
}


def level_label(level):
    return LEVELS.get(level, LEVELS[PASSWORD])


def session_assurance(request):
    """What the session's login asserted: {"level", "provider", "acr"} (a password login:
    level only). Sessions from before issue 20 count as password logins."""
    session = getattr(request, "session", None)
    data = session.get(SESSION_KEY) if session is not None else None
    return data if isinstance(data, dict) and data.get("level") in LEVELS else {"level": PASSWORD}


def session_level(request):
    return session_assurance(request)["level"]


def counts_as_second_factor(request):
    """True when the session's login asserted a strong context at the identity provider: it
    stands in for the portal's TOTP before child data (promise 11)."""
    return session_level(request) == FEDERATED_STRONG


def login_assurance(login):
    """The level an allauth ``Login`` in progress will reach: from its social login's state,
    or a password login."""
    sociallogin = (login.signal_kwargs or {}).get("sociallogin") if login is not None else None
    if sociallogin is not None:
        data = getattr(sociallogin, "state", {}).get(STATE_KEY)
        if isinstance(data, dict) and data.get("level") in (FEDERATED, FEDERATED_STRONG):
            return data
        return {"level": FEDERATED}
    return {"level": PASSWORD}


def record_login(request):
    """At log-in (``user_logged_in``): keep the level of the login just completed in the new
    session and return it for the login's audit row."""
    data = dict(getattr(request, REQUEST_ATTR, None) or {"level": PASSWORD})
    reauthenticated = data.pop("reauthenticated", False)
    if hasattr(request, "session"):
        request.session[SESSION_KEY] = data
        if reauthenticated:
            record_reauthentication(request, request.user, data)
    return data


def recently_reauthenticated(request):
    """Re-authentication before consent and team changes and exports (docs/security.md 13, 24).

    A session that logged in through an identity provider re-authenticates there (prompt=login;
    ``networks.federation``): only a fresh login through the provider, marked re-authenticated
    at log-in, counts — not the password, and not allauth's "this user has no password nor
    TOTP, let them pass". Other sessions: allauth's rule (password or TOTP within
    ACCOUNT_REAUTHENTICATION_TIMEOUT)."""
    import time

    from allauth.account import app_settings as account_settings
    from allauth.account.internal.flows.login import get_authentication_records
    from allauth.account.internal.flows.reauthentication import did_recently_reauthenticate

    if session_level(request) == PASSWORD:
        return did_recently_reauthenticate(request)
    if not request.user.is_authenticated:
        return False
    records = [
        r for r in get_authentication_records(request, request.user)
        if r.get("reauthenticated") and r.get("method") == "socialaccount"
    ]
    return bool(records) and time.time() - records[-1]["at"] < account_settings.REAUTHENTICATION_TIMEOUT


def record_reauthentication(request, user, data):
    """At log-in: a fresh login of the same person through the provider, asked for with
    prompt=login, is a re-authentication (``recently_reauthenticated``)."""
    from allauth.account.internal.flows.login import record_authentication

    record_authentication(request, user, "socialaccount", reauthenticated=True, provider=data.get("provider"))
