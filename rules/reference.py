"""California reference lists the Prop 64 rules consult: super strikes, PC 290 offenses,
related charges, and the gang-enhancement pairs.

The lists live as plain text in `rules/reference/*.txt` so that an office can read, check
and correct them without touching code; each line names one code section, for example
`PC 261 any` (261 with any subdivision), `PC 288 bare` (288 with no subdivision) or
`PC 286(c)(1-3)(a-c)` (each of those exact paths). The format is described at the top of
`super_strikes.txt`. Files are read once, when this module is imported; a malformed line stops with an error
naming the file and line.

Matching is exact on the parsed charge (code, section, subdivision path). A row that names
several charges (`Charge.others`, flagged MULTIPLE_CHARGES) counts when any of them is on a
list (`PersonFacts` looks at `Charge.all_charges`). Code for America's
tools matched unanchored text patterns, so `237 PC` counted as the super strike `37 PC` and
`664/187 PC` matched `187 PC`; triage does neither. Attempts (PC 664) and conspiracies
(PC 182) match only where a list says so. A charge written without code letters (flagged
`NO_CODE`) is compared by section alone, since the flag already sends it to a reviewer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from rules.charges import parse_charge
from rules.errors import RulesError
from rules.model import Charge, Conviction, Event, EventKind

_Key = tuple[str, str, tuple[str, ...], str]  # code, section, subdivision path, modifier

_LINE = re.compile(
    r"(?P<code>[A-Z]{2,4})\s+(?:(?P<mod>664|182)/)?(?P<section>[0-9]+(?:\.(?:[0-9]+|\*))?[a-z]{0,2})"
    r"(?P<path>(?:\([a-z0-9]+(?:-[a-z0-9]+)?\))*)(?:\s+(?P<mode>any|bare))?"
    r"(?:\s+unless\s+(?P<unless>[A-Z][A-Z ]*[A-Z]))?"
)
_STEP = re.compile(r"\(([a-z0-9]+)(?:-([a-z0-9]+))?\)")
_MODIFIER_NAMES = {"attempt": "664", "conspiracy": "182"}


def _expand_step(lo: str, hi: str | None, where: str) -> list[str]:
    if hi is None:
        return [lo]
    if lo.isdigit() and hi.isdigit() and int(lo) <= int(hi):
        return [str(n) for n in range(int(lo), int(hi) + 1)]
    if len(lo) == len(hi) == 1 and lo.isalpha() and hi.isalpha() and lo <= hi:
        return [chr(c) for c in range(ord(lo), ord(hi) + 1)]
    raise RulesError(f"{where}: range ({lo}-{hi}) must be two numbers or two letters, low first")


def _expand_section(section: str) -> list[str]:
    if not section.endswith(".*"):
        return [section]
    base = section[:-2]
    return [f"{base}.{n}" for n in range(10)] + [f"{base}.{n:02d}" for n in range(100)]


def _expand_path(path: str, where: str) -> list[tuple[str, ...]]:
    paths: list[tuple[str, ...]] = [()]
    for m in _STEP.finditer(path):
        options = _expand_step(m.group(1), m.group(2), where)
        paths = [(*p, o) for p in paths for o in options]
    return paths


@dataclass(frozen=True, slots=True)
class ReferenceList:
    """One reference list: which (code, section, subdivision) charges it contains."""

    name: str
    exact: frozenset[_Key]
    prefixes: frozenset[_Key]  # entries marked `any`: the path and everything below it
    modifiers: frozenset[str] = frozenset()  # "664"/"182": such charges match plain entries
    # (code, section) -> words: the entry does not match when the charge's description
    # (OFFENSE_DESCR after the '-') contains them, e.g. PC 220's "assault to commit mayhem".
    unless: Mapping[tuple[str, str], str] = field(default_factory=dict)

    def matches(self, charge: Charge) -> bool:
        """Is this charge on the list (exact match on code, section and subdivision)?"""
        if charge.section is None:
            return False
        words = self.unless.get((charge.code or "", charge.section))
        if words is not None and words in " ".join(charge.description.upper().split()):
            return False
        modifier = "664" if charge.attempt else ("182" if charge.conspiracy else "")
        mods = {modifier, ""} if modifier in self.modifiers else {modifier}
        codes = {charge.code} if charge.code else {k[0] for k in self.exact | self.prefixes}
        sub = charge.subdivision
        for code in codes:
            for mod in mods:
                if (code, charge.section, sub, mod) in self.exact:
                    return True
                for depth in range(len(sub) + 1):
                    if (code, charge.section, sub[:depth], mod) in self.prefixes:
                        return True
        return False

    def __contains__(self, charge: object) -> bool:
        return isinstance(charge, Charge) and self.matches(charge)


def parse_reference(name: str, text: str) -> ReferenceList:
    """Build a list from the text of a reference file (`name` is used in error messages)."""
    exact: set[_Key] = set()
    prefixes: set[_Key] = set()
    modifiers: set[str] = set()
    unless: dict[tuple[str, str], str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        where = f"rules/reference/{name}:{number}"
        content = line.split("#", 1)[0].strip()
        if not content:
            continue
        if content.startswith("@modifiers"):
            for word in content.split()[1:]:
                if word not in _MODIFIER_NAMES:
                    raise RulesError(f"{where}: unknown modifier {word!r} (attempt, conspiracy)")
                modifiers.add(_MODIFIER_NAMES[word])
            continue
        m = _LINE.fullmatch(content)
        if m is None:
            raise RulesError(f"{where}: expected `CODE SECTION(sub)... [any|bare]`")
        if m.group("mode") == "bare" and m.group("path"):
            raise RulesError(f"{where}: `bare` means no subdivision, but one is given")
        target = prefixes if m.group("mode") == "any" else exact
        if m.group("unless"):
            for section in _expand_section(m.group("section")):
                unless[(m.group("code"), section)] = m.group("unless")
        for section in _expand_section(m.group("section")):
            for path in _expand_path(m.group("path"), where):
                target.add((m.group("code"), section, path, m.group("mod") or ""))
    if not exact and not prefixes:
        raise RulesError(f"rules/reference/{name}: the list is empty")
    return ReferenceList(
        name, frozenset(exact), frozenset(prefixes), frozenset(modifiers), dict(unless)
    )


@cache
def load(name: str) -> ReferenceList:
    """The packaged reference list `rules/reference/<name>.txt`, read once."""
    resource = resources.files("rules").joinpath("reference", f"{name}.txt")
    try:
        text = resource.read_text(encoding="utf-8")
    except (FileNotFoundError, OSError) as exc:
        raise RulesError(f"rules/reference/{name}.txt: cannot be read") from exc
    return parse_reference(f"{name}.txt", text)


def is_super_strike(charge: Charge) -> bool:
    """A PC 667(e)(2)(C)(iv) offense on its own (gang pairs: `gang_super_strike_cases`)."""
    return SUPER_STRIKES.matches(charge)


def is_pc290_offense(charge: Charge) -> bool:
    """An offense requiring PC 290 sex-offender registration."""
    return PC290_OFFENSES.matches(charge)


def is_related_charge(charge: Charge) -> bool:
    """A "related charge" in the San Joaquin / Contra Costa sense (647(f), 602, 11364 ...)."""
    return RELATED_CHARGES.matches(charge)


def is_pc290_registration(item: Event | str, stp_type_descr: str | None = None) -> bool:
    """Is this DOJ row a PC 290 registration (STP_TYPE_DESCR `REGISTRATION`, offense 290)?

    Pass an `Event`, or the OFFENSE_DESCR text (with its STP_TYPE_DESCR when you have it;
    without one the text alone decides). Offenses 290 and its decimal subsections
    (290.018 ...) count; 2900 does not.
    """
    if isinstance(item, Event):
        if item.kind is not EventKind.REGISTRATION:
            return False
        charge = item.charge
    else:
        if stp_type_descr is not None and stp_type_descr.strip().upper() != "REGISTRATION":
            return False
        charge = parse_charge(item)
    section = charge.section or ""
    return section == "290" or section.startswith("290.")


# Loaded once, at import: the files are small and packaged with the code.
SUPER_STRIKES = load("super_strikes")
PC290_OFFENSES = load("pc290_offenses")
RELATED_CHARGES = load("related_charges")
GANG_PAIR_SECTIONS = load("gang_pair_sections")
GANG_ENHANCEMENT = load("gang_enhancement")


def gang_super_strike_cases(convictions: Iterable[Conviction]) -> set[str]:
    """Court cases (first 6 digits of CNT_ORDER) holding both a gang-pair offense and a
    PC 186.22(b)(4) enhancement: together they count as a super strike."""
    pairs: set[str] = set()
    enhanced: set[str] = set()
    for conviction in convictions:
        if GANG_PAIR_SECTIONS.matches(conviction.charge):
            pairs.add(conviction.court_case)
        if GANG_ENHANCEMENT.matches(conviction.charge):
            enhanced.add(conviction.court_case)
    return pairs & enhanced


def entries(name: str) -> Iterator[_Key]:
    """Every expanded entry of a list, sorted (for display and for checking the data)."""
    ref = load(name)
    yield from sorted(ref.exact | ref.prefixes)
