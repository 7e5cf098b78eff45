"""Issue 10: a deeply nested policy pack is a file:line error, never a RecursionError (exit 70)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_support import one_line_error, run_cli

DEPTH = 5000  # far past Python's recursion limit


@pytest.mark.parametrize(
    "value",
    ["[" * DEPTH + "1" + "]" * DEPTH, "{a = " * DEPTH + "1" + "}" * DEPTH],
    ids=["arrays", "inline-tables"],
)
def test_policy_check_names_the_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, value: str
) -> None:
    pack = tmp_path / "deep.toml"
    pack.write_text(f'id = "deep"\ntitle = "Deep"\n# a comment [[[[\nparams = {value}\n')
    code, out, err = run_cli(capsys, "policy", "check", str(pack))
    assert (code, out) == (1, "")
    assert one_line_error(err) == f"{pack}:4: nested too deeply (arrays or inline tables)"
    # Loading it for use fails the same way, in one line.
    for command in (
        ("policy", "show", str(pack)),
        ("classify", "--policy", str(pack), "--db", str(tmp_path / "x.db")),
    ):
        code, _, err = run_cli(capsys, *command)
        assert code == 1, command
        assert "nested too deeply" in one_line_error(err), command
