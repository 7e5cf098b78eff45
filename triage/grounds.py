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
"""

from __future__ import annotations

from dataclasses import dataclass

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
