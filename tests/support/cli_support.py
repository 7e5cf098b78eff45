"""Running `triage` in-process, the way a user's shell would, for the CLI tests."""

from __future__ import annotations

import os
import sys

import pytest

from triage.cli import main


def run_cli(
    capsys: pytest.CaptureFixture[str], *args: str, umask: int = 0o022
) -> tuple[int, str, str]:
    """Run `triage ARGS`; return (exit code, stdout, stderr).

    The command starts under `umask` (a typical shell's by default), which `main()` tightens
    for what it writes; the umask from before the call is put back afterwards.
    The exit code follows Python's rules: None is 0, an int is itself, anything else is 1.
    """
    argv, mask = sys.argv, os.umask(umask)
    sys.argv = ["triage", *args]
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    finally:
        sys.argv = argv
        os.umask(mask)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_line_error(err: str) -> str:
    """The single line of an error on stderr; fails when there are more, or a traceback."""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]
