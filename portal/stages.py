"""Login stages of the portal (allauth's login pipeline; ``AccountAdapter.get_login_stages``).
Named by string only: allauth's stage module cannot be imported while the apps load."""

from allauth.account.stages import LoginStage
from allauth.mfa.stages import AuthenticateStage as AllauthAuthenticateStage

from .assurance import FEDERATED_STRONG, REQUEST_ATTR, login_assurance


class AuthenticateStage(AllauthAuthenticateStage):
    """allauth's TOTP step at log-in, skipped for a login whose provider asserted a strong
    context (the identity provider has already checked a second factor)."""

    def _should_handle(self, request):
        if login_assurance(self.login)["level"] == FEDERATED_STRONG:
            return False
        return super()._should_handle(request)


class AssuranceStage(LoginStage):
    """The last login stage: runs in the request that completes the login, right before
    ``login()``, and hands the login's level to ``record_login``."""

    key = "portal_assurance"
    urlname = None

    def handle(self):
        setattr(self.request, REQUEST_ATTR, login_assurance(self.login))
        return None, True
