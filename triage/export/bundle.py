"""Writing an export's files all-or-nothing, with a manifest.

An export is staged in a private folder inside the destination
(`.triage-staging-<pid>-<token>`), each file written, flushed and fsynced there. Only when
every file is complete is the manifest written and each file moved into place with
`os.replace` (an atomic rename on the same file system), data files first and the manifest
last, then the folder itself is fsynced. A killed export therefore never leaves a partial
file under a final name: either the old file or the complete new one is there. Staging
folders left by a killed process (its pid no longer running) are removed by the next export
into the same folder. Every file is created mode 0600 whatever the umask (exports hold
criminal-record data), or 0660 when the export folder is a shared setgid one
(`db.file_mode_for`); a folder made for the export inside a shared folder is 2770.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from triage.db import file_mode_for, now
from triage.errors import TriageError
from triage.export import outdir
from triage.export.csvfmt import MACHINE, Profile, encode_row
from triage.export.xlsx import Sheet
from triage.sharing import make_dir

STAGING_PREFIX = ".triage-staging-"
MANIFEST = outdir.MANIFEST


@dataclass
class FileEntry:
    name: str
    rows: int | None
    bytes: int = 0
    sha256: str = ""


@dataclass
class CsvFile:
    """A CSV being staged: rows are encoded in the bundle's profile and counted."""

    _handle: Any
    profile: Profile
    entry: FileEntry

    def row(self, values: Sequence[str]) -> None:
        self._handle.write(encode_row(values, self.profile))
        self.entry.rows = (self.entry.rows or 0) + 1


@dataclass
class Bundle:
    """The files of one export, staged until `commit()`; see the module docstring."""

    out_dir: Path
    staging: Path
    profile: Profile = MACHINE
    entries: list[FileEntry] = field(default_factory=list)
    _open: list[Any] = field(default_factory=list)
    # The files of the earlier export of the same kind this one replaces (`outdir`); None
    # when the bundle was opened without a kind (then nothing is removed).
    previous: set[str] | None = None

    def _path(self, name: str) -> Path:
        if "/" in name or name.startswith(".") or name == MANIFEST:
            raise ValueError(f"bad export file name {name!r}")
        if any(e.name == name for e in self.entries):
            raise ValueError(f"export file {name!r} written twice")
        return self.staging / name

    def _create(self, name: str, *, binary: bool, newline: str | None = "") -> Any:
        path = self._path(name)
        # The export folder decides (the staging folder inside it inherits its group).
        mode = file_mode_for(self.out_dir / name)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, mode)
        os.fchmod(fd, mode)
        if binary:
            return os.fdopen(fd, "wb")
        return os.fdopen(fd, "w", encoding="utf-8", newline=newline)

    @contextlib.contextmanager
    def csv(
        self, name: str, header: Sequence[str] | None, profile: Profile | None = None
    ) -> Iterator[CsvFile]:
        """Stage a CSV file; `rows` in the manifest counts data rows (header excluded)."""
        prof = profile or self.profile
        entry = FileEntry(name, 0)
        with self._create(name, binary=False) as handle:
            if prof.bom:
                handle.write("\ufeff")
            if header is not None:
                handle.write(encode_row(header, prof))
            yield CsvFile(handle, prof, entry)
            _sync(handle)
        self.entries.append(entry)

    @contextlib.contextmanager
    def table(self, stem: str, header: Sequence[str]) -> Iterator[CsvFile | Sheet]:
        """Stage a table as `stem.csv`, or `stem.xlsx` under the `xlsx` profile; either
        takes `.row(values)`."""
        if not self.profile.xlsx:
            with self.csv(f"{stem}.csv", header) as f:
                yield f
            return
        sheet = Sheet(header, title=stem)
        yield sheet
        self.binary(f"{stem}.xlsx", sheet.render(), rows=sheet.rows)

    def text(self, name: str, content: str, *, rows: int | None = None) -> None:
        """Stage a text file (Markdown, JSON) written exactly as given."""
        with self._create(name, binary=False) as handle:
            handle.write(content)
            _sync(handle)
        self.entries.append(FileEntry(name, rows))

    def binary(self, name: str, content: bytes, *, rows: int | None = None) -> None:
        """Stage a binary file (PDF)."""
        with self._create(name, binary=True) as handle:
            handle.write(content)
            _sync(handle)
        self.entries.append(FileEntry(name, rows))

    def commit(self, meta: dict[str, Any]) -> dict[str, Any]:
        """Write the manifest, then move every file into place; returns the manifest."""
        for entry in self.entries:
            data = (self.staging / entry.name).read_bytes()
            entry.bytes = len(data)
            entry.sha256 = hashlib.sha256(data).hexdigest()
        manifest: dict[str, Any] = {
            **meta,
            "created_at": meta.get("created_at") or now(),
            "profile": self.profile.name,
            "files": [
                {"name": e.name, "rows": e.rows, "bytes": e.bytes, "sha256": e.sha256}
                for e in self.entries
            ],
        }
        with self._create(MANIFEST_STAGE, binary=False, newline="\n") as handle:
            handle.write(json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True))
            handle.write("\n")
            _sync(handle)
        if self.previous is not None:
            outdir.retire(self.out_dir, self.previous, {e.name for e in self.entries})
        for entry in self.entries:
            os.replace(self.staging / entry.name, self.out_dir / entry.name)
        os.replace(self.staging / MANIFEST_STAGE, self.out_dir / MANIFEST)
        outdir.finish(self.out_dir)
        _sync_dir(self.out_dir)
        return manifest


