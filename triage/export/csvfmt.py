"""CSV encoding for every export, with the two profiles a user can choose.

One writer serves all exports so their quoting is predictable byte for byte:
- a field is quoted when it holds a comma, a double quote, CR or LF, or starts with
  whitespace (the rule Go's `encoding/csv` applies, which is what gogen's files use);
  double quotes inside are doubled; nothing else is altered.
- `machine`: UTF-8 without BOM, LF line ends, values exactly as stored.
- `xlsx`: tables as Excel workbooks of text cells (`triage.export.xlsx`), not CSV.
- `spreadsheet`: UTF-8 with BOM (Excel then reads non-ASCII correctly), CRLF line ends,
  and a leading apostrophe on any cell a spreadsheet would run as a formula: cells starting
  with `=`, `+`, `-`, `@`, tab or CR, or the full-width forms `＝ ＋ － ＠` (which some
  spreadsheet locales fold to the ASCII characters before evaluating). Invisible characters
  (zero-width spaces and joiners, bidi overrides, U+2028/U+2029: `display.INVISIBLE`) are
  written as `<U+XXXX>`, so a name that only looks like another is seen to differ; the
  machine profile keeps them, byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from triage.display import mark_invisible
from triage.errors import UsageError

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


@dataclass(frozen=True)
class Profile:
    """How an export encodes its CSV cells and lines."""

    name: str
    line_end: str
    bom: bool
    escape_formulas: bool
    xlsx: bool = False  # tables are written as Excel workbooks (`triage.export.xlsx`)


MACHINE = Profile("machine", "\n", bom=False, escape_formulas=False)
SPREADSHEET = Profile("spreadsheet", "\r\n", bom=True, escape_formulas=True)
# Tables as .xlsx; a CSV the export still writes (none today) would use the spreadsheet rules.
XLSX = Profile("xlsx", "\r\n", bom=True, escape_formulas=True, xlsx=True)
PROFILES = {p.name: p for p in (MACHINE, SPREADSHEET, XLSX)}


def profile(name: str) -> Profile:
    """The profile called `name`, or a usage error naming the choices."""
    try:
        return PROFILES[name]
    except KeyError:
        raise UsageError(
            f"--profile: unknown profile {name!r} (choose {', '.join(PROFILES)})"
        ) from None


def escape_formula(value: str) -> str:
    """Prefix an apostrophe to a cell a spreadsheet would evaluate as a formula."""
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


# Characters Go's unicode.IsSpace accepts; a field starting with one is quoted.
_GO_SPACE = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_SPECIAL = re.compile('[,"\r\n]')


def encode_row(values: Sequence[str], prof: Profile) -> str:
    """A whole CSV line in `prof`'s encoding, line end included."""
    if prof.escape_formulas:
        values = [escape_formula(mark_invisible(v)) for v in values]
    # Inlined test: this runs for every cell of every export.
    search = _SPECIAL.search
    return (
        ",".join(
            '"' + v.replace('"', '""') + '"'
            if v and (v[0] in _GO_SPACE or search(v) is not None or v == "\\.")
            else v
            for v in values
        )
        + prof.line_end
    )
