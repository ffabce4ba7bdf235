"""Recognising the date layouts sources actually use, without a format string.

Hand-written patterns rather than dateutil: dateutil reads "1987-05-04" as 5 April when
``dayfirst`` is set and fills a bare "1948" with today's month and day, both of which corrupt
dates of birth silently. Each pattern here says which part is which, and a year-first
layout is always year-month-day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MONTHS: dict[str, int] = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4,
    "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11,
    "november": 11, "dec": 12, "december": 12,
}  # fmt: skip
_WEEKDAYS = frozenset(
    {
        "mon", "monday", "tue", "tues", "tuesday", "wed", "wednesday", "thu", "thur",
        "thurs", "thursday", "fri", "friday", "sat", "saturday", "sun", "sunday",
    }
)  # fmt: skip
_ORDINALS = frozenset({"st", "nd", "rd", "th"})

_TIME = r"(?:[T ]\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AaPp][Mm]|Z|[+-]\d{2}:?\d{2})?)?"
_YMD = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})" + _TIME)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_YM = re.compile(r"(\d{4})[-/.](\d{1,2})")
_YEAR = re.compile(r"\d{4}")
_NUMERIC = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})" + _TIME)
_MY = re.compile(r"(\d{1,2})[-/.](\d{4})")
_WORDY_CHARS = re.compile(r"[a-z0-9\s,./-]+")
_WORD = re.compile(r"[a-z]+|\d+")


@dataclass(frozen=True, slots=True)
class Reading:
    """Parts read from the text, before two-digit years are placed in a century."""

    year: int
    month: int | None
    day: int | None
    two_digit_year: bool = False
    layout: str = ""
    """How the parts were assigned ("month/day/year"), quoted in error messages."""


def read_numeric(text: str, dayfirst: bool) -> Reading | None:
    """The all-digit layouts; None when ``text`` is not one of them."""
    if m := _YMD.fullmatch(text):
        return Reading(int(m[1]), int(m[3]), int(m[4]), layout="year-month-day")
    if m := _COMPACT.fullmatch(text):
        return Reading(int(m[1]), int(m[2]), int(m[3]), layout="year-month-day")
    if _YEAR.fullmatch(text):
        return Reading(int(text), None, None, layout="year")
    if m := _YM.fullmatch(text):
        return Reading(int(m[1]), int(m[2]), None, layout="year-month")
    if m := _NUMERIC.fullmatch(text):
        first, sep, second, year = int(m[1]), m[2], int(m[3]), m[4]
        if dayfirst or sep == ".":
            return Reading(int(year), second, first, len(year) == 2, "day/month/year")
        return Reading(int(year), first, second, len(year) == 2, "month/day/year")
    if m := _MY.fullmatch(text):
        return Reading(int(m[2]), int(m[1]), None, layout="month/year")
    return None


def read_wordy(text: str) -> Reading | str | None:
    """Layouts with an English month name; a sentence when it is one but unusable."""
    lowered = text.lower()
    if not _WORDY_CHARS.fullmatch(lowered):
        return None
    month: int | None = None
    numbers: list[str] = []
    previous = ""
    for word in _WORD.findall(lowered):
        if word.isdigit():
            numbers.append(word)
        elif word in MONTHS and month is None:
            month = MONTHS[word]
        elif not (word in _WEEKDAYS or word == "of" or (word in _ORDINALS and previous.isdigit())):
            return None
        previous = word
    if month is None or not numbers or len(numbers) > 2:
        return None
    if len(numbers) == 1:
        only = numbers[0]
        if len(only) <= 2 and int(only) <= 31:
            return f"{text!r} has a month and day but no year"
        return Reading(int(only), month, None, len(only) == 2, "month year")
    long = [n for n in numbers if len(n) > 2]
    if len(long) == 2 or any(len(n) == 3 for n in numbers):
        return None
    if long:
        year = long[0]
        day = numbers[0] if numbers[1] == year else numbers[1]
    else:
        day, year = numbers
    return Reading(int(year), month, int(day), len(year) == 2, "day month year")
