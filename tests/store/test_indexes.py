"""A full run on SQLite writes its links with their indexes dropped; the drop belongs to the
run's transaction, so a failed run gets its indexes back and readers never see them gone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from linkwise.store import resolution as rs
from linkwise.store import tables as t
from linkwise.store.engine import make_engine, migrate


@pytest.fixture
def engine(tmp_path: Path) -> Any:
    made = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    migrate(made)
    yield made
    made.dispose()


def _drift(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn), t.metadata))


def _link_indexes(engine: Engine) -> set[str]:
    return {ix["name"] or "" for ix in inspect(engine).get_indexes("links")}


def test_a_failure_in_the_block_brings_the_indexes_back(engine: Engine) -> None:
    before = _link_indexes(engine)
    assert before == {"ix_links_record_l", "ix_links_record_r", "ix_links_run_id"}
    seen: list[set[str]] = []

    def failing_run() -> None:
        # nothing is written before the drop: the drop itself must open the transaction
        with engine.begin() as conn, rs._indexed_after(conn, t.links, t.entity_members):
            seen.append(_link_indexes_in(conn))
            seen.append(_link_indexes(engine))  # another connection: the committed schema
            raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        failing_run()
    assert seen == [set(), before]
    assert _drift(engine) == []
    with engine.begin() as conn, rs._indexed_after(conn, t.links):
        assert _link_indexes_in(conn) == set()
    assert _drift(engine) == []


def _link_indexes_in(conn: Any) -> set[str]:
    return {ix["name"] or "" for ix in inspect(conn).get_indexes("links")}


def test_the_drop_is_refused_inside_a_nested_transaction(engine: Engine) -> None:
    def nested() -> None:
        with engine.begin() as conn, conn.begin_nested(), rs._indexed_after(conn, t.links):
            pass

    with pytest.raises(RuntimeError, match="outermost transaction"):
        nested()
    assert _drift(engine) == []
