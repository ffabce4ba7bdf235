"""The row mapper and the provenance it leaves, one field kind at a time."""

from __future__ import annotations

import datetime as dt
from typing import Any

from linkwise.ingest.mapping import RowMapper
from linkwise.ingest.readers import RawRow
from linkwise.model.manifest import Manifest
from linkwise.model.provenance import value_origins
from linkwise.model.records import MappedRecord, Rejection


def _map(fields: dict[str, Any], values: dict[str, Any], **extra: Any) -> MappedRecord:
    manifest = Manifest.model_validate(
        {
            "name": "t",
            "title": "t",
            "kind": "test",
            "jurisdiction": "US-IL",
            "path": "t.csv",
            "key": ["ID"],
            "fields": fields,
            **extra,
        }
    )
    result = RowMapper(manifest)(RawRow("t.csv:2", 2, {"ID": "1", **values}))
    assert isinstance(result, MappedRecord), result
    return result


def _origins(fields: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    manifest = Manifest.model_validate(
        {
            "name": "t",
            "title": "t",
            "kind": "k",
            "jurisdiction": "US",
            "path": "t.csv",
            "key": ["ID"],
            "fields": fields,
        }
    )
    rec = _map(fields, values)
    return value_origins(manifest, rec.raw, rec.canonical, rec.notes)


def test_full_name_is_split_and_parts_say_where_they_came_from() -> None:
    fields = {"full_name": {"column": "NAME", "order": "family_first"}}
    rec = _map(fields, {"NAME": "GARCÍA MÁRQUEZ, Gabriel José"})
    assert rec.canonical["family_name"] == "garcia marquez"
    assert rec.canonical["given_name"] == "gabriel"
    assert rec.canonical["middle_name"] == "jose"
    origins = _origins(fields, {"NAME": "GARCÍA MÁRQUEZ, Gabriel José"})
    assert origins["given_name"].derived_from == "full_name"
    assert origins["given_name"].raw == "GARCÍA MÁRQUEZ, Gabriel José"
    assert origins["given_name"].columns == ("NAME",)


def test_explicit_parts_win_over_the_split_full_name() -> None:
    rec = _map(
        {"full_name": "NAME", "given_name": "FIRST"}, {"NAME": "Bill Smith", "FIRST": "William"}
    )
    assert (rec.canonical["given_name"], rec.canonical["family_name"]) == ("william", "smith")


def test_non_latin_names_keep_the_original_script() -> None:
    rec = _map({"given_name": "G", "family_name": "F"}, {"G": "Александр", "F": "Иванов"})
    assert rec.canonical["given_name"] == "aleksandr"
    assert rec.canonical["name_original"] == "Александр Иванов"
    origins = _origins({"given_name": "G", "family_name": "F"}, {"G": "Александр", "F": "Иванов"})
    assert origins["name_original"].columns == ("G", "F")


def test_birth_date_parts_and_typed_dates() -> None:
    parts = {"birth_year": "Y", "birth_month": "M", "birth_day": "D"}
    assert _map(parts, {"Y": "1987", "M": "5", "D": None}).canonical["dob"] == "1987-05"
    typed = _map({"dob": {"column": "DOB", "format": "%m/%d/%Y"}}, {"DOB": dt.date(1987, 5, 4)})
    assert typed.canonical["dob"] == "1987-05-04"
    assert typed.raw["DOB"] == "1987-05-04"


def test_impossible_birth_date_parts_are_rejected() -> None:
    manifest = Manifest.model_validate(
        {
            "name": "t",
            "title": "t",
            "kind": "k",
            "jurisdiction": "US",
            "path": "t.csv",
            "key": ["ID"],
            "fields": {"birth_year": "Y", "birth_month": "M", "birth_day": "D"},
        }
    )
    result = RowMapper(manifest)(
        RawRow("t.csv:2", 2, {"ID": "1", "Y": "1987", "M": "2", "D": "30"})
    )
    assert isinstance(result, Rejection)
    assert result.column == "Y"
    assert result.reason.startswith("date of birth:")


def test_unreadable_sex_is_noted_not_fatal() -> None:
    rec = _map({"family_name": "F", "sex": "S"}, {"F": "Lee", "S": "banana"})
    assert rec.canonical.get("sex") is None
    assert "banana" in rec.notes["sex"]


def test_joined_columns_constants_and_null_values() -> None:
    fields = {
        "family_name": "F",
        "address_line": {"columns": ["A1", "A2"]},
        "country": {"value": "US"},
        "phone": {"column": "P", "null_values": ["000-000-0000"]},
    }
    values = {"F": "Lee", "A1": "12 Oak Street", "A2": "Apt 4", "P": "000-000-0000"}
    rec = _map(fields, values)
    assert rec.canonical["address_line"] == "12 OAK ST APT 4"
    assert rec.canonical["country"] == "US"
    assert rec.canonical.get("phone") is None
    origins = _origins(fields, values)
    assert origins["address_line"].raw == "12 Oak Street Apt 4"
    assert origins["country"].constant
    assert "phone" not in origins


def test_default_region_follows_the_jurisdiction() -> None:
    rec = _map(
        {"family_name": "F", "phone": "P"},
        {"F": "Lee", "P": "020 7946 0958"},
        jurisdiction="GB-LND",
    )
    assert rec.canonical["phone"] == "+442079460958"
    assert "phone" not in rec.notes
