from allauth.account.adapter import DefaultAccountAdapter
from django.utils.crypto import get_random_string

from .outbox import outbox_add


class AccountAdapter(DefaultAccountAdapter):
    """Closed sign-up: accounts come from an invitation or an administrator. allauth's own
    e-mails (password reset) go through the outbox like every other e-mail."""

    def is_open_for_signup(self, request):
        return False

    def get_login_stages(self):
        """allauth's stages, with its TOTP step skipped for a login whose identity provider
        asserted a strong context, and a last stage that hands the login's assurance level to
        the session (portal/stages.py, portal/assurance.py)."""
        stages = [
            "portal.stages.AuthenticateStage" if s == "allauth.mfa.stages.AuthenticateStage" else s
            for s in super().get_login_stages()
        ]
        return [*stages, "portal.stages.AssuranceStage"]

    def send_mail(self, template_prefix, email, context):
        from allauth.account.adapter import context as allauth_context
        from django.contrib.sites.shortcuts import get_current_site

        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context)
        msg = self.render_mail(template_prefix, email, ctx)
        html = next((c for c, mime in getattr(msg, "alternatives", []) if mime == "text/html"), "")
        outbox_add(
            kind="account:" + template_prefix.rsplit("/", 1)[-1],
            recipient=email,
            object_key=get_random_string(24),
            subject=msg.subject,
            body_text=msg.body,
            body_html=html,
        )
