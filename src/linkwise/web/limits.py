"""How large a request body the app reads.

Without a bound, one request could make the server hold gigabytes: FastAPI reads a JSON
body whole, and a form's fields are gathered in memory. Every JSON call and form of the app
is small (a note, a judgement, an authorisation), so they are held to ``BODY_LIMIT``. A
multipart upload (the dashboard's truth and tags files) is spooled to disk as it arrives and
may be as large as a truth file of a million records, so it is held to ``UPLOAD_LIMIT``.

The declared ``Content-Length`` is checked before anything is read, and the bytes that
arrive are counted too, since a chunked body declares no length. A body over its limit is
answered 413, as a problem document on ``/api`` and as an error page elsewhere, naming the
limit; nothing of it reaches the endpoint.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

BODY_LIMIT = 1 << 20
"""Bytes of any body but a multipart upload (1 MiB)."""
UPLOAD_LIMIT = 256 << 20
"""Bytes of a multipart upload (256 MiB)."""


class BodyLimit:
    """ASGI middleware holding request bodies to ``body`` bytes, multipart uploads to
    ``upload`` bytes (see the module docstring)."""

    def __init__(self, app: ASGIApp, *, body: int = BODY_LIMIT, upload: int = UPLOAD_LIMIT) -> None:
        if body <= 0 or upload <= 0:
            raise ValueError(f"body limits must be positive, got {body} and {upload}")
        self.app = app
        self.body = body
        self.upload = upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        upload = headers.get("content-type", "").startswith("multipart/form-data")
        limit = self.upload if upload else self.body
        declared = headers.get("content-length", "")
        over = declared.isdigit() and int(declared) > limit
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            if over:
                raise _too_large(limit, upload)
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
