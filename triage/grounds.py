"""The grounds on which an office challenges relief: the reviewer's "why" for not_eligible.

A court exhibit lists each challenged conviction with a reason and the law it rests on.
When the pack decided not_eligible, the pack's step gives both; when a reviewer decides it,
the reviewer picks one or more grounds from this list (the TUI's pick-list, `triage decide
--grounds`), and the exhibit prints their labels and citations.

Under HS 11361.9(b) the prosecution may challenge only where the person "does not meet the
criteria for relief" of HS 11361.8; each ground names the criterion it says is unmet. The
felony-preserving prongs are the subdivisions Prop 64 wrote into each section: a prior
super strike or PC 290 offense (11358(d)(1), 11359(c)(1), 11360(a)(3)(A)), two or more
priors of the same section (11358(d)(2), 11359(c)(2), 11360(a)(3)(B)), a sale to a minor
(11359(c)(3), 11360(a)(3)(C)), import into or export out of the state (11360(a)(3)(D)) and
cultivation's environmental violations (11358(d)(3)-(4)). `other` carries no citation: the
reviewer's note must say what the ground is.

When a pack itself says (or suggests) not_eligible, the step's citation names the
subdivision that keeps the conviction as it is; `for_citation` reads those subdivisions
back into ground ids, so accepting the pack's suggestion records the grounds the pack
relied on (`suggested_grounds`; the review app preselects them and the reviewer confirms).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rules.suggest import cited_source
from triage.errors import UsageError


@dataclass(frozen=True)
class Ground:
    id: str
    label: str
    citation: str


GROUNDS: tuple[Ground, ...] = (
    Ground(
        "not-prop64-conduct",
        "The conduct is still an offense of the same grade under current law",
        "HS 11361.8(a), 11361.9(b)",
    ),
    Ground(
        "super-strike-or-290",
        "Prior super strike or PC 290 registrable offense keeps it a felony",
        "HS 11358(d)(1), 11359(c)(1), 11360(a)(3)(A)",
    ),
    Ground(
        "two-priors",
        "Two or more prior convictions under the same section keep it a felony",
        "HS 11358(d)(2), 11359(c)(2), 11360(a)(3)(B)",
    ),
    Ground(
        "minor",
        "Sale, furnishing or offer to a minor keeps it a felony",
        "HS 11359(c)(3), 11360(a)(3)(C)",
    ),
    Ground(
        "import-export",
        "Import into or transport out of California keeps it a felony",
        "HS 11360(a)(3)(D)",
    ),
    Ground(
        "environmental",
        "Cultivation with environmental violations keeps it a felony",
        "HS 11358(d)(3)-(4)",
    ),
    Ground(
        "record-mismatch",
        "The record does not show a Prop 64 conviction of this person",
        "HS 11361.9(b)",
    ),
    Ground("other", "Other ground, stated in the note", ""),
)

BY_ID: dict[str, Ground] = {g.id: g for g in GROUNDS}


def parse(text: str | None, *, decision: str, note: str | None) -> tuple[str, ...]:
    """Validate a comma-separated list of ground ids for a decision.

    Grounds explain a challenge, so only not_eligible takes them; `other` needs the note
    that states it. Raises `UsageError` naming the valid ids.
    """
    if text is None or not text.strip():
        return ()
    ids = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    unknown = [i for i in ids if i not in BY_ID]
    if unknown:
        raise UsageError(
            f"--grounds: unknown ground {unknown[0]!r}; use one or more of "
            f"{', '.join(g.id for g in GROUNDS)}"
        )
    if decision != "not_eligible":
        raise UsageError("--grounds: grounds explain a challenge; give them with not_eligible")
    if "other" in ids and not (note or "").strip():
        raise UsageError("--grounds other: say what the ground is in --note")
    return ids


def describe(stored: str) -> tuple[str, str]:
    """The exhibit's (reason, citation) for grounds as stored on a decision ('a,b')."""
    chosen = [BY_ID[i] for i in stored.split(",") if i in BY_ID]
    reason = "; ".join(g.label for g in chosen)
    citations = "; ".join(g.citation for g in chosen if g.citation)
    return reason, citations


# -- grounds a pack's citation implies ------------------------------------------------

