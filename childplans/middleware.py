"""Two-factor authentication is required for child data (docs/security.md 11).

allauth offers TOTP and recovery codes but has no "required" switch. On every childplans route
(except the indicators page and the referrals' flow, which hold counts only) a user who may reach child data — a
current member of any plan team, or someone whose organisation is of a kind that may keep
plans, or a receiver of an organisation's referrals — and who has no authenticator is sent
to set one up. Only the set-up pages and log-out
are outside childplans, so they pass. Checked in the database on every such request.

A session whose login through the organisation's identity provider asserted a strong
authentication context (``portal.assurance.counts_as_second_factor``; docs/security.md 24)
already passed a second factor there: it needs no TOTP here."""

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from portal.assurance import counts_as_second_factor

from .selectors import may_reach_child_data

CHILDPLANS_NAMESPACE = "childplans"
# childplans routes open without two-factor authentication: the indicators and the referral flow
# (counts, no child data), and the public answer page behind a team meeting's e-mail (its token is
# the key; for anyone).
MFA_EXEMPT_URL_NAMES = frozenset({"indicators", "flow_network", "flow_organisation", "teammeeting_answer"})


def has_authenticator(user):
    return Authenticator.objects.filter(user_id=user.pk).exists()


def mfa_required(user):
    return not has_authenticator(user) and may_reach_child_data(user)


class ChildDataMFAMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = getattr(request, "resolver_match", None)
        if match is None or CHILDPLANS_NAMESPACE not in match.namespaces:
            return None
        if match.url_name in MFA_EXEMPT_URL_NAMES:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None  # LoginRequiredMiddleware has already sent them to log in
        if counts_as_second_factor(request):
            return None
        if mfa_required(user):
            messages.warning(
                request,
                _(
                    "Barnens planer kräver tvåstegsverifiering. Ställ in en autentiseringsapp "
                    "innan du fortsätter."
                ),
            )
            return redirect("mfa_activate_totp")
        return None
