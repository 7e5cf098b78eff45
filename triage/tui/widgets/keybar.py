"""The key bar and the message line at the bottom of every full screen.

The key bar lists every key of the screen (and the app-wide ones), wrapping onto as many
lines as it needs: short labels below 120 columns, so a screen's keys fit two lines at
80, and each binding's full description at 120 and wider. Keys are read from the
bindings as remapped by the user, never typed here.

The message line replaces toasts: one message at a time, the newest replacing the last;
errors stay until the next key, other messages fade after a few seconds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import Static

from triage.display import clean
from triage.tui import keylabels

if TYPE_CHECKING:
    from triage.tui.app import ReviewApp

WIDE = 120


def screen_bindings(screen: object) -> list[Binding]:
    """The screen's bindings with ids, in declaration order."""
    out: list[Binding] = []
    for item in getattr(screen, "BINDINGS", []):
        if isinstance(item, Binding) and item.id:
            out.append(item)
    return out


def key_items(app: ReviewApp, bindings: list[Binding], *, wide: bool) -> list[tuple[str, str]]:
    """(keys, label) for each binding; narrow: pairs shown once ("j/k conviction")."""
    items: list[tuple[str, str]] = []
    for b in bindings:
        bid = str(b.id)
        if wide:
            items.append((app.keys_for(bid).replace(" / ", "/"), b.description))
            continue
        if bid in keylabels.PAIRED:
            continue
        partner = keylabels.PAIRS.get(bid)
        keys = app.key_for(bid)
        if partner is not None and partner in app.known_bindings:
            keys = f"{keys}/{app.key_for(partner)}"
        elif "," in b.key:
            keys = app.keys_for(bid).replace(" / ", "/")
        items.append((keys, keylabels.short(bid, b.description)))
    return items


def layout(items: list[tuple[str, str]], width: int) -> Text:
    """Items as `key label` separated by two spaces, wrapped between items."""
    out = Text(no_wrap=True, overflow="ellipsis")
    used = 0
    for keys, label in items:
        size = len(keys) + 1 + len(label)
        if used and used + 2 + size > width:
            out.append("\n")
            used = 0
        elif used:
            out.append("  ")
            used += 2
        out.append(clean(keys), style="bold reverse")
        out.append(" " + clean(label))
        used += size
    return out


class KeyBar(Static):
    DEFAULT_CSS = """
    KeyBar { height: auto; max-height: 4; padding: 0 1 0 0; background: $panel; }
    """

    def __init__(self) -> None:
        super().__init__("", markup=False)

    def on_mount(self) -> None:
        self.call_after_refresh(self.update_keys)

    def on_resize(self) -> None:
        self.update_keys()

    def update_keys(self) -> None:
        app = cast("ReviewApp", self.app)
        width = self.size.width or app.size.width or 80
        wide = app.size.width >= WIDE  # the terminal's width, as the layout breakpoints
        bindings = screen_bindings(self.screen) + screen_bindings(app)
        items = key_items(app, bindings, wide=wide)
        items.append(("^p", "all commands" if wide else "commands"))
        self.update(layout(items, width - 1))


class MessageLine(Static):
    """One line of feedback; `show` replaces whatever was there."""

    DEFAULT_CSS = """
    MessageLine { height: 1; padding: 0 1; }
    MessageLine.-error { text-style: bold; background: $error 30%; }
    MessageLine.-warning { text-style: bold; }
    """

    def __init__(self) -> None:
        super().__init__("", markup=False)
        self.severity = ""
        self.text = ""  # the message shown (for tests and screen readers)
        self._timer: Timer | None = None

    def show(self, message: str, severity: str = "information", timeout: float = 5) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.severity = severity
        self.text = clean(message)
        prefix = {"error": "✗ ", "warning": "! "}.get(severity, "")
        self.update(Text(prefix + clean(message), no_wrap=True, overflow="ellipsis"))
        self.set_class(severity == "error", "-error")
        self.set_class(severity == "warning", "-warning")
        if severity != "error":  # errors wait for the next key
            self._timer = self.set_timer(max(timeout, 1), self.clear)

    def clear(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.severity = ""
        self.text = ""
        self.update("")
        self.remove_class("-error", "-warning")

    def key_pressed(self) -> None:
        if self.severity == "error":
            self.clear()
