"""The `dismiss-all` pack: every relevant Prop 64 conviction is dismissed (what-if baseline)."""

from __future__ import annotations

from pack_cases import conv, determinations, outcome_of, person

from rules.model import Flag, Outcome
from rules.packs import load_pack

PACK = load_pack("dismiss-all")


def test_every_prop64_conviction_is_dismissed() -> None:
    record = person(
        conv("11357(A) HS", felony=False),
        conv("11358 HS"),
        conv("11359 HS", date="2018-01-01"),
        conv("11360(A)(2) HS"),
        conv("459 PC"),
        conv("11357.5 HS"),
    )
    dets = determinations(record, PACK, county="LOS ANGELES")
    assert [d.key for d in dets] == [c.key for c in record.convictions[:4]]
    assert {(d.outcome, d.step_id, d.reason) for d in dets} == {
        (Outcome.DISMISS, "dismiss", "Dismiss all Prop 64 convictions")
    }


def test_a_doubtful_conviction_still_goes_to_a_person() -> None:
    record = person(conv("664/11359 HS"))
    det = outcome_of(record, PACK, county="LOS ANGELES")
    assert Flag.ATTEMPT_OR_CONSPIRACY in det.flags
    assert (det.outcome, det.forced_review) == (Outcome.REVIEW, True)
    assert (det.suggested_outcome, det.suggested_reason) == (
        Outcome.DISMISS,
        "Dismiss all Prop 64 convictions",
    )


def test_needs_a_county() -> None:
    assert PACK.county == ""
    assert determinations(person(conv("11358 HS")), PACK, county="YOLO") == []
