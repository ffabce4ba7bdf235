"""Engines for the embedded default (SQLite in WAL mode) and PostgreSQL, and migrations."""

from __future__ import annotations

from typing import Any

import orjson
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from linkwise.model.records import JsonText


def _dumps(value: Any) -> str:
    # orjson: JSON columns are serialised for every stored row, and the stdlib encoder was
    # a tenth of a large ingest's time. JsonText is already serialised.
    if isinstance(value, JsonText):
        return str(value)
    return orjson.dumps(value, default=str).decode()


def make_engine(url: str) -> Engine:
    """An engine tuned for this store's access pattern: many small reads, batched writes."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, json_serializer=_dumps)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, json_serializer=_dumps, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers work while an ingest writes; NORMAL sync is durable across process
    # crashes (only an OS crash can lose the last commits, never corrupt the file).
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # A 64 MB page cache keeps the key indexes in memory while large batches are inserted.
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


def _alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", "linkwise.store:migrations")
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the database to the newest schema; a no-op when it is already there."""
    command.upgrade(_alembic_config(engine), "head")


def schema_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(_alembic_config(engine)).get_current_head()
