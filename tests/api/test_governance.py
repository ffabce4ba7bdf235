"""Authorisations, disputes, the audit log, the policy pack and the sources dashboard over
the API: each as the governance rules allow it for the token's role, each step audited."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from linkwise.workspace import Workspace
from tests.api.test_people import V1, events, problem
from tests.web.conftest import Demo, api


@pytest.fixture
def clients(demo_copy: Workspace, demo_built: Demo) -> Iterator[dict[str, TestClient]]:
    made = {
        u: api(demo_copy, u, demo_built.password) for u in ("ana", "sam", "lee", "aud", "admin")
    }
    yield made
    for client in made.values():
        client.close()


def _order(case_id: int, **changes: object) -> dict[str, object]:
    now = dt.datetime.now(dt.UTC)
    return {
        "case_id": case_id,
        "process": "subpoena",
        "issuing_authority": "Example Court",
        "reference": "GJ-API-1",
        "sources": ["benefit_enrolments"],
        "markings": ["benefits"],
        "valid_from": (now - dt.timedelta(days=1)).isoformat(),
        "valid_to": (now + dt.timedelta(days=30)).isoformat(),
        **changes,
    }


def test_authorisations_list_with_state(demo_ws: Workspace, demo_built: Demo) -> None:
    with api(demo_ws, "ana", demo_built.password) as ana:
        listed = ana.get(f"{V1}/cases/{demo_built.case_id(1)}/authorisations").json()
    states = {a["reference"]: a["state"] for a in listed}
    assert states["GJ-2026-0141"] == "active"
    assert states["GJ-2026-0098"] == "revoked"
    assert states["CO-2026-2210"] == "awaiting_approval"
    assert all(a["valid_to"] for a in listed)


def test_record_approve_revoke(clients: dict[str, TestClient], demo_built: Demo) -> None:
    ana, lee, aud = clients["ana"], clients["lee"], clients["aud"]
    case = demo_built.case_id(1)
    recorded = ana.post(f"{V1}/authorisations", json=_order(case))
    assert recorded.status_code == 201, recorded.text
    auth = recorded.json()
    assert auth["state"] == "awaiting_approval"
    assert auth["sources"] == ["benefit_enrolments"]
    url = f"{V1}/authorisations/{auth['id']}"
    problem(ana.post(f"{url}/approve"), 403)  # never its own recorder
    approved = lee.post(f"{url}/approve")
    assert approved.status_code == 200, approved.text
    assert approved.json()["state"] == "active"
    problem(lee.post(f"{url}/approve"), 409)  # approved already: a conflict, not bad input
    problem(lee.post(f"{url}/revoke", json={}), 422)  # a reason is required
    revoked = lee.post(f"{url}/revoke", json={"reason": "quashed"})
    assert revoked.json()["state"] == "revoked"
    assert revoked.json()["revocation_reason"] == "quashed"
    assert events(aud, "authorisation.revoke", actor="lee")
    problem(lee.post(f"{V1}/authorisations/999999/approve"), 404)


def test_bad_authorisations_are_422_naming_the_field(clients: dict[str, TestClient]) -> None:
    ana = clients["ana"]
    naive = _order(1, valid_from="2026-01-01T00:00:00")
    body = problem(ana.post(f"{V1}/authorisations", json=naive), 422)
    assert "valid_from" in body["detail"]
    body = problem(ana.post(f"{V1}/authorisations", json=_order(1, sources=[])), 422)
    assert "sources" in body["detail"]
    problem(ana.post(f"{V1}/authorisations", json=_order(1, process="a_whim")), 422)


def test_disputes(clients: dict[str, TestClient], demo_copy: Workspace, demo_built: Demo) -> None:
    ana, sam, aud = clients["ana"], clients["sam"], clients["aud"]
    with api(demo_copy, "ana", demo_built.password, demo_built.case_id(1)) as reader:
        entity = reader.get(f"{V1}/entities/{demo_built.access.subject}").json()
    court = next(r for r in entity["records"] if r["source"] == "court_dispositions")
    body = {
        "record": {"source": "court_dispositions", "source_key": court["source_key"]},
        "evidence": "birth certificate shows another date",
        "field": "dob",
        "claimed_value": "1970-01-01",
        "case_id": demo_built.case_id(1),
    }
    problem(ana.post(f"{V1}/disputes", json={**body, "link_to": body["record"]}), 422)
    raised = ana.post(f"{V1}/disputes", json=body)
    assert raised.status_code == 201, raised.text
    dispute = raised.json()
    assert (dispute["kind"], dispute["status"]) == ("record", "open")
    assert dispute["id"] in {d["id"] for d in aud.get(f"{V1}/disputes").json()}
    shown = sam.get(f"{V1}/disputes/{dispute['id']}").json()
    assert shown["affected"] is not None
    url = f"{V1}/disputes/{dispute['id']}"
    problem(ana.post(f"{url}/reject", json={"resolution": "no"}), 403)  # not the raiser
    rejected = sam.post(f"{url}/reject", json={"resolution": "the record is right"})
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["status"] == "rejected"
    problem(sam.post(f"{url}/confirm", json={"resolution": "changed my mind"}), 422)
    problem(sam.get(f"{V1}/disputes/999999"), 404)


def test_audit_search_verify_export_disclosures(
    clients: dict[str, TestClient], demo_built: Demo
) -> None:
    aud, admin, ana = clients["aud"], clients["admin"], clients["ana"]
    problem(ana.get(f"{V1}/audit/events"), 403)
    problem(admin.get(f"{V1}/audit/events"), 403)
    assert events(aud, "permission.denied", actor="ana")  # ana's refusal, recorded
    found = aud.get(f"{V1}/audit/events", params={"case": demo_built.case_id(1), "limit": 5})
    assert found.status_code == 200
    assert 0 < len(found.json()) <= 5
    assert all(e["case_id"] == demo_built.case_id(1) for e in found.json())
    problem(aud.get(f"{V1}/audit/events", params={"decision": "maybe"}), 422)
    late = aud.get(f"{V1}/audit/events", params={"since": "9999-12-31T23:59:59-14:00"})
    assert "outside the calendar once in UTC" in problem(late, 422)["detail"]  # was a 500
    since = aud.get(f"{V1}/audit/events", params={"since": "2000-01-01", "limit": 1})
    assert since.status_code == 200

    for who in (aud, admin):  # an administrator may verify the log without reading it
        check = who.get(f"{V1}/audit/verify").json()
        assert check["ok"] is True
        assert check["events"] > 0
        assert check["head"].startswith(f"{check['events']}:")
    anchored = aud.get(f"{V1}/audit/verify", params={"anchor": check["head"]})
    assert anchored.json()["ok"] is True
    problem(aud.get(f"{V1}/audit/verify", params={"anchor": "nonsense"}), 422)

    exported = aud.get(f"{V1}/audit/export")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in exported.text.splitlines() if line]
    assert len(lines) >= check["events"]
    problem(ana.get(f"{V1}/audit/export"), 403)

    record = aud.get(f"{V1}/audit/disclosures/{demo_built.access.subject}")
    assert record.status_code == 200
    assert demo_built.case_id(1) in {c["case_id"] for c in record.json()["cases"]}
    problem(ana.get(f"{V1}/audit/disclosures/{demo_built.access.subject}"), 403)
    problem(aud.get(f"{V1}/audit/disclosures/ENOSUCH"), 404)


def test_policy_pack_and_history(demo_ws: Workspace, demo_built: Demo) -> None:
    with api(demo_ws, "aud", demo_built.password) as aud:
        pack = aud.get(f"{V1}/policy").json()
        history = aud.get(f"{V1}/policy/history").json()
    assert "criminal_investigation" in pack["purposes"]
    benefits = pack["markings"]["benefits"]
    assert benefits["authority"]
    assert benefits["default"] == "redact"
    assert {u["process"] for u in benefits["unlocked_by"]} >= {"subpoena"}
    assert pack["legal_processes"]["subpoena"]["approved_by"]
    assert history[-1]["version"] == pack["version"]


def test_sources_runs_and_quarantine(demo_ws: Workspace, demo_built: Demo) -> None:
    with (
        api(demo_ws, "ana", demo_built.password) as ana,
        api(demo_ws, "admin", demo_built.password) as admin,
    ):
        sources = ana.get(f"{V1}/sources").json()
        assert {s["name"] for s in sources} >= {"benefit_enrolments", "court_dispositions"}
        assert all(s["records"] > 0 and s["last_run"] is not None for s in sources)
        runs = ana.get(f"{V1}/runs", params={"source": "court_dispositions"}).json()
        assert runs
        assert {r["source"] for r in runs} == {"court_dispositions"}
        problem(ana.get(f"{V1}/quarantine"), 403)  # rows that quote unvalidated values
        rows = admin.get(f"{V1}/quarantine").json()
        total = sum(s["quarantined"] for s in sources)
        assert len(rows) == min(total, 100)
        assert all("raw" not in r for r in rows)
