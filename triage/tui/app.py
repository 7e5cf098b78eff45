"""The review app: wiring, identity, keymap, session progress, and crash hygiene."""

from __future__ import annotations

import gc
import importlib
import os
import pkgutil
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import cast

from rich.console import RenderableType
from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.app import App
from textual.binding import Binding
from textual.color import Color
from textual.filter import LineFilter, Monochrome, NoColor
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen
from textual.widgets import Input, TextArea

from triage import db, review
from triage.display import clean
from triage.errors import TriageError
from triage.review import Progress, QueueFilter, Run
from triage.tui import fmt, scopes
from triage.tui import keymap as keymaps
from triage.tui.commands import TriageCommands
from triage.tui.pool import ReaderPool
from triage.tui.screens.help import HelpScreen
from triage.tui.screens.queue import QueueScreen
from triage.tui.screens.stats import StatsScreen
from triage.tui.widgets.keybar import MessageLine

PROGRESS_SECONDS = 60


def _load_screens() -> None:
    """Import every screen module, so each screen class registers its scope and keys
    (`triage.tui.scopes`) even if only another screen imports it, and late."""
    from triage.tui import screens

    for info in pkgutil.iter_modules(screens.__path__, screens.__name__ + "."):
        importlib.import_module(info.name)


_load_screens()


