"""A proposed order per court, filed beside its exhibit (`order-<court>.pdf`).

The filing office (`[office]` in courts.toml) top left, the caption (the court as `courts`
names it, with its address lines), the title, the findings sentence citing Health and Safety
Code sections 11361.8 and 11361.9, the list of convictions with the relief asked for each,
and a signature block with a date line for the judge. The wording is a starting point for the office's own form: it cites the statute's
sections, not subdivisions, and asks nothing beyond what the exhibit lists. A court the
record does not name is captioned "Court not recorded: <county>" with a reminder to name it
before filing: triage never invents a court.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from fpdf.enums import XPos, YPos

from triage.export.courts import Court
from triage.export.fmt import plural
from triage.export.pdf import Document

if TYPE_CHECKING:  # court imports this module
    from triage.export.court import Position

TITLE = (
    "[PROPOSED] ORDER FOR DISMISSAL AND SEALING, OR REDESIGNATION, OF CANNABIS "
    "CONVICTIONS (Health and Safety Code sections 11361.8 and 11361.9)"
)
FINDINGS = (
    "The Department of Justice identified the convictions listed below under Health and "
    "Safety Code section 11361.9 as potentially eligible for relief under section 11361.8, "
    "and the prosecution does not challenge relief for them. The Court finds that each "
    "conviction listed below is eligible for relief under Health and Safety Code section "
    "11361.8. Pursuant to Health and Safety Code sections 11361.8 and 11361.9, IT IS "
    'ORDERED that each conviction marked "Dismiss and seal" is dismissed and sealed, and '
    'each conviction marked "Redesignate" is redesignated as a misdemeanor or infraction '
    "as provided in section 11361.8."
)


def _centered(doc: Document, text: str, *, bold: bool = False, size: float = 11) -> None:
    doc.set_font(doc.family, "B" if bold else "", size)
    doc.multi_cell(0, 5.5, doc.safe(text), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _signature(doc: Document) -> None:
    if doc.will_page_break(38):
        doc.add_page()
    doc.ln(4)
    doc.set_font(doc.family, "B", 10)
    doc.cell(0, 6, "IT IS SO ORDERED.", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.ln(12)
    doc.set_font(doc.family, "", 10)
    half = doc.epw / 2
    doc.cell(half, 6, "Dated: ______________________")
    doc.cell(half, 6, "______________________________________", new_x=XPos.LMARGIN,
             new_y=YPos.NEXT)  # fmt: skip
    doc.cell(half, 6, "")
    doc.cell(half, 6, "Judge of the Superior Court", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _office(doc: Document, office: Court) -> None:
    """The filing office's block, top left, as California pleadings place it."""
    doc.set_font(doc.family, "", 9)
    for line in (office.name, *office.address):
        doc.cell(0, 4.5, doc.safe(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.ln(4)


def render(
    items: Sequence[Position], relief: Mapping[str, str], office: Court | None = None
) -> bytes:
    """The proposed order for one court's exhibit (`items`, all of one court)."""
    first = items[0]
    court = first.court_info
    doc = Document(
        f"[Proposed] order: {first.court}",
        f"{plural(len(items), 'conviction')} - Health and Safety Code sections 11361.8, 11361.9",
    )
    if office is not None:
        _office(doc, office)
    _centered(doc, first.court.upper() if court.recorded else first.court, bold=True)
    for line in court.address:
        _centered(doc, line, size=10)
    if not court.recorded:
        _centered(doc, "(The DOJ record names no court: name it before filing; see "
                       "docs/exports.md, courts.toml.)", size=9)  # fmt: skip
    doc.ln(3)
    _centered(doc, TITLE, bold=True, size=10)
    doc.ln(2)
    doc.set_font(doc.family, "", 10)
    doc.multi_cell(0, 5, FINDINGS, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.ln(2)
    doc.grid(
        ["No.", "Name", "DOB", "CII", "Court no.", "Convicted", "Section", "Relief"],
        [[str(n), p.name, p.dob, p.cii, p.court_number, p.date, p.section,
          relief.get(p.final or "", "")] for n, p in enumerate(items, start=1)],
        widths=(8, 40, 18, 18, 22, 18, 22, 26),
    )  # fmt: skip
    _signature(doc)
    return doc.render()
