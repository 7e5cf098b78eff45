"""Errors the rules package raises for bad packs or options (pure: no triage imports)."""

from __future__ import annotations


class RulesError(Exception):
    """A policy pack or options file that cannot be used. The message names the file and,
    where known, the line: `packs/x.toml:12: step 'age': unknown predicate 'agee'`."""
