"""Request bodies are bounded: a JSON call or form over its limit is answered 413, naming
the limit, whether it declares its length or arrives in chunks, and nothing of it is
stored; uploads have a limit of their own."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.exceptions import HTTPException
from starlette.types import Message, Receive, Scope, Send

from linkwise.web.app import create_app
from linkwise.web.limits import BodyLimit
from linkwise.workspace import Workspace
from linkwise.workspace import users as ws_users
from tests.web.conftest import Browser, Demo

LIMIT = 2048


def _api(ws: Workspace, password: str, **limits: int) -> TestClient:
    _, secret = ws_users.create_token(ws, "ana", password, "ana", "tests", 1)
    headers = {"Authorization": f"Bearer {secret}"}
    app = create_app(ws, **limits)
    return TestClient(app, headers=headers, raise_server_exceptions=False)


def _notes(client: TestClient, case: int) -> int:
    return len(client.get(f"/api/v1/cases/{case}").json()["notes"])


def test_a_json_body_over_the_limit_is_refused_before_it_is_read(
    demo_copy: Workspace, demo_built: Demo
) -> None:
    url = f"/api/v1/cases/{demo_built.case_id(1)}/notes"
    with _api(demo_copy, demo_built.password, body_limit=LIMIT) as client:
        before = _notes(client, demo_built.case_id(1))
        small = client.post(url, json={"text": "x" * 100})
        assert small.status_code == 201, small.text
        big = client.post(url, json={"text": "x" * (LIMIT + 1)})
        assert big.status_code == 413
        assert big.headers["content-type"].startswith("application/problem+json")
        assert big.json()["detail"] == (
            "a request body may be at most 2 KiB; this one is larger and was not read"
        )
        assert _notes(client, demo_built.case_id(1)) == before + 1


def test_a_chunked_body_is_counted_as_it_arrives(demo_copy: Workspace, demo_built: Demo) -> None:
    def chunks(total: int) -> Iterator[bytes]:
        body = b'{"text": "' + b"y" * total + b'"}'
        for start in range(0, len(body), 500):
            yield body[start : start + 500]

    url = f"/api/v1/cases/{demo_built.case_id(1)}/notes"
    with _api(demo_copy, demo_built.password, body_limit=LIMIT) as client:
        before = _notes(client, demo_built.case_id(1))
        headers = {"Content-Type": "application/json"}
        big = client.post(url, content=chunks(LIMIT * 2), headers=headers)
        assert "content-length" not in big.request.headers
        assert big.status_code == 413
        assert "at most 2 KiB" in big.json()["detail"]
        small = client.post(url, content=chunks(100), headers=headers)
        assert small.status_code == 201, small.text
        assert _notes(client, demo_built.case_id(1)) == before + 1


def _run(coroutine: Coroutine[Any, Any, None]) -> None:
    """Run ``coroutine`` to its end on a loop of its own, in a thread of its own: a test
    before this one may leave an event loop running in the main thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coroutine).result()


def test_the_bytes_of_every_message_are_added_up() -> None:
    # the test client hands a chunked body over in one message; a server hands it over as
    # it arrives, in many
    read: list[bytes] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            read.append(message.get("body", b""))
            if not message.get("more_body"):
                return

    def messages(n: int) -> Receive:
        queue = [
            {"type": "http.request", "body": b"z" * 1000, "more_body": i < n - 1} for i in range(n)
        ]

        async def receive() -> Message:
            return queue.pop(0)

        return receive

    async def send(message: Message) -> None:
        raise AssertionError("nothing is sent by this app")

    scope = {"type": "http", "method": "POST", "path": "/api/v1/x", "headers": []}
    limited = BodyLimit(app, body=LIMIT)
    _run(limited(scope, messages(2), send))
    assert len(b"".join(read)) == 2000
    read.clear()
    with pytest.raises(HTTPException) as refused:
        _run(limited(scope, messages(3), send))
    assert refused.value.status_code == 413
    assert len(b"".join(read)) == 2000  # the third message never reached the app
    # a length that is not ASCII digits ("²" passes str.isdigit) is no declared length
    read.clear()
    odd = {**scope, "headers": [(b"content-length", "²".encode("latin-1"))]}
    _run(limited(odd, messages(2), send))
    assert len(b"".join(read)) == 2000


def test_a_declared_length_over_the_limit_is_answered_before_the_route_runs(
    demo_copy: Workspace, demo_built: Demo
) -> None:
    # approving reads no body: without the early answer the route would run (404 here)
    with _api(demo_copy, demo_built.password, body_limit=LIMIT) as client:
        url = "/api/v1/authorisations/999999/approve"
        assert client.post(url).status_code == 404
        refused = client.post(url, content=b"x" * (LIMIT + 1))
        assert refused.status_code == 413
        assert refused.headers["content-type"].startswith("application/problem+json")
        # a multipart body has the upload limit only where files are taken
        files = {"f": ("f.bin", b"x" * LIMIT, "application/octet-stream")}
        assert client.post(url, files=files).status_code == 413


def test_an_upload_has_its_own_limit_and_a_page_says_so(
    demo_copy: Workspace, demo_built: Demo
) -> None:
    client = Browser(
        create_app(demo_copy, body_limit=LIMIT, upload_limit=4 * LIMIT),
        raise_server_exceptions=False,
    )
    client.refresh_csrf(client.get("/login").text)
    logged_in = client.form("/login", {"username": "ana", "password": demo_built.password})
    assert logged_in.status_code == 200
    truth = b"file,record_id,true_id\n" + b"a,1,p1\n" * 500  # over 2 KiB, under 8 KiB
    assert LIMIT < len(truth) < 4 * LIMIT
    measured = client.post(
        "/dashboard/quality",
        data={"csrf": client.csrf},
        files={"truth": ("truth.csv", truth, "text/csv")},
        headers={"HX-Request": "true"},
    )
    # read whole, and then judged on its content
    assert measured.status_code == 200
    assert "line 2); each record must have exactly one row" in measured.text
    too_big = client.post(
        "/dashboard/quality",
        data={"csrf": client.csrf},
        files={"truth": ("truth.csv", truth * 5, "text/csv")},
    )
    assert too_big.status_code == 413
    assert "text/html" in too_big.headers["content-type"]
    assert "an uploaded file may be at most 8 KiB" in too_big.text
    # a page's ordinary form has the ordinary limit
    note = client.form(f"/cases/{demo_built.case_id(1)}/notes", {"text": "n" * (LIMIT + 1)})
    assert note.status_code == 413
    assert "a request body may be at most 2 KiB" in note.text


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="must be positive"):
        BodyLimit(lambda *a: None, body=0)  # type: ignore[arg-type]
