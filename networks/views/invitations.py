"""The link in a network invitation e-mail (public): the invited person chooses a password and
is logged in."""

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from portal.queries import parse_id

from .. import services
from ..models import NetworkInvitation
from ..tokens import invitation_token

User = get_user_model()


def _user_from_uidb64(uidb64):
    try:
        pk = parse_id(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, UnicodeDecodeError):
        return None
    return User.objects.filter(pk=pk).first() if pk is not None else None


@login_not_required
@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
def invitation_accept(request, uidb64, token):
    """Choose a password, get logged in. An invalid, expired or used link gets the same page
    whoever it names (no account enumeration)."""
    user = _user_from_uidb64(uidb64)
    invitation = None
    if user is not None and user.is_active and invitation_token.check_token(user, token):
        invitation = (
            NetworkInvitation.objects.filter(user=user, accepted_at__isnull=True)
            .select_related("network", "invited_by")
            .order_by("-created_at")
            .first()
        )
    if invitation is None:
        return render(request, "networks/invitation_invalid.html", status=404)
    invitation.user = user  # one instance: login() below must see the new password hash

    if request.method == "POST":
        form = SetPasswordForm(user, request.POST)
        if form.is_valid():
            with transaction.atomic():
                user = services.network_invitation_accept(
                    invitation=invitation, password=form.cleaned_data["new_password1"]
                )
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Välkommen till Barnstödsportalen! Ditt lösenord är sparat och du är inloggad."))
            return redirect("dashboard")
    else:
        form = SetPasswordForm(user)
    return render(
        request, "networks/invitation_accept.html", {"form": form, "invitation": invitation, "invited_user": user}
    )
