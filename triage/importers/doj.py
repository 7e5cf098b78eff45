"""The CA DOJ research-file layout: 95 fields per record, `RECORD_ID` … `END_OF_REC`."""

from __future__ import annotations

import operator
from collections.abc import Callable
from pathlib import Path

from rules.doj_layout import DOJ_COLUMNS
from rules.records import is_conviction
from triage.errors import TriageError
from triage.importers.layout import NAMED_SOURCES, Layout, Shaped, key_defect

COLUMNS = DOJ_COLUMNS
FIELD_COUNT = len(COLUMNS)
HEADER_MARK = COLUMNS[0]

_pick = operator.itemgetter(*(COLUMNS.index(name) for name in NAMED_SOURCES))
_strip = str.strip


def _shape(fields: list[str]) -> Shaped:
    """The trimmed named columns of one record, or the reason it cannot be accepted."""
    if len(fields) != FIELD_COUNT:
        return f"{len(fields)} fields, expected {FIELD_COUNT}"
    values: tuple[str, ...] = tuple(map(_strip, _pick(fields)))
    subject_id = values[0]
    if subject_id == "SUBJECT_ID":
        return "a header line in the middle of the file"
    defect = key_defect(subject_id, values[1])
    if defect is not None:
        return defect
    return values + (1 if is_conviction(values[11]) else 0,)


def layout(path: Path, first: list[str] | None) -> Layout:
    """How to read a DOJ file, judged from its first record's fields.

    A header is recognised by `RECORD_ID` in its first field. Its names must be the DOJ
    names in order (else the data cannot be trusted to be in DOJ order: refuse the file); a
    trailing empty field is tolerated; a header of the wrong width is quarantined like any
    other bad line, and the records are then judged on their own.
    """
    shape: Callable[[list[str]], Shaped] = _shape
    if first is None or first[0].strip() != HEADER_MARK:
        return Layout(has_header=False, header_defect=None, shape=shape)
    names = [name.strip() for name in first]
    if len(names) == FIELD_COUNT + 1 and names[-1] == "":
        names.pop()
    for position, (got, expected) in enumerate(zip(names, COLUMNS, strict=False), 1):
        if got.upper() != expected:
            raise TriageError(
                f"{path}:1: header field {position} should be {expected}; this is not the "
                f"{FIELD_COUNT}-column DOJ layout (for other CSV files use --format csv --map)"
            )
    defect = None
    if len(names) != FIELD_COUNT:
        defect = f"header has {len(first)} fields, expected {FIELD_COUNT}"
    return Layout(has_header=True, header_defect=defect, shape=shape)
