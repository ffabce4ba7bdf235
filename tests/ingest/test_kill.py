"""A real ingest process killed mid-way leaves whole batches, and a rerun resumes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from linkwise.store.engine import make_engine
from linkwise.store.tables import ingestion_runs, records
from linkwise.workspace import Workspace
from tests.helpers import csv_text, manifest, person, write_manifest

ROWS = 40_000
BATCH = 250


@pytest.mark.slow
def test_kill_mid_ingest_then_resume_without_duplicates(db_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "people.csv").write_text(csv_text([person(i) for i in range(ROWS)]), "utf-8")
    ws, _ = Workspace.init(tmp_path / "ws", db_url)
    ws.add_source(write_manifest(folder, manifest()))
    ws.close()

    env = {**os.environ, "LINKWISE_BATCH_SIZE": str(BATCH), "LINKWISE_WORKERS": "0"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "linkwise", "ingest", "--workspace", str(tmp_path / "ws")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    engine = make_engine(ws.db_url)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                batches = conn.execute(select(func.max(ingestion_runs.c.batches))).scalar()
            if batches and batches >= 8:
                os.kill(proc.pid, signal.SIGKILL)
                break
            assert proc.poll() is None, "ingest finished before it could be killed"
            time.sleep(0.02)
        else:
            pytest.fail("ingest made no progress")
    finally:
        proc.wait(timeout=30)

    with engine.connect() as conn:
        run = conn.execute(select(ingestion_runs)).one()
        stored = conn.execute(select(func.count()).select_from(records)).scalar_one()
    assert run.status == "running"  # it never got to say otherwise
    assert stored == run.inserted  # counters commit with their batch
    assert stored % BATCH == 0  # only whole batches
    assert 0 < stored < ROWS

    with Workspace.open(tmp_path / "ws") as ws2:
        (outcome,) = ws2.ingest(["people"])
        assert outcome.run is not None
        assert outcome.run.unchanged == stored
        assert outcome.run.inserted == ROWS - stored
        statuses = [r.status for r in ws2.runs("people")]
    assert statuses == ["completed", "interrupted"]
    with engine.connect() as conn:
        total, keys, top = conn.execute(
            select(
                func.count(),
                func.count(records.c.source_key.distinct()),
                func.max(records.c.version),
            )
        ).one()
    assert (total, keys, top) == (ROWS, ROWS, 1)
    engine.dispose()
