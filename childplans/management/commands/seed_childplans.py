from django.core.management.base import BaseCommand

from childplans.seed import seed_audit, seed_plans


class Command(BaseCommand):
    help = "Seed fictional child plans for benchmarks (default: county size, docs/performance.md)."

    def add_arguments(self, parser):
        parser.add_argument("--plans", type=int, default=5000)
        parser.add_argument("--actions", type=int, default=50000)
        parser.add_argument("--reviews", type=int, default=20000)
        parser.add_argument(
            "--audit-rows", type=int, default=0,
            help="then this many audit rows over two years (PostgreSQL: generate_series)",
        )

    def handle(self, *args, plans, actions, reviews, audit_rows, **options):
        if plans:
            seed_plans(plans=plans, actions=actions, reviews=reviews)
            self.stdout.write(f"{plans} plans, {actions} actions, {reviews} reviews")
        if audit_rows:
            written = seed_audit(audit_rows, stdout=self.stdout)
            self.stdout.write(f"{written} audit rows")
