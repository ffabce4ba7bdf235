"""No side door. For every read path of the governed session (record view, entity view,
pair explanation, entity why, review queue, real-time match, entity export), a distinctive
restricted value seeded into a small resolved world is absent from the whole returned
structure without an authorisation, present with an approved one in scope, absent again
after revocation and after expiry, and absent for a case whose purpose prohibits it even with
an authorisation in hand; each read leaves an audit event naming the fields shown and
redacted and the authorisation used. The disclosure record (which cases were shown which of
a person's records) lists the canary only once a read showed it. On SQLite and PostgreSQL.

The seeded source, ``canary_benefits``, carries the demo pack's ``benefits`` marking
(redacted by default; a subpoena unlocks it for a criminal investigation; prohibited for
civil litigation support). Its two records copy a court defendant's name, date of birth and
SSN, so they resolve into that person's entity, and add a unique key, address and middle
name. The source is declared free of duplicates, so the second record is refused a place in
the entity and flagged for review: the canaries reach every read path.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, insert, select
from typer.testing import CliRunner

from linkwise.cli import common
from linkwise.cli.main import app
from linkwise.demo import generate_world
from linkwise.govern import audit
from linkwise.govern.accounts import RoleRequiredError, User
from linkwise.govern.audit import AuditEvent
from linkwise.govern.disclosures import CaseUses
from linkwise.govern.gate import is_withheld
from linkwise.govern.session import NotFoundError
from linkwise.model.authorisations import Scope
from linkwise.model.cases import Case
from linkwise.store import audit as store_audit
from linkwise.store import authorisations as auth_store
from linkwise.store import disclosures as disclosure_store
from linkwise.store import reads, tables
from linkwise.store import resolution as resolution_store
from linkwise.workspace import Workspace
from linkwise.workspace.audit import disclosures
from linkwise.workspace.cases import revoke_authorisation
from linkwise.workspace.session import WorkspaceSession
from tests.helpers import PASSWORD, authorise, seed_case, seed_user, workspace_on, write_manifest

SOURCE = "canary_benefits"
KEYS = ("CANARYKEY-B1", "CANARYKEY-B2")
CANARIES = ("canarykey", "quillfeather", "zanzibarquill")
"""Lower-case: every structure is searched case-insensitively (normalisation changes case)."""


@dataclass
class Lab:
    ws: Workspace
    entity: str
    person: tuple[str, str]
    """The court record the canaries copy."""
    probe: dict[str, str]


Path_ = Callable[[WorkspaceSession, Lab], Any]
PATHS: dict[str, tuple[str, Path_]] = {
    "record view": ("record.view", lambda s, lab: s.record(SOURCE, KEYS[0])),
    "entity view": ("entity.view", lambda s, lab: s.entity(lab.entity)),
    "pair explanation": (
        "pair.explain",
        lambda s, lab: s.explain_pair((SOURCE, KEYS[0]), lab.person),
    ),
    "entity why": ("entity.why", lambda s, lab: s.explain_entity(lab.entity)),
    "review queue": ("review.list", lambda s, lab: s.review_queue(500)),
    "match": ("match.query", lambda s, lab: s.match(lab.probe)),
    "export": ("entity.export", lambda s, lab: s.export_entity(lab.entity)),
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
        and r["identifiers"].get("ssn")
        and len(r["dob"] or "") == 10
        and r["given_name"]
        and r["family_name"]
    )
    folder = root / "canary"
    folder.mkdir()
    with (folder / "canary.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["ID", "FIRST", "MIDDLE", "LAST", "DOB", "ADDR", "ZIP", "SSN"])
        for key in KEYS:
            out.writerow(
                [
                    key,
                    person["given_name"],
                    "Zanzibarquill",
                    person["family_name"],
                    person["dob"],
                    "77 Quillfeather Canary Lane",
                    person["postcode"] or "",
                    person["identifiers"]["ssn"],
                ]
            )
    manifest = {
        "name": SOURCE,
        "title": "Canary benefit enrolments",
        "kind": "benefit_records",
        "jurisdiction": "US",
        "path": "canary.csv",
        "key": ["ID"],
        "fields": {
            "given_name": "FIRST",
            "middle_name": "MIDDLE",
            "family_name": "LAST",
            "dob": {"column": "DOB", "format": "%Y-%m-%d"},
            "address_line": "ADDR",
            "postcode": "ZIP",
            "ssn": "SSN",
        },
        "markings": ["benefits"],
        "duplicate_free": True,
    }
    ws.add_source(write_manifest(folder, manifest))
    ws.ingest([SOURCE])
    ws.resolve(full=True)
    entity = ws.entity_of(SOURCE, KEYS[0])
    assert entity is not None
    assert ws.entity_of("court_dispositions", person["source_key"]) == entity
    probe = {
        "given_name": person["given_name"],
        "family_name": person["family_name"],
        "dob": person["dob"],
    }
    return Lab(ws, entity, ("court_dispositions", person["source_key"]), probe)


def _read(lab: Lab, user: User, case: Case, path: str) -> str:
    _, run = PATHS[path]
    with lab.ws.session(user, case.id) as session:
        return json.dumps(run(session, lab), default=str, ensure_ascii=False).lower()


def _leaks(text: str) -> list[str]:
    return [c for c in CANARIES if c in text]


def _last(lab: Lab, case: Case, action: str) -> AuditEvent:
    with lab.ws.engine.connect() as conn:
        (event,) = audit.events(conn, case_id=case.id, action=action, limit=1, newest_first=True)
    return event


@pytest.mark.parametrize("path", PATHS)
def test_a_restricted_value_is_shown_only_under_an_authorisation_in_force(
    lab: Lab, path: str
) -> None:
    action = PATHS[path][0]
    user, case = seed_case(lab.ws, title=f"leaks: {path}")
    text = _read(lab, user, case, path)
    assert _leaks(text) == []
    event = _last(lab, case, action)
    assert (event.actor, event.case_id) == (user.username, case.id)
    assert event.decision is not None
    assert event.decision["purpose"] == "criminal_investigation"
    if path == "match":
        # every value the canary records would be matched on is redacted, so they weigh
        # nothing and no candidate names them, not even as a marker: a redacted record
        # scored on its hidden name and date would confirm the ones typed
        assert SOURCE not in text
    else:
        assert SOURCE in event.decision["fields_redacted"]
        assert "marking:benefits.default" in event.decision["rules"]
    assert event.decision["authorisations_used"] == []

    subpoena = authorise(lab.ws, user, case, "subpoena", sources=[SOURCE], markings=["benefits"])
    shown = _read(lab, user, case, path)
    assert "canarykey" in shown
    event = _last(lab, case, action)
    assert event.decision is not None
    assert event.decision["authorisations_used"] == [subpoena.id]
    assert SOURCE in event.decision["fields_shown"]
    assert SOURCE not in event.decision["fields_redacted"]

    lee = seed_user(lab.ws, "lee", "legal_reviewer")
    revoke_authorisation(lab.ws, lee, subpoena.id, "quashed on appeal")
    assert _leaks(_read(lab, user, case, path)) == []
    event = _last(lab, case, action)
    assert event.decision is not None
    assert event.decision["authorisations_used"] == []


@pytest.mark.parametrize("path", PATHS)
def test_an_expired_authorisation_unlocks_nothing(lab: Lab, path: str) -> None:
    user, case = seed_case(lab.ws, title=f"expired: {path}")
    now = dt.datetime.now(dt.UTC)
    authorise(
        lab.ws,
        user,
        case,
        "subpoena",
        sources=[SOURCE],
        markings=["benefits"],
        valid_from=now - dt.timedelta(days=2),
        valid_to=now - dt.timedelta(days=1),
        approve_at=now - dt.timedelta(hours=36),
    )
    assert _leaks(_read(lab, user, case, path)) == []


@pytest.mark.parametrize("path", PATHS)
def test_a_prohibited_purpose_sees_nothing_even_with_an_authorisation(lab: Lab, path: str) -> None:
    """Civil litigation support may not use benefit records at all. Recording refuses a
    subpoena for it, so one is put in the store directly, as if the rules had been
    bypassed: the decision still prohibits the value."""
    user, case = seed_case(lab.ws, "civil_litigation_support", title=f"prohibited: {path}")
    lee = seed_user(lab.ws, "lee", "legal_reviewer")
    now = dt.datetime.now(dt.UTC)
    with lab.ws.engine.begin() as conn:
        sneaked = auth_store.insert_authorisation(
            conn,
            process="subpoena",
            issuing_authority="Superior Court of Example County",
            reference="SNEAKED-1",
            case_id=case.id,
            scope=Scope.of(sources=[SOURCE], markings=["benefits"]),
            valid_from=now - dt.timedelta(days=1),
            valid_to=now + dt.timedelta(days=1),
            recorded_by=user.id,
            recorded_at=now,
            notes="",
        )
        auth_store.set_approval(conn, sneaked, approved_by=lee.id, approved_at=now)
    text = _read(lab, user, case, path)
    assert _leaks(text) == []
    event = _last(lab, case, PATHS[path][0])
    assert event.decision is not None
    assert event.decision["authorisations_used"] == []
    # a match drops prohibited records before forming candidates, noting them for the
    # auditor only
    assert "marking:benefits.prohibited_purpose" in event.decision["rules"]
    if path != "match":
        assert '"outcome": "prohibited"' in text
    if path == "review queue":  # a masked probability takes the priority made from it along
        masked = [i for i in json.loads(text) if is_withheld(i["match_probability"])]
        assert masked
        assert all(is_withheld(i["priority"]) for i in masked)


def test_an_authorisation_limited_to_other_subjects_unlocks_nothing(lab: Lab) -> None:
    user, case = seed_case(lab.ws, title="subjects")
    with lab.ws.engine.connect() as conn:
        someone_else = conn.execute(
            select(tables.entities.c.id)
            .where(tables.entities.c.status == "active", tables.entities.c.id != lab.entity)
            .limit(1)
        ).scalar_one()
    authorise(
        lab.ws,
        user,
        case,
        "subpoena",
        sources=[SOURCE],
        markings=["benefits"],
        subjects=[someone_else],
    )
    assert _leaks(_read(lab, user, case, "entity view")) == []
    authorise(
        lab.ws,
        user,
        case,
        "subpoena",
        sources=[SOURCE],
        markings=["benefits"],
        subjects=[lab.entity],
    )
    assert "canarykey" in _read(lab, user, case, "entity view")


def test_the_command_line_prints_redactions_and_what_unlocks_them(
    lab: Lab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(common.console, "width", 250)
    monkeypatch.setattr(common.err_console, "width", 250)
    user, case = seed_case(lab.ws, title="cli")
    runner = CliRunner(
        env={
            "LINKWISE_WORKSPACE": str(lab.ws.root),
            "LINKWISE_USER": user.username,
            "LINKWISE_PASSWORD": PASSWORD,
            "LINKWISE_CASE": str(case.id),
        }
    )

    def run(*args: str) -> str:
        result = runner.invoke(app, list(args))
        assert result.exit_code == 0, result.output
        return result.output

    shown = run("entity", "show", lab.entity)
    assert "[redacted: benefits]" in shown
    assert "would be unlocked by: Subpoena (subpoena) for criminal_investigation" in shown
    assert _leaks(shown.lower()) == []
    why = run("policy", "why", f"{SOURCE}:{KEYS[0]}", "address_line")
    assert "REDACTED" in why
    assert "Subpoena" in why
    record = run("record", "show", f"{SOURCE}:{KEYS[0]}")
    assert "[redacted: benefits]" in record
    assert _leaks(record.lower()) == []
    out = tmp_path / "entity.json"
    run("entity", "export", lab.entity, "-o", str(out))
    assert _leaks(out.read_text(encoding="utf-8").lower()) == []

    lee = seed_user(lab.ws, "lee", "legal_reviewer")
    recorded = run(
        "authorisation",
        "record",
        "--process",
        "subpoena",
        "--issuing-authority",
        "Grand jury, Example County",
        "--reference",
        "GJ-2026-7",
        "--source",
        SOURCE,
        "--marking",
        "benefits",
        "--valid-from",
        (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat(),
        "--valid-to",
        (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).isoformat(),
    )
    assert "needs approval by a legal_reviewer" in recorded
    number = recorded.split("authorisation ")[1].split()[0]
    assert "awaiting_approval" in run("authorisation", "list")
    assert "canarykey" not in run("entity", "show", lab.entity).lower()
    approved = runner.invoke(
        app, ["authorisation", "approve", number], env={"LINKWISE_USER": lee.username}
    )
    assert approved.exit_code == 0, approved.output
    assert "active" in run("authorisation", "list")
    assert "CANARYKEY-B1" in run("entity", "show", lab.entity)
    assert "SHOWN" in run("policy", "why", f"{SOURCE}:{KEYS[0]}", "address_line")
    revoked = runner.invoke(
        app,
        ["authorisation", "revoke", number, "--reason", "withdrawn"],
        env={"LINKWISE_USER": lee.username},
    )
    assert revoked.exit_code == 0, revoked.output
    assert "canarykey" not in run("entity", "show", lab.entity).lower()


# -- the disclosure record -------------------------------------------------------------------


def _record_id(lab: Lab, source: str, key: str) -> int:
    with lab.ws.engine.connect() as conn:
        row = reads.current_record(conn, source, key)
    assert row is not None
    return row.id


def test_the_disclosure_record_lists_the_records_each_case_was_shown(lab: Lab) -> None:
    """A record counts as used by a case only once a read showed it something of it: the
    redacted canary is absent from the record until an authorisation unlocks it."""
    user, case = seed_case(lab.ws, title="disclosures")
    canary = _record_id(lab, SOURCE, KEYS[0])
    court = _record_id(lab, *lab.person)
    _read(lab, user, case, "entity view")
    auditor = seed_user(lab.ws, "audrey", "auditor")

    def ours() -> CaseUses:
        found = disclosures(lab.ws, auditor, lab.entity)
        assert canary in found.record_ids
        assert court in found.record_ids
        (mine,) = [c for c in found.cases if c.case_id == case.id]
        return mine

    before = ours()
    assert (before.title, before.purpose) == ("disclosures", "criminal_investigation")
    assert court in before.record_ids
    assert canary not in before.record_ids
    assert [u.action for u in before.uses] == ["entity.view"]
    assert before.uses[0].actor == user.username

    authorise(lab.ws, user, case, "subpoena", sources=[SOURCE], markings=["benefits"])
    _read(lab, user, case, "record view")
    after = ours()
    assert canary in after.record_ids
    assert [u.action for u in after.uses] == ["entity.view", "record.view"]
    assert canary in after.uses[-1].record_ids
    looked_up = _last_any(lab, "disclosure.list")
    assert looked_up.actor == "audrey"
    assert case.id in looked_up.objects["case_ids"]


def test_a_read_for_a_document_names_the_document(lab: Lab) -> None:
    user, case = seed_case(lab.ws, title="document")
    court = _record_id(lab, *lab.person)
    with (
        lab.ws.session(user, case.id) as session,
        session.reading("document.draft", document_id="DOC-17") as read,
    ):
        read.value(read.ref(*lab.person), "family_name", "x")
    found = disclosures(lab.ws, seed_user(lab.ws, "lee", "legal_reviewer"), lab.entity)
    (mine,) = [c for c in found.cases if c.case_id == case.id]
    assert mine.documents == ("DOC-17",)
    assert mine.record_ids == (court,)


def test_only_oversight_roles_read_the_disclosure_record(lab: Lab) -> None:
    analyst, _ = seed_case(lab.ws, title="nosy")
    with pytest.raises(RoleRequiredError):
        disclosures(lab.ws, analyst, lab.entity)
    denied = _last_any(lab, "permission.denied")
    assert denied.objects == {"action": "disclosure.list", "entity_id": lab.entity}
    with pytest.raises(NotFoundError):
        disclosures(lab.ws, seed_user(lab.ws, "audrey", "auditor"), "E-NO-SUCH")


def test_the_disclosure_index_cannot_invent_a_use_and_a_lost_row_is_found(lab: Lab) -> None:
    user, case = seed_case(lab.ws, title="tamper")
    _read(lab, user, case, "entity view")
    auditor = seed_user(lab.ws, "audrey", "auditor")
    canary = _record_id(lab, SOURCE, KEYS[1])
    event = _last(lab, case, "entity.view")
    assert canary not in event.objects["disclosed"]["record_ids"]
    s = tables.audit_subjects
    with lab.ws.engine.begin() as conn:
        store_audit.index_subjects(conn)
        indexed = set(conn.execute(select(s.c.subject).where(s.c.seq == event.seq)).scalars())
        assert {str(i) for i in event.objects["disclosed"]["record_ids"]} <= indexed
        if str(canary) not in indexed:  # an index row naming a record the read did not show
            conn.execute(insert(s).values(subject=str(canary), seq=event.seq))
        assert list(disclosure_store.missing_from_index(conn)) == []
        assert [u for u in disclosure_store.uses_of(conn, [canary]) if u.seq == event.seq] == []
        shown = event.objects["disclosed"]["record_ids"][0]
        conn.execute(delete(s).where(s.c.seq == event.seq, s.c.subject == str(shown)))
        assert list(disclosure_store.missing_from_index(conn)) == [(event.seq, shown)]
        conn.execute(insert(s).values(subject=str(shown), seq=event.seq))
    assert disclosures(lab.ws, auditor, lab.entity).cases


def _last_any(lab: Lab, action: str) -> AuditEvent:
    with lab.ws.engine.connect() as conn:
        (event,) = audit.events(conn, action=action, limit=1, newest_first=True)
    return event


def test_the_command_line_prints_the_disclosure_record(lab: Lab) -> None:
    user, case = seed_case(lab.ws, title="printed")
    _read(lab, user, case, "entity view")
    seed_user(lab.ws, "audrey", "auditor")
    env = {
        "LINKWISE_WORKSPACE": str(lab.ws.root),
        "LINKWISE_USER": "audrey",
        "LINKWISE_PASSWORD": PASSWORD,
    }
    runner = CliRunner(env=env)
    result = runner.invoke(app, ["audit", "disclosures", lab.entity, "--json"])
    assert result.exit_code == 0, result.output
    listed = {c["case_id"]: c for c in json.loads(result.output)["cases"]}
    assert listed[case.id]["uses"][0]["actor"] == user.username
    refused = runner.invoke(
        app, ["audit", "disclosures", lab.entity], env={"LINKWISE_USER": user.username}
    )
    assert refused.exit_code != 0
    assert "disclosure.list" in refused.output


PUBLIC = "public_records"
"""The demo world's purchased compilation: its SSNs carry ``credit_header_ssn`` (redacted in
a criminal investigation until a supervisor approves)."""


def _ssn_link(lab: Lab) -> tuple[dict[str, Any], reads.RecordRow, reads.RecordRow]:
    """A stored link between a public record and a court record that compared their SSNs."""
    with lab.ws.engine.connect() as conn:
        links = [dict(r) for r in conn.execute(select(tables.links)).mappings()]
        rows = reads.record_rows(conn, {int(i) for lk in links for i in lk_ends(lk)})
    for lk in links:
        left, right = (rows[int(i)] for i in lk_ends(lk))
        ssn = dict(lk["contributions"]).get("ssn")
        if ssn is None or int(ssn[0]) < 0 or not left.is_current or not right.is_current:
            continue
        if {left.source, right.source} == {PUBLIC, "court_dispositions"}:
            return lk, left, right
    raise AssertionError("the lab world has no public-to-court link that compared SSNs")


def lk_ends(link: dict[str, Any]) -> tuple[int, int]:
    return int(link["record_l"]), int(link["record_r"])


def _approve_ssn(lab: Lab, user: User, case: Case) -> None:
    authorise(
        lab.ws, user, case, "supervisor_approval", sources=[PUBLIC], markings=["credit_header_ssn"]
    )


def test_a_link_is_weighed_on_the_evidence_shown(lab: Lab) -> None:
    """With the SSN comparison withheld, the model's figure less the rows shown would be the
    SSN level's weight: every figure shown is the shown rows' sum instead."""
    link, left, right = _ssn_link(lab)
    user, case = seed_case(lab.ws, title="weighed on what is shown")
    stored = float(link["match_weight"])
    ssn_terms = sum(float(x) for x in dict(link["contributions"])["ssn"][1:])
    with lab.ws.session(user, case.id) as session:
        (shown,) = [
            lk for lk in session.entity(str(left.entity_id))["links"] if lk["id"] == link["id"]
        ]
        pair = session.explain_pair(
            (left.source, left.source_key), (right.source, right.source_key)
        )
    assert shown["evidence_withheld"] == ["ssn"]
    assert is_withheld(shown["contributions"]["ssn"])
    # the stored terms are rounded: the sum of those shown is within that of this
    assert shown["match_weight"] == pytest.approx(stored - ssn_terms, abs=1e-3)
    assert pair["evidence_withheld"] == ["ssn"]
    assert pair["match_weight"] == pytest.approx(stored - ssn_terms, abs=1e-3)
    rows = pair["waterfall"]
    (total,) = [r for r in rows if r["kind"] == "total"]
    counted = [
        r["combined"] for r in rows if r["kind"] != "total" and r.get("combined") is not None
    ]
    assert total["weight"] == pytest.approx(sum(counted))  # nothing left over to tell the level
    # one figure everywhere, the sum of what is shown (a rounding residue of the model's
    # figure less the rest would tell the level); the entity view reads the prior through
    # the database's JSON, so it may differ in the last bit
    assert total["weight"] == pair["match_weight"]
    assert shown["match_weight"] == pytest.approx(pair["match_weight"], rel=1e-12, abs=1e-12)
    assert abs(ssn_terms) > 1.0  # the SSNs were compared: the model's figure differs
    assert "counts only the evidence shown" in pair["sentence"]

    _approve_ssn(lab, user, case)
    with lab.ws.session(user, case.id) as session:
        (shown,) = [
            lk for lk in session.entity(str(left.entity_id))["links"] if lk["id"] == link["id"]
        ]
        pair = session.explain_pair(
            (left.source, left.source_key), (right.source, right.source_key)
        )
    assert shown["evidence_withheld"] == pair["evidence_withheld"] == []
    assert shown["match_weight"] == pair["match_weight"] == stored
    assert shown["match_probability"] == pytest.approx(float(link["match_probability"]))


def test_a_match_cannot_test_a_guess_at_a_redacted_ssn(lab: Lab) -> None:
    """Two queries that differ only in the SSN typed score a public record (whose SSN the
    case may not see) alike; once the SSN may be seen, the right one scores higher."""
    _, left, right = _ssn_link(lab)
    public = left if left.source == PUBLIC else right
    with lab.ws.engine.connect() as conn:
        (row,) = resolution_store.current_person_rows(conn, ids=[public.id])
    true_ssn = str(row["identifiers"]["ssn"])
    wrong = "123-45-6789" if true_ssn.replace("-", "") != "123456789" else "234-56-7890"
    probe = {
        "given_name": str(row["given_name"]),
        "family_name": str(row["family_name"]),
        "dob": str(row["dob"]),
    }
    user, case = seed_case(lab.ws, title="ssn oracle")

    def scored(threshold: float) -> tuple[float | None, float | None]:
        found = []
        with lab.ws.session(user, case.id) as session:
            for ssn in (true_ssn, wrong):
                results = session.match({**probe, "ssn": ssn}, threshold=threshold, top=50)
                found.append(
                    next(
                        (
                            r["probability"]
                            for c in results
                            for r in c["records"]
                            if r["record_id"] == public.id
                        ),
                        None,
                    )
                )
        return found[0], found[1]

    right_guess, wrong_guess = scored(0.0)
    assert right_guess is not None
    assert right_guess == wrong_guess
    # at a threshold just below that figure too: the wrong SSN takes the model's own figure
    # under it, yet must not drop the record before the comparison is left out (the
    # matcher scores with slack for it)
    assert scored(right_guess - 1e-9) == (right_guess, right_guess)

    # an SSN alone: the record would be found only by its redacted SSN, so it is listed
    # for no guess (else being listed would confirm the guess, whatever its probability)
    def listed(ssn: str) -> bool:
        with lab.ws.session(user, case.id) as session:
            results = session.match({"ssn": ssn}, threshold=0.0, top=50)
        return any(r["record_id"] == public.id for c in results for r in c["records"])

    assert not listed(true_ssn)
    # the auditor still sees that the query reached the record's redacted SSN
    event = _last(lab, case, "match.query")
    assert event.decision is not None
    assert "ssn" in event.decision["fields_redacted"].get(PUBLIC, [])
    assert not listed(wrong)

    _approve_ssn(lab, user, case)
    right_guess, wrong_guess = scored(0.0)
    assert right_guess is not None
    assert wrong_guess is None or right_guess > wrong_guess
    assert listed(true_ssn)
