"""Every URL pattern is classified (docs/security.md promise 1).

``ROUTES`` maps each URL pattern name (with its namespace, e.g. "admin:index"; a whole
namespace may be grouped as "admin:*") to who may reach it:

- ``PUBLIC``: no login needed; the view is marked ``login_not_required``.
- ``MEMBER``: any logged-in user (LoginRequiredMiddleware sends everyone else to log in);
  the view itself decides what the user may see (e.g. 404 for someone else's network).
- ``CHILD``: child-scoped: a route under one child's plan (``plan_pk``), reachable only by that
  plan's team; everyone else gets 404 (tests/childplans/test_access.py).
- ``REFERRAL``: child data reached through a referral: the inbox of the organisations' receivers
  (*mottagare*) and the pages of one referral (``referral_pk``), reachable only by the
  referral's receivers and its plan's team; everyone else gets 404
  (tests/childplans/referrals/test_access.py).

``tests/portal/test_routes.py`` walks the URL resolver and fails on a pattern missing here,
on an entry here that matches no pattern, and on a view whose ``login_not_required`` marking
disagrees with its class. Static files are served by WhiteNoise (middleware, no URL pattern)
and are public.

allauth flows the portal does not offer are listed in ``DISABLED``: their names stay (allauth's
own code and templates reverse them), their views answer 404 (see ``account_urlpatterns``)."""

from django.conf import settings
from django.http import Http404
from django.urls import URLPattern, URLResolver

PUBLIC = "public"
MEMBER = "member"
CHILD = "child"
REFERRAL = "referral"

# allauth views we do not offer: open sign-up (accounts come from invitations and
# administrators), e-mail address management (the address is the login and is changed by an
# administrator), e-mail verification (off), log-in by e-mail code (e-mail is no second factor).
DISABLED = frozenset(
    {
        "account_signup",
        "account_email",
        "account_email_verification_sent",
        "account_confirm_email",
        "account_confirm_login_code",
        "account_request_login_code",
        "account_signup_by_passkey",
        # federated log-in (issue 20): no sign-up through a provider, and no linking by hand
        # (the adapter links on the first login by the administrator's identifier)
        "socialaccount_signup",
        "socialaccount_connections",
    }
)

