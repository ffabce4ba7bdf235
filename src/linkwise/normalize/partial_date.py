"""A date known to the year, the month or the day.

Sources often know only a birth year or a year and month; forcing those into a full date
(as date parsers do by filling in today's month and day) invents evidence. ``PartialDate``
keeps the precision the source had, and every instance is a real calendar date.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

from linkwise.normalize.errors import NormalizationError

_ISO = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_DAYS_IN_MONTH = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_ENGLISH_MONTHS = (
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def date_problem(year: int, month: int | None, day: int | None) -> str | None:
    """Why (year, month, day) is not a calendar date, as a sentence; None if it is one."""
    if not 1 <= year <= 9999:
        return f"year {year} is not a valid year"
    if month is None:
        return "a day needs a month" if day is not None else None
    if not 1 <= month <= 12:
        return f"month {month} is not a valid month"
    if day is None:
        return None
    last = _DAYS_IN_MONTH[month] + (month == 2 and calendar.isleap(year))  # as monthrange
    if 1 <= day <= last:
        return None
    if day == 29 and month == 2:
        return f"day 29 is not a valid day of February {year} (not a leap year)"
    return f"day {day} is not a valid day of {_ENGLISH_MONTHS[month]} {year}"


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A calendar date at year, month or day precision; ``day`` only with ``month``.

    Ordered by (year, month, day) with a missing part sorting before any present one, so
    ``PartialDate(1987) < PartialDate(1987, 1)``. (A dataclass ``order=True`` would compare
    ``None`` with ``int`` and raise, so the ordering is written out.)
    """

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        problem = date_problem(self.year, self.month, self.day)
        if problem:
            raise NormalizationError(problem)

    def _key(self) -> tuple[int, int, int]:
        return (self.year, self.month or 0, self.day or 0)

    def __lt__(self, other: PartialDate) -> bool:
        return self._key() < other._key()

    def __le__(self, other: PartialDate) -> bool:
        return self._key() <= other._key()

    def __gt__(self, other: PartialDate) -> bool:
        return self._key() > other._key()

    def __ge__(self, other: PartialDate) -> bool:
        return self._key() >= other._key()

    def iso(self) -> str:
        """ISO 8601 at the known precision: "1987", "1987-05" or "1987-05-04"."""
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    @classmethod
    def from_iso(cls, s: str) -> PartialDate:
        """Read what ``iso`` writes (and nothing looser): the store's round trip."""
        match = _ISO.fullmatch(s)
        if match is None:
            raise NormalizationError(f"{s!r} is not an ISO date like 1987, 1987-05 or 1987-05-04")
        year, month, day = match.groups()
        return cls(int(year), int(month) if month else None, int(day) if day else None)
