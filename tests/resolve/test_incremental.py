"""Incremental resolution reads the resolved records' prepared rows in place and scores
only the candidates the blocking rules pair with new records: the pairs and scores must be
exactly those of the saved model scoring the new records against everyone, and the kept
model input must follow the runs that completed (a part per incremental run, folded into
one after ``MAX_PARTS``)."""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from splink import Linker
from sqlalchemy import func, select

from linkwise.resolve.engines import duckdb_api
from linkwise.resolve.incremental import Resolved, name_rows, resolved_rows, score_new
from linkwise.resolve.name_order import splink_settings
from linkwise.resolve.pipeline import DEFAULT_FLOOR
from linkwise.resolve.prepare import PREPARED_VERSION, prepare, prepared_mark
from linkwise.store import resolution as store
from linkwise.store import tables as t
from linkwise.workspace import Workspace
from linkwise.workspace import incremental as inc

FIRST_LATE = "jail_bookings"
SECOND_LATE = "court_dispositions"


@pytest.fixture
def resolved_ws(tmp_path: Path, world: Path) -> Iterator[Workspace]:
    """A workspace resolved in full without the two late sources."""
    ws, _ = Workspace.init(tmp_path / "ws")
    for manifest in sorted(world.glob("*.yaml")):
        ws.add_source(manifest)
    ws.ingest([s.name for s in ws.sources() if s.name not in (FIRST_LATE, SECOND_LATE)])
    ws.resolve(full=True)
    try:
        yield ws
    finally:
        ws.close()


def _new_records(ws: Workspace) -> tuple[pa.Table, dict[str, Any]]:
    with ws.engine.connect() as conn:
        rows = store.current_person_rows(conn, unresolved=True)
        generic = [(g["field"], g["value"]) for g in store.generic_list(conn)]
        model_row = store.latest_model(conn)
    assert model_row is not None
    assert rows
    return prepare(rows, known_generic=generic, generic_min_people={}).table, model_row[1]


def _scored_against_everyone(
    table: pa.Table, new_ids: list[int], model: dict[str, Any]
) -> pa.Table:
    """What the saved model gives with every record in Splink: term frequencies computed
    by Splink over the whole table, new × old and new × new."""
    db = duckdb_api(2)
    try:
        linker = Linker(
            db.register(table, table_name="lw_all"),
            splink_settings(model),
            log_level=logging.ERROR,
        )
        for comparison in model["comparisons"]:
            for level in comparison["comparison_levels"]:
                if level.get("tf_adjustment_column"):
                    linker.table_management.compute_tf_table(level["tf_adjustment_column"])
        is_new = pc.is_in(table.column("unique_id"), value_set=pa.array(new_ids, pa.int64()))
        new = db.register(table.filter(is_new), table_name="lw_new")
        old = db.register(table.filter(pc.invert(is_new)), table_name="lw_old")
        weight = math.log2(DEFAULT_FLOOR / (1 - DEFAULT_FLOOR))
        parts = [
            linker.inference.predict_between(
                new, old, threshold_match_weight=weight, warning_mode="never"
            ),
            linker.inference.predict_within(
                new, threshold_match_weight=weight, warning_mode="never"
            ),
        ]
        return pa.concat_tables(
            [db.duckdb_con.sql(f"SELECT * FROM {p.physical_name}").to_arrow_table() for p in parts],
            promote_options="permissive",
        )
    finally:
        db.duckdb_con.close()


def _by_pair(pairs: pa.Table, columns: list[str]) -> dict[tuple[int, int], tuple[Any, ...]]:
    rows = pairs.select(["unique_id_l", "unique_id_r", *columns]).to_pylist()
    return {(r["unique_id_l"], r["unique_id_r"]): tuple(r[c] for c in columns) for r in rows}


def _last_mode(ws: Workspace) -> str:
    with ws.engine.connect() as conn:
        run = store.last_run(conn)
    assert run is not None
    return str(run["mode"])


