"""What every page visited in a browser test must satisfy, and small shared steps."""

import hashlib
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

# The landmark roles of WAI-ARIA 1.2 (a <form> or <section> is one only when it has a name).
LANDMARK_ROLES = ("banner", "navigation", "main", "contentinfo", "complementary", "region", "search", "form")

# WCAG 1.4.11 (non-text contrast): a focus indicator needs 3:1 against the colours next to it.
FOCUS_RING_MIN_RATIO = 3.0
# What the keyboard walk focuses on each page: the first visible one of each kind, if any.
FOCUS_TARGETS = (
    ("header link", "header a.navbar-brand, header a.nav-link"),
    ("header button", "header .btn, header .navbar-toggler"),
    ("tab", "main .nav-tabs .nav-link, main .nav-pills .nav-link"),
    ("field", "main input.form-control, main select.form-select, main textarea.form-control, main .form-check-input"),
    ("button", "main .btn"),
)


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


def assert_fits_widths(page, widths=WIDTHS, media=("screen",)):
    """The page does not scroll sideways at any of ``widths`` in any of ``media`` ("screen", and
    "print" for a page with print styles: its print layout at those widths); the viewport and
    media are restored after. A failure names every width and medium that failed."""
    size = page.viewport_size
    assert size, "the page has no fixed viewport to resize"
    failures = []
    try:
        for medium in media:
            page.emulate_media(media=medium)
            for width in widths:
                page.set_viewport_size({"width": width, "height": size["height"]})
                try:
                    assert_no_horizontal_scroll(page)
                except AssertionError as exc:
                    failures.append(f"at {width} px ({medium}): {exc}")
    finally:
        page.emulate_media(media="no-override")
        page.set_viewport_size(size)
    assert not failures, "\n".join(failures)


def assert_skip_link_in_landmark(page):
    """The skip link sits inside a landmark (the page's banner), as every other piece of
    content does, so that nothing is left outside the page's regions; returns the role.
    Roles are Playwright's reading of the page (a <header> inside <main> is no banner; a
    <form> or <section> is a landmark only with a name)."""
    expect(page.locator("a.skip-link")).to_have_count(1)
    for role in LANDMARK_ROLES:
        if page.get_by_role(role).locator("a.skip-link").count():
            return role
    html = page.locator("a.skip-link").evaluate("el => el.parentElement.outerHTML.slice(0, 200)")
    raise AssertionError(f"the skip link on {page.url} is outside every landmark; its parent: {html}")


def assert_named_articles_and_forms(page):
    """Every article and every form shown has an accessible name (a form with a name is a
    landmark a screen reader lists; an article without one is read as "article" only). A form
    that is not rendered (the hidden logout form its menu button submits) is presented to no
    one and is left out."""
    unnamed = []
    for kind, selector in (("article", "article, [role=article]"), ("form", "form, [role=form], [role=search]")):
        elements = page.locator(selector)
        for i in range(elements.count()):
            element = elements.nth(i)
            if not element.is_visible():
                continue
            try:
                expect(element).to_have_accessible_name(re.compile(r"\S"), timeout=100)
            except AssertionError:
                unnamed.append(f"{kind}: " + element.evaluate("el => el.outerHTML.slice(0, 160)"))
    assert not unnamed, f"{len(unnamed)} article(s)/form(s) without an accessible name on {page.url}:\n  " + "\n  ".join(unnamed)


