"""Two real OS accounts share one database (issue 10, "Who may do what").

The test makes a throwaway group and two throwaway accounts in it (root only; skipped
otherwise or without useradd/runuser), a shared setgid folder, and runs `triage` as each
account with `runuser`: the owner builds the database, both decide, the plain reviewer is
refused undoing the owner's decision (and the refusal is in the audit trail), the owner
(a supervisor) undoes the reviewer's, `--reviewer` is refused for the non-owner, a granted
supervisor may undo, and every file stays 0660 with the group (the audit key 0640).
Accounts, group and folder are removed afterwards.

Every invocation points TRIAGE_AUDIT_KEY at the office key in the shared folder (the
accounts have no home to keep one in). The worktree's .venv/bin/triage is used when the
accounts can run it; a venv whose interpreter lives where they cannot reach (pyenv under
/root) is run through the system's python of the same version on the venv's packages.
"""

from __future__ import annotations

import grp
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv"
TOOLS = ("useradd", "userdel", "groupadd", "groupdel", "runuser")

pytestmark = [
    pytest.mark.skipif(
        os.geteuid() != 0 or any(shutil.which(t) is None for t in TOOLS),
        reason="needs root and useradd/groupadd/runuser to make throwaway accounts",
    ),
    pytest.mark.slow,  # several OS accounts and processes on one database
]

# Puts the venv's packages on an interpreter outside the venv.
_PATHS = "import site, sys; sys.path.insert(0, {root!r}); site.addsitedir({site!r}); "
_CLI = "sys.argv[0] = 'triage'; from triage.cli import main; main()"


