"""The `california-statute` pack (the HS 11361.8 floor), step by step, on hand-built records.

Each case names the statute it relies on. The whole DOJ file -> import -> classify path is
exercised, bullet by bullet of issue 9, in tests/test_statute_floor.py.
"""

from __future__ import annotations

import pytest
from pack_cases import conv, coverage_gaps, determinations, event, outcome_of, person

from rules.model import EventKind, Flag, Outcome, PersonRecord
from rules.packs import load_pack

PACK = load_pack("california-statute")
LA = "LOS ANGELES"
R, D, N, V = Outcome.REDUCE, Outcome.DISMISS, Outcome.NOT_ELIGIBLE, Outcome.REVIEW


def misd(offense: str, **kw: object) -> object:
    return conv(offense, felony=False, **kw)  # type: ignore[arg-type]


CASES = [
    # HS 11361.8(a), (e): conduct before 2016-11-09; an unknown offense date is asked about.
    ("convicted 2017, no arrest date", person(conv("11359 HS", date="2017-01-01")), 0,
     "after-prop64-offense-unknown", V,
     "Convicted on or after 11/09/2016, no arrest date: was the offense before 11/09/2016?"),
    ("arrested and convicted after", person(conv("11359 HS", date="2017-01-01",
                                               arrested="2016-12-01")), 0,
     "after-prop64", N, "Offense on or after 11/09/2016"),
    # HS 11361.8(a)-(b): still serving.
    ("serving", person(conv("11359 HS", date="2016-01-01", days=5 * 366)), 0, "serving", V,
     "Sentence still being served: petition for recall; the court may deny it for risk to "
     "public safety"),
    ("no date of birth", person(misd("11357(B) HS", date="2000-01-01"), dob=None), 0,
     "age-unknown", V, "Misdemeanor or infraction, date of birth unknown: the law today "
     "depends on the age at the offense"),
    # Under 18: HS 11357(a)(1), (b)(1), (d), 11358(a), 11359(a), 11360(a)(1).
    ("infraction at 17", person(misd("11357(B) HS", infraction=True, date="2012-06-01",
                                     arrested="2012-05-01"), dob="1995-01-01"), 0,
     "under-18-infraction", N,
     "Infraction, under 18 at the offense: still an infraction, nothing lower to redesignate"),
    ("felony 11359 at 17, convicted at 18", person(conv("11359 HS", date="2013-03-01",
                                                        arrested="2012-12-01"),
                                                   dob="1995-01-01"), 0,
     "under-18", R, "HS 11359, under 18 at the offense: now an infraction, redesignate"),
    ("misdemeanor at 19, no arrest date", person(misd("11359 HS", date="2009-06-01"),
                                                 dob="1990-01-01"), 0,
     "no-arrest-date-under-21", V,
     "Misdemeanor or infraction, convicted under 21, no arrest date: how old at the offense?"),
    # HS 11362.1(a)(1): 28.5 g or less is lawful at 21.
    ("11357(b) at 29", person(misd("11357(B) HS", date="2000-01-01", arrested="1999-12-01")), 0,
     "adult-11357b", D, "HS 11357(b), 28.5 g or less, 21 or older at the offense: lawful today"),
    ("11357 infraction at 42", person(misd("11357 HS", infraction=True, date="2012-01-01")), 0,
     "adult-11357-infraction", D,
     "HS 11357 infraction (28.5 g or less), 21 or older at the offense: lawful today"),
    # HS 11357(b) was an infraction from 2011-01-01 (SB 1449); at 18-20 it still is, (a)(2).
    ("11357(b) in 2012 at 20", person(misd("11357(B) HS", date="2012-06-01",
                                           arrested="2012-05-01"), dob="1992-01-01"), 0,
     "young-infraction", N,
     "Infraction, 18 to 20 at the offense: still an infraction, nothing lower to redesignate"),
    ("11357(b) in 2009 at 20", person(misd("11357(B) HS", date="2009-06-01",
                                           arrested="2009-05-01"), dob="1989-01-01"), 0,
     "young-11357b", R,
     "HS 11357(b), 28.5 g or less, 18 to 20 at the offense: now an infraction, redesignate"),
    ("11357(a) misdemeanor", person(misd("11357(A) HS")), 0, "misdemeanor-11357a", V,
     "HS 11357(a), concentrated cannabis: 8 g or less? Then lawful at 21+ (dismiss), an "
     "infraction at 18-20 (reduce); more is still a misdemeanor"),
    ("11357 misdemeanor", person(misd("11357 HS")), 0, "misdemeanor-11357-amount", V,
     "HS 11357, no subdivision: 28.5 g (8 g concentrated) or less? Then lawful at 21+ "
     "(dismiss), an infraction at 18-20 (reduce); more is still a misdemeanor"),
    # HS 11357(b)(2), (c): still misdemeanors at 18 or over.
    ("11357(c) misdemeanor", person(misd("11357(C) HS")), 0, "misdemeanor-11357c", N,
     "HS 11357(c), more than 28.5 g, 18 or older at the offense: still a misdemeanor"),
    ("11357(d) misdemeanor", person(misd("11357(D) HS")), 0, "misdemeanor-11357d", N,
     "HS 11357(d), on school grounds, 18 or older at the offense: still a misdemeanor"),
    ("11357(e) misdemeanor", person(misd("11357(E) HS")), 0, "misdemeanor-11357-other", V,
     "HS 11357(e): subdivision does not fit the offense; check the court record"),
    ("11358 misdemeanor", person(misd("11358 HS")), 0, "misdemeanor-11358", V,
     "HS 11358: six plants or fewer? Then lawful at 21+ (dismiss), an infraction at 18-20 "
     "(reduce); more is still a misdemeanor"),
    ("11359 misdemeanor", person(misd("11359 HS")), 0, "misdemeanor-11359", N,
     "HS 11359, possession for sale, 18 or older at the offense: still a misdemeanor"),
    ("11360 misdemeanor", person(misd("11360(B) HS")), 0, "misdemeanor-11360", V,
     "HS 11360: a sale? That is still a misdemeanor; 28.5 g or less given away or carried, "
     "not for sale, is lawful at 21+ and an infraction at 18-20"),
    ("felony 11357", person(conv("11357(A) HS")), 0, "felony-11357", R,
     "Felony HS 11357: now a misdemeanor at most, reduce"),
    # HS 11358(d)(1), 11359(c)(1), 11360(a)(3)(A): a super strike or PC 290(c) prior.
    ("11358 after a super strike", person(conv("187 PC", date="1990-01-01"),
                                          conv("11358 HS", date="2000-01-01")), 1,
     "prior-11358", V, "Felony HS 11358 after a super strike 187 PC (1990-01-01): may still "
     "be a felony; decide whether to oppose reduction"),
    ("11359 after a PC 290 registration",
     person(conv("11359 HS", date="2000-01-01"),
            events=[event(EventKind.REGISTRATION, "290 PC", date="1995-01-01")]), 0,
     "prior-11359", V, "Felony HS 11359 after a PC 290 registration (1995-01-01): may still "
     "be a felony; decide whether to oppose reduction"),
    ("11360 after a PC 290 offense", person(conv("314(1) PC", date="1990-01-01"),
                                            conv("11360 HS", date="2000-01-01")), 1,
     "prior-11360", V, "Felony HS 11360 after a PC 290 offense 314(1) PC (1990-01-01): may "
     "still be a felony; decide whether to oppose reduction"),
    # HS 11358(d)(2), 11359(c)(2), 11360(a)(3)(B): two priors of the same section.
    ("third 11358", person(conv("11358 HS", date="1990-01-01"), conv("11358 HS", date="1995-01-01"),
                           conv("11358 HS", date="2000-01-01")), 2,
     "two-priors-11358", V, "Felony HS 11358 after two or more HS 11358 convictions: may still "
     "be a felony; decide whether to oppose reduction"),
    ("third 11359", person(conv("11359 HS", date="1990-01-01"), conv("11359 HS", date="1995-01-01"),
                           conv("11359 HS", date="2000-01-01")), 2,
     "two-priors-11359", V, "Felony HS 11359 after two or more HS 11359 convictions: may still "
     "be a felony; decide whether to oppose reduction"),
    ("third 11360", person(conv("11360(A) HS", date="1999-01-01"),
                           conv("11360(A) HS", date="2002-01-01"),
                           conv("11360(A) HS", date="2010-01-01")), 2,
     "two-priors-11360", V, "Felony HS 11360 after two or more HS 11360 convictions: may still "
     "be a felony; decide whether to oppose reduction"),
    # Otherwise a misdemeanor today: HS 11358(c), 11359(b), 11360(a)(2).
    ("second 11358", person(conv("11358 HS", date="1995-01-01"), conv("11358 HS", date="2000-01-01")),
     1, "felony-11358", R, "Felony HS 11358: now a misdemeanor at most, reduce"),
    ("felony 11359", person(conv("11359 HS")), 0, "felony-11359", R,
     "Felony HS 11359: now a misdemeanor, reduce"),
    ("second 11360", person(conv("11360 HS", date="1995-01-01"), conv("11360 HS", date="2000-01-01")),
     1, "felony-11360", R, "Felony HS 11360: now a misdemeanor at most, reduce"),
]  # fmt: skip

