#!/usr/bin/env python
"""Where a page's time goes, cold: N requests through Django's test client in this process
(real log-in with the TOTP step, the bench settings with the ``kept`` cache off), profiled with
cProfile, each function's own time put in one of:

- **orm**: building and compiling queries (``django/db/models``);
- **database**: the round trips (``django/db/backends``, psycopg; C calls counted with their caller);
- **templates**: rendering (``django/template``, template tags);
- **urls**: ``reverse``/``{% url %}`` (``django/urls``);
- **i18n**: translation lookups (``django/utils/translation``, gettext);
- **other**: the rest (middleware, sessions, the portal's own Python).

    .venv/bin/python tests/bench/profile_pages.py                         # county bench database
    .venv/bin/python tests/bench/profile_pages.py --national --requests 100
    .venv/bin/python tests/bench/profile_pages.py --pages plan,dashboard
    .venv/bin/python tests/bench/profile_pages.py --pages network_detail,regional_overview,minutes

Uses the databases of bench_childplans.py (seed them first: ``bench_childplans.py --seed-only
[--national]``) and its measured person. Prints milliseconds per request and each category's
share (``ms/req``: N requests unprofiled; ``profiled``: the next N under cProfile, whose split is shown)
and how many times ``reverse()`` ran per request; not a timed pass/fail test (docs/performance.md, "Less query building")."""

import argparse
import cProfile
import os
import pstats
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_childplans import (  # noqa: E402
    DEFAULT_DB,
    PAGES,
    choose_user,
    ensure_team_meeting,
    seed_referrals_for,
    targets_for,
    use_database,
)

CATEGORIES = (
    ("database", ("django/db/backends", "psycopg")),
    ("orm", ("django/db/models",)),
    ("templates", ("django/template", "templatetags", "crispy")),
    ("urls", ("django/urls",)),
    ("i18n", ("django/utils/translation", "gettext")),
)


def category(filename):
    for name, parts in CATEGORIES:
        if any(part in filename for part in parts):
            return name
    return "other"


def split(stats):
    """Own time per category; a C function (file ``~``) counts where its main caller is."""
    totals = dict.fromkeys([name for name, _ in CATEGORIES] + ["other"], 0.0)
    for (filename, _line, _name), (_cc, _nc, tottime, _cum, callers) in stats.stats.items():
        if filename == "~" and callers:
            caller = max(callers.items(), key=lambda item: item[1][2])[0]
            filename = caller[0]
        totals[category(filename)] += tottime
    return totals


