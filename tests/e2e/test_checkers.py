"""The checkers that check_page runs find what they are there for: a checker that silently
found nothing (not loaded, a changed API, a refused request) would pass every page."""

import pytest

from .checks import assert_favicon, assert_fits_widths
from .htmlcs import ERROR, htmlcs_messages

pytestmark = pytest.mark.e2e

BAD_PAGE = """<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>Fel</title></head>
<body><main><h1>Fel</h1>
<img src="data:,">
<form action="/"><input name="q" aria-label="Sök"></form>
<p><a href="tel:070 111 22 33">Ring</a></p>
<div class="wide">Bred</div>
</main></body></html>"""


def test_htmlcs_finds_errors(page):
    page.set_content(BAD_PAGE)
    codes = {m["code"] for m in htmlcs_messages(page) if m["type"] == ERROR}
    assert any(code.endswith(".H37") for code in codes), codes  # an image without alt
    assert any(code.endswith(".H32.2") for code in codes), codes  # a form without a submit button


def test_nu_checker_finds_errors(page):
    messages = page.context.nu.check(BAD_PAGE.encode(), "text/html; charset=utf-8")
    errors = [m["message"] for m in messages if m["type"] == "error"]
    assert any("“tel:070 111 22 33”" in message for message in errors), messages
    assert any("“alt”" in message for message in errors), messages


def test_scroll_and_favicon_checks_fail(page):
    page.set_content(BAD_PAGE.replace('<div class="wide">', '<div style="width: 600px">'))
    with pytest.raises(AssertionError, match="scrolls sideways"):
        assert_fits_widths(page)
    assert page.viewport_size == {"width": 1280, "height": 900}  # restored after the failure
    with pytest.raises(AssertionError, match="links no favicon"):
        assert_favicon(page)
