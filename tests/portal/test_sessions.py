"""docs/security.md promise 12: sessions.

A new key at log-in; 30 minutes idle; 12 hours absolute; log-out kills the session; a password
change or deactivation ends the other sessions; users see and end their own sessions."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from portal.middleware import SESSION_STARTED_KEY

from .. import factories as f

LOGIN = "/konto/login/"


def logged_in(client):
    return client.get("/konto/sessions/").wsgi_request.user.is_authenticated


def session_key(client):
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def session_exists(key):
    return Session.objects.filter(session_key=key).exists()


def login(client, user, password=f.PASSWORD):
    response = client.post(LOGIN, {"login": user.email, "password": password})
    assert response.status_code == 302, response.content[:500]
    return response


@pytest.mark.django_db
def test_login_gives_a_new_session_key(client, participant):
    session = client.session  # an anonymous session with something in it
    session["before_login"] = True
    session.save()
    anonymous_key = session_key(client)
    assert session_exists(anonymous_key)

    login(client, participant)

    assert session_key(client) != anonymous_key
    assert not session_exists(anonymous_key)
    assert logged_in(client)


def test_idle_timeout_is_thirty_minutes_renewed_at_most_once_a_minute():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_TOUCH_INTERVAL_SECONDS == 60
    assert "portal.middleware.IdleSessionMiddleware" in settings.MIDDLEWARE


@pytest.mark.django_db
def test_session_is_written_at_most_once_a_minute(client, participant):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal.middleware import SESSION_TOUCHED_KEY

    client.force_login(participant)
    client.get("/")  # the first request after log-in renews the expiry

    def session_writes():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        return [q["sql"] for q in ctx.captured_queries if q["sql"].startswith('UPDATE "django_session"')]

    assert session_writes() == []  # within the minute: no write
    session = client.session
    session[SESSION_TOUCHED_KEY] = time.time() - 61
    session.save()
    assert len(session_writes()) == 1  # a minute later: renewed once


@pytest.mark.django_db
def test_activity_pushes_the_idle_expiry_forward(client, participant):
    client.force_login(participant)
    key = session_key(client)
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + timedelta(minutes=1))
    assert logged_in(client)
    expiry = Session.objects.get(session_key=key).expire_date
    assert expiry > timezone.now() + timedelta(minutes=29)


@pytest.mark.django_db
def test_idle_session_is_expired(client, participant):
    client.force_login(participant)
    Session.objects.filter(session_key=session_key(client)).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


@pytest.mark.django_db
def test_absolute_limit_of_twelve_hours(client, participant):
    assert settings.SESSION_ABSOLUTE_LIMIT_SECONDS == 12 * 60 * 60
    client.force_login(participant)
    assert logged_in(client)
    key = session_key(client)

    session = client.session
    session[SESSION_STARTED_KEY] = time.time() - 11 * 60 * 60  # eleven hours: still fine
    session.save()
    assert client.get("/").status_code == 200

    session = client.session
    session[SESSION_STARTED_KEY] = time.time() - 12 * 60 * 60 - 60
    session.save()
    response = client.get("/katalog/")
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/katalog/"
    assert not session_exists(key)
    assert not logged_in(client)


@pytest.mark.django_db
def test_activity_does_not_extend_the_absolute_limit(client, participant):
    login(client, participant)
    started = client.session[SESSION_STARTED_KEY]
    assert abs(started - time.time()) < 60  # set at log-in
    client.get("/")
    client.get("/katalog/")
    assert client.session[SESSION_STARTED_KEY] == started


@pytest.mark.django_db
def test_logout_kills_the_session(client, participant):
    login(client, participant)
    old_key = session_key(client)
    assert client.post("/konto/logout/").status_code == 302
    assert not session_exists(old_key)

    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old_key
    response = replay.get("/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


@pytest.mark.django_db
def test_password_change_ends_the_other_sessions_and_keeps_this_one(participant):
    here, elsewhere = Client(), Client()
    login(here, participant)
    login(elsewhere, participant)
    elsewhere_key = session_key(elsewhere)

    new_password = "ett-nytt-långt-lösenord-3"
    response = here.post(
        "/konto/password/change/",
        {"oldpassword": f.PASSWORD, "password1": new_password, "password2": new_password},
    )
    assert response.status_code == 302

    assert logged_in(here)
    assert not session_exists(elsewhere_key)
    assert not logged_in(elsewhere)
    participant.refresh_from_db()
    assert participant.check_password(new_password)


@pytest.mark.django_db
def test_deactivation_locks_the_user_out_on_the_next_request(participant):
    client = Client()
    login(client, participant)
    key = session_key(client)
    participant.is_active = False
    participant.save()
    assert not session_exists(key)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


@pytest.mark.django_db
def test_deactivation_in_the_admin_ends_the_sessions(administrator, participant):
    member = Client()
    login(member, participant)
    admin = Client()
    admin.force_login(administrator)
    data = {  # the change form as the administrator submits it, "Aktiv" unticked
        "email": participant.email,
        "first_name": participant.first_name,
        "last_name": participant.last_name,
        "phone": participant.phone,
        "date_joined_0": "2025-01-01",
        "date_joined_1": "10:00:00",
    }
    response = admin.post(f"/admin/portal/user/{participant.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    participant.refresh_from_db()
    assert not participant.is_active
    assert not logged_in(member)


@pytest.mark.django_db
def test_saving_an_active_user_keeps_their_sessions(client, participant):
    login(client, participant)
    participant.first_name = "Petter"
    participant.save()
    assert logged_in(client)


@pytest.mark.django_db
def test_users_see_their_own_sessions_and_end_the_others(participant, coordinator):
    here, elsewhere, someone_else = Client(), Client(), Client()
    login(here, participant)
    login(elsewhere, participant)
    login(someone_else, coordinator)

    page = here.get("/konto/sessions/")
    assert page.status_code == 200
    assert len(page.context["sessions"]) == 2  # only their own
    html = page.content.decode()
    assert "Mina inloggningar" in html and "Den här inloggningen" in html

    response = here.post("/konto/sessions/")
    assert response.status_code == 302
    assert logged_in(here)
    assert not logged_in(elsewhere)
    assert logged_in(someone_else)


def test_sessions_are_djangos_database_sessions(participant):
    """Django's own engine (docs/security.md, promise 12): a live session loads, an expired,
    ended or unknown one loads empty and its key is forgotten (a new one is made on save)."""
    from importlib import import_module

    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    store = store_class()
    store["answer"] = 42
    store.set_expiry(600)
    store.save()
    key = store.session_key
    assert store_class(key)["answer"] == 42
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    expired = store_class(key)
    assert expired.get("answer") is None and expired.session_key is None
    Session.objects.filter(session_key=key).delete()
    assert store_class(key).load() == {}
    assert store_class("x" * 32).get("answer") is None
