"""CLI commands: `triage policy list | show ID | check FILE`, the policy pack tools."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from rules.errors import RulesError
from rules.packs import Pack, Step, check_pack, list_packs, load_pack
from triage.cli.classifying import check_pack_path, resolve_pack
from triage.cli.common import JsonOption, err, out, print_json
from triage.display import clean
from triage.errors import TriageError

# ---------------------------------------------------------------------------------------------
# policy list | show | check

policy_app = typer.Typer(help="Policy packs: list them, show one, check a pack file.")


@policy_app.command("list")
def policy_list(as_json: JsonOption = False) -> None:
    """The shipped policy packs."""
    packs = list_packs()
    if as_json:
        print_json([_pack_header(p) for p in packs])
        return
    for p in packs:
        county = p.county or "(no county)"
        out.print(clean(f"{p.id:<20} v{p.version:<8} {county:<14} {p.title}"))


def _pack_header(pack: Pack) -> dict[str, Any]:
    return {
        "id": pack.id,
        "title": pack.title,
        "version": pack.version,
        "jurisdiction": pack.jurisdiction,
        "county": pack.county,
        "compute_at": pack.compute_at.isoformat() if pack.compute_at is not None else None,
        "relevance": pack.relevance,
        "force_review_flags": sorted(f.value for f in pack.force_review_flags),
        "hash": pack.content_hash,
    }


@policy_app.command("show")
def policy_show(
    pack_id: Annotated[str, typer.Argument(metavar="ID", help="Pack id or .toml path.")],
    as_json: JsonOption = False,
) -> None:
    """A pack's header and its steps, in order."""
    pack = resolve_pack(pack_id)
    header = _pack_header(pack)
    steps = [_step_dict(s) for s in pack.steps]
    if as_json:
        print_json({**header, "parameters": _plain(dict(pack.parameters)), "steps": steps})
        return
    for key, value in header.items():
        shown = ", ".join(value) if isinstance(value, list) else value
        out.print(clean(f"{key:<19} {shown if shown is not None else ''}"))
    if pack.parameters:
        out.print("parameters:")
    for name, value in pack.parameters.items():
        out.print(clean(f"  {name:<24} {json.dumps(_plain(value))}"))
    out.print("steps (first match decides):")
    for n, step in enumerate(steps, 1):
        params = ", ".join(f"{k}={v}" for k, v in step["params"].items())
        also = "".join(f" and {c}" for c in step["and"])
        when = f" [when {step['when']}]" if step["when"] else ""
        # Pack files are edited by offices: their text is shown, never interpreted.
        out.print(
            clean(
                f"  {n:>2}. {step['id']}: {step['predicate']}({params}){also}{when} -> "
                f'{step["outcome"]} "{step["label"]}" / "{step["reason"]}"'
            )
        )
        if step["citation"]:
            out.print(clean(f"      {step['citation']}"))
        if step["suggest"]:
            out.print(clean(f"      suggests {step['suggest']}: {step['suggest_reason']}".rstrip()))
        elif step["question"]:
            out.print(clean(f"      asks: {step['question']}"))


def _step_dict(step: Step) -> dict[str, Any]:
    return {
        "id": step.id,
        "predicate": step.predicate,
        "params": {k: _plain(v) for k, v in step.raw_params.items()},
        "when": step.when,
        "and": [c.predicate for c in step.also],
        "outcome": step.outcome.value,
        "label": step.label,
        "reason": step.reason,
        "citation": step.citation,
        "suggest": step.suggest,
        "suggest_reason": step.suggest_reason,
        "question": step.question,
        "line": step.line,
    }


def _plain(value: object) -> object:
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@policy_app.command("check")
def policy_check(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A policy pack .toml file.")],
) -> None:
    """Validate a pack file; each problem is printed as file:line: message (exit 1)."""
    check_pack_path(file)
    problems = check_pack(file)
    for problem in problems:
        err.print(clean(problem))
    if problems:
        raise typer.Exit(1)
    try:
        pack = load_pack(str(file))
    except RulesError as exc:  # check_pack should have said so; never print a traceback
        raise TriageError(str(exc)) from None
    out.print(f"{file}: ok ({pack.id} v{pack.version}, {len(pack.steps)} steps)")


def register(app: typer.Typer) -> None:
    """Add `triage policy`."""
    app.add_typer(policy_app, name="policy")
