import pytest
from django.core.management import call_command


@pytest.fixture
def demo_plans(db, settings, tmp_path):
    """The demo's plans with everything hung on them (team meetings, maps, referrals …)."""
    settings.DEMO_TOTP_SECRET = "BARNSTODSPORTALENDEMOKOD"
    settings.MEDIA_ROOT = str(tmp_path / "media")
    call_command("load_demo", quiet=True)
