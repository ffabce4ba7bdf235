"""Scoring only what is new against what is already resolved, with the saved model.

A full run trains a model and scores every blocked pair. After a small ingestion that is
wasted work: the model has not changed and the old pairs' scores have not either. Here the
saved model scores the new records against the existing ones (Splink's ``predict_between``)
and against each other (``predict_within``), with the term frequencies of the whole
current table, so the time follows the number of new records.

The existing records' prepared rows stay in Parquet files that DuckDB reads in place,
never as one Arrow table in Python: of every record only the columns the blocking rules
and term frequencies read are held, and whole rows only of the records some blocking rule
pairs with a new one (the candidates). Scoring the new records against the candidates
gives exactly the pairs and scores that scoring them against everyone would, because a
blocking rule pairs two records on their own values alone; the term frequencies are still
counted over everyone (in Splink's own expression), but only for the values the new
records and the candidates hold. Counting them costs DuckDB a fraction of a second at a
million records, so they are not kept between runs.

DuckDB only: the incremental path reads the model JSON the DuckDB engine saved.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import sqlglot
from splink import Linker
from sqlglot import expressions

from linkwise.resolve.engines import duckdb_api
from linkwise.resolve.name_order import splink_settings
from linkwise.resolve.prepare import conform

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Resolved:
    """The prepared rows of the records resolved before: Parquet ``files`` (all with the
    prepared table's columns), less the rows of the record ids in ``dropped`` (versions
    since replaced, and records being resolved again)."""

    files: Sequence[Path]
    dropped: Collection[int] = ()


def score_new(
    new: pa.Table,
    resolved: Resolved,
    model: Mapping[str, Any],
    *,
    floor: float,
    threads: int = 2,
    timings: dict[str, float] | None = None,
) -> pa.Table:
    """Pairs (new × existing and new × new) with probability ≥ ``floor``, in the columns a
    full run stores: ids, match weight and probability, match key, and per comparison its
    level (``gamma_*``), weight (``mw_*``) and term-frequency adjustment (``mw_tf_adj_*``).

    ``new`` is the new records' prepared table; a record among them is never taken from
    ``resolved`` too. ``timings`` receives the seconds spent finding the candidates and
    their term frequencies (``candidates``) and scoring (``predict``).
    """
    started = time.perf_counter()
    new = conform(new)
    names = [c["output_column_name"] for c in model["comparisons"]]
    db = duckdb_api(threads)
    con = db.duckdb_con
    try:
        new_df = db.register(new, table_name="lw_new")
        _open_resolved(con, resolved, new.column("unique_id").combine_chunks())
        rules = model["blocking_rules_to_generate_predictions"]
        tf_columns = _tf_columns(model)
        _keep_columns(con, sorted({*_rule_columns(rules), *tf_columns}))
        _find_candidates(con, rules)
        linker = Linker(
            new_df, splink_settings(model), log_level=logging.ERROR, validate_settings=False
        )
        for column in tf_columns:
            con.sql(_term_frequency_sql(column))
            table = db.register(f"lw_tf_{column}", table_name=f"lw_tf_{column}")
            linker.table_management.register_term_frequency_lookup(table, column)
        found = time.perf_counter()
        weight = math.log2(floor / (1 - floor))
        parts = []
        if _count(con, "lw_candidates"):
            old = db.register("lw_candidates", table_name="lw_old")
            parts.append(
                linker.inference.predict_between(
                    new_df, old, threshold_match_weight=weight, warning_mode="never"
                )
            )
        if len(new) > 1:
            parts.append(
                linker.inference.predict_within(
                    new_df, threshold_match_weight=weight, warning_mode="never"
                )
            )
        tables = [_select(con, p.physical_name, names) for p in parts]
    finally:
        con.close()
    if timings is not None:
        timings["candidates"] = found - started
        timings["predict"] = time.perf_counter() - found
    tables = [t for t in tables if t.num_rows]
    if not tables:
        return _select_empty(names)
    return pa.concat_tables(tables, promote_options="permissive")


def resolved_rows(
    resolved: Resolved, ids: Iterable[int] | None = None, threads: int = 2
) -> pa.Table:
    """The prepared rows of ``ids`` among ``resolved`` (ids it does not hold are left out),
    or of all of them."""
    con = duckdb.connect()
    try:
        con.sql(f"SET threads TO {int(threads)}")
        _open_resolved(con, resolved, pa.array([], pa.int64()))
        query = "SELECT * FROM lw_resolved"
        if ids is not None:
            wanted = pa.table({"unique_id": pa.array(sorted(set(ids)), pa.int64())})
            con.register("lw_wanted", wanted)
            query = (
                "SELECT e.* FROM lw_resolved e SEMI JOIN lw_wanted w ON e.unique_id = w.unique_id"
            )
        # in id order, as a full run prepares them: what is built from the rows (evidence
        # per record) must not depend on the order DuckDB's threads happened to read in
        found: pa.Table = con.sql(query + " ORDER BY unique_id").to_arrow_table()
    finally:
        con.close()
    return conform(found)


NAME_COLUMNS = ("unique_id", "given", "family", "dob", "dob_y", "dob_m")
"""What ``namesakes.find_namesakes`` counts."""


def name_rows(resolved: Resolved, new: pa.Table, threads: int = 2) -> pa.Table:
    """Of every current record (``resolved`` and ``new``, a record in both taken from
    ``new``): its id, names and date of birth, the columns of ``NAME_COLUMNS``."""
    new = conform(new).select(list(NAME_COLUMNS))
    con = duckdb.connect()
    try:
        con.sql(f"SET threads TO {int(threads)}")
        _open_resolved(con, resolved, new.column("unique_id").combine_chunks())
        cols = ", ".join(_ident(c) for c in NAME_COLUMNS)
        old: pa.Table = con.sql(f"SELECT {cols} FROM lw_resolved").to_arrow_table()
    finally:
        con.close()
    return pa.concat_tables([old.cast(new.schema), new])


def _open_resolved(con: duckdb.DuckDBPyConnection, resolved: Resolved, new_ids: pa.Array) -> None:
    """View ``lw_resolved``: the rows of ``resolved`` less the dropped and the new ids."""
    dropped = pa.concat_arrays(
        [pa.array(sorted(set(resolved.dropped)), pa.int64()), new_ids.cast(pa.int64())]
    )
    con.register("lw_dropped", pa.table({"unique_id": dropped}))
    files = ", ".join(_literal(str(f)) for f in resolved.files)
    con.sql(
        f"""
        CREATE VIEW lw_resolved AS
        SELECT e.* FROM read_parquet([{files}], union_by_name = true) e
        ANTI JOIN lw_dropped d ON e.unique_id = d.unique_id
        """
    )


def _keep_columns(con: duckdb.DuckDBPyConnection, columns: Sequence[str]) -> None:
    """Table ``lw_keys``: of every resolved record, its id and ``columns`` (what blocking
    and term frequencies read), in one pass over the files."""
    cols = "".join(f", {_ident(c)}" for c in columns if c != "unique_id")
    con.sql(f"CREATE TEMP TABLE lw_keys AS SELECT unique_id{cols} FROM lw_resolved")


def _find_candidates(con: duckdb.DuckDBPyConnection, rules: Sequence[Mapping[str, Any]]) -> None:
    """Table ``lw_candidates``: the whole rows of the resolved records that some blocking
    rule pairs with a new record (new on the left, as ``predict_between`` pairs them)."""
    joins = []
    for rule in rules:
        explode = list(rule.get("arrays_to_explode") or [])
        left = _exploded("lw_new", explode)
        right = _exploded("lw_keys", explode)
        joins.append(
            f"SELECT r.unique_id FROM {left} AS l JOIN {right} AS r ON {rule['blocking_rule']}"
        )
    found = "\nUNION\n".join(joins) or "SELECT unique_id FROM lw_keys WHERE false"
    con.sql(f"CREATE TEMP TABLE lw_candidate_ids AS {found}")
    con.sql(
        """
        CREATE TEMP TABLE lw_candidates AS
        SELECT e.* FROM lw_resolved e
        SEMI JOIN lw_candidate_ids c ON e.unique_id = c.unique_id
        """
    )


def _exploded(table: str, columns: Sequence[str]) -> str:
    """``table`` with one row per element of each array column in ``columns`` (all
    combinations), as Splink explodes them for a rule with ``arrays_to_explode``."""
    sql = table
    for column in columns:
        c = _ident(column)
        sql = f"(SELECT * REPLACE (unnest({c}) AS {c}) FROM {sql})"
    return sql


def _term_frequency_sql(column: str) -> str:
    """Table ``lw_tf_<column>``: the term frequency of each value of ``column`` that a new
    record or a candidate holds, counted over everyone, in the expression Splink itself
    uses (so the numbers are the same to the last bit)."""
    c = _ident(column)
    return f"""
        CREATE TEMP TABLE lw_tf_{column} AS
        WITH everyone AS (SELECT {c} FROM lw_keys UNION ALL SELECT {c} FROM lw_new),
        needed AS (SELECT {c} FROM lw_new UNION SELECT {c} FROM lw_candidates)
        SELECT {c}, cast(count(*) AS float8) / (
            SELECT count({c}) AS total FROM everyone
        ) AS {_ident("tf_" + column)}
        FROM everyone
        WHERE {c} IS NOT NULL AND {c} IN (SELECT {c} FROM needed)
        GROUP BY {c}
    """


def _rule_columns(rules: Sequence[Mapping[str, Any]]) -> set[str]:
    """Columns the blocking rules read (of either side)."""
    found: set[str] = set()
    for rule in rules:
        tree = sqlglot.parse_one(str(rule["blocking_rule"]), read="duckdb")
        found.update(col.name for col in tree.find_all(expressions.Column))
    return found


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return int(con.sql(f"SELECT count(*) FROM {table}").fetchall()[0][0])


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _tf_columns(model: Mapping[str, Any]) -> list[str]:
    found: list[str] = []
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            column = level.get("tf_adjustment_column")
            if column and column not in found:
                found.append(column)
    return found


def _columns(available: Collection[str], names: list[str]) -> list[str]:
    cols = ["unique_id_l", "unique_id_r", "match_weight", "match_probability", "match_key"]
    for name in names:
        cols += [f"gamma_{name}", f"mw_{name}", f"mw_tf_adj_{name}"]
    return [c for c in cols if c in available]


def _select(con: duckdb.DuckDBPyConnection, table: str, names: list[str]) -> pa.Table:
    available = con.sql(f"SELECT * FROM {table} LIMIT 0").columns
    select = ", ".join(_columns(available, names))
    # in a fixed order, so that a run's links (and what is built from them) do not depend
    # on the order DuckDB's threads finished in
    result: pa.Table = con.sql(
        f"SELECT {select} FROM {table} ORDER BY unique_id_l, unique_id_r"
    ).to_arrow_table()
    return result


def _select_empty(names: list[str]) -> pa.Table:
    fields = [
        ("unique_id_l", pa.int64()),
        ("unique_id_r", pa.int64()),
        ("match_weight", pa.float64()),
        ("match_probability", pa.float64()),
        ("match_key", pa.string()),
    ]
    for name in names:
        fields += [
            (f"gamma_{name}", pa.int32()),
            (f"mw_{name}", pa.float64()),
            (f"mw_tf_adj_{name}", pa.float64()),
        ]
    return pa.schema(fields).empty_table()
