"""``python manage.py load_demo``: the seeds' demo data and the demo log-ins (networks/demo.py),
then the demo data of the apps above it (meetings/demo.py). The command lives in the top layer
because it composes every app's demo; no app below imports another's.

Run by ``./portal.sh run`` on every start: it only creates what is missing, so a second run
changes nothing."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from meetings.demo import load_meeting_demo
from networks.demo import DEMO_PASSWORD, demo_logins, load_demo


class Command(BaseCommand):
    help = "Läser in demodata (Jönköpings län, Kronobergs län, Dalsland) och skriver ut demoinloggningarna."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Skriv inte ut något.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Kör även med produktionsinställningar (skapar konton med ett publicerat lösenord).",
        )

    def handle(self, *args, quiet=False, force=False, **options):
        # override_settings (tests) hides SETTINGS_MODULE; the environment still names it.
        module = settings.SETTINGS_MODULE or os.environ.get("DJANGO_SETTINGS_MODULE", "")
        if module.endswith(".production") and not force:
            raise CommandError(
                "load_demo skapar konton med ett känt lösenord och körs inte med "
                "produktionsinställningar (använd --force om du verkligen menar det)."
            )
        created = load_demo()
        created.update(load_meeting_demo())
        if quiet:
            return
        if any(created.values()):
            summary = ", ".join(f"{n} {what}" for what, n in created.items() if n)
            self.stdout.write(self.style.SUCCESS(f"Demodata inläst: {summary}."))
        else:
            self.stdout.write("Demodata finns redan; inget ändrat.")
        self.stdout.write(format_logins(base_url=settings.PORTAL_BASE_URL))


def format_logins(*, base_url):
    rows = [("Roll", "E-post", "Lösenord", "Prova")] + [
        (role, email, DEMO_PASSWORD, hint) for role, email, hint in demo_logins()
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = ["  ".join([*(row[i].ljust(widths[i]) for i in range(3)), row[3]]) for row in rows]
    rule = "-" * max(len(text) for text in lines)
    return "\n".join(
        [
            "",
            f"Demoinloggningar – logga in på {base_url.rstrip('/')}/konto/login/ "
            f"(samma lösenord för alla: {DEMO_PASSWORD})",
            rule,
            lines[0],
            rule,
            *lines[1:],
            rule,
            "",
        ]
    )
