"""Key remapping files, the `triage review` options, and crash hygiene."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from tui_harness import frozen_clock, make_app, make_db, settle  # noqa: F401

from triage.cli.app_cmd import parse_filters
from triage.errors import TriageError, UsageError
from triage.tui import keymap, scopes
from triage.tui.app import ReviewApp
from triage.tui.screens.help import help_text

KNOWN = ReviewApp.collect_bindings()


def test_every_binding_has_an_id_and_a_description() -> None:
    for screen in scopes.screens():
        for binding in screen.BINDINGS:  # type: ignore[attr-defined]
            assert binding.id and binding.description, binding  # type: ignore[union-attr]
    assert {"case.dismiss", "case.undo", "queue.search", "app.help"} <= set(KNOWN)


def test_keymap_file_by_table_or_dotted_id(tmp_path: Path) -> None:
    path = tmp_path / "keys.toml"
    path.write_text('[case]\ndismiss = "x"\naccept = ["enter", "y"]\n"queue.search" = "ctrl+f"\n')
    # "queue.search" inside [case] would be case.queue.search: refused below; top level works
    with pytest.raises(TriageError, match="unknown binding id 'case.queue.search'"):
        keymap.load(path, KNOWN, required=True)
    path.write_text('"queue.search" = "ctrl+f"\n[case]\ndismiss = "x"\naccept = ["enter", "y"]\n')
    assert keymap.load(path, KNOWN, required=True) == {
        "queue.search": "ctrl+f", "case.dismiss": "x", "case.accept": "enter,y"}  # fmt: skip


def test_keymap_errors_are_one_line_with_the_file(tmp_path: Path) -> None:
    path = tmp_path / "keys.toml"
    assert keymap.load(path, KNOWN, required=False) == {}  # absent default file: fine
    with pytest.raises(TriageError, match="no such key map file"):
        keymap.load(path, KNOWN, required=True)
    path.write_text("[case\n")
    with pytest.raises(TriageError, match="not valid TOML"):
        keymap.load(path, KNOWN, required=True)
    path.write_text('[case]\nreduce = "d"\n')  # d is already dismiss on the case screen
    with pytest.raises(TriageError, match="'d' is bound to both"):
        keymap.load(path, KNOWN, required=True)
    path.write_text('[case]\ndismiss = "t"\n')  # t is the app-wide stats key
    with pytest.raises(TriageError, match="bound to both 'app.stats' and 'case.dismiss'"):
        keymap.load(path, KNOWN, required=True)
    path.write_text("[case]\ndismiss = 3\n")
    with pytest.raises(TriageError, match="must be a key or a list of keys"):
        keymap.load(path, KNOWN, required=True)


def test_default_bindings_do_not_clash() -> None:
    keymap.check_clashes({}, KNOWN, "defaults")


@pytest.mark.usefixtures("frozen_clock")
def test_help_shows_remapped_keys(tmp_path: Path) -> None:
    app = make_app(make_db(tmp_path / "t.db"), keymap={"case.dismiss": "x"})

    async def run() -> str:
        async with app.run_test() as pilot:
            await settle(pilot)
            return help_text(app).plain

    text = asyncio.run(run())
    dismiss = next(line for line in text.splitlines() if "[case.dismiss]" in line)
    assert dismiss.split()[0] == "x"


def test_filter_options() -> None:
    assert parse_filters(["outcome=any", "decided=no", "court=BA1", "flag=partial_date"]) == {
        "outcome": None, "decided": False, "court_case": "BA1", "flag": "partial_date"}  # fmt: skip
    with pytest.raises(UsageError):
        parse_filters(["colour=red"])
    with pytest.raises(UsageError):
        parse_filters(["decided=maybe"])


def _triage(*args: str) -> BaseException | None:
    from typer.testing import CliRunner

    from triage.cli import app

    return CliRunner().invoke(app, list(args)).exception


def test_review_cli_errors_are_clear(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    error = _triage("review", "--db", "missing.db")
    assert isinstance(error, TriageError) and "missing.db: no such database" in str(error)
    make_db(tmp_path / "t.db")
    error = _triage("review", "--db", "t.db", "--filter", "outcome=maybe")
    assert isinstance(error, UsageError) and "outcome" in str(error)
    error = _triage("review", "--db", "t.db", "--keys", "nokeys.toml")
    assert isinstance(error, TriageError) and "nokeys.toml: no such key map file" in str(error)
    error = _triage("review", "--db", "t.db", "--reviewer", "bad name!")
    assert isinstance(error, UsageError)


CRASHING_APP = """
import sys
from pathlib import Path
from triage.tui.app import ReviewApp

class Crashing(ReviewApp):
    def on_mount(self) -> None:
        secret_name = "GARCIA,MARIA SECRET"
        raise ValueError(secret_name)

app = Crashing(Path(sys.argv[1]), "alice")
app.run(headless=True)
sys.exit(app.return_code or 0)
"""


def test_a_crash_prints_no_record_data_and_exits_non_zero(tmp_path: Path) -> None:
    make_db(tmp_path / "t.db")
    script = tmp_path / "crash.py"
    script.write_text(CRASHING_APP)
    done = subprocess.run([sys.executable, str(script), str(tmp_path / "t.db")], text=True,
                          capture_output=True, timeout=60)  # fmt: skip
    assert done.returncode == 70
    assert "SECRET" not in done.stderr + done.stdout
    assert "internal error (ValueError)" in done.stderr + done.stdout


def test_every_screen_with_keys_is_registered() -> None:
    """A screen class anywhere in triage with its own BINDINGS is one the app collects
    keys from (so keys.toml, help, the key bar and the palette know its keys)."""
    found: list[type] = []
    todo: list[type] = [Screen]
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__.startswith("triage.") and "BINDINGS" in cls.__dict__:
            found.append(cls)
    assert len(found) >= 11
    assert set(found) <= set(scopes.screens())


def test_a_new_screen_with_keys_cannot_be_missed(tmp_path: Path) -> None:
    class Probe(scopes.Scoped, ModalScreen[None], scope="probe", title="Probe screen"):
        BINDINGS = [Binding("z", "poke", "Poke the probe", id="probe.poke")]

    try:
        app = make_app(make_db(tmp_path / "t.db"))
        assert app.known_bindings["probe.poke"].description == "Poke the probe"

        async def run() -> str:
            async with app.run_test() as pilot:
                await settle(pilot)
                return help_text(app).plain

        text = asyncio.run(run())
        assert "Probe screen" in text and "[probe.poke]" in text
    finally:
        scopes.forget(Probe)
    assert "probe.poke" not in ReviewApp.collect_bindings()


def test_a_key_outside_its_screens_scope_is_refused() -> None:
    with pytest.raises(TypeError, match="probe2.NAME"):

        class Stray(scopes.Scoped, ModalScreen[None], scope="probe2", title="Stray"):
            BINDINGS = [Binding("z", "poke", "Poke", id="case.poke")]

    with pytest.raises(TypeError, match="scope="):

        class Unscoped(scopes.Scoped, ModalScreen[None]):
            BINDINGS = [Binding("z", "poke", "Poke", id="x.poke")]

    assert {s.SCOPE for s in scopes.screens()}.isdisjoint({"probe2", ""})
