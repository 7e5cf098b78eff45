"""Plain data the rules work on: a person's record in, determinations out.

Nothing here knows about SQLite or the terminal. The importer and the classifier build
`PersonRecord`s from stored rows; the engine returns `Determination`s. Keeping these as
frozen dataclasses means a record can be built in a test by hand, exactly as the DOJ
file would describe it, and the rules can be read without the storage layer in mind.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class Outcome(StrEnum):
    """The four things a pack can say about a conviction (and nothing else)."""

    DISMISS = "dismiss"
    REDUCE = "reduce"
    NOT_ELIGIBLE = "not_eligible"
    REVIEW = "review"


class Flag(StrEnum):
    """Doubts the data itself raises, independent of any policy.

    A pack decides which of these force `review`; all are recorded and shown to reviewers
    (`rules.engine.FLAG_TEXT` says each in words). Raised by the charge parser
    (`rules.charges`), the record builder (`rules.records`: dates, duplicates, date of birth)
    and, for IMPOSSIBLE_DATE, the engine (it needs compute-at).
    """

    CHARGE_IN_COMMENT = "charge_in_comment"  # OFFENSE_DESCR blank / SEE COMMENT FOR CHARGE
    OTHER_P64_IN_COMMENT = "other_p64_in_comment"  # comment names a different Prop 64 charge
    ATTEMPT_OR_CONSPIRACY = "attempt_or_conspiracy"  # 664 / 182 modifier
    WRONG_CODE = "wrong_code"  # e.g. 11357 PC: a Prop 64 section under another code
    NO_CODE = "no_code"  # section with no code letters at all
    UNPARSED_CHARGE = "unparsed_charge"  # nothing recognisable as a section
    PARTIAL_DATE = "partial_date"  # YYYY0000 / YYYYMM00
    MISSING_DATE = "missing_date"  # blank or unparseable conviction date
    MISSING_DOB = "missing_dob"  # blank or unparseable date of birth
    PARTIAL_DOB = "partial_dob"  # date of birth without day or month: ages are approximate
    CONFLICTING_DUPLICATE = "conflicting_duplicate"  # same CNT_ORDER, different facts
    PRE_2016_SUBDIVISION = "pre_2016_subdivision"  # 11357 subdivision letters renumbered by Prop 64
    MULTIPLE_CHARGES = "multiple_charges"  # one row names two charges (`11357(C)HS/11359HS`)
    IMPOSSIBLE_DATE = "impossible_date"  # born after the conviction or compute-at, or before 1900


PROP64_SECTIONS: frozenset[str] = frozenset({"11357", "11358", "11359", "11360"})


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A DOJ date as written (`YYYYMMDD`), parsed as far as it goes.

    `value` is the best full date we can stand behind: for `YYYYMM00` the first of the month,
    for `YYYY0000` the first of January, `None` when even the year is unreadable. `partial`
    says the day or month was missing; `raw` keeps the original text for display.
    """

    raw: str
    value: dt.date | None
    partial: bool = False

    @property
    def known(self) -> bool:
        return self.value is not None

    @property
    def exact(self) -> bool:
        return self.value is not None and not self.partial


NO_DATE = PartialDate(raw="", value=None)


@dataclass(frozen=True, slots=True)
class Charge:
    """A charge as the rules see it, e.g. `664/11359(B) HS` → code HS, section 11359, sub ('b',)."""

    raw: str  # the text it was parsed from, exactly
    code: str | None  # HS, PC, VC, BP, MV, WI, ... ; None when the text carried none
    section: str | None  # "11359", "186.22", "288a"; None when unparsed
    subdivision: tuple[str, ...] = ()  # lower-case path: ("a", "2")
    attempt: bool = False  # PC 664
    conspiracy: bool = False  # PC 182
    source: str = "offense"  # "offense" or "comment"
    flags: tuple[Flag, ...] = ()
    description: str = ""  # text after the first '-' (OFFENSE_DESCR's free text)
    others: tuple[Charge, ...] = ()  # further charges the same text names (MULTIPLE_CHARGES)

    @property
    def is_prop64(self) -> bool:
        """A Prop 64 section under the Health & Safety code (or with no code letters)."""
        return self.section in PROP64_SECTIONS and self.code in ("HS", None)

    @property
    def looks_prop64(self) -> bool:
        """A Prop 64 section number under any code, or none: `11357 PC` too (WRONG_CODE).

        What gets a determination, and what counts as a Prop 64 conviction on the record:
        CfA's tools matched the section number whatever the code, and a Prop 64 section under
        another code is most likely a data-entry error that a person should see, not drop.
        """
        return self.section in PROP64_SECTIONS

    @property
    def all_charges(self) -> tuple[Charge, ...]:
        """This charge and any others the same row names."""
        return (self, *self.others)

    @property
    def display(self) -> str:
        """Normalized text such as `11360(a)(2) HS`, used in reasons and exports."""
        if self.section is None:
            return self.raw.strip()
        sub = "".join(f"({s})" for s in self.subdivision)
        prefix = "664/" if self.attempt else ("182/" if self.conspiracy else "")
        code = f" {self.code}" if self.code else ""
        return f"{prefix}{self.section}{sub}{code}"


