"""Outbox renderers for network e-mails: built at send time from ids."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from portal.outbox import register

from .models import NetworkInvitation, NetworkMembership
from .tokens import invitation_token


def _message(template, context, recipient):
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    msg = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [recipient])
    msg.attach_alternative(html, "text/html")
    return msg


def invitation_url(user):
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("invitation_accept", kwargs={"uidb64": uidb64, "token": invitation_token.make_token(user)})
    return settings.PORTAL_BASE_URL.rstrip("/") + path


@register("network_invitation")
def render_invitation(row):
    pk = int(row.object_key.split(":", 1)[1])
    invitation = (
        NetworkInvitation.objects.select_related("network", "user", "invited_by").filter(pk=pk).first()
    )
    if invitation is None or invitation.accepted_at is not None:
        return None
    ctx = {
        "network": invitation.network,
        "user": invitation.user,
        "invited_by": invitation.invited_by,
        "url": invitation_url(invitation.user),
    }
    return _message("network_invitation", ctx, row.recipient)


@register("network_member_added")
def render_member_added(row):
    pk = int(row.object_key.split(":", 1)[1])
    membership = NetworkMembership.objects.select_related("network", "user").filter(pk=pk).first()
    if membership is None:
        return None
    ctx = {
        "network": membership.network,
        "user": membership.user,
        "url": settings.PORTAL_BASE_URL.rstrip("/") + reverse("network_detail", args=[membership.network_id]),
    }
    return _message("network_member_added", ctx, row.recipient)
