"""The web application: server-rendered pages (Jinja2 + htmx, assets vendored) and the JSON
API, in one FastAPI app (``create_app``)."""

from linkwise.web.app import create_app

__all__ = ["create_app"]
