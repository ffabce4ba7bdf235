"""The case commands end to end through the CLI: list, show, assign, move (a refusal exits 2
with the reason), note, subject add/remove, priority."""

from __future__ import annotations

import json

from sqlalchemy import select
from typer.testing import CliRunner

from linkwise.cli.main import app
from linkwise.store import tables
from linkwise.workspace import Workspace, case_work
from tests.helpers import PASSWORD, seed_user

runner = CliRunner()


def _run(ws: Workspace, *args: str, actor: str) -> tuple[int, str]:
    result = runner.invoke(
        app,
        [*args, "-w", str(ws.root), "--as", actor],
        env={"LINKWISE_PASSWORD": PASSWORD, "COLUMNS": "200"},
    )
    return result.exit_code, result.output


def _an_entity(ws: Workspace) -> str:
    with ws.engine.connect() as conn:
        return str(
            conn.execute(
                select(tables.entities.c.id).where(tables.entities.c.status == "active")
            ).scalar()
        )


def test_the_case_commands(resolved: Workspace) -> None:
    ws = resolved
    ann = seed_user(ws, "ann", "analyst")
    seed_user(ws, "sue", "supervisor")
    seed_user(ws, "bob", "analyst")
    entity = _an_entity(ws)
    case = case_work.create_case(ws, ann, "CLI case", "criminal_investigation")
    cid = str(case.id)

    code, out = _run(ws, "case", "subject", "add", cid, entity, "--reason", "tip", actor="ann")
    assert code == 0, out
    code, out = _run(ws, "case", "note", cid, "first contact made", actor="ann")
    assert code == 0, out
    code, out = _run(ws, "case", "move", cid, "ready_for_legal", actor="ann")
    assert code == 2
    assert "from there it can move to" in out
    code, out = _run(ws, "case", "assign", cid, "bob", actor="ann")
    assert code == 2
    assert "needs a supervisor" in out
    code, out = _run(ws, "case", "assign", cid, "bob", actor="sue")
    assert code == 0, out
    code, out = _run(ws, "case", "move", cid, "in_review", "--reason", "done", actor="bob")
    assert code == 0, out
    assert f"case {cid} is now in_review" in out

    code, out = _run(ws, "case", "priority", cid, "--json", actor="bob")
    assert code == 0, out
    assert json.loads(out)["case_id"] == case.id
    code, out = _run(ws, "case", "list", "--status", "in_review", actor="sue")
    assert code == 0, out
    assert "CLI case" in out
    code, out = _run(ws, "case", "show", cid, actor="sue")
    assert code == 0, out
    assert "open → in_review (done)" in out
    assert "first contact made" in out
    code, out = _run(ws, "case", "show", cid, "--json", actor="sue")
    assert json.loads(out)["subjects"][0]["entity_id"] == entity
    code, out = _run(ws, "case", "subject", "remove", cid, entity, "--reason", "no", actor="bob")
    assert code == 0, out
    code, out = _run(
        ws,
        "case",
        "subject",
        "confirm",
        cid,
        entity,
        "--entity",
        entity,
        "--reason",
        "x",
        actor="bob",
    )
    assert code == 2
    assert "is not a subject of case" in out


def test_entity_commands_refuse_bad_options_before_reading(resolved: Workspace) -> None:
    """An export is audited as a disclosure when it is read: a path that cannot be written
    is refused first, so the log never records an export that wrote nothing."""
    ws = resolved
    seed_user(ws, "ann", "analyst")
    ann = ws.login("ann", PASSWORD)
    entity = _an_entity(ws)
    case = case_work.create_case(ws, ann, "export case", "criminal_investigation")
    cid = str(case.id)

    def exports() -> int:
        with ws.engine.connect() as conn:
            return len(
                conn.execute(
                    select(tables.audit_events.c.seq).where(
                        tables.audit_events.c.action == "entity.export"
                    )
                ).all()
            )

    before = exports()
    missing = ws.root / "nowhere" / "e.json"
    code, out = _run(
        ws, "entity", "export", entity, "--out", str(missing), "--case", cid, actor="ann"
    )
    assert code == 2
    assert "the folder" in out
    assert "does not exist" in out
    code, out = _run(
        ws, "entity", "export", entity, "--out", str(ws.root), "--case", cid, actor="ann"
    )
    assert code == 2
    assert "a folder; name a file in it" in out
    assert exports() == before
    code, out = _run(
        ws, "review", "list", "--limit", "99999999999999999999", "--case", cid, actor="ann"
    )
    assert code == 2
    assert "Traceback" not in out
