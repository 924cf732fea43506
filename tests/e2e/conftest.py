"""Browser tests: headless Debian Chromium driven by Playwright against pytest-django's live_server.

Never downloads a browser (``playwright install`` is not used): it drives /usr/bin/chromium,
which .ci/run installs, as it installs the two HTML checkers from npm (tests/e2e/node) and
Java. Each test gets a fresh browser context; every page is checked (tests/e2e/checks.py
``check_page``) with axe-core (axe.py), HTML_CodeSniffer (htmlcs.py) and the Nu HTML Checker
(nu.py), at 320 and 1280 px wide for sideways scrolling, for named articles and forms, the skip
link inside a landmark and focus rings of 3:1 (a keyboard walk), and a print view or sign-in
sheet with ``check_print_view`` (its print layout too); any Content-Security-Policy violation,
uncaught script error, server error or missing static file seen by the browser fails the test."""

import importlib
import os
import re
from pathlib import Path

import pytest

from .nu import NuChecker
from .tools import CHROMIUM, missing_tools

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
# Playwright's timeouts: long enough for a loaded CI machine, short enough to fail fast.
ACTION_TIMEOUT_MS = 10_000
NAVIGATION_TIMEOUT_MS = 20_000

# Reported to the console by an init script (not subject to the page's CSP) for every
# violation the browser reports; Chromium also logs its own "Refused to ..." error.
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error("CSP-VIOLATION " + e.effectiveDirective + " blocked " + (e.blockedURI || "inline")
    + " at " + e.sourceFile + ":" + e.lineNumber);
});
"""
_CSP_MESSAGE = re.compile(r"CSP-VIOLATION|Content Security Policy", re.IGNORECASE)


def pytest_collection_modifyitems(config, items):
    """Every test in this folder is an e2e test. Without Debian's Chromium, the two HTML
    checkers and Java they cannot run: skipped with the reason, except in CI (CI=true), where
    each fails with it (_e2e_tools_installed)."""
    here = Path(__file__).parent
    missing = missing_tools()
    skip = pytest.mark.skip(reason="not installed (.ci/run installs them): " + "; ".join(missing))
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.e2e)
            if missing and not os.environ.get("CI"):
                item.add_marker(skip)


@pytest.fixture(scope="package", autouse=True)
def _e2e_tools_installed():
    """In CI a missing tool is a failure with a clear message, not a skip."""
    missing = missing_tools()
    if missing:
        pytest.fail(
            "the browser tests need tools that are not installed (.ci/run installs them):\n  " + "\n  ".join(missing),
            pytrace=False,
        )


@pytest.fixture(scope="package")
def browser():
    """One Chromium for the e2e package, closed before the rest of the suite runs.

    Playwright's sync API keeps an asyncio loop in this thread, so Django's async-safety
    check would refuse ORM calls from the test body (factories, load_demo, reading the
    outbox); it is switched off only while the browser runs."""
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    pw = sync_playwright().start()
    try:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        pw.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _reference_data(request):
    """The reference data the migrations seed (the plan-keeping kinds, the reasons for a plan),
    as a real database has it: every test here is transactional, and the flush after each one
    empties those tables too, which ``load_demo`` (demo plans) and the plan forms rely on."""
    marker = request.node.get_closest_marker("django_db")
    if not marker or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps

    seed = importlib.import_module("childplans.migrations.0002_seed_settings").seed
    seed(apps, None)


@pytest.fixture(scope="package")
def nu_checker():
    """The Nu HTML Checker as a local HTTP service for the e2e package: one JVM, started in the
    background now, waited for at the first page checked (tests/e2e/nu.py)."""
    checker = NuChecker()
    checker.start()
    try:
        yield checker
    finally:
        checker.stop()


class DocumentResponses(dict):
    """page -> the response that made its current document (the main frame's last document
    response): the HTML the server sent, which the Nu HTML Checker validates."""

    def watch(self, page):
        def on_response(response):
            if response.request.resource_type == "document" and response.frame == page.main_frame:
                self[page] = response

        page.on("response", on_response)


class BrowserProblems:
    """What the browser reported while a context was open: CSP violations, uncaught errors,
    console errors, server errors and static files that failed to load."""

    def __init__(self):
        self.csp = []
        self.page_errors = []
        self.console_errors = []
        self.bad_responses = []

    def watch(self, page):
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.page_errors.append(f"{page.url}: {exc}"))
        page.on("response", self._on_response)

    def _on_console(self, msg):
        if msg.type != "error":
            return
        text = f"{msg.location.get('url', '')}: {msg.text}"
        (self.csp if _CSP_MESSAGE.search(msg.text) else self.console_errors).append(text)

    def _on_response(self, response):
        url = response.url
        if response.status >= 500 or (response.status >= 400 and "/static/" in url):
            self.bad_responses.append(f"{response.status} {url}")

    def assert_clean(self):
        problems = []
        if self.csp:
            problems.append("Content-Security-Policy violations:\n  " + "\n  ".join(self.csp))
        if self.page_errors:
            problems.append("Uncaught script errors:\n  " + "\n  ".join(self.page_errors))
        if self.bad_responses:
            problems.append("Failed responses:\n  " + "\n  ".join(self.bad_responses))
        if problems:
            other = "\n  ".join(self.console_errors) or "none"
            pytest.fail("\n".join(problems) + f"\nOther console errors:\n  {other}", pytrace=False)


@pytest.fixture
def new_context(browser, live_server, nu_checker):
    """``new_context(**options)``: a fresh browser context (its own cookies: another person)
    on the live server, watched for CSP violations and script errors (checked at teardown),
    with the document responses its pages received and the Nu HTML Checker at hand for
    checks.check_page()."""
    opened = []

    def _new(**options):
        options.setdefault("base_url", live_server.url)
        options.setdefault("locale", "sv-SE")
        options.setdefault("timezone_id", "Europe/Stockholm")
        context = browser.new_context(**options)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        context.add_init_script(_CSP_LISTENER)
        problems = BrowserProblems()
        context.problems = problems  # checks.check_page() reads it through page.context
        context.on("page", problems.watch)
        context.documents = DocumentResponses()
        context.on("page", context.documents.watch)
        context.nu = nu_checker
        opened.append((context, problems))
        return context

    yield _new
    for context, _problems in opened:
        context.close()
    for _context, problems in opened:
        problems.assert_clean()


@pytest.fixture
def page(new_context):
    """A page in a fresh context at a desktop size."""
    return new_context(viewport={"width": 1280, "height": 900}).new_page()


@pytest.fixture
def portal_base_url(settings, live_server):
    """Links in e-mails point at the live server (the test settings say http://testserver)."""
    settings.PORTAL_BASE_URL = live_server.url
    return live_server.url
