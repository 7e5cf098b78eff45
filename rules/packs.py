"""Policy packs: an office's Prop 64 policy as an ordered list of steps, in a TOML file.

A pack is data a district attorney's office can read and edit (see `rules/packs/*.toml`):
id, title, version, jurisdiction, default county and compute-at date, parameters, and
`[[steps]]`, each naming a predicate from `rules.predicates` with typed parameters, an
outcome (`dismiss`, `reduce`, `not_eligible`, `review`), a label, a reason template and a
legal citation. The first matching step decides. A `review` step also says what the
reviewer is offered: `suggest` (an outcome with `suggest_reason`, "next" or "floor") or
`question` (see `rules.suggest`).

A step parameter may refer to a pack parameter with `"$name"`, and `when = "name"` turns a
step off while that parameter is false or 0 (the gogen options work this way). Everything
is checked when the pack loads; a problem is reported as `file:line: message`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

from rules.errors import RulesError
from rules.pack_loader import build_pack
from rules.pack_model import Condition, Pack, Step

__all__ = [
    "BUNDLED_DIR",
    "Condition",
    "Pack",
    "Step",
    "bundled_ids",
    "check_pack",
    "list_packs",
    "load_pack",
    "pack_from_gogen_options",
]

BUNDLED_DIR = Path(__file__).resolve().parent / "packs"

# The pack every other pack's review suggestions are held to (HS 11361.8 on DOJ facts).
FLOOR_ID = "california-statute"


def _looks_like_path(id_or_path: str) -> bool:
    return (
        id_or_path.endswith(".toml")
        or os.sep in id_or_path
        or "/" in id_or_path
        or Path(id_or_path).is_file()
    )


def bundled_ids() -> list[str]:
    """Ids of the packs shipped with triage."""
    return sorted(p.stem for p in BUNDLED_DIR.glob("*.toml"))


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise RulesError(f"{path}: no such policy pack file") from None
    except IsADirectoryError:
        raise RulesError(f"{path}: is a directory, not a policy pack file") from None
    except OSError as exc:
        raise RulesError(f"{path}: cannot read: {exc.strerror}") from None


def _load_file(
    path: Path, overrides: Mapping[str, object] | None = None, *, extra: bytes = b""
) -> Pack:
    data = _read(path)
    problems: list[str] = []
    pack = build_pack(data, str(path), problems, overrides=overrides)
    if problems or pack is None:
        raise RulesError(problems[0] if problems else f"{path}: invalid policy pack")
    floor = None if pack.id == FLOOR_ID else _floor()
    if floor is not None:
        # A run's suggestions depend on the floor too: its hash is part of the pack's.
        extra += b"\0floor:" + floor.content_hash.encode()
    digest = hashlib.sha256(data + b"\0" + extra).hexdigest()
    return dataclasses.replace(pack, content_hash=digest, floor=floor)


def _floor() -> Pack:
    """The bundled statute floor pack."""
    return _load_file(BUNDLED_DIR / f"{FLOOR_ID}.toml")


def load_pack(id_or_path: str) -> Pack:
    """Load a bundled pack by id (`los-angeles-2019`) or a pack file by path."""
    if _looks_like_path(id_or_path):
        return _load_file(Path(id_or_path))
    path = BUNDLED_DIR / f"{id_or_path}.toml"
    if not path.is_file():
        known = ", ".join(bundled_ids())
        raise RulesError(f"unknown policy pack '{id_or_path}' (bundled packs: {known})")
    return _load_file(path)


def list_packs() -> list[Pack]:
    """Every bundled pack, by id."""
    return [_load_file(BUNDLED_DIR / f"{pid}.toml") for pid in bundled_ids()]


def check_pack(path: str | Path) -> list[str]:
    """All problems found in a pack file, each `file:line: message` (empty when valid)."""
    p = Path(path)
    try:
        data = _read(p)
    except RulesError as exc:
        return [str(exc)]
    problems: list[str] = []
    build_pack(data, str(p), problems)
    return problems


def pack_from_gogen_options(
    path_or_mapping: str | Path | Mapping[str, object], *, county: str | None = None
) -> Pack:
    """The bundled `gogen` pack driven by gogen/BEAR options JSON (a file or a mapping).

    Reads `baselineEligibility.dismiss/reduce` and `additionalRelief.*` with gogen's
    validation (age threshold 40-65 or 0, years thresholds 1-15 or 0); problems raise
    RulesError naming the options file and line.
    """
    from rules.gogen_options import read_gogen_options

    parameters, canonical, source = read_gogen_options(path_or_mapping)
    pack = _load_file(BUNDLED_DIR / "gogen.toml", parameters, extra=canonical)
    pack = dataclasses.replace(pack, source=source)
    if county is not None:
        pack = dataclasses.replace(pack, county=county.strip())
    return pack
