from __future__ import annotations

import calendar
import datetime as dt
import time
import types
from collections.abc import Callable, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkwise.normalize import (
    NormalizationError,
    PartialDate,
    date_from_parts,
    dates,
    parse_date,
    parse_dob,
)
from linkwise.normalize.partial_date import date_problem

TODAY = dt.date(2025, 6, 1)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1987-05-04", PartialDate(1987, 5, 4)),
        ("1987/05/04", PartialDate(1987, 5, 4)),
        ("1987.05.04", PartialDate(1987, 5, 4)),
        ("19870504", PartialDate(1987, 5, 4)),
        ("1987-05", PartialDate(1987, 5)),
        ("1987", PartialDate(1987)),
        ("05/04/1987", PartialDate(1987, 5, 4)),
        ("5/4/1987", PartialDate(1987, 5, 4)),
        ("5/4/87", PartialDate(1987, 5, 4)),
        ("05-04-1987", PartialDate(1987, 5, 4)),
        ("04.05.1987", PartialDate(1987, 5, 4)),
        ("05/1987", PartialDate(1987, 5)),
        ("4 May 1987", PartialDate(1987, 5, 4)),
        ("May 4, 1987", PartialDate(1987, 5, 4)),
        ("May 4th, 1987", PartialDate(1987, 5, 4)),
        ("Monday, 4th of May 1987", PartialDate(1987, 5, 4)),
        ("04-MAY-87", PartialDate(1987, 5, 4)),
        ("4-Sept-1987", PartialDate(1987, 9, 4)),
        ("May 1987", PartialDate(1987, 5)),
        ("1987 May 4", PartialDate(1987, 5, 4)),
        ("1987-05-04T00:00:00", PartialDate(1987, 5, 4)),
        ("1987-05-04 00:00:00", PartialDate(1987, 5, 4)),
        ("1987-05-04T13:45:10.123Z", PartialDate(1987, 5, 4)),
        ("05/04/1987 12:00 AM", PartialDate(1987, 5, 4)),
        ("  1987-05-04  ", PartialDate(1987, 5, 4)),
        ("1988-02-29", PartialDate(1988, 2, 29)),
    ],
)
def test_parse_date_layouts(raw: str, expected: PartialDate) -> None:
    assert parse_date(raw, today=TODAY) == expected


def test_dayfirst_swaps_numeric_but_never_iso() -> None:
    # the trial's dateutil pitfall: dayfirst must not turn ISO 1987-05-04 into 5 April
    assert parse_date("1987-05-04", dayfirst=True) == PartialDate(1987, 5, 4)
    assert parse_date("19870504", dayfirst=True) == PartialDate(1987, 5, 4)
    assert parse_date("04/05/1987", dayfirst=True) == PartialDate(1987, 5, 4)
    assert parse_date("04/05/1987") == PartialDate(1987, 4, 5)


def test_bare_year_stays_a_year() -> None:
    # the trial's other dateutil pitfall: a bare year filled with today's month and day
    assert parse_date("1948") == PartialDate(1948)
    assert parse_dob("1948") == PartialDate(1948)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("13/45/1987", "month 13 is not a valid month in '13/45/1987'"),
        ("02/31/1987", "day 31 is not a valid day of February 1987 in '02/31/1987'"),
        ("1987-02-29", "day 29 is not a valid day of February 1987 (not a leap year)"),
        ("1987-13-01", "month 13 is not a valid month in '1987-13-01'"),
        ("1987-05-00", "day 0 is not a valid day of May 1987 in '1987-05-00'"),
        ("0000-05-04", "year 0 is not a valid year in '0000-05-04'"),
        ("0000-00-00", "'0000-00-00' is a placeholder (all zeros), not a date"),
        ("00/00/0000", "'00/00/0000' is a placeholder (all zeros), not a date"),
        ("00000000", "placeholder"),
        ("May 4", "'May 4' has a month and day but no year"),
        ("next tuesday", "is not a date in a recognised layout"),
        ("1987-05-04-01", "is not a date in a recognised layout"),
        ("", "the value is empty"),
    ],
)
def test_impossible_and_unreadable_dates_raise(raw: str, message: str) -> None:
    with pytest.raises(NormalizationError) as excinfo:
        parse_date(raw, today=TODAY)
    assert message in str(excinfo.value)


