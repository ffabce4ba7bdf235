"""The server's own behaviour: login sessions, CSRF, the case picker, errors."""

from __future__ import annotations

from linkwise.workspace import Workspace
from tests.web.conftest import Demo, api, browser


def test_pages_need_a_login_and_send_you_back_after_it(
    demo_ws: Workspace, demo_built: Demo
) -> None:
    client = browser(demo_ws, None, "")
    first = client.get("/?from=test", follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"] == "/login?next=/%3Ffrom%3Dtest"
    after = client.form(
        "/login", {"username": "ana", "password": demo_built.password, "next": "/?from=test"}
    )
    assert after.url.path == "/"
    assert after.url.query == b"from=test"
    assert "Welcome" in after.text


def test_a_wrong_password_is_refused_without_saying_why(demo_ws: Workspace) -> None:
    client = browser(demo_ws, None, "")
    response = client.form("/login", {"username": "ana", "password": "not it"})
    assert response.status_code == 401
    assert "do not match" in response.text
    assert "linkwise_session" not in response.cookies or "token" not in response.text


def test_the_session_cookie_is_httponly_and_strict(demo_ws: Workspace, demo_built: Demo) -> None:
    client = browser(demo_ws, None, "")
    response = client.post(
        "/login",
        data={"username": "ana", "password": demo_built.password, "csrf": client.csrf},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie


def test_a_form_without_the_csrf_token_is_refused(demo_ws: Workspace, demo_built: Demo) -> None:
    client = browser(demo_ws, "ana", demo_built.password)
    refused = client.post("/case", data={"case_id": str(demo_built.case_id(1))})
    assert refused.status_code == 403
    assert "expired" in refused.text
    assert "purpose:" not in client.get("/").text  # the case was not chosen
    accepted = client.choose_case(demo_built.case_id(1))
    assert "purpose: <strong>criminal_investigation</strong>" in accepted.text


def test_logging_out_revokes_the_session(demo_ws: Workspace, demo_built: Demo) -> None:
    client = browser(demo_ws, "ana", demo_built.password)
    cookie = client.cookies.get("linkwise_session")
    client.form("/logout")
    assert client.get("/", follow_redirects=False).status_code == 303
    replay = browser(demo_ws, None, "")
    replay.cookies.set("linkwise_session", cookie)  # the old cookie no longer works
    assert replay.get("/", follow_redirects=False).status_code == 303


def test_the_picker_offers_only_open_cases(demo_ws: Workspace, demo_built: Demo) -> None:
    client = browser(demo_ws, "ana", demo_built.password)
    page = client.get("/").text
    for number in (1, 2, 3):
        assert f'<option value="{demo_built.case_id(number)}"' in page
    assert f'<option value="{demo_built.case_id(4)}"' not in page  # closed
    closed = client.choose_case(demo_built.case_id(4))
    assert closed.status_code == 422
    assert "closed" in closed.text


def test_errors_are_pages_without_tracebacks(demo_ws: Workspace, demo_built: Demo) -> None:
    client = browser(demo_ws, "ana", demo_built.password)
    missing = client.get("/no/such/page")
    assert missing.status_code == 404
    assert "Traceback" not in missing.text
    assert "Go back" in missing.text
    assert "Log out" in missing.text  # the header stays, so the user can go on from here


def test_the_api_answers_problem_details(demo_ws: Workspace, demo_built: Demo) -> None:
    anonymous = api(demo_ws, "ana", demo_built.password)
    anonymous.headers.pop("Authorization")
    response = anonymous.get("/api/v1/health")
    assert response.status_code == 200
    missing = anonymous.get("/api/v1/no-such-thing")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    body = missing.json()
    assert {"type", "title", "status", "detail", "instance"} <= set(body)


def test_pages_load_nothing_from_outside_the_server(demo_ws: Workspace, demo_built: Demo) -> None:
    """Air-gapped deployments: every script, style and image comes from /static."""
    import re

    client = browser(demo_ws, "ana", demo_built.password, demo_built.case_id(1))
    pages = ["/", "/search", "/cases", "/dashboard", "/policy", "/api/v1/docs"]
    seen: set[str] = set()
    for path in pages:
        html = client.get(path).text
        for url in re.findall(r'(?:src|href)\s*=\s*["\']([^"\']+)["\']', html):
            assert not re.match(r"(?i)(https?:)?//", url), f"{path} loads {url}"
        seen.update(re.findall(r'["\'](/static/[^"\']+)["\']', html))
        seen.update(re.findall(r'url:\s*["\'](/api/v1/openapi\.json)["\']', html))
    assert any(u.endswith("htmx.min.js") for u in seen)
    assert any("swagger-ui-bundle.js" in u for u in seen)
    for url in seen:
        assert client.get(url).status_code == 200, url
