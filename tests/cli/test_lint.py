"""Static checks run with the tests, so the README's one test command covers them too."""

from __future__ import annotations

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
