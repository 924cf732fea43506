"""Login events into the audit log (docs/security.md 5), and session hygiene (12)."""

import time

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import signals as auth_signals
from django.db.models.signals import post_save
from django.dispatch import receiver

from .assurance import record_login, session_assurance
from .audit import audit_record
from .middleware import SESSION_STARTED_KEY
from .models import AuditEvent


def end_other_sessions(user, keep_session_key=None):
    """End every session of ``user`` except the current one."""
    from allauth.usersessions.models import UserSession

    for session in UserSession.objects.filter(user=user).exclude(session_key=keep_session_key or ""):
        session.end()


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def on_user_saved(sender, instance, created, update_fields=None, **kwargs):
    """A deactivated account is logged out everywhere at once. (ModelBackend refuses an inactive
    user on the next request anyway; this also removes the sessions. A queryset ``update()``
    sends no signal: deactivate through the model or the admin.)"""
    if created or instance.is_active:
        return
    if update_fields is not None and "is_active" not in update_fields:
        return
    end_other_sessions(instance)


@receiver(auth_signals.user_logged_in)
def on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_STARTED_KEY] = time.time()
    # The level the login reached (password, or an identity provider's answer) is kept in the
    # session and written in the login's row (docs/security.md 24).
    assurance = record_login(request) if request is not None else {}
    audit_record(
        action=AuditEvent.Action.LOGIN, request=request, user=user,
        detail={k: v for k, v in assurance.items() if k in ("provider", "acr")},
    )


@receiver(account_signals.user_logged_in)
def on_allauth_login(sender, request, user, **kwargs):
    """"Mina inloggningar" shows how each session logged in: the level goes into allauth's
    session row (created by allauth.usersessions' receiver, connected before this one)."""
    from allauth.usersessions.models import UserSession

    key = getattr(getattr(request, "session", None), "session_key", None)
    session = UserSession.objects.filter(user=user, session_key=key).first() if key else None
    if session is not None:
        session.data = {**(session.data or {}), "assurance": session_assurance(request)}
        session.save(update_fields=["data"])


@receiver(auth_signals.user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action=AuditEvent.Action.LOGOUT, request=request, user=user)


@receiver(auth_signals.user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    # Record which account was tried (if it exists), never the password.
    email = (credentials or {}).get("email") or (credentials or {}).get("username") or ""
    user = get_user_model().objects.filter(email__iexact=email).first() if email else None
    audit_record(
        action=AuditEvent.Action.LOGIN_FAILED,
        request=request,
        user=user,
        detail={"known_account": user is not None},
    )


@receiver(account_signals.password_changed)
def on_password_changed(sender, request, user, **kwargs):
    audit_record(action=AuditEvent.Action.PASSWORD_CHANGED, request=request, user=user)
    end_other_sessions(user, keep_session_key=getattr(request.session, "session_key", None))


@receiver(account_signals.password_reset)
def on_password_reset(sender, request, user, **kwargs):
    audit_record(action=AuditEvent.Action.PASSWORD_RESET, request=request, user=user)
    end_other_sessions(user)


@receiver(mfa_signals.authenticator_added)
def on_mfa_added(sender, request, user, authenticator, **kwargs):
    audit_record(action=AuditEvent.Action.MFA_ADDED, request=request, user=user, detail={"type": authenticator.type})


@receiver(mfa_signals.authenticator_removed)
def on_mfa_removed(sender, request, user, authenticator, **kwargs):
    audit_record(action=AuditEvent.Action.MFA_REMOVED, request=request, user=user, detail={"type": authenticator.type})


@receiver(mfa_signals.authentication_failed)
def on_mfa_failed(sender, request, user, authenticator, reauthentication=False, **kwargs):
    """A wrong code at log-in or at re-authentication (allauth also rate-limits the tries)."""
    audit_record(
        action=AuditEvent.Action.MFA_FAILED, request=request, user=user,
        detail={"type": authenticator.type, "reauthentication": bool(reauthentication)},
    )
