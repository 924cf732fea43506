"""``python manage.py demo_totp EMAIL``: the current two-step code of a demo professional, in
the embedded default only (``./portal.sh totp EMAIL``). Production settings have no demo
secret, and the command refuses there."""

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from allauth.mfa.utils import decrypt
from django.core.management.base import BaseCommand, CommandError

from childplans.demo import demo_totp_secret

from .load_demo import refuse_in_production


class Command(BaseCommand):
    help = "Skriver ut den aktuella engångskoden för en demoanvändares tvåstegsverifiering (bara demoinstallationen)."

    def add_arguments(self, parser):
        parser.add_argument("email", help="Demoanvändarens e-postadress.")

    def handle(self, *args, email, **options):
        refuse_in_production("demo_totp finns inte med produktionsinställningar.")
        secret = demo_totp_secret()
        if not secret:
            raise CommandError("Det finns ingen demonyckel i de här inställningarna (DEMO_TOTP_SECRET).")
        authenticator = Authenticator.objects.filter(
            user__email__iexact=email.strip(), type=Authenticator.Type.TOTP
        ).first()
        if authenticator is None or decrypt(authenticator.data["secret"]) != secret:
            raise CommandError(f"{email} har ingen demonyckel för tvåstegsverifiering.")
        counters = list(yield_hotp_counters_from_time())
        now = counters[len(counters) // 2]  # the middle of the tolerance window is this period
        self.stdout.write(format_hotp_value(hotp_value(secret, now)))
