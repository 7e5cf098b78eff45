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
from fpdf.enums import TableCellFillMode, XPos, YPos
from fpdf.fonts import FontFace

from triage.display import clean

_FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/Library/Fonts"),
)
FONT = "triage-sans"


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

    def grid(
        self,
        headings: Sequence[str],
        rows: Sequence[Sequence[object]],
        widths: Sequence[float] | None = None,
        *,
        size: float = 8,
    ) -> None:
        """A table with repeated headings that wraps long cells."""
        self.set_font(self.family, "", size)
        with self.table(
            col_widths=tuple(widths) if widths else None,
            headings_style=FontFace(emphasis="BOLD", fill_color=(225, 225, 225)),
            cell_fill_color=(246, 246, 246),
            cell_fill_mode=TableCellFillMode.ROWS,
            line_height=self.font_size * 1.5,
            text_align="LEFT",
            markdown=False,
            width=self.epw,
        ) as table:
            table.row([self.safe(h) for h in headings])
            for values in rows:
                table.row([self.safe(v) for v in values])
        self.ln(2)

    def bars(self, title: str, items: Sequence[tuple[str, int]], *, width: float = 110) -> None:
        """A horizontal bar chart: one labelled bar per item, drawn as rectangles."""
        self.heading(title)
        if not items:
            self.paragraph("(none)")
            return
        top = max(value for _, value in items) or 1
        label_w = 70.0
        for label, value in items:
            if self.will_page_break(6):
                self.add_page()
            y = self.get_y()
            self.set_font(self.family, "", 8)
            self.cell(label_w, 5, self.safe(label)[:60])
            bar = width * value / top
            self.set_fill_color(70, 110, 160)
            if bar > 0:
                self.rect(self.l_margin + label_w, y + 0.8, bar, 3.4, style="F")
            self.set_xy(self.l_margin + label_w + bar + 2, y)
            self.cell(20, 5, str(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    def render(self) -> bytes:
        return bytes(self.output())
