"""Request bodies are bounded: a JSON call or form over its limit is answered 413, naming
the limit, whether it declares its length or arrives in chunks, and nothing of it is
stored; uploads have a limit of their own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

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
    )
    assert measured.status_code != 413  # read, and then judged on its content
    too_big = client.post(
        "/dashboard/quality",
        data={"csrf": client.csrf},
        files={"truth": ("truth.csv", truth * 5, "text/csv")},
    )
    assert too_big.status_code == 413
    assert "text/html" in too_big.headers["content-type"]
    assert "an uploaded file may be at most 8 KiB" in too_big.text


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="must be positive"):
        BodyLimit(lambda *a: None, body=0)  # type: ignore[arg-type]
