"""The columns and summary numbers Code for America's gogen wrote, computed from DOJ rows.

gogen's output files carry, beside every DOJ row, 18 "eligibility" columns about the
person and the conviction (case numbers, counts, years since, super strikes, PC 290...)
plus the determination. Offices know these files, so triage can write them again for a
run. Everything here is computed from the person's DOJ rows as gogen read them (the raw
95 fields, in file order) and from the run's determinations, keyed by conviction key.

It works from rows rather than from `PersonRecord` because several columns depend on row
facts a record does not keep: the court numbers (OFN) of non-conviction court actions,
which gogen lists in "Case Number", and the section text exactly as written.

Where triage deliberately differs from gogen (documented in docs/exports.md):
- "no conviction in the last 7 years" counts from compute-at; gogen used the wall clock;
- super strike / PC 290 / Prop 64 sections are matched exactly, not as unanchored patterns
  (gogen took `237 PC` for `37 PC` and `11357.5` for `11357`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rules.dates import parse_doj_date
from rules.doj_layout import DOJ_COLUMNS

# Re-exported: the charge-text helpers are part of this module's interface.
from rules.gogen_charges import code_section as code_section
from rules.gogen_charges import possible_other_p64 as possible_other_p64
from rules.gogen_charges import prop64_section as prop64_section
from rules.gogen_reference import (
    ENHANCEABLE,
    GANG_ENHANCEMENT,
    is_pc290,
    is_superstrike,
    normalize,
)
from rules.model import Outcome

ELIGIBILITY_COLUMNS: tuple[str, ...] = (
    "Case Number",
    "# of convictions on record",
    "Possible Other P64 Charges",
    "Occurred after 11/9/2016",
    "Superstrike Code Section(s)",
    "PC290 Code Section(s)",
    "PC290 Registration",
    "Date of Conviction",
    "Years Since This Conviction",
    "Years Since Any Conviction",
    "# of Prop 64 convictions",
    "# of HS 11357 convictions",
    "# of HS 11358 convictions",
    "# of HS 11359 convictions",
    "# of HS 11360 convictions",
    "Deceased",
    "Eligibility Determination",
    "Eligibility Reason",
)
CONDENSED_COLUMNS: tuple[str, ...] = (
    "CII_NUMBER", "PRI_NAME", "GENDER", "PRI_DOB", "RACE_DESCR", "CYC_DATE", "STP_EVENT_DATE",
    "STP_ORI_DESCR", "STP_ORI_CNTY_NAME", "DISP_DATE", "OFN", "OFFENSE_DESCR", "DISP_DESCR",
    "CONV_STAT_DESCR", "SENT_LOC_DESCR", "SENT_LENGTH", "SENT_TIME_CODE", "CYC_AGE",
    "COMMENT_TEXT", "END_OF_REC",
)  # fmt: skip
COL = {name: i for i, name in enumerate(DOJ_COLUMNS)}
CONDENSED_INDEXES: tuple[int, ...] = tuple(COL[c] for c in CONDENSED_COLUMNS)
PROP64 = ("11357", "11358", "11359", "11360")
PROP64_EFFECTIVE = dt.date(2016, 11, 9)
# gogen printed Go's zero time for a conviction date it could not read.
ZERO_DATE = "01/01/0001"

DISMISSAL = "Eligible for Dismissal"
REDUCTION = "Eligible for Reduction"
GOGEN_DETERMINATIONS = {
    Outcome.DISMISS: DISMISSAL,
    Outcome.REDUCE: REDUCTION,
    Outcome.NOT_ELIGIBLE: "Not eligible",
    Outcome.REVIEW: "Hand Review",
}
_KNOWN_LABELS = frozenset(GOGEN_DETERMINATIONS.values()) | {"Maybe Eligible - Flag for Review"}


@dataclass(frozen=True)
class Verdict:
    """A determination as gogen's two last columns show it."""

    outcome: Outcome
    determination: str
    reason: str


