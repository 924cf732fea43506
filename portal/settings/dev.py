"""Embedded default: SQLite, e-mail as files under var/mail, a local Celery worker with beat
on a filesystem broker (no Redis needed), so invitations go through the real task code."""

from pathlib import Path

from .base import *  # noqa: F401,F403
from .base import BASE_DIR, env

DEBUG = env.bool("DEBUG", default=True)

if CELERY_BROKER_URL.startswith("filesystem://"):  # noqa: F405
    # var/broker/ unless the environment names another folder (tests/bench/bench_embedded.py runs
    # a copy of the embedded default of its own).
    _broker = Path(env("CELERY_BROKER_FOLDER", default=str(BASE_DIR / "var" / "broker")))
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker / "queue"),
        "data_folder_out": str(_broker / "queue"),
        "processed_folder": str(_broker / "processed"),
        "control_folder": str(_broker / "control"),
        "store_processed": False,
        "visibility_timeout": 3600,
    }

# The demo professionals' TOTP secret (childplans/demo.py; printed by load_demo; never in
# production). Base32: add it to an authenticator app as a time-based key, or run
# ``./portal.sh totp EMAIL`` for the current code.
DEMO_TOTP_SECRET = "BARNSTODSPORTALENDEMOKOD"

# The demo's identity providers (networks/federation/demo.py), started by ``./portal.sh run``:
# Region Kronoberg's OpenID Connect provider on port 8100, Växjö kommun's SAML IdP on port
# 8101; empty: no demo provider.
FEDERATION_DEMO_IDP_URL = env("FEDERATION_DEMO_IDP_URL", default="")
FEDERATION_DEMO_SAML_IDP_URL = env("FEDERATION_DEMO_SAML_IDP_URL", default="")
