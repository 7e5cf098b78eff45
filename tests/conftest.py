"""Shared fixtures. CfA's fixtures are read from ../shared and skipped when absent."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CFA = ROOT.parent / "shared" / "cfa-fixtures"


@pytest.fixture
def cfa() -> Path:
    if not CFA.is_dir():
        pytest.skip("../shared/cfa-fixtures is not present")
    return CFA
