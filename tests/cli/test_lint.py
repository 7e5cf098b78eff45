"""Static checks run with the tests, so the README's one test command covers them too."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# What the review app may import from triage directly (pyproject's import-linter contract).
TUI_ALLOWED = {"triage.review", "triage.whatif", "triage.display", "triage.errors", "triage.tui"}


def _tool(name: str) -> str:
    # A missing checker fails: a skipped lint test would read as a clean one.
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return found


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_lint() -> None:
    result = _run(_tool("ruff"), "check", "triage", "rules", "tests", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format() -> None:
    result = _run(_tool("ruff"), "format", "--check", "triage", "rules", "tests", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_on_rules_and_service_layer() -> None:
    result = _run(_tool("mypy"))  # files and strictness come from pyproject.toml
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_contracts() -> None:
    result = _run(_tool("lint-imports"), "--no-cache")  # contracts are in pyproject.toml
    assert result.returncode == 0, result.stdout + result.stderr


def test_tui_contract_forbids_every_other_module() -> None:
    """A module added to triage is forbidden to the review app until someone decides
    otherwise: the contract's list must name all of them."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (tui,) = [
        c
        for c in config["tool"]["importlinter"]["contracts"]
        if c["source_modules"] == ["triage.tui"]
    ]
    package = ROOT / "triage"
    modules = {f"triage.{p.stem}" for p in package.glob("*.py") if not p.stem.startswith("__")}
    modules |= {f"triage.{p.parent.name}" for p in package.glob("*/__init__.py")}
    # The façade is the review package's __init__: its own modules are forbidden too.
    modules |= {f"triage.review.{p.stem}" for p in (package / "review").glob("[!_]*.py")}
    assert set(tui["forbidden_modules"]) == modules - TUI_ALLOWED


MAX_FUNCTION_LINES = 60
MAX_MODULE_LINES = 400
# Modules that are data, not logic, may be longer if their docstring says so.
LONG_REASON = "Long because"


def _python_files() -> list[Path]:
    return sorted(p for top in ("triage", "rules") for p in (ROOT / top).rglob("*.py"))


def test_functions_are_short_or_say_why() -> None:
    """A function over 60 lines (def line to its last) needs a "Long because" sentence in
    its docstring; nested functions count on their own and inside their parent."""
    import ast

    long: list[str] = []
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            lines = (node.end_lineno or node.lineno) - node.lineno + 1
            if lines > MAX_FUNCTION_LINES and LONG_REASON not in (ast.get_docstring(node) or ""):
                long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {lines} lines")
    assert not long, "split these, or say why in the docstring:\n" + "\n".join(long)


def test_modules_are_short_or_say_why() -> None:
    """Over 400 lines needs a "Long because" in the module docstring (meant for data
    modules, such as a table of column definitions)."""
    long: list[str] = []
    for path in _python_files():
        text = path.read_text(encoding="utf-8")
        lines = len(text.splitlines())
        if lines > MAX_MODULE_LINES and LONG_REASON not in (
            ast.get_docstring(ast.parse(text)) or ""
        ):
            long.append(f"{path.relative_to(ROOT)}: {lines} lines")
    assert not long, "split these, or say why in the module docstring:\n" + "\n".join(long)
