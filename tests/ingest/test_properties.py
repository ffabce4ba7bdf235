"""Property tests: whatever the rows hold, every row is stored or quarantined, exactly once."""

from __future__ import annotations

import csv
import io
import uuid
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkwise.ingest.mapping import RowMapper
from linkwise.ingest.readers import RawRow
from linkwise.ingest.runner import IngestOptions
from linkwise.model.fields import IDENTIFIER_FIELDS as IDENTS
from linkwise.model.manifest import Manifest
from linkwise.model.provenance import value_origins
from linkwise.model.records import MappedRecord, Rejection
from linkwise.workspace import Workspace
from tests.helpers import PEOPLE_HEADER, manifest, write_manifest

MANIFEST = Manifest.model_validate(manifest())
# Control characters are left out: a file full of them is refused as binary, by design.
printable = st.characters(blacklist_categories=("Cc", "Cs"))
cell = st.one_of(
    st.text(printable, max_size=30),
    st.sampled_from(["", "N/A", "1987-02-30", "1987-05-04", "felony", "666-00-0000", "  "]),
)
row_values = st.fixed_dictionaries({h: cell for h in PEOPLE_HEADER})


@given(row_values)
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_mapper_never_raises_and_rejections_say_why(values: dict[str, str]) -> None:
    result = RowMapper(MANIFEST)(RawRow("x.csv:2", 2, dict(values)))
    if isinstance(result, Rejection):
        assert result.reason
        assert result.locator == "x.csv:2"
        assert result.raw == {c: values.get(c) for c in MANIFEST.mapped_columns()}
    else:
        assert isinstance(result, MappedRecord)
        assert result.source_key == values["ID"].strip()
        assert len(result.content_hash) == 64
        origins = value_origins(MANIFEST, result.raw, result.canonical, result.notes)
        for field, origin in origins.items():
            assert field in result.canonical or field in result.notes or field in IDENTS
            if origin.derived_from is None and len(origin.columns) == 1:
                assert origin.raw == values[origin.columns[0]].strip(), field
        assert set(result.notes) <= set(MANIFEST.fields)


@given(st.lists(row_values, min_size=1, max_size=25))
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
def test_every_row_is_stored_or_quarantined(tmp_path: Path, rows: list[dict[str, str]]) -> None:
    base = tmp_path / uuid.uuid4().hex
    base.mkdir()
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(PEOPLE_HEADER)
    for i, row in enumerate(rows):
        writer.writerow(
            [f"k{i}" if h == "ID" else row[h].replace("\x00", "") for h in PEOPLE_HEADER]
        )
    (base / "people.csv").write_text(buf.getvalue(), encoding="utf-8")
    ws, _ = Workspace.init(base / "ws")
    with ws:
        ws.add_source(write_manifest(base, manifest()))
        (outcome,) = ws.ingest(["people"], IngestOptions(batch_size=4, workers=0))
        assert outcome.run is not None
        run = outcome.run
        stored = {s.name: s.records for s in ws.sources()}["people"]
        bad = ws.quarantine("people", limit=None)
        assert run.rows_read == stored + len(bad) == run.inserted + run.quarantined
        again = ws.ingest(["people"], IngestOptions(batch_size=3, workers=0))[0].run
        assert again is not None
        assert (again.inserted, again.new_versions, again.unchanged) == (0, 0, stored)