def test_candidates_score_exactly_as_everyone_does(resolved_ws: Workspace, tmp_path: Path) -> None:
    base = resolved_ws.root / ".linkwise" / inc.CACHE_FILE
    existing = pq.read_table(base)
    # a replaced version: its row stays in the file but must count nowhere
    dropped = existing.column("unique_id")[3].as_py()
    resolved_ws.ingest([FIRST_LATE])
    new, model = _new_records(resolved_ws)
    new_ids = new.column("unique_id").to_pylist()

    got = score_new(new, Resolved([base], [dropped]), model, floor=DEFAULT_FLOOR)

    kept = existing.filter(pc.not_equal(existing.column("unique_id"), dropped))
    want = _scored_against_everyone(pa.concat_tables([kept, new]), new_ids, model)
    compared = [c for c in got.column_names if c not in ("unique_id_l", "unique_id_r")]
    assert got.num_rows == want.num_rows > 50
    assert _by_pair(got, compared) == _by_pair(want, compared)
    assert any(name.startswith("mw_tf_adj_") for name in compared)
    assert dropped not in set(got.column("unique_id_r").to_pylist())


def test_resolved_rows_reads_the_rows_asked_for_in_id_order(resolved_ws: Workspace) -> None:
    base = resolved_ws.root / ".linkwise" / inc.CACHE_FILE
    existing = pq.read_table(base)
    ids = existing.column("unique_id").to_pylist()
    wanted = [ids[40], ids[7], ids[12], 10**9]

    rows = resolved_rows(Resolved([base], [ids[12]]), wanted)

    assert rows.column("unique_id").to_pylist() == sorted([ids[40], ids[7]])
    assert rows.schema == existing.schema
    assert rows.to_pylist()[0] == existing.slice(7, 1).to_pylist()[0]


def test_names_are_read_for_everyone_current_with_new_rows_replacing_old(
    resolved_ws: Workspace,
) -> None:
    base = resolved_ws.root / ".linkwise" / inc.CACHE_FILE
    existing = pq.read_table(base)
    dropped = existing.column("unique_id")[3].as_py()
    resolved_ws.ingest([FIRST_LATE])
    new, _ = _new_records(resolved_ws)

    rows = name_rows(Resolved([base], [dropped]), new)

    kept = existing.filter(pc.not_equal(existing.column("unique_id"), dropped))
    everyone = pa.concat_tables([kept, new]).select(list(rows.column_names))
    assert rows.column_names == ["unique_id", "given", "family", "dob", "dob_y", "dob_m"]
    assert rows.sort_by("unique_id").to_pylist() == everyone.sort_by("unique_id").to_pylist()
    assert len(set(rows.column("unique_id").to_pylist())) == rows.num_rows


def test_an_incremental_run_keeps_its_records_in_a_part_a_later_run_reads(
    resolved_ws: Workspace,
) -> None:
    cache = resolved_ws.root / ".linkwise"
    base_before = (cache / inc.CACHE_FILE).read_bytes()
    resolved_ws.ingest([FIRST_LATE])
    first = resolved_ws.resolve(full=False)
    parts = sorted(cache.glob(f"{inc.PART_PREFIX}*.parquet"))
    assert [p.name for p in parts] == [f"{inc.PART_PREFIX}{first.run_id}.parquet"]
    assert pq.read_table(parts[0]).num_rows == first.records > 0
    assert (cache / inc.CACHE_FILE).read_bytes() == base_before

    # the second run's records are scored against the first run's, which only the part holds
    table_before = pa.concat_tables(
        [pq.read_table(cache / inc.CACHE_FILE), *map(pq.read_table, parts)]
    )
    resolved_ws.ingest([SECOND_LATE])
    new, model = _new_records(resolved_ws)
    second = resolved_ws.resolve(full=False)
    first_ids = set(pq.read_table(parts[0]).column("unique_id").to_pylist())
    want = _scored_against_everyone(
        pa.concat_tables([table_before, new]), new.column("unique_id").to_pylist(), model
    )
    with resolved_ws.engine.connect() as conn:
        stored = {
            (row.record_l, row.record_r): row.match_weight
            for row in conn.execute(
                select(t.links.c.record_l, t.links.c.record_r, t.links.c.match_weight).where(
                    t.links.c.run_id == second.run_id
                )
            )
        }
    want_weights = {k: v[0] for k, v in _by_pair(want, ["match_weight"]).items()}
    assert stored.keys() == want_weights.keys()
    assert stored == pytest.approx(want_weights)
    assert any(r in first_ids for pair in stored for r in pair)


