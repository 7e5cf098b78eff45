"""What-if from the statistics screen: the current run's pack (A) against another bundled
pack (B) on the same records, computed by `triage.whatif.compare` in a worker thread.

The comparison reads the whole database, so it runs on its own read-only connection whose
SQLite progress handler stops it as soon as the screen is left: escape never waits for it.
Nothing is written (no run, no audit entry).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from rules.errors import RulesError
from rules.packs import Pack, bundled_ids, list_packs, load_pack, pack_from_gogen_options
from triage import db
from triage.display import line
from triage.errors import TriageError
from triage.review import Run
from triage.tui import fmt
from triage.tui.scopes import Scoped
from triage.tui.widgets.keybar import KeyBar, MessageLine
from triage.tui.widgets.status import StatusBar
from triage.whatif import WhatIfReport, compare

if TYPE_CHECKING:
    from triage.tui.app import ReviewApp

CHANGES_SHOWN = 50
_CANCEL_CHECK_STEPS = 20_000  # SQLite VM steps between checks for "the user left"
_ERRORS: tuple[type[Exception], ...] = (*fmt.SERVICE_ERRORS, RulesError)
_IMPACT = {
    "CountSubjectsNoFelony": "people with no felony left",
    "CountSubjectsNoConvictionLast7Years": "people with no conviction in 7 years",
    "CountSubjectsNoConviction": "people with no conviction at all",
}


def run_pack(run: Run) -> Pack:
    """The pack the run was classified with, rebuilt from the bundled packs (A)."""
    options = json.loads(run.options or "{}")
    if options and run.pack_id == "gogen":
        return pack_from_gogen_options(options, county=run.county)
    if run.pack_id not in bundled_ids():
        raise TriageError(
            f"run {run.id} used pack {run.pack_id!r}, which is not bundled: "
            "compare it with `triage whatif --policy PATH --policy ID`"
        )
    return load_pack(run.pack_id)


class PackPicker(Scoped, ModalScreen[str | None], scope="packs", title="What-if: pack list"):
    """A list of the bundled packs other than the run's; enter picks, escape cancels."""

    DEFAULT_CSS = """
    PackPicker { align: center middle; }
    #packs-box { width: 72; height: auto; max-height: 80%; border: round $primary; padding: 0 1; }
    #packs { height: auto; max-height: 16; }
    """
    BINDINGS = [Binding("escape,q", "cancel", "Cancel", id="packs.cancel")]

    def __init__(self, current: str) -> None:
        super().__init__()
        self._current = current

    def compose(self) -> ComposeResult:
        options = [
            Option(line((p.title, "bold"), "  ", (p.id, "dim")), id=p.id)
            for p in list_packs()
            if p.id != self._current
        ]
        with Vertical(id="packs-box"):
            yield Static(line("Compare ", (self._current, "bold"), " with…"), markup=False)
            yield OptionList(*options, id="packs")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class WhatIfScreen(Scoped, Screen[None], scope="whatif", title="What-if"):
    BINDINGS = [
        Binding("q,escape", "back", "Back", id="whatif.back"),
        Binding("j,down", "scroll(1)", "Scroll down", id="whatif.down", show=False),
        Binding("k,up", "scroll(-1)", "Scroll up", id="whatif.up", show=False),
    ]

    def __init__(self, pack_b: str) -> None:
        super().__init__()
        self.pack_b = pack_b
        self.report: WhatIfReport | None = None

    def compose(self) -> ComposeResult:
        yield StatusBar("what-if", id="status")
        with VerticalScroll(id="whatif-box"):
            yield Static(self._computing(), markup=False, id="whatif")
        yield MessageLine()
        yield KeyBar()

    def _computing(self) -> Text:
        back = cast("ReviewApp", self.app).key_for("whatif.back")
        return line(
            ("computing… (reads every record; ", "dim"), (back, "bold"), (" cancels)", "dim")
        )

    def on_mount(self) -> None:
        self.run_worker(self._compute, thread=True, exclusive=True, group="whatif")

    def _compute(self) -> None:
        worker = get_current_worker()
        app = cast("ReviewApp", self.app)
        run = app.run_info
        try:
            pack_a, pack_b = run_pack(run), load_pack(self.pack_b)
            conn = db.connect(app.db_path)
            try:
                conn.execute("PRAGMA query_only = ON")  # belt and braces: never writes
                conn.set_progress_handler(lambda: int(worker.is_cancelled), _CANCEL_CHECK_STEPS)
                when = dt.date.fromisoformat(run.compute_at)
                report = compare(conn, pack_a, pack_b, county=run.county, compute_at=when)
            finally:
                conn.close()
        except _ERRORS as exc:
            if not worker.is_cancelled:  # else: interrupted because the user left
                message = str(exc) if isinstance(exc, RulesError) else fmt.problem(exc)
                self.app.call_from_thread(self._failed, message)
            return
        if not worker.is_cancelled:
            stale = pack_a.content_hash != run.pack_hash
            self.app.call_from_thread(self._show, report, stale)

    def _failed(self, message: str) -> None:
        self.query_one("#whatif", Static).update(
            line(("What-if not computed: ", "bold"), (message, ""))
        )

    def _show(self, r: WhatIfReport, stale: bool) -> None:
        self.report = r
        self.query_one("#whatif", Static).update(report_text(r, stale=stale))

    def action_scroll(self, step: int) -> None:
        box = self.query_one("#whatif-box", VerticalScroll)
        box.scroll_to(y=box.scroll_y + step, animate=False)

    def action_back(self) -> None:
        self.workers.cancel_node(self)
        self.dismiss(None)


