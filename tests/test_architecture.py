"""The layer map holds: import-linter's contracts are kept, an upward import breaks them, and
no domain module hides a project import inside a function to dodge a cycle."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = ("calendars", "incidents", "sla")
# The shell may import lazily (the application factory registers blueprints, the CLI starts
# optional servers); a domain package may not.
SHELL = {"sla/app.py", "sla/cli.py"}


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_import_contracts_hold() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "upward"),
    [
        ("calendars/spec.py", "import sla.contracts.models"),
        ("sla/engine/terms.py", "import flask"),
        ("sla/contracts/service.py", "from incidents import models"),
        ("sla/web/settings.py", "import sla.auth.models"),
        ("sla/alerts/delivery.py", "from sla.reports import models"),
    ],
)
def test_an_upward_import_breaks_the_contracts(tmp_path: Path, module: str, upward: str) -> None:
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / module
    target.write_text(target.read_text() + f"\n{upward}  # noqa\n")
    result = _lint(tmp_path)
    assert result.returncode != 0, result.stdout
    assert "BROKEN" in result.stdout


def _project_imports_in_functions(path: Path) -> list[str]:
    found = []
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            names: list[str] = []
            if isinstance(inner, ast.Import):
                names = [alias.name for alias in inner.names]
            elif isinstance(inner, ast.ImportFrom) and inner.module and inner.level == 0:
                names = [inner.module]
            found += [
                f"{path.relative_to(ROOT)}:{inner.lineno} {name}"
                for name in names
                if name.split(".")[0] in PACKAGES
            ]
    return found


def test_no_domain_module_imports_the_project_inside_a_function() -> None:
    offenders = [
        line
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if str(path.relative_to(ROOT)) not in SHELL
        for line in _project_imports_in_functions(path)
    ]
    assert offenders == []
