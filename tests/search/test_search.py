"""People search end to end on SQLite and PostgreSQL: a small demo world plus a source of
people with distinctive names, ingested and resolved; searches with misspellings, nicknames,
other spellings, dates of birth, phones and identifiers find the right entity first; the
index follows new records and new versions through resolution; the audit event names the
kinds of value searched for, never the values."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from linkwise.demo import generate_world
from linkwise.govern import audit
from linkwise.govern.accounts import User
from linkwise.model.cases import Case
from linkwise.search.query import SearchInputError
from linkwise.workspace import Workspace
from tests.helpers import csv_text, manifest, person, seed_case, workspace_on, write_manifest

PEOPLE = [
    person(
        1, "William", "Quenneville", DOB="1980-03-02", PHONE="(217) 555-0101", SSN="201-45-1001"
    ),
    person(2, "Muhammad", "Alzahrani", DOB="1975-06-15", PHONE="(217) 555-0102"),
    person(3, "Aleksandr", "Voronkov", DOB="1969-11-30", PHONE="(217) 555-0103"),
    person(4, "Maria", "Etxeberria", DOB="1990-01-20", PHONE="(217) 555-0104"),
    person(5, "Nana", "Ouyang", DOB="1992-05-05", PHONE="(217) 555-0105"),
]


@dataclass
class Lab:
    ws: Workspace
    root: Path
    user: User
    case: Case

    def search(self, q: str | None = None, **fields: Any) -> dict[str, Any]:
        with self.ws.session(self.user, self.case.id) as session:
            return session.search(q, **fields)

    def entity(self, key: str, source: str = "search_people") -> str:
        found = self.ws.entity_of(source, key)
        assert found is not None
        return found


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world")
    generate_world(out, 120, 3)
    return out


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def lab(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, world: Path
) -> Iterator[Lab]:
    root = tmp_path_factory.mktemp("search")
    with workspace_on(request.param, root) as ws:
        for path in sorted(world.glob("*.yaml")):
            ws.add_source(path)
        folder = root / "people"
        folder.mkdir()
        (folder / "people.csv").write_text(csv_text(PEOPLE), encoding="utf-8")
        ws.add_source(write_manifest(folder, manifest("search_people")))
        ws.ingest()
        ws.resolve(full=True)
        user, case = seed_case(ws, title="search")
        yield Lab(ws, root, user, case)


def _top(found: dict[str, Any]) -> dict[str, Any]:
    assert found["results"], found
    return dict(found["results"][0])


@pytest.mark.parametrize(
    ("q", "key", "reason"),
    [
        ("Bill Quenneville", "1", "name: nickname Bill/William"),
        ("willaim quenevile 1980-03-02", "1", "DOB exact"),
        ("Mohamed Alzahrani", "2", "name: nickname Mohamed/Muhammad"),
        ("Alexander Voronkov", "3", "name: sounds alike Alexander/Aleksandr"),
        ("Etxeberria, Maria", "4", "name: exact"),
        ("voronkov 1969", "3", "DOB year match"),
        ("(217) 555-0101", "1", "phone exact"),
        ("201-45-1001", "1", "identifier exact (ssn)"),
        ("1990-01-20", "4", "DOB exact"),
        ("欧阳娜娜", "5", "name: exact"),  # in Han, family first, no space: as stored
    ],
)
def test_the_right_person_comes_first(lab: Lab, q: str, key: str, reason: str) -> None:
    top = _top(lab.search(q))
    assert top["entity_id"] == lab.entity(key)
    assert reason in top["reasons"]
    assert 0 < top["score"] <= 1
    assert "search_people" in top["sources"]
    assert top["record_count"] >= 1


def test_a_result_carries_its_key_facts(lab: Lab) -> None:
    found = lab.search(name="Quenneville", dob="1980-03-02")
    top = _top(found)
    assert top["name"]["given_name"] == "william"
    assert top["name"]["family_name"] == "quenneville"
    assert top["dob"] == "1980-03-02"
    assert top["score"] == 1.0
    assert top["matched"][0]["source"] == "search_people"
    assert top["matched"][0]["source_key"] == "1"
    assert found["query"]["fields"] == ["name", "dob"]
    assert found["took_ms"] >= 0


def test_the_audit_event_names_what_was_searched_for_but_not_the_values(lab: Lab) -> None:
    lab.search("quenneville 1980-03-02", phone="(217) 555-0101")
    with lab.ws.engine.connect() as conn:
        (event,) = audit.events(
            conn, case_id=lab.case.id, action="search.query", limit=1, newest_first=True
        )
    assert event.objects["fields"] == ["name", "dob", "phone"]
    assert lab.entity("1") in event.objects["entity_ids"]
    text = json.dumps(event.objects).lower()
    for value in ("quenneville", "1980-03-02", "555"):
        assert value not in text


def test_bad_input_is_refused_before_anything_is_read(lab: Lab) -> None:
    with pytest.raises(SearchInputError, match="dob:"):
        lab.search("smith", dob="the thirtieth of Smarch")
    with pytest.raises(SearchInputError, match="give a name"):
        lab.search("  ")


def test_the_index_follows_new_records_and_new_versions(lab: Lab) -> None:
    folder = lab.root / "late"
    folder.mkdir()
    path = folder / "late.csv"
    path.write_text(csv_text([person(9, "Zebediah", "Quartermaine")]), encoding="utf-8")
    lab.ws.add_source(write_manifest(folder, manifest("late_people", "late.csv")))
    lab.ws.ingest(["late_people"])
    assert lab.search("Zebediah Quartermaine")["count"] == 0  # not resolved yet
    lab.ws.resolve(full=False)
    top = _top(lab.search("Zebediah Quartermaine"))
    assert top["entity_id"] == lab.entity("9", "late_people")

    path.write_text(csv_text([person(9, "Zebediah", "Oyelaran")]), encoding="utf-8")
    lab.ws.ingest(["late_people"])
    lab.ws.resolve(full=False)
    assert lab.search("Quartermaine")["count"] == 0  # the replaced version's keys are gone
    top = _top(lab.search("Zebediah Oyelaran"))
    assert top["entity_id"] == lab.entity("9", "late_people")
    assert top["name"]["family_name"] == "oyelaran"
