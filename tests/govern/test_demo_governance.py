"""The demo's users, cases and authorisations (``linkwise.workspace.demo_governance``):
every kind of decision can be seen in a fresh demo, through the same governed session as
everything else."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from linkwise.govern import audit
from linkwise.model.roles import Role
from linkwise.workspace import Workspace
from linkwise.workspace.demo import build_demo
from linkwise.workspace.demo_governance import DemoAccess, demo_password, seed_governance


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, DemoAccess]]:
    build = build_demo(tmp_path_factory.mktemp("demo"), 400, 11)
    ws = build.workspace
    ws.resolve(full=True)
    try:
        yield ws, seed_governance(ws)
    finally:
        ws.close()


def _entity(ws: Workspace, access: DemoAccess, user: str, case_no: int) -> str:
    password = demo_password(ws).read_text().strip()
    actor = ws.login(user, password)
    assert access.subject is not None
    with ws.session(actor, access.cases[case_no].id) as session:
        return json.dumps(session.entity(access.subject), default=str)


def test_each_role_has_a_user_and_the_password_file_is_private(
    demo: tuple[Workspace, DemoAccess],
) -> None:
    ws, access = demo
    assert access.created
    assert {role for _, role in access.users} == set(Role)
    path = demo_password(ws)
    assert path.stat().st_mode & 0o777 == 0o600
    password = path.read_text().strip()
    for name, _ in access.users:
        assert ws.login(name, password).username == name


def test_authorisations_cover_every_state(demo: tuple[Workspace, DemoAccess]) -> None:
    _, access = demo
    states = {state for _, state in access.authorisations}
    assert {"active", "awaiting_approval", "revoked", "expired"} <= states
    (warrant,) = [a for a, s in access.authorisations if s == "expired"]
    assert warrant.process == "judicial_warrant"
    assert warrant.approved_by is not None
    assert warrant.approved_by != warrant.recorded_by


def test_the_demo_cases_show_each_kind_of_decision(demo: tuple[Workspace, DemoAccess]) -> None:
    ws, access = demo
    fraud = _entity(ws, access, "ana", 0)
    assert "benefit_enrolments" in fraud
    assert '"marking": "benefits"' not in fraud  # the subpoena unlocks them for the subject
    removal = _entity(ws, access, "ana", 1)
    assert '"outcome": "prohibited"' in removal  # the warrant expired
    review = _entity(ws, access, "sam", 2)
    assert '"marking": "purchased_public_records"' in review


def test_the_log_tells_the_story_and_verifies(demo: tuple[Workspace, DemoAccess]) -> None:
    ws, _ = demo
    with ws.engine.connect() as conn:
        actions = [e.action for e in audit.events(conn)]
        assert audit.verify(conn).ok
    assert actions.count("user.add") == 6
    assert actions.count("case.open") == 4  # three purposes, and one closed referral
    assert actions.count("authorisation.revoke") == 1


def test_a_second_run_adds_nothing(demo: tuple[Workspace, DemoAccess]) -> None:
    ws, _ = demo
    again = seed_governance(ws)
    assert not again.created
    assert again.cases == ()


def test_demo_password_path_is_in_the_workspace(demo: tuple[Workspace, DemoAccess]) -> None:
    ws, _ = demo
    assert demo_password(ws).parent == Path(ws.root) / ".linkwise"
