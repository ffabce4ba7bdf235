"""No side door through search. The lab of ``tests/govern/test_session_leaks.py``: a court
defendant's name, date of birth and SSN copied into two records of ``canary_benefits``
(marked ``benefits``: redacted for a criminal investigation unless a subpoena unlocks it,
prohibited for civil litigation support), which add an address found nowhere else.

A search by that address is a search by a restricted value: without an authorisation in
force it finds nothing (finding the person would confirm the address is on file), with an
approved subpoena it finds them, after revocation nothing again, and for a purpose the
marking is prohibited for, nothing even with an authorisation. A search by the person's
visible name finds them in every case, and shows nothing of the canary records unless
authorised. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from linkwise.demo import generate_world
from linkwise.govern import audit
from linkwise.govern.accounts import User
from linkwise.model.authorisations import Scope
from linkwise.model.cases import Case
from linkwise.store import authorisations as auth_store
from linkwise.workspace.cases import revoke_authorisation
from tests.govern.test_session_leaks import CANARIES, SOURCE, Lab, _build
from tests.helpers import authorise, seed_case, seed_user, workspace_on

ADDRESS = "77 Quillfeather Canary Lane"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world")
    generate_world(out, 150, 5)
    return out


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def lab(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, world: Path
) -> Iterator[Lab]:
    root = tmp_path_factory.mktemp("lab")
    with workspace_on(request.param, root) as ws:
        yield _build(ws, world, root)


def _search(lab: Lab, user: User, case: Case, q: str | None = None, **kw: Any) -> dict[str, Any]:
    with lab.ws.session(user, case.id) as session:
        return session.search(q, **kw)


def _text(found: dict[str, Any]) -> str:
    """The results (the query echoed back is the reader's own input)."""
    return json.dumps(found["results"], default=str).lower()


def _by_name(lab: Lab) -> str:
    return f"{lab.probe['given_name']} {lab.probe['family_name']} {lab.probe['dob']}"


def _entities(found: dict[str, Any]) -> list[str]:
    return [r["entity_id"] for r in found["results"]]


def test_a_restricted_value_finds_nothing_until_an_authorisation_is_in_force(lab: Lab) -> None:
    user, case = seed_case(lab.ws, title="search leaks")
    hidden = _search(lab, user, case, address=ADDRESS)
    assert hidden["count"] == 0
    assert [c for c in CANARIES if c in _text(hidden)] == []
    by_name = _search(lab, user, case, _by_name(lab))
    assert lab.entity in _entities(by_name)
    assert [c for c in CANARIES if c in _text(by_name)] == []
    with lab.ws.engine.connect() as conn:
        (event,) = audit.events(
            conn, case_id=case.id, action="search.query", limit=1, newest_first=True
        )
    assert event.objects["fields"] == ["name", "dob"]
    assert "quillfeather" not in json.dumps(event.objects).lower()

    subpoena = authorise(lab.ws, user, case, "subpoena", sources=[SOURCE], markings=["benefits"])
    shown = _search(lab, user, case, address=ADDRESS)
    assert lab.entity in _entities(shown)
    result = next(r for r in shown["results"] if r["entity_id"] == lab.entity)
    assert result["reasons"] == ["address exact"]
    assert "canarykey" in _text(shown)  # the matched canary record, named by its key
    with lab.ws.engine.connect() as conn:
        (event,) = audit.events(
            conn, case_id=case.id, action="search.query", limit=1, newest_first=True
        )
    assert event.decision is not None
    assert event.decision["authorisations_used"] == [subpoena.id]

    lee = seed_user(lab.ws, "lee", "legal_reviewer")
    revoke_authorisation(lab.ws, lee, subpoena.id, "quashed on appeal")
    again = _search(lab, user, case, address=ADDRESS)
    assert again["count"] == 0
    assert [c for c in CANARIES if c in _text(again)] == []


def test_a_prohibited_purpose_finds_nothing_even_with_an_authorisation(lab: Lab) -> None:
    """Civil litigation support may not use benefit records at all; a subpoena is put in
    the store directly, as if the rules had been bypassed."""
    user, case = seed_case(lab.ws, "civil_litigation_support", title="search prohibited")
    lee = seed_user(lab.ws, "lee", "legal_reviewer")
    now = dt.datetime.now(dt.UTC)
    with lab.ws.engine.begin() as conn:
        sneaked = auth_store.insert_authorisation(
            conn,
            process="subpoena",
            issuing_authority="Superior Court of Example County",
            reference="SNEAKED-SEARCH",
            case_id=case.id,
            scope=Scope.of(sources=[SOURCE], markings=["benefits"]),
            valid_from=now - dt.timedelta(days=1),
            valid_to=now + dt.timedelta(days=1),
            recorded_by=user.id,
            recorded_at=now,
            notes="",
        )
        auth_store.set_approval(conn, sneaked, approved_by=lee.id, approved_at=now)
    assert _search(lab, user, case, address=ADDRESS)["count"] == 0
    by_name = _search(lab, user, case, _by_name(lab))
    assert [c for c in CANARIES if c in _text(by_name)] == []
