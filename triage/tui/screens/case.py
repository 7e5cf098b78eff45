"""The case screen: one person's record, the conviction under review, one key per decision.

Every decision is written at once through `review.decide`/`decide_many` with the version
the screen showed; a `ConflictError` is shown with both values and the case reloaded.
After a decision the cursor lands on the next undecided conviction: in this case first,
then in the next case of the queue.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Protocol, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal

from triage import db, review
from triage.display import line
from triage.review import CaseView, ConvictionItem
from triage.tui import fmt
from triage.tui.scopes import Scoped
from triage.tui.screens.bulk import undo_last
from triage.tui.screens.case_decide import DecideMixin
from triage.tui.widgets import case_text
from triage.tui.widgets.keybar import KeyBar, MessageLine
from triage.tui.widgets.status import StatusBar
from triage.tui.widgets.text_view import TextView

if TYPE_CHECKING:
    from triage.tui.app import ReviewApp


class CaseNavigator(Protocol):
    """What the case screen needs from the queue to move between cases."""

    def neighbour(self, index: int, step: int, *, pending_only: bool) -> tuple[int, str] | None:
        """The queue position and SUBJECT_ID of the next (step=1) or previous case."""
        ...

    def queue_size(self) -> int | None: ...

    def visiting(self, subject_id: str) -> None:
        """The case on screen now (remembered for "resume where I left off")."""
        ...


class CaseScreen(Scoped, DecideMixin, scope="case", title="Case"):
    BINDINGS = [
        Binding("d", "decide('dismiss')", "Dismiss", id="case.dismiss"),
        Binding("r", "decide('reduce')", "Reduce", id="case.reduce"),
        Binding("n", "decide('not_eligible')", "Not eligible", id="case.not_eligible"),
        Binding("f", "decide('defer')", "Defer", id="case.defer"),
        Binding("enter,a", "accept", "Accept suggestion", id="case.accept"),
        Binding("u", "undo", "Undo", id="case.undo"),
        Binding("N", "note", "Note", id="case.note"),
        Binding("space", "mark", "Mark for bulk", id="case.mark"),
        Binding(
            "e", "toggle_events", "Show arrests and court actions", id="case.events", show=False
        ),
        Binding("w", "toggle_trace", "Show or fold the rule trace", id="case.trace", show=False),
        Binding("j,down", "move(1)", "Next conviction", id="case.down", show=False),
        Binding("k,up", "move(-1)", "Previous conviction", id="case.up", show=False),
        Binding(
            "right_square_bracket", "other_case(1)", "Next case", id="case.next_case", show=False
        ),
        Binding(
            "left_square_bracket",
            "other_case(-1)",
            "Previous case",
            id="case.previous_case",
            show=False,
        ),
        Binding(
            "pagedown", "scroll_detail(1)", "Scroll details down", id="case.detail_down", show=False
        ),
        Binding(
            "pageup", "scroll_detail(-1)", "Scroll details up", id="case.detail_up", show=False
        ),
        Binding("q,escape", "back", "Back to queue", id="case.back"),
    ]

    def __init__(self, subject_id: str, index: int, navigator: CaseNavigator) -> None:
        super().__init__()
        self.subject_id = subject_id
        self.index = index
        self.navigator = navigator
        self.case: CaseView | None = None
        self.cursor = 0
        self.marked: set[str] = set()
        self.all_events = False
        self.show_trace = False
        self._confirm_flagged: str | None = None  # decision pressed once on flagged marks
        self._detail_shown: str | None = None  # conviction key the detail pane shows

    @property
    def triage(self) -> ReviewApp:
        return cast("ReviewApp", self.app)

    def compose(self) -> ComposeResult:
        yield StatusBar("case", id="status")
        yield TextView(wrap=False, id="person")
        with Horizontal(id="panes"):
            yield TextView(wrap=False, id="timeline-box")
            yield TextView(id="detail-box")
        yield TextView(id="history-box")
        yield MessageLine()
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#timeline-box").border_title = "Record · ★ Prop 64 · ° other county"
        self.query_one("#detail-box").border_title = "Conviction"
        self.query_one("#history-box").border_title = "Decisions and notes"
        self.open_case(self.subject_id, self.index)
        self.start_claims()

    def on_resize(self) -> None:
        # Column widths follow the panes: redraw once the new layout is known.
        if self.case is not None:
            self.call_after_refresh(self.refresh_view)

    def on_unmount(self) -> None:
        self._release()

    # -- loading ---------------------------------------------------------------------

    def open_case(
        self,
        subject_id: str,
        index: int,
        *,
        focus_key: str | None = None,
        render: bool = True,
        claim: bool = True,
    ) -> bool:
        """Show a case and claim it (`claim=False`: the caller claims it after the paint).
        Returns False when another reviewer holds it."""
        if subject_id != self.subject_id:
            self._release_later()
        self.subject_id = subject_id
        self.index = index
        self.marked.clear()
        self.after_paint(partial(self.navigator.visiting, subject_id))
        if claim:
            self._take_claim()
        else:
            self.holding = False
        self.reload(focus_key=focus_key, first_pending=focus_key is None, render=render)
        return self.holding if claim else not self._held_by_other()

    def _held_by_other(self) -> bool:
        """Whether the loaded case shows another reviewer's unexpired lease."""
        case = self.case
        return (
            case is not None
            and case.claimed_by not in (None, self.triage.reviewer)
            and (case.claim_expires or "") > db.now()
        )

    def reload(
        self, *, focus_key: str | None = None, first_pending: bool = False, render: bool = True
    ) -> None:
        app = self.triage
        try:
            self.case = review.load_case(app.conn, self.subject_id, app.run_id)
        except fmt.SERVICE_ERRORS as exc:
            self.notify(fmt.problem(exc), severity="error")
            if self.case is None:
                self.call_later(self.dismiss, None)
            return
        convictions = self.case.convictions
        if focus_key is not None:
            for i, c in enumerate(convictions):
                if c.key == focus_key:
                    self.cursor = i
        elif first_pending:
            pending = [i for i, c in enumerate(convictions) if self._pending(c)]
            classified = [i for i, c in enumerate(convictions) if case_text.decidable(c)]
            self.cursor = (pending or classified or [0])[0]
        self.cursor = min(self.cursor, max(0, len(convictions) - 1))
        if render:
            self.refresh_view()

    def _pending(self, c: ConvictionItem) -> bool:
        wanted = self.triage.queue_filter.outcome
        return (
            case_text.decidable(c)
            and c.decision is None
            and (wanted is None or c.outcome == wanted)
        )

    def refresh_view(self) -> None:
        case = self.case
        if case is None:
            return
        size = self.navigator.queue_size()
        if self.index < 0:  # reached by undo from elsewhere: its queue position is unknown
            place = ""
        else:
            place = f"case {self.index + 1} of {size}" if size else f"case {self.index + 1}"
        self.query_one("#person", TextView).update(
            case_text.person_header(
                case, place, self._claim_note(case), self.triage.queue_filter.outcome
            )
        )
        timeline = self.query_one("#timeline-box", TextView)
        width = timeline.scrollable_content_region.width
        if not width:  # before the first layout: draw again once sizes are known
            self.call_after_refresh(self.refresh_view)
            width = 60
        body, cursor_line = case_text.timeline(
            case,
            self.cursor,
            self.marked,
            width,
            all_events=self.all_events,
            events_key=self.triage.key_for("case.events"),
            outcome=self.triage.queue_filter.outcome,
        )
        timeline.update(body)
        timeline.show_line(cursor_line)
        focused = self.focused_conviction
        box = self.query_one("#detail-box", TextView)
        box.update(
            case_text.detail(
                focused,
                show_trace=self.show_trace,
                trace_key=self.triage.key_for("case.trace"),
                width=box.scrollable_content_region.width or 80,
            )
            if focused
            else Text("(nothing to show)", style="dim")
        )
        shown = focused.key if focused else None
        if shown != self._detail_shown:  # another conviction: read it from the top
            self._detail_shown = shown
            box.scroll_to(y=0, animate=False)
        self.query_one("#history-box", TextView).update(case_text.history(case.history, case.notes))

    def _claim_note(self, case: CaseView) -> Text | None:
        if self.holding:
            return Text("claimed by you", style="dim")
        if case.claimed_by and case.claimed_by != self.triage.reviewer:
            return line(
                ("⚠ held by ", "bold red"),
                (case.claimed_by, "bold red"),
                (" until " + fmt.show_time(case.claim_expires), "red"),
            )
        return None

    def claim_changed(self) -> None:
        if self.holding:
            self.refresh_view()
        else:
            self.reload()  # who holds it now

    @property
    def has_case(self) -> bool:
        return self.case is not None

    @property
    def focused_conviction(self) -> ConvictionItem | None:
        if self.case is None or not self.case.convictions:
            return None
        return self.case.convictions[self.cursor]

    # -- moving ----------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        if self.case and self.case.convictions:
            self.cursor = min(len(self.case.convictions) - 1, max(0, self.cursor + step))
            self.refresh_view()

    def action_toggle_events(self) -> None:
        self.all_events = not self.all_events
        self.refresh_view()

    def action_toggle_trace(self) -> None:
        self.show_trace = not self.show_trace
        self.refresh_view()

    def action_scroll_detail(self, step: int) -> None:
        box = self.query_one("#detail-box", TextView)
        box.scroll_to(y=box.scroll_y + step * max(1, box.size.height - 2), animate=False)

    def action_other_case(self, step: int) -> None:
        found = self.navigator.neighbour(self.index, step, pending_only=False)
        if found is None:
            self.notify("No more cases in this direction.", timeout=2)
            return
        self.open_case(found[1], found[0])

    def action_back(self) -> None:
        self.dismiss(None)

    def action_mark(self) -> None:
        c = self.focused_conviction
        if c is None or not case_text.decidable(c):
            self.notify("Only classified convictions can be marked.", timeout=2)
            return
        self.marked.symmetric_difference_update({c.key})
        self.action_move(1)
        self.refresh_view()

    # -- moving on -------------------------------------------------------------------

    def advance(self, just_decided: set[str] | None = None) -> None:
        """Move to the next undecided conviction: later in this case, then earlier in it,
        then the next case in the queue that has work and is not held by someone else.

        `just_decided` are keys decided since the case was loaded: the case is reloaded
        only if the cursor stays in it, so moving on costs one case load, not two."""
        case = self.case
        if case is None:
            return
        done = just_decided or set()
        n = len(case.convictions)
        for step in range(1, n + 1):
            i = (self.cursor + step) % n
            c = case.convictions[i]
            if c.key not in done and self._pending(c):
                if done:
                    self.reload(focus_key=c.key)  # show the new decision too
                else:
                    self._show_cursor(i)
                return
        index = self.index
        for _ in range(200):  # bounded: cases held by others are skipped
            found = self.navigator.neighbour(index, 1, pending_only=True)
            if found is None:
                self.reload()
                self.notify("No more undecided cases in this queue. q goes back.", timeout=5)
                return
            index, subject_id = found
            free = self.open_case(subject_id, index, render=False, claim=False)
            if free and any(self._pending(c) for c in self.case.convictions):  # type: ignore[union-attr]
                self.refresh_view()
                # The lease write waits until the case is on screen; if someone took it
                # in between, move on again.
                self.after_paint(partial(self._claim_shown_case, subject_id))
                return
        self.reload()
        self.notify("The next cases are all held by other reviewers.", severity="warning")

    def _claim_shown_case(self, subject_id: str) -> None:
        if subject_id != self.subject_id or self.holding:
            return
        self._take_claim()
        if self.holding:
            self.refresh_view()
        else:
            self.notify("Another reviewer took that case; moving on.", timeout=3)
            self.advance()

    def _show_cursor(self, index: int) -> None:
        self.cursor = index
        self.refresh_view()

    def action_undo(self) -> None:
        results = undo_last(self)
        if not results:
            self.reload()  # a conflict may have changed what is shown
            return
        key = results[-1].key
        subject_id = key.rsplit(":", 1)[0]  # keys are SUBJECT_ID:CNT_ORDER
        if subject_id != self.subject_id:
            self.open_case(subject_id, -1, focus_key=key)  # undo takes you back there
        else:
            self.reload(focus_key=key)
