"""Which court a conviction was decided in, as exhibits and proposed orders name it.

The DOJ record names the court action's agency: `STP_ORI_CODE` (the ORI, nine letters and
digits such as `CA034015J`; research extracts often redact it to `x`, which is no ORI) and
`STP_ORI_DESCR` (DOJ's short name, e.g. `CASCSACRAMENTO`). That is the court, and triage
never invents one. An office names its courts properly, for captions, in a small TOML file:

    [ori.CA034015J]
    name = "Superior Court of California, County of Sacramento"
    address = ["720 Ninth Street", "Sacramento, CA 95814"]

    [descr.CASCSACRAMENTO]  # optional: by DOJ's description, for records without an ORI
    name = "Superior Court of California, County of Sacramento"

    [county.SACRAMENTO]     # optional: records that name no court at all
    name = "Superior Court of California, County of Sacramento"

    [office]                # optional: who files, top left of each proposed order
    name = "Office of the District Attorney, County of Sacramento"
    address = ["901 G Street", "Sacramento, CA 95814", "Attorneys for the People"]

Without a file, DOJ's `CASC<county>` (a superior court) is named "Superior Court of
California, County of <County>" when the county is the record's own; any other description
is printed as DOJ wrote it. The file is `--courts FILE`, else `courts.toml` in the database's folder, else
`$XDG_CONFIG_HOME/triage/courts.toml` (`~/.config/triage/courts.toml`). A court the file
does not name keeps DOJ's description; a record with neither ORI nor description, and no
county entry, is listed under "Court not recorded: <county>".
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from triage.errors import TriageError

FILE_NAME = "courts.toml"
NOT_RECORDED = "Court not recorded"
SUPERIOR_COURT = "Superior Court of California, County of "
_KEYS = {"name", "address"}
_TABLES = ("ori", "descr", "county")
_ORI = re.compile(r"[A-Z]{2}[0-9A-Z]{7}")


def real_ori(code: str) -> str:
    """`code` upper-cased when it has the shape of an ORI, else "" (blank, `x`, NULL)."""
    text = code.strip().upper()
    return text if _ORI.fullmatch(text) else ""


def superior_court(descr: str, county: str) -> str:
    """The caption name of a superior court DOJ wrote as `CASC` + its county
    (`CASCSACRAMENTO`, `CASC YOLO`), else "". Only when the rest is the record's own county:
    that is a reading of DOJ's abbreviation, not a guess; anything else keeps DOJ's text."""
    text, home = descr.strip().upper(), county.strip().upper()
    if home and text.startswith("CASC") and text[4:].strip() == home:
        return f"{SUPERIOR_COURT}{home.title()}"
    return ""


@dataclass(frozen=True)
class Court:
    """A court as an exhibit names it."""

    ori: str  # blank when the record carries none
    name: str
    address: tuple[str, ...] = ()
    recorded: bool = True  # False: neither the record nor the office named the court


@dataclass(frozen=True)
class CourtBook:
    """The office's court names (empty when it has no file)."""

    by_ori: dict[str, Court]
    by_descr: dict[str, Court]
    by_county: dict[str, Court]
    source: str = ""  # the file read, for the manifest
    office: Court | None = None  # the filing office (`[office]`), name and address lines

    def court(self, ori_code: str, descr: str, county: str) -> Court:
        """The court of a conviction whose record says `ori_code` and `descr` (either may
        be blank) in `county`."""
        ori, descr = real_ori(ori_code), descr.strip()
        known = self.by_ori.get(ori) if ori else None
        if known is None and descr:
            known = self.by_descr.get(descr.upper())
        if known is not None:
            return Court(ori, known.name, known.address)
        if ori or descr:
            return Court(ori, superior_court(descr, county) or descr or f"Court ORI {ori}")
        known = self.by_county.get(county.strip().upper())
        if known is not None:
            return known
        return Court("", f"{NOT_RECORDED}: {county or 'county unknown'}", recorded=False)


EMPTY = CourtBook({}, {}, {})


def default_path(db_path: Path | None) -> Path | None:
    """The courts file used when `--courts` is not given, or None when there is none."""
    candidates = []
    if db_path is not None:
        candidates.append(db_path.resolve().parent / FILE_NAME)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    candidates.append(Path(base) / "triage" / FILE_NAME)
    return next((p for p in candidates if p.is_file()), None)


def _entry(path: Path, table: str, key: str, value: object) -> Court:
    where = f"{path}: [{table}.{key}]" if key else f"{path}: [{table}]"
    if not isinstance(value, dict):
        raise TriageError(f'{where} must be a table with name = "..."')
    unknown = sorted(set(value) - _KEYS)
    if unknown:
        raise TriageError(f"{where}: unknown key {unknown[0]!r} (use name, address)")
    name, address = value.get("name"), value.get("address", [])
    if not isinstance(name, str) or not name.strip():
        raise TriageError(f"{where}: name must be non-empty text")
    if isinstance(address, str):
        address = [address]
    if not isinstance(address, list) or not all(isinstance(a, str) for a in address):
        raise TriageError(f"{where}: address must be a list of text lines")
    return Court("", name.strip(), tuple(a.strip() for a in address if a.strip()))


def load(path: Path) -> CourtBook:
    """Read a courts file; a one-line `TriageError` naming the file and entry when it is
    not one."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TriageError(f"{path}: no such courts file") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise TriageError(f"{path}: cannot read the courts file ({reason})") from None
    except tomllib.TOMLDecodeError as exc:
        raise TriageError(f"{path}: not valid TOML ({exc})") from None
    unknown = sorted(set(data) - set(_TABLES) - {"office"})
    if unknown:
        raise TriageError(
            f"{path}: unknown table [{unknown[0]}] (use [ori.CODE], [descr.TEXT], [county.NAME], [office])"
        )
    tables: dict[str, dict[str, Court]] = {t: {} for t in _TABLES}
    for table, found in tables.items():
        entries = data.get(table, {})
        if not isinstance(entries, dict):
            raise TriageError(f"{path}: {table} must be tables like [{table}.NAME]")
        for key, value in entries.items():
            found[key.strip().upper()] = _entry(path, table, key, value)
    office = _entry(path, "office", "", data["office"]) if "office" in data else None
    return CourtBook(tables["ori"], tables["descr"], tables["county"], str(path), office)


def book(courts: Path | None, db_path: Path | None) -> CourtBook:
    """The court names for an export: `--courts`, else the default file, else none."""
    path = courts if courts is not None else default_path(db_path)
    return load(path) if path is not None else EMPTY
