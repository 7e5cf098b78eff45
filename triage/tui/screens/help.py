"""The help screen, generated from the bindings (so it always shows the user's keymap)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from triage.tui import scopes
from triage.tui.scopes import Scoped

if TYPE_CHECKING:
    from triage.tui.app import ReviewApp


def help_text(app: ReviewApp) -> Text:
    out = Text()
    close = app.keys_for("help.close")
    out.append(f"Keys ({close} closes this help, j/k scroll)\n\n", style="bold")
    grouped: dict[str, list[Binding]] = {}
    for binding_id, binding in app.known_bindings.items():
        grouped.setdefault(binding_id.split(".", 1)[0], []).append(binding)
    for scope, title in scopes.titles().items():
        bindings = grouped.get(scope)
        if not bindings:
            continue
        out.append(f"{title}\n", style="bold underline")
        for binding in bindings:
            keys = app.keys_for(binding.id or "")
            out.append(f"  {keys:<22}", style="bold")
            out.append(f"{binding.description}")
            out.append(f"   [{binding.id}]\n", style="dim")
        out.append("\n")
    out.append("Remap keys by id in ", style="dim")
    out.append(str(app.keymap_path), style="dim bold")
    out.append(' (TOML, e.g. [case] dismiss = "x"), or pass --keys PATH.', style="dim")
    return out


class HelpScreen(Scoped, ModalScreen[None], scope="help", title="This help"):
    BINDINGS = [
        Binding("escape,q", "close", "Close help", id="help.close"),
        Binding("j,down", "scroll(1)", "Scroll down", id="help.down", show=False),
        Binding("k,up", "scroll(-1)", "Scroll up", id="help.up", show=False),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(help_text(cast("ReviewApp", self.app)), markup=False)

    def action_scroll(self, step: int) -> None:
        box = self.query_one("#help-box", VerticalScroll)
        box.scroll_to(y=box.scroll_y + step, animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
