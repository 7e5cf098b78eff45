"""Classification runs (triage.classify) and person records from the database (records_db)."""

from __future__ import annotations

import csv
import datetime as dt
import gc
import json
import re
import shutil
import sqlite3
import sys
from collections import Counter
from pathlib import Path

import pytest
from classify_support import add_decision, cfa_doj_csv, conviction, people_rows, seed

from rules.model import Outcome
from rules.packs import bundled_ids, load_pack, pack_from_gogen_options
from triage import audit, classify, classify_work, db, identity, records_db, review
from triage.classify import classify_run
from triage.errors import TriageError

LA_DATE = dt.date(2019, 11, 11)


@pytest.fixture
def dbpath(tmp_path: Path) -> Path:
    return seed(tmp_path / "t.db", people_rows())


def _run(path: Path, pack_id: str, county: str = "LOS ANGELES", **kw: object):
    conn = db.connect(path)
    try:
        return classify_run(
            conn,
            load_pack(pack_id),
            county=county,
            compute_at=LA_DATE,
            actor=identity.os_account(),
            **kw,
        )
    finally:
        conn.close()


# --- records_db ---------------------------------------------------------------------------


def test_select_columns_follow_the_doj_mapping() -> None:
    for sql in (records_db._SELECT_ONE, records_db._SELECT_ALL, records_db._SELECT_PEOPLE):
        listed = sql.split("SELECT ", 1)[1].split(" FROM ", 1)[0].split(", ")
        listed = ["line" if c == "CAST(line AS TEXT)" else c for c in listed]
        assert listed == [src for src, _ in records_db.SOURCE_TO_DOJ]


def test_load_person_builds_the_record_from_stored_rows(dbpath: Path) -> None:
    conn = db.connect(dbpath)
    rows = records_db.person_rows(conn, "1001")
    person = records_db.load_person(conn, "1001")
    conn.close()
    assert [r["_line"] for r in rows] == ["4", "5", "6", "7"]  # file order, lines as text
    assert rows[1]["OFFENSE_DESCR"] == "11357(B) HS-POSSESS MARIJUANA"
    assert rows[1]["STP_TYPE_DESCR"] == "COURT ACTION"
    assert person.subject_id == "1001"
    assert person.name == "DOE,JANE"
    assert person.dob.value == dt.date(1980, 1, 1)
    keys = sorted(c.key for c in person.convictions)
    assert keys == ["1001:001002001000", "1001:002001001000"]
    felony = next(c for c in person.convictions if c.key == "1001:002001001000")
    assert felony.felony and felony.sentence_days == pytest.approx(30 + 2 * 30.5)
    assert len(person.events) == 1


def test_load_person_unknown_subject_is_a_clear_error(dbpath: Path) -> None:
    conn = db.connect(dbpath)
    with pytest.raises(TriageError, match="no person with SUBJECT_ID"):
        records_db.load_person(conn, "9999")
    conn.close()


@pytest.mark.parametrize("batch", [1, 2, 3, 1000])
def test_iter_people_streams_everyone_once_in_subject_order(dbpath: Path, batch: int) -> None:
    conn = db.connect(dbpath)
    people = list(records_db.iter_people(conn, batch=batch))
    grouped = list(records_db.iter_person_rows(conn, batch=batch))
    conn.close()
    assert [p.subject_id for p in people] == ["1001", "1002", "1003", "1004"]
    assert [len(rows) for _, rows in grouped] == [4, 2, 1, 1]
    assert [len(p.convictions) for p in people] == [2, 2, 1, 1]


