"""The one-line header every screen shows: where you are, who you are, how far along."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.widgets import Static

from triage.display import line

if TYPE_CHECKING:
    from triage.tui.app import ReviewApp


class StatusBar(Static):
    DEFAULT_CSS = """
    StatusBar { height: 1; background: $primary-background; color: $text; }
    """

    def __init__(self, place: str = "", *, id: str | None = None) -> None:
        super().__init__("", markup=False, id=id)
        self.place = place

    def on_mount(self) -> None:
        self.update_status()

    def update_status(self) -> None:
        app = cast("ReviewApp", self.app)
        left = line(
            Text("triage", style="bold"),
            " · ",
            (app.db_name, ""),
            " · ",
            (app.run_label, ""),
            " · ",
            (app.reviewer, "bold"),
        )
        if self.place:
            left.append(" · ")
            left.append(self.place, style="italic")
        right = Text(app.progress_text(), style="bold")
        width = self.size.width or 80
        gap = width - left.cell_len - right.cell_len
        if gap < 2:
            # Narrow terminal: progress matters more than the database name.
            left = line(Text("triage", style="bold"), " · ", (app.reviewer, "bold"))
            gap = max(1, width - left.cell_len - right.cell_len)
        left.append(" " * gap)
        left.append_text(right)
        left.no_wrap = True
        left.overflow = "ellipsis"
        self.update(left)

    def on_resize(self) -> None:
        self.update_status()
