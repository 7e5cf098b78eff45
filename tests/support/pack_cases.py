"""Hand-built records for the engine and pack tests (no DOJ file, no database).

`conv("11359 HS", date="2010-05-01")` builds a conviction the way the DOJ loader would;
`person(conv(...), conv(...), dob="1970-01-01")` gives each conviction its own arrest cycle
unless a CNT_ORDER is given. `outcome_of` runs a pack and returns the one determination.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

from rules.charges import parse_charge
from rules.engine import classify
from rules.model import (
    Charge,
    Conviction,
    Determination,
    Event,
    EventKind,
    Flag,
    Outcome,
    PartialDate,
    PersonRecord,
)
from rules.packs import Pack

COMPUTE_AT = dt.date(2019, 11, 11)


def pdate(text: str | None) -> PartialDate:
    """`"2010-05-01"` → an exact DOJ date; None → an unreadable one."""
    if text is None:
        return PartialDate(raw="", value=None)
    value = dt.date.fromisoformat(text)
    return PartialDate(raw=value.strftime("%Y%m%d"), value=value)


def conv(
    offense: str = "11358 HS",
    *,
    date: str | None = "2010-01-01",
    county: str = "LOS ANGELES",
    felony: bool = True,
    days: float = 0.0,
    cnt: str = "",
    comment: str = "",
    flags: tuple[Flag, ...] = (),
    charge: Charge | None = None,
    arrested: str | None = None,
    infraction: bool = False,
) -> Conviction:
    """`arrested` is the arrest cycle's date (CYC_DATE); `infraction` records the conviction
    as one (CONV_STAT_DESCR INFRACTION, OFFENSE_TOC I) instead of a misdemeanor."""
    parsed = charge or parse_charge(offense, comment)
    level = "FELONY" if felony else "INFRACTION" if infraction else "MISDEMEANOR"
    return Conviction(
        key="",
        cnt_order=cnt,
        date=pdate(date),
        county=county,
        charge=parsed,
        offense_descr=offense,
        comment=comment,
        felony=felony,
        toc=level[0],
        conv_status=level,
        sentence_days=days,
        flags=flags,
        cycle_date=pdate(arrested),
    )


def event(
    kind: EventKind, offense: str = "", *, date: str | None = "2000-01-01", cnt: str = ""
) -> Event:
    return Event(
        kind=kind,
        cnt_order=cnt or "900001001000",
        date=pdate(date),
        county="LOS ANGELES",
        charge=parse_charge(offense),
        offense_descr=offense,
    )


def person(
    *convictions: Conviction,
    dob: str | None = "1970-01-01",
    events: Iterable[Event] = (),
    subject: str = "S1",
) -> PersonRecord:
    """A record; convictions without a CNT_ORDER get their own arrest cycle (001, 002, ...)."""
    numbered = []
    for i, c in enumerate(convictions, start=1):
        cnt = c.cnt_order or f"{i:03d}001001000"
        numbered.append(dataclasses.replace(c, cnt_order=cnt, key=f"{subject}:{cnt}"))
    return PersonRecord(
        subject_id=subject,
        name="TEST PERSON",
        dob=pdate(dob),
        cii="",
        convictions=tuple(numbered),
        events=tuple(events),
    )


def determinations(
    record: PersonRecord, pack: Pack, *, county: str | None = None, at: dt.date = COMPUTE_AT
) -> list[Determination]:
    return classify(record, pack, county=county or pack.county, compute_at=at)


def outcome_of(
    record: PersonRecord,
    pack: Pack,
    index: int = 0,
    *,
    county: str | None = None,
    at: dt.date = COMPUTE_AT,
) -> Determination:
    """The determination for the record's `index`-th conviction (which must be relevant)."""
    key = record.convictions[index].key
    found = [d for d in determinations(record, pack, county=county, at=at) if d.key == key]
    assert found, f"conviction {index} was not classified"
    return found[0]


def tried(det: Determination) -> dict[str, bool]:
    """Step id → matched, for every step the engine tried."""
    return {t.step_id: t.matched for t in det.trace}


