"""Logging in and out, choosing the case, and the home page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from linkwise.govern.accounts import AuthenticationError
from linkwise.web.auth import WebUser, choose_case, log_in, log_out, refresh_picker
from linkwise.web.templating import render

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never ``//host`` or a full URL): no open redirect."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> Response:
    return render(request, None, "login.html", next=_safe_next(next), error=None)


@router.post("/login")
def login_submit(
    request: Request,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    try:
        log_in(request, username.strip(), password)
    except AuthenticationError:
        return render(
            request,
            None,
            "login.html",
            status_code=401,
            next=_safe_next(next),
            username=username,
            error="That user name and password do not match an enabled account. After "
            "repeated failures the account is locked for a while.",
        )
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    log_out(request)
    return RedirectResponse("/login", status_code=303)


@router.post("/case")
def set_case(
    web: WebUser,
    case_id: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """The header's case picker: read in another case (its purpose applies from now on)."""
    choose_case(web.request, web.ws, web.user, int(case_id) if case_id.strip().isdigit() else None)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.get("/", response_class=HTMLResponse)
def home(web: WebUser) -> Response:
    refresh_picker(web.request, web.ws, web.user)
    return render(web.request, web, "home.html")
