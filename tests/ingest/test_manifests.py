"""Manifests are validated on load; every refusal names the file, the key and the reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from linkwise.ingest.errors import ManifestError
from linkwise.ingest.manifests import load_manifest
from linkwise.model.policy import PolicyPack, default_pack_path, load_policy_pack
from tests.helpers import manifest, write_manifest


@pytest.fixture(scope="module")
def pack() -> PolicyPack:
    return load_policy_pack(default_pack_path())


def _problems(tmp_path: Path, pack: PolicyPack, data: dict[str, Any]) -> list[str]:
    path = write_manifest(tmp_path, data)
    with pytest.raises(ManifestError) as info:
        load_manifest(path, pack)
    assert all(p.where == str(path) for p in info.value.problems)
    return [f"{p.key}: {p.reason}" for p in info.value.problems]


def test_the_design_example_loads(tmp_path: Path, pack: PolicyPack) -> None:
    text = """
name: county_court
title: County court criminal dispositions
kind: court_records
jurisdiction: US-XX-County
format: csv
path: court.csv
key: [case_no]
fields:
  given_name: FIRST
  family_name: LAST
  dob: {column: DOB, format: "%m/%d/%Y"}
  address_line: ADDR
facts:
  offense_class: {column: CLASS, type: enum, values: [felony, misdemeanor, infraction]}
  disposition_date: {column: DISP_DATE, type: date}
markings: [criminal_justice]
retention_days: 3650
"""
    (tmp_path / "court.yaml").write_text(text, encoding="utf-8")
    m = load_manifest(tmp_path / "court.yaml", pack)
    assert m.fields["given_name"].column == "FIRST"
    assert m.fields["dob"].format == "%m/%d/%Y"
    assert m.facts["offense_class"].values == ["felony", "misdemeanor", "infraction"]
    assert m.mapped_columns() == ["case_no", "FIRST", "LAST", "DOB", "ADDR", "CLASS", "DISP_DATE"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"name": "Court Records"}, "name: String should match pattern"),
        ({"colour": "blue"}, "colour: unknown key"),
        ({"key": []}, "key: 'key' must name at least one column"),
        ({"fields": {"shoe_size": "SHOE"}}, "fields: unknown canonical field(s) shoe_size"),
        ({"fields": {"dob": {"column": "D", "fromat": "%Y"}}}, "fields.dob.fromat: unknown key"),
        (
            {"fields": {"dob": {"format": "%Y"}}},
            "give exactly one of 'column', 'columns' or 'value'",
        ),
        ({"retention_days": -1}, "retention_days: Input should be greater than 0"),
        ({"path": None}, "a file source needs 'path'"),
        ({"format": "xlsx"}, "format: Input should be 'csv'"),
        (
            {"facts": {"c": {"column": "C", "type": "enum"}}},
            "facts.c: an enum fact needs 'values'",
        ),
    ],
)
def test_invalid_manifests_say_which_key_and_why(
    tmp_path: Path, pack: PolicyPack, change: dict[str, Any], expected: str
) -> None:
    data = manifest()
    data.update(change)
    data = {k: v for k, v in data.items() if v is not None}
    problems = _problems(tmp_path, pack, data)
    assert any(expected in p for p in problems), problems


def test_missing_required_key(tmp_path: Path, pack: PolicyPack) -> None:
    data = manifest()
    del data["title"]
    assert "title: required key is missing" in _problems(tmp_path, pack, data)


def test_yaml_syntax_errors_give_the_line(tmp_path: Path, pack: PolicyPack) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\nfields: {given_name: FIRST\n", encoding="utf-8")
    with pytest.raises(ManifestError, match=r"bad.yaml: line \d+, column \d+: not valid YAML"):
        load_manifest(path, pack)


def test_unknown_marking_is_refused(tmp_path: Path, pack: PolicyPack) -> None:
    problems = _problems(tmp_path, pack, manifest(markings=["top_secret"]))
    assert any(p.startswith("markings[0]: marking 'top_secret' is not defined") for p in problems)


@pytest.mark.parametrize(
    ("fact", "column", "attribute"),
    [
        ("religion", "REL", "religion"),
        ("affiliation", "POLITICAL_PARTY", "political_affiliation"),
        ("member", "UNION_MEMBER", "union_membership"),
        ("protest_arrests", "ARRESTS", "protest_participation"),
        ("notes", "demonstration", "protest_participation"),
        ("orientation", "SO", "sexual_orientation"),
        ("diagnosis", "DX", "health"),
        ("flag", "MedicalFlag", "health"),
    ],
)
def test_prohibited_attributes_are_refused_with_the_authority(
    tmp_path: Path, pack: PolicyPack, fact: str, column: str, attribute: str
) -> None:
    data = manifest()
    data["facts"] = {fact: {"column": column}}
    problems = _problems(tmp_path, pack, data)
    hits = [p for p in problems if f"prohibited attribute {attribute!r}" in p]
    assert hits, problems
    assert "authority:" in hits[0]
    assert "never ingested" in hits[0]


def test_prohibited_attribute_in_a_field_column(tmp_path: Path, pack: PolicyPack) -> None:
    data = manifest()
    data["fields"] = {**data["fields"], "city": "CHURCH_CITY"}
    problems = _problems(tmp_path, pack, data)
    assert any(p.startswith("fields.city:") and "'religion'" in p for p in problems)


def test_harmless_lookalikes_are_accepted(tmp_path: Path, pack: PolicyPack) -> None:
    data = manifest()
    data["facts"] = {
        "reunion_date": {"column": "REUNION_DATE", "type": "date"},
        "credit_union": {"column": "CREDIT_UNION"},
        "party_role": {"column": "PartyRole"},
    }
    load_manifest(write_manifest(tmp_path, data), pack)


def test_every_problem_is_reported_at_once(tmp_path: Path, pack: PolicyPack) -> None:
    data = manifest(markings=["nope"])
    data["facts"] = {"religion": {"column": "R"}, "union_member": {"column": "U"}}
    assert len(_problems(tmp_path, pack, data)) >= 3