def test_day_first_hint_when_swapping_would_help() -> None:
    with pytest.raises(NormalizationError, match="use dayfirst"):
        parse_date("25/12/1987")
    assert parse_date("25/12/1987", dayfirst=True) == PartialDate(1987, 12, 25)


def test_format_string() -> None:
    assert parse_date("05/04/1987", "%m/%d/%Y") == PartialDate(1987, 5, 4)
    assert parse_date("04/05/1987", "%d/%m/%Y") == PartialDate(1987, 5, 4)
    assert parse_date("1987-05", "%Y-%m") == PartialDate(1987, 5)
    assert parse_date("1987", "%Y") == PartialDate(1987)
    assert parse_date("04-MAY-1987", "%d-%b-%Y") == PartialDate(1987, 5, 4)
    # %y follows the documented pivot, not strptime's fixed 1969 cut-over
    assert parse_date("05/04/70", "%m/%d/%y", today=TODAY) == PartialDate(2070, 5, 4)
    assert parse_dob("05/04/70", "%m/%d/%y", today=TODAY) == PartialDate(1970, 5, 4)


@pytest.mark.parametrize(
    ("raw", "fmt", "message"),
    [
        ("1987-05-04", "%m/%d/%Y", "'1987-05-04' does not match the expected date format"),
        ("13/01/1987", "%m/%d/%Y", "format '%m/%d/%Y': month 13 is not a valid month"),
        ("31/02/1987", "%d/%m/%Y", "day 31 is not a valid day of February 1987"),
        ("0000-00-00", "%Y-%m-%d", "placeholder"),
    ],
)
def test_format_mismatch_says_expected_format(raw: str, fmt: str, message: str) -> None:
    with pytest.raises(NormalizationError) as excinfo:
        parse_date(raw, fmt)
    assert message in str(excinfo.value)


def test_format_without_year_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="has no year"):
        parse_date("05/04", "%m/%d")


def test_two_digit_years() -> None:
    assert parse_date("04/05/87", today=TODAY) == PartialDate(1987, 4, 5)
    assert parse_date("04/05/12", today=TODAY) == PartialDate(2012, 4, 5)
    assert parse_date("04/05/74", today=TODAY) == PartialDate(2074, 4, 5)
    assert parse_date("04/05/75", today=TODAY) == PartialDate(1975, 4, 5)
    assert parse_dob("04/05/87", today=TODAY) == PartialDate(1987, 4, 5)
    assert parse_dob("04/05/12", today=TODAY) == PartialDate(2012, 4, 5)
    assert parse_dob("04/05/12", today=dt.date(2010, 1, 1)) == PartialDate(1912, 4, 5)
    # same year as today but later in it: a birth date cannot be in the future
    assert parse_dob("07/05/25", today=TODAY) == PartialDate(1925, 7, 5)
    assert parse_dob("05/05/25", today=TODAY) == PartialDate(2025, 5, 5)
    # the century decides whether 29 February exists
    assert parse_dob("02/29/00", today=TODAY) == PartialDate(2000, 2, 29)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("2030-01-01", "'2030-01-01' (2030-01-01) is after today (2025-06-01)"),
        ("2025-07", "is after today"),
        ("1889-12-31", "year 1889 in '1889-12-31' is before 1890"),
        ("1900-01-01", "a common placeholder for an unknown date of birth"),
        ("01/01/1900", "a common placeholder"),
    ],
)
def test_dob_plausibility(raw: str, message: str) -> None:
    with pytest.raises(NormalizationError) as excinfo:
        parse_dob(raw, today=TODAY)
    assert message in str(excinfo.value)
    assert parse_date(raw, today=TODAY)  # the same value is a fine date, not a fine DOB


def test_dob_accepts_this_year_and_month() -> None:
    assert parse_dob("2025", today=TODAY) == PartialDate(2025)
    assert parse_dob("2025-06", today=TODAY) == PartialDate(2025, 6)
    assert parse_dob("1890-01-01", today=TODAY) == PartialDate(1890, 1, 1)


@pytest.mark.parametrize(
    ("year", "month", "day", "expected"),
    [
        (1987, 5, 4, PartialDate(1987, 5, 4)),
        ("1987", "05", "04", PartialDate(1987, 5, 4)),
        ("1987", "05", "", PartialDate(1987, 5)),
        ("1987", None, None, PartialDate(1987)),
        ("1987.0", "5.0", None, PartialDate(1987, 5)),
        (" 1987 ", "May", "4", PartialDate(1987, 5, 4)),
        (None, None, None, None),
        ("", " ", "", None),
    ],
)
def test_date_from_parts(
    year: str | int | None, month: str | int | None, day: str | int | None, expected: object
) -> None:
    assert date_from_parts(year, month, day) == expected