def verdict(outcome: Outcome | str, label: str, reason: str) -> Verdict:
    """gogen's wording for a determination: the pack's label when it already uses gogen's
    words ("Eligible for Dismissal"...), else the wording of its outcome."""
    out = Outcome(outcome)
    text = label if label in _KNOWN_LABELS else GOGEN_DETERMINATIONS[out]
    return Verdict(out, text, reason.strip())


def _parse_date(raw: str) -> dt.date | None:
    """A DOJ date as gogen read it: `rules.dates` reads it, and a partial one (`19810400`)
    counts as no date, since gogen's parser refused zero months and days."""
    date = parse_doj_date(raw)
    return None if date.partial else date.value


@dataclass(frozen=True)
class GogenConviction:
    """One conviction as gogen counted it: the first convicted row of a CNT_ORDER."""

    index: int  # position of its first row in the rows given
    key: str
    section_text: str
    prop64: str | None
    date: dt.date | None
    county: str
    felony: bool
    court_case: str


@dataclass
class GogenSubject:
    """A DOJ subject's rows folded the way gogen folded them."""

    subject_id: str
    convictions: list[GogenConviction] = field(default_factory=list)
    case_numbers: dict[str, list[str]] = field(default_factory=dict)
    pc290_registration: bool = False
    deceased: bool = False
    _person: tuple[dt.date, tuple[str, ...]] | None = None

    def person_columns(self, compute_at: dt.date) -> tuple[str, ...]:
        """The columns that are the same for all of the person's convictions: conviction
        count, super strikes, PC 290 sections and registration, years since any
        conviction, Prop 64 counts by section, deceased (computed once per person)."""
        if self._person is None or self._person[0] != compute_at:
            sections = Counter(c.prop64 for c in self.convictions if c.prop64)
            dates = [c.date for c in self.convictions if c.date is not None]
            pc290 = [c.section_text for c in self.convictions if is_pc290(c.section_text)]
            self._person = (
                compute_at,
                (
                    str(len(self.convictions)),
                    ";".join(_superstrikes(self)) or "-",
                    ";".join(pc290) or "-",
                    "Yes" if self.pc290_registration else "-",
                    _years(compute_at, max(dates) if dates else None),
                    str(sum(sections.values())),
                    *(str(sections[s]) for s in PROP64),
                    "Deceased" if self.deceased else "-",
                ),
            )
        return self._person[1]


def conviction_key(fields: Sequence[str]) -> str:
    """triage's stable conviction key, `SUBJECT_ID:CNT_ORDER` (trimmed)."""
    return f"{fields[COL['SUBJECT_ID']].strip()}:{fields[COL['CNT_ORDER']].strip()}"


def fold_subjects(rows: Iterable[Sequence[str]]) -> dict[str, GogenSubject]:
    """Group rows by subject in file order; `index` counts rows from 0 across all of them."""
    subjects: dict[str, GogenSubject] = {}
    seen: dict[str, set[str]] = {}
    for index, f in enumerate(rows):
        sid = f[COL["SUBJECT_ID"]].strip()
        if sid not in subjects:
            subjects[sid], seen[sid] = GogenSubject(sid), set()
        subject = subjects[sid]
        stp_type = f[COL["STP_TYPE_DESCR"]].strip()
        cnt_order = f[COL["CNT_ORDER"]].strip()
        ofn = f[COL["OFN"]]
        if stp_type == "DECEASED":
            subject.deceased = True
        if stp_type == "COURT ACTION" and ofn != "":
            numbers = subject.case_numbers.setdefault(cnt_order[:6], [])
            if ofn not in numbers:
                numbers.append(ofn)
        if stp_type == "REGISTRATION" and f[COL["OFFENSE_DESCR"]].startswith("290"):
            subject.pc290_registration = True
        key = conviction_key(f)
        if f[COL["DISP_DESCR"]].startswith("CONVICTED") and key not in seen[sid]:
            seen[sid].add(key)
            text = code_section(f)
            status = f[COL["CONV_STAT_DESCR"]].strip()
            subject.convictions.append(GogenConviction(
                index=index, key=key, section_text=text, prop64=prop64_section(text),
                date=_parse_date(f[COL["STP_EVENT_DATE"]]),
                county=f[COL["STP_ORI_CNTY_NAME"]].strip(),
                felony=status == "FELONY" or (status == "" and f[COL["OFFENSE_TOC"]].strip() == "F"),
                court_case=cnt_order[:6],
            ))  # fmt: skip
    return subjects


