"""No side door through the API. The demo subject's benefit enrolment record carries the
``benefits`` marking: redacted for a criminal investigation unless a subpoena or court
order is in force. In a new criminal-investigation case with no authorisation, every
distinctive value of that record (its key, its address, its phone...) is absent from every
API answer that reaches the subject, and the markers say what would unlock them; once a
subpoena for the case is recorded and approved through the API, the same answers show them.

The distinctive values are taken from case 1, where the demo's approved subpoena shows the
record: the values of the benefit record that appear in no other record of the entity. Run
on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from linkwise.workspace import Workspace
from linkwise.workspace.demo_governance import demo_password, seed_governance
from tests.api.test_people import V1
from tests.helpers import workspace_on
from tests.web.conftest import Demo, api

BENEFITS = "benefit_enrolments"
STATES = {"active", "inactive", "pending", "closed", "terminated", "suspended", "denied"}
"""Words a benefit fact may hold that any answer may also say (an entity is "active")."""


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if value.get("redacted") is True:
            return  # a marker: the rule and what would unlock it, never the value
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif value is not None and not isinstance(value, bool):
        yield str(value)


def canaries(export: dict[str, Any]) -> set[str]:
    """Values of the benefit record (shown in case 1) found in no other record."""
    records = export["records"]
    benefit = [r for r in records if r["source"] == BENEFITS]
    others = {s.lower() for r in records if r["source"] != BENEFITS for s in _strings(r)}
    values = {
        s.lower()
        for r in benefit
        for s in _strings({k: r[k] for k in ("source_key", "fields", "identifiers", "facts")})
    }
    return {
        v
        for v in values
        if len(v) >= 5 and v not in others and (any(c.isdigit() for c in v) or v not in STATES)
    }


def answers(client: TestClient, entity_id: str, benefit_key: str, case_id: int) -> dict[str, str]:
    """Every API answer that reaches the subject or its benefit record, as text."""
    urls = {
        "entity": f"{V1}/entities/{entity_id}",
        "why": f"{V1}/entities/{entity_id}/why",
        "export": f"{V1}/entities/{entity_id}/export",
        "documents": f"{V1}/entities/{entity_id}/documents",
        "record": f"{V1}/records/{BENEFITS}/{benefit_key}",
        "policy why": f"{V1}/policy/why?source={BENEFITS}&source_key={benefit_key}&field=ssn",
        "review": f"{V1}/review?limit=500",
        "package": f"{V1}/cases/{case_id}/package",
    }
    out = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.text)
        out[name] = response.text.lower()
    priority = client.post(f"{V1}/cases/{case_id}/priority")
    assert priority.status_code == 200, priority.text
    out["priority"] = priority.text.lower()
    return out


def subpoena(case_id: int) -> dict[str, Any]:
    """A subpoena for the case's benefit enrolments, in force from yesterday."""
    now = dt.datetime.now(dt.UTC)
    return {
        "case_id": case_id,
        "process": "subpoena",
        "issuing_authority": "Example Court",
        "reference": "GJ-LEAK-1",
        "sources": [BENEFITS],
        "markings": ["benefits"],
        "valid_from": (now - dt.timedelta(days=1)).isoformat(),
        "valid_to": (now + dt.timedelta(days=30)).isoformat(),
    }


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def lab(
    request: pytest.FixtureRequest, demo_built: Demo, tmp_path: Path
) -> Iterator[tuple[Workspace, Demo]]:
    """The demo world on each store: a private copy of the SQLite demo, or the same world's
    sources ingested, resolved and given the demo's governance on a fresh PostgreSQL
    database."""
    if request.param == "sqlite":
        yield request.getfixturevalue("demo_copy"), demo_built
        return
    with workspace_on("postgresql", tmp_path) as ws:
        for manifest in sorted((demo_built.root / "world").glob("*.yaml")):
            ws.add_source(manifest)
        ws.ingest()
        ws.resolve(full=True)
        access = seed_governance(ws)
        password = demo_password(ws).read_text(encoding="utf-8").strip()
        yield ws, Demo(ws.root, password, access)


@pytest.fixture
def world(lab: tuple[Workspace, Demo]) -> dict[str, Any]:
    ws, demo = lab
    subject = demo.access.subject
    assert subject is not None
    with api(ws, "ana", demo.password, demo.case_id(1)) as in_case_1:
        export = in_case_1.get(f"{V1}/entities/{subject}/export").json()
        made = in_case_1.post(
            f"{V1}/cases",
            json={
                "title": "leak probe",
                "purpose": "criminal_investigation",
                "subjects": [subject],
            },
        )
    assert made.status_code == 201, made.text
    benefit = next(r for r in export["records"] if r["source"] == BENEFITS)
    return {
        "subject": subject,
        "case": made.json()["id"],
        "key": benefit["source_key"],
        "canaries": canaries(export),
    }


def test_restricted_values_are_absent_until_authorised(
    world: dict[str, Any], lab: tuple[Workspace, Demo]
) -> None:
    ws, demo = lab
    probes = world["canaries"]
    assert len(probes) >= 3, probes  # the key, the address, ... : something worth hiding
    case_id = world["case"]
    with (
        api(ws, "ana", demo.password, case_id) as ana,
        api(ws, "lee", demo.password) as lee,
    ):
        before = answers(ana, world["subject"], world["key"], case_id)
        for name, text in before.items():
            leaked = sorted(p for p in probes if p in text)
            assert not leaked, f"{name} leaks {leaked}"
        entity = json.loads(before["entity"])
        marker = next(r for r in entity["records"] if r["source"] == BENEFITS)["source_key"]
        assert marker["redacted"] is True
        assert "subpoena" in {u["process"] for u in marker["would_unlock"]}

        recorded = ana.post(f"{V1}/authorisations", json=subpoena(case_id))
        assert recorded.status_code == 201, recorded.text
        approved = lee.post(f"{V1}/authorisations/{recorded.json()['id']}/approve")
        assert approved.status_code == 200, approved.text

        after = answers(ana, world["subject"], world["key"], case_id)
        for name in ("export", "record", "package"):
            assert {p for p in probes if p in after[name]}, name
        assert all(p in after["export"] for p in probes)
        entity = json.loads(after["entity"])
        shown = next(r for r in entity["records"] if r["source"] == BENEFITS)
        assert shown["source_key"] == world["key"]
        assert shown["decision"]["unlocked_by"] == recorded.json()["id"]
