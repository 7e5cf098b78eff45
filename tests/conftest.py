"""Shared fixtures. CfA's fixtures are read from ../shared and skipped when absent."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CFA = ROOT.parent / "shared" / "cfa-fixtures"


@pytest.fixture
def cfa() -> Path:
    if not CFA.is_dir():
        pytest.skip("../shared/cfa-fixtures is not present")
    return CFA


@pytest.fixture(autouse=True, scope="session")
def _audit_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The tests' office audit key lives in a temporary folder, never in the account's
    ~/.config; set in the environment, so helper processes the tests start use it too."""
    path = tmp_path_factory.mktemp("office-config") / "audit.key"
    old = os.environ.get("TRIAGE_AUDIT_KEY")
    os.environ["TRIAGE_AUDIT_KEY"] = str(path)
    yield path
    if old is None:
        os.environ.pop("TRIAGE_AUDIT_KEY", None)
    else:
        os.environ["TRIAGE_AUDIT_KEY"] = old
