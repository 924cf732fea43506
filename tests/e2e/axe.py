"""axe-core in the browser: WCAG 2.1 A/AA checks for the page currently shown.

The portal's CSP forbids inline scripts, and Playwright's ``add_script_tag(path=...)`` adds the
file as inline content, which the CSP would block. The source is evaluated through the
DevTools protocol instead (``page.evaluate``), which the page's CSP does not govern."""

from functools import cache
from pathlib import Path

import pytest

AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"serious", "critical"}


@cache
def _axe_source():
    # Evaluated as a script; the trailing expression makes the completion value a plain string.
    return AXE_JS.read_text(encoding="utf-8") + '\n;typeof window.axe === "object" ? "axe" : "missing";'


def _inject(page):
    if page.evaluate('typeof window.axe === "object"'):
        return
    loaded = page.evaluate(_axe_source())
    assert loaded == "axe", "axe-core did not load into the page"


def axe_violations(page, impacts=FAILING_IMPACTS):
    """Violations of WCAG 2.1 A/AA on the current page with one of ``impacts``."""
    _inject(page)
    results = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html, summary: n.failureSummary})),
            }));
        }""",
        WCAG_TAGS,
    )
    return [v for v in results if v["impact"] in impacts]


def format_violations(violations):
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:10]:
            lines.append(f"    at {node['target']}: {node['html'][:200]}")
            if node["summary"]:
                lines.append("      " + node["summary"].replace("\n", "\n      "))
        if len(v["nodes"]) > 10:
            lines.append(f"    … and {len(v['nodes']) - 10} more")
    return "\n".join(lines)


def assert_accessible(page):
    """Fail on any serious or critical WCAG 2.1 AA violation axe finds on the current page."""
    violations = axe_violations(page)
    if violations:
        pytest.fail(
            f"axe-core: {len(violations)} serious/critical WCAG 2.1 AA violation(s) on {page.url}:\n"
            + format_violations(violations),
            pytrace=False,
        )
