"""``python manage.py load_demo``: the demo data of every app and the demo log-ins.

The networks (networks/demo.py), their meetings (meetings/demo.py) and fictional child plans
with the professionals who keep them (childplans/demo.py); each app's loader reads its data
from ``<app>/data/demo/*.toml`` (portal/demo.py). The command lives in the top layer because it
composes every app's demo; no app below imports one above it.

Run by ``./portal.sh run`` on every start: it only creates what is missing, so a second run
changes nothing. Production settings refuse it (the accounts have a published password)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from childplans.demo import demo_professionals, demo_totp_secret, load_plan_demo
from meetings.demo import load_meeting_demo, load_series_demo
from networks.demo import DEMO_PASSWORD, demo_logins, load_demo
from networks.federation.demo import load_federation_demo
from portal.demo import production_settings


def refuse_in_production(what):
    if production_settings():
        raise CommandError(what)


class Command(BaseCommand):
    help = "Läser in demodata (Jönköpings län, Kronobergs län, Dalsland, barnens planer) och skriver ut demoinloggningarna."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Skriv inte ut något.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Kör även med produktionsinställningar (skapar konton med ett publicerat lösenord).",
        )

    def handle(self, *args, quiet=False, force=False, **options):
        if not force:
            refuse_in_production(
                "load_demo skapar konton med ett känt lösenord och körs inte med "
                "produktionsinställningar (använd --force om du verkligen menar det)."
            )
        created = load_demo()
        created.update(load_meeting_demo())
        created.update(load_series_demo())
        created.update(load_plan_demo())
        created.update(load_federation_demo())
        if quiet:
            return
        if any(created.values()):
            summary = ", ".join(f"{n} {what}" for what, n in created.items() if n)
            self.stdout.write(self.style.SUCCESS(f"Demodata inläst: {summary}."))
        else:
            self.stdout.write("Demodata finns redan; inget ändrat.")
        self.stdout.write(format_logins(base_url=settings.PORTAL_BASE_URL, totp_secret=demo_totp_secret()))


def format_logins(*, base_url, totp_secret):
    """The demo log-ins as a table: the networks' people, then the professionals of barnets
    plan with their TOTP secret (the embedded default only)."""
    professionals = {email for _role, email, _hint in demo_professionals()}
    networks = [(role, email, hint) for role, email, hint in demo_logins() if email not in professionals]
    lines = [
        "",
        f"Demoinloggningar – logga in på {base_url.rstrip('/')}/konto/login/ "
        f"(samma lösenord för alla: {DEMO_PASSWORD})",
        "",
    ]
    lines += _table([("Roll", "E-post", "Prova"), *networks])
    lines += ["", "Barnets plan – professionella med tvåstegsverifiering:"]
    if totp_secret:
        lines += [
            f"  TOTP-nyckel (samma för alla fyra): {totp_secret}",
            "  Lägg in den som tidsbaserad nyckel i en autentiseringsapp, eller skriv "
            "./portal.sh totp E-POST för koden just nu.",
        ]
    else:
        lines += ["  (ingen demonyckel i de här inställningarna: ställ in en autentiseringsapp vid inloggningen)"]
    lines += [""]
    lines += _table([("Roll", "E-post", "Prova"), *demo_professionals()])
    lines += [""]
    return "\n".join(lines)


def _table(rows):
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    lines = ["  ".join([row[0].ljust(widths[0]), row[1].ljust(widths[1]), row[2]]) for row in rows]
    rule = "-" * max(len(text) for text in lines)
    return [rule, lines[0], rule, *lines[1:], rule]
