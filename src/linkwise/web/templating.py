"""The Jinja2 environment of the pages, and ``render``: one page with the header every page
has (user, role, the case picker, navigation by role)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from linkwise.model.roles import Role
from linkwise.web.auth import CASE_WORKERS, Web, csrf_token

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.globals["Role"] = Role


def _tojson_attr(value: Any) -> Markup:
    """JSON for an HTML attribute (autoescaped by the caller's quotes)."""
    return Markup(json.dumps(value, default=str).replace("&", "&amp;").replace("'", "&#39;"))


templates.env.filters["attrjson"] = _tojson_attr

NAV: tuple[tuple[str, str, frozenset[Role]], ...] = (
    ("/search", "Search", CASE_WORKERS),
    ("/review", "Review", CASE_WORKERS),
    ("/cases", "Cases", CASE_WORKERS),
    ("/authorisations", "Authorisations", CASE_WORKERS),
    ("/dashboard", "Dashboards", frozenset(Role)),
    ("/policy", "Policy", frozenset(Role)),
    ("/audit", "Audit", frozenset({Role.AUDITOR, Role.ADMINISTRATOR})),  # admins: verify
)
"""Header links, each shown to the roles that may use the page."""


def render(
    request: Request,
    web: Web | None,
    template: str,
    *,
    status_code: int = 200,
    **data: Any,
) -> HTMLResponse:
    context: dict[str, Any] = {
        "request": request,
        "web": web,
        "user": web.user if web else None,
        "case": web.case if web else None,
        "picker": request.session.get("picker") or [] if web else [],
        "nav": [(href, label) for href, label, roles in NAV if web and web.user.role in roles],
        "csrf": csrf_token(request),
        "path": request.url.path,
        **data,
    }
    return templates.TemplateResponse(request, template, context, status_code=status_code)
