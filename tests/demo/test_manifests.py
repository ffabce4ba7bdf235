"""Every manifest validates, maps only columns its file has, and names nothing prohibited."""

from __future__ import annotations

import yaml

from linkwise.model.manifest import Manifest
from linkwise.model.policy import default_pack_path, load_policy_pack

from .conftest import Source, World

EXPECTED = {
    "court_dispositions": "csv",
    "jail_bookings": "jsonl",
    "vehicle_registrations": "parquet",
    "benefit_enrolments": "sql",
    "civil_case_parties": "csv",
    "public_records": "csv",
    "incident_reports": "documents",
}


def test_every_source_has_a_valid_manifest(world: World) -> None:
    manifests = world.manifests()
    assert {n: m.format for n, m in manifests.items()} == EXPECTED
    for file in world.path.glob("*.yaml"):
        manifest = Manifest.model_validate(yaml.safe_load(file.read_text(encoding="utf-8")))
        assert file.name == f"{manifest.name}.yaml"
        assert manifest.default_region == "US"
        if manifest.path is not None:
            assert not manifest.path.startswith("/")
            assert (world.path / manifest.path).exists()


def test_markings_are_defined_by_the_demo_pack(world: World) -> None:
    pack = load_policy_pack(default_pack_path())
    for manifest in world.manifests().values():
        assert manifest.markings
        assert set(manifest.markings) <= set(pack.markings)


def test_mapped_columns_exist_in_the_files(sources: dict[str, Source]) -> None:
    assert len(sources) == 6
    for name, source in sources.items():
        missing = set(source.manifest.mapped_columns()) - set(source.columns)
        assert not missing, f"{name} maps absent columns {missing}"
        for column in source.manifest.mapped_columns():
            assert any(r.get(column) not in (None, "") for r in source.rows), (name, column)


def test_no_column_or_fact_is_a_prohibited_attribute(
    world: World, sources: dict[str, Source]
) -> None:
    pack = load_policy_pack(default_pack_path())
    for name, source in sources.items():
        names = [*source.columns, *source.manifest.facts, *source.manifest.fields]
        flagged = {n: pack.prohibited_match(n) for n in names if pack.prohibited_match(n)}
        assert not flagged, f"{name}: {flagged}"


def test_columns_are_source_names_not_canonical_ones(sources: dict[str, Source]) -> None:
    for source in sources.values():
        renamed = [
            field
            for field, spec in source.manifest.fields.items()
            if spec.column is not None and spec.column != field
        ]
        assert renamed, source.manifest.name


def test_benefits_url_is_relative_to_the_manifest(world: World) -> None:
    text = (world.path / "benefit_enrolments.yaml").read_text(encoding="utf-8")
    manifest = world.manifests()["benefit_enrolments"]
    assert manifest.url == "sqlite:///benefits.sqlite"
    assert manifest.table == "enrolments"
    assert "relative to this manifest" in text


def test_documents_manifest(world: World) -> None:
    manifest = world.manifests()["incident_reports"]
    assert manifest.key == ["file"]
    assert not manifest.fields
    assert manifest.path == "reports/"
    assert manifest.markings == ["criminal_justice"]
