"""CLI command: `triage sample`, which rebuilds the synthetic `sample.db` from a seed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from triage.cli.common import DEFAULT_DB, JsonOption, err, out, print_json, safe


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("sample")(sample_command)


def sample_command(
    out_path: Annotated[
        Path, typer.Option("--out", help="Where to write the sample database.")
    ] = DEFAULT_DB,
    people: Annotated[
        int, typer.Option("--people", min=1, help="How many fictional people to generate.")
    ] = 2000,
    seed: Annotated[
        int, typer.Option("--seed", min=0, help="Random seed; same seed, same file.")
    ] = 64,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Build a synthetic county (fictional people) into a fresh database, imported and
    classified with the los-angeles-2019 pack. The same seed gives the same file, byte for
    byte."""
    from triage.sample_build import SAMPLE_PACK, build_sample_db, check_request

    check_request(out_path, people=people, seed=seed, force=force)
    if not as_json:
        err.print(f"Building {people:,} fictional people (seed {seed}) into {safe(out_path)}...")
    summary = build_sample_db(out_path, people=people, seed=seed, force=force)
    if as_json:
        print_json(
            {
                "path": str(summary.path),
                "seed": summary.seed,
                "people": summary.people,
                "rows": summary.rows,
                "convictions": summary.convictions,
                "quarantined": summary.quarantined,
                "pack": SAMPLE_PACK,
                "run": summary.run_id,
                "review_cases": summary.review_cases,
                "review_reasons": summary.review_reasons,
                "sha256": summary.sha256,
                "size": summary.size,
            }
        )
        return
    out.print(
        f"{safe(summary.path)}: {summary.rows:,} DOJ rows, {summary.people:,} people, "
        f"{summary.convictions:,} convictions; classified with {SAMPLE_PACK} (run "
        f"{summary.run_id}); {summary.review_cases:,} cases to review."
    )
    if summary.quarantined:
        err.print(f"triage: {summary.quarantined:,} generated records were quarantined")
    for reason, count in summary.review_reasons.items():
        out.print(f"  {count:6,}  {safe(reason)}")
    out.print(f"sha256 {summary.sha256}  ({summary.size / 1_000_000:.1f} MB)")
