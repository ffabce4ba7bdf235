"""Small builders for test sources: write a file and a manifest beside it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

PEOPLE_FIELDS = {
    "given_name": "FIRST",
    "family_name": "LAST",
    "dob": {"column": "DOB", "format": "%Y-%m-%d"},
    "address_line": "ADDR",
    "postcode": "ZIP",
    "phone": "PHONE",
    "ssn": "SSN",
}
PEOPLE_HEADER = ["ID", "FIRST", "LAST", "DOB", "ADDR", "ZIP", "PHONE", "SSN", "CLASS"]


def manifest(name: str = "people", path: str = "people.csv", **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": name,
        "title": f"Test source {name}",
        "kind": "court_records",
        "jurisdiction": "US-XX",
        "path": path,
        "key": ["ID"],
        "fields": dict(PEOPLE_FIELDS),
        "facts": {
            "offense_class": {
                "column": "CLASS",
                "type": "enum",
                "values": ["felony", "misdemeanor", "infraction"],
            }
        },
        "markings": ["criminal_justice"],
        "retention_days": 3650,
    }
    data.update(extra)
    return data


def write_manifest(folder: Path, data: dict[str, Any], filename: str | None = None) -> Path:
    path = folder / (filename or f"{data['name']}.yaml")
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def csv_text(rows: list[list[str]], header: list[str] | None = None, delimiter: str = ",") -> str:
    lines = [header or PEOPLE_HEADER, *rows]
    return "\n".join(delimiter.join(r) for r in lines) + "\n"


def person(i: int, first: str = "John", last: str = "Smith", **over: str) -> list[str]:
    row = {
        "ID": str(i),
        "FIRST": first,
        "LAST": last,
        "DOB": f"19{50 + i % 40}-0{1 + i % 9}-1{i % 10}",
        "ADDR": f"{i} Main St",
        "ZIP": "62704",
        "PHONE": f"(217) 555-{i % 10000:04d}",
        "SSN": f"2{i % 100:02d}-45-{1000 + i % 9000:04d}",
        "CLASS": "felony",
    }
    row.update(over)
    return [row[h] for h in PEOPLE_HEADER]
