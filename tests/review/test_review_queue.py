"""The review queue: filters, search, sorting, paging, counts, the case view and progress."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from review_fixtures import Conv, Person, build, new_db, sample_people

from triage import db, review
from triage.errors import TriageError, UsageError
from triage.review import QueueFilter

K1 = "S1:001001001000"


@pytest.fixture
def setup(tmp_path: Path) -> tuple[sqlite3.Connection, int]:
    conn = new_db(tmp_path / "t.db")
    return conn, build(conn, sample_people())


def _ids(conn: sqlite3.Connection, run: int, flt: QueueFilter, **kw: object) -> list[str]:
    return [c.subject_id for c in review.queue_page(conn, run, flt, **kw)]  # type: ignore[arg-type]


def test_default_queue_is_people_with_review_convictions(setup: tuple) -> None:
    conn, run = setup
    assert _ids(conn, run, QueueFilter()) == ["S1", "S2", "S3", "S5"]
    assert review.queue_count(conn, run, QueueFilter()) == 4
    s3 = review.queue_page(conn, run, QueueFilter())[2]
    assert (s3.convictions, s3.pending, s3.first_date, s3.county) == (
        2,
        2,
        "20050101",
        "LOS ANGELES",
    )
    assert _ids(conn, run, QueueFilter(outcome="dismiss")) == ["S1", "S4"]
    assert review.queue_count(conn, run, QueueFilter(outcome=None)) == 5


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (QueueFilter(reason="Currently serving sentence"), ["S2", "S3"]),
        (QueueFilter(flag="partial_date"), ["S2"]),
        (QueueFilter(flag="partial"), []),  # whole flags only
        (QueueFilter(county="los angeles"), ["S3"]),
        (QueueFilter(court_case="CR300"), ["S3"]),
        (QueueFilter(outcome=None, reason="Misdemeanor"), ["S1", "S4"]),
        (QueueFilter(search="bak"), ["S2"]),
        (QueueFilter(search="C3333"), ["S3"]),
        (QueueFilter(search="S5"), ["S5"]),
        (QueueFilter(search="CR1"), ["S1"]),
        (QueueFilter(search="%"), []),  # no wildcards: a literal prefix
        (QueueFilter(search="' OR 1=1 --"), []),
    ],
)
def test_filters_and_search(setup: tuple, flt: QueueFilter, expected: list[str]) -> None:
    conn, run = setup
    assert _ids(conn, run, flt) == expected
    assert review.queue_count(conn, run, flt) == len(expected)


def test_filtered_rows_count_only_matching_convictions(setup: tuple) -> None:
    conn, run = setup
    (row,) = review.queue_page(conn, run, QueueFilter(court_case="CR300"))
    assert (row.convictions, row.reason, row.county) == (
        1,
        "Currently serving sentence",
        "SAN JOAQUIN",
    )


def test_decided_filters_follow_decisions_and_undo(setup: tuple) -> None:
    conn, run = setup
    review.decide(conn, K1, "dismiss", "alice")
    review.decide(conn, "S3:001001001000", "defer", "bob")
    assert _ids(conn, run, QueueFilter(decided=False)) == ["S2", "S3", "S5"]
    assert _ids(conn, run, QueueFilter(decided=True)) == ["S1"]
    assert _ids(conn, run, QueueFilter(reviewer="alice")) == ["S1"]
    assert _ids(conn, run, QueueFilter(decision="defer")) == ["S3"]
    # decided=True: every *matching* conviction decided (here: those bob decided)
    assert _ids(conn, run, QueueFilter(reviewer="bob", decided=True)) == ["S3"]
    assert _ids(conn, run, QueueFilter(county="los angeles", decided=False)) == []
    s3 = review.queue_page(conn, run, QueueFilter(search="CARTER"))[0]
    assert s3.pending == 1
    review.undo(conn, K1, "alice")
    assert _ids(conn, run, QueueFilter(decided=False)) == ["S1", "S2", "S3", "S5"]
    assert review.queue_page(conn, run, QueueFilter())[0].pending == 1


def test_sorting_and_paging(setup: tuple) -> None:
    conn, run = setup
    flt = QueueFilter()
    assert _ids(conn, run, flt, sort="name", descending=True) == ["S5", "S3", "S2", "S1"]
    assert _ids(conn, run, flt, sort="conviction_date") == ["S3", "S1", "S5", "S2"]
    assert _ids(conn, run, flt, sort="pending", descending=True)[0] == "S3"
    assert _ids(conn, run, flt, offset=1, limit=2) == ["S2", "S3"]
    assert _ids(conn, run, flt, offset=10) == []
    with pytest.raises(UsageError, match="sort"):
        review.queue_page(conn, run, flt, sort="name; DROP TABLE people")
    with pytest.raises(UsageError, match="outcome"):
        review.queue_count(conn, run, QueueFilter(outcome="maybe"))
    with pytest.raises(TriageError, match="no such run"):
        review.queue_count(conn, 99, flt)


def test_unrefreshed_run_is_indexed_on_first_use(tmp_path: Path) -> None:
    conn = new_db(tmp_path / "t.db")
    run = build(conn, sample_people(), refresh=False)
    assert review.queue_count(conn, run, QueueFilter()) == 4


def test_refresh_counts_existing_decisions(tmp_path: Path) -> None:
    conn = new_db(tmp_path / "t.db")
    build(conn, sample_people())
    review.decide(conn, K1, "dismiss", "alice")
    run2 = build(conn, [Person("S6", "FOX,FAY", [Conv("001001001000")])])
    with db.write(conn):  # a second run over the same people (as a re-classification is)
        conn.execute(
            "INSERT INTO determinations (run_id, key, subject_id, outcome, label, reason, "
            "step_id) SELECT ?, key, subject_id, outcome, label, reason, step_id "
            "FROM determinations WHERE run_id = 1",
            (run2,),
        )
    assert review.refresh_cases(conn, run2) == 6
    assert _ids(conn, run2, QueueFilter(decided=False)) == ["S2", "S3", "S5", "S6"]


def test_queue_convictions_lists_keys(setup: tuple) -> None:
    conn, run = setup
    items = review.queue_convictions(conn, run, QueueFilter())
    assert [i.key for i in items] == [
        K1,
        "S2:001001001000",
        "S3:001001001000",
        "S3:001001002000",
        "S5:001001001000",
    ]
    review.decide(conn, K1, "dismiss", "alice")
    pending = review.queue_convictions(conn, run, QueueFilter(decided=False), limit=2)
    assert [i.key for i in pending] == ["S2:001001001000", "S3:001001001000"]


def test_load_case_shows_whole_record(setup: tuple) -> None:
    conn, run = setup
    review.decide(conn, "S2:001001001000", "defer", "alice", note="need minute order")
    case = review.load_case(conn, "S2", run)
    assert (case.name, case.cii, case.deceased, case.age_at_compute) == (
        "BAKER,BOB",
        "B22222222",
        True,
        49,
    )
    # by date: the burglary (2010) before the reviewed conviction (2012)
    assert [c.key for c in case.convictions] == ["S2:003001001000", "S2:001001001000"]
    other, reviewed = case.convictions
    assert (reviewed.outcome, reviewed.prop64, reviewed.decision, reviewed.decision_version) == (
        "review",
        True,
        "defer",
        1,
    )
    assert reviewed.flags == ("charge_in_comment", "partial_date")
    assert reviewed.trace == (("s1", False, "no"), ("step", True, "yes"))
    assert (other.outcome, other.prop64, other.felony, other.in_county) == (None, False, True, True)
    assert case.events[0][1] == "DECEASED"
    assert [n.text for n in case.notes] == ["need minute order"]
    assert [h.decision for h in case.history] == ["defer"]
    with pytest.raises(TriageError, match="no person"):
        review.load_case(conn, "NOPE", run)


def test_sentence_parts_are_summed(setup: tuple) -> None:
    conn, run = setup
    (conv,) = review.load_case(conn, "S5", run).convictions
    assert conv.sentence_days == 2 * 366 + 6 * 30.5


def test_progress(setup: tuple) -> None:
    conn, run = setup
    start = db.now()
    review.decide(conn, K1, "dismiss", "alice")
    review.decide(conn, "S2:001001001000", "reduce", "alice")
    review.decide(conn, "S5:001001001000", "reduce", "bob")
    p = review.progress(conn, run, "alice", start)
    assert (p.decided_this_session, p.by_me, p.total, p.remaining, p.decided_today) == (
        2,
        2,
        5,
        2,
        3,
    )
    assert p.per_hour > 0


def test_current_run(setup: tuple) -> None:
    conn, run = setup
    info = review.current_run(conn)
    assert info is not None and (info.id, info.pack_id, info.county) == (
        run,
        "test-pack",
        "SAN JOAQUIN",
    )


def test_refresh_holds_no_lock_while_aggregating_and_counts_late_decisions(
    tmp_path: Path,
) -> None:
    path = tmp_path / "t.db"
    conn = new_db(path)
    run = build(conn, sample_people(), refresh=False)
    other = db.connect(path)
    done: list[int] = []
    statement: list[str] = [""]

    def decide_meanwhile() -> int:
        # Runs inside the aggregation statement: a reviewer on another connection must be
        # able to write (no write lock held), and the refresh must still count it.
        if not done and "INTO temp.case_stage" in statement[0]:
            done.append(review.decide(other, K1, "dismiss", "alice").id)
        return 0

    conn.set_trace_callback(lambda sql: statement.__setitem__(0, sql))
    conn.set_progress_handler(decide_meanwhile, 20)
    try:
        review.refresh_cases(conn, run)
    finally:
        conn.set_progress_handler(None, 0)
        conn.set_trace_callback(None)
    assert done, "the progress handler never ran during the aggregation"
    assert _ids(conn, run, QueueFilter(decided=False)) == ["S2", "S3", "S5"]
    assert review.queue_page(conn, run, QueueFilter())[0].pending == 0


def test_queue_tables_of_an_older_shape_are_rebuilt(tmp_path: Path) -> None:
    conn = new_db(tmp_path / "t.db")
    run = build(conn, sample_people(), refresh=False)
    with db.write(conn):  # the marker table as an earlier build of triage made it
        conn.execute("DROP TABLE review_case_runs")
        conn.execute(
            "CREATE TABLE review_case_runs (run_id INTEGER PRIMARY KEY, "
            "refreshed_at TEXT NOT NULL, complete INTEGER NOT NULL)"
        )
    assert review.queue_count(conn, run, QueueFilter()) == 4
