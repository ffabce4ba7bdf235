"""Disputes and corrections (``linkwise.cases.disputes``) on a small resolved world, on
SQLite and PostgreSQL: a value dispute confirmed writes a corrected record version that a
re-ingest keeps, a link dispute confirmed becomes a "different" judgement that the next
resolution honours, and confirming lists every case and document that used the wrong data.
Nobody decides their own dispute; bad input stores nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from linkwise.cases.disputes import DisputeError, SelfResolutionError
from linkwise.cli.main import app
from linkwise.demo import generate_world
from linkwise.govern import audit
from linkwise.govern.accounts import RoleRequiredError, User
from linkwise.model.cases import Case
from linkwise.store import reads, tables
from linkwise.store import records as record_store
from linkwise.workspace import Workspace, case_work, disputes
from linkwise.workspace import drafting as wd
from tests.helpers import (
    PASSWORD,
    csv_text,
    manifest,
    person,
    seed_case,
    seed_user,
    workspace_on,
    write_manifest,
)

SHOWN_SOURCES = frozenset(
    {"court_dispositions", "jail_bookings", "vehicle_registrations", "civil_case_parties"}
)


@dataclass
class World:
    ws: Workspace
    entity: str
    a: tuple[str, str]
    b: tuple[str, str]
    """Two records of one entity, from different sources."""
    c: tuple[str, str]
    d: tuple[str, str]
    """Two records of another such entity."""
    analyst: User
    case: Case


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world")
    generate_world(out, 150, 9)
    return out


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, generated: Path
) -> Iterator[World]:
    with workspace_on(request.param, tmp_path_factory.mktemp("ws")) as ws:
        for manifest in sorted(generated.glob("*.yaml")):
            ws.add_source(manifest)
        ws.ingest()
        ws.resolve(full=True)
        (entity, a, b), (_, c, d) = _entities_with_two_sources(ws)[:2]
        analyst, case = seed_case(ws, title="disputes")
        yield World(ws, entity, a, b, c, d, analyst, case)


def _entities_with_two_sources(
    ws: Workspace,
) -> list[tuple[str, tuple[str, str], tuple[str, str]]]:
    found = []
    with ws.engine.connect() as conn:
        ids = conn.execute(
            select(tables.entities.c.id)
            .where(tables.entities.c.status == "active")
            .order_by(tables.entities.c.id)
        ).scalars()
        for entity in ids:
            rows = [r for r, _ in reads.entity_member_rows(conn, entity)]
            # sources a criminal investigation sees by default, so that reading the entity
            # discloses both records (benefit records are redacted without an order)
            by_source = {r.source: r for r in rows if r.source in SHOWN_SOURCES}
            if len(by_source) >= 2:
                first, second = list(by_source.values())[:2]
                found.append(
                    (entity, (first.source, first.source_key), (second.source, second.source_key))
                )
    assert len(found) >= 2, "the world needs two entities with records from two sources"
    return found


def _dispute_count(ws: Workspace) -> int:
    with ws.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(tables.disputes)).scalar_one())


def _signed_affidavit(w: World) -> int:
    """An affidavit drafted from the case package (the entity a subject of the case) and
    signed off by a legal reviewer: a real use of the entity's records."""
    case_work.add_subject(w.ws, w.analyst, w.case.id, w.entity, "the person disputing")
    with w.ws.session(w.analyst, w.case.id) as session:
        doc = wd.draft(session, "affidavit")
    leo = seed_user(w.ws, "leo", "legal_reviewer")
    with w.ws.session(leo, w.case.id) as session:
        signed = wd.sign_document(session, doc.id)
    assert signed.signed
    return signed.id


def test_a_confirmed_value_dispute_writes_a_corrected_version_and_lists_its_uses(
    world: World,
) -> None:
    w = world
    with w.ws.session(w.analyst, w.case.id) as session:
        session.entity(w.entity)
    doc_id = _signed_affidavit(w)
    raised = disputes.raise_(
        w.ws,
        w.analyst,
        record=w.a,
        field="dob",
        claimed_value="03/02/1981",
        evidence="birth certificate shows 3 February 1981",
        on_behalf_of="the person, by letter",
        case_id=w.case.id,
    )
    with w.ws.engine.connect() as conn:
        (event,) = audit.events(conn, action="dispute.raise", limit=1, newest_first=True)
    assert event.objects["field"] == "dob"
    assert "1981" not in json.dumps(event.objects)  # the claimed value is not in the log

    sue = seed_user(w.ws, "sue", "supervisor")
    outcome = disputes.confirm(w.ws, sue, raised.id, "certificate checked")
    correction = outcome.dispute.correction
    assert correction is not None
    versions = _versions(w.ws, *w.a)
    assert [v["is_current"] for v in versions][-2:] == [False, True]
    assert versions[-1]["id"] == correction["new_record_id"]
    assert versions[-1]["dob"] == "1981-03-02"
    assert "dispute #" in versions[-1]["notes"]["dob"]
    assert [c["case_id"] for c in outcome.affected.cases] == [w.case.id]
    assert [d["id"] for d in outcome.affected.signed_documents] == [doc_id]
    shown = disputes.show(w.ws, sue, raised.id)
    assert [d["id"] for d in shown.affected.documents] == [doc_id]

    w.ws.ingest()  # the source still says the old date: the correction stays current
    after = _versions(w.ws, *w.a)
    assert len(after) == len(versions)
    assert after[-1]["dob"] == "1981-03-02"


