"""What a predicate may look at: one conviction, its person, the county and the compute-at date.

`PersonFacts` works out the person-level facts once per classification (the super strikes
on the record, the PC 290 offenses, the most recent conviction, ...) so that a pack with a
dozen steps does not rescan the record for every conviction and every step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from rules import reference
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
            if reference.is_super_strike(c.charge)
            or (c.court_case in gang_cases and reference.GANG_PAIR_SECTIONS.matches(c.charge))
        )

    @cached_property
    def pc290_offenses(self) -> tuple[Conviction, ...]:
        """Convictions for offenses that require PC 290 sex-offender registration."""
        return tuple(c for c in self.record.convictions if reference.is_pc290_offense(c.charge))

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
        """Arrest cycles (first 3 digits of CNT_ORDER) holding any Prop 64 charge, any row."""
        cycles = {c.cycle for c in self.record.convictions if c.charge.is_prop64}
        cycles.update(e.cnt_order[:3] for e in self.record.events if e.charge.is_prop64)
        return frozenset(cycles)


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