def _years(compute_at: dt.date, date: dt.date | None) -> str:
    if date is None:
        return "-1.0"
    return f"{(compute_at - date).days / 365.25:.1f}"


def _superstrikes(subject: GogenSubject) -> list[str]:
    found = [c.section_text for c in subject.convictions if is_superstrike(c.section_text)]
    # A gang enhancement makes certain offenses in the same court case super strikes.
    gang_cases = {
        c.court_case
        for c in subject.convictions
        if GANG_ENHANCEMENT.fullmatch(normalize(c.section_text))
    }
    found += [
        c.section_text
        for c in subject.convictions
        if c.court_case in gang_cases and ENHANCEABLE.fullmatch(normalize(c.section_text))
    ]
    return found


def conviction_columns(
    subject: GogenSubject,
    conviction: GogenConviction,
    fields: Sequence[str],
    found: Verdict,
    compute_at: dt.date,
) -> tuple[str, ...]:
    """The 18 eligibility columns for a conviction's first row."""
    count, supers, pc290, registered, years_any, p64, s57, s58, s59, s60, dead = (
        subject.person_columns(compute_at)
    )
    date = conviction.date
    return (
        "; ".join(subject.case_numbers.get(conviction.court_case, [])),
        count,
        possible_other_p64(fields[COL["OFFENSE_DESCR"]], fields[COL["COMMENT_TEXT"]]),
        "Y" if date is not None and date > PROP64_EFFECTIVE else "N",
        supers,
        pc290,
        registered,
        date.strftime("%m/%d/%Y") if date is not None else ZERO_DATE,
        _years(compute_at, date),
        years_any,
        p64,
        s57,
        s58,
        s59,
        s60,
        dead,
        found.determination,
        found.reason,
    )


def row_columns(
    rows: Sequence[Sequence[str]],
    verdicts: Mapping[str, Verdict],
    compute_at: dt.date,
    subjects: Mapping[str, GogenSubject] | None = None,
) -> list[tuple[str, ...]]:
    """The 18 eligibility columns for every row, aligned with `rows`.

    A conviction's first row gets all of them when the run has a determination for it;
    every other row is blank except "Possible Other P64 Charges", as gogen wrote them.
    `subjects` may pass `fold_subjects(rows)` when the caller already has it.
    """
    if subjects is None:
        subjects = fold_subjects(rows)
    out: list[tuple[str, ...]] = []
    for f in rows:
        blank = [""] * len(ELIGIBILITY_COLUMNS)
        blank[2] = possible_other_p64(f[COL["OFFENSE_DESCR"]], f[COL["COMMENT_TEXT"]])
        out.append(tuple(blank))
    for subject in subjects.values():
        for conviction in subject.convictions:
            found = verdicts.get(conviction.key)
            if found is not None:
                out[conviction.index] = conviction_columns(
                    subject, conviction, rows[conviction.index], found, compute_at
                )
    return out


def _full_relief(
    subjects: Iterable[GogenSubject],
    verdicts: Mapping[str, Verdict],
    counted: Any,
    relief: tuple[Outcome, ...],
) -> int:
    """People for whom every conviction `counted` selects gets `relief` (and there is one)."""
    people = 0
    for subject in subjects:
        chosen = [c for c in subject.convictions if counted(c)]
        if chosen and all(
            (v := verdicts.get(c.key)) is not None and v.outcome in relief for c in chosen
        ):
            people += 1
    return people


