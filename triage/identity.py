"""Who is reviewing. Never from $USER/$LOGNAME, which anyone can set."""

from __future__ import annotations

import os
import pwd
import re

from triage.errors import UsageError

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


def os_account() -> str:
    """The login name of the process's real user id, from the password database."""
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return f"uid{os.getuid()}"


def reviewer(explicit: str | None = None) -> str:
    """`--reviewer NAME` when given (validated), else the OS account."""
    if explicit is None or explicit == "":
        return os_account()
    if not _NAME.match(explicit):
        raise UsageError(
            "--reviewer: use 1-64 letters, digits, '.', '_', '@' or '-', starting with a "
            "letter or digit"
        )
    return explicit