ROUTES = {
    # --- portal ---------------------------------------------------------------------
    "dashboard": MEMBER,
    "profile": MEMBER,
    "notice_settings": MEMBER,
    "health": PUBLIC,
    "set_language": PUBLIC,
    # --- allauth: log-in, log-out and password reset ----------------------------------
    "account_login": PUBLIC,
    "account_logout": PUBLIC,  # allauth's own marking; an anonymous visitor is sent on
    "account_inactive": PUBLIC,
    "account_reset_password": PUBLIC,
    "account_reset_password_done": PUBLIC,
    "account_reset_password_from_key": PUBLIC,
    "account_reset_password_from_key_done": PUBLIC,
    "mfa_authenticate": PUBLIC,  # the second step of logging in
    # --- allauth socialaccount: log-in through an organisation's identity provider (issue 20)
    "openid_connect_login": PUBLIC,
    "openid_connect_callback": PUBLIC,  # the provider sends the browser back here
    "saml_login": PUBLIC,
    "saml_acs": PUBLIC,  # the IdP's POST (networks.federation.saml)
    "saml_finish_acs": PUBLIC,
    "saml_sls": PUBLIC,
    "saml_metadata": PUBLIC,  # the SP metadata an IdP's administrator reads
    "socialaccount_login_cancelled": PUBLIC,
    "federated_reauthenticate": MEMBER,  # back to the session's provider (networks.federation)
    "socialaccount_login_error": MEMBER,  # not marked by allauth; the callback shows errors itself
    # --- allauth: the user's own account ---------------------------------------------
    "account_reauthenticate": MEMBER,
    "account_change_password": MEMBER,
    "account_set_password": MEMBER,
    "mfa_index": MEMBER,
    "mfa_reauthenticate": MEMBER,
    "mfa_activate_totp": MEMBER,
    "mfa_deactivate_totp": MEMBER,
    "mfa_view_recovery_codes": MEMBER,
    "mfa_generate_recovery_codes": MEMBER,
    "mfa_download_recovery_codes": MEMBER,
    "usersessions_list": MEMBER,
    # --- allauth: disabled (DISABLED; 404 for logged-in users) --------------------------
    "account_signup": MEMBER,
    "account_email": MEMBER,
    "account_email_verification_sent": MEMBER,
    "account_confirm_email": MEMBER,
    "account_confirm_login_code": MEMBER,
    "socialaccount_signup": MEMBER,
    "socialaccount_connections": MEMBER,
    # --- Django admin: staff only (admin_view); its log-in goes through allauth ---------
    "admin:login": PUBLIC,
    "admin:*": MEMBER,
    # --- networks ----------------------------------------------------------------------
    "network_list": MEMBER,
    "network_create": MEMBER,
    "network_detail": MEMBER,
    "network_update": MEMBER,
    "network_overview": MEMBER,
    "network_member_invite": MEMBER,
    "network_member": MEMBER,
    "network_member_role": MEMBER,
    "network_member_remove": MEMBER,
    "network_organisation_add": MEMBER,
    "network_organisation": MEMBER,
    "network_organisation_remove": MEMBER,
    "network_stewardship": MEMBER,
    "invitation_accept": PUBLIC,  # the invited person has no password yet
    # --- verksamhetskatalogen ----------------------------------------------------------
    "directory_search": MEMBER,
    "activity_create": MEMBER,
    "activity_detail": MEMBER,
    "activity_update": MEMBER,
    "activity_delete": MEMBER,
    "activity_tip": MEMBER,
    "activity_leaflet": MEMBER,
    "activity_public": PUBLIC,  # the QR code on a family's leaflet: only what the organisation made public
    "organisation_receivers": MEMBER,
    "organisation_receiver_remove": MEMBER,
    # --- meetings ------------------------------------------------------------------------
    "network_meetings": MEMBER,
    "meeting_create": MEMBER,
    "meeting_defaults": MEMBER,
    "meeting_detail": MEMBER,
    "meeting_update": MEMBER,
    "meeting_cancel": MEMBER,
    "meeting_close": MEMBER,
    "meeting_agenda": MEMBER,
    "meeting_invite": MEMBER,
    "meeting_answers": MEMBER,
    "meeting_answers_csv": MEMBER,
    "meeting_invitation_remove": MEMBER,
    "meeting_attendance": MEMBER,
    "meeting_attendance_csv": MEMBER,
    "meeting_signin_sheet": MEMBER,
    "meeting_minutes": MEMBER,
    "meeting_checkin_qr": MEMBER,
    "meeting_checkin": MEMBER,
    "meeting_my_answer": MEMBER,
    "meeting_ics": MEMBER,
    # meeting series (issue 21): coordinators' pages 404 for everyone else; answer and .ics
    # for the series' invitees (meetings/views/series.py)
    "series_create": MEMBER,
    "series_detail": MEMBER,
    "series_invite": MEMBER,
    "series_update": MEMBER,
    "series_end": MEMBER,
    "series_my_answer": MEMBER,
    "series_ics": MEMBER,
    "meeting_register": MEMBER,  # issue 21: coordinators only (meetings.access)
    "meeting_minutes_publish": MEMBER,
    "network_attendance": MEMBER,
    "network_attendance_csv": MEMBER,
    "meeting_rsvp": PUBLIC,  # the one-click answer from the invitation e-mail (signed token)
    "calendar_feed_settings": MEMBER,
    "calendar_feed": PUBLIC,  # a calendar app fetches it with the user's secret token
    # --- child plans: every route under a plan is child-scoped (the namespace default);
    # these four show only the user's own plans or actions, or no child data at all, and the
    # team meeting's answer page is public -----------------------------------------------
    "childplans:*": CHILD,
    "childplans:plan_list": MEMBER,
    "childplans:plan_create": MEMBER,
    "childplans:my_actions": MEMBER,
    "childplans:indicators": MEMBER,
    "childplans:gallring_forecast": MEMBER,  # 404 for all but the administrators
    "childplans:gallring_forecast_csv": MEMBER,
    # the one-click answer to a team meeting's invitation (issue 12; its token is the key)
    "childplans:teammeeting_answer": PUBLIC,
    # --- referrals (childplans/referrals/urls.py): the plan's referrals are plan routes (the
    # namespace default); the inbox and one referral's pages are for its receivers and the
    # plan's team; the flow holds counts only -----------------------------------------------
    "childplans:referral_inbox": REFERRAL,
    "childplans:referral_detail": REFERRAL,
    "childplans:referral_answer": REFERRAL,
    "childplans:referral_cancel": REFERRAL,
    "childplans:flow_network": MEMBER,
    "childplans:flow_organisation": MEMBER,
    # --- registerutdrag (issue 19): the administrator's page (staff with two-step verification,
    # 404 for everyone else); the contact person's is under the plan (the namespace default) ---
    "childplans:registerutdrag_admin": MEMBER,
}

if settings.BENCH_VIEWS_ENABLED:  # yardsticks of docs/performance.md, benchmark settings only
    ROUTES.update({"bench_plain": PUBLIC, "bench_fortunes_auth": MEMBER})


def classify(name):
    """The class of a pattern by its namespaced name ("admin:index" falls back to "admin:*"),
    or None when it is not classified."""
    if name in ROUTES:
        return ROUTES[name]
    if name and ":" in name:
        return ROUTES.get(name.rsplit(":", 1)[0] + ":*")
    return None


def route_disabled(request, *args, **kwargs):
    """An allauth flow the portal does not offer (see ``DISABLED``)."""
    raise Http404


def _without_disabled(patterns):
    result = []
    for p in patterns:
        if isinstance(p, URLResolver):
            result.append(
                URLResolver(
                    p.pattern,
                    _without_disabled(p.url_patterns),
                    p.default_kwargs,
                    p.app_name,
                    p.namespace,
                )
            )
        elif p.name in DISABLED:
            result.append(URLPattern(p.pattern, route_disabled, p.default_args, p.name))
        else:
            result.append(p)
    return result


def account_urlpatterns():
    """allauth's URL patterns with the flows in ``DISABLED`` answering 404."""
    from allauth import urls as allauth_urls

    # allauth's deprecated unnamed "social/..." redirects to its "3rdparty/..." pages: dropped
    # (no old links to keep; every route here is named and classified).
    patterns = [
        p for p in allauth_urls.urlpatterns
        if not (isinstance(p, URLPattern) and p.name is None and str(p.pattern).startswith("social/"))
    ]
    return _without_disabled(patterns)
