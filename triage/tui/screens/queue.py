"""The queue screen: counts, filter line, the paged case list, search."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input, Static

from triage import db, review
from triage.review import SORT_KEYS, CaseRow, QueueFilter
from triage.tui import fmt
from triage.tui.scopes import Scoped
from triage.tui.screens.bulk import bulk_decide, undo_last
from triage.tui.screens.case import CaseScreen
from triage.tui.screens.filter import FilterScreen, describe
from triage.tui.widgets.keybar import KeyBar, MessageLine
from triage.tui.widgets.queue_view import PAGE_SIZE, QueueSource, QueueView
from triage.tui.widgets.status import StatusBar

if TYPE_CHECKING:
    from triage.tui.app import ReviewApp

_SORT_NAMES = {
    "name": "name",
    "subject_id": "SUBJECT_ID",
    "conviction_date": "conviction date",
    "reason": "reason",
    "county": "county",
    "pending": "undecided count",
}


class QueueScreen(Scoped, Screen[None], scope="queue", title="Queue"):
    BINDINGS = [
        Binding("enter", "open", "Open case", id="queue.open"),
        Binding("slash", "search", "Search", id="queue.search"),
        Binding("f", "filter", "Filter", id="queue.filter"),
        Binding("s", "sort", "Sort", id="queue.sort"),
        Binding("S", "reverse", "Reverse sort", id="queue.reverse", show=False),
        Binding("space", "mark", "Mark case", id="queue.mark"),
        Binding("b", "bulk", "Bulk decide marked", id="queue.bulk"),
        Binding("u", "undo", "Undo", id="queue.undo"),
        Binding("U", "undecided", "Undecided only", id="queue.undecided"),
        Binding("equals_sign", "same_reason", "Same reason", id="queue.same_reason", show=False),
        Binding("x", "clear", "Clear filter", id="queue.clear", show=False),
        Binding("c", "claim_next", "Take next unclaimed", id="queue.claim_next", show=False),
        Binding("R", "reload", "Reload", id="queue.reload", show=False),
        Binding("j,down", "move(1)", "Down", id="queue.down", show=False),
        Binding("k,up", "move(-1)", "Up", id="queue.up", show=False),
        Binding("pagedown", "page(1)", "Page down", id="queue.page_down", show=False),
        Binding("pageup", "page(-1)", "Page up", id="queue.page_up", show=False),
        Binding("home,g", "jump(0)", "First case", id="queue.first", show=False),
        Binding("end,G", "jump(-1)", "Last case", id="queue.last", show=False),
        Binding("q", "quit", "Quit", id="queue.quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.sort = "name"
        self.descending = False
        self.last_subject: str | None = None

    @property
    def triage(self) -> ReviewApp:
        return cast("ReviewApp", self.app)

    def compose(self) -> ComposeResult:
        yield StatusBar("queue", id="status")
        yield Static("", markup=False, id="counts")
        yield Static("", markup=False, id="filters")
        yield Static("", markup=False, id="columns")
        yield QueueView(id="queue")
        yield Input(
            placeholder="search name, CII, SUBJECT_ID or court number; enter applies, "
            "escape cancels",
            id="search",
        )
        yield MessageLine()
        yield KeyBar()

    def on_mount(self) -> None:
        saved = self.triage.saved
        self.sort, self.descending = saved.sort, saved.descending
        self._hide_search()
        self.reload()
        if saved.last_subject:
            self.call_after_refresh(self._resume, saved.last_subject)

    def _resume(self, subject_id: str) -> None:
        """Open the case the reviewer was on, if it still has work for them."""
        app = self.triage
        try:
            case = review.load_case(app.conn, subject_id, app.run_id)
        except fmt.SERVICE_ERRORS:
            return
        wanted = app.queue_filter.outcome
        if not any(
            c.outcome is not None and c.decision is None and wanted in (None, c.outcome)
            for c in case.convictions
        ):
            return
        self._open(subject_id, -1)
        key = app.key_for("case.back")
        self.app.notify(f"Back where you left off; {key} for the queue.", timeout=4)

    def visiting(self, subject_id: str) -> None:
        self.last_subject = subject_id
        self.remember()

    def remember(self) -> None:
        self.triage.save_place(
            sort=self.sort, descending=self.descending, last_subject=self.last_subject
        )

    def on_resize(self) -> None:
        self.call_after_refresh(self._show_columns)

    def _show_columns(self) -> None:
        width = self.query_one(QueueView).scrollable_content_region.width or self.size.width
        self.query_one("#columns", Static).update(QueueView.header(width))

    # -- data ------------------------------------------------------------------------

    def source(self) -> QueueSource:
        app, flt, sort, desc = self.triage, self.triage.queue_filter, self.sort, self.descending

        def page(offset: int, limit: int) -> list[CaseRow]:
            with app.readers.connection() as conn:
                return review.queue_page(
                    conn, app.run_id, flt, sort=sort, descending=desc, offset=offset, limit=limit
                )

        def count() -> int:
            with app.readers.connection() as conn:
                return review.queue_count(conn, app.run_id, flt)

        return QueueSource(page=page, count=count)

    def reload(self, *, keep_cursor: bool = False) -> None:
        self.query_one(QueueView).set_source(self.source(), keep_cursor=keep_cursor)
        self.show_filters()
        self._show_columns()
        self.remember()
        self.on_progress()
        self.triage.refresh_progress()

    def show_filters(self) -> None:
        line = describe(self.triage.queue_filter)
        line.append(
            f"sort: {_SORT_NAMES.get(self.sort, self.sort)} {'↓' if self.descending else '↑'}",
            style="dim",
        )
        self.query_one("#filters", Static).update(line)

    def on_progress(self) -> None:
        """Counts line; called by the app whenever progress or the queue total changes."""
        view = self.query_one(QueueView)
        p = self.triage.progress
        out = Text()
        short = self.size.width < 100
        total = "counting…" if view.total is None else f"{view.total:,}"
        out.append(f"{total} {'shown' if short else 'cases shown'}", style="bold")
        if view.marked:
            out.append(f" · {len(view.marked)} marked", style="bold magenta")
        if p is not None:
            labels = ("today", "mine") if short else ("decided today", "by me")
            out.append(
                f" · {p.remaining:,} pending · {p.decided_today:,} {labels[0]}"
                f" · {p.by_me:,} {labels[1]} · {p.total:,} total"
            )
        self.query_one("#counts", Static).update(out)

    def on_queue_view_count_loaded(self) -> None:
        self.on_progress()

    def on_queue_view_load_failed(self, message: QueueView.LoadFailed) -> None:
        self.notify(f"Could not read the queue ({message.error}).", severity="error")

    # -- the navigator the case screen uses ------------------------------------------

    def queue_size(self) -> int | None:
        return self.query_one(QueueView).total

    def neighbour(self, index: int, step: int, *, pending_only: bool) -> tuple[int, str] | None:
        view, app = self.query_one(QueueView), self.triage
        now = db.now()
        i = index + step
        while i >= 0 and (view.total is None or i < view.total):
            row = view.row(i)
            if row is None:
                page = i // PAGE_SIZE
                try:
                    rows = review.queue_page(
                        app.conn,
                        app.run_id,
                        app.queue_filter,
                        sort=self.sort,
                        descending=self.descending,
                        offset=page * PAGE_SIZE,
                        limit=PAGE_SIZE,
                    )
                except fmt.SERVICE_ERRORS as exc:
                    self.notify(fmt.problem(exc), severity="error")
                    return None
                view.put_page(page, rows)
                row = rows[i % PAGE_SIZE] if i % PAGE_SIZE < len(rows) else None
                if row is None:
                    return None
            held = row.claimed_by not in (None, app.reviewer) and (row.claim_expires or "") > now
            if not pending_only or (row.pending > 0 and not held):
                view.prefetch(i // PAGE_SIZE + step)  # so the next move never waits on a read
                return i, row.subject_id
            i += step
        return None

    # -- actions ---------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        self.query_one(QueueView).move(step)

    def action_page(self, step: int) -> None:
        view = self.query_one(QueueView)
        view.move(step * max(1, view.size.height - 1))

    def action_jump(self, where: int) -> None:
        view = self.query_one(QueueView)
        view.move_to(0 if where == 0 else view.rows_shown - 1)

    def action_open(self) -> None:
        view = self.query_one(QueueView)
        row = view.row(view.cursor)
        if row is None:
            return
        self._open(row.subject_id, view.cursor)

    def _open(self, subject_id: str, index: int) -> None:
        screen = CaseScreen(subject_id, index, self)

        def back(_: None) -> None:
            self.last_subject = screen.subject_id
            if screen.index >= 0:  # unknown after an undo that jumped to another case
                self.query_one(QueueView).cursor = screen.index
            self.reload(keep_cursor=True)

        self.app.push_screen(screen, back)

    def action_mark(self) -> None:
        view = self.query_one(QueueView)
        row = view.row(view.cursor)
        if row is None:
            return
        if view.marked.pop(row.subject_id, None) is None:
            view.marked[row.subject_id] = row
        view.move(1)
        view.refresh()
        self.on_progress()

    def action_bulk(self) -> None:
        view = self.query_one(QueueView)
        if not view.marked:
            self.notify(f"Mark cases with {self.triage.key_for('queue.mark')} first.", timeout=3)
            return
        bulk_decide(self, list(view.marked), on_done=self._bulk_done)

    def _bulk_done(self) -> None:
        self.query_one(QueueView).marked.clear()
        self.reload(keep_cursor=True)

    def action_undo(self) -> None:
        if undo_last(self):
            self.reload(keep_cursor=True)

    def action_claim_next(self) -> None:
        app = self.triage
        try:
            subject_id = review.claim_next(app.conn, app.run_id, app.reviewer, app.queue_filter)
        except fmt.SERVICE_ERRORS as exc:
            self.notify(fmt.problem(exc), severity="error")
            return
        if subject_id is None:
            self.notify("No unclaimed case with work left in this queue.")
            return
        self._open(subject_id, self.query_one(QueueView).cursor)

    def action_search(self) -> None:
        box = self.query_one("#search", Input)
        box.value = self.triage.queue_filter.search or ""
        box.disabled = False
        box.display = True
        box.focus()

    def _hide_search(self) -> None:
        # Disabled as well as hidden, so focus can never land in it behind the user's back.
        box = self.query_one("#search", Input)
        box.display = False
        box.disabled = True
        self.query_one(QueueView).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._hide_search()
        self._set_filter(search=event.value.strip() or None)

    def on_key(self, event: events.Key) -> None:
        box = self.query_one("#search", Input)
        if event.key == "escape" and box.has_focus:
            self._hide_search()
            event.stop()

    def _set_filter(self, **changes: object) -> None:
        self.triage.queue_filter = dataclasses.replace(self.triage.queue_filter, **changes)  # type: ignore[arg-type]
        self.reload()

    def action_filter(self) -> None:
        def chosen(flt: QueueFilter | None) -> None:
            self.query_one(QueueView).focus()
            if flt is not None:
                self.triage.queue_filter = flt
                self.reload()

        self.app.push_screen(FilterScreen(self.triage.queue_filter), chosen)

    def action_undecided(self) -> None:
        self._set_filter(decided=None if self.triage.queue_filter.decided is False else False)

    def action_same_reason(self) -> None:
        view = self.query_one(QueueView)
        row = view.row(view.cursor)
        if row is not None:
            self._set_filter(reason=row.reason)

    def action_clear(self) -> None:
        self.triage.queue_filter = QueueFilter()
        self.reload()

    def action_sort(self) -> None:
        self.sort = SORT_KEYS[(SORT_KEYS.index(self.sort) + 1) % len(SORT_KEYS)]
        self.reload()

    def action_reverse(self) -> None:
        self.descending = not self.descending
        self.reload()

    def action_reload(self) -> None:
        self.reload(keep_cursor=True)

    def action_quit(self) -> None:
        self.app.exit(0)
