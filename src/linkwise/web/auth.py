"""Browser sessions, the case picker and CSRF protection for the pages.

A login issues the browser an ordinary linkwise token (``workspace.users.open_web_session``)
whose secret sits in Starlette's signed session cookie (HttpOnly, SameSite=Strict, Secure
when served over HTTPS or when ``secure_cookies`` is set). Every request checks the token,
so disabling the user, logging out or revoking the token ends the session at once.

The cookie also carries the chosen case (the picker in every page's header sets it; its
purpose decides what pages may show), a short list of the user's open cases for the picker,
and the CSRF token: every state-changing request must echo it, as the hidden ``csrf`` form
field or the ``X-CSRF-Token`` header that htmx sends from the page's ``hx-headers``.
"""

from __future__ import annotations

import hmac
import secrets
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

from linkwise.govern.accounts import AccountError, AuthenticationError, User
from linkwise.govern.cases import CaseError
from linkwise.model.roles import Role
from linkwise.workspace import Workspace
from linkwise.workspace import users as ws_users
from linkwise.workspace.case_work import list_cases, show_case
from linkwise.workspace.session import WorkspaceSession

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PICKER_SIZE = 20
"""Open cases kept in the cookie for the header's picker (the cases page lists them all)."""
CASE_WORKERS = frozenset({Role.ANALYST, Role.SUPERVISOR, Role.LEGAL_REVIEWER})
"""Roles that read person data in a case (auditors and administrators do not)."""


class LoginRequiredError(Exception):
    """No valid session: the page handler redirects to the login page."""


class CaseRequiredError(Exception):
    """The page reads person data and no case is chosen: redirect to the case picker."""


class CsrfError(Exception):
    """A state-changing request without the session's CSRF token."""


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return token


async def check_csrf(request: Request) -> None:
    """Router dependency: refuse any unsafe request that does not echo the CSRF token."""
    if request.method not in UNSAFE_METHODS:
        return
    expected = request.session.get("csrf")
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        form = await request.form()
        value = form.get("csrf")
        sent = value if isinstance(value, str) else None
    if not expected or not sent or not hmac.compare_digest(str(expected), sent):
        raise CsrfError()


def workspace_of(request: Request) -> Workspace:
    ws: Workspace = request.app.state.workspace
    return ws


@dataclass
class Web:
    """Who is asking and in which case: what every page handler gets."""

    request: Request
    ws: Workspace
    user: User
    case_id: int | None

    @property
    def case(self) -> dict[str, Any] | None:
        chosen = self.request.session.get("case")
        return chosen if isinstance(chosen, dict) else None

    @property
    def reads_cases(self) -> bool:
        return self.user.role in CASE_WORKERS

    def session(self) -> AbstractContextManager[WorkspaceSession]:
        """The governed session for this user in the chosen case (use as a context manager:
        ``with web.session() as s``). No case chosen: the user is sent to pick one, unless
        the role reads no person data at all: then the governed session itself refuses it
        (a 403 naming the roles that do, audited) instead of a detour to a case list the
        role may not open either."""
        if self.case_id is None:
            if not self.reads_cases:
                return self.ws.session(self.user, 0)  # no case 0: the role is refused first
            raise CaseRequiredError()
        return self.ws.session(self.user, self.case_id)

    def require_session(self) -> None:
        """For a page that shows nothing but a form for reading person data: check first
        that its reads could run (the same redirect or refusal as ``session``), rather
        than offer a form that cannot work."""
        with self.session():
            pass


def current(request: Request) -> Web:
    """The logged-in user (redirected to the login page if there is none)."""
    ws = workspace_of(request)
    secret = request.session.get("token")
    if not isinstance(secret, str):
        raise LoginRequiredError()
    try:
        user = ws_users.login_with_token(ws, secret, record_use=False)
    except AuthenticationError:
        request.session.pop("token", None)
        raise LoginRequiredError() from None
    case = request.session.get("case")
    case_id = case.get("id") if isinstance(case, dict) else None
    return Web(request, ws, user, case_id if isinstance(case_id, int) else None)


WebUser = Annotated[Web, Depends(current)]


def log_in(request: Request, username: str, password: str) -> User:
    """Check the password (audited), start the browser session and fill the picker."""
    ws = workspace_of(request)
    secret = ws_users.open_web_session(ws, username, password)
    user = ws_users.login_with_token(ws, secret, record_use=False)
    request.session.clear()
    request.session["token"] = secret
    request.session["csrf"] = secrets.token_urlsafe(24)
    refresh_picker(request, ws, user)
    return user


def log_out(request: Request) -> None:
    secret = request.session.get("token")
    if isinstance(secret, str):
        ws_users.close_web_session(workspace_of(request), secret)
    request.session.clear()


def refresh_picker(request: Request, ws: Workspace, user: User) -> list[dict[str, Any]]:
    """The user's open cases for the header's picker (newest first, at most PICKER_SIZE).
    Auditors and administrators read no case data, so their picker stays empty."""
    picks: list[dict[str, Any]] = []
    if user.role in CASE_WORKERS:
        try:
            summaries = list_cases(ws, user, statuses=("open", "in_review", "ready_for_legal"))
        except AccountError:
            summaries = []
        for summary in summaries[:PICKER_SIZE]:
            case = summary.case
            picks.append({"id": case.id, "title": case.title, "purpose": case.purpose})
    request.session["picker"] = picks
    chosen = request.session.get("case")
    if isinstance(chosen, dict) and all(p["id"] != chosen.get("id") for p in picks):
        request.session.pop("case", None)  # closed or no longer visible
    return picks


def choose_case(request: Request, ws: Workspace, user: User, case_id: int | None) -> None:
    """Set (or clear, with None) the case the next pages read in: one of the picker's, or
    any other open case the user may read (the cases page offers them all)."""
    if case_id is None:
        request.session.pop("case", None)
        return
    for pick in request.session.get("picker") or []:
        if pick["id"] == case_id:
            request.session["case"] = dict(pick)
            return
    case = show_case(ws, user, case_id).case  # refused (and audited) if not readable
    if not case.is_open:
        raise CaseClosedError(f"case {case_id} is closed; its data is no longer read")
    request.session["case"] = {"id": case.id, "title": case.title, "purpose": case.purpose}


class CaseClosedError(CaseError, ValueError):
    """A closed case cannot be chosen to read in."""