def test_candidate_subjects_asks_about_each_conviction_once(tmp_path: Path) -> None:
    rows = people_rows()
    rows[6]["DISP_DESCR"] = "convicted"  # 1003's theft: any letter case is a conviction
    path = seed(tmp_path / "r.db", rows)
    asked: list[tuple[str, str, str]] = []

    def prop64_in_la(county: str, offense: str, comment: str) -> bool:
        asked.append((county, offense, comment))
        return county == "LOS ANGELES" and offense.startswith(("1135", "1136"))

    conn = db.connect(path)
    # 1001 and 1002 have a Prop 64 conviction in LA, in subject order.
    assert records_db.candidate_subjects(conn, prop64_in_la) == ["1001", "1002"]
    # Asked about each conviction's first row only: never about 1001's arrest (same charge
    # text), and about 1003's lower-case "convicted" theft.
    assert len(asked) == 6 and ("LOS ANGELES", "484 PC-PETTY THEFT", "") in asked
    assert asked.count(("LOS ANGELES", "11359 HS-POSSESS MARIJUANA FOR SALE", "")) == 1
    # Afterwards the connection no longer holds the check: its SQL function now fails.
    with pytest.raises(sqlite3.OperationalError):
        conn.execute(f"SELECT {records_db._CHECK_FUNCTION}('', '', '')")  # noqa: S608
    assert len(asked) == 6
    conn.close()


def test_people_rows_reads_a_snapshot_on_any_connection(tmp_path: Path) -> None:
    path = seed(tmp_path / "p.db", people_rows())
    conn = db.connect(path)
    upto = records_db.last_row_id(conn)
    whole = records_db.people_rows(conn, ["1002", "1001", "9999"], upto)
    # In subject order, each person's rows whole and in file order; unknown people skipped.
    assert [[r[-1] for r in raw] for raw in whole] == [["4", "5", "6", "7"], ["2", "3"]]
    # Rows added after the snapshot are not part of it, on another (read-only) connection.
    with db.write(conn):
        conn.execute(
            "INSERT INTO source_rows (file_id, line, raw, row_hash, subject_id, cnt_order, "
            "stp_type, event_date, county) SELECT file_id, 99, raw, 'new', subject_id, "
            "'009009009000', stp_type, event_date, county FROM source_rows WHERE line = 4"
        )
    other = records_db.open_reader(str(path))
    assert records_db.people_rows(other, ["1002", "1001"], upto) == whole
    assert len(records_db.people_rows(other, ["1001"], upto + 1)[0]) == 5
    with pytest.raises(sqlite3.OperationalError):  # it only reads
        other.execute("DELETE FROM claims")
    other.close()
    conn.close()


# --- classify_run ---------------------------------------------------------------------------


def test_run_records_pack_and_determinations(dbpath: Path) -> None:
    pack = load_pack("los-angeles-2019")
    summary = _run(dbpath, "los-angeles-2019", options={"note": "first"})
    conn = db.connect(dbpath)
    run = conn.execute("SELECT * FROM runs WHERE id = ?", (summary.run.id,)).fetchone()
    assert run["pack_id"] == "los-angeles-2019" == summary.run.pack_id
    assert run["pack_version"] == str(pack.version)
    assert run["pack_hash"] == pack.content_hash and len(run["pack_hash"]) >= 16
    assert run["pack_title"] == pack.title
    assert (run["county"], run["compute_at"]) == ("LOS ANGELES", "2019-11-11")
    assert json.loads(run["options"]) == {"note": "first"}
    assert run["created_by"] == identity.os_account() and run["finished_at"] is not None
    assert run["convictions"] == summary.run.convictions
    dets = {r["key"]: r for r in conn.execute("SELECT * FROM determinations")}
    # LA: Prop 64 convictions in county only; the burglary, the theft and the
    # out-of-county 11358 get no determination.
    assert set(dets) == {"1001:001002001000", "1001:002001001000", "1002:001001001000"}
    assert summary.people == 4 and summary.run.convictions == 3
    assert sum(summary.by_outcome.values()) == 3
    misd = dets["1001:001002001000"]
    assert (misd["outcome"], misd["reason"]) == ("review", "Misdemeanor or Infraction")
    assert misd["felony"] == 0 and misd["conviction_date"] == "20100305"
    assert misd["county"] == "LOS ANGELES"
    assert misd["section"].startswith("11357(b)")
    old = dets["1002:001001001000"]
    assert (old["outcome"], old["reason"]) == ("dismiss", "50 years or older")
    assert old["felony"] == 1 and old["section"].startswith("11360(a)")
    trace = json.loads(old["trace"])
    assert trace and all(len(step) == 3 for step in trace)
    assert trace[-1][0] == old["step_id"] and trace[-1][1] is True
    assert all(step[1] is False for step in trace[:-1])
    assert db.active_run_id(conn) == summary.run.id
    assert db.get_meta(conn, "active_run") == str(summary.run.id)
    # the review queue is ready when the run becomes active: 1001's misdemeanor
    assert review.queue_count(conn, summary.run.id, review.QueueFilter()) == 1
    entries = audit.history(conn, f"run:{summary.run.id}")
    assert [e["action"] for e in entries] == ["classify"]
    detail = json.loads(entries[0]["detail"])
    assert detail["pack"] == "los-angeles-2019" and detail["hash"] == pack.content_hash
    assert detail["convictions"] == 3
    assert audit.verify(conn).ok
    conn.close()


