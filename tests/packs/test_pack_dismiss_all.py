"""The `dismiss-all` pack: every relevant Prop 64 conviction is dismissed (what-if baseline)."""

from __future__ import annotations

from pack_cases import conv, determinations, person

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


def test_flagged_convictions_are_dismissed_with_their_flags_recorded() -> None:
    # The baseline forces no review: a doubtful conviction is dismissed like any other, and
    # its flags stay on the determination for reviewers to see.
    assert PACK.force_review_flags == frozenset()
    record = person(
        conv("664/11359 HS"),
        conv("SEE COMMENT FOR CHARGE", comment="11358 HS", flags=(Flag.PARTIAL_DATE,)),
    )
    dets = determinations(record, PACK, county="LOS ANGELES")
    assert {(d.outcome, d.forced_review, d.reason, d.suggested_outcome) for d in dets} == {
        (Outcome.DISMISS, False, "Dismiss all Prop 64 convictions", None)
    }
    assert [d.flags for d in dets] == [
        (Flag.ATTEMPT_OR_CONSPIRACY,),
        (Flag.CHARGE_IN_COMMENT, Flag.PARTIAL_DATE),
    ]
    # A Prop 64 section under another code is classified too (CfA's matcher counted it),
    # dismissed like the rest with its WRONG_CODE flag kept.
    (wrong,) = determinations(person(conv("11357(A) PC")), PACK, county="LOS ANGELES")
    assert (wrong.outcome, wrong.flags, wrong.forced_review) == (
        Outcome.DISMISS,
        (Flag.WRONG_CODE,),
        False,
    )


def test_needs_a_county() -> None:
    assert PACK.county == ""
    assert determinations(person(conv("11358 HS")), PACK, county="YOLO") == []