class Coverage:
    """Records, per step, whether some case matched it and some case fell through it."""

    def __init__(self, pack: Pack) -> None:
        self.pack = pack
        self.matched: set[str] = set()
        self.fell_through: set[str] = set()

    def add(self, det: Determination) -> None:
        for step_id, matched in tried(det).items():
            (self.matched if matched else self.fell_through).add(step_id)

    def missing(self) -> list[str]:
        """Steps lacking a matching case, or (except the final catch-all) a fall-through case."""
        out = []
        for i, step in enumerate(self.pack.steps):
            if step.id not in self.matched:
                out.append(f"{step.id}: no case matches it")
            if i < len(self.pack.steps) - 1 and step.id not in self.fell_through:
                out.append(f"{step.id}: no case falls through it")
        return out


def coverage_gaps(pack: Pack, dets: Iterable[Determination]) -> list[str]:
    """`Coverage.missing()` after the determinations of a pack's step cases."""
    coverage = Coverage(pack)
    for det in dets:
        coverage.add(det)
    return coverage.missing()


# A step case: (name, record, index of the conviction to check, expected step, outcome, label,
# reason).
StepCase = tuple[str, PersonRecord, int, str, Outcome, str, str]


def assert_step(pack: Pack, case: StepCase) -> None:
    """The case's conviction is decided by the expected step, with its outcome, label, reason."""
    _name, record, index, step, outcome, label, reason = case
    det = outcome_of(record, pack, index)
    assert (det.step_id, det.outcome, det.label, det.reason) == (step, outcome, label, reason)


def step_coverage_gaps(pack: Pack, cases: Iterable[StepCase]) -> list[str]:
    """`coverage_gaps` over step cases."""
    return coverage_gaps(pack, (outcome_of(c[1], pack, c[2]) for c in cases))


# The San Joaquin / Contra Costa 2019 flow, for either county.
def related_flow_cases(county: str) -> list[StepCase]:
    def c(offense: str, **kw: object) -> Conviction:
        return conv(offense, county=county, **kw)  # type: ignore[arg-type]

    same_cycle = ("001001001000", "001001002000")
    recent = c("459 PC", date="2016-01-01")
    return [
        ("after prop 64", person(c("11359 HS", date="2017-01-01")), 0, "after-prop64",
         Outcome.NOT_ELIGIBLE, "Not eligible", "Occurred after 11/09/2016"),
        ("4060 BP in a Prop 64 cycle",
         person(c("11359 HS", cnt=same_cycle[0]), c("4060 BP", cnt=same_cycle[1])), 1,
         "related-4060", Outcome.REVIEW, "Maybe Eligible - Flag for Review", "4060 BP"),
        ("148 PC in a Prop 64 cycle",
         person(c("11359 HS", cnt=same_cycle[0]), c("148 PC", cnt=same_cycle[1])), 1,
         "related", Outcome.DISMISS, "Eligible for Dismissal", "148 PC"),
        ("148 PC alone", person(c("11359 HS"), c("148 PC")), 1, "related-alone", Outcome.REVIEW,
         "Maybe Eligible - Flag for Review", "No Related Prop64 Charges"),
        ("misdemeanor", person(c("11359 HS", felony=False)), 0, "misdemeanor", Outcome.DISMISS,
         "Eligible for Dismissal", "Misdemeanor or Infraction"),
        ("felony 11357", person(c("11357(C) HS")), 0, "11357", Outcome.DISMISS,
         "Eligible for Dismissal", "11357 HS"),
        ("several, none recent", person(c("11359 HS", date="2005-01-01"),
                                        c("459 PC", date="2014-11-01")),
         0, "conviction-free", Outcome.DISMISS, "Eligible for Dismissal",
         "No convictions in past 5 years"),
        ("several, one recent", person(c("11359 HS", date="2005-01-01"), recent), 0,
         "recent-convictions", Outcome.REVIEW, "Maybe Eligible - Flag for Review",
         "Has convictions in past 5 years"),
        ("only one, served", person(c("11359 HS", date="2005-01-01", days=100)), 0,
         "sentence-completed", Outcome.DISMISS, "Eligible for Dismissal", "Sentence Completed"),
        ("only one, serving", person(c("11359 HS", date="2016-01-01", days=5 * 366)), 0,
         "otherwise", Outcome.REVIEW, "Maybe Eligible - Flag for Review", "Sentence not Completed"),
    ]  # fmt: skip
