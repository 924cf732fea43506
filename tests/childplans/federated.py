"""Checks both federated log-ins (OpenID Connect and SAML) share: a refused answer logs no one
in, makes no account and no link, and writes exactly one audit row."""

from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model

from portal.models import AuditEvent


def refused_once(client, log_in, *, text):
    """``log_in()`` (the whole round trip through the identity provider) answers 403 with
    ``text``; nothing changes but one ``login.federated_refused`` row, which is returned."""
    users, links = get_user_model().objects.count(), SocialAccount.objects.count()
    audit_before = AuditEvent.objects.count()
    response = log_in()
    assert response.status_code == 403
    assert text in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert (get_user_model().objects.count(), SocialAccount.objects.count()) == (users, links)
    rows = list(AuditEvent.objects.order_by("pk")[audit_before:])
    assert [(r.action, r.event) for r in rows] == [(AuditEvent.Action.LOGIN_FAILED, "login.federated_refused")]
    return rows[0]