def test_a_confirmed_link_dispute_separates_the_records_at_the_next_resolution(
    world: World,
) -> None:
    w = world
    raised = disputes.raise_(
        w.ws, w.analyst, record=w.c, link_to=w.d, evidence="different fingerprints on file"
    )
    lee = seed_user(w.ws, "lee", "legal_reviewer")
    outcome = disputes.confirm(w.ws, lee, raised.id, "confirmed with the booking office")
    assert outcome.dispute.correction is not None
    assert "judgement_id" in outcome.dispute.correction
    last = w.ws.judgements()[-1]
    assert last.decision == "different"
    assert f"dispute #{raised.id}" in last.rationale
    w.ws.resolve(full=True)
    assert w.ws.entity_of(*w.c) != w.ws.entity_of(*w.d)


def test_nobody_decides_their_own_dispute_and_analysts_decide_none(world: World) -> None:
    w = world
    sue = seed_user(w.ws, "sue", "supervisor")
    own = disputes.raise_(
        w.ws, sue, record=w.b, field="given_name", claimed_value="Jo", evidence="ID card"
    )
    with pytest.raises(SelfResolutionError):
        disputes.confirm(w.ws, sue, own.id, "mine")
    with pytest.raises(RoleRequiredError):
        disputes.reject(w.ws, w.analyst, own.id, "no")
    with w.ws.engine.connect() as conn:
        denied = list(audit.events(conn, action="permission.denied", limit=2, newest_first=True))
    assert {e.objects["action"] for e in denied} == {"dispute.confirm", "dispute.reject"}
    lee = seed_user(w.ws, "lee", "legal_reviewer")
    rejected = disputes.reject(w.ws, lee, own.id, "the ID card is for another person")
    assert rejected.status == "rejected"
    with pytest.raises(DisputeError, match="already rejected"):
        disputes.confirm(w.ws, lee, own.id, "changed my mind")


def test_bad_disputes_are_refused_and_store_nothing(world: World) -> None:
    w = world
    before = _dispute_count(w.ws)
    cases = [
        ({"record": w.a, "field": "ssn", "claimed_value": "1", "evidence": "x"}, "cannot be"),
        ({"record": w.a, "field": "dob", "claimed_value": "not a date", "evidence": "x"}, "dob"),
        ({"record": w.a, "field": "dob", "claimed_value": "1980-01-01", "evidence": " "}, "say"),
        ({"record": ("nope", "1"), "field": "dob", "evidence": "x"}, "no current record"),
        ({"record": w.a, "link_to": w.a, "evidence": "x"}, "two different"),
    ]
    for kwargs, message in cases:
        with pytest.raises(DisputeError, match=message):
            disputes.raise_(w.ws, w.analyst, **kwargs)  # type: ignore[arg-type]
    assert _dispute_count(w.ws) == before


def test_only_deciders_and_the_raiser_see_a_disputes_person_data(world: World) -> None:
    """The claimed value, the evidence and the resolution (which mostly restate it: "birth
    certificate shows ...") and the person it was raised for are person data: shown to the
    raiser and to those who decide disputes, withheld from another analyst and an
    auditor."""
    w = world
    raised = disputes.raise_(
        w.ws,
        w.analyst,
        record=w.b,
        field="dob",
        claimed_value="1981-02-03",
        evidence="birth certificate shows 3 February 1981",
        on_behalf_of="the person, by letter",
    )
    other = seed_user(w.ws, "abi", "analyst")
    auditor = seed_user(w.ws, "aud2", "auditor")
    sue = seed_user(w.ws, "sue2", "supervisor")
    for user, shown in ((w.analyst, True), (sue, True), (other, False), (auditor, False)):
        (listed,) = [d for d in disputes.list_all(w.ws, user) if d.id == raised.id]
        viewed = disputes.show(w.ws, user, raised.id).dispute
        for found in (listed, viewed):
            assert (found.claimed_value == "1981-02-03") is shown
            assert ("3 February 1981" in found.evidence) is shown
            assert (found.on_behalf_of == "the person, by letter") is shown
            assert found.on_behalf_of is not None  # that there is someone is not withheld
    disputes.reject(w.ws, sue, raised.id, "the certificate shows 3 February 1980")
    for user, shown in ((w.analyst, True), (sue, True), (other, False), (auditor, False)):
        decided = disputes.show(w.ws, user, raised.id).dispute
        assert decided.status == "rejected"
        assert ("3 February 1980" in (decided.resolution or "")) is shown


