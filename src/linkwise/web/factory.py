"""The app built in each worker process when ``linkwise serve --workers N`` runs several.

Uvicorn starts its worker processes from an import string, so a worker cannot be handed
the ``Workspace`` the command opened; it opens its own from the environment the command
sets (``LINKWISE_WORKSPACE``, ``LINKWISE_DB``, ``LINKWISE_SECURE_COOKIES``). Every worker
signs session cookies with the workspace's own key (``web_cookie_key``), so a session
started on one worker holds on the others, and each reads and audits through its own
engine on the one database.
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI

from linkwise.web.app import create_app
from linkwise.workspace import Workspace

SECURE_COOKIES_ENV = "LINKWISE_SECURE_COOKIES"


def app_from_environment() -> FastAPI:
    """The app for the workspace the environment names (see the module docstring)."""
    root = os.environ.get("LINKWISE_WORKSPACE")
    if not root:
        raise RuntimeError("LINKWISE_WORKSPACE is not set: start workers with linkwise serve")
    ws = Workspace.open(Path(root), os.environ.get("LINKWISE_DB") or None)
    return create_app(ws, secure_cookies=os.environ.get(SECURE_COOKIES_ENV) == "1")
