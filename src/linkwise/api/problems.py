"""Errors as RFC 9457 problem details (``application/problem+json``), and the one mapping
from linkwise's errors to HTTP statuses that the API and the pages share.

Domain errors say what went wrong and what to do; that message is the ``detail``. Anything
else is a bug: it is logged with its traceback on the server and answered with a bare 500
whose body names no internals.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from linkwise.cases.rules import CaseStateError
from linkwise.govern.accounts import AccountError, AccountStateError, AuthenticationError
from linkwise.govern.authorisations import AuthorisationError, AuthorisationStateError
from linkwise.govern.cases import CaseError
from linkwise.govern.gate import SessionError
from linkwise.model.config import ConfigError
from linkwise.workspace import WorkspaceError

log = logging.getLogger("linkwise.web")

PROBLEM_TYPE = "https://linkwise.invalid/problems/"
"""Base of each problem's ``type``: a stable name per kind of problem (not a live page)."""

DOMAIN_ERRORS: tuple[type[Exception], ...] = (
    AccountError,
    SessionError,
    CaseError,
    AuthorisationError,
    WorkspaceError,
    ConfigError,
)


STATE_ERRORS: tuple[type[Exception], ...] = (
    AccountStateError,
    AuthorisationStateError,
    CaseStateError,
)
"""Refusals of a well-formed request by the state of what it acts on (a closed case, an
approved authorisation): 409, as docs/web.md says, not 422."""


@dataclass(frozen=True, slots=True)
class Problem:
    status: int
    kind: str
    title: str
    detail: str
    extra: dict[str, Any] | None = None

    def to_json(self, instance: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": PROBLEM_TYPE + self.kind,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "instance": instance,
        }
        body.update(self.extra or {})
        return body


class ApiProblemError(Exception):
    """Raised by a route to answer with a problem of its own (e.g. a missing case)."""

    def __init__(self, status: int, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.problem = Problem(status, kind, HTTPStatus(status).phrase, detail)


def problem_of(exc: Exception) -> Problem:
    """The problem an exception is, by what kind of error it is: refused login 401, refused
    by role or policy 403, unknown object 404, bad input 422, a state that forbids the
    operation 409, anything else 500 (with a message that says nothing of the cause)."""
    if isinstance(exc, ApiProblemError):
        return exc.problem
    if isinstance(exc, StarletteHTTPException):
        status = exc.status_code
        return Problem(status, f"http-{status}", HTTPStatus(status).phrase, str(exc.detail))
    if isinstance(exc, RequestValidationError):
        errors = [
            {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", ""))} for e in exc.errors()
        ]
        where = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
        return Problem(422, "invalid-request", "Invalid request", where, {"errors": errors})
    if isinstance(exc, AuthenticationError):
        return Problem(401, "unauthenticated", "Not logged in", str(exc) or "log in again")
    if isinstance(exc, DOMAIN_ERRORS):
        message = str(exc)
        if isinstance(exc, ConfigError):
            message = "; ".join(str(p) for p in exc.problems)
        if isinstance(exc, PermissionError):
            return Problem(403, "forbidden", "Forbidden", message)
        if isinstance(exc, LookupError):
            return Problem(404, "not-found", "Not found", message)
        if isinstance(exc, STATE_ERRORS):  # well formed, but where the thing stands forbids it
            return Problem(409, "conflict", "Conflict", message)
        if isinstance(exc, ValueError):
            return Problem(422, "invalid-input", "Invalid input", message)
        return Problem(409, "refused", "Refused", message)
    return Problem(
        500,
        "internal",
        "Internal Server Error",
        "Something went wrong on the server; it is logged. Try again, or tell the "
        "administrator the time it happened.",
    )


def problem_response(request: Request, exc: Exception) -> JSONResponse:
    problem = problem_of(exc)
    if problem.status >= 500:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    headers = {"WWW-Authenticate": "Bearer"} if problem.status == 401 else None
    return JSONResponse(
        problem.to_json(request.url.path),
        status_code=problem.status,
        media_type="application/problem+json",
        headers=headers,
    )
