"""CLI: `triage import FILE...` (DOJ research files, or other CSV files with a column map)."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)

from triage.cli.common import DEFAULT_DB, DbOption, JsonOption, err, open_db, out, print_json, safe
from triage.errors import DiskFullError, TriageError, UsageError, is_disk_full
from triage.importers import ColumnMap, FileReport, ImportReport, import_files
from triage.importers.pipeline import Progress as ProgressCallback
from triage.importers.pipeline import check_input, resolve_format
from triage.importers.reader import codec_name

STDIN = "stdin"


class Format(StrEnum):
    doj = "doj"
    csv = "csv"


FilesArgument = Annotated[
    list[Path],
    typer.Argument(
        help="Files to import (several allowed); - reads standard input.",
        show_default=False,
        metavar="FILE",
    ),
]
FormatOption = Annotated[
    Format,
    typer.Option(
        "--format", help="doj: the 95-column DOJ research file; csv: any CSV, with --map."
    ),
]
MapOption = Annotated[Path | None, typer.Option("--map", help="TOML column map for --format csv.")]
StrictOption = Annotated[
    bool,
    typer.Option(
        "--strict",
        help="Read every file through first and refuse the import at the first bad "
        "record (file:line), writing nothing.",
    ),
]
EncodingOption = Annotated[
    str | None,
    typer.Option(
        "--encoding",
        help="Text encoding of the files (default UTF-8, with or without BOM).",
    ),
]


def register(app: typer.Typer) -> None:
    """Add `triage import`."""
    app.command("import")(import_command)


def import_command(
    files: FilesArgument,
    db_path: DbOption = DEFAULT_DB,
    fmt: FormatOption = Format.doj,
    map_path: MapOption = None,
    strict: StrictOption = False,
    encoding: EncodingOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import files into the database (created if absent). Bad records are quarantined
    with file:line and reason; exit 1 if any were. Re-importing a file adds nothing."""
    # Everything the user can get wrong is checked before the database is created.
    column_map = resolve_format(fmt.value, map_path)
    codec_name(encoding)
    with _stdin_spooled(files) as (paths, spool):
        try:
            for path in paths:
                check_input(path)
            report = _import(
                db_path, paths, fmt=fmt.value, column_map=column_map, encoding=encoding,
                strict=strict, show_progress=not as_json and err.is_terminal,
            )  # fmt: skip
        except TriageError as exc:
            if spool is not None:  # say "stdin", never the spool file's name
                exc.args = (str(exc).replace(str(spool), STDIN),)
            raise
    for file in report.files:
        if spool is not None and file.path == str(spool):
            file.path = STDIN
    if as_json:
        print_json(report.to_dict())
    else:
        _print(report)
    if not report.ok:
        raise typer.Exit(1)


def _import(
    db_path: Path,
    paths: list[Path],
    *,
    fmt: str,
    column_map: ColumnMap | None,
    encoding: str | None,
    strict: bool,
    show_progress: bool,
) -> ImportReport:
    conn = open_db(db_path, create=True)
    try:
        with _progress(enabled=show_progress) as progress:
            return import_files(
                conn, paths, fmt=fmt, column_map=column_map, encoding=encoding, strict=strict,
                progress=progress,
            )  # fmt: skip
    finally:
        conn.close()


@contextlib.contextmanager
def _stdin_spooled(files: list[Path]) -> Iterator[tuple[list[Path], Path | None]]:
    """`-` among the files: standard input, copied to a private file first (0600, in a
    0700 folder, removed afterwards) so that it is hashed, sniffed for its encoding and
    re-read like any file. It is recorded and reported as "stdin"."""
    if not any(str(f) == "-" for f in files):
        yield files, None
        return
    if sum(str(f) == "-" for f in files) > 1:
        raise UsageError("import: - (standard input) can be given once")
    if sys.stdin is None or sys.stdin.isatty():
        raise UsageError("import -: standard input is a terminal; pipe a file in instead")
    with tempfile.TemporaryDirectory(prefix="triage-stdin-") as folder:
        spool = Path(folder) / STDIN
        try:
            fd = os.open(spool, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as sink:
                shutil.copyfileobj(sys.stdin.buffer, sink, 1 << 20)
        except OSError as exc:
            if is_disk_full(exc):
                raise DiskFullError(
                    "disk full while reading standard input: nothing was imported"
                ) from None
            raise TriageError(
                f"{STDIN}: cannot read ({exc.strerror}); nothing was imported"
            ) from None
        yield [spool if str(f) == "-" else f for f in files], spool


@contextlib.contextmanager
def _progress(*, enabled: bool) -> Iterator[ProgressCallback | None]:
    if not enabled:
        yield None
        return
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )
    tasks: dict[str, TaskID] = {}

    def update(name: str, done: int, total: int) -> None:
        task = tasks.get(name)
        if task is None:
            task = tasks[name] = bar.add_task(safe(name), total=max(total, 1))
        bar.update(task, completed=done)

    with bar:
        yield update


def _print(report: ImportReport) -> None:
    for file in report.files:
        out.print(_file_line(file))
        for line, reason in file.problems:
            err.print(f"  {safe(file.path)}:{line}: {safe(reason)}")
        hidden = file.quarantined - len(file.problems)
        if hidden > 0:
            err.print(f"  ... and {hidden} more quarantined lines (`triage stats` counts them)")
    out.print(
        f"{report.imported} imported, {report.quarantined} quarantined"
        + (" (counting files imported before)" if report.skipped and report.quarantined else "")
        + (f", {report.duplicates} duplicates" if report.duplicates else "")
        + (f", {report.skipped} files skipped" if report.skipped else "")
    )


def _file_line(file: FileReport) -> str:
    name = safe(file.path)
    if file.status == "skipped":
        note = f"; {safe(file.note)}" if file.note else ""
        held = (
            f"; {file.quarantined} of its {file.rows} lines are quarantined"
            if file.quarantined
            else ""
        )
        return f"{name}: already imported (sha256 {file.sha256[:12]}), skipped{held}{note}"
    resumed = " (resumed an interrupted import)" if file.status == "resumed" else ""
    return (
        f"{name}: {file.imported} imported, {file.duplicates} duplicates, "
        f"{file.quarantined} quarantined in {file.seconds:.1f} s{resumed}"
    )
