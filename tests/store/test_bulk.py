"""Column-wise bulk inserts write what row-wise ones write, with each column's own
conversion (JSON, booleans, timestamps) and constants in every row."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    select,
)

from linkwise.model.records import JsonText
from linkwise.store.bulk import bulk_insert, bulk_insert_columns
from linkwise.store.engine import make_engine

META = MetaData()
ITEMS = Table(
    "items",
    META,
    Column("id", Integer, primary_key=True),
    Column("run", Integer, nullable=False),
    Column("name", String, nullable=True),
    Column("score", Float, nullable=False),
    Column("flag", Boolean, nullable=False),
    Column("at", DateTime, nullable=False),
    Column("doc", JSON, nullable=False),
)
WHEN = dt.datetime(2026, 12, 6, 17, 30, 5)


def _rows(db_url: str, write: object) -> list[tuple[object, ...]]:
    engine = make_engine(db_url)
    try:
        META.create_all(engine)
        with engine.begin() as conn:
            write(conn)  # type: ignore[operator]
        with engine.connect() as conn:
            return [
                (r.run, r.name, r.score, r.flag, r.at, r.doc)
                for r in conn.execute(select(ITEMS).order_by(ITEMS.c.id))
            ]
    finally:
        META.drop_all(engine)
        engine.dispose()


def test_columns_and_constants_are_stored_as_dict_rows_are(db_url: str) -> None:
    names = ["a", None, "c"]
    scores = [0.5, 1.0, 2.25]
    docs = [{"x": [1, 2.5]}, JsonText('{"y": null}'), {"z": "é"}]

    def by_columns(conn: object) -> None:
        n = bulk_insert_columns(
            conn,  # type: ignore[arg-type]
            ITEMS,
            {"name": names, "score": scores, "doc": docs},
            {"run": 7, "flag": True, "at": WHEN},
        )
        assert n == 3

    def by_rows(conn: object) -> None:
        bulk_insert(
            conn,  # type: ignore[arg-type]
            ITEMS,
            [
                {"run": 7, "name": a, "score": s, "flag": True, "at": WHEN, "doc": d}
                for a, s, d in zip(names, scores, docs, strict=True)
            ],
        )

    got = _rows(db_url, by_columns)
    assert got == _rows(db_url, by_rows)
    assert got == [
        (7, "a", 0.5, True, WHEN, {"x": [1, 2.5]}),
        (7, None, 1.0, True, WHEN, {"y": None}),
        (7, "c", 2.25, True, WHEN, {"z": "é"}),
    ]
    assert json.dumps(got[0][5]) == '{"x": [1, 2.5]}'


def test_bad_columns_are_refused_before_anything_is_written(db_url: str) -> None:
    def unequal(conn: object) -> None:
        with pytest.raises(ValueError, match=r"unequal length for table 'items': \[1, 2\]"):
            bulk_insert_columns(
                conn,  # type: ignore[arg-type]
                ITEMS,
                {"score": [1.0, 2.0], "name": ["one"]},
                {"run": 1, "flag": False, "at": WHEN, "doc": {}},
            )
        with pytest.raises(ValueError, match="table 'items' has no column 'colour'"):
            bulk_insert_columns(
                conn,  # type: ignore[arg-type]
                ITEMS,
                {"score": [1.0], "colour": ["red"]},
                {"run": 1, "flag": False, "at": WHEN, "doc": {}},
            )
        with pytest.raises(ValueError, match="column 'run' of table 'items' given twice"):
            bulk_insert_columns(
                conn,  # type: ignore[arg-type]
                ITEMS,
                {"score": [1.0], "run": [2]},
                {"run": 1, "flag": False, "at": WHEN, "doc": {}},
            )
        assert bulk_insert_columns(conn, ITEMS, {"score": []}, {"run": 1}) == 0  # type: ignore[arg-type]
        # the refusals wrote nothing, and the connection is still usable
        bulk_insert_columns(
            conn,  # type: ignore[arg-type]
            ITEMS,
            {"score": [3.5]},
            {"run": 9, "flag": False, "at": WHEN, "doc": []},
        )

    assert _rows(db_url, unequal) == [(9, None, 3.5, False, WHEN, [])]


def test_a_column_left_out_takes_its_scalar_default(db_url: str) -> None:
    defaulted = Table(
        "defaulted",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("n", Integer, nullable=False),
        Column("kind", String, nullable=False, default="plain"),
    )
    engine = make_engine(db_url)
    try:
        defaulted.create(engine)
        with engine.begin() as conn:
            assert bulk_insert_columns(conn, defaulted, {"n": [1, 2]}) == 2
        with engine.connect() as conn:
            got = [tuple(r) for r in conn.execute(select(defaulted.c.n, defaulted.c.kind))]
        assert sorted(got) == [(1, "plain"), (2, "plain")]
    finally:
        defaulted.drop(engine)
        engine.dispose()
