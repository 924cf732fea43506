"""The checkers that check_page runs find what they are there for: a checker that silently
found nothing (not loaded, a changed API, a refused request) would pass every page."""

import pytest

from .checks import (
    assert_favicon,
    assert_fits_widths,
    assert_focus_rings,
    assert_named_articles_and_forms,
    assert_skip_link_in_landmark,
    focus_ring,
)
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


def test_scroll_check_in_the_print_layout(page):
    """A page whose print styles are too wide fits on screen and fails in its print layout (the
    family leaflet's rows once stuck out 12 px there); the media is restored afterwards."""
    page.set_content(BAD_PAGE.replace("</title>", "</title><style>@media print { .wide { width: 600px } }</style>"))
    assert_fits_widths(page)
    with pytest.raises(AssertionError, match=r"at 320 px \(print\):.*scrolls sideways"):
        assert_fits_widths(page, media=("print",))
    assert page.evaluate("matchMedia('screen').matches")


# A page shaped like the portal's: a dark header with a link, a tab, a field. Bootstrap's own
# focus ring (a 25 % blue shadow, faded in) on the tab and the field; the header link's ring is dark blue
# on the dark header. Set with set_content (about:blank has no CSP, so a <style> works).
RING_PAGE = """<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>Ringar</title><style>
body { margin: 0; background: #fff; }
header { background: #1f4e79; padding: 1rem; }
:focus-visible { outline: 3px solid #1f4e79; outline-offset: 2px; }
.faint { transition: box-shadow .3s ease-in-out; }
.faint:focus-visible, .faint:focus { outline: 0; box-shadow: 0 0 0 .25rem rgba(13, 110, 253, .25); }
.light:focus-visible { outline-color: #fff; }
</style></head><body>
<header><a href="#x" class="navbar-brand">Portalen</a> <a href="#y" class="nav-link light">Nätverk</a></header>
<main><h1>Ringar</h1>
<ul class="nav nav-tabs"><li><a class="nav-link faint" href="#z">Kartan</a></li></ul>
<label for="f">Namn</label> <input id="f" class="form-control faint">
<button class="btn">Spara</button>
</main></body></html>"""


def test_focus_ring_contrast_is_measured(page):
    page.set_content(RING_PAGE)
    tab = focus_ring(page.locator(".nav-tabs .nav-link"))
    field = focus_ring(page.locator("input.form-control"))
    assert tab["kind"] == field["kind"] == "box-shadow"
    assert tab["ratio"] == field["ratio"] and 1.3 < tab["ratio"] < 1.5, (tab, field)  # the walk's "about 1.4:1"
    brand, light = focus_ring(page.locator(".navbar-brand")), focus_ring(page.locator("header .nav-link"))
    assert (brand["kind"], brand["background"], brand["ratio"]) == ("outline", "rgb(31, 78, 121)", 1.0)
    assert (light["kind"], light["background"]) == ("outline", "rgb(31, 78, 121)") and light["ratio"] > 8
    button = focus_ring(page.locator("main .btn"))
    assert (button["background"], button["width"]) == ("rgb(255, 255, 255)", 3) and button["ratio"] > 8
    with pytest.raises(AssertionError) as failed:
        assert_focus_rings(page)
    for kind in ("header link", "tab", "field"):
        assert f"\n  {kind} " in str(failed.value), failed.value
    assert "\n  button " not in str(failed.value)


LANDMARK_PAGE = """<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>Landmärken</title></head>
<body>{skip}<header><nav aria-label="Meny"><a href="/">Portalen</a></nav></header>
<main id="main" tabindex="-1"><h1>Landmärken</h1>
<article aria-labelledby="a1"><h2 id="a1">Med namn</h2></article>
<article{article_name}><h2>Utan namn</h2></article>
<form method="post" aria-labelledby="a1"><button>Spara</button></form>
<form method="post"{form_name}><button>Ta bort</button></form>
<form method="post" hidden></form>
</main></body></html>"""
SKIP_LINK = '<a class="skip-link" href="#main">Hoppa till innehållet</a>'


def test_skip_link_outside_a_landmark_fails(page):
    page.set_content(LANDMARK_PAGE.format(skip=SKIP_LINK, article_name="", form_name=""))
    with pytest.raises(AssertionError, match="outside every landmark"):
        assert_skip_link_in_landmark(page)
    page.set_content(LANDMARK_PAGE.replace("<header>", "<header>" + SKIP_LINK).format(skip="", article_name="", form_name=""))
    assert assert_skip_link_in_landmark(page) == "banner"


def test_unnamed_articles_and_forms_fail(page):
    page.set_content(LANDMARK_PAGE.format(skip="", article_name="", form_name=""))
    with pytest.raises(AssertionError) as failed:
        assert_named_articles_and_forms(page)
    message = str(failed.value)
    assert message.startswith("2 article(s)/form(s) without an accessible name"), message
    assert "article: <article><h2>Utan namn" in message and 'form: <form method="post"><button>Ta bort' in message
    page.set_content(LANDMARK_PAGE.format(skip="", article_name=' aria-label="Andra"', form_name=' aria-label="Ta bort"'))
    assert_named_articles_and_forms(page)  # the hidden form is presented to no one
