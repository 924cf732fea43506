from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int

INVITATION_VALID_DAYS = 14


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Like a password-reset token: tied to the account's password and last login, so it
    stops working once the password is chosen; valid for 14 days."""

    key_salt = "networks.tokens.InvitationTokenGenerator"

    def check_token(self, user, token):
        if not (user and token):
            return False
        try:
            ts_b36, _hash = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        secrets = [self.secret, *self.secret_fallbacks]
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token)
            for secret in secrets
        ):
            return False
        return (self._num_seconds(self._now()) - ts) <= INVITATION_VALID_DAYS * 24 * 3600


invitation_token = InvitationTokenGenerator()
