"""Fixtures shared by the suite. Store-touching tests run on SQLite and on PostgreSQL.

PostgreSQL tests need ``LINKWISE_TEST_PG``: a URL of a role allowed to create databases
(``scripts/test.sh`` starts a server and sets it). Without it they are skipped, unless
``LINKWISE_TEST_REQUIRE_PG=1`` (set in CI) makes that an error.
"""

from __future__ import annotations

import os
import time
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from linkwise.workspace import Workspace

PG_ADMIN = os.environ.get("LINKWISE_TEST_PG")
REQUIRE_PG = os.environ.get("LINKWISE_TEST_REQUIRE_PG") == "1"


def _pg_database() -> Iterator[str]:
    if not PG_ADMIN:
        if REQUIRE_PG:
            pytest.fail("LINKWISE_TEST_PG is not set but PostgreSQL tests are required")
        pytest.skip("PostgreSQL not configured (set LINKWISE_TEST_PG)")
    name = f"lw_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
    finally:
        try:
            _drop_database(admin, name)
        finally:
            admin.dispose()


def _drop_database(admin: Engine, name: str, attempts: int = 10) -> None:
    """Drop a test database, retrying while the server refuses.

    ``WITH (FORCE)`` terminates the database's other backends, but PostgreSQL refuses
    (InsufficientPrivilege) when one of them is a superuser process, such as an
    autovacuum worker that happened to start on the new database. That is a property of
    the test server under load, not of linkwise, so the drop is retried; a database
    that still cannot be dropped is left behind with a warning rather than failing the
    test that used it.
    """
    for attempt in range(attempts):
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except DBAPIError as exc:
            last = exc
            time.sleep(0.2 * (attempt + 1))
    warnings.warn(f"could not drop test database {name}: {last.orig}", stacklevel=2)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
    else:
        yield from _pg_database()


@pytest.fixture
def workspace(db_url: str, tmp_path: Path) -> Iterator[Workspace]:
    from linkwise.workspace import Workspace

    ws, _ = Workspace.init(tmp_path / "ws", db_url)
    try:
        yield ws
    finally:
        ws.close()
