"""Log-in: decide whether the menu shows "Barnens planer" for this session."""

from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver

from .context_processors import remember_plans_menu


@receiver(auth_signals.user_logged_in)
def on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.user = user
        remember_plans_menu(request)
