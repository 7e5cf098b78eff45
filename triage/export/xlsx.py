"""A small writer for Excel workbooks (.xlsx) of text cells, standard library only.

The `xlsx` profile of the court exhibit, the challenged list and the decisions log. Every
cell is an inline *string*: the file holds no formula, no number and no date that a
spreadsheet could reinterpret, so a name or note reading `=HYPERLINK(...)` is shown as
written and never runs. Cells starting with a character a spreadsheet treats as a formula
(`csvfmt.FORMULA_STARTS`) also carry Excel's "quote prefix" style, so editing such a cell
keeps it text. Invisible characters are written as `<U+XXXX>` (as in the spreadsheet CSV
profile); characters XML cannot carry (C0 controls other than tab and line ends) likewise.

A few dozen lines of XML rather than openpyxl at run time: only text cells are needed, and
the zip is written deterministically (fixed timestamps), so the same data gives the same
bytes and the manifest's sha256 means something. openpyxl reads the files in the tests.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from io import BytesIO
from xml.sax.saxutils import escape

from triage.display import mark_invisible
from triage.export.csvfmt import FORMULA_STARTS

MAX_CELL = 32767  # Excel's limit on the characters in one cell
_TRUNCATED = " [... cut at Excel's cell limit]"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_STAMP = (1980, 1, 1, 0, 0, 0)

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
    "</Relationships>"
)
# Style 0: plain text; 1: bold heading; 2: text with a quote prefix (never a formula).
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3">'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="49" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyNumberFormat="1"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" quotePrefix="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def column_name(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def cell_text(value: str) -> str:
    """What a cell holds: invisible and XML-illegal characters shown as `<U+XXXX>`."""
    text = _NOT_XML.sub(lambda m: f"<U+{ord(m.group()):04X}>", mark_invisible(value))
    if len(text) > MAX_CELL:
        text = text[: MAX_CELL - len(_TRUNCATED)] + _TRUNCATED
    return text


def _cell(ref: str, value: str, style: int) -> str:
    text = cell_text(value)
    if style == 0 and text.startswith(FORMULA_STARTS):
        style = 2
    attr = f' s="{style}"' if style else ""
    return (
        f'<c r="{ref}" t="inlineStr"{attr}><is><t xml:space="preserve">{escape(text)}</t></is></c>'
    )


class Sheet:
    """One worksheet of text rows under a bold heading row; `render()` gives the .xlsx."""

    def __init__(self, header: Sequence[str], title: str = "Sheet1") -> None:
        self.width = len(header)
        # Excel's rules for a sheet name: at most 31 characters, none of []:*?/\ or '.
        self.title = re.sub(r"[\[\]:*?/\\']", "-", title)[:31] or "Sheet1"
        self._rows = [self._row(1, header, style=1)]
        self.rows = 0  # data rows, heading excluded

    def _row(self, number: int, values: Sequence[str], *, style: int = 0) -> str:
        cells = "".join(_cell(f"{column_name(i)}{number}", v, style) for i, v in enumerate(values))
        return f'<row r="{number}">{cells}</row>'

    def row(self, values: Sequence[str]) -> None:
        self.rows += 1
        self._rows.append(self._row(self.rows + 1, values))

    def _last(self) -> tuple[str, int]:
        return column_name(max(self.width, 1) - 1), self.rows + 1

    def _sheet_xml(self) -> str:
        column, row = self._last()
        last = f"{column}{row}"
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
            'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
            f"<sheetData>{''.join(self._rows)}</sheetData>"
            f'<autoFilter ref="A1:{last}"/></worksheet>'
        )

    def render(self) -> bytes:
        title = escape(self.title, {'"': "&quot;"})
        column, row = self._last()
        # Excel keeps the filter's range as this hidden name; without it, it may "repair".
        filter_range = escape(f"'{self.title}'!$A$1:${column}${row}")
        workbook = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheets><sheet name="{title}" sheetId="1" r:id="rId1"/></sheets>'
            '<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" '
            f'hidden="1">{filter_range}</definedName></definedNames>'
            "</workbook>"
        )
        parts = {
            "[Content_Types].xml": _CONTENT_TYPES,
            "_rels/.rels": _ROOT_RELS,
            "xl/workbook.xml": workbook,
            "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS,
            "xl/styles.xml": _STYLES,
            "xl/worksheets/sheet1.xml": self._sheet_xml(),
        }
        buf = BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, text in parts.items():
                info = zipfile.ZipInfo(name, date_time=_STAMP)
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, text.encode("utf-8"))
        return buf.getvalue()
