"""The synthetic county generator and the reproducible `sample.db` build."""

from __future__ import annotations

import csv
import hashlib
import io
from collections import Counter
from pathlib import Path

import pytest

from triage import sample
from triage.sample_data import HOSTILE

IX = {name: i for i, name in enumerate(sample.COLUMNS)}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def county() -> list[list[str]]:
    """The default sample's records (2,000 people), generated once for the shape tests."""
    return list(sample.iter_doj_rows(people=2000, seed=64))


def test_columns_match_the_doj_layout(cfa: Path) -> None:
    with open(cfa / "gogen" / "configurable_flow_raw.csv", newline="", encoding="utf-8") as fh:
        header = list(csv.reader(fh))[1][1:96]
    assert tuple(header) == sample.COLUMNS


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    n = sample.write_doj_csv(a, people=150, seed=7)
    assert sample.write_doj_csv(b, people=150, seed=7) == n
    sample.write_doj_csv(c, people=150, seed=8)
    assert _sha(a) == _sha(b)
    assert _sha(a) != _sha(c)


def test_written_file_is_a_doj_file(tmp_path: Path) -> None:
    path = tmp_path / "doj.csv"
    n = sample.write_doj_csv(path, people=120, seed=3)
    raw = path.read_bytes()
    assert raw.startswith(b"RECORD_ID,SUBJECT_STATUS,")
    assert b"\r\n" in raw and raw.count(b"\r\n") == n + 1  # one physical line per record
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert tuple(rows[0]) == sample.COLUMNS
    assert len(rows) == n + 1
    assert all(len(row) == 95 for row in rows)
    assert all(row[IX["END_OF_REC"]] == "#" for row in rows[1:])
    no_header = tmp_path / "plain.csv"
    assert sample.write_doj_csv(no_header, people=120, seed=3, header=False) == n
    assert no_header.read_bytes() == raw.split(b"\r\n", 1)[1]


def test_fewer_people_is_a_prefix(tmp_path: Path) -> None:
    small = list(sample.iter_doj_rows(people=40, seed=11))
    large = list(sample.iter_doj_rows(people=90, seed=11))
    assert large[: len(small)] == small
    assert len({row[IX["SUBJECT_ID"]] for row in large}) == 90


def test_rows_per_person_fit_the_benchmark_sizing(county: list[list[str]]) -> None:
    assert 8.0 <= len(county) / 2000 <= 10.0
    assert len({row[IX["SUBJECT_ID"]] for row in county}) == 2000


def test_field_shapes(county: list[list[str]]) -> None:
    for row in county:
        cnt = row[IX["CNT_ORDER"]]
        assert len(cnt) == 12 and cnt.isdigit() and cnt.endswith("000")
        assert row[IX["OFFENSE_TOC"]] in ("F", "M", "I", "")
        assert row[IX["SENT_TIME_CODE"]] in ("D", "M", "Y", "")
        if row[IX["SENT_TIME_CODE"]]:
            assert row[IX["SENT_LENGTH"]].isdigit()
        assert row[IX["PRI_CDL"]] == "x       "
    kinds = Counter(row[IX["STP_TYPE_DESCR"]] for row in county)
    assert set(kinds) == {"COURT ACTION", "ARREST/DETAINED/CITED", "REGISTRATION", "DECEASED"}
    dispositions = {row[IX["DISP_DESCR"]] for row in county}
    assert {
        "CONVICTED-JAIL",
        "CONVICTED-PROBATION",
        "CONVICTED-PRISON",
        "DISMISSED/CHARGE DROPPED",
    } <= dispositions
    statuses = {row[IX["CONV_STAT_DESCR"]] for row in county}
    assert {"FELONY", "MISDEMEANOR"} <= statuses
    assert any(row[IX["OFN"]] == "NULL  " for row in county)


def _convicted(county: list[list[str]]) -> list[list[str]]:
    return [r for r in county if r[IX["DISP_DESCR"]].startswith("CONVICTED")]