def test_the_command_line_raises_and_confirms(world: World) -> None:
    w = world
    seed_user(w.ws, "sue", "supervisor")
    runner = CliRunner(env={"LINKWISE_WORKSPACE": str(w.ws.root), "LINKWISE_PASSWORD": PASSWORD})
    raised = runner.invoke(
        app,
        [
            *("dispute", "raise", f"{w.b[0]}:{w.b[1]}", "--field", "sex", "--value", "F"),
            *("--evidence", "passport", "--as", w.analyst.username),
        ],
    )
    assert raised.exit_code == 0, raised.output
    number = raised.output.split("raised dispute ")[1].split()[0]
    confirmed = runner.invoke(
        app, ["dispute", "confirm", number, "--resolution", "passport seen", "--as", "sue"]
    )
    assert confirmed.exit_code == 0, confirmed.output
    assert "new record version" in confirmed.output
    refused = runner.invoke(
        app, ["dispute", "raise", f"{w.b[0]}:{w.b[1]}", "--evidence", "x", "--as", "sue"]
    )
    assert refused.exit_code != 0
    assert "--field" in refused.output


def _versions(ws: Workspace, source: str, key: str) -> list[dict[str, object]]:
    with ws.engine.connect() as conn:
        return record_store.record_versions(conn, source, key)


def test_a_record_the_law_never_discloses_cannot_be_found_by_disputing_it(
    workspace: Workspace, tmp_path: Path
) -> None:
    """Raising a dispute answers for a protected victim's record (8 U.S.C. § 1367) exactly
    as for a record that does not exist, alone or as the far end of a link: the refusal
    must not tell that it is there or what it is linked to."""
    folder = tmp_path / "src"
    folder.mkdir()
    sources = {"court": ["criminal_justice"], "victims": ["protected_victim_1367"]}
    for name, markings in sources.items():
        (folder / f"{name}.csv").write_text(
            csv_text([person(1, "Vesperine", "Tanaka")]), encoding="utf-8"
        )
        workspace.add_source(
            write_manifest(folder, manifest(name, f"{name}.csv", markings=markings))
        )
    workspace.ingest()
    workspace.resolve(full=True)
    analyst, _ = seed_case(workspace)

    def refusal(**kw: object) -> str:
        with pytest.raises(DisputeError) as found:
            disputes.raise_(workspace, analyst, evidence="seen", **kw)  # type: ignore[arg-type]
        return str(found.value).replace("victims:1", "X").replace("victims:2", "X")

    missing = refusal(record=("victims", "2"), field="dob", claimed_value="1980-01-01")
    assert missing == refusal(record=("victims", "1"), field="dob", claimed_value="1980-01-01")
    assert "there is no current record" in missing
    assert refusal(record=("court", "1"), link_to=("victims", "1")) == refusal(
        record=("court", "1"), link_to=("victims", "2")
    )
    assert _dispute_count(workspace) == 0


def test_a_corrected_name_part_rewrites_the_full_name_made_from_it(world: World) -> None:
    """The package and drafts print a record's full name: a corrected family name must not
    live on in it with the old spelling."""
    w = world
    with w.ws.engine.connect() as conn:
        row = conn.execute(
            select(tables.records.c.id, tables.records.c.source_key, tables.sources.c.name)
            .join(tables.sources, tables.sources.c.id == tables.records.c.source_id)
            .where(
                tables.records.c.is_current,
                tables.records.c.full_name.is_not(None),
                tables.records.c.family_name.is_not(None),
                tables.records.c.given_name.is_not(None),
            )
            .order_by(tables.records.c.id)
            .limit(1)
        ).one()
    before = _versions(w.ws, row.name, row.source_key)[-1]
    assert before["family_name"] in before["full_name"]
    raised = disputes.raise_(
        w.ws,
        w.analyst,
        record=(row.name, row.source_key),
        field="family_name",
        claimed_value="Quillington",
        evidence="marriage certificate",
    )
    disputes.confirm(w.ws, seed_user(w.ws, "sam", "supervisor"), raised.id, "checked")
    after = _versions(w.ws, row.name, row.source_key)[-1]
    assert after["family_name"] == "quillington"
    assert after["full_name"].split() == [
        p for p in (after["given_name"], after["middle_name"], "quillington") if p
    ] + ([after["name_suffix"]] if after["name_suffix"] else [])
    assert f"dispute #{raised.id}" in after["notes"]["full_name"]
    assert repr(before["full_name"]) in after["notes"]["full_name"]
