"""Priority rules of a policy pack (DESIGN.md §5): explicit, explainable ranking of case work.

A rule names conditions over the typed facts of one record (``offense_class`` equals
``felony``, ``disposition_date`` within 1,825 days of now, ``release_date`` in the future),
a score and the reason a person reads. A case scores a rule when one record of its subjects
meets every condition. The rule is data, checked when the pack loads: it may not name a
prohibited attribute, every test must suit the fact type it declares, and the purposes it
is limited to must exist. Which values a rule may look at in a case is decided elsewhere
(``linkwise.cases.priority``), through the governed session: the rule never sees a value the
case's purpose may not.

This module is pure: the shapes, their consistency, and whether a value meets a condition.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

FACT_TYPES: tuple[str, ...] = ("string", "enum", "date", "integer", "number", "boolean")
"""The fact types of a source manifest (``linkwise.model.manifest.FactSpec.type``)."""
_NUMERIC = ("integer", "number")
RuleName = Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]
Scalar = str | int | float | bool


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class PriorityCondition(_Strict):
    """One test on one fact of a record. Every test given must hold."""

    fact: str
    """The fact's name, as source manifests declare it under ``facts``."""
    type: str = "string"
    """The fact's type (a manifest fact type: string, enum, date, integer, number, boolean);
    it decides which tests make sense."""
    equals: Scalar | None = None
    in_: list[Scalar] | None = Field(default=None, alias="in")
    within_days: int | None = Field(default=None, ge=0)
    """A date no more than this many days from now, before or after."""
    future: bool | None = None
    """A date after today (true) or on or before today (false)."""
    at_least: float | None = None
    at_most: float | None = None

    def tests(self) -> list[str]:
        """The names of the tests this condition makes (as the pack spells them)."""
        given = {
            "equals": self.equals,
            "in": self.in_,
            "within_days": self.within_days,
            "future": self.future,
            "at_least": self.at_least,
            "at_most": self.at_most,
        }
        return [name for name, value in given.items() if value is not None]

    def holds(self, value: Any, today: dt.date) -> bool:
        """Whether ``value`` (a fact as stored: text, number, boolean, ISO date) passes every
        test. A missing value, a value of the wrong kind or a partial date passes none."""
        if value is None:
            return False
        if self.type == "date":
            day = _day(value)
            return day is not None and self._date_holds(day, today)
        if self.equals is not None and not _same(value, self.equals):
            return False
        if self.in_ is not None and not any(_same(value, v) for v in self.in_):
            return False
        if self.at_least is not None or self.at_most is not None:
            number = _number(value)
            if number is None:
                return False
            if self.at_least is not None and number < self.at_least:
                return False
            if self.at_most is not None and number > self.at_most:
                return False
        return True

    def _date_holds(self, day: dt.date, today: dt.date) -> bool:
        if self.equals is not None and day.isoformat() != str(self.equals):
            return False
        if self.within_days is not None and abs((day - today).days) > self.within_days:
            return False
        return self.future is None or (day > today) == self.future


class PriorityRule(_Strict):
    """Conditions over the facts of one record, the score a case gets when a record of its
    subjects meets them all, and why (a sentence a person reads beside the score)."""

    title: str
    reason: str
    """Why the rule raises (or lowers) a case's priority, as a person reads it."""
    score: float
    when: list[PriorityCondition]
    """Every condition must hold on the facts of one and the same record."""
    sources: list[RuleName] | None = None
    """Only facts of these sources count; absent: any source declaring the facts."""
    purposes: list[RuleName] | None = None
    """Only cases of these purposes are scored by the rule; absent: every purpose."""

    def facts(self) -> list[str]:
        return list(dict.fromkeys(c.fact for c in self.when))


class PrioritySettings(_Strict):
    confirmation_threshold: float = Field(default=0.95, ge=0.0, le=1.0)
    """A record tied into its entity only by links below this match probability counts for
    a rule only after a reviewer judged the link "same"."""


ProhibitedMatch = Callable[[str], "tuple[str, Any] | None"]


def rule_problems(
    name: str,
    rule: PriorityRule,
    *,
    purposes: Mapping[str, Any],
    prohibited: ProhibitedMatch,
) -> list[str]:
    """What is wrong with a rule, each problem naming the key at fault (empty: nothing)."""
    where = f"priority_rules.{name}"
    problems: list[str] = []
    if not rule.when:
        problems.append(f"{where}.when: give at least one condition")
    if rule.score == 0:
        problems.append(f"{where}.score: a rule scoring 0 changes nothing; give a score")
    if not rule.reason.strip():
        problems.append(f"{where}.reason: say why the rule matters, for the person reading it")
    for i, condition in enumerate(rule.when):
        problems.extend(_condition_problems(f"{where}.when[{i}]", condition, prohibited))
    for i, purpose in enumerate(rule.purposes or ()):
        if purpose not in purposes:
            problems.append(f"{where}.purposes[{i}]: unknown purpose {purpose!r}")
    if rule.purposes is not None and not rule.purposes:
        problems.append(f"{where}.purposes: name at least one purpose, or leave it out")
    if rule.sources is not None and not rule.sources:
        problems.append(f"{where}.sources: name at least one source, or leave it out")
    return problems


def _condition_problems(
    where: str, cond: PriorityCondition, prohibited: ProhibitedMatch
) -> list[str]:
    problems: list[str] = []
    found = prohibited(cond.fact)
    if found is not None:
        key, attr = found
        problems.append(
            f"{where}.fact: {cond.fact!r} names the prohibited attribute {key!r} "
            f"({getattr(attr, 'authority', '')}); no rule may use it"
        )
    if cond.type not in FACT_TYPES:
        problems.append(
            f"{where}.type: unknown fact type {cond.type!r} (one of {', '.join(FACT_TYPES)})"
        )
        return problems
    tests = cond.tests()
    if not tests:
        problems.append(
            f"{where}: give a test (equals, in, within_days, future, at_least or at_most)"
        )
    if cond.equals is not None and cond.in_ is not None:
        problems.append(f"{where}: give equals or in, not both")
    if cond.in_ is not None and not cond.in_:
        problems.append(f"{where}.in: name at least one value")
    date_tests = [t for t in tests if t in ("within_days", "future")]
    if date_tests and cond.type != "date":
        problems.append(
            f"{where}: {', '.join(date_tests)} tests a date; this fact is of type {cond.type!r}"
        )
    range_tests = [t for t in tests if t in ("at_least", "at_most")]
    if range_tests and cond.type not in _NUMERIC:
        problems.append(
            f"{where}: {', '.join(range_tests)} tests a number; this fact is of type {cond.type!r}"
        )
    if cond.type == "date" and cond.in_ is not None:
        problems.append(f"{where}.in: a date is tested with equals, within_days or future")
    if cond.type == "date" and cond.equals is not None and _day(cond.equals) is None:
        problems.append(f"{where}.equals: {cond.equals!r} is not a date (YYYY-MM-DD)")
    return problems


def _day(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _same(value: Any, expected: Scalar) -> bool:
    if isinstance(value, str) and isinstance(expected, str):
        return value.casefold() == expected.casefold()
    if isinstance(value, bool) or isinstance(expected, bool):
        return value is expected
    return bool(value == expected)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)
