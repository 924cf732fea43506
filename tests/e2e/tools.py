"""Where the browser tests find their outside tools, and what is missing.

Chromium is Debian's (/usr/bin/chromium). HTML_CodeSniffer and the Nu HTML Checker come from
npm, pinned in tests/e2e/node/package-lock.json and installed there by ``npm ci --ignore-scripts``
(.ci/run does it when node_modules is missing); the Nu checker runs on Debian's Java
(default-jre-headless)."""

import shutil
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
NODE_DIR = Path(__file__).parent / "node"
HTMLCS_JS = NODE_DIR / "node_modules" / "html_codesniffer" / "build" / "HTMLCS.js"
VNU_JAR = NODE_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

_NPM_CI = "(cd tests/e2e/node && npm ci --ignore-scripts)"


def java():
    """The ``java`` on PATH (Debian's /usr/bin/java), or None."""
    return shutil.which("java")


def missing_tools():
    """What the browser tests need and do not find, each with how to get it; empty when all
    are there. .ci/run installs all of them."""
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"Debian's chromium ({CHROMIUM}): apt-get install chromium")
    if not HTMLCS_JS.exists():
        missing.append(f"HTML_CodeSniffer ({HTMLCS_JS}): {_NPM_CI}")
    if not VNU_JAR.exists():
        missing.append(f"the Nu HTML Checker ({VNU_JAR}): {_NPM_CI}")
    if not java():
        missing.append("Java for the Nu HTML Checker (java on PATH): apt-get install default-jre-headless")
    return missing
