"""Bulk decisions on whole cases from the queue, and undo shared by the screens.

The reviewer marks cases (space), presses `b`, and chooses the decision in a small
confirmation screen that says exactly how many convictions in how many cases it will
record. All of them go through one `review.decide_many` call: one transaction, one
batch id, all or nothing; `u` undoes the whole batch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from triage import review
from triage.display import line
from triage.errors import ConflictError
from triage.tui import fmt
from triage.tui.scopes import Scoped
from triage.tui.screens.grounds import GroundsChoice, GroundsScreen
from triage.tui.screens.modals import ConflictScreen
from triage.tui.widgets import case_text
from triage.tui.widgets.keybar import MessageLine

if TYPE_CHECKING:
    from triage.tui.app import ReviewApp


@dataclass(frozen=True)
class BulkChoice:
    decision: str
    include_flagged: bool


class BulkScreen(
    Scoped, ModalScreen[BulkChoice | None], scope="bulk", title="Bulk decision (queue)"
):
    """Confirm a bulk decision. Flagged convictions (a review flag the pack raised) are
    left out unless the reviewer presses a second key to include them."""

    BINDINGS = [
        Binding("d", "choose('dismiss')", "Dismiss all", id="bulk.dismiss"),
        Binding("r", "choose('reduce')", "Reduce all", id="bulk.reduce"),
        Binding("n", "choose('not_eligible')", "Not eligible, all", id="bulk.not_eligible"),
        Binding("f", "choose('defer')", "Defer all", id="bulk.defer"),
        Binding("i", "include", "Include the flagged convictions too", id="bulk.confirm"),
        Binding("escape,q", "choose('')", "Cancel", id="bulk.cancel"),
    ]

    def __init__(self, convictions: int, cases: int, skipped: int, flagged: int = 0) -> None:
        super().__init__()
        self.counts = (convictions, cases, skipped)
        self.flagged = flagged
        self.include_flagged = False

    def compose(self) -> ComposeResult:
        with Vertical(id="bulk-box"):
            yield Static(self._body(), markup=False, id="bulk-body")
            yield MessageLine()

    def _body(self) -> Text:
        app = cast("ReviewApp", self.app)
        convictions, cases, skipped = self.counts
        count = convictions if self.include_flagged else convictions - self.flagged
        body = Text()
        body.append(
            f"Bulk decision on {convictions} undecided convictions in {cases} cases\n",
            style="bold",
        )
        if self.flagged and not self.include_flagged:
            body.append(
                f"⚑ {self.flagged} of them are flagged and left out; "
                f"{app.key_for('bulk.confirm')} includes them\n",
                style="bold",
            )
        elif self.flagged:
            body.append(f"⚑ {self.flagged} flagged convictions included\n", style="bold")
        body.append("\n")
        for kind in ("dismiss", "reduce", "not_eligible", "defer"):
            body.append(f"  {app.key_for('bulk.' + kind):<8}", style="bold")
            body.append(f"{fmt.outcome(kind)} all {count}\n")
        body.append(f"  {app.key_for('bulk.cancel'):<8}cancel\n")
        if skipped:
            body.append(f"\n{skipped} marked cases have nothing left to decide.", style="dim")
        return body

    def action_include(self) -> None:
        self.include_flagged = not self.include_flagged
        self.query_one("#bulk-body", Static).update(self._body())

    def action_choose(self, decision: str) -> None:
        if not decision:
            self.dismiss(None)
            return
        if not self.include_flagged and self.flagged == self.counts[0]:
            app = cast("ReviewApp", self.app)
            app.bell()
            app.notify(
                f"All {self.flagged} are flagged: {app.key_for('bulk.confirm')} includes them",
                severity="warning",
            )
            return  # every one is flagged: nothing to do until `i`
        self.dismiss(BulkChoice(decision, self.include_flagged))


@dataclass
class _Marked:
    """The undecided convictions of the marked cases, as (key, version), and which of
    them are flagged; `skipped` counts marked cases with nothing left to decide."""

    items: list[tuple[str, int]] = field(default_factory=list)
    flagged: set[str] = field(default_factory=set)
    cases: int = 0
    skipped: int = 0


def bulk_decide(
    screen: Screen[None], subject_ids: list[str], *, on_done: Callable[[], None]
) -> None:
    """Collect the undecided convictions of the marked cases, confirm, decide them all."""
    app = cast("ReviewApp", screen.app)
    marked = _collect(app, subject_ids)
    if marked is None:
        return
    if not marked.items:
        app.notify("The marked cases have nothing left to decide.", timeout=3)
        on_done()
        return

    def chosen(choice: BulkChoice | None) -> None:
        if choice is None:
            return
        items = [i for i in marked.items if choice.include_flagged or i[0] not in marked.flagged]
        left = len(marked.items) - len(items)
        record = partial(_record, app, items, choice.decision, left=left, on_done=on_done)
        if choice.decision == "not_eligible":
            _ask_grounds(app, len(items), record)
        else:
            record(None)

    counts = (len(marked.items), marked.cases, marked.skipped, len(marked.flagged))
    app.push_screen(BulkScreen(*counts), chosen)


def _collect(app: ReviewApp, subject_ids: list[str]) -> _Marked | None:
    """What the marked cases have left to decide (under the queue's outcome filter);
    None, with the error shown, when a case cannot be loaded."""
    wanted = app.queue_filter.outcome
    marked = _Marked()
    for subject_id in subject_ids:
        try:
            case = review.load_case(app.conn, subject_id, app.run_id)
        except fmt.SERVICE_ERRORS as exc:
            app.notify(fmt.problem(exc), severity="error")
            return None
        pending = [
            c
            for c in case.convictions
            if case_text.decidable(c)
            and c.decision is None
            and (wanted is None or c.outcome == wanted)
        ]
        marked.items += [(c.key, c.decision_version) for c in pending]
        marked.flagged.update(c.key for c in pending if c.flags)
        if pending:
            marked.cases += 1
        else:
            marked.skipped += 1
    return marked


def _record(
    app: ReviewApp,
    items: list[tuple[str, int]],
    decision: str,
    picked: GroundsChoice | None,
    *,
    left: int,
    on_done: Callable[[], None],
) -> None:
    """Decide `items` in one batch; `left` flagged ones stay undecided. A note given with
    the grounds is kept on each conviction and linked from its decision."""
    try:
        review.decide_many(
            app.conn, items, decision, app.reviewer, run_id=app.run_id,
            grounds_text=picked.grounds_text if picked else None,
            note=picked.note if picked else None,
        )  # fmt: skip
    except ConflictError as exc:
        app.push_screen(ConflictScreen(exc, fmt.outcome(decision)))
        on_done()
        return
    except fmt.SERVICE_ERRORS as exc:
        app.notify(fmt.problem(exc), severity="error")
        return
    app.decided(len(items))
    app.notify(
        f"{fmt.outcome(decision)}: {len(items)} convictions"
        + (f" ({left} flagged left undecided)" if left else "")
        + f" · {app.key_for('queue.undo')} undoes the whole batch",
        timeout=4,
    )
    on_done()


def _ask_grounds(app: ReviewApp, count: int, then: Callable[[GroundsChoice | None], None]) -> None:
    def picked(choice: GroundsChoice | None) -> None:
        if choice is None:
            app.notify("Cancelled: nothing written.", timeout=2)
            return
        then(choice)

    title = line(("Not eligible: ", "bold"), f"{count} convictions · pick the grounds")
    hint = f"note (required for 'other'; kept on each of the {count})"
    app.push_screen(GroundsScreen(title, note_hint=hint), picked)


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