def impact(
    subjects: Mapping[str, GogenSubject], verdicts: Mapping[str, Verdict], compute_at: dt.date
) -> dict[str, int]:
    """People left with no felony, no conviction in the 7 years before compute-at, and no
    conviction at all, if the verdicts are granted (gogen's three impact figures)."""
    seven_years_ago = _years_before(compute_at, 7)
    relief = (Outcome.DISMISS, Outcome.REDUCE)
    return {
        "CountSubjectsNoFelony": _full_relief(
            subjects.values(), verdicts, lambda c: c.felony, relief
        ),
        "CountSubjectsNoConvictionLast7Years": _full_relief(
            subjects.values(),
            verdicts,
            lambda c: c.date is not None and c.date > seven_years_ago,
            (Outcome.DISMISS,),
        ),
        "CountSubjectsNoConviction": _full_relief(
            subjects.values(), verdicts, lambda c: True, (Outcome.DISMISS,)
        ),
    }


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February: Go's AddDate normalises to 1 March
        return dt.date(day.year - years, 3, 1)


def dismiss_all(subjects: Mapping[str, GogenSubject], county: str) -> dict[str, Verdict]:
    """The "dismiss every Prop 64 conviction in the county" scenario gogen compared with."""
    return {
        c.key: Verdict(Outcome.DISMISS, DISMISSAL, "Dismiss all Prop 64 convictions")
        for s in subjects.values()
        for c in s.convictions
        if c.prop64 and c.county == county
    }


def summary(
    subjects: Mapping[str, GogenSubject],
    verdicts: Mapping[str, Verdict],
    *,
    county: str,
    compute_at: dt.date,
    line_count: int,
    seconds: float,
    dismiss_sections: Sequence[str] = ("11357", "11358"),
    reduce_sections: Sequence[str] = ("11359", "11360"),
) -> dict[str, Any]:
    """gogen's summary (its `gogen.json`), keys in gogen's order."""
    in_county = [
        c for s in subjects.values() for c in s.convictions if c.county == county and c.prop64
    ]
    by_reason: dict[str, Counter[str]] = {}
    for c in in_county:
        found = verdicts.get(c.key)
        if found is not None:
            by_reason.setdefault(found.determination, Counter())[found.reason] += 1
    dismissed = by_reason.get(DISMISSAL, Counter())
    reduced = by_reason.get(REDUCTION, Counter())
    dates = [c.date for c in in_county if c.date is not None]
    earliest = min(dates) if dates else compute_at
    return {
        "county": county,
        "earliestConviction": f"{earliest.isoformat()}T00:00:00Z",
        "lineCount": line_count,
        "processingTimeInSeconds": seconds,
        "reliefWithCurrentEligibilityChoices": impact(subjects, verdicts, compute_at),
        "reliefWithDismissAllProp64": impact(subjects, dismiss_all(subjects, county),
                                             compute_at),
        "prop64ConvictionsCountInCountyByCodeSection": dict(
            sorted(Counter(c.prop64 for c in in_county if c.prop64).items())),
        "subjectsWithProp64ConvictionCountInCounty": len(
            {c.key.rsplit(":", 1)[0] for c in in_county}),
        "prop64FelonyConvictionsCountInCounty": sum(c.felony for c in in_county),
        "prop64NonFelonyConvictionsCountInCounty": sum(not c.felony for c in in_county),
        "subjectsWithSomeReliefCount": sum(
            any((v := verdicts.get(c.key)) is not None
                and v.outcome in (Outcome.DISMISS, Outcome.REDUCE) for c in s.convictions)
            for s in subjects.values()),
        "convictionDismissalCountByCodeSection": {
            s: dismissed[f"Dismiss all HS {s} convictions"] for s in dismiss_sections},
        "convictionReductionCountByCodeSection": {
            s: reduced[f"Reduce all HS {s} convictions"] for s in reduce_sections},
        "convictionDismissalCountByAdditionalRelief": dict(sorted(
            (reason, n) for reason, n in dismissed.items()
            if not reason.startswith(("Dismiss all HS", "Misdemeanor or Infraction")))),
    }  # fmt: skip


def total_convictions(subjects: Mapping[str, GogenSubject]) -> int:
    return sum(len(s.convictions) for s in subjects.values())
