"""Cases over the API: the lifecycle as the case rules allow it (a refusal is a 403 whose
audit event is committed, a move the lifecycle forbids is refused), and what is made from a
case's data: priority, the package (JSON and PDF) and drafted documents through sign-off and
export."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from linkwise.workspace import Workspace
from tests.api.test_people import V1, events, problem
from tests.web.conftest import Demo, api


@pytest.fixture
def clients(demo_copy: Workspace, demo_built: Demo) -> Iterator[dict[str, TestClient]]:
    made = {u: api(demo_copy, u, demo_built.password) for u in ("ana", "sam", "lee", "aud")}
    yield made
    for client in made.values():
        client.close()


def test_list_and_show(demo_ws: Workspace, demo_built: Demo) -> None:
    with api(demo_ws, "ana", demo_built.password) as ana:
        listed = ana.get(f"{V1}/cases").json()
        assert {c["id"] for c in listed} >= {demo_built.case_id(n) for n in (1, 2, 3, 4)}
        open_only = ana.get(f"{V1}/cases", params={"status": "open"}).json()
        assert open_only
        assert all(c["status"] == "open" for c in open_only)
        problem(ana.get(f"{V1}/cases", params={"status": "pending"}), 422)
        detail = ana.get(f"{V1}/cases/{demo_built.case_id(1)}").json()
        assert detail["status"] == "in_review"
        assert detail["notes"]
        assert detail["history"]
        assert detail["subjects"][0]["entity_id"] == demo_built.access.subject
        problem(ana.get(f"{V1}/cases/999999"), 404)
    with api(demo_ws, "aud", demo_built.password) as aud:
        problem(aud.get(f"{V1}/cases"), 403)


def test_the_lifecycle_of_a_new_case(clients: dict[str, TestClient], demo_built: Demo) -> None:
    ana, sam, aud = clients["ana"], clients["sam"], clients["aud"]
    subject = demo_built.access.subject
    made = ana.post(
        f"{V1}/cases",
        json={"title": "API case", "purpose": "criminal_investigation", "subjects": [subject]},
    )
    assert made.status_code == 201, made.text
    case = made.json()
    assert (case["status"], case["purpose"]) == ("open", "criminal_investigation")
    url = f"{V1}/cases/{case['id']}"
    assert problem(ana.post(f"{V1}/cases", json={"title": "", "purpose": "x"}), 422)["errors"]
    problem(ana.post(f"{V1}/cases", json={"title": "t", "purpose": "no_such_purpose"}), 422)

    # only a supervisor assigns: the refusal is audited
    problem(ana.post(f"{url}/assign", json={"assignee": "ana"}), 403)
    assert any(
        e["objects"].get("action") == "case.assign" for e in events(aud, "permission.denied")
    )
    problem(sam.post(f"{url}/assign", json={"assignee": "ana"}), 409)  # already hers
    for who in ("lee", "ana"):
        assigned = sam.post(f"{url}/assign", json={"assignee": who})
        assert assigned.status_code == 200, assigned.text

    note = ana.post(f"{url}/notes", json={"text": "asked the court for records"})
    assert note.status_code == 201
    assert note.json()["text"] == "asked the court for records"
    problem(ana.post(f"{url}/notes", json={}), 422)

    moved = ana.post(f"{url}/move", json={"status": "in_review", "reason": "ready"})
    assert moved.status_code == 200
    assert moved.json()["status"] == "in_review"
    # no one passes their own work: the assignee cannot move it on to legal
    problem(ana.post(f"{url}/move", json={"status": "ready_for_legal"}), 403)
    problem(ana.post(f"{url}/move", json={"status": "archived"}), 422)

    detail = ana.get(url).json()
    kinds = [h["kind"] for h in detail["history"]]
    assert "assigned" in kinds
    assert "status" in kinds
    assert "note" in kinds
    assert detail["assignee"] == "ana"


def test_subjects_add_remove(clients: dict[str, TestClient], demo_built: Demo) -> None:
    ana = clients["ana"]
    case = ana.post(f"{V1}/cases", json={"title": "S", "purpose": "criminal_investigation"})
    url = f"{V1}/cases/{case.json()['id']}"
    subject = demo_built.access.subject
    added = ana.post(f"{url}/subjects", json={"entity_id": subject, "reason": "named"})
    assert added.status_code == 201, added.text
    assert added.json()["entity_id"] == subject
    problem(ana.post(f"{url}/subjects", json={"entity_id": "ENOSUCH", "reason": "x"}), 422)
    problem(ana.post(f"{url}/subjects", json={"entity_id": subject}), 422)
    removed = ana.post(f"{url}/subjects/{subject}/remove", json={"reason": "wrong person"})
    assert removed.status_code == 200, removed.text
    assert not ana.get(url).json()["subjects"]
    confirm = ana.post(
        f"{url}/subjects/{subject}/confirm", json={"entity_ids": [subject], "reason": "x"}
    )
    assert confirm.status_code in (404, 409, 422)  # no longer a subject: refused, not a crash
    assert confirm.headers["content-type"].startswith("application/problem+json")


def test_priority_package_and_drafts(clients: dict[str, TestClient], demo_built: Demo) -> None:
    ana, lee, aud = clients["ana"], clients["lee"], clients["aud"]
    url = f"{V1}/cases/{demo_built.case_id(1)}"
    priority = ana.post(f"{url}/priority")
    assert priority.status_code == 200, priority.text
    assert "score" in priority.json()
    package = ana.get(f"{url}/package")
    assert package.status_code == 200
    assert package.json()["case"]["id"] == demo_built.case_id(1)
    pdf = ana.get(f"{url}/package", params={"format": "pdf"})
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    problem(ana.get(f"{url}/package", params={"format": "xls"}), 422)
    problem(aud.get(f"{url}/package"), 403)

    drafted = ana.post(f"{url}/documents", json={"kind": "affidavit"})
    assert drafted.status_code == 201, drafted.text
    doc = drafted.json()
    assert (doc["kind"], doc["status"], doc["version"]) == ("affidavit", "draft", 1)
    problem(ana.post(f"{url}/documents", json={"kind": "limerick"}), 422)
    listed = ana.get(f"{url}/documents").json()
    assert [d["id"] for d in listed] == [doc["id"]]
    shown = ana.get(f"{url}/documents/{doc['id']}").json()
    assert shown["document"]["id"] == doc["id"]
    assert shown["content"]["blocks"]

    problem(ana.post(f"{url}/documents/{doc['id']}/sign"), 403)  # the drafter never signs
    signed = lee.post(f"{url}/documents/{doc['id']}/sign")
    assert signed.status_code == 200, signed.text
    assert signed.json()["status"] == "signed"
    problem(lee.post(f"{url}/documents/{doc['id']}/sign"), 403)  # signed already
    assert events(aud, "document.sign", actor="lee")

    docx = ana.get(f"{url}/documents/{doc['id']}/file", params={"format": "docx"})
    assert docx.status_code == 200
    assert docx.content.startswith(b"PK")
    assert "wordprocessingml" in docx.headers["content-type"]
    pdf = ana.get(f"{url}/documents/{doc['id']}/file")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    problem(ana.get(f"{url}/documents/999999"), 404)
    other = f"{V1}/cases/{demo_built.case_id(3)}/documents/{doc['id']}"
    problem(ana.get(other), 404)  # a document is read only in its own case
