"""User-facing errors: one clear line, never a traceback, never record data."""

from __future__ import annotations


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
