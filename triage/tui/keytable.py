"""README's key table, generated from the app's bindings.

    python -m triage.tui.keytable           # print the table
    python -m triage.tui.keytable --write   # rewrite the marked block of README.md
    python -m triage.tui.keytable --check   # exit 1 if README's block is stale

The block sits between `<!-- keys:begin -->` and `<!-- keys:end -->`; a test fails when it
no longer matches the bindings, so the README cannot drift from the keys.
"""

from __future__ import annotations

import sys
from pathlib import Path

from textual.binding import Binding

from triage.tui import scopes

BEGIN = "<!-- keys:begin -->"
END = "<!-- keys:end -->"
README = Path(__file__).resolve().parents[2] / "README.md"

# How keys are written in the table (Textual's names are long: `question_mark`).
_NAMES = {
    "question_mark": "?",
    "slash": "/",
    "equals_sign": "=",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "pagedown": "PgDn",
    "pageup": "PgUp",
    "escape": "esc",
}


def _keys(binding: Binding) -> str:
    return " ".join(f"`{_NAMES.get(k.strip(), k.strip())}`" for k in binding.key.split(","))


def table() -> str:
    """The markdown table: one row per binding, grouped by screen in help's order."""
    from triage.tui.app import ReviewApp  # the app imports the screens; keep this cheap

    grouped: dict[str, list[Binding]] = {}
    for binding_id, binding in ReviewApp.collect_bindings().items():
        grouped.setdefault(binding_id.split(".", 1)[0], []).append(binding)
    rows = ["| where | keys | what it does | id (for keys.toml) |", "|---|---|---|---|"]
    for scope, title in scopes.titles().items():
        for binding in grouped.get(scope, []):
            description = binding.description.replace("|", "\\|")
            rows.append(f"| {title} | {_keys(binding)} | {description} | `{binding.id}` |")
        if scope == "app":  # Textual's own binding, on every screen
            rows.append("| Everywhere | `ctrl+p` | Command palette: any action by name | — |")
    return "\n".join(rows)


def render(readme: str) -> str:
    """README text with the marked block replaced by the current table."""
    start, end = readme.find(BEGIN), readme.find(END)
    if start < 0 or end < start:
        raise SystemExit(f"{README}: no {BEGIN} ... {END} block")
    return readme[: start + len(BEGIN)] + "\n" + table() + "\n" + readme[end:]


def main(argv: list[str]) -> int:
    if "--write" in argv or "--check" in argv:
        current = README.read_text(encoding="utf-8")
        wanted = render(current)
        if "--check" in argv:
            if current != wanted:
                print("README.md: key table is stale (python -m triage.tui.keytable --write)")
                return 1
            return 0
        README.write_text(wanted, encoding="utf-8")
        return 0
    print(table())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
