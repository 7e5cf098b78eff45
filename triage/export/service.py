"""`run_export`: one export, start to finish, as the CLI and the TUI call it.

All reading happens inside one read transaction, so an export is a consistent snapshot
even while reviewers keep deciding (WAL readers never block writers). The files are staged
and moved into place together (`bundle`), and the export is recorded in the audit trail
(kind, run, folder, file names and row counts: never record data) in its own short write.

The kinds are the entries of `EXPORTERS` (writer, accepted profiles, checks): the CLI's
choices are derived from it, so a kind cannot exist without its writer.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from triage import __version__ as triage_version
from triage import audit, authority, db
from triage.errors import DiskFullError, TriageError, UsageError, is_disk_full
from triage.export import court, csvfmt, decisions, gogen, summary
from triage.export.bundle import Bundle, open_bundle
from triage.export.courts import EMPTY, CourtBook
from triage.export.fmt import plural
from triage.export.runs import manifest as run_manifest
from triage.export.runs import resolve_run
from triage.review.stats import unresolved
from triage.runs import Run


@dataclass(frozen=True)
class Options:
    """What the user chose beyond kind, folder, run and profile."""

    allow_pending: bool = False  # court: export while convictions are still under review
    courts: CourtBook = EMPTY  # court: the office's court names (`triage.export.courts`)


Stage = Callable[[sqlite3.Connection, Run | None, Bundle, Options], dict[str, Any]]


@dataclass(frozen=True)
class Exporter:
    """One kind of export: its writer and the profiles it accepts (the first is the
    default). A kind exists only as an entry here, so none can lack a writer."""

    stage: Stage
    profiles: tuple[str, ...]
    help: str
    needs_run: bool = True
    check: Callable[[sqlite3.Connection, Run, Options], None] | None = None
    # What the office files (court exhibits and orders): the supervisor role only
    # (`triage.authority`); the other kinds stay open to reviewers.
    supervisor: bool = False


def _gogen(conn: sqlite3.Connection, run: Run | None, bundle: Bundle, _: Options) -> Any:
    return {"lineCount": gogen.export(conn, _need(run), bundle)["lineCount"]}


def _court(conn: sqlite3.Connection, run: Run | None, bundle: Bundle, opt: Options) -> Any:
    run = _need(run)
    subtitle = (
        f"Run #{run.id} - {run.pack_title} v{run.pack_version} - compute-at "
        f"{run.compute_at} - generated {db.now()[:10]}"
    )
    return court.export(conn, run, bundle, subtitle=subtitle, book=opt.courts)


def _court_check(conn: sqlite3.Connection, run: Run, opt: Options) -> None:
    """A court filing while the office has no position on some convictions is refused
    unless the user says so: they would be silently missing from the motion."""
    waiting = unresolved(conn, run.id)
    if waiting.total and not opt.allow_pending:
        raise TriageError(
            f"export court: {pending_text(waiting.total)} in run {run.id} "
            f"({waiting.undecided} undecided, {waiting.deferred} deferred); nothing was "
            "written: decide them first, or pass --allow-pending to file without them"
        )


def pending_text(count: int) -> str:
    """'1 conviction is still under review', '3 convictions are ...'."""
    return f"{plural(count, 'conviction')} {'is' if count == 1 else 'are'} still under review"


def _decisions(conn: sqlite3.Connection, _r: Run | None, bundle: Bundle, _: Options) -> Any:
    return decisions.export(conn, bundle)


def _summary(conn: sqlite3.Connection, run: Run | None, bundle: Bundle, _: Options) -> Any:
    figures = summary.export(conn, _need(run), bundle)
    return {"convictions": figures["convictions"], "people": figures["people"]}


def _need(run: Run | None) -> Run:
    if run is None:  # `_run_for` resolves a run for every kind that needs one
        raise TriageError("no classification run yet: run `triage classify` first")
    return run


# gogen's files must be byte-compatible with gogen's; the others are opened by people.
EXPORTERS: dict[str, Exporter] = {
    "gogen": Exporter(_gogen, ("machine", "spreadsheet"), "gogen-compatible result files"),
    "court": Exporter(
        _court, ("spreadsheet", "machine", "xlsx"),
        "exhibits and proposed orders per court, challenged list (supervisors only)",
        check=_court_check,
        supervisor=True,
    ),
    "decisions": Exporter(
        _decisions, ("spreadsheet", "machine", "xlsx"), "every decision and note",
        needs_run=False,
    ),
    "summary": Exporter(_summary, ("machine", "spreadsheet"), "the summary report in Markdown and PDF"),
}  # fmt: skip
KINDS = tuple(EXPORTERS)
PROFILES = tuple(csvfmt.PROFILES)
DEFAULT_PROFILE = {kind: e.profiles[0] for kind, e in EXPORTERS.items()}


def check_kind(kind: str) -> Exporter:
    """The exporter for `kind`, or a usage error naming the kinds."""
    try:
        return EXPORTERS[kind]
    except KeyError:
        raise UsageError(f"export: unknown kind {kind!r} (choose {', '.join(KINDS)})") from None


def check_profile(kind: str, profile: str | None) -> csvfmt.Profile:
    """The profile for `kind` (its default when None); a usage error naming the choices."""
    exporter = check_kind(kind)
    name = profile or exporter.profiles[0]
    csvfmt.profile(name)  # an unknown name: the list of every profile
    if name not in exporter.profiles:
        raise UsageError(
            f"--profile: {name!r} is not available for {kind} "
            f"(choose {' or '.join(exporter.profiles)})"
        )
    return csvfmt.profile(name)


def run_export(
    conn: sqlite3.Connection,
    kind: str,
    out_dir: Path,
    *,
    actor: str,
    run_id: int | None = None,
    profile: str | None = None,
    options: Options = Options(),  # noqa: B008 - frozen, never changed
) -> dict[str, Any]:
    """Write export `kind` into `out_dir`; returns its manifest. A kind the office files
    (`Exporter.supervisor`: court) is refused to an `actor` who is not a supervisor
    (`RefusedError`, audited), before anything is written."""
    exporter = check_kind(kind)
    prof = check_profile(kind, profile)
    if exporter.supervisor:  # refused (and audited) before the folder is touched
        with authority.audited(conn):
            authority.require_supervisor(
                conn, actor, "export", f"export:{kind}", what=f"export {kind} (what the office "
                "files with the court)",
            )  # fmt: skip
    conn.execute("BEGIN")  # read snapshot: the export sees one state of the database
    try:
        run = _run_for(conn, exporter, run_id)
        if exporter.check is not None and run is not None:
            exporter.check(conn, run, options)  # before the folder is touched
        with open_bundle(out_dir, prof, kind=kind) as bundle:
            details = exporter.stage(conn, run, bundle, options)
            # The audit trail as this snapshot saw it: kept with the export, outside the
            # database, for `triage doctor --expect-head` (see triage/audit.py).
            head = audit.head(conn)
            conn.execute("COMMIT")
            meta: dict[str, Any] = {
                "kind": kind, "triage_version": triage_version, "created_by": actor,
                "created_at": db.now(), "details": details, "audit_head": head,
                **(run_manifest(run) if run is not None else {"run_id": None}),
            }  # fmt: skip
            manifest = bundle.commit(meta)
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
    try:
        with db.write(conn):
            audit.append(conn, actor, "export", f"export:{kind}", {
                "run": run.id if run is not None else None, "out": str(out_dir),
                "profile": prof.name,
                **({"pending": details["pending"]} if "pending" in details else {}),
                "files": {f["name"]: f["rows"] for f in manifest["files"]},
            })  # fmt: skip
    except sqlite3.Error as exc:
        if not is_disk_full(exc):
            raise
        # The files are in place by now: say so, rather than "nothing was written".
        raise DiskFullError(
            f"disk full while recording the export in the audit trail: the files in {out_dir} "
            "are complete, but the audit trail does not list this export"
        ) from exc
    return manifest


def _run_for(conn: sqlite3.Connection, exporter: Exporter, run_id: int | None) -> Run | None:
    if not exporter.needs_run and run_id is None and db.active_run_id(conn) is None:
        return None  # the decisions log does not depend on a run
    return resolve_run(conn, run_id)
