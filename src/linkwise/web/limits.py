"""How large a request body the app reads.

Without a bound, one request could make the server hold gigabytes: FastAPI reads a JSON
body whole, and a form's fields are gathered in memory. Every JSON call and form of the app
is small (a note, a judgement, an authorisation), so they are held to ``BODY_LIMIT``. The
dashboard's truth and tags files (``UPLOAD_PATHS``, multipart) are spooled to disk as they
arrive and may be as large as a truth file of a million records, so they are held to
``UPLOAD_LIMIT``; a multipart body sent anywhere else has the ordinary limit.

A body that declares a ``Content-Length`` over its limit is answered 413 at once, before
the app sees the request, whether or not the route would read it. A body without one
(chunked) is counted as it arrives, and the route that reads it gets a 413 when it passes
the limit, before it has acted on it. The answer names the limit: a problem document on
``/api``, an error page elsewhere (``create_app`` passes its own error responder).
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

BODY_LIMIT = 1 << 20
"""Bytes of any body but a multipart upload (1 MiB)."""
UPLOAD_LIMIT = 256 << 20
"""Bytes of a multipart upload to one of ``UPLOAD_PATHS`` (256 MiB)."""
UPLOAD_PATHS = frozenset({"/dashboard/quality"})
"""The routes that take files."""
Responder = Callable[[Request, Exception], Response]


def _plain(_request: Request, exc: Exception) -> Response:
    return PlainTextResponse(str(getattr(exc, "detail", exc)), status_code=413)


class BodyLimit:
    """ASGI middleware holding request bodies to ``body`` bytes, multipart uploads to
    ``upload_paths`` to ``upload`` bytes; ``reject`` answers a request refused before the
    app sees it (see the module docstring)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        body: int = BODY_LIMIT,
        upload: int = UPLOAD_LIMIT,
        upload_paths: Collection[str] = UPLOAD_PATHS,
        reject: Responder = _plain,
    ) -> None:
        if body <= 0 or upload <= 0:
            raise ValueError(f"body limits must be positive, got {body} and {upload}")
        self.app = app
        self.body = body
        self.upload = upload
        self.upload_paths = frozenset(upload_paths)
        self.reject = reject

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        media = headers.get("content-type", "").split(";")[0].strip().lower()
        upload = media == "multipart/form-data" and scope["path"] in self.upload_paths
        limit = self.upload if upload else self.body
        declared = headers.get("content-length", "")
        if declared.isascii() and declared.isdigit() and int(declared) > limit:
            response = self.reject(Request(scope, receive), _too_large(limit, upload))
            await response(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _too_large(limit, upload)
            return message

        await self.app(scope, limited, send)


def _too_large(limit: int, upload: bool) -> HTTPException:
    what = "an uploaded file" if upload else "a request body"
    return HTTPException(
        413,
        detail=f"{what} may be at most {_size(limit)}; this one is larger and was not read",
    )


def _size(n: int) -> str:
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale and n % scale == 0:
            return f"{n // scale} {unit}"
    return f"{n:,} bytes"
