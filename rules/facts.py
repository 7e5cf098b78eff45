"""What a predicate may look at: one conviction, its person, the county and the compute-at date.

`PersonFacts` works out the person-level facts once per classification (the super strikes
on the record, the PC 290 offenses, the most recent conviction, ...) so that a pack with a
dozen steps does not rescan the record for every conviction and every step.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from rules import reference
from rules.dates import latest_possible
from rules.model import Conviction, EventKind, PersonRecord


class PersonFacts:
    """Person-level facts derived from a `PersonRecord`, computed lazily and cached."""

    def __init__(self, record: PersonRecord) -> None:
        self.record = record

    @property
    def dob(self) -> dt.date | None:
        return self.record.dob.value

    @cached_property
    def latest_conviction(self) -> dt.date | None:
        """The most recent conviction date on the record (any county), if any is readable."""
        dates = [c.date.value for c in self.record.convictions if c.date.value is not None]
        return max(dates) if dates else None

    @cached_property
    def undated_convictions(self) -> int:
        return sum(1 for c in self.record.convictions if c.date.value is None)

    @cached_property
    def super_strikes(self) -> tuple[Conviction, ...]:
        """Convictions that are super strikes, PC 667(e)(2)(C)(iv), including gang pairs.

        A gang-enhancement pair (PC 186.22(b)(4) with e.g. PC 136.1 in the same court case)
        makes the paired offense a super strike; its date is that conviction's date.
        """
        gang_cases = reference.gang_super_strike_cases(self.record.convictions)
        return tuple(
            c
            for c in self.record.convictions
            if any(reference.is_super_strike(charge) for charge in c.charge.all_charges)
            or (c.court_case in gang_cases and reference.GANG_PAIR_SECTIONS.matches(c.charge))
        )

    @cached_property
    def conspiracies_to_super_strikes(self) -> tuple[Conviction, ...]:
        """Conspiracies (PC 182) to a super-strike offense that are not super strikes
        themselves: only conspiracy to murder is listed (super_strikes.txt), since PC 182(a)
        punishes other conspiracies like their target, not always by life imprisonment
        (667(e)(2)(C)(iv)(VIII)). Not counted, but named to the reviewer in the trace."""
        listed = {c.key for c in self.super_strikes}
        return tuple(
            c
            for c in self.record.convictions
            if c.key not in listed
            and any(
                charge.conspiracy
                and reference.is_super_strike(dataclasses.replace(charge, conspiracy=False))
                for charge in c.charge.all_charges
            )
        )

    @cached_property
    def pc290_offenses(self) -> tuple[Conviction, ...]:
        """Convictions for offenses that require PC 290 sex-offender registration."""
        return tuple(
            c
            for c in self.record.convictions
            if any(reference.is_pc290_offense(charge) for charge in c.charge.all_charges)
        )

    @cached_property
    def pc290_registrations(self) -> tuple[dt.date | None, ...]:
        """Dates of PC 290 registration events (None when the date is unreadable)."""
        return tuple(
            e.date.value
            for e in self.record.events
            if e.kind is EventKind.REGISTRATION and reference.is_pc290_registration(e)
        )

    @cached_property
    def prop64_cycles(self) -> frozenset[str]:
        """Arrest cycles (first 3 digits of CNT_ORDER) holding any Prop 64 charge, any row.

        A Prop 64 section under another code (`11357 PC`) counts, as it did in CfA's flows:
        the conviction itself is classified as Prop 64 (`Charge.looks_prop64`)."""
        cycles = {c.cycle for c in self.record.convictions if c.charge.looks_prop64}
        cycles.update(e.cnt_order[:3] for e in self.record.events if e.charge.looks_prop64)
        return frozenset(cycles)


# Before this, a DOJ date is a typing error, not a conviction anyone can be relieved of.
EARLIEST_PLAUSIBLE = dt.date(1900, 1, 1)


def impossible_date(record: PersonRecord, conviction: Conviction) -> str | None:
    """Why this conviction's dates cannot be right, or None.

    A date of birth after the conviction (even the latest day a partial conviction date
    could be), or a conviction before 1900. Either makes every date-based answer
    (age, "N years ago", priors) meaningless, so the conviction is flagged IMPOSSIBLE_DATE.
    A date of birth after compute-at is `Facts.impossible_date`'s concern (it needs the date).
    """
    dob, when = record.dob.value, conviction.date.value
    if when is None:
        return None
    latest = latest_possible(conviction.date) or when
    if latest < EARLIEST_PLAUSIBLE:
        return f"convicted {conviction.date.raw.strip()}, before 1900"
    if dob is not None and dob > latest:
        return f"born {dob} after the conviction ({when})"
    return None


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything one predicate call may use."""

    person: PersonFacts
    conviction: Conviction
    county: str
    compute_at: dt.date
    parameters: Mapping[str, object]

    @property
    def record(self) -> PersonRecord:
        return self.person.record

    @property
    def impossible_date(self) -> str | None:
        """Why this conviction's dates cannot be right (`impossible_date`, or a date of
        birth after compute-at), or None."""
        dob = self.person.dob
        if dob is not None and dob > self.compute_at:
            return f"born {dob}, after compute-at {self.compute_at}"
        return impossible_date(self.record, self.conviction)
