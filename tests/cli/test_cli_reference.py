"""docs/cli.md is generated from the commands' own help and must match the code."""

from __future__ import annotations

from pathlib import Path

from triage.cli import reference

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def test_cli_reference_is_current() -> None:
    expected = reference.render()
    assert DOC.read_text(encoding="utf-8") == expected, (
        "docs/cli.md is stale: python -m triage.cli.reference --write docs/cli.md"
    )


def test_reference_covers_every_command() -> None:
    text = reference.render()
    for name in ("import", "classify", "queue", "decide", "export", "doctor", "policy check"):
        assert f"\n### triage {name}\n" in text
    assert "\n## Import & classify\n" in text and "\n## Maintenance\n" in text


def test_check_mode_reports_a_stale_file(tmp_path: Path) -> None:
    stale = tmp_path / "cli.md"
    stale.write_text("old\n", encoding="utf-8")
    assert reference.main(["--check", str(stale)]) == 1
    assert reference.main(["--write", str(stale)]) == 0
    assert reference.main(["--check", str(stale)]) == 0