# Focuses ``el`` as the keyboard does (it matches :focus-visible), lets any transition of the
# ring finish, and measures its focus indicator: the outline when one is drawn, otherwise the
# colour of the box-shadow ring (how Bootstrap draws it), composited over the background it sits
# on: the first opaque background of the element's ancestors (of the element itself for an
# outline drawn inside it), with the translucent ones on top of it composited in turn, on the
# white canvas. Colours are read through a canvas, so any CSS colour syntax is understood.
_FOCUS_RING_JS = r"""async (el) => {
    el.focus({focusVisible: true});
    // Bootstrap fades its ring in (a box-shadow transition): measure where it ends.
    await Promise.all(el.getAnimations().map(animation => animation.finished.catch(() => null)));
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 1;
    const ctx = canvas.getContext("2d", {willReadFrequently: true});
    const rgba = (css) => {
        ctx.clearRect(0, 0, 1, 1);
        ctx.fillStyle = "rgba(0, 0, 0, 0)";
        ctx.fillStyle = css;
        ctx.fillRect(0, 0, 1, 1);
        const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
        return a ? [r, g, b, a / 255] : [0, 0, 0, 0];
    };
    const over = (top, bottom) => [0, 1, 2].map(i => top[i] * top[3] + bottom[i] * (1 - top[3])).concat([1]);
    const background = (start) => {
        const layers = [];
        for (let a = start; a; a = a.parentElement) {
            const colour = rgba(getComputedStyle(a).backgroundColor);
            if (colour[3] > 0) layers.push(colour);
            if (colour[3] >= 1) break;
        }
        return layers.reverse().reduce((below, layer) => over(layer, below), [255, 255, 255, 1]);
    };
    const luminance = (c) => {
        const channel = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
        return 0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2]);
    };
    const style = getComputedStyle(el);
    const outlineWidth = parseFloat(style.outlineWidth) || 0;
    const outlined = style.outlineStyle !== "none" && outlineWidth > 0;
    // An outline drawn inside the element sits on its own background; any other ring (an
    // outline outside it, a box-shadow's spread) on its parent's.
    const inside = outlined && parseFloat(style.outlineOffset) + outlineWidth <= 0;
    const behind = background(inside ? el : el.parentElement);
    let ring = {kind: "none", css: "", width: 0, colour: [0, 0, 0, 0]};
    if (outlined) {
        ring = {kind: "outline", css: style.outlineColor, width: outlineWidth, colour: rgba(style.outlineColor)};
    } else if (style.boxShadow && style.boxShadow !== "none") {
        const colour = style.boxShadow.match(/(rgba?|hsla?|color)\([^)]*\)|#[0-9a-f]+/i);
        const lengths = style.boxShadow.replace(/\([^)]*\)/g, "").match(/-?[\d.]+px/g) || [];
        ring = {kind: "box-shadow", css: style.boxShadow, width: parseFloat(lengths[3] || "0"),
                colour: colour ? rgba(colour[0]) : [0, 0, 0, 0]};
    }
    const shown = over(ring.colour, behind);
    const [light, dark] = [luminance(shown), luminance(behind)].sort((x, y) => y - x);
    const name = (el.getAttribute("aria-label") || el.textContent || el.name || el.id || "").trim().replace(/\s+/g, " ").slice(0, 40);
    return {
        name, tag: el.tagName.toLowerCase(), kind: ring.kind, css: ring.css, width: ring.width,
        background: "rgb(" + behind.slice(0, 3).map(Math.round).join(", ") + ")",
        ratio: Math.round((light + 0.05) / (dark + 0.05) * 100) / 100,
        focused: document.activeElement === el, focusVisible: el.matches(":focus-visible"),
    };
}"""


def focus_ring(locator):
    """Focus ``locator`` as the keyboard does and measure its focus ring (see _FOCUS_RING_JS):
    kind ("outline", "box-shadow" or "none"), css colour, width in px, the background it sits
    on, and the contrast ratio between them."""
    ring = locator.evaluate(_FOCUS_RING_JS)
    assert ring["focused"] and ring["focusVisible"], f"could not give {locator} keyboard focus: {ring}"
    return ring


def assert_focus_rings(page, targets=FOCUS_TARGETS):
    """The keyboard walk's focus rings (WCAG 1.4.11, 2.4.7): on the first visible, enabled element
    of each kind in ``targets`` (a header link, a tab, a field ...), the ring is drawn, at least
    2 px wide, with 3:1 against the background it sits on; returns what was measured."""
    measured, failures = {}, []
    for kind, selector in targets:
        candidates = page.locator(selector)
        target = next(
            (
                candidates.nth(i)
                for i in range(min(candidates.count(), 10))
                if candidates.nth(i).is_visible() and candidates.nth(i).is_enabled()
            ),
            None,
        )
        if target is None:
            continue
        ring = measured[kind] = focus_ring(target)
        if ring["kind"] == "none" or ring["width"] < 2 or ring["ratio"] < FOCUS_RING_MIN_RATIO:
            failures.append(
                f"{kind} <{ring['tag']}> \"{ring['name']}\": {ring['kind']} {ring['css']} {ring['width']}px"
                f" on {ring['background']} measures {ring['ratio']}:1"
            )
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    assert not failures, (
        f"focus rings on {page.url} below {FOCUS_RING_MIN_RATIO}:1 (WCAG 1.4.11) or under 2 px:\n  " + "\n  ".join(failures)
    )
    return measured


