"""Claims: leases, renewal, release, takeover of expired leases, and no double claims
across processes."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from review_fixtures import build, claim_all, many_people, new_db, sample_people

from triage import db, identity, review, roles
from triage.errors import TriageError, UsageError
from triage.review import QueueFilter

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock() -> Iterator[None]:
    db.set_clock(T0)
    yield
    db.set_clock(None)


@pytest.fixture
def setup(tmp_path: Path, clock: None) -> tuple[sqlite3.Connection, int]:
    conn = new_db(tmp_path / "t.db")
    return conn, build(conn, sample_people())


def _later(minutes: int) -> None:
    db.set_clock(T0 + dt.timedelta(minutes=minutes))


def test_claim_blocks_others_until_expiry_and_renews_for_holder(setup: tuple) -> None:
    conn, run = setup
    assert review.claim(conn, "S1", "alice")
    assert not review.claim(conn, "S1", "bob")
    _later(10)
    assert review.claim(conn, "S1", "alice")  # renewal: lease now runs to minute 25
    _later(20)
    assert not review.claim(conn, "S1", "bob")
    row = review.queue_page(conn, run, QueueFilter())[0]
    assert (row.subject_id, row.claimed_by) == ("S1", "alice")
    assert review.load_case(conn, "S1", run).claimed_by == "alice"
    _later(26)
    assert review.claim_holder(conn, "S1") is None
    assert review.claim(conn, "S1", "bob")
    claims = [
        json.loads(r[0]) for r in conn.execute("SELECT detail FROM audit WHERE action = 'claim'")
    ]
    assert len(claims) == 2  # the renewal is not an audit entry; the takeover is
    assert claims[1]["took_expired_from"] == "alice"
    with pytest.raises(TriageError, match="no person"):
        review.claim(conn, "NOPE", "bob")
    with pytest.raises(UsageError):
        review.claim(conn, "S1", "bob", minutes=0)


def test_claim_next_hands_out_distinct_cases_and_reclaims_expired(setup: tuple) -> None:
    conn, run = setup
    got = [review.claim_next(conn, run, r, QueueFilter()) for r in ("a", "b", "c", "d", "e")]
    assert got == ["S1", "S2", "S3", "S5", None]
    _later(16)
    assert review.claim_next(conn, run, "e", QueueFilter()) == "S1"
    assert review.claim_holder(conn, "S1") is not None
    assert review.claim_holder(conn, "S1")[0] == "e"  # type: ignore[index]


def test_claim_next_skips_cases_without_pending_work(setup: tuple) -> None:
    conn, run = setup
    review.decide(conn, "S1:001001001000", "dismiss", "alice")
    assert review.claim_next(conn, run, "bob", QueueFilter()) == "S2"
    assert review.claim_next(conn, run, "bob", QueueFilter(search="EVANS")) == "S5"


def test_release_by_holder_or_supervisor_is_logged(setup: tuple) -> None:
    conn, _ = setup
    roles.grant(conn, identity.os_account(), "bob", "supervisor")  # we own the file
    review.claim(conn, "S1", "alice")
    with pytest.raises(TriageError, match="claimed by alice"):
        review.release(conn, "S1", "bob")
    assert review.release(conn, "S1", "bob", supervisor=True)
    assert not review.release(conn, "S1", "bob")  # nothing left to release
    review.claim(conn, "S2", "alice")
    assert review.release(conn, "S2", "alice")
    rows = conn.execute(
        "SELECT actor, target, detail FROM audit WHERE action = 'release'"
    ).fetchall()
    details = [(r[0], r[1], json.loads(r[2])["supervisor"]) for r in rows]
    assert details == [("bob", "S1", True), ("alice", "S2", False)]


@pytest.mark.slow  # concurrency / kill -9
def test_eight_processes_never_double_claim(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    conn = new_db(path)
    run = build(conn, many_people(120))
    with db.write(conn):  # ten leases long expired, one still held by someone else
        conn.executemany(
            "INSERT INTO claims (subject_id, reviewer, claimed_at, expires_at) VALUES (?, ?, ?, ?)",
            [(f"P{i:04d}", "gone", "2000-01-01T00:00:00.000000Z", "2000-01-01T00:15:00.000000Z")
             for i in range(10)]
            + [("P0010", "holder", "2000-01-01T00:00:00.000000Z", "2999-01-01T00:00:00.000000Z")],
        )  # fmt: skip
    conn.close()
    ctx = multiprocessing.get_context("spawn")
    gate = str(tmp_path / "go")
    with ctx.Pool(8) as pool:
        # at most 20 each: 119 free cases need at least six of the eight workers
        jobs = [(str(path), run, f"r{i}", gate, 20) for i in range(8)]
        pending = pool.map_async(claim_all, jobs)
        deadline = time.monotonic() + 120
        while len(list(tmp_path.glob("go.r*"))) < 8 and time.monotonic() < deadline:
            time.sleep(0.01)
        Path(gate).touch()
        results = pending.get(timeout=120)
    assert sum(1 for taken in results if taken) >= 6
    claimed = Counter(s for taken in results for s in taken)
    assert max(claimed.values()) == 1  # no case handed to two reviewers
    assert len(claimed) == 119 and "P0010" not in claimed
    assert all(f"P{i:04d}" in claimed for i in range(10))  # expired leases were reclaimed
    check = db.connect(path)
    holders = dict(check.execute("SELECT subject_id, reviewer FROM claims").fetchall())
    assert holders["P0010"] == "holder"
    assert all(holders[s] == f"r{i}" for i, taken in enumerate(results) for s in taken)
    assert check.execute("SELECT count(*) FROM audit WHERE action = 'claim'").fetchone()[0] == 119