@dataclass
class Office:
    folder: Path
    group: str
    gid: int
    owner: str
    reviewer: str
    python: str  # an interpreter the accounts can run
    paths: str  # code that makes the venv's packages importable ("" in the venv)

    @property
    def triage(self) -> list[str]:
        if not self.paths:
            return [str(VENV / "bin" / "triage")]
        return self.python_code(_CLI)

    def python_code(self, code: str) -> list[str]:
        return [self.python, "-c", self.paths + code]

    @property
    def db(self) -> Path:
        return self.folder / "office.db"

    @property
    def key(self) -> Path:
        return self.folder / "audit.key"

    def run(self, account: str, *args: str) -> subprocess.CompletedProcess[str]:
        env = ["env", "-i", "PATH=/usr/bin:/bin", "HOME=/nonexistent", "LANG=C.UTF-8",
               f"TRIAGE_AUDIT_KEY={self.key}"]  # fmt: skip
        where = [] if args[0] == "sample" else ["--db", str(self.db)]
        return subprocess.run(
            ["runuser", "-u", account, "--", *env, *self.triage, *args, *where],
            cwd=self.folder, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip

    def ok(self, account: str, *args: str) -> str:
        done = self.run(account, *args)
        assert done.returncode == 0, (args, done.stderr)
        return done.stdout


def _sh(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True, timeout=60)


def _interpreter(account: str) -> tuple[str, str]:
    """(python, path setup) with which `account` can run triage from this worktree."""
    probe = subprocess.run(["runuser", "-u", account, "--", str(VENV / "bin" / "triage"),
                            "--help"], capture_output=True, timeout=120, check=False)  # fmt: skip
    if probe.returncode == 0:
        return str(VENV / "bin" / "python"), ""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    python = shutil.which(version, path="/usr/bin:/bin:/usr/local/bin")
    site_dir = VENV / "lib" / version / "site-packages"
    if python is None or not site_dir.is_dir():
        pytest.skip(f"the accounts cannot run {VENV}/bin/triage and there is no system {version}")
    return python, _PATHS.format(root=str(ROOT), site=str(site_dir))


@pytest.fixture
def office() -> Iterator[Office]:
    tag = f"trg{os.getpid() % 100000}"
    group, owner, reviewer = f"{tag}g", f"{tag}own", f"{tag}rev"
    made: list[tuple[str, str]] = []
    folder = Path(tempfile.mkdtemp(prefix="triage-office-", dir="/tmp"))
    try:
        _sh("groupadd", group)
        made.append(("groupdel", group))
        for account in (owner, reviewer):
            _sh("useradd", "-M", "-N", "-g", group, "-d", "/nonexistent", "-s", "/bin/sh",
                account)  # fmt: skip
            made.append(("userdel", account))
        gid = grp.getgrnam(group).gr_gid
        os.chown(folder, 0, gid)
        os.chmod(folder, 0o2770)  # the office's shared folder: group-owned, setgid
        yield Office(folder, group, gid, owner, reviewer, *_interpreter(owner))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        for tool, name in reversed(made):
            subprocess.run([tool, name], capture_output=True, timeout=60, check=False)


def _mode_and_group(path: Path) -> tuple[int, int]:
    st = path.stat()
    return stat.S_IMODE(st.st_mode), st.st_gid


def _audit(office: Office, action: str) -> list[dict[str, object]]:
    import sqlite3

    conn = sqlite3.connect(f"file:{office.db}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT actor, target, detail FROM audit WHERE action = ? ORDER BY id", (action,)
        ).fetchall()
    finally:
        conn.close()
    return [{"actor": r[0], "target": r[1], **json.loads(r[2])} for r in rows]


def test_two_accounts_share_one_database(office: Office) -> None:
    own, rev = office.owner, office.reviewer
    office.ok(own, "sample", "--people", "60", "--out", str(office.db))
    queue = json.loads(office.ok(own, "queue", "--json"))
    subjects: dict[str, str] = {}
    for item in queue["convictions"]:
        subjects.setdefault(item["subject_id"], item["key"])
    k_own, k_rev = list(subjects.values())[:2]

    # Both decide, each recorded under their own account.
    office.ok(own, "decide", k_own, "--decision", "dismiss")
    office.ok(rev, "decide", k_rev, "--decision", "reduce")
    history = json.loads(office.ok(rev, "history", k_own, "--json"))
    assert [d["reviewer"] for d in history["decisions"]] == [own]

    # The plain reviewer may not undo the owner's decision: one line, exit 1, audited.
    done = office.run(rev, "undo", k_own)
    assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith(f"triage: refused: the decision on {k_own} is {own}'s; "
                                  "undoing another reviewer's decision needs the supervisor "
                                  f"role (account {rev} is a reviewer)")  # fmt: skip
    assert [(r["actor"], r["target"], r["attempted"]) for r in _audit(office, "refused")] == [
        (rev, k_own, "undo")
    ]

    # The owner is a supervisor: it may undo the reviewer's decision.
    assert "back to undecided" in office.ok(own, "undo", k_rev)

    # --reviewer is the owner's alone.
    done = office.run(rev, "decide", k_own, "--decision", "defer", "--reviewer", own)
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert f"only the database's owner ({own}) may record work for someone else" in done.stderr
    office.ok(own, "decide", k_rev, "--decision", "defer", "--reviewer", "paper.file")
    history = json.loads(office.ok(rev, "history", k_rev, "--json"))
    assert history["decisions"][-1]["reviewer"] == f"paper.file via {own}"

    # A supervisor granted by the owner may undo another's decision.
    office.ok(own, "roles", "grant", rev, "supervisor")
    assert "back to undecided" in office.ok(rev, "undo", k_own)
    roles = json.loads(office.ok(rev, "roles", "list", "--json"))
    assert [(r["account"], r["role"]) for r in roles] == [(own, "supervisor"), (rev, "supervisor")]

    # Every file stays the group's: the database 0660, the shared audit key 0640.
    assert _mode_and_group(office.db) == (0o660, office.gid)
    assert _mode_and_group(office.key) == (0o640, office.gid)
    doctor = json.loads(office.ok(rev, "doctor", "--json"))
    checks = {c["name"]: c for c in doctor["checks"]}
    assert doctor["ok"], [c for c in doctor["checks"] if c["status"] != "ok"]
    assert checks["file sharing"]["status"] == "ok"
    assert checks["audit seals"]["status"] == "ok"
    assert checks["decisions vs audit"]["status"] == "ok"
    assert checks["roles vs audit"]["status"] == "ok"


def test_sidecars_made_by_the_second_account_are_the_groups(office: Office) -> None:
    """The reviewer's process makes the -wal/-shm (nobody else has the database open):
    0660, the folder's group, so the owner can work while it holds them."""
    own, rev = office.owner, office.reviewer
    office.ok(own, "sample", "--people", "30", "--out", str(office.db))
    hold = (
        "import sys; from triage import db; c = db.connect(sys.argv[1]); "
        "c.execute('SELECT count(*) FROM audit').fetchone(); print('open', flush=True); "
        "sys.stdin.read()"
    )
    holder = subprocess.Popen(
        ["runuser", "-u", rev, "--", "env", "-i", f"TRIAGE_AUDIT_KEY={office.key}",
         *office.python_code(hold), str(office.db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=office.folder,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        for suffix in ("-wal", "-shm"):
            side = Path(f"{office.db}{suffix}")
            assert side.stat().st_uid != office.db.stat().st_uid  # the reviewer's file
            assert _mode_and_group(side) == (0o660, office.gid)
        queue = json.loads(office.ok(own, "queue", "--json"))
        office.ok(own, "decide", queue["convictions"][0]["key"], "--decision", "dismiss")
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=60)
