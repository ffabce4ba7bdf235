"""`linkwise serve`: the web app and the API for a workspace."""

from __future__ import annotations

import ipaddress
from typing import Annotated

import typer

from linkwise.cli.common import DbOpt, WorkspaceOpt, console, open_workspace
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


def serve(
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8000,
    secure_cookies: SecureOpt = False,
) -> None:
    """Serve the web app and the JSON API (/api/v1, OpenAPI at /api/v1/docs)."""
    with open_workspace(workspace, db) as ws:
        run_server(ws, host, port, secure_cookies=secure_cookies)


def run_server(ws: Workspace, host: str, port: int, *, secure_cookies: bool = False) -> None:
    import uvicorn

    from linkwise.web import create_app

    if not _loopback(host) and not secure_cookies:
        console.print(
            "[yellow]warning:[/] serving beyond this machine without --secure-cookies: put "
            "the app behind HTTPS, or session cookies travel in clear text."
        )
    app = create_app(ws, secure_cookies=secure_cookies)
    console.print(f"linkwise is serving {ws.root} at [bold]http://{host}:{port}/[/] (Ctrl-C stops)")
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