# Pages already checked in this session, by what makes them what they are: the server's HTML and
# the browser's document (each without the per-request CSRF token and CSP nonce), the viewport
# and the checks asked for. The same page met again (the log-in page before every log-in) is the
# same markup under the same styles and scripts: the checkers would answer as before.
_CHECKED = set()
_PER_REQUEST = re.compile(rb'(nonce="|name="csrfmiddlewaretoken" value=")[^"]*"')


def _already_checked(page, *kinds):
    from .nu import server_html

    body, _content_type = server_html(page)
    dom = page.content().encode()
    key = (
        hashlib.sha256(_PER_REQUEST.sub(rb'\1"', body)).hexdigest(),
        hashlib.sha256(_PER_REQUEST.sub(rb'\1"', dom)).hexdigest(),
        str(page.viewport_size),
        kinds,
    )
    if key in _CHECKED:
        return True
    _CHECKED.add(key)
    return False


def check_page(page, *, keyboard=True):
    """Run on every page a test visits: one h1, a language, a title, the real styles, the
    favicon; no serious or critical axe violation, no HTML_CodeSniffer WCAG2AA error, no Nu
    HTML Checker error in the server's HTML; every article and form named; no sideways
    scrolling at 320 or 1280 px; the skip link inside a landmark and first in tab order; focus
    rings with 3:1 contrast; and no CSP violation or script error so far. A page identical to one
    already checked in this session gets the quick checks only (``_already_checked``)."""
    page.wait_for_load_state("load")
    expect(page.locator("h1")).to_have_count(1)
    assert page.evaluate("document.documentElement.lang") in ("sv", "en")
    assert page.title().strip(), f"{page.url} has no title"
    if _already_checked(page, "page", keyboard):
        page.context.problems.assert_clean()
        return
    assert_styled(page)
    assert_favicon(page)
    assert_accessible(page)
    assert_htmlcs_clean(page)
    assert_valid_html(page)
    assert_named_articles_and_forms(page)
    assert_fits_widths(page)
    assert_skip_link_in_landmark(page)
    if keyboard:
        assert_focus_rings(page)
        assert_skip_link_first(page)
    page.context.problems.assert_clean()


def check_print_view(page):
    """Run on a print view or sign-in sheet, a page without the site's menu (so without a skip
    link or the portal's styles): one h1, a language, a title, the favicon; axe,
    HTML_CodeSniffer and the Nu HTML Checker as on every page; every article and form named; and
    no sideways scrolling at 320 or 1280 px, on screen (WCAG 1.4.10: read on a phone before it is
    printed) and in its print layout."""
    page.wait_for_load_state("load")
    expect(page.locator("h1")).to_have_count(1)
    assert page.evaluate("document.documentElement.lang") in ("sv", "en")
    assert page.title().strip(), f"{page.url} has no title"
    assert_favicon(page)
    assert_accessible(page)
    assert_htmlcs_clean(page)
    assert_valid_html(page)
    assert_named_articles_and_forms(page)
    assert_fits_widths(page, media=("screen", "print"))
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
    """The page fits the viewport's width: nothing makes the document scroll sideways
    (``document.documentElement.scrollWidth <= clientWidth``).
    On failure, names the elements that stick out and are not clipped by a box of their own
    (a ``.table-responsive`` scrolls inside itself; the inside of an SVG is clipped by it; an
    absolutely positioned element escapes a scrolling box that is not positioned, as Bootstrap's
    ``.visually-hidden`` text inside a ``.table-responsive`` does)."""
    fit = page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
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
            return {scrollWidth: document.documentElement.scrollWidth, clientWidth: width, wide: culprits.slice(0, 10).map(name)};
        }"""
    )
    assert fit["scrollWidth"] <= fit["clientWidth"], f"{page.url} scrolls sideways: {fit}"
