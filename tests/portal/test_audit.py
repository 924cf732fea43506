"""docs/security.md promises 5 (login events) and 6 (the log cannot be changed).

Each log-in event writes exactly one audit row with the user, the action, the client's IP and
the request id; UPDATE and DELETE on the audit table fail at the database on PostgreSQL, and
the app offers no way to edit the log."""

import re
import time
from pathlib import Path

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core import mail
from django.db import DatabaseError, transaction
from django.test import Client

from portal.audit import audit_record
from portal.models import AuditEvent

from .. import factories as f

Action = AuditEvent.Action
LOGIN = "/konto/login/"
IP = "127.0.0.1"


def assert_one_event(action, *, user, response, ip=IP):
    events = list(AuditEvent.objects.filter(action=action))
    assert len(events) == 1, f"{action}: {events}"
    event = events[0]
    assert event.user_id == (user.pk if user else None)
    assert event.user_label == (user.email if user else "")
    assert event.ip_address == ip
    assert event.request_id and event.request_id == response["X-Request-ID"]
    return event


def login(client, user, password=f.PASSWORD, **extra):
    return client.post(LOGIN, {"login": user.email, "password": password}, **extra)


@pytest.mark.django_db
def test_login_is_logged_once(client, participant):
    response = login(client, participant)
    assert response.status_code == 302
    assert_one_event(Action.LOGIN, user=participant, response=response)
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db
def test_request_id_from_the_proxy_is_kept(client, participant):
    response = login(client, participant, headers={"X-Request-ID": "proxy-id-12345678"})
    event = assert_one_event(Action.LOGIN, user=participant, response=response)
    assert event.request_id == "proxy-id-12345678"


@pytest.mark.django_db
def test_failed_login_is_logged_once_with_the_account_tried(client, participant):
    response = login(client, participant, password="fel-lösenord-som-är-långt")
    assert response.status_code == 200
    event = assert_one_event(Action.LOGIN_FAILED, user=participant, response=response)
    assert event.detail == {"known_account": True}
    assert "fel-lösenord" not in str(event.detail)
    assert not AuditEvent.objects.filter(action=Action.LOGIN).exists()


@pytest.mark.django_db
def test_failed_login_for_an_unknown_address_is_logged_without_a_user(client):
    response = client.post(LOGIN, {"login": "finns-inte@exempel.se", "password": "fel-lösenord-1234"})
    event = assert_one_event(Action.LOGIN_FAILED, user=None, response=response)
    assert event.detail == {"known_account": False}


@pytest.mark.django_db
def test_logout_is_logged_once(client, participant):
    login(client, participant)
    response = client.post("/konto/logout/")
    assert response.status_code == 302
    assert_one_event(Action.LOGOUT, user=participant, response=response)


@pytest.mark.django_db
def test_password_change_is_logged_once(client, participant):
    login(client, participant)
    new = "ett-nytt-långt-lösenord-5"
    response = client.post(
        "/konto/password/change/", {"oldpassword": f.PASSWORD, "password1": new, "password2": new}
    )
    assert response.status_code == 302
    assert_one_event(Action.PASSWORD_CHANGED, user=participant, response=response)


