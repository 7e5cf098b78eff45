"""The queue list: a Line-API view that renders only the visible rows.

Rows come from `review.queue_page` a page at a time, fetched in a thread worker that posts
the page back as a message; the total comes from `review.queue_count`, also in a worker.
Nothing here ever holds the whole queue, so a million-row database opens as fast as a
small one. A generation number discards pages that arrive after the filter changed.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from triage.display import clean
from triage.review import CaseRow
from triage.tui import fmt

PAGE_SIZE = 100
MAX_PAGES = 40  # pages kept in memory (LRU): 4,000 rows at most


@dataclass(frozen=True)
class QueueSource:
    """Where rows come from; built by the queue screen for the current filter and sort."""

    page: Callable[[int, int], list[CaseRow]]  # (offset, limit) -> rows
    count: Callable[[], int]


class QueueView(ScrollView, can_focus=True, inherit_bindings=False):
    """Scrollable list of cases with a cursor row."""

    DEFAULT_CSS = """
    QueueView { height: 1fr; overflow-x: hidden; }
    """

    cursor: reactive[int] = reactive(0, always_update=True)

    class PageLoaded(Message):
        def __init__(self, generation: int, page: int, rows: list[CaseRow]) -> None:
            super().__init__()
            self.generation = generation
            self.page = page
            self.rows = rows

    class CountLoaded(Message):
        def __init__(self, generation: int, total: int) -> None:
            super().__init__()
            self.generation = generation
            self.total = total

    class LoadFailed(Message):
        """A count (page None) or a page could not be read; bubbles up to the screen."""

        def __init__(self, generation: int, error: str, page: int | None = None) -> None:
            super().__init__()
            self.generation = generation
            self.error = error
            self.page = page

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._source: QueueSource | None = None
        self._generation = 0
        self._pages: OrderedDict[int, list[CaseRow]] = OrderedDict()
        self._requested: set[int] = set()
        self._failed: set[int] = set()
        self.total: int | None = None  # from queue_count; None while counting
        self._known = 0  # rows known to exist from pages seen so far
        self._last_page: int | None = None  # index of a short (final) page, once seen
        self.marked: dict[str, CaseRow] = {}  # cases marked for a bulk decision

    # -- data ------------------------------------------------------------------------

    def set_source(self, source: QueueSource, *, keep_cursor: bool = False) -> None:
        """Show a new filter/sort (or reload the same one). Old pages are dropped."""
        self._source = source
        self._generation += 1
        self._pages.clear()
        self._requested.clear()
        self._failed.clear()
        self.total = None
        self._known = 0
        self._last_page = None
        if not keep_cursor:
            self.cursor = 0
            self.scroll_to(y=0, animate=False)
        self._update_size()
        gen = self._generation
        self.run_worker(
            lambda: self._count(source, gen),
            thread=True,
            group="queue-count",
            exclusive=True,
            exit_on_error=False,
        )
        self._request(self.cursor // PAGE_SIZE)
        self.refresh()

    def _count(self, source: QueueSource, generation: int) -> None:
        try:
            total = source.count()
        except Exception as exc:  # noqa: BLE001 - reported on screen, type only
            self.post_message(self.LoadFailed(generation, type(exc).__name__))
            return
        self.post_message(self.CountLoaded(generation, total))

    def _fetch(self, source: QueueSource, generation: int, page: int) -> None:
        try:
            rows = source.page(page * PAGE_SIZE, PAGE_SIZE)
        except Exception as exc:  # noqa: BLE001 - reported on screen, type only
            self.post_message(self.LoadFailed(generation, type(exc).__name__, page))
            return
        self.post_message(self.PageLoaded(generation, page, rows))

    def _request(self, page: int) -> None:
        source = self._source
        if source is None or page < 0 or page in self._pages or page in self._requested:
            return
        if page in self._failed:  # shown as failed until the next reload
            return
        if self._last_page is not None and page > self._last_page:
            return
        self._requested.add(page)
        gen = self._generation
        self.run_worker(
            lambda: self._fetch(source, gen, page),
            thread=True,
            group="queue-page",
            exit_on_error=False,
        )

    def on_queue_view_page_loaded(self, message: PageLoaded) -> None:
        message.stop()
        if message.generation != self._generation:
            return
        self._requested.discard(message.page)
        self._pages[message.page] = message.rows
        self._pages.move_to_end(message.page)
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)
        end = message.page * PAGE_SIZE + len(message.rows)
        if len(message.rows) < PAGE_SIZE:
            self._last_page = message.page
            if self.total is None:
                self.total = end
        self._known = max(self._known, end)
        self._update_size()
        if self.total is not None and self.cursor >= self.total > 0:
            self.cursor = self.total - 1
        self.refresh()

    def on_queue_view_load_failed(self, message: LoadFailed) -> None:
        if message.generation != self._generation:
            message.stop()
            return
        if message.page is None:
            self.total = self._known  # stop counting; show what is known
        else:
            self._requested.discard(message.page)
            self._failed.add(message.page)
        self._update_size()
        self.refresh()

    def on_queue_view_count_loaded(self, message: CountLoaded) -> None:
        # A current count bubbles on to the screen, whose header shows it.
        if message.generation != self._generation:
            message.stop()
            return
        self.total = message.total
        self._update_size()
        if self.cursor >= self.total:
            self.cursor = max(0, self.total - 1)
        self.refresh()

    def _update_size(self) -> None:
        rows = self.total if self.total is not None else self._known
        if self.total is None and self._last_page is None and self._known:
            rows += 1  # more may follow; the count is still on its way
        self.virtual_size = Size(self.scrollable_content_region.width, rows)

    def prefetch(self, page: int) -> None:
        """Read a page in the background if it is not in memory yet."""
        if self.total is None or 0 <= page * PAGE_SIZE < self.total:
            self._request(page)

    def put_page(self, page: int, rows: list[CaseRow]) -> None:
        """A page fetched synchronously elsewhere (moving to the next case)."""
        self.on_queue_view_page_loaded(self.PageLoaded(self._generation, page, rows))

    def row(self, index: int) -> CaseRow | None:
        """The row at `index` if its page is in memory (requesting it otherwise)."""
        page = index // PAGE_SIZE
        rows = self._pages.get(page)
        if rows is None:
            self._request(page)
            return None
        self._pages.move_to_end(page)
        offset = index % PAGE_SIZE
        return rows[offset] if offset < len(rows) else None

    def cached_rows_after(self, index: int) -> list[tuple[int, CaseRow]]:
        """Rows after `index` already in memory, in order (for moving to the next case)."""
        out: list[tuple[int, CaseRow]] = []
        for page in sorted(self._pages):
            for i, row in enumerate(self._pages[page]):
                absolute = page * PAGE_SIZE + i
                if absolute > index:
                    out.append((absolute, row))
        return out

    @property
    def rows_shown(self) -> int:
        return self.total if self.total is not None else self._known

    @property
    def busy(self) -> bool:
        return bool(self._requested) or self.total is None

    # -- cursor ----------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        self.scroll_to_region(Region(0, new, 1, 1), animate=False, force=True)
        self.refresh()

    def move(self, delta: int) -> None:
        last = max(0, self.rows_shown - 1)
        self.cursor = min(last, max(0, self.cursor + delta))

    def move_to(self, index: int) -> None:
        self.cursor = min(max(0, self.rows_shown - 1), max(0, index))

    def on_resize(self, event: events.Resize) -> None:
        self._update_size()

    # -- rendering -------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        base = self.rich_style
        if index >= self.rows_shown:
            if index == 0 and self.total == 0:
                return self._strip(Text("  No cases match this filter.", style="dim"), width, base)
            if index == 0 and self.rows_shown == 0:
                return self._strip(Text("  loading…", style="dim"), width, base)
            return Strip.blank(width, base)
        row = self.row(index)
        if row is not None:
            line = self.render_row(row, width)
        elif index // PAGE_SIZE in self._failed:
            line = Text("  could not read these rows (R reloads)", style="bold red")
        else:
            line = Text("  loading…", style="dim")
        if row is not None and row.subject_id in self.marked:
            line = Text("●", style="bold magenta") + line[1:]
        if index == self.cursor:
            line.stylize(Style(reverse=True, bold=True))
            line = Text("▶", style="bold reverse") + line[1:] if len(line) else line
        return self._strip(line, width, base)

    def _strip(self, line: Text, width: int, base: Style) -> Strip:
        line.no_wrap = True
        line.overflow = "ellipsis"
        segments = list(line.render(self.app.console))
        return Strip(segments).crop_extend(0, width, base)

    @staticmethod
    def _widths(width: int) -> dict[str, int]:
        """Column widths for a view `width` wide (0 = column not shown)."""
        wide = width >= 100
        return {
            "name": 32 if width >= 160 else 24 if wide else 20,
            "dob": 10,
            "cii": 11 if wide else 0,
            "county": 12 if wide else 0,
            "todo": 5,
            "label": 20 if width >= 160 else 16 if width >= 140 else 0,
            "flags": 40 if width >= 160 else 24 if wide else 21,
            "claim": 11 if width >= 140 else 0,
        }

    @classmethod
    def header(cls, width: int) -> Text:
        """The column titles, laid out exactly as `render_row` lays out a row."""
        w = cls._widths(width)
        out = Text(" ")
        out.append(_fit("Name", w["name"]) + " ")
        out.append(_fit("DOB", w["dob"]) + " ")
        if w["cii"]:
            out.append(_fit("CII", w["cii"]) + " ")
            out.append(_fit("County", w["county"]) + " ")
        out.append(_fit("To do", w["todo"]) + " ")
        if w["label"]:
            out.append(_fit("Pack label", w["label"]) + " ")
        tail = _fit("Flags", w["flags"]) + (_fit("Claimed", w["claim"]) if w["claim"] else "")
        rest = max(8, width - out.cell_len - cell_len(tail) - 1)
        out.append(_fit("Reason", rest) + " " + tail)
        out.stylize("bold")
        return out

    def render_row(self, row: CaseRow, width: int) -> Text:
        """One case as a line. Record text enters only through `clean()`. Flags are shown
        by their full names (as the case screen and `triage queue` name them)."""
        w = self._widths(width)
        out = Text(" ")
        out.append(_fit(clean(row.name), w["name"]) + " ", style="bold")
        out.append(fmt.show_date(row.dob) + " ")
        if w["cii"]:
            out.append(_fit(clean(row.cii), w["cii"]) + " ", style="dim")
            out.append(_fit(clean(row.county), w["county"]) + " ")
        pending_style = "bold yellow" if row.pending else "green"
        mark = f"{row.pending}/{row.convictions}" if row.pending else f"✓ {row.convictions}"
        out.append(_fit(mark, w["todo"]) + " ", style=pending_style)
        if w["label"]:
            out.append(_fit(clean(row.label), w["label"]) + " ")
        tail = Text()
        flags = [clean(f) for f in dict.fromkeys(row.flags)]
        shown = ""
        if flags:
            shown = "⚑" + (", ".join(flags) if w["flags"] >= 40 else flags[0])
            if w["flags"] < 40 and len(flags) > 1:
                shown += f" +{len(flags) - 1}"
        who = "⟂" + clean(row.claimed_by) if row.claimed_by else ""
        if w["claim"]:
            tail.append(_fit(shown, w["flags"]), style="magenta")
            tail.append(_fit(who, w["claim"]), style="italic")
        else:  # narrow: the claim shares the flags column, after the flags
            room = max(0, w["flags"] - cell_len(who) - (1 if who and shown else 0))
            tail.append(_fit(shown, room) if who else _fit(shown, w["flags"]), style="magenta")
            if who:
                tail.append((" " if shown else "") + who, style="italic")
        rest = max(8, width - out.cell_len - tail.cell_len - 1)
        out.append(_fit(clean(row.reason), rest) + " ")
        out.append_text(tail)
        return out


def _fit(value: str, width: int) -> str:
    """Pad or cut to exactly `width` terminal cells (wide characters count double)."""
    if cell_len(value) <= width:
        return set_cell_size(value, width)
    return set_cell_size(value, max(0, width - 1)) + "…"
