from __future__ import annotations

import datetime as dt

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, MetaData, Table, insert, inspect, select

from linkwise.store import audit, reads
from linkwise.store import tables as t
from linkwise.store.engine import (
    _alembic_config,
    head_revision,
    make_engine,
    migrate,
    schema_revision,
)
from linkwise.store.tables import metadata


def test_migrations_create_exactly_the_declared_tables(db_url: str) -> None:
    engine = make_engine(db_url)
    assert schema_revision(engine) is None
    migrate(engine)
    assert schema_revision(engine) == head_revision(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []
    assert set(inspect(engine).get_table_names()) >= {
        "sources",
        "ingestion_runs",
        "records",
        "record_identifiers",
        "quarantine",
    }
    engine.dispose()


def test_migrate_twice_is_a_no_op(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    migrate(engine)
    assert schema_revision(engine) == head_revision(engine)
    engine.dispose()


def test_sqlite_runs_in_wal_mode(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
        fks = conn.exec_driver_sql("PRAGMA foreign_keys").scalar()
    assert mode == "wal"
    assert fks == 1
    engine.dispose()


def test_0009_gives_existing_models_the_prior_their_settings_hold(db_url: str) -> None:
    engine = make_engine(db_url)
    command.upgrade(_alembic_config(engine), "0008")
    at = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    with engine.begin() as conn:
        conn.execute(
            insert(t.resolution_runs).values(
                id=1,
                mode="full",
                status="completed",
                started_at=at,
                threshold=0.8,
                floor=0.01,
                stats={},
            )
        )
        # the models table as it was before 0009, without the column
        before = Table(
            "models",
            MetaData(),
            *(Column(c.name, c.type) for c in t.models.c if c.name != "prior"),
        )
        conn.execute(
            insert(before),
            [
                {
                    "version": "old",
                    "created_at": at,
                    "run_id": 1,
                    "engine": "duckdb",
                    "settings": {"probability_two_random_records_match": 0.0025},
                },
                {
                    "version": "none",
                    "created_at": at,
                    "run_id": 1,
                    "engine": "duckdb",
                    "settings": {"comparisons": []},
                },
            ],
        )
    migrate(engine)
    with engine.connect() as conn:
        stored = dict(conn.execute(select(t.models.c.version, t.models.c.prior)).all())
        assert stored == {"old": 0.0025, "none": None}
        assert reads.model_prior(conn, "old") == 0.0025
        assert reads.model_prior(conn, "none") is None
        assert reads.model_prior(conn, "missing") is None
    engine.dispose()


def test_0011_starts_the_subject_index_at_the_newest_event_and_0010_gets_it_whole(
    db_url: str,
) -> None:
    """Events stored before 0011 were indexed as they were appended, so the index starts at
    the newest; going back to 0010 (whose appends index as they go and never catch up)
    indexes the events the newer code left behind first."""
    engine = make_engine(db_url)
    command.upgrade(_alembic_config(engine), "0010")
    with engine.begin() as conn:
        for i in (1, 2):  # as 0010's code appended them: event and index rows together
            audit.append_event(conn, actor="a", action="entity.view", objects={"entity": f"E{i}"})
            conn.execute(insert(t.audit_subjects).values(subject=f"E{i}", seq=i))
    migrate(engine)
    with engine.begin() as conn:
        assert conn.execute(select(t.audit_index.c.indexed_to)).scalar_one() == 2
        assert audit.index_subjects(conn) == 0
        audit.append_event(conn, actor="a", action="entity.view", objects={"entity": "E3"})
    command.downgrade(_alembic_config(engine), "0010")
    with engine.connect() as conn:
        indexed = conn.execute(select(t.audit_subjects.c.subject).order_by("seq")).scalars()
        assert list(indexed) == ["E1", "E2", "E3"]
        assert "audit_index" not in inspect(conn).get_table_names()
    engine.dispose()


def test_a_fresh_store_starts_its_subject_index_at_nothing(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    with engine.begin() as conn:
        assert conn.execute(select(t.audit_index.c.indexed_to)).scalar_one() == 0
        audit.append_event(conn, actor="a", action="entity.view", objects={"entity": "E1"})
        assert audit.index_subjects(conn) == 1
    engine.dispose()


def test_0012_starts_the_entity_generation_at_the_runs_completed(db_url: str) -> None:
    """Every run completed before 0012 changed the entities once; a run that failed did not."""
    engine = make_engine(db_url)
    command.upgrade(_alembic_config(engine), "0011")
    runs = Table("resolution_runs", MetaData(), autoload_with=engine)
    at = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    with engine.begin() as conn:
        for status in ("completed", "failed", "completed"):
            conn.execute(
                insert(runs).values(
                    mode="full",
                    status=status,
                    started_at=at,
                    threshold=0.8,
                    floor=0.01,
                    records=0,
                    links=0,
                    entities=0,
                    stats={},
                )
            )
    migrate(engine)
    with engine.connect() as conn:
        stored = conn.execute(select(t.entity_generation.c.name, t.entity_generation.c.generation))
        assert stored.all() == [("entities", 2)]
    command.downgrade(_alembic_config(engine), "0011")
    assert "entity_generation" not in inspect(engine).get_table_names()
    engine.dispose()
