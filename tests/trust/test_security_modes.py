"""File modes under a permissive umask (issue 4, test 8).

One whole working session runs under umask 022 (and 002, common on shared group
servers): import, classify, decisions and notes from two connections, every export kind,
a backup that is then opened. Afterwards every file triage created anywhere in the
working folder (database, -wal, -shm, exports, manifests, backups and their sidecars)
must be 0600. Other tests check single files; this one catches the file nobody thought of.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

import pytest

from rules.packs import load_pack
from triage import db, identity, review
from triage.classify import classify_run
from triage.export.service import KINDS, Options, run_export
from triage.importers import import_files
from triage.maintenance import backup
from triage.sample import write_doj_csv


def _session(work: Path) -> None:
    source = work / "input" / "county.csv"
    source.parent.mkdir()
    write_doj_csv(source, people=60, seed=4, home_county="LOS ANGELES")
    path = work / "office.db"
    conn = db.connect(path, create=True)
    other = None
    try:
        import_files(conn, [source], actor="clerk")
        classify_run(conn, load_pack("los-angeles-2019"), county="LOS ANGELES",
                     compute_at=dt.date(2019, 7, 1), actor=identity.os_account())  # fmt: skip
        keys = [str(r[0]) for r in conn.execute("SELECT key FROM determinations LIMIT 4")]
        other = db.connect(path)  # a second reviewer's connection
        review.decide(conn, keys[0], "dismiss", "ana", expected_version=0)
        review.decide(other, keys[1], "reduce", "ben", expected_version=0)
        subject = keys[2].split(":")[0]
        review.add_note(other, subject, "checked the court file", "ben")
        (work / "exports").mkdir()
        for kind in KINDS:
            run_export(conn, kind, work / "exports" / kind, actor=identity.os_account(),
                       options=Options(allow_pending=True))  # fmt: skip
        (work / "backups").mkdir()
        backup(conn, work / "backups" / "office-copy.db", actor="ana")
        copy = db.connect(work / "backups" / "office-copy.db")
        copy.execute("SELECT count(*) FROM decisions").fetchone()
        copy.close()
    finally:
        if other is not None:
            other.close()
        conn.close()


@pytest.mark.parametrize("mask", [0o022, 0o002], ids=["umask022", "umask002"])
def test_every_file_of_a_session_is_private(tmp_path: Path, mask: int) -> None:
    old = os.umask(mask)
    try:
        # Leave the -wal/-shm in place while checking: keep one connection open.
        _session(tmp_path)
        holder = db.connect(tmp_path / "office.db")
        holder.execute("SELECT count(*) FROM audit").fetchone()
        try:
            files = [p for p in tmp_path.rglob("*") if p.is_file() and p.parent.name != "input"]
            loose = {
                str(p.relative_to(tmp_path)): oct(stat.S_IMODE(p.stat().st_mode))
                for p in files
                if stat.S_IMODE(p.stat().st_mode) != 0o600
            }
        finally:
            holder.close()
    finally:
        os.umask(old)
    names = {p.name for p in files}
    assert {"office.db", "office.db-wal", "office.db-shm", "office-copy.db"} <= names
    assert any(p.parent.parent.name == "exports" for p in files)
    assert len(files) >= 10
    assert loose == {}
