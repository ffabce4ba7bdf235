"""`linkwise serve --workers N`: several server processes on one workspace, each opening it
itself, with login sessions that hold whichever worker answers."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil

from tests.web.conftest import Demo

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_two_workers_share_the_workspace_and_its_sessions(demo_built: Demo) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINKWISE_")}
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "linkwise", "serve", "-w", str(demo_built.root)),
            *("--port", str(port), "--workers", "2"),
        ],
        env=env,
        cwd=Path(__file__).parents[2],
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, "the server exited"
            assert time.monotonic() < deadline, "the server did not come up"
            time.sleep(0.2)
        # uvicorn starts each worker as a multiprocessing child ("spawn_main")
        children = psutil.Process(server.pid).children(recursive=True)
        assert sum(1 for p in children if "spawn_main" in " ".join(p.cmdline())) == 2

        with httpx.Client(base_url=base, follow_redirects=True, timeout=10) as client:
            page = client.get("/login")
            csrf = CSRF.search(page.text)
            assert csrf is not None
            login = client.post(
                "/login",
                data={"username": "ana", "password": demo_built.password, "csrf": csrf.group(1)},
            )
            assert login.status_code == 200
            # each request may land on either worker: the session holds on both
            for _ in range(12):
                home = client.get("/", follow_redirects=False)
                assert home.status_code == 200
                assert "Welcome" in home.text
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