@pytest.mark.django_db
def test_password_reset_is_logged_once(client, participant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/konto/password/reset/", {"email": participant.email})
    link = re.search(r"https?://testserver(/konto/password/reset/key/\S+)", mail.outbox[0].body).group(1)
    form_url = client.get(link)["Location"]
    new = "ett-nytt-långt-lösenord-6"
    response = client.post(form_url, {"password1": new, "password2": new})
    assert response.status_code == 302
    assert_one_event(Action.PASSWORD_RESET, user=participant, response=response)


def _current_totp(secret):
    """The code an authenticator app shows now."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))


@pytest.mark.django_db
def test_mfa_added_and_removed_are_logged_once_per_authenticator(
    client, participant, django_capture_on_commit_callbacks
):
    login(client, participant)
    # MFA changes need a fresh re-authentication (docs/security.md 13).
    assert client.get("/konto/2fa/totp/activate/")["Location"].startswith("/konto/reauthenticate/")
    assert client.post("/konto/reauthenticate/", {"password": f.PASSWORD}).status_code == 302
    page = client.get("/konto/2fa/totp/activate/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Aktivera autentiseringsapp" in html and 'src="data:image/svg+xml' in html
    secret = page.context["form"].secret

    with django_capture_on_commit_callbacks(execute=True):
        added = client.post("/konto/2fa/totp/activate/", {"code": _current_totp(secret)})
    assert added.status_code == 302, added.content[-3000:]
    assert Authenticator.objects.filter(user=participant, type="totp").exists()
    # TOTP, and the recovery codes allauth creates with it: one row each.
    rows = AuditEvent.objects.filter(action=Action.MFA_ADDED).order_by("detail__type")
    assert [r.detail["type"] for r in rows] == ["recovery_codes", "totp"]
    for row in rows:
        assert (row.user_id, row.ip_address, row.request_id) == (participant.pk, IP, added["X-Request-ID"])

    with django_capture_on_commit_callbacks(execute=True):
        removed = client.post("/konto/2fa/totp/deactivate/")
    assert removed.status_code == 302
    assert not Authenticator.objects.filter(user=participant).exists()
    rows = AuditEvent.objects.filter(action=Action.MFA_REMOVED).order_by("detail__type")
    assert [r.detail["type"] for r in rows] == ["recovery_codes", "totp"]
    for row in rows:
        assert (row.user_id, row.ip_address, row.request_id) == (participant.pk, IP, removed["X-Request-ID"])


@pytest.mark.django_db
def test_a_wrong_second_factor_code_is_logged(client, participant):
    """Log in with the password, then a wrong authenticator code: one MFA_FAILED row, not
    logged in; the right code then logs in."""
    from allauth.mfa.totp.internal.auth import TOTP

    secret = "JBSWY3DPEHPK3PXP"
    TOTP.activate(participant, secret)
    response = client.post("/konto/login/", {"login": participant.email, "password": f.PASSWORD})
    assert response.status_code == 302 and "/2fa/authenticate/" in response["Location"]
    wrong = "000000" if _current_totp(secret) != "000000" else "111111"
    response = client.post("/konto/2fa/authenticate/", {"code": wrong})
    assert response.status_code == 200
    assert not client.get("/profil/").wsgi_request.user.is_authenticated
    assert_one_event(Action.MFA_FAILED, user=participant, response=response)
    assert AuditEvent.objects.get(action=Action.MFA_FAILED).detail == {"type": "totp", "reauthentication": False}
    response = client.post("/konto/2fa/authenticate/", {"code": _current_totp(secret)})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action=Action.MFA_FAILED).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("proxies, expected", [(0, "10.0.0.9"), (1, "203.0.113.7")])
def test_ip_behind_a_trusted_proxy(client, participant, settings, proxies, expected):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = proxies
    response = login(
        client, participant, REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7"
    )
    assert_one_event(Action.LOGIN, user=participant, response=response, ip=expected)


# --- the log cannot be changed (promise 6) ----------------------------------------------

@pytest.mark.django_db
def test_the_audit_log_cannot_be_changed(participant, administrator):
    event = audit_record(action=Action.LOGIN, user=participant)
    original = AuditEvent.objects.values().get(pk=event.pk)

    # The app offers no edit path: the admin shows the log read-only to a superuser.
    admin = Client()
    admin.force_login(administrator)
    base = f"/admin/portal/auditevent/{event.pk}"
    assert admin.get("/admin/portal/auditevent/").status_code == 200
    assert admin.post(f"{base}/change/", {"action": "view", "user_label": "x"}).status_code == 403
    assert admin.post(f"{base}/delete/", {"post": "yes"}).status_code == 403
    assert admin.get("/admin/portal/auditevent/add/").status_code == 403
    changelist = admin.post(
        "/admin/portal/auditevent/", {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"}
    )
    assert changelist.status_code in (200, 302)
    assert AuditEvent.objects.values().get(pk=event.pk) == original

    # And the database refuses UPDATE, and DELETE of a row within its retention
    # (portal.auditguard, on PostgreSQL and on SQLite), whoever asks.
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action=Action.VIEW)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    event.user_label = "ändrad"
    with pytest.raises(DatabaseError), transaction.atomic():
        event.save()
    assert AuditEvent.objects.values().get(pk=event.pk) == original


def test_only_audit_record_writes_the_log():
    """No code path edits audit rows: the model is written in portal/audit.py only (insert)."""
    base = Path(settings.BASE_DIR)
    writers = []
    for path in base.rglob("*.py"):
        relative = path.relative_to(base)
        if relative.parts[0] in {".venv", "tests", "var", ".tools"} or "migrations" in relative.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"AuditEvent\.objects\.(?!filter\b|all\b|none\b)", text) or re.search(
            r"AuditEvent\.objects\.filter\([^)]*\)\.(update|delete)", text
        ):
            writers.append(str(relative))
    assert writers == ["portal/audit.py"]
    audit_py = (base / "portal" / "audit.py").read_text()
    assert "AuditEvent.objects.create(" in audit_py
    # its one delete is the retention's (audit_prune), and nothing updates a row
    assert audit_py.count(".delete()") == 1 and ".update(" not in audit_py
    assert audit_py.index("def audit_prune") < audit_py.index(".delete()")
