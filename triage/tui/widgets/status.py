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
        """Where you are, fitted to the width: the pack and its compute-at date always
        stay (they decide every outcome shown); the database name and the pack version
        go first, then the progress shortens to what is left."""
        app = cast("ReviewApp", self.app)
        run = app.run_info
        width = self.size.width or 80
        lefts = [
            [(app.db_name, ""), (app.run_label, "")],
            [(f"{run.pack_id} v{run.pack_version} · at {run.compute_at}", "")],
            [(f"{run.pack_id} · {run.compute_at}", "")],
        ]
        p = app.progress
        rights = [app.progress_text()]
        if p is not None:
            rights.append(f"{p.remaining:,} left")
        for middle in lefts:
            for right_text in rights:
                left = self._left(middle, app.reviewer)
                right = Text(right_text, style="bold")
                if left.cell_len + right.cell_len + 2 <= width:
                    return self._show(left, right, width)
        self._show(self._left(lefts[-1], app.reviewer), Text(rights[-1], style="bold"), width)

    def _left(self, middle: list[tuple[str, str]], reviewer: str) -> Text:
        parts: list[object] = [Text("triage", style="bold")]
        for piece in middle:
            parts += [" · ", piece]
        parts += [" · ", (reviewer, "bold")]
        out = line(*parts)  # type: ignore[arg-type]
        if self.place:
            out.append(" · ")
            out.append(self.place, style="italic")
        return out

    def _show(self, left: Text, right: Text, width: int) -> None:
        left.append(" " * max(1, width - left.cell_len - right.cell_len))
        left.append_text(right)
        left.no_wrap = True
        left.overflow = "ellipsis"
        self.update(left)

    def on_resize(self) -> None:
        self.update_status()
