"""Generic CSV extracts (county case-management systems, other jurisdictions) via a TOML map.

The map says which CSV column feeds each DOJ field triage uses, constants for fields the
extract lacks, and how dates are written::

    delimiter = ","             # optional, default ","
    header = true               # optional, default true; false: columns are numbers (1 = first)
    date_format = "%m/%d/%Y"    # optional: how STP_EVENT_DATE, PRI_DOB and CYC_DATE are written

    [columns]                   # DOJ field = CSV column (header name or 1-based number)
    SUBJECT_ID = "Defendant ID"
    CNT_ORDER = "Charge Seq"
    STP_EVENT_DATE = "Disposition Date"
    CYC_DATE = "Arrest Date"     # optional: the offense's date (else the event date is used)
    PRI_DOB = { column = "DOB", date_format = "%Y-%m-%d" }
    DISP_DESCR = { column = "Disposition", values = { GUILTY = "CONVICTED" } }

    [constants]                 # DOJ field = the same value on every row
    STP_ORI_CNTY_NAME = "SAN JOAQUIN"
    STP_TYPE_DESCR = "COURT ACTION"

SUBJECT_ID and CNT_ORDER are required. Dates are converted to DOJ's YYYYMMDD; a value that
does not match its format quarantines the row (a blank stays blank). `values` translates
exact (trimmed) values; others pass through unchanged.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rules.records import is_conviction
from triage.errors import TriageError
from triage.importers.layout import DATE_SOURCES, NAMED_SOURCES, Layout, Shaped, key_defect

REQUIRED = ("SUBJECT_ID", "CNT_ORDER")
_TOP_KEYS = {"delimiter", "header", "date_format", "columns", "constants", "format"}
_SPEC_KEYS = {"column", "date_format", "values"}
_DISP = NAMED_SOURCES.index("DISP_DESCR")


@dataclass(frozen=True)
class FieldSpec:
    """Where one DOJ field comes from: a column (name or 1-based number) or a constant."""

    target: str
    column: str | int | None = None
    constant: str | None = None
    date_format: str | None = None
    values: dict[str, str] = field(default_factory=dict)
    map_line: int = 1


@dataclass(frozen=True)
class ColumnMap:
    """A parsed, validated column map (see the module docstring for the TOML)."""

    path: Path
    specs: tuple[FieldSpec, ...]
    delimiter: str = ","
    header: bool = True

    def to_json(self) -> str:
        """The map as stored in `source_files.column_map`."""
        return json.dumps(
            {
                "delimiter": self.delimiter,
                "header": self.header,
                "fields": {
                    s.target: {
                        "column": s.column,
                        "constant": s.constant,
                        "date_format": s.date_format,
                        "values": s.values,
                    }
                    for s in self.specs
                },
            },
            sort_keys=True,
        )

    def layout(self, path: Path, first: list[str] | None) -> Layout:
        """Resolve the map's columns against a file's header; a column that is missing
        is an error at the map's line."""
        names: dict[str, int] = {}
        width: int | None = None
        if self.header:
            if first is None:
                raise TriageError(
                    f"{path}: no header line, but {self.path.name} says header = true"
                )
            width = len(first)
            for index, name in enumerate(first):
                names.setdefault(name.strip(), index)
                names.setdefault(name.strip().casefold(), index)
        getters: list[Callable[[list[str]], str]] = []
        for target in NAMED_SOURCES:
            spec = next((s for s in self.specs if s.target == target), None)
            getters.append(_getter(spec, names, path, self))
        constants = [f"{s.target}={s.constant}" for s in self.specs if s.constant is not None]
        prefix = "csv\x1e" + "\x1e".join(sorted(constants)) + "\x1e"
        return Layout(
            has_header=self.header,
            header_defect=None,
            shape=_shaper(getters, width),
            delimiter=self.delimiter,
            hash_prefix=prefix,
        )


def _getter(
    spec: FieldSpec | None, names: dict[str, int], path: Path, cmap: ColumnMap
) -> Callable[[list[str]], str]:
    if spec is None:
        return lambda fields: ""
    if spec.constant is not None:
        value = spec.constant.strip()
        return lambda fields: value
    column = spec.column
    if isinstance(column, int):
        index = column - 1
    else:
        assert column is not None
        found = names.get(column.strip(), names.get(column.strip().casefold()))
        if found is None:
            raise TriageError(
                f"{cmap.path}:{spec.map_line}: column {column!r} is not in the header of "
                f"{path.name}"
            )
        index = found
    values = spec.values
    convert = _date_converter(spec.date_format, spec.target) if spec.date_format else None

    def get(fields: list[str]) -> str:
        value = fields[index].strip() if index < len(fields) else ""
        value = values.get(value, value) if values else value
        return convert(value) if convert is not None and value else value

    return get


class _BadValue(Exception):
    """A value that does not fit the map (carries a reason without record data)."""


def _date_converter(fmt: str, target: str) -> Callable[[str], str]:
    @functools.lru_cache(maxsize=65536)
    def convert(value: str) -> str:
        try:
            return dt.datetime.strptime(value, fmt).strftime("%Y%m%d")
        except ValueError:
            raise _BadValue(f"{target} does not match date format {fmt}") from None

    return convert


