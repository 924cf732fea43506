"""HTML_CodeSniffer in the browser: the WCAG2AA standard on the page currently shown.

Injected like axe-core (tests/e2e/axe.py): the built HTMLCS.js (every standard and
translation in one file, so it loads nothing more) is evaluated through the DevTools protocol,
which the page's CSP does not govern. It checks the document as the browser built it, after
scripts ran: what a person with assistive technology meets. Errors fail; warnings and notices
are things for a person to judge and are printed only with E2E_CHECKER_NOTES=1."""

import os
from functools import cache

import pytest

from .tools import HTMLCS_JS

STANDARD = "WCAG2AA"
ERROR, WARNING, NOTICE = 1, 2, 3

# Known false positives, by exact message text, each with why. (None today.)
IGNORED_MESSAGES = {}


@cache
def _source():
    # Evaluated as a script (``this`` is window, so the UMD wrapper sets window.HTMLCS); the
    # trailing expression makes the completion value a plain string.
    return HTMLCS_JS.read_text(encoding="utf-8") + '\n;typeof window.HTMLCS === "object" ? "HTMLCS" : "missing";'


def _inject(page):
    if page.evaluate('typeof window.HTMLCS === "object" && typeof window.HTMLCS_WCAG2AA === "object"'):
        return
    loaded = page.evaluate(_source())
    assert loaded == "HTMLCS", "HTML_CodeSniffer did not load into the page"


def htmlcs_messages(page):
    """Every message of the standard on the current page: type (1 error, 2 warning, 3 notice),
    code, message, and where (a short path to the element and the start of its HTML)."""
    _inject(page)
    return page.evaluate(
        """(standard) => new Promise((resolve, reject) => {
            const where = (el) => {
                if (!el || el.nodeType !== 1) return "document";
                const parts = [];
                for (let e = el; e && e.nodeType === 1 && parts.length < 4; e = e.parentElement) {
                    let part = e.tagName.toLowerCase();
                    if (e.id) { parts.unshift(part + "#" + e.id); break; }
                    if (typeof e.className === "string" && e.className.trim()) {
                        part += "." + e.className.trim().split(/\\s+/).slice(0, 2).join(".");
                    }
                    parts.unshift(part);
                }
                return parts.join(" > ");
            };
            const html = (el) => (el && el.outerHTML ? el.outerHTML.slice(0, 200) : "");
            HTMLCS.process(standard, document, () => {
                resolve(HTMLCS.getMessages().map(m => ({
                    type: m.type, code: m.code, msg: m.msg, where: where(m.element), html: html(m.element),
                })));
            }, () => reject(new Error("HTML_CodeSniffer could not load " + standard)), "en");
        })""",
        STANDARD,
    )


def format_messages(messages):
    lines = []
    for m in messages:
        lines.append(f"{m['code']}: {m['msg']}")
        lines.append(f"    at {m['where']}: {m['html']}")
    return "\n".join(lines)


def assert_htmlcs_clean(page):
    """Fail on any WCAG2AA error HTML_CodeSniffer finds on the current page."""
    messages = htmlcs_messages(page)
    errors = [m for m in messages if m["type"] == ERROR and m["msg"] not in IGNORED_MESSAGES]
    if os.environ.get("E2E_CHECKER_NOTES"):
        notes = [m for m in messages if m["type"] == WARNING]
        if notes:
            print(f"\nHTML_CodeSniffer warnings on {page.url}:\n" + format_messages(notes))
    if errors:
        pytest.fail(
            f"HTML_CodeSniffer: {len(errors)} {STANDARD} error(s) on {page.url}:\n" + format_messages(errors),
            pytrace=False,
        )
