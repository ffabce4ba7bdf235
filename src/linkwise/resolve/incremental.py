"""Scoring only what is new against what is already resolved, with the saved model.

A full run trains a model and scores every blocked pair. After a small ingestion that is
wasted work: the model has not changed and the old pairs' scores have not either. Here the
saved model scores the new records against the existing ones (Splink's ``predict_between``)
and against each other (``predict_within``), with the term frequencies of the whole
current table, so the time follows the number of new records (each blocking rule is one
hash join of the new records against the existing ones).

DuckDB only: the incremental path reads the model JSON the DuckDB engine saved.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Collection, Mapping
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from splink import Linker

from linkwise.resolve.engines import duckdb_api
from linkwise.resolve.prepare import SCHEMA

log = logging.getLogger(__name__)


def score_new(
    table: pa.Table,
    new_ids: Collection[int],
    model: Mapping[str, Any],
    *,
    floor: float,
    threads: int = 2,
) -> pa.Table:
    """Pairs (new × existing and new × new) with probability ≥ ``floor``, in the columns a
    full run stores: ids, match weight and probability, match key, and per comparison its
    level (``gamma_*``), weight (``mw_*``) and term-frequency adjustment (``mw_tf_adj_*``).
    """
    if table.schema != SCHEMA:
        table = table.cast(SCHEMA)
    db = duckdb_api(threads)
    con = db.duckdb_con
    try:
        everyone = db.register(table, table_name="lw_all")
        linker = Linker(everyone, dict(model), log_level=logging.ERROR)
        for column in _tf_columns(model):
            linker.table_management.compute_tf_table(column)
        is_new = pc.is_in(
            table.column("unique_id"), value_set=pa.array(sorted(new_ids), pa.int64())
        )
        new = db.register(table.filter(is_new), table_name="lw_new")
        old = db.register(table.filter(pc.invert(is_new)), table_name="lw_old")
        weight = math.log2(floor / (1 - floor))
        parts = []
        if len(table) > len(new_ids):
            parts.append(
                linker.inference.predict_between(
                    new, old, threshold_match_weight=weight, warning_mode="never"
                )
            )
        if len(new_ids) > 1:
            parts.append(
                linker.inference.predict_within(
                    new, threshold_match_weight=weight, warning_mode="never"
                )
            )
        names = [c["output_column_name"] for c in model["comparisons"]]
        tables = [_select(con, p.physical_name, names) for p in parts]
    finally:
        con.close()
    tables = [t for t in tables if t.num_rows]
    if not tables:
        return _select_empty(names)
    return pa.concat_tables(tables, promote_options="permissive")


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
    result: pa.Table = con.sql(f"SELECT {select} FROM {table}").to_arrow_table()
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
