"""``create_app``: the FastAPI application serving the pages and ``/api/v1`` for one
workspace.

Errors never show a traceback: on ``/api`` they are RFC 9457 problem details; on pages they
are an error page that says what happened and what to do (log in, choose a case, go back),
or a redirect to the login page or the case picker.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from linkwise import __version__
from linkwise.api import router as api_router
from linkwise.api.problems import DOMAIN_ERRORS, ApiProblemError, problem_of, problem_response
from linkwise.web.auth import CaseRequiredError, CsrfError, LoginRequiredError, Web, current
from linkwise.web.limits import BODY_LIMIT, UPLOAD_LIMIT, BodyLimit
from linkwise.web.pages import router as pages_router
from linkwise.web.templating import render
from linkwise.workspace import Workspace
from linkwise.workspace.users import web_cookie_key

log = logging.getLogger("linkwise.web")
STATIC = Path(__file__).parent / "static"
SESSION_HOURS = 12


def create_app(
    ws: Workspace,
    *,
    secure_cookies: bool = False,
    body_limit: int = BODY_LIMIT,
    upload_limit: int = UPLOAD_LIMIT,
) -> FastAPI:
    """The app for ``ws``. ``secure_cookies`` marks the session cookie Secure (set it when
    the app is served over HTTPS, directly or behind a proxy). Request bodies are held to
    ``body_limit`` bytes and multipart uploads to ``upload_limit`` (``linkwise.web.limits``)."""
    app = FastAPI(
        title="linkwise",
        version=__version__,
        description=(
            "Governed access to resolved person records. Every call acts as the user of an "
            "API token (`Authorization: Bearer lw_...`) and, for person data, within a case "
            "(`X-Linkwise-Case`): the case's purpose decides what is shown, and every read is "
            "audited. Errors are RFC 9457 problem details."
        ),
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # FastAPI's own page loads Swagger UI from a CDN; ours is vendored
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    app.state.workspace = ws
    app.add_middleware(BodyLimit, body=body_limit, upload=upload_limit, reject=_error)
    app.add_middleware(
        SessionMiddleware,
        secret_key=web_cookie_key(ws).decode("utf-8"),
        session_cookie="linkwise_session",
        max_age=SESSION_HOURS * 3600,
        same_site="strict",
        https_only=secure_cookies,
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(api_router)
    app.include_router(pages_router)

    @app.get("/api/v1/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        """Interactive API documentation (Swagger UI, served from the package)."""
        return get_swagger_ui_html(
            openapi_url="/api/v1/openapi.json",
            title="linkwise API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/vendor/swagger-ui/favicon-32x32.png",
        )

    async def handle(request: Request, exc: Exception) -> Response:
        return _error(request, exc)

    # Known errors by class (answered in the app); anything else reaches the catch-all,
    # which Starlette runs outermost and answers with a 500 that names nothing internal.
    for known in (
        StarletteHTTPException,
        RequestValidationError,
        ApiProblemError,
        LoginRequiredError,
        CaseRequiredError,
        CsrfError,
        *DOMAIN_ERRORS,
    ):
        app.add_exception_handler(known, handle)
    app.add_exception_handler(Exception, handle)
    return app


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error(request: Request, exc: Exception) -> Response:
    if _is_api(request):
        return problem_response(request, exc)
    if isinstance(exc, LoginRequiredError):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    if isinstance(exc, CaseRequiredError):
        return RedirectResponse(f"/cases?need_case={quote(request.url.path)}", status_code=303)
    if isinstance(exc, CsrfError):
        return render(
            request,
            None,
            "error.html",
            status_code=403,
            title="This form has expired",
            detail="The page was open too long or came from another site. Reload the page "
            "and submit it again.",
        )
    problem = problem_of(exc)
    if problem.status >= 500:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    if problem.status == 401:
        return RedirectResponse("/login", status_code=303)
    return render(
        request,
        _who(request),
        "error.html",
        status_code=problem.status,
        title=problem.title,
        detail=problem.detail,
    )


def _who(request: Request) -> Web | None:
    """The logged-in user, if any, so an error page keeps the header (navigation, the case
    picker, Log out); an error page never fails for want of one."""
    try:
        return current(request)
    except Exception:
        return None