@pytest.mark.parametrize(
    ("year", "month", "day", "message"),
    [
        (1987, None, 4, "a birth day without a month"),
        (None, 5, None, "a birth month or day without a year"),
        (None, None, 4, "a birth month or day without a year"),
        (1987, 2, 30, "day 30 is not a valid day of February 1987"),
        (1987, 13, None, "month 13 is not a valid month"),
        ("87", 1, 1, "birth year '87' is not a four-digit year"),
        ("abc", 1, 1, "birth year 'abc' is not a number"),
        (1987, "Smarch", 1, "birth month 'Smarch' is not a number"),
    ],
)
def test_date_from_parts_errors(
    year: str | int | None, month: str | int | None, day: str | int | None, message: str
) -> None:
    with pytest.raises(NormalizationError, match=message):
        date_from_parts(year, month, day)


def test_partial_date_validates_and_orders() -> None:
    with pytest.raises(NormalizationError, match="a day needs a month"):
        PartialDate(1987, None, 4)
    with pytest.raises(NormalizationError, match="month 13"):
        PartialDate(1987, 13)
    assert sorted([PartialDate(1987, 5), PartialDate(1987), PartialDate(1986, 12, 31)]) == [
        PartialDate(1986, 12, 31),
        PartialDate(1987),
        PartialDate(1987, 5),
    ]
    assert PartialDate(1987, 5, 4).iso() == "1987-05-04"
    assert PartialDate(1987, 5).iso() == "1987-05"
    assert PartialDate(987).iso() == "0987"
    with pytest.raises(NormalizationError):
        PartialDate.from_iso("1987-5-4")


_partial = st.dates(min_value=dt.date(1, 1, 1)).flatmap(
    lambda d: st.sampled_from(
        [PartialDate(d.year), PartialDate(d.year, d.month), PartialDate(d.year, d.month, d.day)]
    )
)


@given(_partial)
def test_iso_round_trip(date: PartialDate) -> None:
    assert PartialDate.from_iso(date.iso()) == date


def _us(d: dt.date) -> str:
    return f"{d.month}/{d.day}/{d.year}"


_FULL_FORMATS: list[Callable[[dt.date], str]] = [
    lambda d: d.strftime("%Y-%m-%d"),
    lambda d: d.strftime("%Y/%m/%d"),
    lambda d: d.strftime("%Y%m%d"),
    lambda d: d.strftime("%m/%d/%Y"),
    _us,
    lambda d: d.strftime("%m-%d-%Y"),
    lambda d: d.strftime("%d.%m.%Y"),
    lambda d: d.strftime("%d %B %Y"),
    lambda d: d.strftime("%B %d, %Y"),
    lambda d: f"{d.strftime('%b')} {d.day} {d.year}",
    lambda d: d.strftime("%d-%b-%Y").upper(),
    lambda d: d.strftime("%Y-%m-%dT%H:%M:%S"),
    lambda d: d.strftime("%Y-%m-%d 00:00:00"),
]
_four_digit = st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(9999, 12, 31))


@settings(max_examples=150)
@given(_four_digit, st.sampled_from(range(len(_FULL_FORMATS))))
def test_parse_date_reads_every_full_layout(date: dt.date, layout: int) -> None:
    text = _FULL_FORMATS[layout](date)
    assert parse_date(text, today=TODAY) == PartialDate(date.year, date.month, date.day)


@settings(max_examples=100)
@given(_four_digit)
def test_dayfirst_and_partial_layouts(date: dt.date) -> None:
    full = PartialDate(date.year, date.month, date.day)
    assert parse_date(date.strftime("%d/%m/%Y"), dayfirst=True) == full
    assert parse_date(date.strftime("%Y-%m"), dayfirst=True) == PartialDate(date.year, date.month)
    assert parse_date(date.strftime("%B %Y")) == PartialDate(date.year, date.month)
    assert parse_date(str(date.year)) == PartialDate(date.year)


