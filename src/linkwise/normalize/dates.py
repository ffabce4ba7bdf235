"""Parsing dates and dates of birth into ``PartialDate``.

Without a format, the layouts recognised are: ISO ``1987-05-04`` (also with ``/`` or ``.``,
and ISO date-times, whose time is dropped), ``19870504``, ``1987-05``, ``1987``;
``05/04/1987``, ``05-04-1987`` and ``5/4/87`` read month first (US) unless
``dayfirst=True``; ``05/1987`` is a month and year; ``04.05.1987``
is always day first (the dotted convention); and English month names ("4 May 1987",
"May 4, 1987", "04-MAY-87", "May 1987"). A year-first layout is year-month-day whatever
``dayfirst`` says.

Two-digit years: ``parse_date`` puts them within 50 years of ``today`` (``today.year - 50``
to ``today.year + 49``); ``parse_dob`` puts them in the past: the latest year ending in
those digits for which the date is not after ``today`` ("04/05/12" is 2012 when read in
2025, 1912 when read in 2010). A format string with ``%y`` follows the same rules, not
``strptime``'s fixed 1969 pivot.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import time

from linkwise.normalize._cache import memoize
from linkwise.normalize._date_formats import MONTHS, Reading, read_numeric, read_wordy
from linkwise.normalize.errors import NormalizationError
from linkwise.normalize.partial_date import PartialDate, date_problem

__all__ = ["PartialDate", "date_from_parts", "parse_date", "parse_dob"]

EARLIEST_BIRTH_YEAR = 1890
"""Dates of birth before this are refused. The oldest people whose ages are verified were
born in the 1870s, and nobody born before 1890 is alive or likely in a current record; an
earlier year is almost always a typing error (1087 for 1987) or a placeholder (1800)."""

_PLACEHOLDER_DOBS = frozenset({PartialDate(1900, 1, 1)})
_YEAR_DIRECTIVES = ("%Y", "%y", "%G")
_MONTH_DIRECTIVES = ("%m", "%b", "%B", "%j", "%U", "%W", "%V")
_DAY_DIRECTIVES = ("%d", "%j", "%e")


_last_today: tuple[int, dt.date] = (-1, dt.date.min)


def _today() -> dt.date:
    """``date.today()``, recomputed at most once a second.

    ``date.today()`` is ``date.fromtimestamp(time.time())``, and ``fromtimestamp`` reads
    only the whole seconds of the timestamp, so the answer cannot change within one whole
    second: in any time zone, across midnight and DST changes alike. Reading the clock is a
    tenth of the cost of ``date.today()``, which otherwise dominates a cached parse. The
    second and its date are kept in one tuple so that threads never see them mismatched.
    """
    global _last_today
    second = math.floor(time.time())
    last = _last_today
    if last[0] == second:
        return last[1]
    today = dt.date.fromtimestamp(second)
    _last_today = (second, today)
    return today


_NOT_PLACEHOLDER = re.compile(r"[1-9A-Za-z]")


def _placeholder(text: str) -> bool:
    if "0" not in text:
        return False
    if text.isascii():  # ASCII digits are [0-9] and ASCII letters [A-Za-z]
        return _NOT_PLACEHOLDER.search(text) is None
    digits = [c for c in text if c.isdigit()]
    return bool(digits) and set(digits) == {"0"} and not any(c.isalpha() for c in text)


def _why(text: str, fmt: str) -> str:
    """The calendar problem behind a format mismatch, when the layout reveals one."""
    day_at, month_at = fmt.find("%d"), fmt.find("%m")
    reading = read_numeric(text, dayfirst=0 <= day_at < month_at)
    problem = reading and date_problem(reading.year, reading.month, reading.day)
    return f": {problem}" if problem else ""


def _read_with_format(text: str, fmt: str) -> Reading | str:
    if not any(d in fmt for d in _YEAR_DIRECTIVES):
        raise ValueError(f"date format {fmt!r} has no year (%Y or %y)")
    try:
        parsed = dt.datetime.strptime(text, fmt)
    except ValueError:
        return f"{text!r} does not match the expected date format {fmt!r}{_why(text, fmt)}"
    two_digit = "%y" in fmt
    has_month = any(d in fmt for d in _MONTH_DIRECTIVES)
    has_day = any(d in fmt for d in _DAY_DIRECTIVES)
    return Reading(
        parsed.year % 100 if two_digit else parsed.year,
        parsed.month if has_month else None,
        parsed.day if has_day else None,
        two_digit,
        f"format {fmt}",
    )


def _read(text: str, fmt: str | None, dayfirst: bool) -> Reading | str:
    if not text:
        return "the value is empty, not a date"
    if _placeholder(text):
        return f"{text!r} is a placeholder (all zeros), not a date"
    if fmt is not None:
        return _read_with_format(text, fmt)
    reading = read_numeric(text, dayfirst) or read_wordy(text)
    if reading is None:
        return (
            f"{text!r} is not a date in a recognised layout "
            "(such as 1987-05-04, 05/04/1987, 04.05.1987 or 4 May 1987)"
        )
    return reading


def _in_future(date: PartialDate, today: dt.date) -> bool:
    """After ``today`` at the date's own precision: "2025" is not in the future in 2025."""
    if date.month is None:
        return date.year > today.year
    if date.day is None:
        return (date.year, date.month) > (today.year, today.month)
    return (date.year, date.month, date.day) > (today.year, today.month, today.day)


