"""Schemathesis against the app's OpenAPI schema: generated requests to every operation,
as an analyst with a token and a case, must never be answered with a server error, and
every answer must match the schema the operation declares. Bounded (a few examples per
operation) so it runs in well under two minutes; it writes to a private copy of the demo."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import response_schema_conformance

from linkwise.web import create_app
from linkwise.workspace import Workspace
from linkwise.workspace import users as ws_users
from tests.web.conftest import Demo

pytestmark = pytest.mark.slow


MAX_EXAMPLES = 10
"""Per operation: enough to try each parameter's bounds, few enough to stay quick."""


def test_no_server_errors_and_schema_valid_answers(demo_copy: Workspace, demo_built: Demo) -> None:
    _, secret = ws_users.create_token(demo_copy, "ana", demo_built.password, "ana", "fuzz", 1)
    headers = {"Authorization": f"Bearer {secret}", "X-Linkwise-Case": str(demo_built.case_id(1))}
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(demo_copy))
    failures: list[str] = []
    operations = [r.ok() for r in schema.get_all_operations() if isinstance(r, Ok)]
    assert len(operations) > 40

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: schemathesis.Case[Any]) -> None:
            case.call_and_validate(
                headers=headers, checks=[not_a_server_error, response_schema_conformance]
            )

        try:
            run()
        except Exception as exc:
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)