@settings(max_examples=100)
@given(st.dates(min_value=dt.date(1975, 1, 1), max_value=dt.date(2074, 12, 31)))
def test_two_digit_layouts_within_the_window(date: dt.date) -> None:
    full = PartialDate(date.year, date.month, date.day)
    assert parse_date(f"{date.month}/{date.day}/{date:%y}", today=TODAY) == full
    assert parse_date(date.strftime("%d-%b-%y").upper(), today=TODAY) == full


@settings(max_examples=100)
@given(_four_digit, st.sampled_from(["%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d %b %Y"]))
def test_parse_date_with_format(date: dt.date, fmt: str) -> None:
    assert parse_date(date.strftime(fmt), fmt) == PartialDate(date.year, date.month, date.day)


@st.composite
def _impossible(draw: st.DrawFn) -> tuple[int, int, int]:
    year = draw(st.integers(1000, 9999))
    if draw(st.booleans()):
        return year, draw(st.integers(13, 99)), draw(st.integers(1, 28))
    month = draw(st.integers(1, 12))
    last = calendar.monthrange(year, month)[1]
    return year, month, draw(st.sampled_from([0, *range(last + 1, 100)]))


@settings(max_examples=150)
@given(_impossible(), st.sampled_from(["iso", "us", "dot", "compact"]))
def test_impossible_dates_always_raise(parts: tuple[int, int, int], layout: str) -> None:
    y, m, d = parts
    text = {
        "iso": f"{y:04d}-{m:02d}-{d:02d}",
        "us": f"{m:02d}/{d:02d}/{y:04d}",
        "dot": f"{d:02d}.{m:02d}.{y:04d}",
        "compact": f"{y:04d}{m:02d}{d:02d}",
    }[layout]
    with pytest.raises(NormalizationError):
        parse_date(text)


def _local_midnight(day: dt.date) -> float:
    return dt.datetime.combine(day, dt.time()).timestamp()


@pytest.fixture
def local_zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process's local time zone set to ``request.param`` for one test."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


# Zones whose clocks change at midnight (a day that starts at 01:00, a midnight that comes
# twice) and UTC.
@pytest.mark.parametrize(
    ("local_zone", "day"),
    [
        ("UTC", dt.date(2025, 1, 1)),
        ("America/Santiago", dt.date(2024, 9, 8)),
        ("America/Santiago", dt.date(2024, 4, 7)),
        ("America/Havana", dt.date(2024, 3, 10)),
        ("America/Havana", dt.date(2024, 11, 3)),
        ("Europe/Berlin", dt.date(2024, 3, 31)),
    ],
    indirect=["local_zone"],
)
@pytest.mark.usefixtures("local_zone")
def test_today_is_read_once_a_second_and_right_across_midnight(
    day: dt.date, monkeypatch: pytest.MonkeyPatch
) -> None:
    midnight = dt.datetime.combine(day, dt.time()).timestamp()
    clock = [0.0]
    monkeypatch.setattr(dates, "time", types.SimpleNamespace(time=lambda: clock[0]))
    monkeypatch.setattr(dates, "_last_today", (-1, dt.date.min))
    offsets = [-3600, -1.5, -1, -0.5, -1e-6, 0, 1e-6, 0.5, 0.999999, 1, 1800, 3599, 3600, 3601]
    for offset in [*offsets, -0.25, 7200, -7200]:  # then back, as a stepped clock goes
        clock[0] = midnight + offset
        assert dates._today() == dt.date.fromtimestamp(clock[0]), offset


def test_parse_dob_reads_today_when_not_given() -> None:
    assert parse_dob("04/05/12") == parse_dob("04/05/12", today=dt.date.today())
    assert parse_date("04/05/75") == parse_date("04/05/75", today=dt.date.today())


@settings(max_examples=400)
@given(st.text() | st.text(alphabet="0-/. 1aZ٠", max_size=12))
def test_placeholder_shortcut(text: str) -> None:
    digits = [c for c in text if c.isdigit()]
    expected = bool(digits) and set(digits) == {"0"} and not any(c.isalpha() for c in text)
    assert dates._placeholder(text) == expected


def test_date_problem_days_per_month_as_calendar() -> None:
    for year in [*range(1, 2101), 2400, 9999]:
        for month in range(1, 13):
            last = calendar.monthrange(year, month)[1]
            for day in range(27, 33):
                assert (date_problem(year, month, day) is None) == (day <= last)
