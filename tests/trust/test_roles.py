"""Roles and refusals through the real service functions (issue 10, "Who may do what").

The test process owns each database it makes, so its account is the bootstrap supervisor;
"alice", "bob" and "carol" are other accounts: reviewers until granted otherwise.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from review_fixtures import build, new_db, sample_people

from triage import authority, db, identity, review, roles
from triage.errors import ConflictError, RefusedError, UsageError
from triage.maintenance import PROBLEM, doctor

K1 = "S1:001001001000"
K2 = "S2:001001001000"
K3A = "S3:001001001000"
ME = identity.os_account()
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[sqlite3.Connection, Path]]:
    path = tmp_path / "t.db"
    conn = new_db(path)
    build(conn, sample_people())
    db.set_clock(T0)
    yield conn, path
    db.set_clock(None)
    conn.close()


def _refusals(conn: sqlite3.Connection) -> list[tuple[str, str, dict[str, object]]]:
    rows = conn.execute("SELECT actor, target, detail FROM audit WHERE action = 'refused'")
    return [(str(r[0]), str(r[1]), json.loads(r[2])) for r in rows]


def _count(conn: sqlite3.Connection, table: str) -> int:
    return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608


def _doctor_problems(path: Path) -> list[str]:
    return [f"{c.name}: {c.message}" for c in doctor(path).checks if c.status == PROBLEM]


def test_roles_bootstrap_with_the_owner_and_default_to_reviewer(setup: tuple) -> None:
    conn, _ = setup
    assert authority.owner_of(conn) == ME
    assert authority.role_of(conn, ME) == "supervisor"
    assert authority.role_of(conn, "alice") == "reviewer"
    roles.grant(conn, ME, "carol", "supervisor")
    roles.revoke(conn, ME, "bob")
    listed = [(e.account, e.role, e.source) for e in roles.listing(conn)]
    assert listed == [(ME, "supervisor", "owner"), ("bob", "none", "granted"),
                      ("carol", "supervisor", "granted")]  # fmt: skip
    entries = conn.execute("SELECT actor, target, detail FROM audit WHERE action = 'role'")
    assert [(r[0], r[1], json.loads(r[2])["role"]) for r in entries] == [
        (ME, "carol", "supervisor"),
        (ME, "bob", "none"),
    ]
    # "NAME via OWNER" acts with the owner's role.
    assert authority.is_supervisor(conn, f"alice via {ME}")


def test_a_reviewer_may_not_undo_another_reviewers_decision_and_it_is_audited(
    setup: tuple,
) -> None:
    conn, path = setup
    review.decide(conn, K1, "dismiss", "alice")
    before = _count(conn, "decisions")
    with pytest.raises(RefusedError, match="alice's; undoing another reviewer's decision needs "
                       r"the supervisor role \(account bob is a reviewer\)") as refused:  # fmt: skip
        review.undo(conn, K1, "bob")
    assert refused.value.exit_code == 1
    assert _count(conn, "decisions") == before
    assert _refusals(conn) == [("bob", K1, {"attempted": "undo", "account": "bob",
                                            "role": "reviewer", "needs": "supervisor",
                                            "decided_by": "alice"})]  # fmt: skip
    # Refusals are audit entries, not decisions: doctor's one-to-one checks still hold.
    assert _doctor_problems(path) == []
    roles.grant(conn, ME, "carol", "supervisor")
    undone = review.undo(conn, K1, "carol")
    assert (undone.decision, undone.version) == (None, 2)
    assert len(_refusals(conn)) == 1


def test_undoing_ones_own_decision_needs_no_role_beyond_reviewer(setup: tuple) -> None:
    conn, _ = setup
    review.decide(conn, K1, "reduce", "bob")
    assert review.undo(conn, K1, "bob").decision is None
    review.decide(conn, K2, "dismiss", "bob")
    assert [r.key for r in review.undo_last_many(conn, "bob")] == [K2]
    assert _refusals(conn) == []


def test_deciding_inside_another_reviewers_live_claim_needs_a_supervisor(setup: tuple) -> None:
    conn, path = setup
    assert review.claim(conn, "S1", "alice")
    with pytest.raises(RefusedError, match="claimed by alice"):
        review.decide(conn, K1, "dismiss", "bob", expected_version=0)
    assert _count(conn, "decisions") == 0
    assert _refusals(conn)[0][2]["holder"] == "alice"
    # Bulk: one key in someone else's claim refuses the whole batch.
    with pytest.raises(RefusedError):
        review.decide_many(conn, [(K3A, 0), (K1, 0)], "reduce", "bob")
    assert _count(conn, "decisions") == 0 and len(_refusals(conn)) == 2
    # The holder decides; a supervisor may step in; an expired lease binds nobody.
    review.decide(conn, K1, "dismiss", "alice", expected_version=0)
    roles.grant(conn, ME, "carol", "supervisor")
    review.decide(conn, K1, "reduce", "carol", expected_version=1)
    db.set_clock(T0 + dt.timedelta(minutes=16))
    review.decide(conn, K3A, "defer", "bob", expected_version=0)
    assert _doctor_problems(path) == []


def test_replacing_another_reviewers_decision_needs_a_supervisor(setup: tuple) -> None:
    """Deciding over someone's decision takes it away just as undoing it would, so the same
    role is needed; a deferral is a hand-off anyone may pick up."""
    conn, path = setup
    review.decide(conn, K1, "dismiss", "alice", expected_version=0)
    for attempt in (
        lambda: review.decide(conn, K1, "not_eligible", "bob", expected_version=1),
        lambda: review.decide(conn, K1, "defer", "bob"),
        lambda: review.decide_many(conn, [(K3A, 0), (K1, 1)], "reduce", "bob"),
    ):
        with pytest.raises(RefusedError, match="changing another reviewer's decision"):
            attempt()
    assert _count(conn, "decisions") == 1 and len(_refusals(conn)) == 3
    # The same decision again is no change at all; the author may change their mind.
    assert not review.decide(conn, K1, "dismiss", "bob").changed
    review.decide(conn, K1, "reduce", "alice", expected_version=1)
    # A deferral is a hand-off; a supervisor may replace anyone's decision.
    review.decide(conn, K3A, "defer", "alice", expected_version=0)
    review.decide(conn, K3A, "dismiss", "bob", expected_version=1)
    roles.grant(conn, ME, "carol", "supervisor")
    review.decide(conn, K1, "not_eligible", "carol", expected_version=2)
    assert _doctor_problems(path) == []


def test_a_conflict_is_still_reported_as_a_conflict(setup: tuple) -> None:
    conn, _ = setup
    review.claim(conn, "S1", "alice")
    review.decide(conn, K1, "dismiss", "alice", expected_version=0)
    with pytest.raises(ConflictError):
        review.decide(conn, K1, "reduce", "bob", expected_version=0)


def test_release_of_another_reviewers_claim(setup: tuple) -> None:
    conn, _ = setup
    review.claim(conn, "S1", "alice")
    with pytest.raises(RefusedError, match=r"only they or a supervisor \(--supervisor\)"):
        review.release(conn, "S1", "bob")
    with pytest.raises(RefusedError, match="releasing alice's claim on case S1 needs the "
                       "supervisor role"):  # fmt: skip
        review.release(conn, "S1", "bob", supervisor=True)
    assert review.claim_holder(conn, "S1") is not None
    assert [(a, t, d["attempted"]) for a, t, d in _refusals(conn)] == [
        ("bob", "S1", "release"),
        ("bob", "S1", "release"),
    ]
    assert review.release(conn, "S1", ME, supervisor=True)  # the owner is a supervisor


def test_a_revoked_account_changes_nothing_until_granted_again(setup: tuple) -> None:
    conn, _ = setup
    roles.revoke(conn, ME, "bob")
    for attempt in (
        lambda: review.decide(conn, K1, "dismiss", "bob"),
        lambda: review.add_note(conn, "S1", "a note", "bob"),
        lambda: review.claim(conn, "S1", "bob"),
        lambda: review.undo_last_many(conn, "bob"),
    ):
        with pytest.raises(RefusedError, match="account bob has no role in this database"):
            attempt()
    assert _count(conn, "decisions") == 0 and _count(conn, "notes") == 0
    assert [d["attempted"] for _, _, d in _refusals(conn)] == ["decide", "note", "claim", "undo"]
    roles.grant(conn, ME, "bob", "reviewer")
    review.decide(conn, K1, "dismiss", "bob")


def test_only_a_supervisor_changes_roles_and_the_owner_stays_one(setup: tuple) -> None:
    conn, path = setup
    with pytest.raises(RefusedError, match=r"changing roles needs the supervisor role"):
        roles.grant(conn, "bob", "bob", "supervisor")
    assert _count(conn, "role_changes") == 0
    assert _refusals(conn)[0][2] == {"attempted": "role", "account": "bob", "role": "supervisor",
                                     "needs": "supervisor"}  # fmt: skip
    roles.grant(conn, ME, "carol", "supervisor")
    with pytest.raises(RefusedError, match="owns the database file and is always a supervisor"):
        roles.revoke(conn, "carol", ME)
    with pytest.raises(UsageError):
        roles.grant(conn, ME, "bob", "none")
    with pytest.raises(UsageError):
        roles.grant(conn, ME, "bad name!", "reviewer")
    roles.revoke(conn, "carol", "carol")  # a supervisor may step down
    assert authority.role_of(conn, "carol") == "none"
    assert _doctor_problems(path) == []


def test_doctor_catches_a_role_granted_behind_triages_back(setup: tuple) -> None:
    conn, path = setup
    roles.grant(conn, ME, "carol", "reviewer")
    raw = sqlite3.connect(path)
    raw.execute(
        "INSERT INTO role_changes (account, role, changed_by, changed_at) "
        "VALUES ('bob', 'supervisor', ?, '2026-03-02T09:00:00.000000Z')",
        (ME,),
    )
    raw.commit()
    raw.close()
    problems = _doctor_problems(path)
    assert len(problems) == 1 and problems[0].startswith("roles vs audit: role changes with no "
                                                         "audit entry")  # fmt: skip
    assert "change 2 (bob supervisor)" in problems[0]
