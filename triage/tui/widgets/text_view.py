"""A read-only view of `rich.text.Text` drawn with the Line API.

`Static` turns its text into Textual Content and asks for a screen layout on every
update; the case screen changes four panes per decision, which made the layout the
slowest part of moving to the next case. This view keeps the text as lines (wrapped here
when asked), draws only the visible ones, and repaints without a layout pass.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip


class TextView(ScrollView, can_focus=False, inherit_bindings=False):
    DEFAULT_CSS = """
    TextView { overflow-x: hidden; }
    """

    def __init__(self, *, wrap: bool = True, id: str | None = None) -> None:
        super().__init__(id=id)
        self._wrap = wrap
        self._text = Text()
        self._lines: list[Text] = []
        self._strips: dict[int, Strip] = {}
        self._laid_out_width = -1
        self._base: Style | None = None  # `rich_style` walks the DOM; once per style change

    @property
    def plain(self) -> str:
        """The text shown (for tests and accessibility tools)."""
        return self._text.plain

    def update(self, text: Text) -> None:
        self._text = text
        self._layout(repaint_all=False)

    def _layout(self, *, repaint_all: bool = True) -> None:
        width = self.scrollable_content_region.width
        self._laid_out_width = width
        lines: list[Text] = []
        for line in self._text.split("\n", allow_blank=True):
            if self._wrap and width > 0 and line.cell_len > width:
                lines.extend(line.wrap(self.app.console, width))
            else:
                lines.append(line)
        old, self._lines = self._lines, lines
        # Never shorter than the pane: a case with fewer lines than the last one then
        # keeps the same size, and only its changed lines are repainted.
        size = Size(width, max(len(lines), self.scrollable_content_region.height))
        if repaint_all or size != self.virtual_size:
            self._strips.clear()
            self.virtual_size = size
            self.refresh()
            return
        # Same size: repaint only the lines that changed (most of a pane often does not).
        top, height = self.scroll_offset.y, self.size.height
        blank = Text()
        for index in range(max(len(lines), len(old))):
            new_line = lines[index] if index < len(lines) else blank
            old_line = old[index] if index < len(old) else blank
            if new_line != old_line:
                self._strips.pop(index, None)
                if top <= index < top + height:
                    self.refresh(Region(0, index - top, self.size.width, 1))

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._base = None
        self._strips.clear()

    def on_resize(self, event: events.Resize) -> None:
        if self.scrollable_content_region.width != self._laid_out_width:
            self._layout()

    def show_line(self, y: int) -> None:
        """Scroll just enough to show line `y`."""
        self.scroll_to_region(Region(0, y, 1, 1), animate=False, force=True)

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        base = self._base
        if base is None:
            base = self._base = self.rich_style
        if index >= len(self._lines):
            return Strip.blank(width, base)
        strip = self._strips.get(index)
        if strip is None:
            line = self._lines[index]
            if line.cell_len > width:
                line = line.copy()
                line.truncate(width, overflow="ellipsis")
            strip = Strip(list(line.render(self.app.console))).crop_extend(0, width, base)
            self._strips[index] = strip
        return strip
