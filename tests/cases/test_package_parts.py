"""The case package's discrepancies and timeline, on records made by hand: what differs
between sources is found, partial dates that agree are not a discrepancy, a withheld value
is compared with nothing, and the timeline holds dated facts and ingestions, never a date of
birth, oldest first."""

from __future__ import annotations

from typing import Any

from linkwise.cases.package import _discrepancies, _timeline

WITHHELD = {"redacted": True, "outcome": "redacted", "rule": "marking:benefits.default"}


def _record(rid: int, source: str, **fields: Any) -> dict[str, Any]:
    facts = fields.pop("facts", {})
    return {
        "record_id": rid,
        "source": source,
        "confirmed": True,
        "fields": {"given_name": "ann", "family_name": "lee", **fields},
        "facts": facts,
        "dated_facts": sorted(facts),
        "provenance": {"ingested_at": f"2026-01-0{rid}T10:00:00+00:00"},
    }


def test_discrepancies_between_sources_are_found_and_agreeing_parts_are_not() -> None:
    records = [
        _record(1, "court", dob="1980-05-04", address_line="1 MAIN ST", city="SPRINGFIELD"),
        _record(2, "jail", dob="1980-05", address_line="1 MAIN ST", city="SPRINGFIELD"),
        _record(3, "dmv", dob="1980-04-05", given_name="anne", address_line=WITHHELD),
    ]
    found = {d["field"]: d for d in _discrepancies(records)}
    assert sorted(found) == ["dob", "name"]  # one address shown: nothing to disagree with
    assert [(v["value"], v["record_ids"]) for v in found["dob"]["values"]] == [
        ("1980-04-05", [3]),
        ("1980-05", [2]),
        ("1980-05-04", [1]),
    ]
    assert [(v["value"], v["sources"]) for v in found["name"]["values"]] == [
        ("ann lee", ["court", "jail"]),
        ("anne lee", ["dmv"]),
    ]
    agreeing = [_record(1, "court", dob="1980-05-04"), _record(2, "jail", dob="1980-05")]
    assert _discrepancies(agreeing) == []


def test_the_timeline_is_dated_facts_and_ingestions_oldest_first_without_birth_dates() -> None:
    records = [
        _record(2, "jail", dob="1980-05-04", facts={"booking_date": "2021-03-01"}),
        _record(1, "court", facts={"disposition_date": "2019-07-15", "filed": ""}),
    ]
    timeline = [(e["date"], e["event"], e["record_id"]) for e in _timeline(records)]
    assert timeline == [
        ("2019-07-15", "disposition_date", 1),
        ("2021-03-01", "booking_date", 2),
        ("2026-01-01", "ingested", 1),
        ("2026-01-02", "ingested", 2),
    ]
