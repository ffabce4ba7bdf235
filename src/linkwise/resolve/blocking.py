"""Blocking: which record pairs are scored at all.

A pair that no rule generates is never compared, so blocking recall caps the model's recall.
Rules are chosen from the data: each candidate below needs its columns filled in often
enough, and a rule whose estimated pair count would swamp the run (a common surname in a
big city, a shared switchboard phone) is dropped in favour of the narrower ones. Different
rules cover different ways records of one person disagree: a typo in the name is caught by
the date-of-birth rules, a typo in the date by the name rules, a new address by the
identifier and phone rules, a swapped name order by its own rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from splink import block_on
from splink.blocking_rule_library import CustomRule
from splink.internals.blocking_rule_creator import BlockingRuleCreator

from linkwise.resolve.prepare import PERSON_IDENTIFIERS


@dataclass(frozen=True, slots=True)
class Candidate:
    name: str
    columns: tuple[str, ...]
    rule: BlockingRuleCreator


def _rule(
    name: str, *columns: str, sql: str | None = None, explode: tuple[str, ...] = ()
) -> Candidate:
    needed = tuple(c.split("(")[-1].split(",")[0] if "(" in c else c for c in columns)
    if sql:
        rule: BlockingRuleCreator = CustomRule(sql, sql_dialect="duckdb")
    else:
        rule = block_on(*columns, arrays_to_explode=list(explode) or None)
    return Candidate(name, needed, rule)


CANDIDATES: tuple[Candidate, ...] = (
    *[_rule(f"same {kind}", kind) for kind in PERSON_IDENTIFIERS],
    _rule("same date of birth and surname sound", "dob", "family_key"),
    _rule("same date of birth and given-name sound", "dob", "given_key"),
    _rule("same given and family name sound", "given_key", "family_key"),
    _rule("same phone", "phone"),
    _rule("same e-mail", "email"),
    _rule(
        "same surname, given names nickname-related",
        "family",
        "given_nicks",
        explode=("given_nicks",),
    ),
    _rule("same surname and postcode", "family", "postcode"),
    _rule("same given name and postcode", "given", "postcode"),
    _rule("same date of birth and postcode", "dob", "postcode"),
    _rule("same surname and city", "family", "city"),
    _rule("same given name and city", "given", "city"),
    _rule("same date of birth and city", "dob", "city"),
    _rule("same address and given initial", "address", "substr(given,1,1)"),
    _rule(
        "same birth year, surname start and given initial",
        "dob_y",
        "substr(family,1,3)",
        "substr(given,1,1)",
    ),
    _rule("same birth year and given name", "dob_y", "given"),
    _rule(
        "given and family name swapped",
        "given",
        "family",
        sql="l.given = r.family AND l.family = r.given",
    ),
)


def candidate_rules(present: Mapping[str, int], n_records: int) -> list[Candidate]:
    """Candidates whose columns are each filled in at least 1% of records."""
    floor = max(2, n_records // 100)
    return [c for c in CANDIDATES if all(present.get(col, 0) >= floor for col in c.columns)]