def test_the_hard_cases_are_all_present(county: list[list[str]]) -> None:
    convicted = _convicted(county)
    offenses = [r[IX["OFFENSE_DESCR"]] for r in convicted]
    for sub in ("(A)", "(B)", "(C)", "(D)"):
        assert any(o.startswith(f"11357{sub}") for o in offenses), sub
    for section in ("11358", "11359", "11360"):
        assert any(o.startswith(section) for o in offenses), section
    assert any(o.startswith("664/") for o in offenses)
    assert any(o.startswith("182/") for o in offenses)
    hidden = [r for r in convicted if r[IX["OFFENSE_DESCR"]] in ("SEE COMMENT FOR CHARGE", "")]
    assert hidden and all(r[IX["COMMENT_TEXT"]] for r in hidden)
    assert any("AMENDED PER PLEA" in r[IX["COMMENT_TEXT"]] for r in convicted)
    dates = [r[IX["STP_EVENT_DATE"]] for r in convicted]
    assert any(d.endswith("0000") for d in dates)
    assert any(d.endswith("00") and not d.endswith("0000") for d in dates)
    p64_home = [
        r
        for r in convicted
        if r[IX["OFFENSE_DESCR"]][:5] in ("11357", "11358", "11359", "11360")
        and r[IX["STP_ORI_CNTY_NAME"]] == "LOS ANGELES"
    ]
    assert any(r[IX["STP_EVENT_DATE"]] >= "20161109" for r in p64_home)
    assert any(r[IX["STP_ORI_CNTY_NAME"]] != "LOS ANGELES" for r in convicted)
    related = ("148", "647(F)", "11364", "4060 BP")
    assert all(any(o.startswith(prefix) for o in offenses) for prefix in related)


def test_priors_parts_and_people(county: list[list[str]]) -> None:
    convicted = _convicted(county)
    parts = Counter((r[IX["SUBJECT_ID"]], r[IX["CNT_ORDER"]]) for r in convicted)
    assert any(n > 1 for n in parts.values())  # multi-part sentences
    by_case: dict[tuple[str, str], set[str]] = {}
    for r in convicted:
        key = (r[IX["SUBJECT_ID"]], r[IX["CNT_ORDER"]][:6])
        by_case.setdefault(key, set()).add(r[IX["OFFENSE_DESCR"]].split(" ")[0])
    assert any({"136.1(B)(1)", "186.22(B)(4)"} <= charges for charges in by_case.values())
    offenses = {r[IX["OFFENSE_DESCR"]].split(" ")[0] for r in convicted}
    assert {"187(A)", "288(A)"} & offenses  # super strikes
    assert {"314(1)", "243.4(A)"} & offenses  # PC 290 offenses
    registrations = [r for r in county if r[IX["STP_TYPE_DESCR"]] == "REGISTRATION"]
    assert registrations and all(r[IX["OFFENSE_DESCR"]].startswith("290 PC") for r in registrations)
    dobs = {r[IX["SUBJECT_ID"]]: r[IX["PRI_DOB"]] for r in county}
    assert any(d == "" for d in dobs.values())
    full = [d for d in dobs.values() if len(d) == 8 and not d.endswith("00")]
    assert any(d > "19981111" for d in full)  # under 21 at 2019-11-11
    assert any(d < "19691111" for d in full)  # over 50


def test_hostile_text_is_present_but_rare(county: list[list[str]]) -> None:
    people_with = {
        r[IX["SUBJECT_ID"]]
        for r in county
        if any(ch in r[IX["PRI_NAME"]] + r[IX["COMMENT_TEXT"]] for ch in ("[", "\x1b", "\u202e"))
    }
    assert 1 <= len(people_with) <= 20
    texts = {r[IX["PRI_NAME"]] for r in county} | {r[IX["COMMENT_TEXT"]] for r in county}
    for name, comment in HOSTILE:
        assert comment in texts
        assert name is None or name in texts


def test_names_are_invented(county: list[list[str]]) -> None:
    names = {r[IX["PRI_NAME"]] for r in county}
    assert len(names) > 1000
    assert all("," in n for n in names)