def _shaper(
    getters: list[Callable[[list[str]], str]], width: int | None
) -> Callable[[list[str]], Shaped]:
    def shape(fields: list[str]) -> Shaped:
        if width is not None and len(fields) != width:
            return f"{len(fields)} fields, expected {width} (as in the header)"
        try:
            values = tuple(get(fields) for get in getters)
        except _BadValue as exc:
            return str(exc)
        defect = key_defect(values[0], values[1])
        if defect is not None:
            return defect
        return values + (1 if is_conviction(values[_DISP]) else 0,)

    return shape


def _line_of(text: str, key: str, table: str | None = None) -> int:
    """The line where the map sets `key` (inside `[table]` when given), else where the
    table starts, else 1. Good enough for messages; TOML itself was parsed by tomllib."""
    start = 0
    if table is not None:
        header = re.search(rf"^[ \t]*\[[ \t]*{re.escape(table)}[ \t]*\]", text, re.MULTILINE)
        if header is not None:
            start = header.end()
    found = re.compile(rf"^[ \t]*[\"']?{re.escape(key)}[\"']?[ \t]*=", re.MULTILINE).search(
        text, start
    ) or re.compile(rf"^[ \t]*\[[ \t]*{re.escape(key)}[ \t]*\]", re.MULTILINE).search(text)
    if found is None and table is not None:
        return _line_of(text, table)
    return 1 if found is None else text.count("\n", 0, found.start()) + 1


def load_map(path: Path) -> ColumnMap:
    """Read and check a column map; any problem is one `TriageError` naming map file:line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TriageError(f"{path}: no such map file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TriageError(f"{path}: cannot read the map ({type(exc).__name__})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = re.search(r"\(at line (\d+), column (\d+)\)", message)
        where = found.group(1) if found else "1"
        what = re.sub(r"\s*\(at line.*\)", "", message) or "invalid TOML"
        raise TriageError(f"{path}:{where}: not valid TOML ({what})") from None

    def fail(key: str, message: str, table: str | None = None) -> TriageError:
        return TriageError(f"{path}:{_line_of(text, key, table)}: {message}")

    for key in data:
        if key not in _TOP_KEYS:
            raise fail(key, f"unknown setting {key!r} (expected {', '.join(sorted(_TOP_KEYS))})")
    delimiter = data.get("delimiter", ",")
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '"\r\n':
        raise fail("delimiter", "delimiter must be one character (not a quote or line break)")
    header = data.get("header", True)
    if not isinstance(header, bool):
        raise fail("header", "header must be true or false")
    default_dates = data.get("date_format")
    if default_dates is not None:
        _check_format(default_dates, lambda m: fail("date_format", m))
    specs: dict[str, FieldSpec] = {}
    for table in ("columns", "constants"):
        entries = data.get(table, {})
        if not isinstance(entries, dict):
            raise fail(table, f"{table} must be a table ([{table}])")
        for target, value in entries.items():
            specs[target] = _spec(
                table,
                target,
                value,
                header,
                default_dates,
                specs,
                functools.partial(fail, target, table=table),
                _line_of(text, target, table),
            )
    for target in REQUIRED:
        if target not in specs:
            line = _line_of(text, "columns")
            raise TriageError(
                f"{path}:{line}: the map must give {target} (a column under [columns])"
            )
    return ColumnMap(path, tuple(specs.values()), delimiter, header)


def _spec(
    table: str,
    target: str,
    value: Any,
    header: bool,
    default_dates: str | None,
    specs: dict[str, FieldSpec],
    fail: Callable[[str], TriageError],
    line: int,
) -> FieldSpec:
    if target not in NAMED_SOURCES:
        raise fail(f"{target} is not a field triage uses; map one of {', '.join(NAMED_SOURCES)}")
    if target in specs:
        raise fail(f"{target} is given twice (under [columns] and [constants])")
    if table == "constants":
        if not isinstance(value, str):
            raise fail(f"constant {target} must be a string")
        return FieldSpec(target, constant=value, map_line=line)
    date_format = default_dates if target in DATE_SOURCES else None
    values: dict[str, str] = {}
    if isinstance(value, dict):
        unknown = set(value) - _SPEC_KEYS
        if unknown:
            raise fail(
                f"{target}: unknown key {sorted(unknown)[0]!r} (expected column, "
                "date_format, values)"
            )
        if "column" not in value:
            raise fail(f'{target}: give the column (column = "Name" or a number)')
        if "date_format" in value:
            date_format = value["date_format"]
            _check_format(date_format, fail)
        raw_values = value.get("values", {})
        if not isinstance(raw_values, dict) or not all(
            isinstance(v, str) for v in raw_values.values()
        ):
            raise fail(f"{target}: values must map text to text")
        values = {str(k).strip(): v.strip() for k, v in raw_values.items()}
        value = value["column"]
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise fail(f"{target}: a column is a header name or a 1-based number")
    if isinstance(value, int) and value < 1:
        raise fail(f"{target}: column numbers start at 1")
    if isinstance(value, str) and not header:
        raise fail(f"{target}: with header = false, columns are numbers (1 = first)")
    return FieldSpec(target, column=value, date_format=date_format, values=values, map_line=line)


def _check_format(value: Any, fail: Callable[[str], TriageError]) -> None:
    if not isinstance(value, str) or "%" not in value:
        raise fail('date_format must be a strptime pattern such as "%m/%d/%Y"')