def regional_person(user):
    """The regional network of the measured person's län and its coordinator with the lowest
    e-mail (the measured person is in no regional network), with the bench password and an
    authenticator as choose_user gives them. Returns (person, TOTP secret, network pk) or None."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from allauth.mfa.utils import decrypt
    from bench_childplans import PASSWORD

    from networks.models import Network, NetworkMembership

    membership = (
        NetworkMembership.objects.filter(
            role=NetworkMembership.Role.COORDINATOR,
            network__kind=Network.Kind.REGIONAL,
            network__lan__code="06",
            user__email__endswith="@bench.example.se",
        )
        .select_related("user")
        .order_by("network_id", "user__email")
        .first()
    )
    if membership is None:
        return None
    person = membership.user
    if not person.check_password(PASSWORD):
        person.set_password(PASSWORD)
        person.save(update_fields=["password"])
    auth = Authenticator.objects.filter(user=person, type=Authenticator.Type.TOTP).first()
    if auth is None:
        secret = generate_totp_secret()
        TOTP.activate(person, secret)
    else:
        secret = decrypt(auth.data["secret"])
    return person, secret, membership.network_id


def regional_targets(network_pk):
    """The regional network's detail page and overview (run_bench.py's keys)."""
    from bench_childplans import Target
    from django.urls import reverse

    return [
        Target("network_detail", "network detail (regional)", reverse("network_detail", args=[network_pk]), "detail"),
        Target("regional_overview", "regional overview", reverse("network_overview", args=[network_pk]), "list"),
    ]


def reverse_calls(stats):
    """How many times ``django.urls.reverse`` ran (``{% url %}`` and the views' own)."""
    return sum(
        value[1]
        for (filename, _line, name), value in stats.stats.items()
        if name == "reverse" and filename.replace("\\", "/").endswith("django/urls/base.py")
    )


def log_in(client, email, password, secret):
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    response = client.post("/konto/login/", {"login": email, "password": password})
    assert response.status_code == 302, response.status_code
    counter = int(time.time() // 30)
    response = client.post("/konto/2fa/authenticate/", {"code": format_hotp_value(hotp_value(secret, counter))})
    assert response.status_code == 302 and response["Location"] == "/", response


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_PLANS_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--national", action="store_true", help="the national database (_national)")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument(
        "--pages",
        default=",".join(PAGES),
        help="comma-separated keys: those of bench_childplans.py and network_detail, regional_overview",
    )
    parser.add_argument("--save-html", metavar="DIR", help="write each page's last response to DIR/<key>.html "
                        "(to compare the HTML before and after a change)")
    parser.add_argument("--top", type=int, default=0, help="also print each page's N costliest functions (cumulative)")
    args = parser.parse_args()
    url = args.database_url + ("_national" if args.national else "")
    use_database(url)
    from bench_childplans import PASSWORD
    from django.conf import settings
    from django.test import Client, override_settings

    warnings.filterwarnings("ignore", message="No directory at")
    user, plan_pk, secret = choose_user()
    meeting_pk = ensure_team_meeting(user, plan_pk)
    network_pk, _ = seed_referrals_for(user)
    wanted = set(args.pages.split(","))
    targets = [t for t in targets_for(plan_pk, meeting_pk, network_pk) if t.key in wanted]
    regional = regional_person(user) if wanted & {"network_detail", "regional_overview"} else None
    if regional is not None:
        targets += [t for t in regional_targets(regional[2]) if t.key in wanted]
    cold = {**settings.CACHES, "kept": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    with override_settings(CACHES=cold, ALLOWED_HOSTS=["*"]):
        client = Client(raise_request_exception=False)
        log_in(client, user.email, PASSWORD, secret)
        clients = {"": client}
        if regional is not None:  # the regional pages as that network's coordinator
            clients["regional"] = Client(raise_request_exception=False)
            log_in(clients["regional"], regional[0].email, PASSWORD, regional[1])
        who = user.email + (f" (regional pages: {regional[0].email})" if regional is not None else "")
        print(f"==> {url}: {args.requests} requests per page, cold, user {who}")
        print(f"  {'page':34} {'ms/req':>7} {'profiled':>8}  " + "  ".join(f"{n:>9}" for n, _ in CATEGORIES) + "      other  reverse/req")
        for t in targets:
            client = clients["regional" if t.key in ("network_detail", "regional_overview") else ""]
            for _ in range(5):  # warm the process: imports, the once-built querysets, templates
                assert client.get(t.path).status_code == 200, t.path
            started = time.perf_counter()  # first unprofiled: cProfile slows Python more than waiting
            for _ in range(args.requests):
                client.get(t.path)
            plain = time.perf_counter() - started
            profiler = cProfile.Profile()
            started = time.perf_counter()
            profiler.enable()
            for _ in range(args.requests):
                response = client.get(t.path)
            profiler.disable()
            elapsed = time.perf_counter() - started
            stats = pstats.Stats(profiler)
            totals = split(stats)
            whole = sum(totals.values()) or 1
            cells = "  ".join(f"{totals[n] / whole:9.0%}" for n in [*(n for n, _ in CATEGORIES), "other"])
            if args.save_html:
                Path(args.save_html).mkdir(parents=True, exist_ok=True)
                (Path(args.save_html) / f"{t.key}.html").write_bytes(response.content)
            reverses = reverse_calls(stats) / args.requests
            print(f"  {t.label:34} {plain / args.requests * 1000:7.1f} {elapsed / args.requests * 1000:8.1f}  {cells}  {reverses:11.0f}")
            if args.top:
                stats.sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(args.top)


if __name__ == "__main__":
    main()
