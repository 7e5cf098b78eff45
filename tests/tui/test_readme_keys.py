"""README's key table is generated from the bindings; this fails when it is stale."""

from __future__ import annotations

from triage.tui import keytable
from triage.tui.app import ReviewApp


def test_readme_key_table_matches_the_bindings() -> None:
    readme = keytable.README.read_text(encoding="utf-8")
    assert keytable.render(readme) == readme, "run: python -m triage.tui.keytable --write"


def test_the_table_lists_every_binding_id() -> None:
    text = keytable.table()
    for binding_id in ReviewApp.collect_bindings():
        assert f"`{binding_id}`" in text


def test_check_mode_reports_a_stale_table(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{keytable.BEGIN}\n| old |\n{keytable.END}\n", encoding="utf-8")
    monkeypatch.setattr(keytable, "README", readme)
    assert keytable.main(["--check"]) == 1
    assert keytable.main(["--write"]) == 0
    assert keytable.main(["--check"]) == 0
    assert "`case.dismiss`" in readme.read_text(encoding="utf-8")
