"""The web app and the API over a small demo world (users, cases and authorisations of
``linkwise demo``), built once per test session on SQLite.

Tests that change things (judgements, authorisations, cases, drafts) take ``demo_copy``: a
copy of the built workspace folder of their own, so they never see each other's changes.
Read-only tests may share ``demo_ws``.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from linkwise.demo.sources.reports import NAME as REPORTS
from linkwise.store import tables as t
from linkwise.web import create_app
from linkwise.workspace import Workspace
from linkwise.workspace import users as ws_users
from linkwise.workspace.demo import build_demo
from linkwise.workspace.demo_governance import DemoAccess, demo_password, seed_governance

DEMO_PEOPLE = 600
DEMO_SEED = 11
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass(frozen=True)
class Demo:
    root: Path
    password: str
    access: DemoAccess

    def case_id(self, number: int) -> int:
        """The id of the demo's ``number``-th case (1: criminal investigation, in review;
        2: civil immigration, ready for legal; 3: benefits integrity, open; 4: closed)."""
        return self.access.cases[number - 1].id


@pytest.fixture(scope="session")
def demo_built(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    root = tmp_path_factory.mktemp("web_demo") / "ws"
    build = build_demo(root, DEMO_PEOPLE, DEMO_SEED)
    ws = build.workspace
    try:
        ws.resolve(full=True)
        access = seed_governance(ws)
        password = demo_password(ws).read_text(encoding="utf-8").strip()
    finally:
        ws.close()
    return Demo(root, password, access)


@pytest.fixture(scope="module")
def demo_ws(demo_built: Demo) -> Iterator[Workspace]:
    """The shared demo workspace: read-only tests only."""
    ws = Workspace.open(demo_built.root)
    try:
        yield ws
    finally:
        ws.close()


@pytest.fixture
def demo_copy(demo_built: Demo, tmp_path: Path) -> Iterator[Workspace]:
    """A private copy of the demo workspace, for tests that change it."""
    root = tmp_path / "ws"
    shutil.copytree(demo_built.root, root, ignore=shutil.ignore_patterns("world"))
    ws = Workspace.open(root)
    try:
        yield ws
    finally:
        ws.close()


class Browser(TestClient):
    """A TestClient logged in to the pages as one user, remembering the CSRF token."""

    csrf: str = ""

    def refresh_csrf(self, html: str) -> None:
        found = CSRF.search(html)
        if found:
            self.csrf = found.group(1)

    def form(self, url: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
        """POST a form with the session's CSRF token, as the page's own form would."""
        response = self.post(url, data={"csrf": self.csrf, **(data or {})}, **kw)
        self.refresh_csrf(response.text)
        return response

    def choose_case(self, case_id: int) -> Any:
        return self.form("/case", {"case_id": str(case_id), "next": "/"})


def browser(
    ws: Workspace, username: str | None, password: str, case_id: int | None = None
) -> Browser:
    """A client for the pages; logged in as ``username`` (unless None) and reading in
    ``case_id`` (unless None)."""
    client = Browser(create_app(ws), raise_server_exceptions=False)
    page = client.get("/login")
    client.refresh_csrf(page.text)
    if username is not None:
        response = client.form("/login", {"username": username, "password": password, "next": "/"})
        assert response.status_code == 200, response.text
        if case_id is not None:
            assert client.choose_case(case_id).status_code == 200
    return client


def api(ws: Workspace, username: str, password: str, case_id: int | None = None) -> TestClient:
    """A client for /api/v1 with a fresh API token of ``username`` (and the case header)."""
    _, secret = ws_users.create_token(ws, username, password, username, "tests", 1)
    headers = {"Authorization": f"Bearer {secret}"}
    if case_id is not None:
        headers["X-Linkwise-Case"] = str(case_id)
    return TestClient(create_app(ws), headers=headers, raise_server_exceptions=False)


def mentioned_entity(ws: Workspace) -> tuple[str, str]:
    """An entity of the demo that holds both a row of another source and a mention record of
    the demo's incident reports, and the key of that mention record."""
    with ws.engine.connect() as conn:
        rows = conn.execute(
            select(
                t.entity_members.c.entity_id,
                t.records.c.source_key,
                t.sources.c.name,
            )
            .join(t.records, t.records.c.id == t.entity_members.c.record_id)
            .join(t.sources, t.sources.c.id == t.records.c.source_id)
            .where(t.records.c.is_current)
        ).all()
    sources: dict[str, set[str]] = {}
    for entity, _, source in rows:
        sources.setdefault(entity, set()).add(source)
    entity, key = next((e, k) for e, k, s in sorted(rows) if s == REPORTS and len(sources[e]) > 1)
    return entity, key
