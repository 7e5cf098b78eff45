"""Reading and checking a policy pack's TOML text, with `file:line` for every problem.

`tomllib` reports syntax errors with a line but knows nothing of what a pack means, so
semantic problems (an unknown predicate, a parameter of the wrong type) are placed by
finding the offending key in the text: `Lines` maps (table, step number, key) to a line.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from rules.model import Flag, Outcome
from rules.pack_checks import check_suggestion, default_label, template_problem
from rules.pack_model import DEFAULT_LABELS, RELEVANCE, Condition, Pack, Step
from rules.pack_text import Lines, Problems, parse
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


def build_pack(
    data: bytes,
    source: str,
    out: list[str],
    *,
    overrides: Mapping[str, object] | None = None,
) -> Pack | None:
    """Build a Pack from TOML bytes; append every problem found to `out` (None if any)."""
    problems = Problems(source, out)
    parsed = parse(data, problems)
    if parsed is None:
        return None
    text, doc = parsed
    lines = Lines(text)
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


def _text(doc: Mapping[str, Any], key: str, lines: Lines, problems: Problems, *,
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


def _force_flags(value: object, lines: Lines, problems: Problems) -> frozenset[Flag]:
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
    table: object, overrides: Mapping[str, object], lines: Lines, problems: Problems
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
    raw: object, parameters: Mapping[str, object], lines: Lines, problems: Problems
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


class _StepSite:
    """One `[[steps]]` entry being read: its name in messages and where its keys are."""

    def __init__(self, index: int, entry: dict[str, Any], lines: Lines, problems: Problems):
        sid = entry.get("id")
        self.index, self.entry, self.lines, self.problems = index, entry, lines, problems
        self.name = f"step '{sid}'" if isinstance(sid, str) and sid else f"step {index + 1}"
        self.at = lines.step(index)

    def line(self, key: str) -> int:
        return self.lines.step(self.index, key)

    def add(self, key: str | None, message: str) -> None:
        where = self.at if key is None else self.line(key)
        self.problems.add(where, f"{self.name}: {message}")


def _step(
    index: int,
    entry: object,
    parameters: Mapping[str, object],
    lines: Lines,
    problems: Problems,
    seen: set[str],
) -> Step | None:
    if not isinstance(entry, dict):
        problems.add(lines.step(index), "each step must be a [[steps]] table")
        return None
    site = _StepSite(index, entry, lines, problems)
    count = len(problems.out)
    for key in entry:
        if key not in STEP_KEYS:
            site.add(key, f"unknown key '{key}' (allowed: {', '.join(STEP_KEYS)})")
    sid = _step_id(site, seen)
    predicate, params = _step_predicate(site, parameters)
    also = _step_conditions(site, parameters)
    outcome = _step_outcome(site)
    when = entry.get("when", "")
    if not isinstance(when, str) or (when and when not in parameters):
        site.add("when", "'when' must name a parameter")
    texts = _step_texts(site)
    _check_templates(site, texts, parameters, params, also)
    check_suggestion(entry, outcome, texts, site.line, site.name, problems)
    if len(problems.out) > count:
        return None
    raw_params = entry.get("params", {})
    return Step(
        id=sid,
        predicate=predicate,
        params=params,
        outcome=outcome,
        label=texts["label"] or DEFAULT_LABELS[outcome],
        reason=texts["reason"],
        citation=texts["citation"],
        when=str(when),
        also=tuple(also),
        raw_params=dict(raw_params) if isinstance(raw_params, dict) else {},
        line=site.at,
        suggest=texts["suggest"],
        suggest_label=texts["suggest_label"] or default_label(texts["suggest"]),
        suggest_reason=texts["suggest_reason"],
        question=texts["question"],
    )


def _step_id(site: _StepSite, seen: set[str]) -> str:
    sid = site.entry.get("id")
    if not isinstance(sid, str) or not sid:
        site.add(None, "missing 'id'")
    elif sid in seen:
        site.add("id", "id used twice")
    else:
        seen.add(sid)
    return str(sid)


def _step_predicate(
    site: _StepSite, parameters: Mapping[str, object]
) -> tuple[str, dict[str, object]]:
    """The step's predicate name and its checked params ({} when either is wrong)."""
    predicate = site.entry.get("predicate")
    if not isinstance(predicate, str) or predicate not in PREDICATES:
        known = ", ".join(sorted(PREDICATES))
        site.add("predicate", f"unknown predicate '{predicate}' (known: {known})")
        return str(predicate), {}
    try:
        raw = _resolve(site.entry.get("params", {}), parameters, "params")
        return predicate, check_params(predicate, raw)
    except ValueError as exc:
        site.add("params" if "params" in site.entry else "predicate", str(exc))
        return predicate, {}


def _step_conditions(site: _StepSite, parameters: Mapping[str, object]) -> list[Condition]:
    raw = site.entry.get("and", [])
    also: list[Condition] = []
    for cond in raw if isinstance(raw, list) else [None]:
        try:
            also.append(_condition(cond, parameters))
        except ValueError as exc:
            site.add("and", str(exc))
    return also


def _step_outcome(site: _StepSite) -> Outcome:
    try:
        return Outcome(str(site.entry.get("outcome")))
    except ValueError:
        allowed = ", ".join(o.value for o in Outcome)
        site.add("outcome", f"outcome must be one of {allowed}")
        return Outcome.REVIEW


def _step_texts(site: _StepSite) -> dict[str, str]:
    texts = {}
    for key in ("label", "reason", "citation", "suggest", "suggest_label", "suggest_reason",
                "question"):  # fmt: skip
        value = site.entry.get(key, "")
        if not isinstance(value, str):
            site.add(key, f"'{key}' must be text in quotes")
            value = ""
        texts[key] = value
    if not texts["reason"]:
        site.add(None, "missing 'reason'")
    return texts


def _check_templates(
    site: _StepSite,
    texts: Mapping[str, str],
    parameters: Mapping[str, object],
    params: Mapping[str, object],
    also: list[Condition],
) -> None:
    """The `{field}`s in a step's texts must be ones the charge, pack or predicates give."""
    predicate = site.entry.get("predicate")
    raw_params = site.entry.get("params", {})
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
            site.add(key, f"{key.replace('_', ' ')} {problem}")