def _resolve(reading: Reading, text: str, today: dt.date, dob: bool) -> PartialDate | str:
    year = reading.year
    if reading.two_digit_year:
        century = today.year - today.year % 100
        year = century + reading.year
        if dob:
            if year > today.year:
                year -= 100
            if not date_problem(year, reading.month, reading.day) and _in_future(
                PartialDate(year, reading.month, reading.day), today
            ):
                year -= 100
        elif year > today.year + 49:
            year -= 100
        elif year < today.year - 50:
            year += 100
    problem = date_problem(year, reading.month, reading.day)
    if problem:
        hint = ""
        swapped = reading.layout == "month/day/year" and (reading.month or 0) > 12
        if swapped and (reading.day or 0) <= 12:
            hint = " (read as month/day/year; if the source writes the day first, use dayfirst)"
        return f"{problem} in {text!r}{hint}"
    return PartialDate(year, reading.month, reading.day)


@memoize(maxsize=2**16)
def _parse(
    raw: str, fmt: str | None, dayfirst: bool, today: dt.date, dob: bool
) -> PartialDate | str:
    text = " ".join(raw.split())
    reading = _read(text, fmt, dayfirst)
    if isinstance(reading, str):
        return reading
    result = _resolve(reading, text, today, dob)
    if isinstance(result, str) or not dob:
        return result
    if result in _PLACEHOLDER_DOBS:
        return f"{text!r} is 1900-01-01, a common placeholder for an unknown date of birth"
    if result.year < EARLIEST_BIRTH_YEAR:
        return (
            f"year {result.year} in {text!r} is before {EARLIEST_BIRTH_YEAR}, "
            "too early for a date of birth"
        )
    if _in_future(result, today):
        return (
            f"{text!r} ({result.iso()}) is after today ({today.isoformat()}), "
            "so it cannot be a date of birth"
        )
    return result


def parse_date(
    raw: str,
    fmt: str | None = None,
    *,
    dayfirst: bool = False,
    today: dt.date | None = None,
) -> PartialDate:
    """Read a date at whatever precision ``raw`` gives; see the module docstring for layouts.

    ``fmt`` is a ``strptime`` format; when given, only that format is accepted, and the
    precision follows its directives ("%Y-%m" gives a year and month). Raises
    ``NormalizationError`` with a sentence naming the problem: an impossible date ("month 13
    is not a valid month in '13/45/1987'"), a placeholder ("0000-00-00"), or an
    unrecognised layout.
    """
    result = _parse(raw, fmt, dayfirst, today or _today(), False)
    if isinstance(result, str):
        raise NormalizationError(result)
    return result


def parse_dob(
    raw: str,
    fmt: str | None = None,
    *,
    dayfirst: bool = False,
    today: dt.date | None = None,
) -> PartialDate:
    """``parse_date`` plus the checks a date of birth must pass.

    Refused: dates after ``today``, years before ``EARLIEST_BIRTH_YEAR`` (1890), and
    1900-01-01, which systems write when the birth date is unknown. Two-digit years go to
    the past (module docstring).
    """
    result = _parse(raw, fmt, dayfirst, today or _today(), True)
    if isinstance(result, str):
        raise NormalizationError(result)
    return result


def _part(value: str | int | None, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise NormalizationError(f"birth {what} {value!r} is not a number")
    if isinstance(value, int):
        return value
    text = value.strip()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    whole, dot, fraction = text.partition(".")
    if whole.isdigit() and dot and set(fraction) <= {"0"}:
        return int(whole)
    if what == "month" and text.lower() in MONTHS:
        return MONTHS[text.lower()]
    raise NormalizationError(f"birth {what} {value!r} is not a number")


@memoize(maxsize=2**14)
def _from_parts(
    year: str | int | None, month: str | int | None, day: str | int | None
) -> PartialDate | str | None:
    try:
        y, m, d = _part(year, "year"), _part(month, "month"), _part(day, "day")
    except NormalizationError as exc:
        return str(exc)
    if y is None:
        if m is None and d is None:
            return None
        return f"a birth month or day without a year (month {month!r}, day {day!r}) is not a date"
    if d is not None and m is None:
        return f"a birth day without a month (year {year!r}, day {day!r}) is not a date"
    if y < 1000:
        return f"birth year {year!r} is not a four-digit year"
    problem = date_problem(y, m, d)
    if problem:
        return f"{problem} (birth year {year!r}, month {month!r}, day {day!r})"
    return PartialDate(y, m, d)


def date_from_parts(
    year: str | int | None, month: str | int | None, day: str | int | None
) -> PartialDate | None:
    """The date from separate year/month/day columns; ``None`` when all three are missing.

    Blank strings count as missing, "1987.0" (a number column read as float text) as 1987,
    and a month may be an English name. A day without a month, a month without a year, a
    year that is not four digits or an impossible date raise ``NormalizationError``. There
    are no date-of-birth plausibility checks here; compare with ``EARLIEST_BIRTH_YEAR`` and
    today in the caller if the parts are a birth date.
    """
    result = _from_parts(year, month, day)
    if isinstance(result, str):
        raise NormalizationError(result)
    return result
