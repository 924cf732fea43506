"""Outbox renderers for network e-mails: built at send time from ids. The tip notice and the
missing-receivers reminder carry no data about any family: a fixed sentence, the activity or
organisation concerned and a link."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from portal.outbox import register

from .models import Activity, NetworkInvitation, NetworkMembership, Organisation, ReferralReceiver
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


def _url(name, *args):
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse(name, args=args)


def _notice(recipient, subject, text, url, link_text):
    with translation.override(settings.LANGUAGE_CODE):
        return _message("notice", {"subject": subject, "text": text, "url": url, "link_text": link_text}, recipient)


@register("activity_tip_notice")
def render_tip_notice(row):
    """"A family may get in touch": nothing about the family, not even when it was tipped."""
    pk = int(row.object_key.split(":", 1)[1])
    activity = Activity.objects.filter(pk=pk).only("title").first()
    if activity is None:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        return _notice(
            row.recipient,
            _("En familj kan höra av sig om %(title)s") % {"title": activity.title},
            _("Någon i barnstödsnätverket har tipsat en familj om %(title)s. Familjen kan höra av sig till "
              "er. Portalen vet inget om familjen, och ni behöver inte göra något förrän de hör av sig.")
            % {"title": activity.title},
            _url("activity_detail", pk),
            _("Se verksamheten i katalogen"),
        )


@register("receivers_missing")
def render_receivers_missing(row):
    """A member organisation has no receiver of referrals: a coordinator is asked to see to it."""
    pk = int(row.object_key.split(":", 1)[1])
    organisation = Organisation.objects.filter(pk=pk).first()
    if organisation is None or ReferralReceiver.objects.current().filter(organisation=organisation).exists():
        return None
    with translation.override(settings.LANGUAGE_CODE):
        return _notice(
            row.recipient,
            _("%(organisation)s saknar mottagare av hänvisningar") % {"organisation": organisation},
            _("Någon ville hänvisa en familj till %(organisation)s, som är medlemsorganisation i ert nätverk, "
              "men organisationen har ingen mottagare av hänvisningar. Be organisationen utse en, eller utse en "
              "själv bland organisationens personer.") % {"organisation": organisation},
            _url("organisation_receivers", pk),
            _("Utse en mottagare"),
        )
