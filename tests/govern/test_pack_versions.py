"""The policy pack in force is kept in the store, and each change of it is audited."""

from __future__ import annotations

from pathlib import Path

from linkwise.govern import audit
from linkwise.workspace import Workspace
from tests.helpers import seed_case


def _loads(ws: Workspace) -> list[dict[str, object]]:
    with ws.engine.connect() as conn:
        return [dict(e.objects) for e in audit.events(conn, action="policy.load")]


def test_the_pack_is_recorded_once_and_each_change_is_audited(
    workspace: Workspace, tmp_path: Path
) -> None:
    first = workspace.policy_history()
    assert len(first) == 1
    assert first[0]["name"] == workspace.pack.name
    assert first[0]["loaded_by"] == "(init)"
    # opening a session under the same text records nothing new
    user, case = seed_case(workspace)
    with workspace.session(user, case.id):
        pass
    assert len(workspace.policy_history()) == 1

    # the file is edited: the next session runs under the new text, recorded and audited
    pack_file = workspace.root / "policy.yaml"
    text = pack_file.read_text(encoding="utf-8")
    pack_file.write_text(text.replace('version: "', 'version: "edited-', 1), encoding="utf-8")
    reopened = Workspace.open(workspace.root, workspace.db_url)
    try:
        with reopened.session(user, case.id):
            pass
        history = reopened.policy_history()
        assert len(history) == 2
        assert str(history[1]["version"]).startswith("edited-")
        assert history[1]["loaded_by"] == user.username
        loads = _loads(reopened)
        assert len(loads) == 2
        assert loads[1]["previous_sha256"] == history[0]["sha256"]
        assert loads[1]["sha256"] == history[1]["sha256"]
        with reopened.engine.connect() as conn:
            assert audit.verify(conn).ok
    finally:
        reopened.close()
