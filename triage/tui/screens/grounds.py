"""The grounds pick-list: why a reviewer challenges relief (deciding not_eligible).

A court exhibit prints each challenged conviction with a reason and its law; the reviewer
picks one or more of `triage.grounds.GROUNDS` (space toggles) and may add a note; `other`
requires the note. ctrl+s (or enter in the note) records, escape cancels and writes
nothing. The screen only collects; the caller passes the result to `review.decide`.

When the pack itself says or suggests not_eligible, the grounds its step cites come
preselected (`review.implied_grounds`) and the pack's reason is shown above the list: the
reviewer reads, changes the picks if need be, and confirms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from triage import grounds
from triage.display import line
from triage.tui.scopes import Scoped
from triage.tui.widgets.keybar import MessageLine

if TYPE_CHECKING:
    from triage.tui.app import ReviewApp


@dataclass(frozen=True)
class GroundsChoice:
    grounds_text: str  # comma-separated ids, as `review.decide(grounds_text=...)` takes
    note: str | None


class GroundsScreen(
    Scoped, ModalScreen[GroundsChoice | None], scope="grounds", title="Grounds for not eligible"
):
    BINDINGS = [
        Binding("space", "pick", "Pick or drop the highlighted ground", id="grounds.toggle"),
        Binding("ctrl+s", "save", "Record not eligible with these grounds", id="grounds.save",
                priority=True),
        Binding("escape", "cancel", "Cancel (nothing written)", id="grounds.cancel",
                priority=True),
    ]  # fmt: skip

    def __init__(
        self,
        title: Text,
        *,
        preselect: tuple[str, ...] = (),
        reason: Text | None = None,
        note_hint: str | None = None,
    ) -> None:
        super().__init__()
        self._title = title
        self._choices = list(grounds.GROUNDS)
        self.picked: set[str] = {g.id for g in self._choices if g.id in preselect}
        self._reason = reason
        self._note_hint = note_hint or "note (required for 'other')"

    def compose(self) -> ComposeResult:
        app = cast("ReviewApp", self.app)
        options = [Option(self._prompt(g), id=g.id) for g in self._choices]
        with Vertical(id="grounds-box"):
            yield Static(self._title, markup=False, id="grounds-title")
            if self._reason is not None:
                yield Static(self._reason, markup=False, id="grounds-reason")
            yield OptionList(*options, id="grounds-list")
            yield Static("", markup=False, id="grounds-cite")
            yield Input(placeholder=self._note_hint, id="grounds-note")
            hint = line(
                ("space", "bold"),
                " picks  ",
                ("tab", "bold"),
                " note  ",
                (app.key_for("grounds.save"), "bold"),
                " record  ",
                (app.key_for("grounds.cancel"), "bold"),
                " cancel",
            )
            yield Static(hint, markup=False, id="grounds-hint")
            yield MessageLine()

    def _prompt(self, ground: grounds.Ground) -> Text:
        # The mark is a character, not a colour: it must read the same under NO_COLOR.
        mark = "[x] " if ground.id in self.picked else "[ ] "
        return line((mark, "bold"), (ground.label, ""))

    def on_mount(self) -> None:
        box = self.query_one(OptionList)
        picked = [i for i, g in enumerate(self._choices) if g.id in self.picked]
        box.highlighted = picked[0] if picked else 0
        box.focus()

    def action_pick(self) -> None:
        box = self.query_one(OptionList)
        if not box.has_focus or box.highlighted is None:
            return
        ground = self._choices[box.highlighted]
        self.picked.symmetric_difference_update({ground.id})
        box.replace_option_prompt_at_index(box.highlighted, self._prompt(ground))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_pick()  # enter toggles too

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        ground = grounds.BY_ID.get(event.option.id or "")
        cite = ground.citation if ground and ground.citation else "no citation: say it in the note"
        self.query_one("#grounds-cite", Static).update(line(("cites ", "dim"), (cite, "")))

    def _say(self, message: str) -> None:
        self.app.notify(message, severity="error")  # this screen's own message line

    def action_save(self) -> None:
        picked = self.picked
        note = self.query_one(Input).value.strip() or None
        if not picked:
            self._say("pick at least one ground (space), or escape to cancel")
            return
        if "other" in picked and note is None:
            self._say("'other' needs a note saying what the ground is")
            self.query_one(Input).focus()
            return
        ordered = [g.id for g in self._choices if g.id in picked]
        self.dismiss(GroundsChoice(",".join(ordered), note))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_cancel(self) -> None:
        self.dismiss(None)
