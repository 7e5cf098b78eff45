"""DOJ dates, sentence lengths and the year/age arithmetic the predicates use."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.dates import add_years, age_on, latest_possible, parse_doj_date, sentence_days

D = dt.date


@pytest.mark.parametrize(
    ("raw", "value", "partial"),
    [
        ("19810411", D(1981, 4, 11), False),
        (" 19810411 ", D(1981, 4, 11), False),
        ("19810400", D(1981, 4, 1), True),
        ("19810000", D(1981, 1, 1), True),
        ("19810011", D(1981, 1, 1), True),  # month missing: the day alone means nothing
        ("20000229", D(2000, 2, 29), False),
        ("20190229", None, False),
        ("20190231", None, False),
        ("20191301", None, False),
        ("20190132", None, False),
        ("00000000", None, False),
        ("", None, False),
        ("   ", None, False),
        ("1981041", None, False),
        ("198104111", None, False),
        ("1981-04-11", None, False),
        ("04/11/1981", None, False),
        ("ABCDEFGH", None, False),
        ("١٩٨١٠٤١١", None, False),  # non-ASCII digits are not a DOJ date
    ],
)
def test_parse_doj_date(raw: str, value: dt.date | None, partial: bool) -> None:
    parsed = parse_doj_date(raw)
    assert parsed.value == value
    assert parsed.partial is partial
    assert parsed.raw == raw
    assert parsed.known is (value is not None)
    assert parsed.exact is (value is not None and not partial)


def test_latest_possible() -> None:
    assert latest_possible(parse_doj_date("19810411")) == D(1981, 4, 11)
    assert latest_possible(parse_doj_date("19810400")) == D(1981, 4, 30)
    assert latest_possible(parse_doj_date("20160200")) == D(2016, 2, 29)
    assert latest_possible(parse_doj_date("20161200")) == D(2016, 12, 31)
    assert latest_possible(parse_doj_date("20160000")) == D(2016, 12, 31)
    assert latest_possible(parse_doj_date("")) is None


@pytest.mark.parametrize(
    ("length", "code", "days"),
    [
        ("90", "D", 90.0),
        ("6", "M", 183.0),
        ("10", "Y", 3660.0),
        ("5", "y", 1830.0),
        (" 2 ", " M ", 61.0),
        ("1.5", "Y", 549.0),
        ("", "D", 0.0),
        ("6", "", 0.0),
        ("6", "W", 0.0),
        ("X", "D", 0.0),
        ("-3", "D", 0.0),
        ("nan", "D", 0.0),
        ("inf", "Y", 0.0),
    ],
)
def test_sentence_days(length: str, code: str, days: float) -> None:
    assert sentence_days(length, code) == days


@pytest.mark.parametrize(
    ("start", "n", "end"),
    [
        (D(2000, 2, 29), 1, D(2001, 3, 1)),
        (D(2000, 2, 29), 4, D(2004, 2, 29)),
        (D(2000, 2, 29), -1, D(1999, 3, 1)),
        (D(1981, 4, 11), 10, D(1991, 4, 11)),
        (D(1999, 12, 31), 21, D(2020, 12, 31)),
    ],
)
def test_add_years(start: dt.date, n: int, end: dt.date) -> None:
    assert add_years(start, n) == end


def test_age_on() -> None:
    dob = D(1970, 6, 15)
    assert age_on(dob, D(2020, 6, 14)) == 49
    assert age_on(dob, D(2020, 6, 15)) == 50
    assert age_on(D(2000, 2, 29), D(2021, 2, 28)) == 20
    assert age_on(D(2000, 2, 29), D(2021, 3, 1)) == 21


@given(
    st.dates(min_value=D(1900, 1, 1), max_value=D(2050, 12, 31)),
    st.integers(min_value=0, max_value=100),
)
def test_age_and_add_years_agree(dob: dt.date, n: int) -> None:
    birthday = add_years(dob, n)
    assert age_on(dob, birthday) == n
    if n > 0:
        assert age_on(dob, birthday - dt.timedelta(days=1)) == n - 1


@given(st.dates(min_value=D(1, 1, 1), max_value=D(9999, 12, 31)))
def test_round_trip_of_real_dates(d: dt.date) -> None:
    parsed = parse_doj_date(d.strftime("%Y%m%d").rjust(8, "0"))
    assert parsed.value == d and not parsed.partial


@given(st.text(max_size=12))
def test_parse_never_raises(raw: str) -> None:
    parsed = parse_doj_date(raw)
    assert parsed.raw == raw
