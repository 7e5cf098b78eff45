"""What an export may write over: an empty folder, or an earlier export of the same kind.

An export into a folder that holds other files would mix them with its own under one
`manifest.json`, and a court exhibit folder with last month's extra exhibit beside this
month's manifest is a filing error waiting to happen. So `--out` is refused when it holds
anything but an earlier export of the same kind (known by its `manifest.json` kind and the
files that manifest lists), and the one it holds is replaced whole:

1. its `manifest.json` is renamed `.triage-replacing.json` (from here on the folder has no
   manifest: it is visibly not a finished export);
2. its files that the new export does not write are removed;
3. the new files are moved into place, then the new `manifest.json`;
4. `.triage-replacing.json` is removed.

So whenever a `manifest.json` is present, the folder holds exactly the files it lists. An
export killed part-way leaves the marker, which the next export reads as the earlier export
it replaces. Staging folders (`bundle.STAGING_PREFIX`) are the bundle's own business.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from triage.errors import TriageError

MANIFEST = "manifest.json"
REPLACING = ".triage-replacing.json"
SHOWN = 6


def _refuse(out: Path, what: str) -> TriageError:
    return TriageError(f"{out}: {what}; nothing was written (choose an empty or new folder)")


def _listed(out: Path, name: str, kind: str) -> set[str]:
    """The files an earlier export's manifest lists; refuses one of another kind."""
    try:
        manifest = json.loads((out / name).read_text(encoding="utf-8"))
        other = manifest["kind"]
        files = {str(f["name"]) for f in manifest["files"]}
    except (OSError, ValueError, KeyError, TypeError):
        raise _refuse(out, f"holds a {name} that is not a triage export manifest") from None
    if other != kind:
        raise _refuse(out, f"holds a {other} export, not a {kind} one")
    if any("/" in f or f.startswith(".") or f in (MANIFEST, REPLACING) for f in files):
        raise _refuse(out, f"holds a {name} that is not a triage export manifest")
    return files


def previous_export(out: Path, kind: str, staging_prefix: str) -> set[str]:
    """The file names of the earlier `kind` export in `out` (empty when the folder is
    empty); a `TriageError` listing what is there when it holds anything else."""
    names = {e.name for e in os.scandir(out) if not e.name.startswith(staging_prefix)}
    previous: set[str] = set()
    for manifest in (MANIFEST, REPLACING):
        if manifest in names:
            previous |= _listed(out, manifest, kind)
    others = sorted(names - previous - {MANIFEST, REPLACING})
    if others:
        shown = ", ".join(others[:SHOWN]) + (
            f" and {len(others) - SHOWN} more" if len(others) > SHOWN else ""
        )
        what = f"{kind} export" if previous else "export"
        raise _refuse(out, f"holds files that are not part of an earlier {what}: {shown}")
    return previous


def retire(out: Path, previous: set[str], keeping: set[str]) -> None:
    """Steps 1-2: take the earlier export's manifest down, remove the files the new export
    will not replace."""
    if (out / MANIFEST).exists():
        os.replace(out / MANIFEST, out / REPLACING)
    for name in sorted(previous - keeping):
        with contextlib.suppress(FileNotFoundError):
            (out / name).unlink()


def finish(out: Path) -> None:
    """Step 4, once the new manifest is in place."""
    with contextlib.suppress(FileNotFoundError):
        (out / REPLACING).unlink()
