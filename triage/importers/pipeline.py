"""`import_files`: the import service the CLI, the sample generator, tests and benchmarks call."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from triage import db, identity
from triage.errors import TriageError, UsageError
from triage.importers import producer, sniff, store
from triage.importers.csvmap import ColumnMap, load_map
from triage.importers.layout import Layout
from triage.importers.reader import codec_name

# Records per write transaction. 5,000 keeps each commit near 0.1 s (0.2 s at worst on a
# busy 2-core box), so a reviewer's decision never waits long behind an import; 10,000
# was only ~5% faster in all but held the lock twice as long.
CHUNK_ROWS = 5_000
PROBLEMS_SHOWN = 20
# A file this big (~50,000 DOJ records) is imported with the search indexes dropped and
# built again at the end (`db.deferred_search_indexes`): 20% faster at 1,000,000 rows.
DEFER_INDEXES_MIN_BYTES = 16 << 20
FORMATS = ("doj", "csv")

# progress(file name, bytes read, file size), called as a file starts and after each chunk.
Progress = Callable[[str, int, int], None]


@dataclass
class FileReport:
    """What happened to one file. A skipped file (already imported) imports nothing and
    reports the lines its import quarantined (they are still not in the database); a
    resumed one counts the whole file, chunks its interrupted import wrote included."""

    path: str
    name: str
    sha256: str
    status: str  # "imported", "resumed" or "skipped" (already imported)
    rows: int = 0
    imported: int = 0
    duplicates: int = 0
    quarantined: int = 0
    seconds: float = 0.0
    file_id: int | None = None
    problems: list[tuple[int, str]] = field(default_factory=list)  # first (line, reason)
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.path,
            "name": self.name,
            "sha256": self.sha256,
            "status": self.status,
            "rows": self.rows,
            "imported": self.imported,
            "duplicates": self.duplicates,
            "quarantined": self.quarantined,
            "seconds": round(self.seconds, 3),
            "problems": [{"line": line, "reason": reason} for line, reason in self.problems],
            "note": self.note,
        }


@dataclass
class ImportReport:
    """The outcome of one `import_files` call."""

    files: list[FileReport]
    seconds: float = 0.0

    def _sum(self, attr: str) -> int:
        return sum(int(getattr(f, attr)) for f in self.files)

    @property
    def imported(self) -> int:
        return self._sum("imported")

    @property
    def duplicates(self) -> int:
        return self._sum("duplicates")

    @property
    def quarantined(self) -> int:
        return self._sum("quarantined")

    @property
    def skipped(self) -> int:
        return sum(1 for f in self.files if f.status == "skipped")

    @property
    def ok(self) -> bool:
        """False when any record was quarantined (the CLI then exits 1)."""
        return self.quarantined == 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": [f.to_dict() for f in self.files],
            "totals": {
                "files": len(self.files),
                "imported": self.imported,
                "duplicates": self.duplicates,
                "quarantined": self.quarantined,
                "skipped": self.skipped,
                "seconds": round(self.seconds, 3),
            },
        }


@dataclass
class _Plan:
    path: Path
    sha256: str
    size: int
    layout: Layout
    fmt: str
    column_map: str | None
    cmap: ColumnMap | None


def import_files(
    conn: sqlite3.Connection,
    paths: Sequence[str | os.PathLike[str]],
    *,
    fmt: str = "doj",
    column_map: ColumnMap | str | os.PathLike[str] | None = None,
    encoding: str | None = None,
    strict: bool = False,
    progress: Progress | None = None,
    actor: str | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> ImportReport:
    """Import DOJ research files (or, with `fmt="csv"` and a column map, other CSV extracts).

    Every file is checked before anything is written (exists, readable, header, map), so
    a missing file or a wrong header refuses the whole call. Each file is then streamed in
    chunks of `chunk_rows` records, each chunk one short write transaction. Bad records are
    quarantined with their physical line and reason; exact duplicates of rows already held
    go to `duplicate_rows`; a file already imported (same sha256) is skipped, and one whose
    import was interrupted is resumed. With `strict`, every file is read through first and
    the first defect raises `TriageError` (file:line) before anything is written.

    Large files are read and hashed by a helper process while this one writes (see
    `producer`), with the search indexes built once at the end (`db.deferred_search_indexes`);
    the database is written here alone, in file order, so the result is the same either way.
    `column_map` is a `ColumnMap` or the path of its TOML file. `encoding` defaults to
    UTF-8 (a BOM is always skipped). `progress(name, bytes_read, size)` is called as each
    file starts and after each chunk. `actor` names who imported in the audit trail (default:
    the OS account). Raises `TriageError`/`UsageError` for bad input.
    """
    started = time.perf_counter()
    cmap = resolve_format(fmt, column_map)
    codec = codec_name(encoding)
    files = [Path(p) for p in paths]
    if not files:
        raise UsageError("no file to import")
    if chunk_rows < 1:
        raise UsageError("chunk_rows must be at least 1")
    for path in files:
        check_input(path)
    # No --encoding: a file must be UTF-8 throughout, or it is refused (see `sniff`).
    plans = [_plan(conn, path, fmt, cmap, codec, check_utf8=encoding is None) for path in files]
    if strict:
        for plan in plans:
            if not _completed(conn, plan):
                _validate(plan, codec)
    who = identity.check_name(actor) if actor else identity.os_account()
    reports = []
    defer: contextlib.AbstractContextManager[None] = contextlib.nullcontext()
    if any(p.size >= DEFER_INDEXES_MIN_BYTES and not _completed(conn, p) for p in plans):
        defer = db.deferred_search_indexes(conn)
    with db.bulk_writes(conn), store.staging(conn), defer:
        for plan in plans:
            reports.append(_import_one(conn, plan, codec, who, chunk_rows, progress))
    db.build_search_indexes(conn)  # (after an import that was killed with them dropped)
    return ImportReport(reports, time.perf_counter() - started)


def _completed(conn: sqlite3.Connection, plan: _Plan) -> bool:
    """Whether this file was imported to its end already (it will be skipped)."""
    state = store.find_file(conn, plan.sha256)
    return state is not None and state.completed_at is not None


def resolve_format(
    fmt: str, column_map: ColumnMap | str | os.PathLike[str] | None
) -> ColumnMap | None:
    """Check the format and map options; load the map (a `ColumnMap` or its TOML path)."""
    if fmt not in FORMATS:
        raise UsageError(f"--format: expected one of {', '.join(FORMATS)}, got {fmt!r}")
    if fmt == "doj":
        if column_map is not None:
            raise UsageError("--map is for --format csv; DOJ files have a fixed layout")
        return None
    if column_map is None:
        raise UsageError("--format csv needs --map MAP.toml (which column feeds which field)")
    return column_map if isinstance(column_map, ColumnMap) else load_map(Path(column_map))


def check_input(path: Path) -> None:
    """Refuse, in one line, a path that is not a readable file, saying what it is."""
    problem = sniff.input_problem(path)
    if problem is not None:
        raise TriageError(f"{path}: {problem}; nothing was imported")


def _plan(
    conn: sqlite3.Connection,
    path: Path,
    fmt: str,
    cmap: ColumnMap | None,
    codec: str,
    *,
    check_utf8: bool,
) -> _Plan:
    """Read the file through once (hash, format, encoding) and judge its layout; refuse it
    when it is not CSV text, or not UTF-8 (unless it was imported to its end already)."""
    try:
        problem = sniff.format_problem(sniff.read_head(path))
        if problem is not None:
            raise TriageError(f"{path}: {problem}; nothing was imported")
        scanned = sniff.scan(path, check_utf8=check_utf8)
        if scanned.bad is not None:
            state = store.find_file(conn, scanned.sha256)
            if state is None or state.completed_at is None:
                raise TriageError(f"{path}:{scanned.bad.line}: {scanned.bad.message()}")
        layout = producer.layout_for(path, codec, cmap)
    except OSError as exc:
        raise TriageError(f"{path}: cannot read ({exc.strerror}); nothing was imported") from None
    stored_map = None if cmap is None else cmap.to_json()
    return _Plan(path, scanned.sha256, scanned.size, layout, fmt, stored_map, cmap)


def _validate(plan: _Plan, codec: str) -> None:
    """--strict: the first defect in the file refuses the import."""
    job = producer.Job(plan.path, codec, plan.cmap, 0, 0, producer.HELD_CHECK_ROWS)
    for _rows, held, _done in producer.chunks(job, plan.layout):
        if held:
            _refuse(plan, held[0][1], held[0][2])


def _refuse(plan: _Plan, line: int, reason: str) -> NoReturn:
    raise TriageError(f"{plan.path}:{line}: {reason} (--strict: nothing was imported)")


def _import_one(
    conn: sqlite3.Connection,
    plan: _Plan,
    codec: str,
    actor: str,
    chunk_rows: int,
    progress: Progress | None,
) -> FileReport:
    started = time.perf_counter()
    name = plan.path.name
    report = FileReport(str(plan.path), name, plan.sha256, "imported")
    existing = store.find_file(conn, plan.sha256)
    if existing is not None and existing.completed_at is not None:
        report.status = "skipped"
        report.file_id = existing.id
        # Its quarantined lines are still not in the database: say so again (exit 1), or
        # a file whose every line was quarantined would look imported.
        report.rows = existing.rows_total
        report.quarantined = existing.rows_quarantined
        report.problems = store.quarantine_sample(conn, existing.id, PROBLEMS_SHOWN)
        if existing.rows_quarantined and existing.encoding != codec:
            # Re-reading with another encoding would need the file imported afresh.
            report.note = (
                f"it was read as {existing.encoding}; a file is imported once, so to read it "
                f"as {codec} import it into a new database"
            )
        report.seconds = time.perf_counter() - started
        return report
    state = store.begin_file(
        conn,
        sha256=plan.sha256,
        name=name,
        fmt=plan.fmt,
        encoding=codec,
        size=plan.size,
        has_header=plan.layout.has_header,
        column_map=plan.column_map,
    )
    if existing is not None:
        report.status = "resumed"
    if progress is not None:
        progress(name, 0, plan.size)
    job = producer.Job(plan.path, codec, plan.cmap, state.id, state.resume_after, chunk_rows)
    if producer.use_helper(plan.size):
        source = producer.chunks_in_helper(job)
    else:
        source = producer.chunks(job, plan.layout)
    for rows, held, done in source:
        store.write_chunk(conn, state, rows, held)
        if progress is not None:
            progress(name, done, plan.size)
    store.finish_file(
        conn, state, actor=actor, name=name, sha256=plan.sha256, resumed=existing is not None
    )
    if progress is not None:
        progress(name, plan.size, plan.size)
    _fill(report, state)
    report.problems = store.quarantine_sample(conn, state.id, PROBLEMS_SHOWN)
    report.seconds = time.perf_counter() - started
    return report


def _fill(report: FileReport, state: store.FileState) -> None:
    report.file_id = state.id
    report.rows = state.rows_total
    report.imported = state.rows_imported
    report.duplicates = state.rows_duplicate
    report.quarantined = state.rows_quarantined
