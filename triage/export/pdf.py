"""Printable PDFs for exports: headed pages, wrapped tables and bar charts (fpdf2).

Record text is untrusted. It goes through `display.clean` (no control characters, no bidi
overrides) and then must be something the font can draw: with DejaVu Sans (embedded when
the system has it) most scripts print as written; with the built-in Helvetica, text is
reduced to Latin-1; anything the font cannot draw becomes `?`. Either way a name or a comment can never
break the document. fpdf2's markdown and markup are never turned on.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from triage.display import clean

_FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/Library/Fonts"),
)
FONT = "triage-sans"
MAX_CELL_LINES = 30  # a taller row would not fit on one page


def _unicode_font() -> tuple[Path, Path] | None:
    for folder in _FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            return regular, bold
    return None


class Document(FPDF):
    """A landscape or portrait report page with a title line and numbered footer."""

    def __init__(
        self, title: str, subtitle: str, *, landscape: bool = False, unicode_font: bool = True
    ) -> None:
        super().__init__(orientation="L" if landscape else "P", unit="mm", format="Letter")
        self._char_widths: dict[tuple[str, str, float], dict[str, float]] = {}
        self.report_title = title
        self.report_subtitle = subtitle
        found = _unicode_font() if unicode_font else None
        self.unicode = found is not None
        if found is not None:
            self.add_font(FONT, "", str(found[0]))
            self.add_font(FONT, "B", str(found[1]))
            self.family = FONT
        else:
            self.family = "helvetica"
        self.set_auto_page_break(auto=True, margin=15)
        self.set_creator("triage")
        self.set_title(self.safe(title))
        self.alias_nb_pages()
        self.add_page()

    def safe(self, value: object) -> str:
        """Record text as this document's font can draw it."""
        text = clean(value)
        if self.unicode:
            # Characters the font has no glyph for become "?", so fpdf2 never warns (its
            # warning would quote the record text into the log).
            cmap = getattr(self.fonts[FONT], "cmap", {})
            return "".join(ch if ord(ch) in cmap or ch in "\n\t" else "?" for ch in text)
        folded = unicodedata.normalize("NFKC", text)
        return folded.encode("latin-1", errors="replace").decode("latin-1")

    def header(self) -> None:
        self.set_font(self.family, "B", 12)
        self.cell(0, 7, self.safe(self.report_title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(self.family, "", 8)
        self.cell(0, 5, self.safe(self.report_subtitle), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.family, "", 8)
        self.cell(0, 6, f"Page {self.page_no()} of {{nb}}", align="C")

    def heading(self, text: str) -> None:
        self.ln(2)
        self.set_font(self.family, "B", 11)
        self.multi_cell(0, 6, self.safe(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(self.family, "", 9)

    def paragraph(self, text: str) -> None:
        self.set_font(self.family, "", 9)
        self.multi_cell(0, 5, self.safe(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def text_width(self, text: str) -> float:
        """Width of `text` in the current font, from cached character widths (fpdf2's own
        line breaker is too slow for exhibits of tens of thousands of rows)."""
        cache = self._char_widths.setdefault(
            (self.font_family, self.font_style, self.font_size_pt), {}
        )
        total = 0.0
        for ch in text:
            width = cache.get(ch)
            if width is None:
                width = cache[ch] = self.get_string_width(ch)
            total += width
        return total

    def wrap(self, text: str, width: float, max_lines: int = MAX_CELL_LINES) -> list[str]:
        """Greedy word wrap to `width`; words longer than a line are cut. A cell longer than
        `max_lines` ends with a marker (the CSV beside the PDF has the full text)."""
        lines: list[str] = []
        space = self.text_width(" ")
        for paragraph in text.split("\n"):
            current, current_w = "", 0.0
            for word in paragraph.split(" "):
                word_w = self.text_width(word)
                if current and current_w + space + word_w <= width:
                    current, current_w = f"{current} {word}", current_w + space + word_w
                    continue
                if current:
                    lines.append(current)
                current, current_w = word, word_w
                while current_w > width and len(current) > 1:
                    cut, cut_w = 0, 0.0
                    for ch in current:
                        ch_w = self.text_width(ch)
                        if cut and cut_w + ch_w > width:
                            break
                        cut, cut_w = cut + 1, cut_w + ch_w
                    lines.append(current[:cut])
                    current = current[cut:]
                    current_w = self.text_width(current)
            lines.append(current)
        if len(lines) > max_lines:
            lines = [*lines[: max_lines - 1], "[... continued in the CSV file]"]
        return lines

    def grid(
        self,
        headings: Sequence[str],
        rows: Sequence[Sequence[object]],
        widths: Sequence[float] | None = None,
        *,
        size: float = 8,
    ) -> None:
        """A bordered table, headings repeated on every page, long cells wrapped.
        `widths` are relative; the table spans the page."""
        relative = list(widths) if widths else [1.0] * len(headings)
        scale = self.epw / sum(relative)
        cols = [w * scale for w in relative]
        line_h = size * 0.45
        self.set_draw_color(150, 150, 150)

        def heading_row() -> None:
            if any(headings):  # all-blank headings: a table without a heading row
                self.set_font(self.family, "B", size)
                self._row([self.safe(h) for h in headings], cols, line_h, (225, 225, 225))
            self.set_font(self.family, "", size)

        heading_row()
        for index, values in enumerate(rows):
            cells = [self.safe(v) for v in values]
            if self._row(cells, cols, line_h, (246, 246, 246) if index % 2 else None, dry_run=True):
                self.add_page()
                heading_row()
            self._row(cells, cols, line_h, (246, 246, 246) if index % 2 else None)
        self.ln(2)

    def _row(
        self,
        cells: Sequence[str],
        cols: Sequence[float],
        line_h: float,
        fill: tuple[int, int, int] | None,
        *,
        dry_run: bool = False,
    ) -> bool:
        """Draw one table row; with `dry_run`, only say whether it needs a new page."""
        pad = 1.0
        wrapped = [self.wrap(c, w - 2 * pad) for c, w in zip(cells, cols, strict=True)]
        height = max(len(lines) for lines in wrapped) * line_h + 2 * pad
        if dry_run:
            return self.get_y() + height > self.page_break_trigger
        x, y = self.l_margin, self.get_y()
        if fill is not None:
            self.set_fill_color(*fill)
        for lines, width in zip(wrapped, cols, strict=True):
            self.rect(x, y, width, height, style="DF" if fill is not None else "D")
            for number, text in enumerate(lines):
                if text:
                    self.text(x + pad, y + pad + (number + 0.78) * line_h, text)
            x += width
        self.set_xy(self.l_margin, y + height)
        return False

    def bars(
        self,
        title: str,
        items: Sequence[tuple[str, int]],
        *,
        width: float = 110,
        unit: tuple[str, str] | None = None,
    ) -> None:
        """A horizontal bar chart: one labelled bar per item, drawn as rectangles. A long
        label wraps within its column (the bar starts beside its first line and never runs
        into the text); `unit` (singular, plural) follows each value: "1 conviction"."""
        self.heading(title)
        if not items:
            self.paragraph("(none)")
            return
        top = max(value for _, value in items) or 1
        label_w, line_h = 70.0, 4.0
        self.set_font(self.family, "", 8)
        for label, value in items:
            lines = self.wrap(self.safe(label), label_w - 3, max_lines=4)
            height = max(5.0, len(lines) * line_h + 1)
            if self.will_page_break(height):
                self.add_page()
                self.set_font(self.family, "", 8)
            y = self.get_y()
            for number, text in enumerate(lines):
                self.text(self.l_margin, y + 3.5 + number * line_h, text)
            bar = width * value / top
            self.set_fill_color(70, 110, 160)
            if bar > 0:
                self.rect(self.l_margin + label_w, y + 0.8, bar, 3.4, style="F")
            shown = f"{value:,}"
            if unit is not None:
                shown += " " + (unit[0] if value == 1 else unit[1])
            self.text(self.l_margin + label_w + bar + 2, y + 3.5, shown)
            self.set_xy(self.l_margin, y + height)
        self.ln(2)

    def render(self) -> bytes:
        return bytes(self.output())
