"""The Nu HTML Checker (vnu.jar) on the HTML the server sent for the page currently shown.

What is validated is the body of the page's main-frame document response, byte for byte, with
the server's Content-Type: the markup the templates made. ``page.content()`` would be the
browser's serialisation of its DOM instead, after the HTML parser repaired the markup (implied
and dropped end tags, misnested elements moved, duplicate attributes thrown away) and after
scripts changed it (Bootstrap's attributes, the checkers' own injections): it hides exactly
the errors the checker is there to find and reports things no template wrote.

Starting a JVM costs seconds, so the checker runs once per test session as a local HTTP
service on loopback (``nu.validator.servlet.Main``), started in the background when the first
browser test sets up, and each page is POSTed to it (some 50 ms a page once warm). Errors fail
(and "non-document-error", the checker unable to check); "info" messages and warnings do not,
and are printed only with E2E_CHECKER_NOTES=1."""

import http.client
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest

from .tools import VNU_JAR, java

STARTUP_TIMEOUT_S = 90
REQUEST_TIMEOUT_S = 30

# Known false positives, by exact message text, each with why. (None today.)
IGNORED_MESSAGES = {}


def _with_parent_death_signal(command):
    """``command`` run through util-linux's setpriv (Debian has it) so that the JVM gets SIGTERM
    when the test process dies, even when it is killed before its teardown stops the checker."""
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "TERM", *command] if setpriv else command


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NuChecker:
    """One vnu.jar HTTP service on 127.0.0.1, on a free port (others may run tests on this
    machine at the same time). ``start()`` returns at once; ``check()`` waits until it answers."""

    def __init__(self):
        self.process = None
        self.port = None
        self.url = None
        self.log = None
        self._ready = False
        self._broken = None  # why it could not start: every later check fails at once with it

    def start(self):
        self.log = tempfile.TemporaryFile()
        port = self.port = _free_port()
        self.url = f"http://127.0.0.1:{port}/"
        self.process = subprocess.Popen(
            _with_parent_death_signal([
                java(), "-Xmx1g", "-XX:+UseSerialGC",
                "-Dnu.validator.servlet.bind-address=127.0.0.1",
                "-cp", str(VNU_JAR), "nu.validator.servlet.Main", str(port),
            ]),
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT,
        )

    def _log_tail(self):
        self.log.seek(0)
        lines = [line for line in self.log.read().decode("utf-8", "replace").splitlines() if not line.startswith("\tat ")]
        return "\n".join(lines[-15:])

    def wait_ready(self):
        if self._ready:
            return
        if self._broken:
            pytest.fail(self._broken, pytrace=False)
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                if b"Address already in use" in self._read_log():
                    self.start()  # lost the free port to someone else between choosing and binding
                    continue
                self._broken = f"the Nu HTML Checker exited ({self.process.returncode}):\n{self._log_tail()}"
                pytest.fail(self._broken, pytrace=False)
            try:
                if self._request("GET", "/", timeout=2)[0] == 200:
                    self._ready = True
                    return
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.2)
        self._broken = f"the Nu HTML Checker did not answer within {STARTUP_TIMEOUT_S} s:\n{self._log_tail()}"
        pytest.fail(self._broken, pytrace=False)

    def _read_log(self):
        self.log.seek(0)
        return self.log.read()

    def _request(self, method, path, body=None, headers=None, timeout=REQUEST_TIMEOUT_S):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            # The checker refuses a request without a User-Agent (400).
            headers = {"User-Agent": "barnstodsportalen-e2e", **(headers or {})}
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def check(self, body, content_type):
        """The checker's messages for one document (bytes, with its Content-Type)."""
        self.wait_ready()
        status, answer = self._request("POST", "/?out=json", body=body, headers={"Content-Type": content_type})
        assert status == 200, f"the Nu HTML Checker answered {status}: {answer[:500]!r}"
        return json.loads(answer)["messages"]

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.log:
            self.log.close()


def format_messages(messages):
    lines = []
    for m in messages:
        kind = m.get("subType") or m["type"]
        line = m.get("lastLine", "?")
        lines.append(f"[{kind}] line {line}: {m['message']}")
        if m.get("extract"):
            lines.append("    " + m["extract"].replace("\n", "\n    "))
    return "\n".join(lines)


def server_html(page):
    """The body and Content-Type of the response that made the page's current document."""
    response = page.context.documents.get(page)
    assert response is not None, f"no document response seen for {page.url}"
    try:
        body = response.body()
    except Exception as exc:  # Playwright's Error: the browser no longer holds the body
        pytest.fail(f"the HTML of {response.url} is not available to validate: {exc}", pytrace=False)
    return body, response.headers.get("content-type", "text/html; charset=utf-8")


def assert_valid_html(page):
    """Fail on any error the Nu HTML Checker finds in the HTML the server sent for this page."""
    body, content_type = server_html(page)
    assert content_type.startswith("text/html"), f"{page.url} is not HTML: {content_type}"
    messages = page.context.nu.check(body, content_type)
    errors = [m for m in messages if m["type"] != "info" and m["message"] not in IGNORED_MESSAGES]
    if os.environ.get("E2E_CHECKER_NOTES"):
        notes = [m for m in messages if m["type"] == "info"]
        if notes:
            print(f"\nNu HTML Checker notes on {page.url}:\n" + format_messages(notes))
    if errors:
        pytest.fail(
            f"Nu HTML Checker: {len(errors)} error(s) in the HTML of {page.url}:\n" + format_messages(errors),
            pytrace=False,
        )