# Which subdivision of HS 11357-11361.8 a not_eligible step cites, and the ground it is.
# A cited subdivision matches when it is at least as specific as an entry (11357(b)(2)
# matches 11357(b)); a bare section or a whole subdivision holding several prongs
# (11358(d)) matches nothing, since it does not say which criterion is unmet.
_STILL_AN_OFFENSE = "not-prop64-conduct"
IMPLIED: tuple[tuple[str, tuple[str, ...], str], ...] = (
    # The felony-preserving prongs Prop 64 wrote into each section.
    ("11358", ("d", "1"), "super-strike-or-290"),
    ("11359", ("c", "1"), "super-strike-or-290"),
    ("11360", ("a", "3", "A"), "super-strike-or-290"),
    ("11358", ("d", "2"), "two-priors"),
    ("11359", ("c", "2"), "two-priors"),
    ("11360", ("a", "3", "B"), "two-priors"),
    ("11359", ("c", "3"), "minor"),
    ("11360", ("a", "3", "C"), "minor"),
    ("11360", ("a", "3", "D"), "import-export"),
    ("11358", ("d", "3"), "environmental"),
    ("11358", ("d", "4"), "environmental"),
    # The grades Prop 64 left in place (a step citing one says the conduct is still that
    # offense, e.g. 11357(b)(2) over 28.5 g), and 11361.8(a), the criterion they fail.
    ("11357", ("a",), _STILL_AN_OFFENSE),
    ("11357", ("b",), _STILL_AN_OFFENSE),
    ("11357", ("c",), _STILL_AN_OFFENSE),
    ("11357", ("d",), _STILL_AN_OFFENSE),
    ("11358", ("a",), _STILL_AN_OFFENSE),
    ("11358", ("b",), _STILL_AN_OFFENSE),
    ("11358", ("c",), _STILL_AN_OFFENSE),
    ("11359", ("a",), _STILL_AN_OFFENSE),
    ("11359", ("b",), _STILL_AN_OFFENSE),
    ("11360", ("a", "1"), _STILL_AN_OFFENSE),
    ("11360", ("a", "2"), _STILL_AN_OFFENSE),
    ("11360", ("b",), _STILL_AN_OFFENSE),
    ("11361.8", ("a",), _STILL_AN_OFFENSE),
)

_SECTION = r"(?<![\d.])(?:1135[7-9]|11360|11361\.[89]|11362\.1)(?![\d])"
_PART = r"[0-9A-Za-z]{1,4}"
_REF = re.compile(
    rf"(?P<sec>{_SECTION})?(?P<subs>(?:\({_PART}\))+)(?:-\((?P<to>{_PART})\))?|(?P<bare>{_SECTION})"
)
_CONTINUES = re.compile(r"\s*,\s*")


def _span(last: str, to: str | None) -> list[str]:
    """`(d)(3)-(4)` cites (d)(3) and (d)(4); a range of digits or single letters only."""
    if to is None:
        return [last]
    if last.isdigit() and to.isdigit() and int(last) <= int(to):
        return [str(n) for n in range(int(last), int(to) + 1)]
    if len(last) == len(to) == 1 and last.isalpha() and ord(last) <= ord(to):
        return [chr(n) for n in range(ord(last), ord(to) + 1)]
    return [last, to]


def references(citation: str) -> list[tuple[str, tuple[str, ...]]]:
    """The HS 11357-11362.1 subdivisions a citation names, e.g. "HS 11357(a)(1), (b)(1),
    11359(c)(2)" -> 11357(a)(1), 11357(b)(1), 11359(c)(2). Subdivisions after a comma with
    no section continue the last section; other codes' subdivisions (PC 667(e)) are skipped."""
    out: list[tuple[str, tuple[str, ...]]] = []
    section: str | None = None
    end = 0
    for m in _REF.finditer(citation):
        gap, end = citation[end : m.start()], m.end()
        if m["bare"]:
            section = m["bare"]
            out.append((section, ()))
            continue
        if m["sec"]:
            section = m["sec"]
        elif section is None or not _CONTINUES.fullmatch(gap):
            section = None  # another code's subdivision, e.g. PC 667(e)(2)
            continue
        parts = re.findall(_PART, m["subs"])
        for last in _span(parts[-1], m["to"]):
            out.append((section, (*parts[:-1], last)))
    return out


def for_citation(citation: str) -> tuple[str, ...]:
    """The ground ids a not_eligible step's citation rests on, in `GROUNDS` order; empty
    when it cites no criterion of HS 11361.8 (office policy, a bare section)."""
    found = set()
    for section, subs in references(citation):
        for sec, prefix, ground in IMPLIED:
            if sec == section and subs[: len(prefix)] == prefix:
                found.add(ground)
    return tuple(g.id for g in GROUNDS if g.id in found)


@dataclass(frozen=True)
class Implied:
    """The grounds behind a pack's not_eligible: which step said it, its citation, and
    the ground ids that citation names (possibly none)."""

    ids: tuple[str, ...]
    step_id: str
    citation: str
    reason: str  # the pack's reason (or its suggestion's), for the reviewer to read


def suggested_grounds(
    *, outcome: str | None, step_id: str, citation: str, reason: str,
    suggested_outcome: str | None, suggested_reason: str,
) -> Implied | None:  # fmt: skip
    """What a determination's not_eligible rests on: its own step when the run decided
    not_eligible; for a review suggesting it, the step named in the suggestion's text (a
    later step or the statute floor's) or else the review step itself. None when the pack
    neither says nor suggests not_eligible."""
    if outcome == "not_eligible":
        return Implied(for_citation(citation), step_id, citation, reason)
    if outcome != "review" or suggested_outcome != "not_eligible":
        return None
    source = cited_source(suggested_reason) or (step_id, citation)
    return Implied(for_citation(source[1]), source[0], source[1], suggested_reason)
