"""Outbox renderers for referral e-mails (docs/security.md 7): built at send time from ids,
carrying NO child data — a fixed sentence and a link with the referral's id; not the child's
name, not the family's, not the plan, not the organisation's answer. If what the e-mail is
about no longer applies (a notice of a referral that is closed meanwhile), nothing is sent."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from childplans.emails import _message, _url
from portal.notices import Category
from portal.outbox import register

from .models import Referral


def _referral(row):
    return Referral.objects.filter(pk=int(row.object_key.split(":", 1)[1])).only("pk", "status").first()


@register("referral_received", notice=Category.REFERRALS, urgent=True)  # to be answered
def render_received(row):
    """To each receiver of the organisation: a referral is waiting."""
    referral = _referral(row)
    if referral is None or not referral.is_open:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        return _message(
            row.recipient,
            _("Ny hänvisning till er organisation"),
            _("Någon i ett barns team har hänvisat ett barn eller en familj till er organisation, med "
              "vårdnadshavarnas samtycke. Läs hänvisningen och svara i portalen."),
            _url("childplans:referral_detail", referral_pk=referral.pk),
        )


@register("referral_answered", notice=Category.REFERRALS)
def render_answered(row):
    """To the referrer: the receivers have answered (what they answered is in the portal)."""
    referral = _referral(row)
    if referral is None:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        return _message(
            row.recipient,
            _("Besked om en hänvisning du har skickat"),
            _("Mottagaren har lämnat ett nytt besked om en hänvisning som du har skickat."),
            _url("childplans:referral_detail", referral_pk=referral.pk),
        )


@register("referral_closed", notice=Category.REFERRALS)
def render_closed(row):
    """To each receiver: the referral is closed (withdrawn consent, taken back, plan closed)."""
    referral = _referral(row)
    if referral is None or referral.is_open:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        return _message(
            row.recipient,
            _("En hänvisning till er organisation är stängd"),
            _("En hänvisning till er organisation är stängd. Ni behöver inte göra något mer."),
            _url("childplans:referral_detail", referral_pk=referral.pk),
        )
