"""Where things sit in a policy pack's TOML text, and parsing it with a `file:line` answer.

`tomllib` reports syntax errors with a line but knows nothing of what a pack means, so
semantic problems are placed by finding the offending key in the text: `Lines` maps
(table, step number, key) to a line, and `Problems` collects `source:line: message`.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+|\"[^\"]*\")\s*=")
_TOML_AT = re.compile(r"^(.*)\(at line (\d+), column (\d+)\)\s*$", re.S)


class Lines:
    """Where keys sit in the pack text: top level, `[parameters]`, and the n-th `[[steps]]`."""

    def __init__(self, text: str) -> None:
        self.keys: dict[tuple[str, int, str], int] = {}
        self.steps: list[int] = []
        self.tables: dict[str, int] = {}
        table, index = "", -1
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if line.startswith("[["):
                name = line.strip("[] \t").split("#")[0].strip()
                table = name
                if name == "steps":
                    self.steps.append(number)
                    index = len(self.steps) - 1
                continue
            if line.startswith("["):
                name = line.split("]")[0].strip("[ \t")
                if name.startswith("steps."):
                    # A sub-table of the current step, e.g. [steps.params]: report its keys
                    # at the step's `params` line.
                    self.keys.setdefault(("steps", index, name.split(".", 1)[1]), number)
                    table = "steps." + name.split(".", 1)[1]
                else:
                    table = name
                    self.tables.setdefault(name, number)
                continue
            match = _KEY.match(raw)
            if match:
                key = match.group(1).strip('"')
                where = "steps" if table.startswith("steps") else table
                self.keys.setdefault((where, index if where == "steps" else -1, key), number)

    def top(self, key: str) -> int:
        return self.keys.get(("", -1, key), 0)

    def param(self, key: str) -> int:
        return self.keys.get(("parameters", -1, key), self.tables.get("parameters", 0))

    def step(self, index: int, key: str | None = None) -> int:
        if key is not None and ("steps", index, key) in self.keys:
            return self.keys[("steps", index, key)]
        return self.steps[index] if 0 <= index < len(self.steps) else self.top("steps")


class Problems:
    def __init__(self, source: str, out: list[str]) -> None:
        self.source, self.out = source, out

    def add(self, line: int, message: str) -> None:
        self.out.append(f"{self.source}:{line}: {message}" if line else f"{self.source}: {message}")


def parse(data: bytes, problems: Problems) -> tuple[str, dict[str, Any]] | None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.add(0, f"not UTF-8 text (byte {exc.start})")
        return None
    try:
        return text, tomllib.loads(text)
    except RecursionError:
        # tomllib parses nested arrays and inline tables recursively: a hostile or broken
        # pack could otherwise crash `policy check` instead of getting a file:line answer.
        problems.add(_deep_line(text), "nested too deeply (arrays or inline tables)")
        return None
    except tomllib.TOMLDecodeError as exc:
        match = _TOML_AT.match(str(exc))
        if match:
            problems.add(int(match.group(2)), f"TOML syntax: {match.group(1).strip()}")
        else:
            problems.add(0, f"TOML syntax: {exc}")
        return None


# No pack needs more than a few levels; past this many open brackets, a line is the culprit.
_NESTING_SHOWN = 64


def _deep_line(text: str) -> int:
    """The line where `[`/`{` nesting first passes `_NESTING_SHOWN` (0 if none does).
    Rough on purpose (quotes and comments are skipped, escapes are not): it only points
    the user at the place, the parser has already refused the file."""
    depth = 0
    for number, line in enumerate(text.splitlines(), 1):
        quote = ""
        for ch in line:
            if quote:
                quote = "" if ch == quote else quote
            elif ch in "\"'":
                quote = ch
            elif ch == "#":
                break
            elif ch in "[{":
                depth += 1
                if depth > _NESTING_SHOWN:
                    return number
            elif ch in "]}":
                depth = max(0, depth - 1)
    return 0
