"""The hostile values of issue 18 (docs/security.md, promise 16) and how to read the answer to
them: a Swedish message next to the field, a 200, nothing changed. Shared by the tests of the
id fields, the validators, the pages and the admin."""

import re

from django.apps import apps
from django.core import serializers

TWENTY_DIGITS = "9" * 20
LONG = "x" * 10_000
NUL = "1\x00"
SCRIPT = "<script>alert(1)</script>"
RTL = "\u202e12"  # RIGHT-TO-LEFT OVERRIDE before a number
# Values that can never be an id. "²" is a digit to str.isdigit() and a ValueError to int().
NOT_IDS = [TWENTY_DIGITS, "-1", "0", "abc", NUL, LONG, SCRIPT, RTL, "²", "1.5", " 1", "0x1f", "1e3", "١٢"]
NOT_DATES = ["0001-01-01", "9999-12-31", "abc", "2024-02-30", NUL, LONG, SCRIPT]
# A date or a time the database and the time-zone arithmetic cannot take, or a 10,000-character
# text: each refused by a bound (portal.bounds).
OUT_OF_RANGE_DATES = ["0001-01-01", "9999-12-31"]

INVALID_CHOICE = "Välj ett giltigt alternativ. Det valet finns inte bland tillgängliga alternativ."
REQUIRED = "Detta fält måste fyllas i."


def error_next_to(response, field, prefix=""):
    """The message(s) crispy renders next to ``field`` (its invalid-feedback block), as one
    line. Fails if there is none."""
    html = response.content.decode()
    name = f"{prefix}-{field}" if prefix else field
    match = re.search(rf'id="id_{name}_error"[^>]*>(.*?)</(?:div|span|p)>', html, re.S)
    assert match, f"no error shown next to {name!r}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def database_state(*app_labels):
    """Every row of the apps' models (and the audit log's count of change rows), to compare
    before and after: nothing changed."""
    labels = app_labels or ("portal", "networks", "meetings", "childplans", "networkmap", "teammeetings", "referrals")
    rows = []
    for label in labels:
        for model in apps.get_app_config(label).get_models():
            if model._meta.label in ("portal.AuditEvent",):
                continue
            rows.append(serializers.serialize("json", model.objects.order_by("pk")))
    return rows
