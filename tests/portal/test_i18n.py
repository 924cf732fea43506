"""English as a second language: the catalogue is complete, compiled, and used only when chosen.

Swedish is the source language (the msgids). English comes from locale/en/LC_MESSAGES/django.po;
the language follows the switch (the language cookie), never the browser's Accept-Language.
"""

import ast
import gettext
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from .. import factories as f

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO_PATH = LOCALE_DIR / "django.po"
MO_PATH = LOCALE_DIR / "django.mo"

LOGIN_URL = "/konto/login/"
SWEDISH_LOGIN_TEXT = "Konton skapas genom inbjudan från en samordnare eller av en administratör."
ENGLISH_LOGIN_TEXT = "Accounts are created by invitation from a coordinator or by an administrator."


def parse_po(path):
    """The entries of a .po file, header included, as dicts: ``flags`` (set), ``msgctxt`` (if
    any), ``msgid``, ``msgid_plural`` (if any) and ``msgstr`` (a dict from form index to text; 0 for a
    singular entry). Obsolete ``#~`` entries are ignored. Enough for our own files."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry = {"flags": set(), "msgstr": {}}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#") or not line.strip():
                continue
            elif line.startswith('"'):
                entry[key] += ast.literal_eval(line)
            else:
                keyword, _, literal = line.partition(" ")
                if keyword == "msgstr":
                    keyword = "msgstr[0]"
                key = keyword
                entry[key] = ast.literal_eval(literal)
        if "msgid" not in entry:
            continue
        for key in [k for k in entry if k.startswith("msgstr[")]:
            entry["msgstr"][int(key[7:-1])] = entry.pop(key)
        entries.append(entry)
    return entries


def catalog_from_po(entries):
    """What a compiled .mo should hold for these entries, keyed as gettext does."""
    catalog = {}
    for entry in entries:
        if entry["msgid"] == "":
            continue
        # A context (pgettext) is stored before the msgid, separated by EOT, as gettext does.
        msgid = f"{entry['msgctxt']}\x04{entry['msgid']}" if "msgctxt" in entry else entry["msgid"]
        if "msgid_plural" in entry:
            for index, text in entry["msgstr"].items():
                catalog[(msgid, index)] = text
        else:
            catalog[msgid] = entry["msgstr"][0]
    return catalog


def catalog_from_mo(path):
    with path.open("rb") as fp:
        catalog = dict(gettext.GNUTranslations(fp)._catalog)
    catalog.pop("", None)  # the header
    return catalog


# --- The catalogue ------------------------------------------------------------------------------


def test_every_english_entry_is_translated_and_not_fuzzy():
    entries = parse_po(PO_PATH)
    messages = [e for e in entries if e["msgid"] != ""]
    assert len(messages) > 1000, "the English catalogue looks truncated"

    untranslated = [
        e["msgid"] for e in messages
        if not e["msgstr"] or any(not text.strip() for text in e["msgstr"].values())
    ]
    plurals_incomplete = [
        e["msgid"] for e in messages if "msgid_plural" in e and sorted(e["msgstr"]) != [0, 1]
    ]
    fuzzy = [e["msgid"] or "(header)" for e in entries if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert plurals_incomplete == []
    assert fuzzy == []


def test_compiled_catalogue_matches_the_po_file():
    """django.mo is what django.po says: run compilemessages after editing the .po."""
    assert MO_PATH.exists(), "run: manage.py compilemessages -l en"
    assert catalog_from_mo(MO_PATH) == catalog_from_po(parse_po(PO_PATH))


def test_msgfmt_accepts_the_po_file_and_gives_the_committed_mo(tmp_path):
    """The same check as compilemessages (placeholders agree between msgid and msgstr), and the
    result holds the same messages as the committed django.mo. The catalogues are compared rather
    than the bytes, so another gettext version cannot fail the test."""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("msgfmt (GNU gettext) is not installed")
    compiled = tmp_path / "django.mo"
    result = subprocess.run(
        [msgfmt, "--check-format", "-o", str(compiled), str(PO_PATH)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert catalog_from_mo(compiled) == catalog_from_mo(MO_PATH)


# --- Through the site ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_swedish_by_default_whatever_the_browser_asks_for(client):
    response = client.get(LOGIN_URL, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    content = response.content.decode()
    assert SWEDISH_LOGIN_TEXT in content
    assert ENGLISH_LOGIN_TEXT not in content
    assert '<html lang="sv">' in content
    assert response["Content-Language"] == "sv"


@pytest.mark.django_db
def test_the_language_switch_turns_the_login_page_english(client):
    response = client.post("/sprak/", {"language": "en", "next": LOGIN_URL})
    assert response.status_code == 302
    assert response.url == LOGIN_URL

    response = client.get(LOGIN_URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert ENGLISH_LOGIN_TEXT in content
    assert SWEDISH_LOGIN_TEXT not in content
    assert '<html lang="en">' in content
    assert response["Content-Language"] == "en"

    # And back again.
    client.post("/sprak/", {"language": "sv", "next": LOGIN_URL})
    assert SWEDISH_LOGIN_TEXT in client.get(LOGIN_URL).content.decode()


@pytest.mark.django_db
def test_dashboard_in_swedish_and_in_english(client):
    client.force_login(f.UserFactory())

    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Min översikt" in content
    assert "My overview" not in content

    client.post("/sprak/", {"language": "en", "next": "/"})
    response = client.get("/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "My overview" in content
    assert "Min översikt" not in content
