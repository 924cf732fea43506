"""What every page visited in a browser test must satisfy, and small shared steps."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from .axe import assert_accessible
from .htmlcs import assert_htmlcs_clean
from .nu import assert_valid_html

# The invited person's password: long (>= 12), not a common one.
NEW_PASSWORD = "Blåbärsskogen vid Helgasjön 2025"

# No page may scroll sideways at these widths: the narrowest phone WCAG 1.4.10 (reflow)
# names, and a common desktop.
WIDTHS = (320, 1280)


def label(text):
    """Match a form label that starts with ``text`` (crispy's labels carry whitespace and a
    required-field asterisk around the text)."""
    return re.compile(r"^\s*" + re.escape(text))


def path_of(page):
    return urlsplit(page.url).path


def assert_styled(page):
    """Bootstrap's CSS really loaded from the portal (axe's colour-contrast rule needs the
    real look): the navbar is a flex box and the body uses Bootstrap's font stack."""
    styles = page.evaluate(
        """() => ({
            navbar: getComputedStyle(document.querySelector("nav.navbar")).display,
            font: getComputedStyle(document.body).fontFamily,
            brand: getComputedStyle(document.querySelector(".brand-bar")).backgroundColor,
        })"""
    )
    assert styles["navbar"] == "flex", f"Bootstrap CSS not applied on {page.url}: {styles}"
    assert styles["font"].startswith("system-ui"), f"Bootstrap CSS not applied on {page.url}: {styles}"
    assert styles["brand"] == "rgb(31, 78, 121)", f"portal.css not applied on {page.url}: {styles}"


def assert_skip_link_first(page):
    """Keyboard basics: from the top of the page the first Tab reaches the skip link, which
    is then visible, and Enter moves focus to the main content."""
    # Start keyboard navigation from the top of the document, whatever has focus now (an
    # autofocus field, or a #fragment in the URL): focus a throw-away element placed first in
    # <body> and remove it; Chromium continues sequential navigation from where it was.
    page.evaluate(
        """() => {
            window.scrollTo(0, 0);
            const start = document.createElement("span");
            start.tabIndex = -1;
            document.body.prepend(start);
            start.focus();
            start.remove();
        }"""
    )
    page.keyboard.press("Tab")
    focused = page.evaluate(
        """() => {
            const el = document.activeElement;
            const box = el.getBoundingClientRect();
            return {cls: el.className, text: el.textContent.trim(), href: el.getAttribute("href"),
                    visible: box.width > 0 && box.height > 0 && box.top >= 0 && box.left >= 0};
        }"""
    )
    assert "skip-link" in focused["cls"], f"first Tab stop on {page.url} is not the skip link: {focused}"
    assert focused["href"] == "#main" and focused["text"], focused
    assert focused["visible"], f"the focused skip link is not visible on {page.url}: {focused}"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main", "the skip link did not move focus to <main>"
    # Drop the #main the skip link added, so that a form posted next does not carry it along.
    page.evaluate("() => history.replaceState(null, '', location.pathname + location.search)")


def assert_favicon(page):
    """The page links a favicon, and it loads as the image type the link says."""
    icons = page.evaluate(
        """() => [...document.querySelectorAll('head link[rel~="icon"]')]
            .map(link => ({href: link.href, type: link.type}))"""
    )
    assert icons, f"{page.url} links no favicon"
    for icon in icons:
        response = page.request.get(icon["href"])
        try:
            assert response.status == 200, f"the favicon {icon['href']} of {page.url} answered {response.status}"
            content_type = response.headers.get("content-type", "")
            assert content_type.startswith(icon["type"] or "image/"), (
                f"the favicon {icon['href']} of {page.url} is {content_type}, the link says {icon['type']}"
            )
        finally:
            response.dispose()


def assert_fits_widths(page, widths=WIDTHS):
    """The page does not scroll sideways at any of ``widths`` (the viewport is resized for each,
    and restored after); a failure names every width that failed."""
    size = page.viewport_size
    assert size, "the page has no fixed viewport to resize"
    failures = []
    try:
        for width in widths:
            page.set_viewport_size({"width": width, "height": size["height"]})
            try:
                assert_no_horizontal_scroll(page)
            except AssertionError as exc:
                failures.append(f"at {width} px: {exc}")
    finally:
        page.set_viewport_size(size)
    assert not failures, "\n".join(failures)


def check_page(page, *, keyboard=True):
    """Run on every page a test visits: one h1, a language, a title, the real styles, the
    favicon; no serious or critical axe violation, no HTML_CodeSniffer WCAG2AA error, no Nu
    HTML Checker error in the server's HTML; no sideways scrolling at 320 or 1280 px; the skip
    link first in tab order; and no CSP violation or script error so far."""
    page.wait_for_load_state("load")
    expect(page.locator("h1")).to_have_count(1)
    assert page.evaluate("document.documentElement.lang") in ("sv", "en")
    assert page.title().strip(), f"{page.url} has no title"
    assert_styled(page)
    assert_favicon(page)
    assert_accessible(page)
    assert_htmlcs_clean(page)
    assert_valid_html(page)
    assert_fits_widths(page)
    if keyboard:
        assert_skip_link_first(page)
    page.context.problems.assert_clean()


def log_in(page, email, password):
    """Log in through the portal's login form; ends on the page after login."""
    page.goto("/konto/login/")
    assert path_of(page) == "/konto/login/"
    check_page(page)
    page.get_by_label(label("E-postadress")).fill(email)
    page.get_by_label(label("Lösenord")).fill(password)
    page.locator("main").get_by_role("button", name="Logga in").click()
    page.wait_for_load_state("load")
    if path_of(page) == "/konto/login/":
        pytest.fail(f"login as {email} failed:\n{page.locator('main').inner_text()}", pytrace=False)


def assert_no_horizontal_scroll(page):
    """The page fits the viewport's width: nothing makes the document scroll sideways.
    On failure, names the elements that stick out and are not clipped by a box of their own
    (a ``.table-responsive`` scrolls inside itself; the inside of an SVG is clipped by it; an
    absolutely positioned element escapes a scrolling box that is not positioned, as Bootstrap's
    ``.visually-hidden`` text inside a ``.table-responsive`` does)."""
    fit = page.evaluate(
        """() => {
            const width = window.innerWidth;
            const clipped = (el) => {
                let escaping = ["absolute", "fixed"].includes(getComputedStyle(el).position);
                for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
                    const style = getComputedStyle(a);
                    if (escaping && style.position !== "static") escaping = false;
                    if (!escaping && style.overflowX !== "visible") return true;
                }
                return false;
            };
            const wide = new Map();
            for (const el of document.body.querySelectorAll("*")) {
                if (el instanceof SVGElement && !(el instanceof SVGSVGElement)) continue;
                const box = el.getBoundingClientRect();
                let right = box.right;
                if (box.left + el.scrollWidth > right && getComputedStyle(el).overflowX === "visible") {
                    right = box.left + el.scrollWidth;  // its content sticks out of it
                }
                if (right > width + 1 && !el.closest(".skip-link") && !clipped(el)) wide.set(el, right);
            }
            // The innermost ones: their ancestors stick out only because of them.
            const culprits = [...wide.keys()].filter(el => ![...wide.keys()].some(o => o !== el && el.contains(o)));
            const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
                + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "")
                + " right=" + Math.round(wide.get(el));
            return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width, wide: culprits.slice(0, 10).map(name)};
        }"""
    )
    assert fit["scrollWidth"] <= fit["innerWidth"], f"{page.url} scrolls sideways: {fit}"