def _row(label: str, a: int, b: int, style: str = "") -> Text:
    out = Text(f"  {label:<40}")
    out.append(f"{a:>9,}{b:>9,}", style="bold")
    out.append(f"{b - a:>+9,}\n", style=style or "dim")
    return out


def report_text(r: WhatIfReport, *, stale: bool = False) -> Text:
    """The comparison as screen text (record values cleaned; no markup parsed)."""
    out = line(
        ("What-if · ", "bold"), (r.county, "bold"), f" · compute-at {r.compute_at}",
        f" · {r.people:,} people\n",
    )  # fmt: skip
    for side, s in (("A", r.a), ("B", r.b)):
        out.append_text(line(f"  {side}  ", (s.pack_id, "bold"), (f" v{s.pack_version}  ", ""),
                             (s.pack_title, "")))  # fmt: skip
        out.append("\n")
    if stale:
        out.append("  (the bundled pack A has changed since this run was classified)\n", "yellow")
    out.append(f"\n  {'Impact':<40}{'A':>9}{'B':>9}{'B−A':>9}\n", style="bold underline")
    for key, label in _IMPACT.items():
        out.append_text(_row(label, r.a.impact.get(key, 0), r.b.impact.get(key, 0)))
    out.append(f"\n  {'Convictions by outcome':<40}{'A':>9}{'B':>9}{'B−A':>9}\n", "bold underline")
    for outcome in sorted(set(r.a.by_outcome) | set(r.b.by_outcome)):
        out.append_text(
            _row(
                fmt.outcome(outcome),
                r.a.by_outcome.get(outcome, 0),
                r.b.by_outcome.get(outcome, 0),
                fmt.OUTCOME_STYLES.get(outcome, ""),
            )
        )
    out.append(f"\nInto review: {r.into_review:,} · out of review: {r.out_of_review:,}\n", "bold")
    for transition, n in r.transitions.items():
        out.append(f"  {transition:<40}{n:>9,}\n")
    shown = r.changes[:CHANGES_SHOWN]
    out.append(f"\nChanged convictions: {len(r.changes):,}", style="bold")
    out.append(f" (first {len(shown)})\n" if len(shown) < len(r.changes) else "\n", style="dim")
    for c in shown:
        out.append_text(line(
            "  ", (c.key, "bold"), "  ", (c.section, ""), "  ",
            (c.from_outcome, fmt.OUTCOME_STYLES.get(c.from_outcome, "")), " (", (c.from_reason, "dim"),
            ") → ", (c.to_outcome, fmt.OUTCOME_STYLES.get(c.to_outcome, "")), " (",
            (c.to_reason, "dim"), ")\n",
        ))  # fmt: skip
    return out
