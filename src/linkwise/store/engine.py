"""Engines for the embedded default (SQLite in WAL mode) and PostgreSQL, and migrations."""

from __future__ import annotations

import sqlite3
import threading
import weakref
from pathlib import Path
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
        path = parsed.database
        if path and path != ":memory:" and not path.startswith("file:"):
            _Checkpointer(engine, path).start()
        return engine
    return create_engine(url, json_serializer=_dumps, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers work while an ingest writes; NORMAL sync is durable across process
    # crashes (only an OS crash can lose the last commits, never corrupt the file).
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # No commit copies the WAL back into the database itself: _Checkpointer does, in the
    # background (see there).
    cursor.execute("PRAGMA wal_autocheckpoint=0")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # A 64 MB page cache keeps the key indexes in memory while large batches are inserted.
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


CHECKPOINT_SECONDS = 0.5
"""How often the background checkpointer copies the WAL back into the database."""


class _Checkpointer:
    """Copies an SQLite database's write-ahead log back into it from a thread of its own.

    Every governed read commits its audit event, so reads write. By default SQLite copies
    the WAL back (a checkpoint, with two fsyncs) inside whichever commit finds it over
    1,000 pages; on the demo world that fell on about one governed search in twenty and
    added about 8 ms to it. Here connections never checkpoint on commit
    (``wal_autocheckpoint=0``) and this thread runs a PASSIVE checkpoint every
    ``CHECKPOINT_SECONDS``: it copies what no reader still needs and never blocks a reader
    or a writer. It stops when its engine is disposed (``dispose`` waits for it) or
    collected; a process that exits leaves at most the last half second of log, which the
    next connection reads as usual.
    """

    def __init__(self, engine: Engine, path: str) -> None:
        self.uri = Path(path).resolve().as_uri() + "?mode=rw"  # read-write, never create
        self.stopped = threading.Event()
        self.engine = weakref.ref(engine, lambda _ref: self.stopped.set())
        event.listen(engine, "engine_disposed", lambda _engine: self.stop())
        self.thread = threading.Thread(target=self._run, name="linkwise-checkpoint", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        """Stop and wait: once the engine is disposed no connection of it, this thread's
        included, is left open (the last one to close removes the log files, and a copy of
        the database taken just after ``dispose`` must not see them vanish)."""
        self.stopped.set()
        if self.thread.is_alive() and self.thread is not threading.current_thread():
            self.thread.join(timeout=10)

    def _run(self) -> None:
        con: sqlite3.Connection | None = None
        try:
            while not self.stopped.wait(CHECKPOINT_SECONDS):
                try:
                    if con is None:
                        con = sqlite3.connect(
                            self.uri,
                            uri=True,
                            timeout=1,
                            check_same_thread=False,
                        )
                    con.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                except sqlite3.Error:
                    # not created yet, or busy with another process's checkpoint: next time
                    continue
        finally:
            if con is not None:
                con.close()


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
