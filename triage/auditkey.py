"""The office's audit key: a secret kept outside the database that seals the audit trail.

The hash chain alone proves nothing to someone who can write the file: they can edit an
entry and recompute every hash after it. So each entry also gets a seal, an HMAC-SHA256 of
its hash under this key (`audit_seals`); the hash covers every entry before it, so a valid
seal vouches for the whole chain up to its entry. Without the key nobody can make a seal,
and `triage doctor` (which has the key) finds any entry rewritten since.

Where the key lives: `$TRIAGE_AUDIT_KEY` (a file path) when set, else
`$XDG_CONFIG_HOME/triage/audit.key`, else `~/.config/triage/audit.key`. It is made, mode
0600, the first time triage writes an audit entry without one. Every account that writes
to a database must use the same key (a shared deployment points `TRIAGE_AUDIT_KEY` at one
file all of them can read), or doctor reports entries sealed with another key. Made in a
shared setgid folder, it is 0640 with the folder's group: the group reads it, nobody
rewrites it (`sharing`).

The file is three lines of text: a title, `created <UTC timestamp>` and `secret <64 hex>`.
The creation time matters: an entry written after it without a seal was not written by
triage (which always seals when it has a key), so doctor reports it.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import re
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from triage.db import file_mode_for, now
from triage.errors import TriageError

ENV = "TRIAGE_AUDIT_KEY"
TITLE = "triage audit key 1"
_SECRET = re.compile(r"^[0-9a-f]{64}$")
_CREATED = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


@dataclass(frozen=True)
class AuditKey:
    path: Path
    secret: bytes
    created: str  # db.now() format, so it compares with audit.at as text

    @property
    def key_id(self) -> str:
        """A public name for the key (it reveals nothing of the secret)."""
        return hmac.new(self.secret, b"triage audit key id", hashlib.sha256).hexdigest()[:16]

    def seal(self, entry_hash: str) -> str:
        return hmac.new(self.secret, entry_hash.encode("ascii"), hashlib.sha256).hexdigest()


def default_path() -> Path:
    """Where this process looks for the key (see the module docstring)."""
    explicit = os.environ.get(ENV)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "triage" / "audit.key"


def load(path: Path) -> AuditKey | None:
    """The key at `path`, or None when there is no file there. A file that is there but
    unreadable or malformed is a `TriageError`: writing on without it would leave entries
    unsealed, and doctor would take a wrong key for tampering."""
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not text"
        raise TriageError(f"{path}: cannot read the audit key ({reason})") from None
    lines = text.splitlines()
    fields = dict(line.split(" ", 1) for line in lines[1:] if " " in line)
    created, secret = fields.get("created", ""), fields.get("secret", "")
    if not lines or lines[0] != TITLE or not _CREATED.match(created) or not _SECRET.match(secret):
        raise TriageError(f"{path}: not a triage audit key (the file is damaged or another file)")
    return AuditKey(path, bytes.fromhex(secret), created)


def load_or_create(path: Path) -> AuditKey:
    """The key at `path`, made first if there is none. Two processes making it at once end
    up with the same key: it is written under a private name, then linked into place, which
    fails for the second one, who reads the first one's."""
    key = load(path)
    if key is not None:
        return key
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        staged = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}"
        mode = file_mode_for(path) & 0o640  # group-readable only when the folder is shared
        fd = os.open(staged, os.O_CREAT | os.O_EXCL | os.O_WRONLY, mode)
        try:
            os.fchmod(fd, mode)
            os.write(fd, f"{TITLE}\ncreated {now()}\nsecret {secrets.token_hex(32)}\n".encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            with contextlib.suppress(FileExistsError):
                os.link(staged, path)
        finally:
            staged.unlink()
    except OSError as exc:
        raise TriageError(
            f"{path}: cannot create the audit key ({exc.strerror}); set {ENV} to a file "
            "triage may create, or ask whoever set triage up for the office's key"
        ) from None
    made = load(path)
    assert made is not None
    return made


def loose_mode(path: Path) -> str | None:
    """Why the key file's mode is too open (readable or writable by other accounts than
    its owner's group), or None. A group may share it in a multi-account deployment."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return None
    if mode & 0o007:
        return f"{path.name} is {mode:04o}: other accounts can read the audit key"
    return None
