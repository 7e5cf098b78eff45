"""User-facing errors: one clear line, never a traceback, never record data."""

from __future__ import annotations

import errno
import sqlite3


class TriageError(Exception):
    """A problem the user can fix (bad file, unknown pack, missing database...).

    The CLI prints `str(error)` on one line to stderr and exits with `exit_code`.
    Messages must say what and where (file and line) and must not quote record data.
    """

    exit_code = 1


class UsageError(TriageError):
    """Bad arguments: exit code 2, like Typer's own usage errors."""

    exit_code = 2


class SchemaError(TriageError):
    """The database was written by another schema version of triage."""


class ConflictError(TriageError):
    """Someone else changed a conviction's decision since the caller last saw it."""

    def __init__(
        self,
        key: str,
        expected_version: int,
        current_version: int,
        current_decision: str | None,
        current_reviewer: str | None,
        attempted: str | None,
    ) -> None:
        self.key = key
        self.expected_version = expected_version
        self.current_version = current_version
        self.current_decision = current_decision
        self.current_reviewer = current_reviewer
        self.attempted = attempted
        super().__init__(
            f"conflict on {key}: {current_reviewer or 'someone'} recorded "
            f"{current_decision or 'no decision'} (version {current_version}) after you "
            f"loaded version {expected_version}; your {attempted or 'change'} was not saved"
        )


class RefusedError(TriageError):
    """The account may not do this: its role does not allow it, or the case or decision is
    another reviewer's (`triage.authority`). Exit 1, like a conflict: the command was well
    formed, the database's roles said no. Nothing was written but the refusal itself, which
    `authority.audited` appends to the audit trail (action `refused`, `audit_detail`: who,
    what was attempted, which role it needs; names and keys, never record data)."""

    def __init__(
        self, message: str, *, actor: str, attempted: str, target: str, detail: dict[str, object]
    ) -> None:
        super().__init__(message)
        self.actor = actor
        self.attempted = attempted
        self.target = target
        self.audit_detail: dict[str, object] = {"attempted": attempted, **detail}


class ReviewerRefusedError(RefusedError):
    """`--reviewer` from an account that does not own the database: a usage error (exit 2)."""

    exit_code = 2


class DiskFullError(TriageError):
    """The disk (or the user's quota) is full. Every write triage makes is a transaction or
    a staged file, so what was being written was rolled back or removed: exit 74, the
    sysexits code for an I/O error, so scripts can tell it from bad input (1)."""

    exit_code = 74


_NO_SPACE = (errno.ENOSPC, errno.EDQUOT)


def is_disk_full(exc: BaseException | None) -> bool:
    """Whether `exc`, or an error it was raised from or while handling, is SQLite's
    SQLITE_FULL or the system's ENOSPC/EDQUOT (wherever it surfaced: a write transaction,
    an export file, a backup copy)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, DiskFullError):
            return True
        if isinstance(exc, sqlite3.Error):
            code = getattr(exc, "sqlite_errorcode", None)
            if code is not None and code & 0xFF == sqlite3.SQLITE_FULL:
                return True
        if isinstance(exc, OSError) and exc.errno in _NO_SPACE:
            return True
        exc = exc.__cause__ or exc.__context__
    return False
