"""Small modal screens: the note editor and the conflict report."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from triage.display import line
from triage.errors import ConflictError
from triage.tui import fmt
from triage.tui.scopes import Scoped

if TYPE_CHECKING:
    from triage.tui.app import ReviewApp


class NoteScreen(Scoped, ModalScreen[str | None], scope="note", title="Note editor"):
    """A multi-line note. ctrl+s saves, escape cancels (the app keeps the draft, so
    reopening the editor on the same case brings it back)."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save note", id="note.save", priority=True),
        Binding("escape", "cancel", "Cancel (keeps draft)", id="note.cancel", priority=True),
    ]

    def __init__(self, title: Text, draft_key: tuple[str, str | None]) -> None:
        super().__init__()
        self._title = title
        self.draft_key = draft_key
        self._draft = cast("ReviewApp", self.app).drafts.get(draft_key, "")

    def compose(self) -> ComposeResult:
        with Vertical(id="note-box"):
            yield Static(self._title, markup=False, id="note-title")
            yield TextArea(self._draft, id="note-text", soft_wrap=True, tab_behavior="focus")
            yield Static(self._hint(), markup=False, id="note-hint")

    def _hint(self) -> Text:
        app = cast("ReviewApp", self.app)
        return line(
            (app.key_for("note.save"), "bold"),
            " save   ",
            (app.key_for("note.cancel"), "bold"),
            " cancel (the draft is kept for next time)",
        )

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    @property
    def text(self) -> str:
        return self.query_one(TextArea).text

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        # Every keystroke is kept in the app, so cancelling (or a stray escape) loses nothing.
        cast("ReviewApp", self.app).drafts[self.draft_key] = event.text_area.text

    def action_save(self) -> None:
        self.dismiss(self.text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConflictScreen(Scoped, ModalScreen[None], scope="conflict", title="Conflict report"):
    """Someone else decided first: show both values side by side, then reload."""

    BINDINGS = [
        Binding("escape,enter,space,q", "close", "Close", id="conflict.close", priority=True),
    ]

    def __init__(self, error: ConflictError, mine_label: str) -> None:
        super().__init__()
        self._error = error
        self._mine = mine_label

    def compose(self) -> ComposeResult:
        e = self._error
        body = Text()
        body.append("Not saved: someone decided this conviction first\n\n", style="bold")
        body.append_text(line("Conviction   ", (e.key, "bold"), "\n"))
        body.append_text(
            line(
                "Theirs       ",
                (fmt.outcome(e.current_decision), "bold"),
                "  by ",
                (e.current_reviewer or "?", "bold"),
                f"  (version {e.current_version})\n",
            )
        )
        body.append_text(
            line(
                "Yours        ",
                (self._mine, "bold"),
                f"  (you had loaded version {e.expected_version})\n\n",
            )
        )
        body.append("The case has been reloaded with their decision. Decide again if you\n")
        body.append("still disagree: your new decision will be recorded on top of theirs.")
        with Vertical(id="conflict-box"):
            yield Static(body, markup=False)
            yield Static(Text("enter / escape: close", style="dim"), markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
