"""docs/security.md promises 1 and 2: every route is classified, and logged out every non-public
route (GET and POST) sends the visitor to log in.

The route list comes from walking the URL resolver, so a new page is covered the moment it is
added to a urls.py — and fails here until it is classified in ``portal/routes.py``."""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils.regex_helper import normalize

from portal import routes

# Values that fill URL parameters: int params get 1, str params "x" (docs/security.md test tables).
CONVERTER_SAMPLES = {"id": "1", "int": "1", "str": "x", "path": "1", "slug": "x"}
REGEX_SAMPLES = ["1", "x", "portal"]  # the first one the group's regex accepts is used


@dataclass(frozen=True)
class Route:
    key: str  # the namespaced name, or "<namespace>:*" for an unnamed pattern in a namespace
    name: str | None
    url: str
    callback: object

    def __str__(self):
        return f"{self.key} {self.url}"


def _fill_route(pattern):
    def sample(match):
        converter = match.group("converter") or "str"
        return CONVERTER_SAMPLES[converter]

    return re.sub(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>", sample, str(pattern))


def _fill_regex(pattern):
    source = pattern.regex.pattern
    for fmt, params in normalize(source):
        for value in REGEX_SAMPLES:
            candidate = fmt % {p: value for p in params}
            if pattern.regex.fullmatch(candidate):
                return candidate
    raise AssertionError(f"cannot build a sample URL for the pattern {source!r}")


def _fill(pattern):
    if isinstance(pattern, RoutePattern):
        return _fill_route(pattern)
    if isinstance(pattern, RegexPattern):
        return _fill_regex(pattern)
    raise AssertionError(f"unexpected URL pattern type {type(pattern).__name__}")


def all_routes():
    """Every URL pattern of the project, recursively through includes, with a sample URL."""
    found = []

    def walk(resolver, prefix, namespace):
        for p in resolver.url_patterns:
            url = prefix + _fill(p.pattern)
            if isinstance(p, URLResolver):
                ns = namespace
                if p.namespace:
                    ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
                walk(p, url, ns)
                continue
            if p.name:
                key = f"{namespace}:{p.name}" if namespace else p.name
            else:
                key = f"{namespace}:*" if namespace else f"<unnamed {url}>"
            found.append(Route(key, key if p.name else None, url, p.callback))

    walk(get_resolver(), "/", "")
    return found


ROUTES = all_routes()
PROTECTED = [r for r in ROUTES if routes.classify(r.key) != routes.PUBLIC]


def route_id(route):
    return route.key


def test_the_walk_finds_the_routes_we_know():
    keys = {r.key for r in ROUTES}
    for expected in ("dashboard", "account_login", "admin:index", "network_detail", "usersessions_list"):
        assert expected in keys
    assert len(ROUTES) > 50


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_sample_url_resolves_to_its_own_view(route):
    assert resolve(route.url).func == route.callback


def test_every_route_is_classified():
    unclassified = sorted({r.key for r in ROUTES if routes.classify(r.key) is None})
    assert not unclassified, f"classify these URL patterns in portal/routes.py: {unclassified}"


def test_classes_are_known():
    assert set(routes.ROUTES.values()) <= {routes.PUBLIC, routes.MEMBER, routes.CHILD, routes.REFERRAL}


def test_no_stale_entries_in_the_table():
    keys = {r.key for r in ROUTES}
    namespaces = {k.rsplit(":", 1)[0] + ":*" for k in keys if ":" in k}
    stale = sorted(k for k in routes.ROUTES if k not in keys and k not in namespaces)
    assert not stale, f"portal/routes.py lists routes that no longer exist: {stale}"


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_login_marking_matches_the_class(route):
    marked_public = getattr(route.callback, "login_required", True) is False
    if routes.classify(route.key) == routes.PUBLIC:
        assert marked_public, f"{route} is public: decorate the view with login_not_required"
    else:
        assert not marked_public, f"{route} is not public but its view is login_not_required"


def test_public_routes_are_the_expected_few():
    public = {k for k, v in routes.ROUTES.items() if v == routes.PUBLIC}
    assert public == {
        "health",
        "set_language",
        "account_login",
        "account_logout",
        "account_inactive",
        "account_reset_password",
        "account_reset_password_done",
        "account_reset_password_from_key",
        "account_reset_password_from_key_done",
        "mfa_authenticate",
        "openid_connect_login",  # log-in through an organisation's identity provider (issue 20)
        "openid_connect_callback",
        "saml_login",  # the same over SAML 2.0 (networks.federation.saml)
        "saml_acs",
        "saml_finish_acs",
        "saml_sls",
        "saml_metadata",
        "socialaccount_login_cancelled",
        "admin:login",
        "invitation_accept",
        "meeting_rsvp",
        "calendar_feed",
        "childplans:teammeeting_answer",
        "activity_public",
    } | ({"bench_plain"} if settings.BENCH_VIEWS_ENABLED else set())


def test_child_routes_are_under_a_plan():
    for route in ROUTES:
        if routes.classify(route.key) == routes.CHILD:
            assert "plan_pk" in resolve(route.url).kwargs, route


def test_referral_routes_are_the_inbox_or_under_a_referral():
    """Child data reached through a referral: the receivers' inbox, or one referral's pages
    (tests/childplans/referrals/test_access.py walks them for every persona and method)."""
    found = [r for r in ROUTES if routes.classify(r.key) == routes.REFERRAL]
    assert {r.key for r in found} >= {"childplans:referral_inbox", "childplans:referral_detail"}
    for route in found:
        kwargs = resolve(route.url).kwargs
        assert "referral_pk" in kwargs or route.key == "childplans:referral_inbox", route
        assert "plan_pk" not in kwargs, route


def test_disabled_allauth_routes_point_at_the_404_view():
    by_name = {r.name: r for r in ROUTES if r.name}
    for name in routes.DISABLED & set(by_name):
        assert by_name[name].callback is routes.route_disabled, name
    assert {"account_signup", "account_email"} <= set(by_name)


def _assert_sent_to_login(client, response, url):
    """302 to the log-in page with ?next=<url>. The admin's pages name their own log-in URL
    (``login_url``), which is allauth's ``secure_admin_login``: one more hop to the same place."""
    assert response.status_code == 302, f"{url}: {response.status_code}"
    if urlsplit(response["Location"]).path == reverse("admin:login"):
        response = client.get(response["Location"])
        assert response.status_code == 302, f"{url}: admin log-in answered {response.status_code}"
    location = urlsplit(response["Location"])
    assert location.path == resolve_url(settings.LOGIN_URL), f"{url} -> {response['Location']}"
    assert parse_qs(location.query)["next"] == [url]


@pytest.mark.django_db
@pytest.mark.parametrize("route", PROTECTED, ids=route_id)
def test_logged_out_get_redirects_to_login(client, route):
    _assert_sent_to_login(client, client.get(route.url), route.url)


@pytest.mark.django_db
@pytest.mark.parametrize("route", PROTECTED, ids=route_id)
def test_logged_out_post_redirects_to_login(client, route):
    _assert_sent_to_login(client, client.post(route.url, {"anything": "1"}), route.url)