# The citation each step gives: the subdivision it relies on (HS 11361.8(e)-(f) and 11361.9
# for relief on a completed sentence).
RELIEF = "HS 11361.8(e)-(f); HS 11361.9"
CITATIONS = {
    "after-prop64-offense-unknown": "HS 11361.8(a), (e): conduct before Prop 64 took effect",
    "after-prop64": "HS 11361.8(a), (e): conduct before Prop 64 took effect",
    "serving": "HS 11361.8(a)-(b)",
    "under-18": f"{RELIEF}; under 18: HS 11357(a)(1), (b)(1), (d), 11358(a), 11359(a), 11360(a)(1)",
    "adult-11357b": f"{RELIEF}; HS 11362.1(a)(1)",
    "adult-11357-infraction": f"{RELIEF}; HS 11362.1(a)(1)",
    "young-11357b": f"{RELIEF}; HS 11357(a)(2)",
    "misdemeanor-11357c": "HS 11357(b)(2)",
    "misdemeanor-11357d": "HS 11357(c)",
    "misdemeanor-11359": "HS 11359(b)",
    "felony-11357": f"{RELIEF}; HS 11357(b)(2)",
    "prior-11358": "HS 11358(d)(1); HS 11361.8(e)-(f)",
    "prior-11359": "HS 11359(c)(1); HS 11361.8(e)-(f)",
    "prior-11360": "HS 11360(a)(3)(A); HS 11361.8(e)-(f)",
    "two-priors-11358": "HS 11358(d)(2); HS 11361.8(e)-(f)",
    "two-priors-11359": "HS 11359(c)(2); HS 11361.8(e)-(f)",
    "two-priors-11360": "HS 11360(a)(3)(B); HS 11361.8(e)-(f)",
    "felony-11358": f"{RELIEF}; HS 11358(c)",
    "felony-11359": f"{RELIEF}; HS 11359(b)",
    "felony-11360": f"{RELIEF}; HS 11360(a)(2)",
}


