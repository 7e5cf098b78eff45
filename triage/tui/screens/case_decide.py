"""Deciding and noting on the case screen: targets (the focused conviction or the marked
ones), accept, the decision keys (a repeated decision writes nothing; flagged marks need a
second press; not_eligible asks for grounds), and notes. A mixin so the screen module stays
about loading and moving."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text

from triage import review
from triage.display import line
from triage.errors import ConflictError
from triage.review import CaseView, ConvictionItem
from triage.tui import fmt
from triage.tui.screens.claims import ClaimMixin
from triage.tui.screens.grounds import GroundsChoice, GroundsScreen
from triage.tui.screens.modals import ConflictScreen, NoteScreen
from triage.tui.widgets import case_text

if TYPE_CHECKING:
    from triage.tui.app import ReviewApp


class DecideMixin(ClaimMixin):
    """Needs from the screen: the loaded case, the cursor's conviction, the marks, and
    `reload`/`advance` to show what was written."""

    case: CaseView | None
    subject_id: str
    marked: set[str]
    _confirm_flagged: str | None

    @property
    def triage(self) -> ReviewApp:
        raise NotImplementedError

    @property
    def focused_conviction(self) -> ConvictionItem | None:
        raise NotImplementedError

    def reload(
        self, *, focus_key: str | None = None, first_pending: bool = False, render: bool = True
    ) -> None:
        raise NotImplementedError

    def advance(self, just_decided: set[str] | None = None) -> None:
        raise NotImplementedError

    def _targets(self) -> list[ConvictionItem]:
        if self.case is None:
            return []
        if self.marked:
            return [c for c in self.case.convictions if c.key in self.marked]
        c = self.focused_conviction
        return [c] if c is not None else []

    def action_accept(self) -> None:
        targets = self._targets()
        suggestions = {case_text.suggestion(c) for c in targets}
        if not targets or None in suggestions:
            self.notify("No suggestion to accept here: choose a decision key.", timeout=3)
            return
        if len(suggestions) > 1:
            self.notify(
                "The marked convictions have different suggestions; decide them "
                "one at a time or with a decision key.",
                severity="warning",
            )
            return
        self.action_decide(suggestions.pop() or "")

    def action_decide(self, decision: str) -> None:
        targets = self._targets()
        if not targets:
            return
        if not all(case_text.decidable(c) for c in targets):
            self.notify(
                "This conviction was not classified by the pack; nothing to decide.", timeout=3
            )
            return
        todo = [c for c in targets if c.decision != decision]
        if not todo:  # the same key again: nothing to write (the service agrees)
            self.notify(f"Already {fmt.outcome(decision)}: nothing written.", timeout=3)
            return
        flagged = [c for c in todo if c.flags]
        if self.marked and flagged and self._confirm_flagged != decision:
            # Marked in bulk: flagged ones need a second press, so none slips through.
            self._confirm_flagged = decision
            key = self.triage.key_for(f"case.{decision}")
            self.notify(
                f"{len(flagged)} of {len(todo)} marked convictions are flagged: "
                f"press {key} again to {fmt.outcome(decision)} them all",
                severity="warning",
            )
            return
        self._confirm_flagged = None
        if decision == "not_eligible":
            self._ask_grounds(todo)
            return
        self._record(todo, decision, None)

    def _ask_grounds(self, todo: list[ConvictionItem]) -> None:
        """A challenge carries its grounds: pick them first; escape writes nothing. Where
        the pack says not_eligible itself, its step's grounds come preselected."""
        many = len(todo) > 1 or bool(self.marked)
        what = f"{len(todo)} convictions" if many else todo[0].key
        title = line(("Not eligible: ", "bold"), (what, "bold"), " · pick the grounds")
        preselect, reason = _pack_grounds(todo)

        def picked(choice: GroundsChoice | None) -> None:
            if choice is None:
                self.notify("Cancelled: nothing written.", timeout=2)
                return
            self._record(todo, "not_eligible", choice)

        hint = f"note (required for 'other'; kept on each of the {len(todo)})" if many else None
        screen = GroundsScreen(title, preselect=preselect, reason=reason, note_hint=hint)
        self.app.push_screen(screen, picked)

    def _record(
        self, targets: list[ConvictionItem], decision: str, choice: GroundsChoice | None
    ) -> None:
        app = self.triage
        grounds_text = choice.grounds_text if choice else None
        try:
            if len(targets) == 1 and not self.marked:
                focus = targets[0]
                review.decide(
                    app.conn,
                    focus.key,
                    decision,
                    app.reviewer,
                    expected_version=focus.decision_version,
                    run_id=app.run_id,
                    grounds_text=grounds_text,
                    note=choice.note if choice else None,
                )
            else:  # the note (with grounds) is kept on each conviction and linked
                review.decide_many(
                    app.conn,
                    [(c.key, c.decision_version) for c in targets],
                    decision,
                    app.reviewer,
                    run_id=app.run_id,
                    grounds_text=grounds_text,
                    note=choice.note if choice else None,
                )
        except ConflictError as exc:
            self._conflict(exc, decision)
            return
        except fmt.SERVICE_ERRORS as exc:
            self.notify(fmt.problem(exc), severity="error")
            return
        self.marked.clear()
        what = fmt.outcome(decision)
        subject = "1 conviction" if len(targets) == 1 else f"{len(targets)} convictions"
        message = f"{what}: {subject} · {app.key_for('case.undo')} to undo"
        self.advance(just_decided={c.key for c in targets})
        # After the next case is on screen: the message and the progress figures.
        self.after_paint(partial(app.notify, message, timeout=3))
        self.after_paint(partial(app.decided, len(targets)))

    def _conflict(self, exc: ConflictError, attempted: str) -> None:
        self.marked.clear()
        self.reload(focus_key=exc.key)
        self.app.push_screen(ConflictScreen(exc, fmt.outcome(attempted)))

    # -- notes -----------------------------------------------------------------------

    def action_note(self) -> None:
        case, c = self.case, self.focused_conviction
        if case is None:
            return
        target = c.key if c is not None else None
        title = line(
            ("Note on ", "bold"),
            (case.name or case.subject_id, "bold"),
            " · ",
            (target or "the person", ""),
        )
        draft_key = (self.subject_id, target)
        app = self.triage

        def saved(result: str | None) -> None:
            if result is None:
                return  # cancelled: the draft was kept by the modal
            if not result.strip():
                app.drafts.pop(draft_key, None)
                self.notify("Empty note not saved.", timeout=2)
                return
            try:
                review.add_note(app.conn, self.subject_id, result, app.reviewer, key=target)
            except fmt.SERVICE_ERRORS as exc:
                app.drafts[draft_key] = result
                self.notify(fmt.problem(exc) + " (draft kept)", severity="error")
                return
            app.drafts.pop(draft_key, None)
            self.notify("Note saved.", timeout=2)
            self.reload()

        app.push_screen(NoteScreen(title, draft_key), saved)


def _pack_grounds(todo: list[ConvictionItem]) -> tuple[tuple[str, ...], Text | None]:
    """The grounds to preselect and the pack's reason to show, where the pack says (or
    suggests) not_eligible for every one of `todo`: the grounds their steps share (a
    ground is never put on a conviction whose step does not cite it)."""
    implied = [review.implied_grounds(c) for c in todo]
    known = [i for i in implied if i is not None]
    if not known or len(known) < len(implied):
        return (), None
    common = [g for g in known[0].ids if all(g in i.ids for i in known)]
    first = known[0]
    if len({(i.step_id, i.reason) for i in known}) > 1:
        reason = line(
            ("The pack says not eligible ", "bold"),
            f"for all {len(known)}, on different steps; preselected: the grounds they share.",
        )
        return tuple(common), reason
    where = f"step {first.step_id}" + (f", {first.citation}" if first.citation else "")
    reason = line(
        ("The pack says not eligible", "bold"), " (", (where, ""), "): ", (first.reason, "")
    )
    if not first.ids:
        reason.append(" · no ground matches its citation: pick one", style="bold")
    return tuple(common), reason
