"""`linkwise serve`: the web app and the API for a workspace."""

from __future__ import annotations

import ipaddress
import os
from typing import Annotated

import typer

from linkwise.cli.common import DbOpt, WorkspaceOpt, console, open_workspace, styled
from linkwise.workspace import Workspace

HostOpt = Annotated[
    str, typer.Option("--host", help="Address to listen on (default: this machine only).")
]
PortOpt = Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")]
SecureOpt = Annotated[
    bool,
    typer.Option(
        "--secure-cookies/--no-secure-cookies",
        help="Mark the session cookie Secure: set it whenever users reach the app over HTTPS "
        "(e.g. behind a TLS proxy).",
    ),
]


WorkersOpt = Annotated[
    int,
    typer.Option(
        "--workers",
        min=1,
        max=64,
        help="Server processes (default 1); one per core spreads requests over the cores.",
    ),
]


def serve(
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8000,
    secure_cookies: SecureOpt = False,
    workers: WorkersOpt = 1,
) -> None:
    """Serve the web app and the JSON API (/api/v1, OpenAPI at /api/v1/docs)."""
    with open_workspace(workspace, db) as ws:
        run_server(ws, host, port, secure_cookies=secure_cookies, workers=workers, db=db)


def run_server(
    ws: Workspace,
    host: str,
    port: int,
    *,
    secure_cookies: bool = False,
    workers: int = 1,
    db: str | None = None,
) -> None:
    """Serve ``ws``. With ``workers`` above 1 each worker process opens the workspace
    itself (``linkwise.web.factory``), from the environment set here."""
    import uvicorn

    from linkwise.web import create_app
    from linkwise.web.factory import SECURE_COOKIES_ENV

    if not _loopback(host) and not secure_cookies:
        console.print(
            styled(
                ("warning:", "yellow"),
                " serving beyond this machine without --secure-cookies: put the app behind "
                "HTTPS, or session cookies travel in clear text.",
            )
        )
    console.print(
        styled(
            f"linkwise is serving {ws.root} at ",
            (f"http://{host}:{port}/", "bold"),
            (f" with {workers} worker processes" if workers > 1 else "") + " (Ctrl-C stops)",
        )
    )
    if workers == 1:
        app = create_app(ws, secure_cookies=secure_cookies)
        uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False)
        return
    os.environ["LINKWISE_WORKSPACE"] = str(ws.root)
    if db:
        os.environ["LINKWISE_DB"] = db
    os.environ[SECURE_COOKIES_ENV] = "1" if secure_cookies else "0"
    uvicorn.run(
        "linkwise.web.factory:app_from_environment",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level="warning",
        proxy_headers=False,
    )


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