@pytest.mark.parametrize(("name", "record", "index", "step", "outcome", "reason"), CASES)
def test_each_step(
    name: str, record: PersonRecord, index: int, step: str, outcome: Outcome, reason: str
) -> None:
    det = outcome_of(record, PACK, index, county=LA)
    assert (det.step_id, det.outcome, det.reason) == (step, outcome, reason)
    assert not det.forced_review
    if step in CITATIONS:
        assert det.citation == CITATIONS[step]
    assert det.citation.startswith("HS ")  # every step cites the statute


def test_every_step_has_a_matching_and_a_falling_through_case() -> None:
    dets = (outcome_of(record, PACK, index, county=LA) for _n, record, index, *_ in CASES)
    # `otherwise` is a safety net: the steps above cover every Prop 64 conviction, so no
    # case can reach it, and nothing can fall through `felony-11360`.
    assert coverage_gaps(PACK, dets) == [
        "felony-11360: no case falls through it",
        "otherwise: no case matches it",
    ]


def test_relief_always_cites_the_completed_sentence_route() -> None:
    for step in PACK.steps:
        if step.outcome in (D, R):
            assert step.citation.startswith(RELIEF), step.id
        assert "11361.8(b)(1)" not in step.citation, step.id  # dangerousness evidence only


def test_a_super_strike_after_the_offense_is_no_prior() -> None:
    # HS 11359(c)(1): the prior must precede the offense (arrested 2000-01, convicted 2001).
    record = person(conv("187 PC", date="2000-06-01"),
                    conv("11359 HS", date="2001-01-01", arrested="2000-01-01"))  # fmt: skip
    det = outcome_of(record, PACK, 1, county=LA)
    assert (det.step_id, det.outcome) == ("felony-11359", R)


def test_priors_are_counted_before_the_offense() -> None:
    # Two earlier 11358 convictions, but the second came after this offense's arrest.
    record = person(
        conv("11358 HS", date="1990-01-01"),
        conv("11358 HS", date="1999-06-01"),
        conv("11358 HS", date="2000-01-01", arrested="1999-01-01"),
    )
    det = outcome_of(record, PACK, 2, county=LA)
    assert (det.step_id, det.outcome) == ("felony-11358", R)


def test_missing_dob_on_a_misdemeanor_goes_to_review() -> None:
    record = person(conv("11357(B) HS", felony=False, flags=(Flag.MISSING_DOB,)), dob=None)
    det = outcome_of(record, PACK, county=LA)
    assert det.outcome is V
    assert det.reason == "Review the record: missing date of birth"
    # No honest suggestion (the law today depends on the age): the step's question instead.
    assert det.suggested_outcome is None
    assert det.suggested_reason.startswith(
        "How old was the person at the offense (date of birth unknown)? Under 18: now an "
        "infraction, reduce"
    )


def test_every_flag_forces_review_with_the_suggestion_kept() -> None:
    record = person(conv("SEE COMMENT FOR CHARGE", comment="11358 HS-CULTIVATE"))
    det = outcome_of(record, PACK, county=LA)
    assert det.forced_review
    assert det.outcome is V
    assert det.suggested_outcome is R
    assert det.suggested_reason == "Felony HS 11358: now a misdemeanor at most, reduce"
    assert det.reason == "Review the record: charge only in the comment"


def test_never_not_eligible_before_prop64_unless_the_law_today_is_no_lighter() -> None:
    # Before 2016-11-09 the floor says not_eligible only where the same conduct is still the
    # same offense today (HS 11357(b)(2), (c), 11359(b)) or already an infraction.
    record = person(
        misd("11357(B) HS", date="2000-01-01"),
        conv("11359 HS", date="2001-01-01"),
        conv("11360 HS", date="2002-01-01"),
        misd("11358 HS", date="2003-01-01"),
        misd("11360 HS", date="2004-01-01"),
    )
    dets = determinations(record, PACK, county=LA)
    assert [d.outcome for d in dets] == [D, R, R, V, V]
