"""What every page visited in a browser test must satisfy, and small shared steps."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from .axe import assert_accessible

# The invited person's password: long (>= 12), not a common one.
NEW_PASSWORD = "Blåbärsskogen vid Helgasjön 2025"


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


def check_page(page, *, keyboard=True):
    """Run on every page a test visits: one h1, a language, the real styles, no serious or
    critical axe violation, the skip link first in tab order, and no CSP violation so far."""
    page.wait_for_load_state("load")
    expect(page.locator("h1")).to_have_count(1)
    assert page.evaluate("document.documentElement.lang") in ("sv", "en")
    assert page.title().strip(), f"{page.url} has no title"
    assert_styled(page)
    assert_accessible(page)
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
    """The page fits the viewport's width (a phone): nothing makes the document scroll sideways.
    On failure, names the elements that stick out."""
    fit = page.evaluate(
        """() => {
            const width = window.innerWidth;
            const wide = [];
            for (const el of document.body.querySelectorAll("*")) {
                const box = el.getBoundingClientRect();
                const right = Math.max(box.right, box.left + el.scrollWidth);
                if (right > width + 1 && !el.closest(".table-responsive, .visually-hidden, .skip-link")) {
                    wide.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
                        + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "")
                        + " right=" + Math.round(right));
                }
            }
            return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width, wide: wide.slice(0, 10)};
        }"""
    )
    assert fit["scrollWidth"] <= fit["innerWidth"], f"{page.url} scrolls sideways: {fit}"
