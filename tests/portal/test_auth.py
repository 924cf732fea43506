"""docs/security.md promise 10: authentication with django-allauth.

E-mail log-in, Argon2, length + common-password rules, no account enumeration on log-in and
password reset, log-in by code off, closed sign-up, the admin log-in through allauth, and
rate limits on a real cache."""

import re
import uuid
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import NoReverseMatch, reverse

import portal.settings.base as base_settings
from portal.models import OutboundEmail

from .. import factories as f
from .test_security_headers import _production_settings

User = get_user_model()
LOGIN = "/konto/login/"
RESET = "/konto/password/reset/"


def login_post(client, email, password):
    return client.post(LOGIN, {"login": email, "password": password})


def form_errors(response):
    """The error texts the log-in/reset page shows (non-field and field errors)."""
    form = response.context["form"]
    return sorted(str(e) for errors in form.errors.values() for e in errors)


# --- e-mail log-in --------------------------------------------------------------------

@pytest.mark.django_db
def test_login_with_email_and_password(client, participant):
    response = login_post(client, "Deltagare@Kyrkan.se", f.PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)
    assert client.get("/").wsgi_request.user == participant


@pytest.mark.django_db
def test_login_page_is_swedish_with_no_signup_link(client):
    html = client.get(LOGIN).content.decode()
    assert "Logga in" in html
    assert "Glömt lösenordet?" in html and f'href="{RESET}"' in html
    assert "Konton skapas genom inbjudan från en samordnare eller av en administratör." in html
    assert "/konto/signup/" not in html
    assert 'for="id_login"' in html and 'for="id_password"' in html  # labelled fields
    assert "Sign" not in html and "Forgot" not in html


@pytest.mark.django_db
def test_login_next_parameter_is_followed(client, participant):
    response = client.post(f"{LOGIN}?next=/katalog/", {"login": participant.email, "password": f.PASSWORD})
    assert response["Location"] == "/katalog/"


@pytest.mark.django_db
def test_login_next_parameter_to_another_site_is_ignored(client, participant):
    response = client.post(LOGIN, {"login": participant.email, "password": f.PASSWORD, "next": "https://evil.example/"})
    assert response.status_code == 302
    assert urlsplit(response["Location"]).netloc == ""


@pytest.mark.django_db
def test_inactive_user_cannot_log_in(client, participant):
    participant.is_active = False
    participant.save()
    response = login_post(client, participant.email, f.PASSWORD)
    assert response["Location"] == reverse("account_inactive")  # only with the right password
    assert not client.get("/konto/sessions/").wsgi_request.user.is_authenticated


# --- passwords ------------------------------------------------------------------------

def test_argon2_is_the_first_hasher():
    assert base_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_password_rules_are_length_and_common_passwords_only():
    names = [v["NAME"].rsplit(".", 1)[-1] for v in base_settings.AUTH_PASSWORD_VALIDATORS]
    assert sorted(names) == [
        "CommonPasswordValidator",
        "MinimumLengthValidator",
        "UserAttributeSimilarityValidator",
    ]
    lengths = [v.get("OPTIONS", {}).get("min_length") for v in base_settings.AUTH_PASSWORD_VALIDATORS]
    assert 12 in lengths


@pytest.mark.parametrize(
    "password, ok",
    [
        ("kortare-1x!", False),  # 11 characters
        ("qwerty123456", False),  # on the common-password list
        ("bara små bokstäver", True),  # no composition rules
        ("tolv-tecken1", True),
    ],
)
def test_password_validation(password, ok):
    if ok:
        password_validation.validate_password(password)
    else:
        with pytest.raises(ValidationError):
            password_validation.validate_password(password)


# --- no account enumeration -------------------------------------------------------------

@pytest.mark.django_db
def test_login_failure_is_the_same_for_unknown_email_and_wrong_password(client, participant):
    wrong_password = login_post(client, participant.email, "fel-lösenord-som-är-långt")
    unknown_email = login_post(client, "finns-inte@exempel.se", "fel-lösenord-som-är-långt")
    assert wrong_password.status_code == unknown_email.status_code == 200
    assert form_errors(wrong_password) == form_errors(unknown_email)
    assert form_errors(wrong_password)  # there is a message
    assert not client.get("/konto/sessions/").wsgi_request.user.is_authenticated


def _reset(client, email):
    return client.post(RESET, {"email": email})