def test_the_run_becomes_visible_under_the_connections_own_durability(
    dbpath: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Determinations are written with synchronous=NORMAL (a lost tail only loses an
    # unfinished run); the transaction that makes the run active must be FULL again.
    settings: list[int] = []
    real_set_meta = db.set_meta

    def watching(conn: sqlite3.Connection, key: str, value: str) -> None:
        if key == "active_run":
            settings.append(int(conn.execute("PRAGMA synchronous").fetchone()[0]))
        real_set_meta(conn, key, value)

    monkeypatch.setattr(db, "set_meta", watching)
    conn = db.connect(dbpath)
    classify_run(conn, load_pack("los-angeles-2019"), county="LOS ANGELES",
                 compute_at=LA_DATE, actor=identity.os_account())  # fmt: skip
    assert settings == [2]  # FULL
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2
    conn.close()


def test_flags_are_space_separated_flag_values(tmp_path: Path) -> None:
    rows = [
        conviction(
            "2001",
            "001001001000",
            "SEE COMMENT FOR CHARGE",
            comment="664/11359 HS",
            date="20100000",
        ),
    ]
    path = seed(tmp_path / "f.db", rows)
    _run(path, "dismiss-all")
    conn = db.connect(path)
    flags = conn.execute("SELECT flags FROM determinations").fetchone()[0]
    conn.close()
    assert {"charge_in_comment", "attempt_or_conspiracy", "partial_date"} <= set(flags.split(" "))


def test_reclassify_adds_a_run_and_keeps_reviewer_work(dbpath: Path) -> None:
    first = _run(dbpath, "los-angeles-2019")
    add_decision(dbpath, "1001:001002001000", "dismiss")
    second = _run(dbpath, "dismiss-all")
    assert second.run.id > first.run.id
    conn = db.connect(dbpath)
    assert conn.execute("SELECT count(*) FROM runs").fetchone()[0] == 2
    current = conn.execute("SELECT key, decision, reviewer FROM current_decisions").fetchall()
    assert [tuple(r) for r in current] == [("1001:001002001000", "dismiss", "alice")]
    assert conn.execute("SELECT count(*) FROM decisions").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM notes").fetchone()[0] == 1
    per_run = dict(
        conn.execute("SELECT run_id, count(*) FROM determinations GROUP BY run_id").fetchall()
    )
    assert per_run == {first.run.id: 3, second.run.id: second.run.convictions}
    outcomes = {
        r[0]
        for r in conn.execute(
            "SELECT outcome FROM determinations WHERE run_id = ?", (second.run.id,)
        )
    }
    assert outcomes == {"dismiss"}
    assert db.active_run_id(conn) == second.run.id
    conn.close()


def test_worker_processes_write_the_same_run(tmp_path: Path, cfa: Path) -> None:
    from triage.importers import import_files

    path = tmp_path / "w.db"
    conn = db.connect(path, create=True)
    import_files(conn, [cfa_doj_csv(cfa, tmp_path / "cf.csv")])
    conn.close()
    seen: list[tuple[int, int]] = []
    parallel = _run(
        path,
        "los-angeles-2019",
        county="SACRAMENTO",
        workers=2,
        progress=lambda d, t: seen.append((d, t)),
    )
    serial = _run(path, "los-angeles-2019", county="SACRAMENTO", workers=1)
    assert parallel.run.convictions == 18 and parallel.by_outcome == serial.by_outcome
    assert _all_determinations(path, parallel.run.id) == _all_determinations(path, serial.run.id)
    assert seen[-1] == (parallel.people, parallel.people)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_run_sees_only_its_snapshot_while_an_import_adds_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    # Workers read people's rows on their own connections, after the run started: rows an
    # import commits meanwhile (here: a new LA 11357(b) conviction for every person) must
    # not reach the run, which classifies the database as it was when it began.
    from triage import sample
    from triage.importers import DOJ_COLUMNS, import_files

    source = tmp_path / "s.csv"
    sample.write_doj_csv(source, people=120, seed=5, home_county="LOS ANGELES")
    with source.open(newline="", encoding="utf-8") as handle:
        records = list(csv.DictReader(handle))
    extra = tmp_path / "extra.csv"
    with extra.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=DOJ_COLUMNS)
        writer.writeheader()
        for subject in sorted({r["SUBJECT_ID"] for r in records}):
            first = next(r for r in records if r["SUBJECT_ID"] == subject)
            writer.writerow({**first, "CNT_ORDER": "099001001000", "DISP_DESCR": "CONVICTED",
                             "STP_TYPE_DESCR": "COURT ACTION", "STP_EVENT_DATE": "20120304",
                             "STP_ORI_CNTY_NAME": "LOS ANGELES", "CONV_STAT_DESCR": "MISDEMEANOR",
                             "OFFENSE_DESCR": "11357(B) HS-POSSESS MARIJUANA"})  # fmt: skip
    before = tmp_path / "before.db"
    conn = db.connect(before, create=True)
    import_files(conn, [source])
    conn.close()
    during = tmp_path / "during.db"
    shutil.copy(before, during)
    monkeypatch.setattr(classify, "BATCH_PEOPLE", 3)
    expected = _run(before, "los-angeles-2019", workers=workers)
    imported: list[int] = []

    def import_meanwhile(done: int, total: int) -> None:
        if done and not imported:
            other = db.connect(during)
            imported.append(import_files(other, [extra]).imported)
            other.close()

    got = _run(during, "los-angeles-2019", workers=workers, progress=import_meanwhile)
    assert imported == [120]
    assert _all_determinations(during, got.run.id) == _all_determinations(before, expected.run.id)
    assert (got.people, got.run.convictions) == (expected.people, expected.run.convictions)
    after = _run(during, "los-angeles-2019", workers=workers)
    assert after.run.convictions == expected.run.convictions + 120  # the new rows do count later


def test_small_chunks_write_every_determination(
    dbpath: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(classify, "CHUNK", 1)
    monkeypatch.setattr(classify, "BATCH_PEOPLE", 1)
    seen: list[tuple[int, int]] = []
    summary = _run(dbpath, "los-angeles-2019", progress=lambda d, t: seen.append((d, t)))
    assert summary.run.convictions == 3 and summary.people == 4
    # 1001 and 1002 are read; 1003 and 1004 (skipped unread) are counted at the end.
    assert seen == [(0, 4), (1, 4), (2, 4), (4, 4)]


def test_reviewers_can_write_while_a_run_is_classifying(
    dbpath: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The progress callback runs between chunks: a reviewer decides meanwhile on another
    # connection, which must neither wait for the run nor disturb it.
    monkeypatch.setattr(classify, "BATCH_PEOPLE", 1)
    monkeypatch.setattr(classify, "CHUNK", 1)
    writes = Counter[str]()

    def reviewer_decides(done: int, total: int) -> None:
        if 0 < done < total:
            add_decision(dbpath, "1001:001002001000", "defer", reviewer=f"r{done}")
            writes["ok"] += 1

    summary = _run(dbpath, "los-angeles-2019", progress=reviewer_decides)
    # A report after each of the two people read (1001, 1002), then the last one at 4 of 4.
    assert writes["ok"] == 2 and summary.run.convictions == 3
    conn = db.connect(dbpath)
    assert conn.execute("SELECT count(*) FROM decisions").fetchone()[0] == 2
    conn.close()


def test_a_failing_run_leaves_nothing_behind(dbpath: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _run(dbpath, "los-angeles-2019")
    real = classify_work.classify
    calls = Counter[str]()

    def breaks_on_second(person, pack, **kw):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("boom")
        return real(person, pack, **kw)

    monkeypatch.setattr(classify_work, "classify", breaks_on_second)
    monkeypatch.setattr(classify, "CHUNK", 1)
    monkeypatch.setattr(classify, "BATCH_PEOPLE", 1)  # fails with people still unread
    unraisable: list[object] = []  # e.g. a cursor closed after its connection, on collection
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    with pytest.raises(RuntimeError):
        _run(dbpath, "dismiss-all")
    gc.collect()
    assert unraisable == []
    assert calls["n"] == 2  # the first person's determinations were written (CHUNK 1)
    conn = db.connect(dbpath)
    runs = [tuple(r) for r in conn.execute("SELECT id, finished_at IS NULL FROM runs")]
    assert runs == [(first.run.id, 0), (first.run.id + 1, 1)]  # the attempt, unfinished
    assert (
        conn.execute(
            "SELECT count(*) FROM determinations WHERE run_id != ?", (first.run.id,)
        ).fetchone()[0]
        == 0
    )
    assert db.active_run_id(conn) == first.run.id
    conn.close()


def test_an_empty_database_gives_no_run(tmp_path: Path) -> None:
    # Issue 10: an empty run made active would empty the queue and the exports silently.
    from triage.run_checks import RunRefused

    path = seed(tmp_path / "e.db", [])
    with pytest.raises(RunRefused, match="holds no convictions"):
        _run(path, "los-angeles-2019")
    conn = db.connect(path)
    assert conn.execute("SELECT count(*) FROM runs").fetchone()[0] == 0
    conn.close()


# --- the relevance pre-check changes nothing ------------------------------------------------


def _all_determinations(path: Path, run_id: int) -> list[tuple[object, ...]]:
    conn = db.connect(path)
    rows = [
        tuple(r)[1:]
        for r in conn.execute(
            "SELECT * FROM determinations WHERE run_id = ? ORDER BY key", (run_id,)
        )
    ]
    conn.close()
    return rows


def test_precheck_skips_only_people_without_determinations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from triage import sample
    from triage.importers import import_files

    source = tmp_path / "sample.csv"
    sample.write_doj_csv(source, people=250, seed=7, home_county="SAN JOAQUIN")
    path = tmp_path / "s.db"
    conn = db.connect(path, create=True)
    import_files(conn, [source])
    conn.close()
    built = Counter[str]()
    real_build = classify_work.build_person

    def counting_build(rows):  # type: ignore[no-untyped-def]
        built["n"] += 1
        return real_build(rows)

    monkeypatch.setattr(classify_work, "build_person", counting_build)
    for pack_id in bundled_ids():
        for county in ("SAN JOAQUIN", "LOS ANGELES"):
            built.clear()
            monkeypatch.setattr(classify, "PRECHECK", True)
            fast = _run(path, pack_id, county=county, force=True)
            skipped_builds = built["n"]
            monkeypatch.setattr(classify, "PRECHECK", False)
            full = _run(path, pack_id, county=county, force=True)
            assert built["n"] - skipped_builds == full.people  # every record built
            assert fast.people == full.people == 250
            assert _all_determinations(path, fast.run.id) == _all_determinations(
                path, full.run.id
            ), (pack_id, county)
            assert fast.by_outcome == full.by_outcome
            if county == "SAN JOAQUIN":
                assert fast.run.convictions > 0
                assert skipped_builds < full.people  # it does skip someone


@pytest.mark.parametrize("disposition", ["Convicted", "CONV\u0131CTED", "  convicted-x"])
def test_a_conviction_in_any_letter_case_is_classified(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, disposition: str
) -> None:
    # build_person folds case with Python's upper() (which makes "ı" an "I"); the importer
    # marks convictions with the same test, so the run finds this person and has the
    # conviction its determination refers to.
    from triage.importers import DOJ_COLUMNS, import_files

    row = conviction("3001", "001001001000", "11357(B) HS-POSSESS MARIJUANA", felony=False)
    row["DISP_DESCR"] = disposition
    source = tmp_path / "c.csv"
    with source.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows([DOJ_COLUMNS, [row.get(name, "") for name in DOJ_COLUMNS]])
    path = tmp_path / "u.db"
    conn = db.connect(path, create=True)
    import_files(conn, [source])
    assert [tuple(r) for r in conn.execute("SELECT key FROM convictions")] == [
        ("3001:001001001000",)
    ]
    conn.close()
    fast = _run(path, "los-angeles-2019")
    monkeypatch.setattr(classify, "PRECHECK", False)
    full = _run(path, "los-angeles-2019")
    assert fast.run.convictions == full.run.convictions == 1
    assert _all_determinations(path, fast.run.id) == _all_determinations(path, full.run.id)


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_an_error_in_the_relevance_check_comes_out_as_itself(
    dbpath: Path, monkeypatch: pytest.MonkeyPatch, error: type[BaseException]
) -> None:
    # The check runs inside SQLite, which would turn it into an OperationalError (and a
    # Ctrl-C into nothing at all).
    def fails(*args: object, **kw: object) -> bool:
        raise error("check failed")

    monkeypatch.setattr(classify_work, "relevant", fails)
    with pytest.raises(error, match="check failed"):
        _run(dbpath, "los-angeles-2019")
    conn = db.connect(dbpath)
    assert conn.execute("SELECT count(*) FROM runs WHERE finished_at IS NULL").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM determinations").fetchone()[0] == 0
    assert db.active_run_id(conn) is None
    conn.close()


# --- end to end on CfA's configurable-flow fixture -------------------------------------------


def test_gogen_configurable_flow_on_the_imported_cfa_fixture(cfa: Path, tmp_path: Path) -> None:
    from triage.importers import import_files

    source = cfa_doj_csv(cfa, tmp_path / "configurable_flow.csv")
    path = tmp_path / "cfa.db"
    conn = db.connect(path, create=True)
    import_files(conn, [source])
    pack = pack_from_gogen_options(cfa / "gogen" / "eligibility_options.json", county="SACRAMENTO")
    summary = classify_run(
        conn,
        pack,
        county="SACRAMENTO",
        compute_at=LA_DATE,
        actor=identity.os_account(),
        options={"options_file": "eligibility_options.json"},
    )
    rows = conn.execute(
        "SELECT d.outcome, d.reason, d.section, d.felony FROM determinations AS d WHERE run_id = ?",
        (summary.run.id,),
    ).fetchall()
    conn.close()
    # Facts gogen's own tests assert on this fixture (see ../shared/cfa-fixtures/README.md).
    assert len(rows) == 18
    assert sum(r["felony"] for r in rows) == 15
    section = [re.match(r"\d+", r["section"]).group(0) for r in rows]  # type: ignore[union-attr]
    assert Counter(section) == {"11357": 3, "11358": 7, "11359": 8}
    dismissed = Counter(
        s
        for s, r in zip(section, rows, strict=True)
        if r["outcome"] == "dismiss" and r["reason"].startswith("Dismiss all HS")
    )
    assert dismissed == {"11357": 2, "11358": 6}
    reduced = Counter(s for s, r in zip(section, rows, strict=True) if r["outcome"] == "reduce")
    assert reduced == {"11359": 1}
    additional = Counter(
        r["reason"]
        for r in rows
        if r["outcome"] == "dismiss"
        and not r["reason"].startswith(("Dismiss all HS", "Misdemeanor"))
    )
    assert additional == {
        "21 years or younger": 1,
        "57 years or older": 2,
        "Conviction occurred 10 or more years ago": 1,
        "Individual is deceased": 1,
        "Only has 11357-60 charges": 1,
    }
    assert summary.by_outcome.get(Outcome.DISMISS.value, 0) == sum(
        1 for r in rows if r["outcome"] == "dismiss"
    )
