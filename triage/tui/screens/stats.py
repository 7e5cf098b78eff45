"""The statistics screen: counts by outcome, reason, decision and reviewer, and decisions
per day, drawn as bars. Figures load in a worker so a large database never freezes it."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from triage.display import clean
from triage.review.stats import ReviewStats, review_stats
from triage.tui import fmt
from triage.tui.scopes import Scoped
from triage.tui.screens.whatif import PackPicker, WhatIfScreen
from triage.tui.widgets.keybar import KeyBar, MessageLine
from triage.tui.widgets.status import StatusBar

if TYPE_CHECKING:
    from triage.tui.app import ReviewApp

_BLOCKS = " ▏▎▍▌▋▊▉█"


def bar(value: int, largest: int, width: int) -> str:
    """A horizontal bar in eighths of a cell, so small differences still show."""
    if largest <= 0 or width <= 0:
        return ""
    eighths = round(value / largest * width * 8)
    if value and not eighths:
        eighths = 1
    full, part = divmod(eighths, 8)
    return "█" * full + (_BLOCKS[part] if part else "")


def chart(
    title: str,
    pairs: tuple[tuple[str, int], ...],
    width: int,
    *,
    label_width: int = 28,
    labels: dict[str, str] | None = None,
) -> Text:
    out = Text(title + "\n", style="bold underline")
    if not pairs:
        out.append("  nothing yet\n", style="dim")
        return out
    largest = max(n for _, n in pairs)
    bar_width = max(8, width - label_width - 12)
    for key, n in pairs:
        name = clean(labels.get(key, key) if labels else key)
        if len(name) > label_width:
            name = name[: label_width - 1] + "…"
        out.append(f"  {name:<{label_width}} ")
        out.append(f"{n:>7,} ", style="bold")
        out.append(bar(n, largest, bar_width), style=fmt.OUTCOME_STYLES.get(key, "cyan"))
        out.append("\n")
    return out


class StatsScreen(Scoped, Screen[None], scope="stats", title="Statistics"):
    BINDINGS = [
        Binding("q,escape", "back", "Back", id="stats.back"),
        Binding("R", "reload", "Reload", id="stats.reload"),
        Binding("w", "whatif", "What-if", id="stats.whatif"),
        Binding("j,down", "scroll(1)", "Scroll down", id="stats.down", show=False),
        Binding("k,up", "scroll(-1)", "Scroll up", id="stats.up", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield StatusBar("statistics", id="status")
        with VerticalScroll(id="stats-box"):
            yield Static(Text("loading…", style="dim"), markup=False, id="stats")
        yield MessageLine()
        yield KeyBar()

    def on_mount(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        self.run_worker(self._load, thread=True, exclusive=True, group="stats", exit_on_error=False)

    def _load(self) -> None:
        app = cast("ReviewApp", self.app)
        with app.readers.connection() as conn:
            figures = review_stats(conn, app.run_id)
        self.app.call_from_thread(self._show, figures)

    def _show(self, s: ReviewStats) -> None:
        self.figures = s
        width = self.size.width - 6  # padding and a scrollbar: bars must never wrap
        labels = {k: fmt.outcome(k) for k in fmt.OUTCOME_LABELS}
        out = Text()
        out.append(
            f"Run {s.run_id} · {s.undecided_review:,} review convictions undecided\n\n",
            style="bold",
        )
        review_total = dict(s.by_outcome).get("review", 0)
        progress = (
            ("decided", review_total - s.undecided_review),
            ("undecided", s.undecided_review),
        )
        out.append_text(chart("Review progress", progress, width))
        out.append("\n")
        out.append_text(chart("Determinations by outcome", s.by_outcome, width, labels=labels))
        out.append("\n")
        out.append_text(chart("Decisions by kind", s.by_decision, width, labels=labels))
        out.append("\n")
        out.append_text(
            chart(
                "Review reasons (most frequent)",
                s.by_reason,
                width,
                label_width=min(48, max(20, width // 2)),
            )
        )
        out.append("\n")
        out.append_text(chart("Decisions by reviewer", s.by_reviewer, width))
        out.append("\n")
        out.append_text(chart("Decisions per day (UTC)", s.per_day, width, label_width=12))
        self.query_one("#stats", Static).update(out)

    def on_resize(self) -> None:
        if getattr(self, "figures", None) is not None:
            self._show(self.figures)

    def action_scroll(self, step: int) -> None:
        box = self.query_one("#stats-box", VerticalScroll)
        box.scroll_to(y=box.scroll_y + step, animate=False)

    def action_whatif(self) -> None:
        """Pick a pack B, then compare the run's pack (A) with it; nothing is written."""

        def chosen(pack_id: str | None) -> None:
            if pack_id:
                self.app.push_screen(WhatIfScreen(pack_id))

        self.app.push_screen(PackPicker(cast("ReviewApp", self.app).run_info.pack_id), chosen)

    def action_back(self) -> None:
        self.dismiss(None)