# The manifest is staged under a name no export file can take, then renamed last.
MANIFEST_STAGE = "_manifest.json.stage"


def _sync(handle: Any) -> None:
    handle.flush()
    os.fsync(handle.fileno())


def _sync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_staging(out_dir: Path) -> int:
    """Remove staging folders whose process is gone (a killed export); returns how many."""
    removed = 0
    for child in out_dir.glob(STAGING_PREFIX + "*"):
        pid_text = child.name[len(STAGING_PREFIX) :].split("-", 1)[0]
        if not pid_text.isdigit() or _pid_alive(int(pid_text)):
            continue
        shutil.rmtree(child, ignore_errors=True)
        removed += 1
    return removed


class open_bundle:  # noqa: N801 - used as a context manager, reads like a function
    """`with open_bundle(out_dir, profile, kind=...) as bundle: ... bundle.commit(meta)`.

    Leaving the block without `commit()` (or with an exception) discards everything staged.
    With a `kind`, `out_dir` must be empty or hold an earlier export of that kind, which the
    commit replaces whole (`outdir`).
    """

    def __init__(self, out_dir: Path, profile: Profile = MACHINE, *, kind: str | None = None):
        self.out_dir = out_dir
        self.profile = profile
        self.kind = kind
        self.bundle: Bundle | None = None

    def __enter__(self) -> Bundle:
        out = self.out_dir
        if out.exists() and not out.is_dir():
            raise TriageError(f"{out}: exists and is not a folder")
        if not out.exists():
            if not out.parent.is_dir():
                raise TriageError(f"{out}: folder {out.parent} does not exist")
            try:
                make_dir(out)
            except OSError as exc:
                raise TriageError(f"{out}: cannot create folder ({exc.strerror})") from None
        if not os.access(out, os.W_OK | os.X_OK):
            raise TriageError(f"{out}: folder is not writable")
        previous = None
        if self.kind is not None:
            previous = outdir.previous_export(out, self.kind, STAGING_PREFIX)
        remove_stale_staging(out)
        staging = out / f"{STAGING_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
        staging.mkdir(mode=0o700)
        self.bundle = Bundle(out, staging, self.profile, previous=previous)
        return self.bundle

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.bundle is not None:
            shutil.rmtree(self.bundle.staging, ignore_errors=True)
