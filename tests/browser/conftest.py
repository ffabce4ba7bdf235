"""Browser tests: the web app served by uvicorn on 127.0.0.1 over a private copy of the
demo world, driven by Playwright in Debian's Chromium (``LINKWISE_TEST_CHROMIUM`` or
``/usr/bin/chromium``; Playwright cannot download a browser here). Without Chromium the
tests are skipped, unless ``LINKWISE_TEST_REQUIRE_BROWSER=1`` (set by scripts/test.sh, which
installs it) makes that an error.

Every test can keep screenshots of the pages it saw (``shot``): they are written to
``test-artifacts/screenshots/`` (ignored by git), the artefacts of a run.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from linkwise.workspace import Workspace
from tests.web.conftest import Demo, demo_built  # noqa: F401  (the shared demo world)

CHROMIUM = os.environ.get("LINKWISE_TEST_CHROMIUM") or shutil.which("chromium") or ""
REQUIRE_BROWSER = os.environ.get("LINKWISE_TEST_REQUIRE_BROWSER") == "1"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
"""As root in a closed network: no sandbox, and none of Chromium's calls home."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Server:
    url: str
    ws: Workspace
    demo: Demo


@pytest.fixture(scope="module")
def server(demo_built: Demo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:  # noqa: F811
    """The app on a free port of 127.0.0.1, over a copy of the demo the module may change."""
    import uvicorn

    from linkwise.web import create_app

    root = tmp_path_factory.mktemp("browser") / "ws"
    shutil.copytree(demo_built.root, root, ignore=shutil.ignore_patterns("world"))
    ws = Workspace.open(root)
    port = _free_port()
    config = uvicorn.Config(create_app(ws), host="127.0.0.1", port=port, log_level="warning")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield Server(f"http://127.0.0.1:{port}", ws, demo_built)
    finally:
        uv.should_exit = True
        thread.join(timeout=10)
        ws.close()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not CHROMIUM or not Path(CHROMIUM).exists():
        if REQUIRE_BROWSER:
            pytest.fail("Chromium is required (LINKWISE_TEST_REQUIRE_BROWSER=1) but not found")
        pytest.skip("Chromium not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium: Any, server: Server) -> Iterator[Any]:
    """A fresh browser context (no cookies) on the test server."""
    context = chromium.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield pg
    finally:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def shot(page: Any, name: str) -> Path:
    """Keep a full-page screenshot as a test artefact."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{re.sub(r'[^a-z0-9_-]+', '-', name.lower())}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page: Any, server: Server, username: str, case: int | None = None) -> None:
    """Log in through the login form; with ``case`` (the demo's case number, 1 to 4) choose
    that case in the header's picker."""
    page.goto("/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(server.demo.password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/$"))
    if case is not None:
        with page.expect_navigation():
            page.get_by_label("Case").select_option(str(server.demo.case_id(case)))
