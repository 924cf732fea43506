"""The house's rules, checked (docs/architecture.md): one-way layers enforced by import-linter,
no import of another app hidden in a function, and none of the private replacements of Django's
machinery the redesign removed."""

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("portal", "networks", "meetings", "childplans", "dashboard")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(cwd):
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def _python_files():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                yield app, path


def test_the_layer_contract_holds():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "upward"),
    [
        ("portal/audit.py", "from networks.models import Network"),  # the bottom imports a feature
        ("networks/selectors.py", "from meetings.models import Meeting"),  # networks reads meetings
        ("meetings/services/planning.py", "from childplans.models import ChildPlan"),  # meetings reads child data
        ("childplans/services/work.py", "from dashboard import selectors"),  # a feature imports the top
        ("childplans/models/plan.py", "from childplans.networkmap.models import MapPerson"),  # the plan's core
        ("childplans/changes.py", "from childplans.referrals.models import Referral"),  # the plan's core
        # the plan's sub-apps are siblings: none imports another ...
        ("childplans/referrals/services.py", "from childplans.teammeetings.models import TeamMeeting"),
        ("childplans/networkmap/views.py", "from childplans.referrals.models import Referral"),
        ("childplans/networkmap/services.py", "from childplans.teammeetings import services"),
        # ... but for the agenda's read of the map, and that one import opens nothing else
        ("childplans/teammeetings/services/minutes.py", "from childplans.networkmap.models import MapPerson"),
        ("childplans/teammeetings/services/preparation.py", "from childplans.networkmap.services import compare"),
    ],
)
def test_breaking_a_layer_fails_the_contract(tmp_path, module, upward):
    """The contract is not empty words: one upward import in a copy of the tree breaks it."""
    for app in APPS:
        shutil.copytree(ROOT / app, tmp_path / app, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / module
    target.write_text(upward + "\n" + target.read_text())
    result = _lint(tmp_path)
    assert result.returncode != 0, result.stdout
    assert "BROKEN" in result.stdout


def test_the_plan_core_contract_names_every_module_of_the_core():
    """A new module of the plan's core is under the contract that keeps the sub-apps out of it:
    every module of childplans is listed, a sub-app, or one of the few that may name the
    sub-apps (the plan's views and URLs, the demo)."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    core = next(c for c in config if c["id"] == "plan-core")
    sub_apps = next(c for c in config if c["id"] == "plan-sub-apps")["modules"]
    assert sorted(core["forbidden_modules"]) == sorted(sub_apps)
    may_name_sub_apps = {"childplans.views", "childplans.urls", "childplans.demo"}
    modules = {
        f"childplans.{path.stem if path.is_file() else path.name}"
        for path in (ROOT / "childplans").iterdir()
        if (path.suffix == ".py" and path.stem != "__init__") or (path.is_dir() and (path / "__init__.py").exists())
    } - {"childplans.migrations"}
    unlisted = modules - set(core["source_modules"]) - set(sub_apps) - may_name_sub_apps - {"childplans.lifecycle"}
    assert not unlisted, unlisted
    # Nothing of the plan — its core, its sub-apps — imports the lifecycle app above it.
    lifecycle = next(c for c in config if c["id"] == "plan-lifecycle")
    assert lifecycle["forbidden_modules"] == ["childplans.lifecycle"]
    assert sorted(lifecycle["source_modules"]) == sorted(core["source_modules"] + sub_apps)


def test_no_import_of_another_app_hides_in_a_function():
    """A function-level import of another project app is a cycle in disguise; only
    ``AppConfig.ready()`` may import late."""
    hidden = []
    for app, path in _python_files():
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            if path.name == "apps.py" and node.name == "ready":
                continue
            for inner in ast.walk(node):
                names = []
                if isinstance(inner, ast.ImportFrom) and inner.module and inner.level == 0:
                    names = [inner.module]
                elif isinstance(inner, ast.Import):
                    names = [alias.name for alias in inner.names]
                for name in names:
                    top = name.split(".")[0]
                    if top in APPS and top != app:
                        hidden.append(f"{path.relative_to(ROOT)}:{inner.lineno} {name}")
    assert not hidden, hidden


FORBIDDEN = {
    # private replacements of Django's machinery (docs/architecture.md, "Plain Django")
    "PreparedQuery": "a queryset compiled once per process",
    "StandInUser": "a stand-in user for a compiled query",
    "get_compiler(": "the ORM's SQL compiler",
    "get_related_populators": "the ORM's row population",
    "_prefetched_objects_cache": "a hand-filled prefetch cache",
    "_result_cache": "a hand-filled queryset cache",
    "link_maker": "a hand-made reverse()",
    "objects.raw(": "SQL written by hand",
}


# A URL reversed once and filled in by string surgery is a hand-made reverse(): one reverse()
# (or {% url %}) per link.
HAND_MADE_REVERSE = re.compile(r"reverse\([^\n]*\)\s*\.\s*(replace|removesuffix|rsplit|partition|format)\(")


def test_none_of_the_removed_machinery_comes_back():
    found = []
    for _app, path in _python_files():
        text = path.read_text()
        for needle, what in FORBIDDEN.items():
            if needle in text:
                found.append(f"{path.relative_to(ROOT)}: {needle} ({what})")
        for match in HAND_MADE_REVERSE.finditer(text):
            found.append(f"{path.relative_to(ROOT)}: {match.group(0)} (a hand-made reverse())")
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        if "{% link " in text or "{% cache " in text:
            found.append(f"{path.relative_to(ROOT)}: a hand-made link or a per-process cached layout")
    assert not found, found


def test_sessions_and_urls_are_djangos():
    from django.conf import settings

    assert settings.SESSION_ENGINE in (
        "django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db"
    )
    builtins = settings.TEMPLATES[0]["OPTIONS"].get("builtins", [])
    assert builtins == [], builtins
    for alias in settings.CACHES.values():
        assert alias["BACKEND"].startswith("django.core.cache.backends."), alias


def test_view_modules_stay_small():
    """Views split by area (docs/architecture.md): no view module over 400 lines."""
    long = []
    for _app, path in _python_files():
        if path.name == "views.py" or path.parent.name == "views":
            lines = len(path.read_text().splitlines())
            if lines > 400:
                long.append(f"{path.relative_to(ROOT)}: {lines} lines")
    assert not long, long
