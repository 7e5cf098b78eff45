"""The DOJ importer (`triage.importers.import_files`): CfA's fixtures and hand-made edge cases.

Synthetic records are built field by field from the DOJ layout with fictional values.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest

from triage import audit, db, digests
from triage.errors import TriageError, UsageError
from triage.importers import DOJ_COLUMNS, import_files, pipeline, producer
from triage.records_db import load_person

NAMED = ("subject_id, cnt_order, stp_type, event_date, county, name, dob, cii, ofn, "
         "offense_descr, offense_toc, disp_descr, conv_stat, sent_length, sent_time_code, "
         "comment_text, convicted")  # fmt: skip


def as_line(fields: list[str]) -> str:
    """One record as CSV text (quoted where needed), without a line break."""
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(fields)
    return out.getvalue()


def record(**values: str) -> list[str]:
    """A 95-field DOJ record; keyword names are DOJ column names."""
    fields = [""] * len(DOJ_COLUMNS)
    defaults = {"SUBJECT_ID": "90000001", "CNT_ORDER": "001001001000", "PRI_NAME": "TESTER,ADA",
                "PRI_DOB": "19700101", "STP_TYPE_DESCR": "COURT ACTION",
                "STP_EVENT_DATE": "20100105", "STP_ORI_CNTY_NAME": "SAN JOAQUIN",
                "OFFENSE_DESCR": "11357(A) HS-POSSESS MARIJUANA", "DISP_DESCR": "CONVICTED"}  # fmt: skip
    for name, value in {**defaults, **values}.items():
        fields[DOJ_COLUMNS.index(name)] = value
    return fields


def write_csv(path: Path, rows: list[list[str]], *, header: bool = True,
              newline: str = "\n", encoding: str = "utf-8") -> Path:  # fmt: skip
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle, lineterminator=newline)
        if header:
            writer.writerow(DOJ_COLUMNS)
        writer.writerows(rows)
    return path


def count(conn: sqlite3.Connection, table: str) -> int:
    return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608


def named_rows(conn: sqlite3.Connection) -> list[tuple[object, ...]]:
    return [tuple(r) for r in conn.execute(f"SELECT {NAMED} FROM source_rows ORDER BY id")]  # noqa: S608


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    return db.connect(tmp_path / "t.db", create=True)


def fresh(tmp_path: Path, name: str) -> sqlite3.Connection:
    return db.connect(tmp_path / name, create=True)


# --- CfA fixtures -------------------------------------------------------------------------


def workbook_as_doj(cfa: Path, dest: Path) -> Path:
    """configurable_flow_raw.csv: row 1 flags, row 2 headers, columns B.. the DOJ record."""
    with (cfa / "gogen" / "configurable_flow_raw.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    with dest.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out, lineterminator="\n").writerows(r[1:96] for r in rows[1:])
    return dest


def test_header_no_header_and_trailing_comma_give_the_same_38_rows(
    cfa: Path, tmp_path: Path
) -> None:
    sources = {
        "workbook": workbook_as_doj(cfa, tmp_path / "workbook.csv"),
        "no_headers": cfa / "gogen" / "no_headers.csv",
        "extra_comma": cfa / "gogen" / "extra_comma.csv",
    }
    results = {}
    for label, path in sources.items():
        conn = fresh(tmp_path, f"{label}.db")
        report = import_files(conn, [path])
        assert (report.imported, report.quarantined, report.duplicates) == (38, 0, 0), label
        assert report.ok
        has_header = conn.execute("SELECT has_header FROM source_files").fetchone()[0]
        assert has_header == (label != "no_headers")
        first_line = 1 if label == "no_headers" else 2
        lines = [r[0] for r in conn.execute("SELECT line FROM source_rows ORDER BY line")]
        assert lines == list(range(first_line, first_line + 38))
        results[label] = named_rows(conn)
    # no_headers.csv and extra_comma.csv hold the same records; the workbook holds its own.
    assert results["no_headers"] == results["extra_comma"]
    with (cfa / "gogen" / "configurable_flow_raw.csv").open(newline="", encoding="utf-8") as f:
        sheet = list(csv.reader(f))[2:]
    subject, disp = DOJ_COLUMNS.index("SUBJECT_ID") + 1, DOJ_COLUMNS.index("DISP_DESCR") + 1
    assert [(r[0], r[11]) for r in results["workbook"]] == [
        (row[subject].strip(), row[disp].strip()) for row in sheet
    ]


def test_people_and_convictions_from_the_gogen_fixture(
    cfa: Path, tmp_path: Path, conn: sqlite3.Connection
) -> None:
    import_files(conn, [workbook_as_doj(cfa, tmp_path / "workbook.csv")])
    subjects = {r[0] for r in conn.execute("SELECT DISTINCT subject_id FROM source_rows")}
    assert {r[0] for r in conn.execute("SELECT subject_id FROM people")} == subjects
    # Each person's details come from their first row.
    for person in conn.execute("SELECT * FROM people"):
        first = conn.execute(
            "SELECT id, name, dob, cii FROM source_rows WHERE subject_id = ? ORDER BY id LIMIT 1",
            (person["subject_id"],),
        ).fetchone()
        assert (person["first_row_id"], person["name"], person["dob"], person["cii"]) == tuple(
            first
        )
    # gogen counts 30 convictions: one per SUBJECT_ID and CNT_ORDER among convicted rows.
    keys = {
        f"{r[0]}:{r[1]}"
        for r in conn.execute("SELECT subject_id, cnt_order FROM source_rows WHERE convicted = 1")
    }
    assert {r[0] for r in conn.execute("SELECT key FROM convictions")} == keys
    assert len(keys) == 30
    parts = conn.execute("SELECT sum(parts) FROM convictions").fetchone()[0]
    assert parts == count_where(conn, "source_rows", "convicted = 1")


def count_where(conn: sqlite3.Connection, table: str, where: str) -> int:
    return int(conn.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchone()[0])  # noqa: S608


def test_bad_csv_quarantines_every_line_with_its_number(
    cfa: Path, conn: sqlite3.Connection
) -> None:
    report = import_files(conn, [cfa / "gogen" / "bad.csv"])
    assert (report.imported, report.quarantined, report.ok) == (0, 38, False)
    held = conn.execute("SELECT line, reason, raw FROM quarantine ORDER BY line").fetchall()
    assert [r[0] for r in held] == list(range(1, 39))
    assert held[0][1] == "header has 94 fields, expected 95"
    assert all(r[1] == "94 fields, expected 95" for r in held[1:])
    physical = (cfa / "gogen" / "bad.csv").read_text("utf-8").splitlines()
    assert [r[2] for r in held] == physical  # the original text of each line, kept
    assert count(conn, "source_rows") == 0
    done = conn.execute("SELECT completed_at, rows_quarantined FROM source_files").fetchone()
    assert done[0] is not None and done[1] == 38


def test_bad_csv_with_strict_is_refused_and_nothing_written(
    cfa: Path, conn: sqlite3.Connection
) -> None:
    with pytest.raises(TriageError, match=r"bad\.csv:1: header has 94 fields, expected 95"):
        import_files(conn, [cfa / "gogen" / "bad.csv"], strict=True)
    for table in ("source_files", "source_rows", "quarantine", "people", "audit"):
        assert count(conn, table) == 0, table


def test_bear_bad_file_mixes_good_rows_and_quarantined_lines(
    cfa: Path, conn: sqlite3.Connection
) -> None:
    path = cfa / "bear" / "bad_csv_file.dat"
    report = import_files(conn, [path])
    assert (report.imported, report.quarantined, report.duplicates) == (35, 1, 0)
    assert report.files[0].problems == [(2, "94 fields, expected 95")]
    physical = path.read_text("utf-8").splitlines()
    for line, raw in conn.execute("SELECT line, raw FROM source_rows"):
        assert raw == physical[line - 1]  # the stored line number is the physical one
    lines = sorted(r[0] for r in conn.execute("SELECT line FROM source_rows"))
    assert lines == list(range(3, len(physical) + 1))


def test_strict_refuses_the_bear_bad_file_at_its_first_bad_line(
    cfa: Path, conn: sqlite3.Connection
) -> None:
    with pytest.raises(TriageError, match=r"bad_csv_file\.dat:2: 94 fields"):
        import_files(conn, [cfa / "bear" / "bad_csv_file.dat"], strict=True)
    assert count(conn, "source_rows") == 0


# --- Encodings ----------------------------------------------------------------------------


def test_utf8_bom_is_skipped_and_the_header_still_recognised(
    tmp_path: Path, conn: sqlite3.Connection
) -> None:
    path = write_csv(
        tmp_path / "bom.csv", [record(), record(CNT_ORDER="001001002000")], encoding="utf-8-sig"
    )
    assert path.read_bytes().startswith(b"\xef\xbb\xbfRECORD_ID")
    report = import_files(conn, [path])
    assert (report.imported, report.quarantined) == (2, 0)
    assert conn.execute("SELECT has_header FROM source_files").fetchone()[0] == 1
    assert [r[0] for r in conn.execute("SELECT line FROM source_rows")] == [2, 3]


def test_latin1_needs_encoding_and_is_never_silently_replaced(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "latin1.csv",
                     [record(PRI_NAME="MUÑOZ,JOSÉ"), record(SUBJECT_ID="90000002")],
                     encoding="latin-1")  # fmt: skip
    as_utf8 = fresh(tmp_path, "utf8.db")
    with pytest.raises(TriageError, match=r"latin1.csv:2: byte 0xD1 .* --encoding cp1252"):
        import_files(as_utf8, [path])  # no --encoding: refused whole, nothing written
    assert as_utf8.execute("SELECT count(*) FROM source_files").fetchone()[0] == 0
    report = import_files(as_utf8, [path], encoding="utf-8")
    assert (report.imported, report.quarantined) == (1, 1)
    line, reason, raw = as_utf8.execute("SELECT line, reason, raw FROM quarantine").fetchone()
    assert line == 2 and "not valid utf-8" in reason and "--encoding" in reason
    assert "MU\\xd1OZ,JOS\\xc9" in raw  # the undecodable bytes, shown, not replaced
    assert "\ufffd" not in raw

    again = import_files(as_utf8, [path], encoding="latin-1")
    assert again.files[0].status == "skipped"
    assert "read as utf-8; a file is imported once" in again.files[0].note
    assert (again.quarantined, again.files[0].problems[0][0]) == (1, 2)  # reported again

    as_latin1 = fresh(tmp_path, "latin1.db")
    report = import_files(as_latin1, [path], encoding="latin-1")
    assert (report.imported, report.quarantined) == (2, 0)
    assert (
        as_latin1.execute("SELECT name FROM people WHERE subject_id = '90000001'").fetchone()[0]
        == "MUÑOZ,JOSÉ"
    )
    assert as_latin1.execute("SELECT encoding FROM source_files").fetchone()[0] == "iso8859-1"


def test_undecodable_bytes_quarantine_only_their_record(tmp_path: Path,
                                                        conn: sqlite3.Connection) -> None:  # fmt: skip
    good = write_csv(
        tmp_path / "x.csv", [record(), record(SUBJECT_ID="BAD"), record(SUBJECT_ID="3")]
    )
    data = good.read_bytes().replace(b"BAD", b"B\xff\xfeD")
    good.write_bytes(data)
    report = import_files(conn, [good], encoding="utf-8")  # (without: refused whole)
    assert (report.imported, report.quarantined) == (2, 1)
    assert conn.execute("SELECT line, raw FROM quarantine").fetchone()[0] == 3
    assert "B\\xff\\xfeD" in conn.execute("SELECT raw FROM quarantine").fetchone()[0]


@pytest.mark.parametrize(
    ("encoding", "message"),
    [
        ("no-such-codec", "unknown encoding"),
        ("rot13", "not a text encoding"),
        ("utf-16", "utf-16 is not ASCII-compatible"),
    ],
)
def test_unusable_encodings_are_usage_errors(
    tmp_path: Path, conn: sqlite3.Connection, encoding: str, message: str
) -> None:
    path = write_csv(tmp_path / "x.csv", [record()])
    with pytest.raises(UsageError, match=f"--encoding: {message}"):
        import_files(conn, [path], encoding=encoding)
    assert count(conn, "source_files") == 0


def test_cp1252_with_encoding(tmp_path: Path, conn: sqlite3.Connection) -> None:
    path = write_csv(tmp_path / "cp.csv", [record(COMMENT_TEXT="“QUOTED” – NOTE")],
                     encoding="cp1252")  # fmt: skip
    report = import_files(conn, [path], encoding="windows-1252")
    assert (report.imported, report.quarantined) == (1, 0)
    assert conn.execute("SELECT comment_text FROM source_rows").fetchone()[0] == "“QUOTED” – NOTE"


def test_a_codec_failing_beyond_its_error_handler_refuses_the_file(
    tmp_path: Path, conn: sqlite3.Connection
) -> None:
    path = write_csv(tmp_path / "esc.csv", [record(COMMENT_TEXT="C:\\x")])
    with pytest.raises(TriageError, match=r"esc\.csv: cannot be decoded as unicode-escape"):
        import_files(conn, [path], encoding="unicode_escape")
    assert count(conn, "source_rows") == 0


# --- Records and line numbers ---------------------------------------------------------------


def test_embedded_newline_keeps_later_line_numbers_physical(
    tmp_path: Path, conn: sqlite3.Connection
) -> None:
    rows = [
        record(CNT_ORDER="001001001000", COMMENT_TEXT="FIRST PART\nSECOND PART\r\nTHIRD"),
        record(CNT_ORDER="001001002000"),
    ]
    path = write_csv(tmp_path / "nl.csv", rows)
    report = import_files(conn, [path])
    assert (report.imported, report.quarantined) == (2, 0)
    stored = conn.execute(
        "SELECT line, comment_text, raw FROM source_rows ORDER BY line"
    ).fetchall()
    assert [r[0] for r in stored] == [2, 5]  # header 1; the record spans 2-4; the next is 5
    assert stored[0][1] == "FIRST PART\nSECOND PART\r\nTHIRD"
    assert "FIRST PART\nSECOND PART\r\nTHIRD" in stored[0][2]
    assert "\n" not in stored[1][2]


def test_defects_are_quarantined_with_reasons(tmp_path: Path, conn: sqlite3.Connection) -> None:
    path = write_csv(tmp_path / "defects.csv", [
        record(SUBJECT_ID="1"),
        record(SUBJECT_ID="  "),
        record(SUBJECT_ID="3", CNT_ORDER=""),
        record(SUBJECT_ID="4", COMMENT_TEXT="A\x00B"),
        [*record(SUBJECT_ID="5"), ""],
        list(DOJ_COLUMNS),
        record(SUBJECT_ID="7"),
    ])  # fmt: skip
    with path.open("a", encoding="utf-8") as handle:
        handle.write('1,2,"never closed\n')
        handle.write(as_line(record(SUBJECT_ID="10")) + "\n")
        handle.write(as_line(record(SUBJECT_ID="11:001")) + "\n")  # would make keys collide
    report = import_files(conn, [path])
    reasons = dict(conn.execute("SELECT line, reason FROM quarantine").fetchall())
    assert reasons == {
        3: "SUBJECT_ID is blank",
        4: "CNT_ORDER is blank",
        5: "contains NUL bytes",
        6: "96 fields, expected 95",
        7: "a header line in the middle of the file",
        9: "quoted field is never closed properly (text after a closing quote)",
        11: "SUBJECT_ID contains ':' (conviction keys are SUBJECT_ID:CNT_ORDER)",
    }
    assert [r[0] for r in conn.execute("SELECT line FROM source_rows ORDER BY line")] == [2, 8, 10]
    assert (report.imported, report.quarantined) == (3, 7)
    # Reasons never quote record text.
    assert not any("TESTER" in r for r in reasons.values())


def test_blank_lines_are_skipped_without_shifting_numbers(
    tmp_path: Path, conn: sqlite3.Connection
) -> None:
    body = as_line(record()) + "\n\n   \n" + as_line(record(SUBJECT_ID="2")) + "\n\n"
    path = tmp_path / "blank.csv"
    path.write_text(body, encoding="utf-8")
    import_files(conn, [path])
    assert [r[0] for r in conn.execute("SELECT line FROM source_rows ORDER BY line")] == [1, 4]
    assert count(conn, "quarantine") == 0


def test_a_header_with_other_names_refuses_the_file(tmp_path: Path,
                                                    conn: sqlite3.Connection) -> None:  # fmt: skip
    path = tmp_path / "other.csv"
    names = list(DOJ_COLUMNS)
    names[2], names[3] = names[3], names[2]
    path.write_text(",".join(names) + "\n" + as_line(record()) + "\n", encoding="utf-8")
    with pytest.raises(TriageError, match=r"other\.csv:1: header field 3 should be SUBJECT_ID"):
        import_files(conn, [path])
    assert count(conn, "source_files") == 0


def test_values_are_trimmed_copies_of_the_raw_text(
    tmp_path: Path, conn: sqlite3.Connection
) -> None:
    path = write_csv(
        tmp_path / "pad.csv", [record(SUBJECT_ID=" 42 ", DISP_DESCR="  CONVICTED-JAIL ")]
    )
    import_files(conn, [path])
    row = conn.execute("SELECT subject_id, disp_descr, convicted, raw FROM source_rows").fetchone()
    assert tuple(row)[:3] == ("42", "CONVICTED-JAIL", 1)
    assert " 42 " in row[3] and "  CONVICTED-JAIL " in row[3]


def test_the_arrest_cycle_date_is_stored_and_read_as_the_offense_date(
    tmp_path: Path, conn: sqlite3.Connection
) -> None:
    # CYC_DATE as DOJ writes it, and as CfA's fixtures fill it ("x" and padding).
    path = write_csv(tmp_path / "cyc.csv", [
        record(SUBJECT_ID="1", CYC_DATE="20160601", STP_EVENT_DATE="20161215"),
        record(SUBJECT_ID="2", CYC_DATE="x       ", STP_EVENT_DATE="20161215"),
    ])  # fmt: skip
    import_files(conn, [path])
    rows = conn.execute("SELECT subject_id, cyc_date FROM source_rows ORDER BY id").fetchall()
    assert [tuple(r) for r in rows] == [("1", "20160601"), ("2", "x")]
    known, unknown = (load_person(conn, s).convictions[0] for s in ("1", "2"))
    assert (known.offense_date.raw, known.offense_date_known) == ("20160601", True)
    assert (unknown.offense_date.raw, unknown.offense_date_known) == ("20161215", False)


# --- Derived tables ---------------------------------------------------------------------------


def test_sentence_parts_and_conflicts(tmp_path: Path, conn: sqlite3.Connection) -> None:
    rows = [
        record(SUBJECT_ID="1", STP_TYPE_DESCR="ARREST/DETAINED/CITED", DISP_DESCR="", PRI_NAME="FIRST,ROW"),
        record(SUBJECT_ID="1", CNT_ORDER="001002001000", SENT_LENGTH="30", SENT_TIME_CODE="D",
               PRI_NAME="LATER,NAME"),
        record(SUBJECT_ID="1", CNT_ORDER="001002001000", SENT_LENGTH="2", SENT_TIME_CODE="M",
               PRI_NAME="LATER,NAME"),
        record(SUBJECT_ID="1", CNT_ORDER="001002002000"),
        record(SUBJECT_ID="1", CNT_ORDER="001002002000", OFFENSE_DESCR="11359 HS-POSSESS FOR SALE"),
        record(SUBJECT_ID="1", CNT_ORDER="001002003000", DISP_DESCR="DISMISSED"),
    ]  # fmt: skip
    import_files(conn, [write_csv(tmp_path / "parts.csv", rows)], chunk_rows=2)
    convictions = {r[0]: (r[1], r[2]) for r in
                   conn.execute("SELECT key, parts, conflicting FROM convictions")}  # fmt: skip
    assert convictions == {"1:001002001000": (2, 0), "1:001002002000": (2, 1)}
    person = conn.execute("SELECT name, first_row_id FROM people").fetchone()
    assert person[0] == "FIRST,ROW"
    assert person[1] == conn.execute("SELECT min(id) FROM source_rows").fetchone()[0]
    first = conn.execute("SELECT first_row_id, offense_descr FROM convictions "
                         "WHERE key = '1:001002002000'").fetchone()  # fmt: skip
    assert first[1] == "11357(A) HS-POSSESS MARIJUANA"


def test_chunk_size_does_not_change_the_result(cfa: Path, tmp_path: Path) -> None:
    outcomes = []
    for chunk in (3, 10_000):
        conn = fresh(tmp_path, f"c{chunk}.db")
        import_files(conn, [cfa / "gogen" / "no_headers.csv", cfa / "bear" / "file.dat"],
                     chunk_rows=chunk)  # fmt: skip
        outcomes.append(
            [
                named_rows(conn),
                [tuple(r) for r in conn.execute("SELECT * FROM people ORDER BY subject_id")],
                [tuple(r) for r in conn.execute("SELECT * FROM convictions ORDER BY key")],
            ]
        )
    assert outcomes[0] == outcomes[1]
    assert len(outcomes[0][2]) > 30


def import_both_ways(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: list[Path], chunk_rows: int
) -> list[tuple[object, ...]]:
    """Import `files` into two fresh databases, read in this process and by a helper
    process: for each, the report's figures and every table the import writes."""
    results: list[tuple[object, ...]] = []
    for threshold in (1 << 40, 0):  # never, always
        monkeypatch.setattr(producer, "HELPER_MIN_BYTES", threshold)
        monkeypatch.setattr(producer, "HELPER_MIN_CPUS", 1)
        conn = fresh(tmp_path, f"both{threshold}.db")
        report = import_files(conn, files, chunk_rows=chunk_rows)
        figures = [(f.rows, f.imported, f.duplicates, f.quarantined, f.problems)
                   for f in report.files]  # fmt: skip
        tables = [
            [tuple(r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY rowid")]  # noqa: S608
            for table in ("source_rows", "duplicate_rows", "quarantine", "people", "convictions")
        ]
        results.append((figures, *tables))
        conn.close()
    return results


def test_a_helper_process_reads_large_files_to_the_same_result(
    cfa: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = [cfa / "gogen" / "no_headers.csv", cfa / "bear" / "bad_csv_file.dat",
             cfa / "gogen" / "extra_comma.csv"]  # fmt: skip
    results = import_both_ways(tmp_path, monkeypatch, files, chunk_rows=7)
    assert results[0] == results[1]
    assert results[0][0][1] == (36, 35, 0, 1, [(2, "94 fields, expected 95")])


def test_a_reader_process_that_dies_is_one_clear_error_and_the_import_resumes(
    tmp_path: Path, conn: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(producer, "HELPER_MIN_BYTES", 0)
    monkeypatch.setattr(producer, "HELPER_MIN_CPUS", 1)
    path = write_csv(tmp_path / "d.csv", [record(SUBJECT_ID=str(n)) for n in range(30)])
    real_popen = producer.subprocess.Popen
    # A helper that sends the first chunk (as the real one would) and then dies.
    dying = (
        "import pickle, sys\n"
        "from triage.importers import producer, store\n"
        "job = pickle.load(sys.stdin.buffer)\n"
        "rows, held, done = next(producer.chunks(job))\n"
        "pickle.dump((store.stage_rows(rows), held, done), sys.stdout.buffer)\n"
        "sys.stdout.flush()\n"
        "sys.exit(3)\n"
    )

    def popen(args: list[str], **kw: object) -> object:
        return real_popen([args[0], "-c", dying], **kw)  # type: ignore[call-overload]

    monkeypatch.setattr(producer.subprocess, "Popen", popen)
    with pytest.raises(TriageError, match=r"d\.csv: the reader process stopped \(exit code 3\)"):
        import_files(conn, [path], chunk_rows=10)
    assert count(conn, "source_rows") == 10  # the chunk it sent was written
    monkeypatch.setattr(producer.subprocess, "Popen", real_popen)
    report = import_files(conn, [path], chunk_rows=10)
    assert (report.files[0].status, report.imported, count(conn, "source_rows")) == (
        "resumed", 30, 30
    )  # fmt: skip


def _index_sql(conn: sqlite3.Connection) -> dict[str, str]:
    return {str(r[0]): str(r[1]) for r in conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")}  # fmt: skip


def test_a_large_import_builds_the_search_indexes_at_its_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [record(SUBJECT_ID=str(n), PRI_NAME=f"NAME{n % 7},X", OFN=f"C{n}") for n in range(40)]
    path = write_csv(tmp_path / "big.csv", rows)
    fresh_indexes = _index_sql(fresh(tmp_path, "empty.db"))
    assert set(db.SEARCH_INDEXES) <= set(fresh_indexes)
    results = []
    for threshold in (1 << 40, 0):  # never deferred, always
        monkeypatch.setattr(pipeline, "DEFER_INDEXES_MIN_BYTES", threshold)
        conn = fresh(tmp_path, f"x{threshold}.db")
        dropped: list[list[str]] = []

        def watch(
            *_: object, c: sqlite3.Connection = conn, seen: list[list[str]] = dropped
        ) -> None:
            seen.append(db.missing_search_indexes(c))

        import_files(conn, [path], chunk_rows=7, progress=watch)
        # Dropped while the rows went in (deferred), back afterwards, as the schema has them.
        assert any(dropped) == (threshold == 0)
        assert _index_sql(conn) == fresh_indexes
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        results.append([tuple(r) for r in conn.execute("SELECT * FROM people ORDER BY name")])
    assert results[0] == results[1] and len(results[0]) == 40


def test_search_indexes_come_back_after_a_failed_or_killed_import(
    tmp_path: Path, conn: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "DEFER_INDEXES_MIN_BYTES", 0)
    good = [record(SUBJECT_ID=str(n)) for n in range(200)]
    bad = write_csv(tmp_path / "esc.csv", [*good, record(COMMENT_TEXT="C:\\x")])
    with pytest.raises(TriageError, match="cannot be decoded"):
        import_files(conn, [bad], encoding="unicode_escape", chunk_rows=10)
    assert db.missing_search_indexes(conn) == []
    # A killed import leaves them dropped: the doctor says so, any later import builds them.
    with db.write(conn):
        conn.execute("DROP INDEX people_name")
    from triage.maintenance import doctor

    conn_path = Path(conn.execute("PRAGMA database_list").fetchone()[2])
    assert any(c.name == "search indexes" for c in doctor(conn_path).checks)
    monkeypatch.setattr(pipeline, "DEFER_INDEXES_MIN_BYTES", 1 << 40)
    import_files(conn, [write_csv(tmp_path / "small.csv", good[:3])])
    assert db.missing_search_indexes(conn) == []
    assert not any(c.name == "search indexes" for c in doctor(conn_path).checks)


def test_duplicates_are_found_alike_in_a_helper_process_and_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Repeats within a chunk, across chunks, of a line quarantined nearby, and of another
    # file's rows: the staged chunks a helper hands over must give the same tables.
    rows = [record(SUBJECT_ID=str(n), CNT_ORDER=f"00100{n % 3}001000") for n in range(40)]
    first = [*rows[:10], rows[3], rows[3], *rows[10:25], ["short"], rows[0], *rows[25:], rows[24]]
    second = [rows[5], record(SUBJECT_ID="777"), rows[39], rows[5]]
    paths = [write_csv(tmp_path / "a.csv", first), write_csv(tmp_path / "b.csv", second)]
    results = import_both_ways(tmp_path, monkeypatch, paths, chunk_rows=6)
    assert results[0] == results[1]
    assert [f[:4] for f in results[0][0]] == [(45, 40, 4, 1), (4, 1, 3, 0)]
    # File 1 (header on line 1): lines 12 and 13 repeat line 5, line 30 repeats line 2,
    # line 46 repeats line 28. File 2 repeats file 1's rows, and its own line 2 on line 5.
    dups = results[0][2]
    assert dups == [(1, 12, 4), (1, 13, 4), (1, 30, 1), (1, 46, 25), (2, 2, 6), (2, 4, 40),
                    (2, 5, 6)]  # fmt: skip


def test_the_helper_process_reports_read_errors_in_one_line(
    tmp_path: Path, conn: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(producer, "HELPER_MIN_BYTES", 0)
    monkeypatch.setattr(producer, "HELPER_MIN_CPUS", 1)
    good = [record(SUBJECT_ID=str(n)) for n in range(200)]  # well past the first 8 KiB read
    path = write_csv(tmp_path / "esc.csv", [*good, record(COMMENT_TEXT="C:\\x")])
    with pytest.raises(TriageError, match=r"esc\.csv: cannot be decoded as unicode-escape"):
        import_files(conn, [path], encoding="unicode_escape", chunk_rows=10)
    # The chunks before the failure stay (the import is unfinished and resumable).
    assert 0 < count(conn, "source_rows") <= 200
    assert conn.execute("SELECT completed_at FROM source_files").fetchone()[0] is None


# --- Idempotency and duplicates -----------------------------------------------------------------


def test_importing_the_same_file_again_adds_nothing(cfa: Path, conn: sqlite3.Connection) -> None:
    path = cfa / "bear" / "bad_csv_file.dat"
    import_files(conn, [path])
    before = {t: count(conn, t) for t in ("source_rows", "quarantine", "people", "convictions",
                                            "audit", "source_files")}  # fmt: skip
    again = import_files(conn, [path])
    assert again.files[0].status == "skipped"
    # Its quarantined line is reported again (issue 10): it is still not in the database.
    assert (again.imported, again.quarantined, again.skipped, again.ok) == (0, 1, 1, False)
    assert {t: count(conn, t) for t in before} == before


def test_the_same_rows_in_another_file_are_counted_as_duplicates(
    cfa: Path, conn: sqlite3.Connection
) -> None:
    report = import_files(
        conn, [cfa / "gogen" / "no_headers.csv", cfa / "gogen" / "extra_comma.csv"]
    )
    first, second = report.files
    assert (first.imported, first.duplicates) == (38, 0)
    assert (second.imported, second.duplicates) == (0, 38)
    assert (report.imported, report.duplicates) == (38, 38)
    assert count(conn, "source_rows") == 38
    # Each duplicate points at the stored row with the same content (line n+1 -> line n).
    pairs = conn.execute(
        "SELECT d.line, r.line, r.file_id FROM duplicate_rows d JOIN source_rows r ON r.id = d.row_id"
    ).fetchall()
    assert sorted((a, b) for a, b, _ in pairs) == [(n + 1, n) for n in range(1, 39)]
    assert {f for _, _, f in pairs} == {first.file_id}
    assert conn.execute("SELECT sum(parts) FROM convictions").fetchone()[0] == count_where(
        conn, "source_rows", "convicted = 1"
    )


def test_duplicates_within_one_file_across_chunks(tmp_path: Path, conn: sqlite3.Connection) -> None:
    rows = [record(SUBJECT_ID=str(n % 3)) for n in range(9)]
    report = import_files(conn, [write_csv(tmp_path / "d.csv", rows)], chunk_rows=2)
    assert (report.imported, report.duplicates) == (3, 6)
    dups = conn.execute("SELECT d.line, r.line FROM duplicate_rows d "
                        "JOIN source_rows r ON r.id = d.row_id ORDER BY d.line").fetchall()  # fmt: skip
    assert [tuple(d) for d in dups] == [(5, 2), (6, 3), (7, 4), (8, 2), (9, 3), (10, 4)]


# --- Calls, audit, progress -----------------------------------------------------------------


def test_missing_file_refuses_the_whole_call(cfa: Path, tmp_path: Path,
                                             conn: sqlite3.Connection) -> None:  # fmt: skip
    with pytest.raises(TriageError, match=r"nope\.csv: no such file"):
        import_files(conn, [cfa / "gogen" / "no_headers.csv", tmp_path / "nope.csv"])
    assert count(conn, "source_files") == 0


def test_one_audit_entry_per_file_without_record_data(cfa: Path, conn: sqlite3.Connection) -> None:
    import_files(conn, [cfa / "gogen" / "no_headers.csv", cfa / "bear" / "bad_csv_file.dat"],
                 actor="importer-test")  # fmt: skip
    entries = conn.execute("SELECT actor, action, target, detail FROM audit ORDER BY id").fetchall()
    assert [(e[0], e[1], e[2]) for e in entries] == [
        ("importer-test", "import", "no_headers.csv"),
        ("importer-test", "import", "bad_csv_file.dat"),
    ]
    detail = json.loads(entries[1][3])
    file_id, sha = conn.execute(
        "SELECT id, sha256 FROM source_files WHERE name = 'bad_csv_file.dat'"
    ).fetchone()
    rows_sha256 = digests.file_rows(conn, file_id)  # what doctor holds the rows to
    assert detail == {"sha256": sha, "rows": 36, "imported": 35, "duplicates": 0,
                      "quarantined": 1, "rows_sha256": rows_sha256}  # fmt: skip
    assert audit.verify(conn).ok
    assert "SKYWALKER" not in json.dumps([tuple(e) for e in entries])


def test_progress_reports_bytes_up_to_the_file_size(cfa: Path, conn: sqlite3.Connection) -> None:
    seen: list[tuple[str, int, int]] = []
    path = cfa / "bear" / "file.dat"
    import_files(conn, [path], chunk_rows=10, progress=lambda *a: seen.append(a))
    size = path.stat().st_size
    assert seen[0] == ("file.dat", 0, size) and seen[-1] == ("file.dat", size, size)
    assert len(seen) >= 4
    assert [s[1] for s in seen] == sorted(s[1] for s in seen)


def test_settings_come_back_after_the_import(cfa: Path, conn: sqlite3.Connection) -> None:
    import_files(conn, [cfa / "bear" / "file.dat"])
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL, for reviewers
    assert not conn.in_transaction


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"fmt": "xml"}, "--format"),
    ({"fmt": "csv"}, "--map"),
    ({"column_map": "map.toml"}, "--map is for --format csv"),
])  # fmt: skip
def test_bad_options_are_usage_errors(cfa: Path, conn: sqlite3.Connection,
                                      kwargs: dict[str, str], message: str) -> None:  # fmt: skip
    with pytest.raises(UsageError, match=message):
        import_files(conn, [cfa / "bear" / "file.dat"], **kwargs)  # type: ignore[arg-type]