class _NoColour(LineFilter):
    """NO_COLOR: drop every foreground and background colour, keep bold, italic, reverse
    and underline (states never rely on colour alone). Textual's own NO_COLOR filter maps
    colours to greys, which still writes colour codes."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [Segment(t, None if s is None else s.without_color, c) for t, s, c in segments]


EXIT_CRASH = 70


class ReviewApp(App[int]):
    CSS_PATH = Path(__file__).with_name("triage.tcss")  # absolute: subclasses live elsewhere
    TITLE = "triage"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {TriageCommands}
    HORIZONTAL_BREAKPOINTS = [
        (0, "-narrow"),
        (120, "-wide"),
    ]
    BINDINGS = [
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("t", "stats", "Stats", id="app.stats"),
    ]

    def __init__(
        self,
        db_path: Path,
        reviewer: str,
        *,
        queue_filter: QueueFilter | None = None,
        keymap: dict[str, str] | None = None,
        keymap_path: Path | None = None,
        conn: sqlite3.Connection | None = None,
    ) -> None:
        super().__init__()
        self._no_colour = _NoColour()
        self.db_path = Path(db_path)
        self.db_name = self.db_path.name
        self.reviewer = reviewer
        self.conn = conn if conn is not None else db.connect(self.db_path)
        # Where this reviewer left off; a filter given on the command line wins.
        self.saved = review.load_state(self.conn, reviewer)
        self.queue_filter = queue_filter or self.saved.queue_filter
        self.keymap_path = keymap_path or keymaps.default_path()
        run = review.current_run(self.conn)
        if run is None:
            raise TriageError(f"{self.db_path}: nothing classified yet (run `triage classify`)")
        self.run_info: Run = run
        self.run_id = run.id
        self.run_label = f"{run.pack_id} v{run.pack_version} · at {run.compute_at}"
        self.readers = ReaderPool(self.db_path)
        self.session_start = db.now()
        self.session_decided = 0
        self.progress: Progress | None = None
        self.drafts: dict[tuple[str, str | None], str] = {}
        self.known_bindings = self.collect_bindings()
        # The user's remapping (binding id -> keys), kept here so the key bar, help and
        # messages show the keys actually in force (Textual keeps its copy private).
        self.user_keymap = {bid: keymaps.normalize(k) for bid, k in (keymap or {}).items()}

    def get_line_filters(self) -> Sequence[LineFilter]:
        filters = super().get_line_filters()
        if not self.no_color:
            return filters
        kept = [f for f in filters if not isinstance(f, Monochrome | NoColor)]
        return [*kept, self._no_colour]

    @classmethod
    def collect_bindings(cls) -> dict[str, Binding]:
        # Every screen class registers itself (`triage.tui.scopes`, `_load_screens`).
        sources = [cls.BINDINGS] + [getattr(s, "BINDINGS", []) for s in scopes.screens()]
        return keymaps.bindings_by_id(sources)

    def on_mount(self) -> None:
        if self.user_keymap:
            self.set_keymap(self.user_keymap)
        self.push_screen(QueueScreen())
        self.set_interval(PROGRESS_SECONDS, self.refresh_progress)
        # Textual and the loaded modules are long-lived: keep them out of the garbage
        # collector's full passes, which otherwise land as pauses between keystrokes.
        self.call_after_refresh(gc.freeze)

    def on_unmount(self) -> None:
        self.readers.close()

    # -- keys ------------------------------------------------------------------------

    def keys_for(self, binding_id: str) -> str:
        """All keys of a binding as the user sees them (after remapping)."""
        binding = self.known_bindings[binding_id]
        keys = self.user_keymap.get(binding_id, binding.key)
        return " / ".join(
            self.get_key_display(Binding(k.strip(), binding.action)) for k in keys.split(",")
        )

    def key_for(self, binding_id: str) -> str:
        return self.keys_for(binding_id).split(" / ")[0]

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """One message line per screen instead of piling toasts. A modal with a line of
        its own (grounds, bulk) shows it there; any other modal covers the line of the
        screen beneath, so its messages are a toast above it. Messages never parse markup
        and pass the display sanitizer: they can carry remapped keys (`[`) or database
        values (keys, names)."""
        for screen in reversed(self.screen_stack):
            lines = screen.query(MessageLine)
            if lines:
                lines.first().show(message, severity, timeout if timeout is not None else 5)
                return
            if isinstance(screen, ModalScreen):
                break
        super().notify(
            clean(message), title=clean(title), severity=severity, timeout=timeout, markup=False
        )

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            self._key_feedback(event)
        await super().on_event(event)

    def _key_feedback(self, event: events.Key) -> None:
        """A key clears an error; a printable key nothing on the screen is bound to says so
        (unless it is typed into a text box)."""
        bars = self.screen.query(MessageLine)
        for bar in bars:
            bar.key_pressed()
        # Only on the full screens: in modals, lists and forms take letters themselves.
        if (
            not bars
            or isinstance(self.screen, ModalScreen)
            or isinstance(self.focused, Input | TextArea)
            or not event.is_printable
        ):
            return
        bound = {keymaps.key_name(k) for k in self.active_bindings}
        if event.key not in bound and keymaps.key_name(event.character or "") not in bound:
            help_key = self.key_for("app.help")
            shown = event.key if "+" in event.key else event.character  # alt+x, not x
            self.notify(f"{shown}: no such key here; {help_key} for keys", timeout=3)

    def save_place(self, *, sort: str, descending: bool, last_subject: str | None) -> None:
        """Remember the filter, sort and case for next time (convenience: a failure to
        save is shown, never in the way)."""
        state = review.ReviewerState(self.queue_filter, sort, descending, last_subject)
        if state == self.saved:
            return
        try:
            review.save_state(self.conn, self.reviewer, state)
        except fmt.SERVICE_ERRORS:
            return  # the next save tries again; nothing of the record depends on it
        self.saved = state

    # -- progress --------------------------------------------------------------------

    def decided(self, count: int) -> None:
        self.session_decided = max(0, self.session_decided + count)
        self.refresh_progress()

    def refresh_progress(self) -> None:
        self.run_worker(
            self._load_progress, thread=True, group="progress", exclusive=True, exit_on_error=False
        )

    def _load_progress(self) -> None:
        with self.readers.connection() as conn:
            progress = review.progress(conn, self.run_id, self.reviewer, self.session_start)
        self.call_from_thread(self._show_progress, progress)

    def _show_progress(self, progress: Progress) -> None:
        self.progress = progress
        for screen in self.screen_stack:
            for bar in screen.query("StatusBar"):
                bar.update_status()  # type: ignore[attr-defined]
            hook = getattr(screen, "on_progress", None)
            if callable(hook):
                hook()

    def progress_text(self) -> str:
        p = self.progress
        if p is None:
            return f"session {self.session_decided}"
        return f"session {p.decided_this_session} · {p.per_hour:.0f}/h · {p.remaining:,} left"

    # -- screens ---------------------------------------------------------------------

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
        else:
            self.push_screen(HelpScreen())

    def action_stats(self) -> None:
        if isinstance(self.screen, StatsScreen):
            self.screen.dismiss(None)
        else:
            self.push_screen(StatsScreen())

    def run_in_scope(self, scope: str, action: str, _steps: int = 0) -> None:
        """Run a screen's action from anywhere (the command palette), going to the screen
        that owns it first, one step per refresh: back down the stack to it, or on to it
        (a case action from the queue opens the case under the cursor)."""
        here = self.screen
        if scope == "app" or getattr(here, "SCOPE", "") == scope:
            self.call_later((self if scope == "app" else here).run_action, action)
            return
        below = [getattr(s, "SCOPE", "") for s in self.screen_stack[:-1]]
        if _steps > 4:
            self.notify(f"Could not reach the {scope} screen from here.", severity="warning")
            return
        if scope in below or (scope == "case" and not isinstance(here, QueueScreen)):
            here.dismiss(None)
        elif scope == "case":
            cast(QueueScreen, here).action_open()
        elif scope == "stats":
            self.action_stats()
        elif scope == "whatif" and isinstance(here, StatsScreen):
            here.action_whatif()
        elif scope == "whatif":
            self.action_stats()
        else:
            self.notify(f"Not from here: go to the {scope} screen first.", severity="warning")
            return
        self.call_after_refresh(self.run_in_scope, scope, action, _steps + 1)

    # -- crashes ---------------------------------------------------------------------

    def _handle_exception(self, error: Exception) -> None:
        """Textual's default prints a traceback with local variables (or the exception's
        own rendering), which would put record data on the terminal. Print the exception
        type only and exit non-zero; TRIAGE_DEBUG=1 adds a traceback without locals.

        Private API, kept to this method: Textual 8.2 has no public hook for an unhandled
        exception, and `run_test` re-raises only what `_exception` holds (pinned in
        pyproject's textual range)."""
        if self._exception is None:
            self._exception = error  # re-raised by run_test, so tests see real errors
            self._exception_event.set()
        self.bell()
        shown: list[RenderableType] = []
        if os.environ.get("TRIAGE_DEBUG") == "1":
            from rich.traceback import Traceback

            shown.append(
                Traceback.from_exception(type(error), error, error.__traceback__, show_locals=False)
            )
        shown.append(
            Text(
                f"triage: the review app stopped on an internal error ({type(error).__name__}). "
                "Every decision and note already shown as saved is in the database. "
                "Set TRIAGE_DEBUG=1 to see a traceback."
            )
        )
        self.exit(return_code=EXIT_CRASH)  # sets the code; the exit itself is panic's
        self.panic(*shown)  # prints them after the terminal is restored, then stops
