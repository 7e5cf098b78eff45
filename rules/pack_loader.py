"""Reading and checking a policy pack's TOML text, with `file:line` for every problem.

`tomllib` reports syntax errors with a line but knows nothing of what a pack means, so
semantic problems (an unknown predicate, a parameter of the wrong type) are placed by
finding the offending key in the text: `_Lines` maps (table, step number, key) to a line.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from typing import Any

from rules.model import Flag, Outcome
from rules.pack_checks import check_suggestion, default_label, template_problem
from rules.pack_model import DEFAULT_LABELS, RELEVANCE, Condition, Pack, Step
from rules.predicates import PREDICATES, check_params

TOP_KEYS = (
    "id", "title", "version", "jurisdiction", "county", "compute_at", "relevance",
    "force_review_flags", "description", "parameters", "steps",
)  # fmt: skip
STEP_KEYS = (
    "id", "predicate", "params", "outcome", "label", "reason", "citation", "when", "and",
    "suggest", "suggest_label", "suggest_reason", "question",
)  # fmt: skip
CHARGE_FIELDS = frozenset({"section", "code", "subdivision", "charge", "county"})
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+|\"[^\"]*\")\s*=")
_TOML_AT = re.compile(r"^(.*)\(at line (\d+), column (\d+)\)\s*$", re.S)


class _Lines:
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


class _Problems:
    def __init__(self, source: str, out: list[str]) -> None:
        self.source, self.out = source, out

    def add(self, line: int, message: str) -> None:
        self.out.append(f"{self.source}:{line}: {message}" if line else f"{self.source}: {message}")


def _parse(data: bytes, problems: _Problems) -> tuple[str, dict[str, Any]] | None:
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


def build_pack(
    data: bytes,
    source: str,
    out: list[str],
    *,
    overrides: Mapping[str, object] | None = None,
) -> Pack | None:
    """Build a Pack from TOML bytes; append every problem found to `out` (None if any)."""
    problems = _Problems(source, out)
    parsed = _parse(data, problems)
    if parsed is None:
        return None
    text, doc = parsed
    lines = _Lines(text)
    before = len(out)
    for key in doc:
        if key not in TOP_KEYS:
            problems.add(lines.top(key), f"unknown key '{key}' (allowed: {', '.join(TOP_KEYS)})")
    pid = _text(doc, "id", lines, problems, required=True)
    if pid and not _ID.match(pid):
        problems.add(lines.top("id"), "id must be lower-case letters, digits and dashes")
    meta = {k: _text(doc, k, lines, problems, required=k in ("title", "version")) for k in
            ("title", "version", "jurisdiction", "county", "description")}  # fmt: skip
    compute_at = doc.get("compute_at")
    if compute_at is not None and (
        not isinstance(compute_at, dt.date) or isinstance(compute_at, dt.datetime)
    ):
        problems.add(lines.top("compute_at"), "compute_at must be a date like 2019-11-11")
        compute_at = None
    relevance = doc.get("relevance", "prop64")
    if relevance not in RELEVANCE:
        problems.add(lines.top("relevance"), f"relevance must be one of {', '.join(RELEVANCE)}")
    flags = _force_flags(doc.get("force_review_flags", "all"), lines, problems)
    parameters = _parameters(doc.get("parameters", {}), overrides or {}, lines, problems)
    steps = _steps(doc.get("steps"), parameters, lines, problems)
    if len(out) > before:
        return None
    return Pack(
        id=pid,
        title=meta["title"],
        version=meta["version"],
        jurisdiction=meta["jurisdiction"],
        county=meta["county"].strip(),
        compute_at=compute_at,
        parameters=parameters,
        steps=steps,
        relevance=str(relevance),
        force_review_flags=flags,
        source=source,
        description=meta["description"],
    )


def _text(doc: Mapping[str, Any], key: str, lines: _Lines, problems: _Problems, *,
          required: bool) -> str:  # fmt: skip
    value = doc.get(key)
    if value is None:
        if required:
            problems.add(0, f"missing required key '{key}'")
        return ""
    if not isinstance(value, str):
        problems.add(lines.top(key), f"'{key}' must be text in quotes")
        return ""
    return value


def _force_flags(value: object, lines: _Lines, problems: _Problems) -> frozenset[Flag]:
    if value == "all":
        return frozenset(Flag)
    known = ", ".join(f.value for f in Flag)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.add(
            lines.top("force_review_flags"),
            f'force_review_flags must be "all" or a list of: {known}',
        )
        return frozenset()
    out: set[Flag] = set()
    for name in value:
        try:
            out.add(Flag(name))
        except ValueError:
            problems.add(lines.top("force_review_flags"), f"unknown flag '{name}' (known: {known})")
    return frozenset(out)


def _parameters(
    table: object, overrides: Mapping[str, object], lines: _Lines, problems: _Problems
) -> dict[str, object]:
    if not isinstance(table, dict):
        problems.add(lines.top("parameters"), "[parameters] must be a table")
        return {}
    out: dict[str, object] = {}
    for key, value in table.items():
        ok = isinstance(value, bool | int | float | str | dt.date) or (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        )
        if not ok:
            problems.add(
                lines.param(key),
                f"parameter '{key}' must be a number, text, true/false, a date or a list of text",
            )
        out[key] = tuple(value) if isinstance(value, list) else value
    for key, value in overrides.items():
        if key not in out:
            problems.add(lines.tables.get("parameters", 0), f"no parameter '{key}' to set")
        out[key] = tuple(value) if isinstance(value, list) else value
    return out


def _resolve(raw: object, parameters: Mapping[str, object], where: str) -> dict[str, object]:
    if not isinstance(raw, dict):
        raise ValueError(f"{where} must be an inline table like {{ years = 50 }}")
    out: dict[str, object] = {}
    for key, value in raw.items():
        if isinstance(value, str) and value.startswith("$"):
            name = value[1:]
            if name not in parameters:
                raise ValueError(f"{where}: '{key}' refers to unknown parameter '{name}'")
            value = parameters[name]
        out[key] = value
    return out


def _condition(raw: object, parameters: Mapping[str, object]) -> Condition:
    if not isinstance(raw, dict) or not isinstance(raw.get("predicate"), str):
        raise ValueError("each 'and' entry must be { predicate = \"...\", params = { ... } }")
    extra = set(raw) - {"predicate", "params"}
    if extra:
        raise ValueError(f"'and' entry has unknown key '{sorted(extra)[0]}'")
    raw_params = raw.get("params", {})
    params = check_params(raw["predicate"], _resolve(raw_params, parameters, "params"))
    return Condition(raw["predicate"], params, dict(raw_params))


def _steps(
    raw: object, parameters: Mapping[str, object], lines: _Lines, problems: _Problems
) -> tuple[Step, ...]:
    if not isinstance(raw, list) or not raw:
        problems.add(lines.top("steps"), "a pack needs at least one [[steps]] entry")
        return ()
    steps: list[Step] = []
    seen: set[str] = set()
    for index, entry in enumerate(raw):
        step = _step(index, entry, parameters, lines, problems, seen)
        if step is not None:
            steps.append(step)
    last = raw[-1] if isinstance(raw[-1], dict) else {}
    if last.get("predicate") != "always" or last.get("when") or last.get("and"):
        problems.add(
            lines.step(len(raw) - 1, "predicate"),
            'the last step must use predicate = "always" (so every conviction gets an answer)',
        )
    if last.get("suggest") == "next":
        problems.add(lines.step(len(raw) - 1, "suggest"), 'the last step has no "next" to suggest')
    return tuple(steps)


def _step(
    index: int,
    entry: object,
    parameters: Mapping[str, object],
    lines: _Lines,
    problems: _Problems,
    seen: set[str],
) -> Step | None:
    at = lines.step(index)
    if not isinstance(entry, dict):
        problems.add(at, "each step must be a [[steps]] table")
        return None
    sid = entry.get("id")
    name = f"step '{sid}'" if isinstance(sid, str) and sid else f"step {index + 1}"
    count = len(problems.out)
    for key in entry:
        if key not in STEP_KEYS:
            problems.add(
                lines.step(index, key),
                f"{name}: unknown key '{key}' (allowed: {', '.join(STEP_KEYS)})",
            )
    if not isinstance(sid, str) or not sid:
        problems.add(at, f"{name}: missing 'id'")
    elif sid in seen:
        problems.add(lines.step(index, "id"), f"{name}: id used twice")
    else:
        seen.add(sid)
    predicate = entry.get("predicate")
    params: dict[str, object] = {}
    if not isinstance(predicate, str) or predicate not in PREDICATES:
        known = ", ".join(sorted(PREDICATES))
        problems.add(
            lines.step(index, "predicate"),
            f"{name}: unknown predicate '{predicate}' (known: {known})",
        )
    else:
        try:
            params = check_params(
                predicate, _resolve(entry.get("params", {}), parameters, "params")
            )
        except ValueError as exc:
            problems.add(
                lines.step(index, "params" if "params" in entry else "predicate"), f"{name}: {exc}"
            )
    also: list[Condition] = []
    for cond in entry.get("and", []) if isinstance(entry.get("and", []), list) else [None]:
        try:
            also.append(_condition(cond, parameters))
        except ValueError as exc:
            problems.add(lines.step(index, "and"), f"{name}: {exc}")
    outcome_text = entry.get("outcome")
    outcome = Outcome.REVIEW
    try:
        outcome = Outcome(str(outcome_text))
    except ValueError:
        allowed = ", ".join(o.value for o in Outcome)
        problems.add(lines.step(index, "outcome"), f"{name}: outcome must be one of {allowed}")
    when = entry.get("when", "")
    if not isinstance(when, str) or (when and when not in parameters):
        problems.add(lines.step(index, "when"), f"{name}: 'when' must name a parameter")
    texts = {}
    for key in ("label", "reason", "citation", "suggest", "suggest_label", "suggest_reason",
                "question"):  # fmt: skip
        value = entry.get(key, "")
        if not isinstance(value, str):
            problems.add(lines.step(index, key), f"{name}: '{key}' must be text in quotes")
            value = ""
        texts[key] = value
    if not texts["reason"]:
        problems.add(at, f"{name}: missing 'reason'")
    raw_params = entry.get("params", {})
    fields = set(CHARGE_FIELDS) | set(parameters) | set(params)
    if isinstance(raw_params, dict):
        fields |= set(raw_params)  # so a bad predicate is not reported twice
    if isinstance(predicate, str) and predicate in PREDICATES:
        fields |= PREDICATES[predicate].provides
    for cond in also:
        fields |= set(cond.params) | PREDICATES[cond.predicate].provides
    for key in ("reason", "suggest_reason", "question"):
        problem = template_problem(texts.get(key, ""), fields)
        if problem:
            problems.add(lines.step(index, key), f"{name}: {key.replace('_', ' ')} {problem}")
    check_suggestion(entry, outcome, texts, lambda key: lines.step(index, key), name, problems)
    if len(problems.out) > count:
        return None
    return Step(
        id=str(sid),
        predicate=str(predicate),
        params=params,
        outcome=outcome,
        label=texts["label"] or DEFAULT_LABELS[outcome],
        reason=texts["reason"],
        citation=texts["citation"],
        when=str(when),
        also=tuple(also),
        raw_params=dict(raw_params) if isinstance(raw_params, dict) else {},
        line=at,
        suggest=texts["suggest"],
        suggest_label=texts["suggest_label"] or default_label(texts["suggest"]),
        suggest_reason=texts["suggest_reason"],
        question=texts["question"],
    )
