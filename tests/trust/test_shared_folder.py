"""A group-shared deployment (issue 10, "Who may do what"): in a setgid folder every file
triage makes is 0660 with the folder's group, whatever the umask; connect never tightens
a shared file below that; doctor checks the sharing and names each fix.

The folder's group here is the test account's own primary group (any account may make a
folder it owns setgid with its own group); tests/test_accounts.py runs two real accounts.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from test_security_modes import _session

from triage import auditkey, db, sharing
from triage.maintenance import OK, WARN, doctor


def _shared(folder: Path) -> Path:
    folder.mkdir()
    os.chown(folder, -1, os.getgid())
    os.chmod(folder, 0o2770)
    return folder


@pytest.mark.parametrize("mask", [0o022, 0o077], ids=["umask022", "umask077"])
def test_every_file_of_a_session_in_a_shared_folder_is_0660_with_its_group(
    tmp_path: Path, mask: int
) -> None:
    work = _shared(tmp_path / "office")
    old = os.umask(mask)
    try:
        _session(work)
        holder = db.connect(work / "office.db")  # keep the -wal/-shm while looking
        try:
            files = [p for p in work.rglob("*") if p.is_file() and p.parent.name != "input"]
            wrong = {
                str(p.relative_to(work)): (oct(stat.S_IMODE(p.stat().st_mode)), p.stat().st_gid)
                for p in files
                if stat.S_IMODE(p.stat().st_mode) != 0o660 or p.stat().st_gid != os.getgid()
            }
        finally:
            holder.close()
    finally:
        os.umask(old)
    names = {p.name for p in files}
    assert {"office.db", "office.db-wal", "office.db-shm", "office-copy.db"} <= names
    assert wrong == {}
    export_dirs = [p for p in (work / "exports").iterdir() if p.is_dir()]
    assert export_dirs and all(stat.S_IMODE(p.stat().st_mode) == 0o2770 for p in export_dirs)


def test_doctor_checks_the_sharing_and_says_what_to_fix(tmp_path: Path) -> None:
    work = _shared(tmp_path / "office")
    path = work / "t.db"
    db.connect(path, create=True).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o660
    checks = {c.name: c for c in doctor(path).checks}
    assert checks["file sharing"].status == OK
    assert checks["file sharing"].message.startswith(
        f"shared with group {sharing.group_name(os.getgid())}: folder setgid"
    )
    os.chmod(path, 0o600)  # e.g. copied in with cp, keeping its private mode
    checks = {c.name: c for c in doctor(path).checks}
    assert checks["file sharing"].status == WARN
    assert f"t.db is 0600: the group cannot write it (chmod 660 {path})" in (
        checks["file sharing"].message
    )
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # opening never loosens
    os.chmod(path, 0o666)
    checks = {c.name: c for c in doctor(path).checks}
    assert "t.db is 0666: open to other accounts" in checks["file sharing"].message
    assert stat.S_IMODE(path.stat().st_mode) == 0o660  # tightened to the shared mode only
    os.chmod(work, 0o2775)
    message = {c.name: c for c in doctor(path).checks}["file sharing"].message
    assert f"open to other accounts (chmod o-rwx {work.absolute()})" in message


def test_a_private_folder_keeps_0600_and_doctor_points_at_sharing(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    db.connect(path, create=True).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    os.chmod(path, 0o660)
    checks = {c.name: c for c in doctor(path).checks}
    assert checks["file modes"].status == WARN
    assert f"chmod 600 {path}" in checks["file modes"].message
    assert "Deploying for several accounts" in checks["file modes"].message


def test_an_audit_key_made_in_a_shared_folder_is_group_readable(tmp_path: Path) -> None:
    work = _shared(tmp_path / "office")
    key = auditkey.load_or_create(work / "audit.key")
    st = key.path.stat()
    assert (stat.S_IMODE(st.st_mode), st.st_gid) == (0o640, os.getgid())
    assert auditkey.loose_mode(key.path) is None
    private = auditkey.load_or_create(tmp_path / "own" / "audit.key")
    assert stat.S_IMODE(private.path.stat().st_mode) == 0o600


def test_doctor_spots_a_group_folder_that_is_not_setgid(tmp_path: Path) -> None:
    work = tmp_path / "office"
    work.mkdir()
    os.chmod(work, 0o770)  # meant for the group, setgid forgotten
    path = work / "t.db"
    db.connect(path, create=True).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # so triage keeps it private
    os.chmod(path, 0o660)
    message = {c.name: c for c in doctor(path).checks}["file modes"].message
    assert f"folder {work.absolute()} is group-writable but not setgid" in message
    assert f"chmod 2770 {work.absolute()}" in message
