"""Bulk decisions on whole cases from the queue, and undo shared by the screens.

The reviewer marks cases (space), presses `b`, and chooses the decision in a small
confirmation screen that says exactly how many convictions in how many cases it will
record. All of them go through one `review.decide_many` call: one transaction, one
batch id, all or nothing; `u` undoes the whole batch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from triage import review
from triage.errors import ConflictError
from triage.tui import fmt
from triage.tui.screens.modals import ConflictScreen
from triage.tui.widgets import case_text

if TYPE_CHECKING:
    from triage.tui.app import ReviewApp


class BulkScreen(ModalScreen[str | None]):
    BINDINGS = [
        Binding("d", "choose('dismiss')", "Dismiss all", id="bulk.dismiss"),
        Binding("r", "choose('reduce')", "Reduce all", id="bulk.reduce"),
        Binding("n", "choose('not_eligible')", "Not eligible, all", id="bulk.not_eligible"),
        Binding("f", "choose('defer')", "Defer all", id="bulk.defer"),
        Binding("escape,q", "choose('')", "Cancel", id="bulk.cancel"),
    ]

    def __init__(self, convictions: int, cases: int, skipped: int) -> None:
        super().__init__()
        self.counts = (convictions, cases, skipped)

    def compose(self) -> ComposeResult:
        app = cast("ReviewApp", self.app)
        convictions, cases, skipped = self.counts
        body = Text()
        body.append(
            f"Bulk decision on {convictions} undecided convictions in {cases} cases\n\n",
            style="bold",
        )
        for kind in ("dismiss", "reduce", "not_eligible", "defer"):
            body.append(f"  {app.key_for('bulk.' + kind):<8}", style="bold")
            body.append(f"{fmt.outcome(kind)} all {convictions}\n")
        body.append(f"  {app.key_for('bulk.cancel'):<8}cancel\n")
        if skipped:
            body.append(f"\n{skipped} marked cases have nothing left to decide.", style="dim")
        with Vertical(id="bulk-box"):
            yield Static(body, markup=False)

    def action_choose(self, decision: str) -> None:
        self.dismiss(decision or None)


def bulk_decide(
    screen: Screen[None], subject_ids: list[str], *, on_done: Callable[[], None]
) -> None:
    """Collect the undecided convictions of the marked cases, confirm, decide them all."""
    app = cast("ReviewApp", screen.app)
    wanted = app.queue_filter.outcome
    items: list[tuple[str, int]] = []
    cases = skipped = 0
    for subject_id in subject_ids:
        try:
            case = review.load_case(app.conn, subject_id, app.run_id)
        except fmt.SERVICE_ERRORS as exc:
            app.notify(fmt.problem(exc), severity="error")
            return
        pending = [
            (c.key, c.decision_version)
            for c in case.convictions
            if case_text.decidable(c)
            and c.decision is None
            and (wanted is None or c.outcome == wanted)
        ]
        items += pending
        cases, skipped = (cases + 1, skipped) if pending else (cases, skipped + 1)
    if not items:
        app.notify("The marked cases have nothing left to decide.", timeout=3)
        on_done()
        return

    def chosen(decision: str | None) -> None:
        if decision is None:
            return
        try:
            review.decide_many(app.conn, items, decision, app.reviewer, run_id=app.run_id)
        except ConflictError as exc:
            app.push_screen(ConflictScreen(exc, fmt.outcome(decision)))
            on_done()
            return
        except fmt.SERVICE_ERRORS as exc:
            app.notify(fmt.problem(exc), severity="error")
            return
        app.decided(len(items))
        app.notify(
            f"{fmt.outcome(decision)}: {len(items)} convictions in {cases} cases · "
            f"{app.key_for('queue.undo')} undoes the whole batch",
            timeout=4,
        )
        on_done()

    app.push_screen(BulkScreen(len(items), cases, skipped), chosen)


def undo_last(screen: Screen[None]) -> list[review.DecisionResult]:
    """Undo the reviewer's last decision (a whole batch for a bulk one), with a toast."""
    app = cast("ReviewApp", screen.app)
    try:
        results = review.undo_last_many(app.conn, app.reviewer)
    except ConflictError as exc:
        app.push_screen(ConflictScreen(exc, "undo"))
        return []
    except fmt.SERVICE_ERRORS as exc:
        app.notify(fmt.problem(exc), severity="error")
        return []
    if not results:
        app.notify("Nothing of yours to undo.", timeout=3)
        return []
    app.decided(-len(results))
    what = results[0].key if len(results) == 1 else f"{len(results)} convictions"
    app.notify(f"Undone: {what} (recorded as a new entry)", timeout=3)
    return results
