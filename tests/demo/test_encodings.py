"""Each text file is in its stated encoding, and the awkward ones really are awkward."""

from __future__ import annotations

import codecs
import csv
import io

import pytest

from .conftest import Source, World


def test_files_decode_in_their_stated_encoding(world: World) -> None:
    for name, info in world.info()["sources"].items():
        if info["encoding"]:
            (world.path / info["path"]).read_bytes().decode(info["encoding"])
        assert world.summary.record_counts[name] > 0


def test_court_file_is_windows_1252_not_utf8(world: World) -> None:
    raw = (world.path / "court_dispositions.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp1252")
    assert "§" in text
    assert "–" in text  # a byte in 0x80-0x9F, which tells cp1252 from Latin-1
    assert "\r\n" in text
    assert any(ch in text for ch in "ÁÉÍÓÚÑ")
    manifest = world.manifests()["court_dispositions"]
    assert manifest.options.encoding is None  # left to detection


def test_civil_file_is_latin1_with_multiline_captions(
    world: World, sources: dict[str, Source]
) -> None:
    raw = (world.path / "civil_case_parties.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert not any(0x80 <= b <= 0x9F for b in raw)
    civil = sources["civil_case_parties"]
    assert all("\n" in r["CAPTION"] for r in civil.rows)
    assert all(len(r) == len(civil.columns) for r in civil.rows)
    assert civil.manifest.options.delimiter == ";"


def test_public_records_have_bom_pipes_and_ragged_rows(world: World) -> None:
    raw = (world.path / "public_records.csv").read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)
    manifest = world.manifests()["public_records"]
    assert manifest.options.delimiter is None
    assert manifest.options.encoding is None
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter="|"))
    widths = {len(r) for r in rows[1:]}
    width = len(rows[0])
    assert widths == {width - 1, width, width + 1}
    ragged = sum(len(r) != width for r in rows[1:])
    assert ragged == world.summary.difficulties["ragged_row"]
    assert all(r[-1] == "" for r in rows[1:] if len(r) == width + 1)
    assert any("," in r[2] for r in rows[1:])  # "May 4, 1987"


def test_jail_bookings_nest_the_address(world: World) -> None:
    first = (world.path / "jail_bookings.jsonl").read_text(encoding="utf-8").splitlines()[0]
    assert '"address": {"street":' in first


def test_vehicle_file_uses_real_arrow_types(world: World) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pq.read_schema(world.path / "vehicle_registrations.parquet")
    assert schema.field("owner_dob").type == pa.date32()
    assert pa.types.is_integer(schema.field("model_year").type)
    assert schema.field("zip").type == pa.string()


def test_benefits_native_names_are_in_original_script(sources: dict[str, Source]) -> None:
    rows = sources["benefit_enrolments"].rows
    native = [r["native_name"] for r in rows if r["native_name"]]
    assert native
    assert all(not n.isascii() for n in native)
    assert {r["program"] for r in rows} == {"SNAP", "TANF", "LIHEAP"}
    year_only = [r for r in rows if r["birth_year"] and r["birth_month"] is None]
    assert year_only
    assert all("-" in r["ssn"] for r in rows)
