"""File modes for a private or a group-shared deployment, and doctor's check of them.

A database in an ordinary folder is its owner's alone: every file triage makes there is
0600. An office whose reviewers have their own OS accounts shares one database through a
folder that belongs to the office's group and has the setgid bit (`chgrp office DIR;
chmod 2770 DIR`): files made in it take the folder's group (the kernel's setgid rule), and
triage makes them 0660, so every member of the group can open the database and its
-wal/-shm, and nobody else can. The folder decides, never the umask: triage sets each mode
itself (README, "Deploying for several accounts").
"""

from __future__ import annotations

import grp
import os
import stat
from dataclasses import dataclass
from pathlib import Path

PRIVATE_FILE, SHARED_FILE = 0o600, 0o660
PRIVATE_DIR, SHARED_DIR = 0o700, 0o2770


def shared_group(folder: Path) -> int | None:
    """The folder's group id when it is a shared folder (setgid), else None."""
    try:
        st = folder.stat()
    except OSError:
        return None
    if not stat.S_ISDIR(st.st_mode) or not st.st_mode & stat.S_ISGID:
        return None
    return st.st_gid


def file_mode_for(path: Path) -> int:
    """The mode triage gives a file it creates at `path`: 0660 in a shared (setgid)
    folder, 0600 anywhere else."""
    return SHARED_FILE if shared_group(Path(path).absolute().parent) is not None else PRIVATE_FILE


def dir_mode_for(path: Path) -> int:
    """The mode of a folder triage creates at `path` (an export folder): 2770 inside a
    shared folder (so the group can open the export and what it holds stays the group's),
    0700 anywhere else."""
    return SHARED_DIR if shared_group(Path(path).absolute().parent) is not None else PRIVATE_DIR


def make_dir(path: Path) -> None:
    """Create a folder with `dir_mode_for`, whatever the umask."""
    mode = dir_mode_for(path)
    path.mkdir(mode=mode & 0o777)
    os.chmod(path, mode)


def group_name(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


@dataclass(frozen=True)
class FileState:
    """What doctor saw of a file before opening the database (which may tighten it)."""

    path: Path
    mode: int
    gid: int


def observe(paths: list[Path]) -> list[FileState]:
    found = []
    for p in paths:
        try:
            st = p.stat()
        except OSError:
            continue
        found.append(FileState(p, stat.S_IMODE(st.st_mode), st.st_gid))
    return found


def private_findings(files: list[FileState]) -> list[str]:
    """What is wrong with the files of a private (not setgid-shared) deployment."""
    return [
        f"{f.path.name} is {f.mode:04o}, readable or writable by others (chmod 600 {f.path})"
        for f in files
        if f.mode & 0o077
    ]


def unshared_group_folder(folder: Path) -> str | None:
    """A hint when a folder looks meant for a group (group-writable) but is not setgid:
    files made in it would not take its group, nor triage's shared modes."""
    try:
        st = folder.stat()
    except OSError:
        return None
    if st.st_mode & 0o070 == 0o070 and not st.st_mode & stat.S_ISGID:
        return (f"folder {folder} is group-writable but not setgid: to share the database "
                f"with group {group_name(st.st_gid)}, chmod 2770 {folder}")  # fmt: skip
    return None


def shared_findings(folder: Path, gid: int, files: list[FileState]) -> list[str]:
    """What keeps a setgid-shared deployment from working, or leaves it open to accounts
    outside the group, each with the command that fixes it."""
    group = group_name(gid)
    found = []
    mode = stat.S_IMODE(folder.stat().st_mode)
    if mode & 0o070 != 0o070:
        found.append(
            f"folder {folder} is {mode:04o}: the group cannot use it (chmod 2770 {folder})"
        )
    if mode & 0o007:
        found.append(
            f"folder {folder} is {mode:04o}: open to other accounts (chmod o-rwx {folder})"
        )
    for f in files:
        if f.gid != gid:
            found.append(f"{f.path.name} belongs to group {group_name(f.gid)}, not {group} "
                         f"(chgrp {group} {f.path})")  # fmt: skip
        if f.mode & 0o007:
            found.append(f"{f.path.name} is {f.mode:04o}: open to other accounts "
                         f"(chmod 660 {f.path})")  # fmt: skip
        elif f.mode & 0o060 != 0o060:
            found.append(f"{f.path.name} is {f.mode:04o}: the group cannot write it "
                         f"(chmod 660 {f.path})")  # fmt: skip
    return found
