"""The policy pack in force is kept in the store, and each change of it is audited."""

from __future__ import annotations

from pathlib import Path

import pytest

from linkwise.govern import audit
from linkwise.govern.session import SessionRefusedError
from linkwise.workspace import Workspace, users
from tests.helpers import ADMIN, PASSWORD, seed_case


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


def test_a_changed_pack_is_recorded_even_when_the_session_is_refused(
    workspace: Workspace,
) -> None:
    """The pack's record and the actor's admission share one transaction: a refusal commits
    its own audit event and the new pack's record with it, as two transactions did."""
    user, case = seed_case(workspace)
    users.disable_user(workspace, ADMIN, PASSWORD, user.username)
    pack_file = workspace.root / "policy.yaml"
    text = pack_file.read_text(encoding="utf-8")
    pack_file.write_text(text.replace('version: "', 'version: "edited-', 1), encoding="utf-8")
    reopened = Workspace.open(workspace.root, workspace.db_url)
    try:
        with pytest.raises(SessionRefusedError, match="disabled"), reopened.session(user, case.id):
            pass
        history = reopened.policy_history()
        assert [str(h["version"]).startswith("edited-") for h in history] == [False, True]
        with reopened.engine.connect() as conn:
            refusals = list(audit.events(conn, action="permission.denied"))
        assert len(_loads(reopened)) == 2
        assert len(refusals) == 1
    finally:
        reopened.close()
