"""SQLite's write-ahead log is copied back into the database by a background thread, never
inside a commit (so no governed read pays for a checkpoint), and the thread ends with its
engine."""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time
from pathlib import Path

from sqlalchemy import text

from linkwise.store.engine import CHECKPOINT_SECONDS, make_engine


def _checkpointers() -> int:
    return sum(1 for t in threading.enumerate() if t.name == "linkwise-checkpoint")


def test_the_log_reaches_the_database_file_without_any_commit_checkpointing(
    tmp_path: Path,
) -> None:
    before = _checkpointers()
    db = tmp_path / "x.db"
    engine = make_engine(f"sqlite:///{db}")
    assert _checkpointers() == before + 1
    with engine.begin() as conn:
        assert conn.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 0
        conn.execute(text("CREATE TABLE t (v INTEGER)"))
        conn.execute(text("INSERT INTO t VALUES (1), (2), (3)"))

    # the database file alone, without its log, holds the rows once the thread has run
    copy = tmp_path / "copy.db"
    deadline = time.monotonic() + 20 * CHECKPOINT_SECONDS
    found = None
    while time.monotonic() < deadline:
        shutil.copyfile(db, copy)
        try:
            with sqlite3.connect(copy) as con:
                found = con.execute("SELECT count(*) FROM t").fetchone()
        except sqlite3.OperationalError:
            found = None  # the table is still only in the log
        if found == (3,):
            break
        time.sleep(CHECKPOINT_SECONDS / 2)
    assert found == (3,)

    engine.dispose()
    deadline = time.monotonic() + 10 * CHECKPOINT_SECONDS
    while _checkpointers() > before and time.monotonic() < deadline:
        time.sleep(CHECKPOINT_SECONDS / 4)
    assert _checkpointers() == before


def test_no_checkpointer_for_a_database_in_memory() -> None:
    before = _checkpointers()
    engine = make_engine("sqlite://")
    assert _checkpointers() == before
    engine.dispose()


def test_dispose_waits_for_the_checkpointer_to_close_its_connection(tmp_path: Path) -> None:
    db = tmp_path / "y.db"
    engine = make_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (v INTEGER)"))
    time.sleep(2 * CHECKPOINT_SECONDS)  # the thread has opened its own connection
    before = _checkpointers()
    engine.dispose()
    # no connection is left when dispose returns: the last one to close removed the log
    assert _checkpointers() == before - 1
    assert not Path(f"{db}-wal").exists()