def test_a_part_of_a_run_that_did_not_complete_is_never_read(resolved_ws: Workspace) -> None:
    cache = resolved_ws.root / ".linkwise"
    with resolved_ws.engine.begin() as conn:
        failed = store.start_run(conn, "incremental", 0.8, 0.01)
        store.fail_run(conn, failed, "stopped")
    stray = cache / f"{inc.PART_PREFIX}{failed}.parquet"
    pq.write_table(pq.read_table(cache / inc.CACHE_FILE).slice(0, 5), stray)

    with resolved_ws.engine.connect() as conn:
        files = inc._cached(conn, cache)

    assert files == [cache / inc.CACHE_FILE]
    resolved_ws.resolve(full=True)
    assert not stray.exists()  # a full run starts the kept input afresh


def test_parts_are_folded_into_one_file_after_max_parts(
    resolved_ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = resolved_ws.root / ".linkwise"
    monkeypatch.setattr(inc, "MAX_PARTS", 1)
    resolved_ws.ingest([FIRST_LATE])
    first = resolved_ws.resolve(full=False)
    resolved_ws.ingest([SECOND_LATE])
    second = resolved_ws.resolve(full=False)

    assert not list(cache.glob(f"{inc.PART_PREFIX}*.parquet"))
    ids = pq.read_table(cache / inc.CACHE_FILE).column("unique_id").to_pylist()
    with resolved_ws.engine.connect() as conn:
        current = set(store.record_keys(conn))
    assert len(ids) == len(set(ids)) == len(current)
    assert set(ids) == current
    assert first.records > 0
    assert second.records > 0
    assert inc.why_full(resolved_ws.engine, cache) is None  # the folded file keeps the mark


def test_a_first_run_asked_to_be_incremental_says_why_it_is_full(
    tmp_path: Path, world: Path
) -> None:
    ws, _ = Workspace.init(tmp_path / "fresh")
    try:
        for manifest in sorted(world.glob("*.yaml")):
            ws.add_source(manifest)
        ws.ingest([FIRST_LATE])
        said: list[str] = []

        ws.resolve(full=False, progress=said.append)

        assert said[0] == "resolving every record (no full run has completed yet)"
        assert inc.why_full(ws.engine, ws.root / ".linkwise") is None
    finally:
        ws.close()


def test_kept_input_carries_the_preparation_version(resolved_ws: Workspace) -> None:
    cache = resolved_ws.root / ".linkwise"
    resolved_ws.ingest([FIRST_LATE])
    resolved_ws.resolve(full=False)
    files = [cache / inc.CACHE_FILE, *cache.glob(f"{inc.PART_PREFIX}*.parquet")]

    assert len(files) == 2
    for path in files:
        metadata = pq.read_schema(path).metadata or {}
        assert metadata[inc.VERSION_KEY] == prepared_mark().encode()
    assert prepared_mark().startswith(f"{PREPARED_VERSION} nicknames=")
    assert " anyascii=" in prepared_mark()


@pytest.mark.parametrize(
    "mark",
    [
        None,
        b"1",
        b"not a number",
        # this version of linkwise beside another release of a package whose tables it reads
        f"{PREPARED_VERSION} nicknames=0.0.1 anyascii=0.0.1".encode(),
    ],
)
def test_input_kept_by_another_version_makes_the_next_run_a_full_one(
    resolved_ws: Workspace, mark: bytes | None
) -> None:
    cache = resolved_ws.root / ".linkwise"
    kept = pq.read_table(cache / inc.CACHE_FILE)
    # as an older linkwise left it: no mark, or another version's
    pq.write_table(
        kept.replace_schema_metadata({inc.VERSION_KEY: mark} if mark else None),
        cache / inc.CACHE_FILE,
    )
    why = inc.why_full(resolved_ws.engine, cache)
    assert why is not None
    assert "prepared.parquet" in why
    assert "another version" in why
    resolved_ws.ingest([FIRST_LATE])
    said: list[str] = []

    resolved_ws.resolve(full=False, progress=said.append)

    assert _last_mode(resolved_ws) == "full"
    assert not list(cache.glob(f"{inc.PART_PREFIX}*.parquet"))
    assert said[0] == f"resolving every record ({why})"
    assert inc.why_full(resolved_ws.engine, cache) is None  # the full run kept this version's


def test_an_unreadable_kept_input_makes_the_next_run_a_full_one(
    resolved_ws: Workspace, world: Path
) -> None:
    cache = resolved_ws.root / ".linkwise"
    assert resolved_ws.evaluate(world / "truth.csv").blocking is not None
    (cache / inc.CACHE_FILE).write_bytes(b"not parquet")
    why = inc.why_full(resolved_ws.engine, cache)
    assert why is not None
    assert "cannot be read" in why
    assert "another version" not in why
    assert resolved_ws.resolved_names() is None  # explanations go without, rather than fail
    assert resolved_ws.evaluate(world / "truth.csv").blocking is None  # the rest is scored
    assert not inc.readable(cache / inc.CACHE_FILE)
    resolved_ws.ingest([FIRST_LATE])

    resolved_ws.resolve(full=False)

    assert _last_mode(resolved_ws) == "full"
    assert pq.read_table(cache / inc.CACHE_FILE).num_rows > 0


def test_a_missing_kept_input_makes_the_next_run_a_full_one(resolved_ws: Workspace) -> None:
    cache = resolved_ws.root / ".linkwise"
    (cache / inc.CACHE_FILE).unlink()
    assert inc.why_full(resolved_ws.engine, cache) == (
        "the last full run's prepared input is not kept"
    )
    resolved_ws.ingest([FIRST_LATE])

    resolved_ws.resolve(full=False)

    assert _last_mode(resolved_ws) == "full"
    assert inc.why_full(resolved_ws.engine, cache) is None


def test_an_old_part_also_makes_the_next_run_a_full_one(resolved_ws: Workspace) -> None:
    cache = resolved_ws.root / ".linkwise"
    resolved_ws.ingest([FIRST_LATE])
    first = resolved_ws.resolve(full=False)
    assert inc.why_full(resolved_ws.engine, cache) is None
    part = cache / f"{inc.PART_PREFIX}{first.run_id}.parquet"
    pq.write_table(pq.read_table(part).replace_schema_metadata(None), part)

    why = inc.why_full(resolved_ws.engine, cache)
    assert why is not None
    assert part.name in why
    assert "another version" in why
    resolved_ws.ingest([SECOND_LATE])

    resolved_ws.resolve(full=False)

    assert _last_mode(resolved_ws) == "full"
    assert not part.exists()
    assert inc.why_full(resolved_ws.engine, cache) is None


def test_links_among_reads_links_inside_the_records_with_one_level(
    db_url: str, tmp_path: Path, world: Path
) -> None:
    ws, _ = Workspace.init(tmp_path / "links", db_url)
    try:
        for manifest in sorted(world.glob("*.yaml")):
            ws.add_source(manifest)
        ws.ingest([FIRST_LATE, SECOND_LATE])
        ws.resolve(full=True)
        with ws.engine.connect() as conn:
            every = [
                (row.id, row.record_l, row.record_r, row.match_weight, row.contributions)
                for row in conn.execute(select(t.links).order_by(t.links.c.id))
            ]
            ids = sorted({row[1] for row in every[::3]})
            got = store.links_among(conn, ids, "dob")
            plain = store.links_among(conn, ids)
    finally:
        ws.close()
    inside = set(ids)
    want = [row for row in every if row[1] in inside and row[2] in inside]

    def level(contributions: Any) -> int:
        data = json.loads(contributions) if isinstance(contributions, str) else contributions
        return int(data.get("dob", [0])[0])

    assert 0 < len(want) < len(every)
    assert got.left.tolist() == [row[1] for row in want]
    assert got.right.tolist() == [row[2] for row in want]
    assert got.weight.tolist() == [row[3] for row in want]
    assert got.level is not None
    assert got.level.tolist() == [level(row[4]) for row in want]
    assert {*got.level.tolist()} - {0}
    assert plain.level is None
    assert plain.left.tolist() == got.left.tolist()


def test_an_incremental_run_counts_the_generic_values_it_blanks(resolved_ws: Workspace) -> None:
    # It finds none of its own: it blanks the last full run's, and says how many (this
    # small world has none, so the full run is given two).
    with resolved_ws.engine.begin() as conn:
        full_run = conn.execute(select(func.max(t.resolution_runs.c.id))).scalar_one()
        conn.execute(
            t.generic_values.insert(),
            [
                {
                    "run_id": full_run,
                    "field": "ssn",
                    "value": "123456789",
                    "records": 9,
                    "people": 9,
                },
                {
                    "run_id": full_run,
                    "field": "phone",
                    "value": "5550100",
                    "records": 8,
                    "people": 8,
                },
            ],
        )
    resolved_ws.ingest([FIRST_LATE])
    assert resolved_ws.resolve(full=False).generic == 2
    assert resolved_ws.resolve(full=False).generic == 2  # and with nothing new
