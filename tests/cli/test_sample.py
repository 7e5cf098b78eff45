"""The synthetic county generator and the reproducible `sample.db` build."""

from __future__ import annotations

import csv
import hashlib
import io
import stat
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


def test_generation_streams() -> None:
    # A trillion people: only a generator that works person by person can answer at once.
    records = sample.iter_doj_rows(people=10**12, seed=5)
    first = [next(records) for _ in range(50)]
    assert all(len(row) == 95 for row in first)


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
        assert row[IX["PRI_CDL"]] in ("x       ", "")
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


# --- building sample.db ------------------------------------------------------------------


def _build_blocker() -> str | None:
    """Why the build cannot run yet (its importer, classifier or pack not landed), or None."""
    try:
        from triage.importers import import_files  # noqa: F401
    except ImportError:
        return "the importer (triage.importers.import_files) has not landed yet"
    try:
        from triage.classify import classify_run  # noqa: F401
    except ImportError:
        return "the classifier (triage.classify.classify_run) has not landed yet"
    try:
        from rules.packs import bundled_ids
    except ImportError:
        return "policy packs (rules.packs) have not landed yet"
    if "los-angeles-2019" not in bundled_ids():
        return "the los-angeles-2019 pack has not landed yet"
    return None


needs_build = pytest.mark.skipif(_build_blocker() is not None, reason=str(_build_blocker()))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The same small sample built twice, in two different folders."""
    from triage.sample_build import build_sample_db

    first = tmp_path_factory.mktemp("one") / "sample.db"
    second = tmp_path_factory.mktemp("two") / "other-name.db"
    build_sample_db(first, people=200, seed=64)
    build_sample_db(second, people=200, seed=64)
    return first, second


@needs_build
def test_build_is_byte_for_byte_reproducible(built: tuple[Path, Path]) -> None:
    first, second = built
    assert _sha(first) == _sha(second)
    for path in built:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        leftovers = sorted(p.name for p in path.parent.iterdir() if p != path)
        assert leftovers == []  # no temp folder, no -wal/-shm beside it


@needs_build
def test_build_does_not_depend_on_hash_randomisation(
    tmp_path: Path, built: tuple[Path, Path]
) -> None:
    import os
    import subprocess
    import sys

    target = tmp_path / "sample.db"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    done = subprocess.run(
        [sys.executable, "-m", "triage", "sample", "--out", str(target), "--people", "200"],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert _sha(target) == _sha(built[0])


@needs_build
def test_build_leaks_no_paths(built: tuple[Path, Path]) -> None:
    data = built[0].read_bytes()
    assert str(built[0].parent).encode() not in data
    assert b".triage-sample-" not in data
    assert b"synthetic-county-seed64.csv" in data  # the file's name is kept, nothing more


@needs_build
def test_build_is_stamped_by_the_sample_actor(built: tuple[Path, Path]) -> None:
    from triage import audit, db

    conn = db.connect(built[0])
    try:
        actors = {r[0] for r in conn.execute("SELECT actor FROM audit")}
        assert actors == {"sample"}
        assert {r[0] for r in conn.execute("SELECT created_by FROM runs")} == {"sample"}
        assert audit.verify(conn).ok
        assert conn.execute("SELECT count(*) FROM source_rows").fetchone()[0] > 1000
        assert conn.execute("SELECT count(*) FROM people").fetchone()[0] == 200
    finally:
        conn.close()


@needs_build
def test_small_build_has_a_varied_review_queue(built: tuple[Path, Path]) -> None:
    from triage import db

    conn = db.connect(built[0])
    try:
        reasons = dict(
            conn.execute(
                "SELECT reason, count(DISTINCT subject_id) FROM determinations "
                "WHERE outcome = 'review' GROUP BY reason"
            ).fetchall()
        )
    finally:
        conn.close()
    assert sum(reasons.values()) >= 10
    assert len(reasons) >= 3


@needs_build
def test_force_replaces_and_refusal_keeps(tmp_path: Path, built: tuple[Path, Path]) -> None:
    from triage.errors import TriageError
    from triage.sample_build import build_sample_db

    target = tmp_path / "sample.db"
    target.write_bytes(b"precious")
    with pytest.raises(TriageError, match="already exists; add --force"):
        build_sample_db(target, people=200, seed=64)
    assert target.read_bytes() == b"precious"
    summary = build_sample_db(target, people=200, seed=64, force=True)
    assert summary.sha256 == _sha(target) == _sha(built[0])
    assert summary.review_cases > 0
    assert summary.quarantined == 0  # every generated record is one the importer accepts


def test_cli_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    import subprocess
    import sys

    target = tmp_path / "sample.db"
    target.write_bytes(b"precious")
    done = subprocess.run(
        [sys.executable, "-m", "triage", "sample", "--out", str(target), "--people", "5"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr == f"triage: {target}: already exists; add --force to replace it\n"
    assert target.read_bytes() == b"precious"
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "triage",
            "sample",
            "--out",
            str(tmp_path / "x.db"),
            "--people",
            "0",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert not (tmp_path / "x.db").exists()


# --- the committed sample.db ---------------------------------------------------------------

COMMITTED = Path(__file__).resolve().parents[2] / "sample.db"


@pytest.mark.skipif(not COMMITTED.exists(), reason="sample.db has not been built yet")
def test_committed_sample_db_is_a_few_hundred_varied_cases(tmp_path: Path) -> None:
    import shutil

    from triage import audit, db

    assert COMMITTED.stat().st_size < 15 * 1024 * 1024
    copy = tmp_path / "sample.db"  # opening may write WAL files; keep the checkout clean
    shutil.copyfile(COMMITTED, copy)
    conn = db.connect(copy)
    try:
        assert audit.verify(conn).ok
        run = db.active_run_id(conn)
        assert run is not None
        pack = conn.execute("SELECT pack_id, county FROM runs WHERE id = ?", (run,)).fetchone()
        assert tuple(pack) == ("los-angeles-2019", "LOS ANGELES")
        cases = conn.execute(
            "SELECT count(DISTINCT subject_id) FROM determinations "
            "WHERE run_id = ? AND outcome = 'review'",
            (run,),
        ).fetchone()[0]
        reasons = conn.execute(
            "SELECT count(DISTINCT reason) FROM determinations "
            "WHERE run_id = ? AND outcome = 'review'",
            (run,),
        ).fetchone()[0]
        outcomes = {
            r[0]
            for r in conn.execute(
                "SELECT DISTINCT outcome FROM determinations WHERE run_id = ?", (run,)
            )
        }
    finally:
        conn.close()
    assert 200 <= cases <= 1000
    assert reasons >= 4
    assert outcomes == {"dismiss", "not_eligible", "review"}


@needs_build
@pytest.mark.skipif(not COMMITTED.exists(), reason="sample.db has not been built yet")
def test_committed_sample_db_is_what_triage_sample_builds(tmp_path: Path) -> None:
    from triage.sample_build import build_sample_db

    fresh = build_sample_db(tmp_path / "sample.db")  # the defaults: 2,000 people, seed 64
    assert fresh.sha256 == _sha(COMMITTED), (
        "sample.db is stale (import, classification or the generator changed since it was "
        "built): run `triage sample --force` at the top of the checkout and commit sample.db"
    )
