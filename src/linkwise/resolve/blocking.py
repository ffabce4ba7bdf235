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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import duckdb
import pyarrow as pa
from splink import block_on
from splink.blocking_rule_library import CustomRule
from splink.internals.blocking_rule_creator import BlockingRuleCreator

from linkwise.resolve.prepare import PERSON_IDENTIFIERS


@dataclass(frozen=True, slots=True)
class Candidate:
    name: str
    columns: tuple[str, ...]
    rule: BlockingRuleCreator
    explode: tuple[str, ...] = ()

    def condition(self) -> str:
        """The rule as a SQL condition over a pair's ``l`` and ``r`` rows (DuckDB).

        An exploded array column blocks two records when their arrays share an element,
        which is what Splink's explode-then-join does."""
        sql = str(self.rule.get_blocking_rule("duckdb").blocking_rule_sql)
        if not self.explode:
            return sql
        if isinstance(self.rule, CustomRule):
            for col in self.explode:
                sql = sql.replace(
                    f"l.{col} = r.{col}", f"len(list_intersect(l.{col}, r.{col})) > 0"
                )
            return sql
        parts = []
        for col in self.columns:
            if col in self.explode:
                parts.append(f"len(list_intersect(l.{col}, r.{col})) > 0")
            else:
                parts.append(f"l.{col} = r.{col}")
        return " AND ".join(parts)


def _rule(
    name: str, *columns: str, sql: str | None = None, explode: tuple[str, ...] = ()
) -> Candidate:
    needed = tuple(c.split("(")[-1].split(",")[0] if "(" in c else c for c in columns)
    if sql:
        rule: BlockingRuleCreator = CustomRule(
            sql, sql_dialect="duckdb", arrays_to_explode=list(explode) or None
        )
    else:
        rule = block_on(*columns, arrays_to_explode=list(explode) or None)
    return Candidate(name, needed, rule, explode)


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
    # the rule above is a near-cartesian product on common names in big data; this part of
    # it is what the date-of-birth rules cannot cover (measured on 1M demo records: 99.8%
    # of the true pairs only the rule above found had a date of birth missing)
    _rule(
        "same surname, given names nickname-related, a date of birth missing",
        "family",
        "given_nicks",
        sql="l.family = r.family AND l.given_nicks = r.given_nicks "
        "AND (l.dob_y IS NULL OR r.dob_y IS NULL)",
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
    # a swap with both names respelled, and then a different birth year too, is rare; the
    # year cuts the rule's pairs by about four fifths (a development count on the demo
    # world's 100,000 people: none of the 134 true pairs with swapped sound keys that the
    # model had kept apart had two birth years)
    _rule(
        "given and family name sound swapped, birth years not apart",
        "given_key",
        "family_key",
        sql="l.given_key = r.family_key AND l.family_key = r.given_key "
        "AND (l.dob_y = r.dob_y OR l.dob_y IS NULL OR r.dob_y IS NULL)",
    ),
)


def candidate_rules(present: Mapping[str, int], n_records: int) -> list[Candidate]:
    """Candidates whose columns are each filled in at least 1% of records."""
    floor = max(2, n_records // 100)
    return [c for c in CANDIDATES if all(present.get(col, 0) >= floor for col in c.columns)]


def by_name(names: Sequence[str]) -> list[Candidate]:
    """The candidate rules called ``names`` (as a run's stats record them); unknown names
    (a rule of an older version) are skipped."""
    known = {c.name: c for c in CANDIDATES}
    return [known[n] for n in names if n in known]


@dataclass(frozen=True, slots=True)
class BlockingRecall:
    """How many of some known matching pairs the blocking rules would put up for scoring.

    A pair no rule generates is never scored, so ``recall`` caps the model's pairwise
    recall. ``per_rule`` is how many of the pairs each rule generates on its own."""

    pairs: int
    covered: int
    per_rule: dict[str, int]

    @property
    def recall(self) -> float | None:
        return self.covered / self.pairs if self.pairs else None


def conditions(rules: Sequence[Candidate]) -> dict[str, str]:
    return {r.name: r.condition() for r in rules}


def blocking_recall(
    table: pa.Table, rules: Mapping[str, str], pairs: Sequence[tuple[int, int]]
) -> BlockingRecall:
    """Share of ``pairs`` (record ids of the prepared ``table``'s ``unique_id``) that at
    least one of ``rules`` (name -> SQL condition over ``l`` and ``r``, see
    ``Candidate.condition``) generates. The rules are evaluated on each pair directly, so
    nothing is blocked and the cost follows the number of pairs, not the data's size.
    Pairs naming a record the table does not hold are not counted."""
    names = list(rules)
    if not pairs:
        return BlockingRecall(0, 0, dict.fromkeys(names, 0))
    left, right = zip(*pairs, strict=True)
    wanted = pa.table({"a": pa.array(left, pa.int64()), "b": pa.array(right, pa.int64())})
    flags = [f"coalesce({rules[n]}, false) AS r{i}" for i, n in enumerate(names)]
    per_rule = "".join(f", count(*) FILTER (WHERE r{i})" for i in range(len(names)))
    any_rule = " OR ".join(f"r{i}" for i in range(len(names))) or "false"
    con = duckdb.connect()
    try:
        con.register("lw_records", table)
        con.register("lw_pairs", wanted)
        row = con.execute(
            f"""
            WITH hits AS (
                SELECT {", ".join(flags) or "true AS unused"}
                FROM lw_pairs p
                JOIN lw_records l ON l.unique_id = p.a
                JOIN lw_records r ON r.unique_id = p.b
            )
            SELECT count(*), count(*) FILTER (WHERE {any_rule}){per_rule}
            FROM hits
            """
        ).fetchone()
    finally:
        con.close()
    assert row is not None
    return BlockingRecall(
        int(row[0]), int(row[1]), {n: int(row[2 + i]) for i, n in enumerate(names)}
    )
