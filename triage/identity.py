"""Who is reviewing: the OS account running triage. Never from $USER/$LOGNAME, which anyone
can set.

`--reviewer NAME` records work done for someone else (a paper file keyed in by a
paralegal, say). Only the account that owns the database file may use it, and what is
recorded is "NAME via OWNER", so the trail always names the account that typed it. Any
other account gets `ReviewerRefusedError` (exit 2): with its own SSH login, a reviewer is
who the OS says they are (README, "Deploying for several accounts").
"""

from __future__ import annotations

import functools
import os
import pwd
import re
from pathlib import Path

from triage.errors import ReviewerRefusedError, UsageError

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
VIA = " via "


@functools.lru_cache(maxsize=64)
def account_name(uid: int) -> str:
    """The login name of a user id, from the password database (cached: with LDAP behind
    it a lookup can be slow, and every decision asks who owns the database)."""
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid{uid}"


def os_account() -> str:
    """The login name of the process's real user id."""
    return account_name(os.getuid())


def file_owner(path: Path) -> tuple[int, str] | None:
    """(uid, login name) of the file's owner, or None when there is no file."""
    try:
        uid = Path(path).stat().st_uid
    except OSError:
        return None
    return uid, account_name(uid)


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise UsageError(
            "--reviewer: use 1-64 letters, digits, '.', '_', '@' or '-', starting with a "
            "letter or digit"
        )
    return name


def reviewer(explicit: str | None, db_path: Path) -> str:
    """The name to record for work on the database at `db_path`: the OS account, or with
    `--reviewer NAME` (database owner only) "NAME via OWNER"."""
    account = os_account()
    if explicit is None or explicit == "":
        return account
    name = check_name(explicit)
    if name == account:
        return account  # naming oneself is no impersonation
    owner = file_owner(db_path)
    if owner is None:
        return account  # no database: the command's own open reports that
    uid, owner_name = owner
    if uid != os.getuid():
        raise ReviewerRefusedError(
            f"--reviewer: only the database's owner ({owner_name}) may record work for "
            f"someone else; as {account}, leave --reviewer out and your work is recorded "
            "under your own account",
            actor=account,
            attempted="--reviewer",
            target=name,
            detail={"account": account, "owner": owner_name},
        )
    return owner_name if name == owner_name else f"{name}{VIA}{owner_name}"


def account_of(recorded: str) -> str:
    """The OS account behind a recorded reviewer name ("NAME via OWNER" -> OWNER)."""
    return recorded.rsplit(VIA, 1)[1] if VIA in recorded else recorded
