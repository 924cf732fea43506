import re
import time
import uuid
from contextvars import ContextVar

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.utils.translation import gettext as _

SESSION_STARTED_KEY = "portal_session_started"
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9-]{8,64}$")


_current_request = ContextVar("portal_current_request", default=None)


def current_request():
    """The request being served in this thread, or None (a task, a command). Read by the audit
    log for the request id, the client's address and the user (portal/audit.py)."""
    return _current_request.get()


class RequestIdMiddleware:
    """Give each request an id (or keep a sane one from the proxy) for logs and the audit, and
    keep the request at hand for the audit rows the services write while it is served."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        token = _current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            _current_request.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


class AbsoluteSessionLimitMiddleware:
    """End a session 12 hours after login, however active it is (docs/security.md 12).
    The idle limit is SESSION_COOKIE_AGE with SESSION_SAVE_EVERY_REQUEST."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            started = request.session.get(SESSION_STARTED_KEY)
            if started is None:
                request.session[SESSION_STARTED_KEY] = time.time()
            elif time.time() - started > settings.SESSION_ABSOLUTE_LIMIT_SECONDS:
                logout(request)  # flushes the session: the old cookie no longer works
                messages.info(request, _("Du har varit inloggad i tolv timmar. Logga in igen."))
                if request.method == "GET":
                    return redirect_to_login(request.get_full_path())
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Headers Django does not set by itself. Pages for a logged-in user are never cached."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Every policy carries a nonce, so an inline script can only ever run with it
        # (CSPMiddleware, the next middleware out, writes the header).
        str(getattr(request, "csp_nonce", ""))
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(
            settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL
        ):
            response["Cache-Control"] = "no-store, private"
        return response


class LanguageMiddleware:
    """Swedish first: the language is the one the user chose (the language cookie set by the
    language switch), otherwise Swedish — never guessed from the browser's Accept-Language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        codes = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in codes else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


SESSION_TOUCHED_KEY = "portal_session_touched"


class IdleSessionMiddleware:
    """The 30-minute idle timeout (docs/security.md 12) without a session write on every request.

    A logged-in user's session is re-saved — pushing its expiry SESSION_COOKIE_AGE ahead — at
    most once per SESSION_TOUCH_INTERVAL_SECONDS. The idle limit is therefore between 29 and 30
    minutes, and most requests save one UPDATE (and the row lock it takes) per page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            touched = request.session.get(SESSION_TOUCHED_KEY, 0)
            if now - touched >= settings.SESSION_TOUCH_INTERVAL_SECONDS:
                request.session[SESSION_TOUCHED_KEY] = now
        return self.get_response(request)