@dataclass(frozen=True, slots=True)
class Conviction:
    """One conviction: a person and a CNT_ORDER with a DISP_DESCR starting `CONVICTED`.

    Repeated convicted rows with the same CNT_ORDER are parts of one sentence; the loader
    sums their durations into `sentence_days` and keeps every row's line in `lines`.
    """

    key: str  # stable conviction key: "SUBJECT_ID:CNT_ORDER"
    cnt_order: str
    date: PartialDate  # STP_EVENT_DATE
    county: str  # STP_ORI_CNTY_NAME, trimmed
    charge: Charge
    offense_descr: str  # raw OFFENSE_DESCR
    comment: str  # raw COMMENT_TEXT
    felony: bool
    toc: str = ""  # OFFENSE_TOC: F / M / I
    conv_status: str = ""  # CONV_STAT_DESCR
    sentence_days: float = 0.0  # summed over sentence parts (D=1, M=30.5, Y=366)
    court_number: str = ""  # OFN
    disposition: str = ""  # DISP_DESCR
    flags: tuple[Flag, ...] = ()  # data flags raised at load time (dates, duplicates)
    lines: tuple[int, ...] = ()  # physical line numbers of its source rows
    cycle_date: PartialDate = NO_DATE  # CYC_DATE: the arrest cycle's date

    @property
    def offense_date_known(self) -> bool:
        """Whether the arrest cycle's date (CYC_DATE) gives the offense date. A cycle date
        after the conviction cannot be the offense's, so it does not count."""
        cycle, convicted = self.cycle_date.value, self.date.value
        return cycle is not None and (convicted is None or cycle <= convicted)

    @property
    def offense_date(self) -> PartialDate:
        """When the offense was committed, as near as the DOJ file tells: the arrest cycle's
        date (CYC_DATE; an arrest follows the offense, usually the same day), else the
        conviction date (STP_EVENT_DATE). HS 11361.8 judges the conduct by the law "at the
        time of the offense" (subdivisions (a), (e)), and the age rules of HS 11357-11360
        by the person's age then."""
        return self.cycle_date if self.offense_date_known else self.date

    @property
    def cycle(self) -> str:
        """Arrest cycle: the first 3 digits of CNT_ORDER."""
        return self.cnt_order[:3]

    @property
    def court_case(self) -> str:
        """Court case: the first 6 digits of CNT_ORDER."""
        return self.cnt_order[:6]

    def sentence_end(self) -> dt.date | None:
        """When the sentence ended, as CfA computed it (date + summed duration)."""
        if self.date.value is None:
            return None
        return self.date.value + dt.timedelta(days=self.sentence_days)


class EventKind(StrEnum):
    ARREST = "arrest"
    REGISTRATION = "registration"
    DECEASED = "deceased"
    COURT = "court"  # court action that was not a conviction
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Event:
    """A non-conviction row of the record: arrests, registrations, deaths, other court actions."""

    kind: EventKind
    cnt_order: str
    date: PartialDate
    county: str
    charge: Charge
    offense_descr: str = ""
    comment: str = ""


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """Everything the rules may look at for one DOJ subject."""

    subject_id: str
    name: str
    dob: PartialDate
    cii: str
    convictions: tuple[Conviction, ...]
    events: tuple[Event, ...] = ()

    @property
    def deceased(self) -> bool:
        return any(e.kind is EventKind.DECEASED for e in self.events)


@dataclass(frozen=True, slots=True)
class TraceStep:
    """One step the engine tried for a conviction: did it match, and why (plain words)."""

    step_id: str
    matched: bool
    detail: str


@dataclass(frozen=True, slots=True)
class Determination:
    """What a pack says about one conviction.

    `outcome/label/reason` are final (after forced review). A `review` always carries
    `suggested_*` (`rules.suggest`): the outcome a reviewer can accept, with its label and
    reason (for a flag-forced review, what the step decided), or, where no suggestion is
    honest, `suggested_outcome` None and the question that resolves it in `suggested_reason`.
    """

    key: str
    outcome: Outcome
    label: str
    reason: str
    step_id: str
    citation: str = ""
    flags: tuple[Flag, ...] = ()
    forced_review: bool = False
    suggested_outcome: Outcome | None = None
    suggested_label: str = ""
    suggested_reason: str = ""
    trace: tuple[TraceStep, ...] = field(default=())
