"""User key remapping: a TOML file mapping binding ids to keys, applied with App.set_keymap.

    # ~/.config/triage/keys.toml
    [case]
    dismiss = "x"            # same as "case.dismiss" = "x"
    accept = ["enter", "y"]

Every binding in the app has an id (`scope.name`); unknown ids and keys bound twice in
the same scope are reported as one clear line naming the file.
"""

from __future__ import annotations

import os
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path

from textual.binding import Binding, BindingType

from triage.errors import TriageError


def default_path() -> Path:
    """`$XDG_CONFIG_HOME/triage/keys.toml`, else `~/.config/triage/keys.toml`."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "triage" / "keys.toml"


def _flatten(table: Mapping[str, object], prefix: str, out: dict[str, object]) -> None:
    for name, value in table.items():
        full = f"{prefix}.{name}" if prefix else name
        if isinstance(value, dict):
            _flatten(value, full, out)
        else:
            out[full] = value


def _keys_of(value: object, where: str, binding_id: str) -> str:
    if isinstance(value, str) and value.strip():
        keys = [value]
    elif isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
        keys = list(value)
    else:
        raise TriageError(f"{where}: {binding_id!r} must be a key or a list of keys")
    return ",".join(k.strip() for k in keys)


def bindings_by_id(sources: Iterable[Iterable[BindingType]]) -> dict[str, Binding]:
    found: dict[str, Binding] = {}
    for bindings in sources:
        for item in bindings:
            if isinstance(item, Binding) and item.id:
                found[item.id] = item
    return found


def load(path: Path, known: Mapping[str, Binding], *, required: bool) -> dict[str, str]:
    """Read and validate a keymap file. Missing file: {} unless `required` (--keys PATH)."""
    if not path.exists():
        if required:
            raise TriageError(f"{path}: no such key map file")
        return {}
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise TriageError(f"{path}: cannot read key map ({exc.__class__.__name__})") from None
    except tomllib.TOMLDecodeError as exc:
        raise TriageError(f"{path}: not valid TOML ({exc})") from None
    flat: dict[str, object] = {}
    _flatten(table.get("keys", table) if isinstance(table.get("keys"), dict) else table, "", flat)
    keymap: dict[str, str] = {}
    for binding_id, value in flat.items():
        if binding_id not in known:
            choices = ", ".join(sorted(known))
            raise TriageError(f"{path}: unknown binding id {binding_id!r} (known: {choices})")
        keymap[binding_id] = _keys_of(value, str(path), binding_id)
    check_clashes(keymap, known, str(path))
    return keymap


# Unicode names Textual spells differently for key names.
_KEY_NAMES = {
    "solidus": "slash",
    "reverse_solidus": "backslash",
    "commercial_at": "at",
    "hyphen_minus": "minus",
    "plus_sign": "plus",
    "low_line": "underscore",
}


def key_name(key: str) -> str:
    """A key as Textual names it: `?` is `question_mark`, `[` `left_square_bracket`;
    letters, digits and named keys (`enter`, `ctrl+s`) stay as they are."""
    key = key.strip()
    if len(key) != 1 or key.isalnum():
        return key
    if key == "\t":
        return "tab"
    try:
        name = unicodedata.name(key).lower().replace("-", "_").replace(" ", "_")
    except ValueError:
        return key
    return _KEY_NAMES.get(name, name)


def normalize(keys: str) -> str:
    """A comma-separated key list with every key in Textual's long form."""
    return ",".join(key_name(k) for k in keys.split(","))


def _keys(value: str) -> set[str]:
    return {k for k in normalize(value).split(",") if k}


def check_clashes(keymap: Mapping[str, str], known: Mapping[str, Binding], where: str) -> None:
    """Refuse a key bound to two actions active at the same time: two bindings of one
    screen (`scope.`), or a screen binding and an app-wide (`app.`) one."""
    effective = sorted((bid, _keys(keymap.get(bid, b.key))) for bid, b in known.items())
    for i, (first, first_keys) in enumerate(effective):
        for second, second_keys in effective[i + 1 :]:
            s1, s2 = first.split(".", 1)[0], second.split(".", 1)[0]
            if s1 != s2 and "app" not in (s1, s2):
                continue
            shared = first_keys & second_keys
            if shared:
                key = sorted(shared)[0]
                raise TriageError(f"{where}: key {key!r} is bound to both {first!r} and {second!r}")