@pytest.mark.django_db
def test_password_reset_is_the_same_for_unknown_and_known_email(
    client, participant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        unknown = _reset(client, "finns-inte@exempel.se")
    assert mail.outbox == []
    assert not OutboundEmail.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        known = _reset(client, participant.email)
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert known["Location"] == reverse("account_reset_password_done")
    done_unknown = client.get(unknown["Location"]).content
    done_known = client.get(known["Location"]).content
    strip = lambda html: re.sub(rb'(nonce|value)="[^"]*"', b"", html)  # noqa: E731
    assert strip(done_unknown) == strip(done_known)
    assert [m.to for m in mail.outbox] == [[participant.email]]


@pytest.mark.django_db
def test_password_reset_mail_goes_through_the_outbox_and_its_link_works(
    client, participant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _reset(client, participant.email)
    row = OutboundEmail.objects.get()
    assert row.recipient == participant.email and row.status == OutboundEmail.Status.SENT
    (message,) = mail.outbox
    assert message.subject == "[Barnstödsportalen] Välj ett nytt lösenord"
    assert "testserver!" not in message.body
    link = re.search(r"https?://testserver(/konto/password/reset/key/\S+)", message.body).group(1)

    page = client.get(link, follow=True)
    assert page.status_code == 200
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else link
    new_password = "ett-helt-nytt-lösenord-7"
    done = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert done.status_code == 302
    assert done["Location"] == reverse("account_reset_password_from_key_done")

    participant.refresh_from_db()
    assert participant.check_password(new_password)
    # The link works once: a second use shows the "bad token" page and changes nothing.
    again = client.post(form_url, {"password1": "ännu-ett-lösenord-99", "password2": "ännu-ett-lösenord-99"})
    assert again.status_code == 200
    participant.refresh_from_db()
    assert participant.check_password(new_password)
    assert login_post(client, participant.email, new_password).status_code == 302


@pytest.mark.django_db
def test_password_reset_page_is_swedish(client):
    html = client.get(RESET).content.decode()
    assert "Återställ lösenord" in html and 'for="id_email"' in html
    assert "Password" not in html


# --- flows we do not offer ----------------------------------------------------------------

def test_login_by_code_is_off():
    assert settings.ACCOUNT_LOGIN_BY_CODE_ENABLED is False
    with pytest.raises(NoReverseMatch):
        reverse("account_request_login_code")


@pytest.mark.django_db
def test_signup_creates_no_account(client, participant):
    count = User.objects.count()
    data = {"email": "ny@exempel.se", "password1": "ett-långt-lösenord-1", "password2": "ett-långt-lösenord-1"}
    assert client.post("/konto/signup/", data).status_code == 302  # logged out: to the log-in
    client.force_login(participant)
    assert client.post("/konto/signup/", data).status_code == 404
    assert client.get("/konto/signup/").status_code == 404
    assert User.objects.count() == count
    assert not User.objects.filter(email="ny@exempel.se").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["/konto/email/", "/konto/confirm-email/", "/konto/confirm-email/abc/", "/konto/login/code/confirm/"],
)
def test_disabled_allauth_pages_answer_404(client, participant, url):
    client.force_login(participant)
    assert client.get(url).status_code == 404
    assert client.post(url, {"email": "annan@exempel.se", "action_add": "1"}).status_code == 404
    participant.refresh_from_db()
    assert participant.email == "deltagare@kyrkan.se"


# --- the admin log-in goes through allauth -------------------------------------------------

@pytest.mark.django_db
def test_admin_login_redirects_to_allauth(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=%2Fadmin%2F"


@pytest.mark.django_db
def test_admin_login_refuses_a_logged_in_non_staff_user(client, participant):
    client.force_login(participant)
    assert client.get("/admin/login/").status_code == 403
    assert client.get("/admin/").status_code == 302  # to the admin log-in, which refuses


@pytest.mark.django_db
def test_staff_reach_the_admin_after_an_allauth_login(client, administrator):
    login_post(client, administrator.email, f.PASSWORD)
    assert client.get("/admin/").status_code == 200


# --- rate limits --------------------------------------------------------------------------

def test_rate_limits_are_configured_in_base_settings():
    limits = base_settings.ACCOUNT_RATE_LIMITS
    for action in ("login", "login_failed", "reset_password", "reset_password_from_key", "change_password"):
        assert limits.get(action), action


def test_rate_limits_use_a_shared_cache_in_production_and_dev():
    values = _production_settings("CACHES", "ALLAUTH_TRUSTED_PROXY_COUNT")
    assert values["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert values["CACHES"]["default"]["LOCATION"] == "redis://127.0.0.1:6379/1"  # not the broker's db
    assert values["ALLAUTH_TRUSTED_PROXY_COUNT"] == 1
    # The embedded default serves from one process (runserver): its memory is shared enough.
    dev = _production_settings("CACHES", env={"DJANGO_SETTINGS_MODULE": "portal.settings.dev"})
    assert dev["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def _limited(**limits):
    return override_settings(
        CACHES={
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": uuid.uuid4().hex},
            "kept": settings.CACHES["kept"],
        },
        ACCOUNT_RATE_LIMITS=limits,
    )


@pytest.mark.django_db
def test_failed_logins_are_rate_limited(client, participant):
    with _limited(login_failed="100/m/ip,3/5m/key"):
        for _ in range(3):
            assert login_post(client, participant.email, "fel-lösenord-som-är-långt").status_code == 200
        limited = login_post(client, participant.email, f.PASSWORD)  # even the right password
        assert limited.status_code == 200
        assert form_errors(limited) == ["För många misslyckade inloggningsförsök. Försök igen senare."]
        assert not client.get("/konto/sessions/").wsgi_request.user.is_authenticated
        # Another account from the same address is not locked by this one's failures.
        other = f.UserFactory(email="annan@exempel.se")
        assert login_post(client, other.email, f.PASSWORD).status_code == 302


@pytest.mark.django_db
def test_logins_per_ip_are_rate_limited(client, participant):
    with _limited(login="2/m/ip"):
        assert login_post(client, "a@exempel.se", "fel-lösenord-som-är-långt").status_code == 200
        assert login_post(client, "b@exempel.se", "fel-lösenord-som-är-långt").status_code == 200
        assert login_post(client, participant.email, f.PASSWORD).status_code == 429
        assert not client.get("/konto/sessions/").wsgi_request.user.is_authenticated


@pytest.mark.django_db
def test_password_reset_requests_are_rate_limited(client, participant, django_capture_on_commit_callbacks):
    with _limited(reset_password="100/m/ip,2/m/key"):
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(4):
                _reset(client, participant.email)
    assert len(mail.outbox) == 2
