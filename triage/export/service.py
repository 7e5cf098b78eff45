"""`run_export`: one export, start to finish, as the CLI and the TUI call it.

All reading happens inside one read transaction, so an export is a consistent snapshot
even while reviewers keep deciding (WAL readers never block writers). The files are staged
and moved into place together (`bundle`), and the export is recorded in the audit trail
(kind, run, folder, file names and row counts: never record data) in its own short write.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from triage import __version__ as triage_version
from triage import audit, db
from triage.errors import DiskFullError, UsageError, is_disk_full
from triage.export import court, csvfmt, decisions, gogen, summary
from triage.export.bundle import open_bundle
from triage.export.runs import RunFacts, resolve_run

KINDS = ("gogen", "court", "decisions", "summary")
# gogen's files must be byte-compatible with gogen's; the others are opened by people.
DEFAULT_PROFILE = {"gogen": "machine", "court": "spreadsheet", "decisions": "spreadsheet",
                   "summary": "machine"}  # fmt: skip


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise UsageError(f"export: unknown kind {kind!r} (choose {', '.join(KINDS)})")
    return kind


def run_export(
    conn: sqlite3.Connection,
    kind: str,
    out_dir: Path,
    *,
    actor: str,
    run_id: int | None = None,
    profile: str | None = None,
) -> dict[str, Any]:
    """Write export `kind` into `out_dir`; returns its manifest."""
    check_kind(kind)
    prof = csvfmt.profile(profile or DEFAULT_PROFILE[kind])
    conn.execute("BEGIN")  # read snapshot: the export sees one state of the database
    try:
        run = _run_for(conn, kind, run_id)
        with open_bundle(out_dir, prof, kind=kind) as bundle:
            details = _stage(conn, kind, run, bundle)
            # The audit trail as this snapshot saw it: kept with the export, outside the
            # database, for `triage doctor --expect-head` (see triage/audit.py).
            head = audit.head(conn)
            conn.execute("COMMIT")
            meta: dict[str, Any] = {
                "kind": kind, "triage_version": triage_version, "created_by": actor,
                "created_at": db.now(), "details": details, "audit_head": head,
                **(run.manifest() if run is not None else {"run_id": None}),
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


def _run_for(conn: sqlite3.Connection, kind: str, run_id: int | None) -> RunFacts | None:
    if kind == "decisions" and run_id is None and db.active_run_id(conn) is None:
        return None  # the decisions log does not depend on a run
    return resolve_run(conn, run_id)


def _stage(
    conn: sqlite3.Connection, kind: str, run: RunFacts | None, bundle: Any
) -> dict[str, Any]:
    if kind == "decisions":
        return decisions.export(conn, bundle)
    assert run is not None
    if kind == "gogen":
        figures = gogen.export(conn, run, bundle)
        return {"lineCount": figures["lineCount"]}
    if kind == "court":
        subtitle = (
            f"Run #{run.id} - {run.pack_title} v{run.pack_version} - compute-at "
            f"{run.compute_at} - generated {db.now()[:10]}"
        )
        return court.export(conn, run, bundle, subtitle=subtitle)
    figures = summary.export(conn, run, bundle)
    return {"convictions": figures["convictions"], "people": figures["people"]}
