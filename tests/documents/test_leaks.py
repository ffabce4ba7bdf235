"""No side door through documents. A documents source carrying the demo pack's ``benefits``
marking (redacted by default; a subpoena unlocks it for a criminal investigation) holds a
report naming a court defendant with a distinctive middle name and address. Through each
document read path (the document itself, the entity's documents, full-text search) those
canaries are absent without an authorisation and present with one, the audit event names
the documents and the decision, and the disclosure record lists the mention record only
once something of it was shown. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from linkwise.demo import generate_world
from linkwise.govern import audit
from linkwise.govern.audit import AuditEvent
from linkwise.model.cases import Case
from linkwise.store import disclosures as disclosure_store
from linkwise.store import resolution as resolution_store
from linkwise.store.tables import mentions, source_documents
from linkwise.workspace import Workspace
from linkwise.workspace.session import WorkspaceSession
from tests.documents.samples import documents_manifest, write_folder
from tests.helpers import authorise, seed_case, workspace_on, write_manifest

SOURCE = "canary_reports"
DOC = "canary-report.txt"
CANARIES = ("zanzibarquill", "quillfeather")


@dataclass
class Lab:
    ws: Workspace
    entity: str
    mention_record: int


Path_ = Callable[[WorkspaceSession, Lab], Any]
PATHS: dict[str, tuple[str, Path_]] = {
    "document view": ("source_document.view", lambda s, lab: s.source_document(SOURCE, DOC)),
    "entity documents": ("entity.documents", lambda s, lab: s.entity_documents(lab.entity)),
    "search": ("source_documents.search", lambda s, lab: s.search_documents("Zanzibarquill")),
}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world")
    generate_world(out, 150, 5)
    return out


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def lab(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, world: Path
) -> Iterator[Lab]:
    root = tmp_path_factory.mktemp("lab")
    with workspace_on(request.param, root) as ws:
        yield _build(ws, world, root)


def _build(ws: Workspace, world: Path, root: Path) -> Lab:
    for manifest in sorted(world.glob("*.yaml")):
        ws.add_source(manifest)
    ws.ingest()
    with ws.engine.connect() as conn:
        rows = resolution_store.current_person_rows(conn)
    court = next(s for s in ws.sources() if s.name == "court_dispositions")
    person = next(
        r
        for r in rows
        if r["source_id"] == court.id
        and len(r["dob"] or "") == 10
        and (r["given_name"] or "").isalpha()
        and (r["family_name"] or "").isalpha()
    )
    given, family = person["given_name"].title(), person["family_name"].title()
    year, month, day = person["dob"].split("-")
    text = (
        "CANARY REPORT\nThe subject, "
        f"{family.upper()}, {given} Zanzibarquill (DOB {month}/{day}/{year}), "
        "of 77 Quillfeather Ln, Springfield, IL 62704, was interviewed.\n"
    )
    write_folder(root / "canary", {DOC: text.encode()})
    manifest = documents_manifest(SOURCE, "canary/", ["benefits"])
    ws.add_source(write_manifest(root, manifest))
    ws.ingest([SOURCE])
    ws.resolve(full=True)
    with ws.engine.connect() as conn:
        (key,) = conn.execute(
            select(mentions.c.record_key)
            .join(source_documents, source_documents.c.id == mentions.c.document_id)
            .where(source_documents.c.path == DOC, mentions.c.record_key.is_not(None))
            .distinct()
        ).scalars()
    assert key.startswith(f"{DOC}#")
    entity = ws.entity_of(SOURCE, key)
    assert entity is not None
    assert ws.entity_of("court_dispositions", person["source_key"]) == entity
    with ws.engine.connect() as conn:
        record = resolution_store.current_record_id(conn, (_source_id(ws, SOURCE), key))
    assert record is not None
    return Lab(ws, entity, record)


def _source_id(ws: Workspace, name: str) -> int:
    return next(s.id for s in ws.sources() if s.name == name)


def _read(lab: Lab, case: Case, user: Any, path: str) -> str:
    _, run = PATHS[path]
    with lab.ws.session(user, case.id) as session:
        return json.dumps(run(session, lab), default=str, ensure_ascii=False).lower()


def _last(lab: Lab, case: Case, action: str) -> AuditEvent:
    with lab.ws.engine.connect() as conn:
        (event,) = audit.events(conn, case_id=case.id, action=action, limit=1, newest_first=True)
    return event


def _leaks(text: str) -> list[str]:
    return [c for c in CANARIES if c in text]


def _disclosed(lab: Lab, case: Case) -> set[int]:
    with lab.ws.engine.connect() as conn:
        return {
            r
            for u in disclosure_store.uses_of(conn, [lab.mention_record])
            if u.case_id == case.id
            for r in u.record_ids
        }


@pytest.mark.parametrize("path", PATHS)
def test_a_restricted_document_is_shown_only_under_an_authorisation(lab: Lab, path: str) -> None:
    action = PATHS[path][0]
    user, case = seed_case(lab.ws, title=f"document leaks: {path}")
    text = _read(lab, case, user, path)
    assert _leaks(text) == []
    event = _last(lab, case, action)
    assert event.decision is not None
    assert event.decision["authorisations_used"] == []
    assert "marking:benefits.default" in json.dumps(event.objects) + json.dumps(
        event.decision["rules"]
    )
    assert _disclosed(lab, case) == set()
    if path == "search":
        assert text == "[]"
        assert event.objects.get("withheld_documents")
    else:
        assert '"outcome": "redacted"' in text

    subpoena = authorise(lab.ws, user, case, "subpoena", sources=[SOURCE], markings=["benefits"])
    shown = _read(lab, case, user, path)
    assert "zanzibarquill" in shown
    event = _last(lab, case, action)
    assert event.decision is not None
    assert event.decision["authorisations_used"] == [subpoena.id]
    assert _disclosed(lab, case) == {lab.mention_record}
    assert lab.mention_record in event.objects["disclosed"]["record_ids"]


def test_the_audit_event_names_the_documents_read_never_the_words_searched(lab: Lab) -> None:
    user, case = seed_case(lab.ws, title="search audit")
    _read(lab, case, user, "search")
    event = _last(lab, case, "source_documents.search")
    assert event.objects["words"] == 1
    assert "zanzibarquill" not in json.dumps(event.objects).lower()
    _read(lab, case, user, "document view")
    event = _last(lab, case, "source_document.view")
    (doc,) = event.objects["source_documents"]
    assert doc["text"] == "redacted"
    assert lab.mention_record in event.objects["record_ids"]


def test_an_order_for_one_person_unlocks_their_mentions_not_the_whole_text(lab: Lab) -> None:
    user, case = seed_case(lab.ws, title="one subject")
    authorise(
        lab.ws,
        user,
        case,
        "subpoena",
        sources=[SOURCE],
        markings=["benefits"],
        subjects=[lab.entity],
    )
    with lab.ws.session(user, case.id) as session:
        doc = session.source_document(SOURCE, DOC)
    assert doc["text"]["outcome"] == "redacted"
    theirs = [m for m in doc["mentions"] if m["record"] == lab.mention_record]
    assert any("Zanzibarquill" in str(m["text"]) for m in theirs)
    assert all(m["text"]["outcome"] == "redacted" for m in doc["mentions"] if m["record"] is None)
