"""Small builders for test sources: write a file and a manifest beside it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from linkwise.govern.accounts import User
    from linkwise.model.authorisations import Authorisation
    from linkwise.model.cases import Case
    from linkwise.workspace import Workspace

PEOPLE_FIELDS = {
    "given_name": "FIRST",
    "family_name": "LAST",
    "dob": {"column": "DOB", "format": "%Y-%m-%d"},
    "address_line": "ADDR",
    "postcode": "ZIP",
    "phone": "PHONE",
    "ssn": "SSN",
}
PEOPLE_HEADER = ["ID", "FIRST", "LAST", "DOB", "ADDR", "ZIP", "PHONE", "SSN", "CLASS"]


def manifest(name: str = "people", path: str = "people.csv", **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": name,
        "title": f"Test source {name}",
        "kind": "court_records",
        "jurisdiction": "US-XX",
        "path": path,
        "key": ["ID"],
        "fields": dict(PEOPLE_FIELDS),
        "facts": {
            "offense_class": {
                "column": "CLASS",
                "type": "enum",
                "values": ["felony", "misdemeanor", "infraction"],
            }
        },
        "markings": ["criminal_justice"],
        "retention_days": 3650,
    }
    data.update(extra)
    return data


def write_manifest(folder: Path, data: dict[str, Any], filename: str | None = None) -> Path:
    path = folder / (filename or f"{data['name']}.yaml")
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def csv_text(rows: list[list[str]], header: list[str] | None = None, delimiter: str = ",") -> str:
    lines = [header or PEOPLE_HEADER, *rows]
    return "\n".join(delimiter.join(r) for r in lines) + "\n"


def person(i: int, first: str = "John", last: str = "Smith", **over: str) -> list[str]:
    row = {
        "ID": str(i),
        "FIRST": first,
        "LAST": last,
        "DOB": f"19{50 + i % 40}-0{1 + i % 9}-1{i % 10}",
        "ADDR": f"{i} Main St",
        "ZIP": "62704",
        "PHONE": f"(217) 555-{i % 10000:04d}",
        "SSN": f"2{i % 100:02d}-45-{1000 + i % 9000:04d}",
        "CLASS": "felony",
    }
    row.update(over)
    return [row[h] for h in PEOPLE_HEADER]


# -- governed reads ---------------------------------------------------------------------------

PASSWORD = "correct horse battery staple"
"""Every test user's password (the policy wants 12 characters and no username in it)."""
ADMIN = "admin"


def seed_user(ws: Workspace, username: str, role: str = "analyst") -> User:
    """A logged-in user of ``role``, added (with the workspace's first administrator, when
    there is none yet) unless it exists."""
    from linkwise.govern.users import get_user_by_name
    from linkwise.workspace import users

    if not users.has_users(ws):
        users.add_user(ws, None, None, ADMIN, "", "administrator", PASSWORD)
    with ws.engine.connect() as conn:
        exists = get_user_by_name(conn, username) is not None
    if not exists:
        users.add_user(ws, ADMIN, PASSWORD, username, "", role, PASSWORD)
    return ws.login(username, PASSWORD)


def widen_credit_marking(ws: Workspace, folder: Path, fields: str) -> None:
    """Have the workspace's pack restrict ``fields`` (a YAML list's inside, such as ``"ssn,
    family_name"``) of credit-header records, where the demo pack's ``credit_header_ssn``
    marking restricts the SSN alone: a marking that restricts some fields of a record and
    shows the rest. The pack text goes to ``folder / "pack.yaml"``."""
    from linkwise.model.policy import load_policy_pack

    text = ws.pack_text.replace("    fields: [ssn]\n", f"    fields: [{fields}]\n")
    assert text != ws.pack_text, "the demo pack's credit-header marking has changed"
    path = folder / "pack.yaml"
    path.write_text(text, encoding="utf-8")
    ws.pack, ws.pack_text = load_policy_pack(path), text


def seed_case(
    ws: Workspace,
    purpose: str = "criminal_investigation",
    *,
    username: str = "ann",
    role: str = "analyst",
    title: str = "Test case",
) -> tuple[User, Case]:
    """A case worker and an open case of ``purpose`` for them to read in: what every test of
    a person-data read path needs (``with ws.session(user, case.id) as s: ...``)."""
    from linkwise.workspace import cases

    user = seed_user(ws, username, role)
    opener = user if role in ("analyst", "supervisor") else seed_user(ws, "sue", "supervisor")
    return user, cases.open_case(ws, opener, title, purpose)


def stored_versions(ws: Workspace, source: str, source_key: str) -> list[dict[str, Any]]:
    """What ingestion stored for a row, every version, with per-value origins, read from the
    store directly: tests of ingestion check the store, not what a case may see of it."""
    from linkwise.model.fields import RECORD_COLUMNS
    from linkwise.model.manifest import Manifest
    from linkwise.model.provenance import value_origins
    from linkwise.store.records import record_versions

    with ws.engine.connect() as conn:
        versions = record_versions(conn, source, source_key)
    for item in versions:
        manifest = Manifest.model_validate(item.pop("run_manifest"))
        canonical = {c: item[c] for c in RECORD_COLUMNS}
        item["origins"] = value_origins(manifest, item["raw"], canonical, item["notes"])
    return versions


def authorise(
    ws: Workspace,
    recorder: User,
    case: Case,
    process: str,
    *,
    sources: list[str],
    markings: list[str],
    subjects: list[str] | None = None,
    valid_from: dt.datetime | None = None,
    valid_to: dt.datetime | None = None,
    approve_at: dt.datetime | None = None,
) -> Authorisation:
    """Record an authorisation for ``case`` and, when its process needs it, have a user of
    the first approving role (never the recorder) approve it. Valid for a day either side of
    now unless told otherwise; ``approve_at`` approves it as of that moment (to approve one
    whose validity has already run out)."""
    from linkwise.govern.authorisations import approve_authorisation
    from linkwise.workspace import cases

    now = dt.datetime.now(dt.UTC)
    auth = cases.record_authorisation(
        ws,
        recorder,
        case_id=case.id,
        process=process,
        issuing_authority="Superior Court of Example County",
        reference=f"TEST-{process}-{case.id}",
        sources=sources,
        markings=markings,
        subjects=subjects or [],
        valid_from=valid_from or now - dt.timedelta(days=1),
        valid_to=valid_to or now + dt.timedelta(days=1),
    )
    approvers = ws.pack.legal_processes[process].approved_by
    if not approvers:
        return auth
    role = approvers[0].value
    names = {"legal_reviewer": ["lee", "lou"], "supervisor": ["sue", "sam"]}.get(role, [role])
    name = next(n for n in [*names, f"{role}2"] if n != recorder.username)
    approver = seed_user(ws, name, role)
    if approve_at is None:
        return cases.approve_authorisation(ws, approver, auth.id)
    with ws.engine.begin() as conn:
        return approve_authorisation(conn, approver, auth.id, pack=ws.pack, now=approve_at)


# -- workspaces on either database ------------------------------------------------------------


@contextmanager
def workspace_on(backend: str, root: Path) -> Iterator[Workspace]:
    """A new workspace in ``root / "ws"`` on SQLite (``backend == "sqlite"``) or on a fresh
    PostgreSQL database, closed (and the PostgreSQL database dropped) afterwards: the body of
    every module fixture parametrised over both databases."""
    from linkwise.workspace import Workspace
    from tests.conftest import _pg_database

    database: Any = None  # the generator of _pg_database; closing it drops the database
    if backend == "sqlite":
        url = f"sqlite:///{root / 'store.db'}"
    else:
        database = _pg_database()
        url = next(database)
    ws, _ = Workspace.init(root / "ws", url)
    try:
        yield ws
    finally:
        ws.close()
        if database is not None:
            database.close()  # drops the PostgreSQL database


WORLD_PEOPLE = 400
"""People in the generated world the resolution tests share (``tests/resolve/conftest.py``,
seed 5): about 900 records, several per person."""


@contextmanager
def world_workspace(root: Path, world: Path, url: str | None = None) -> Iterator[Workspace]:
    """A new workspace in ``root`` (SQLite, or the database ``url`` names) with every source
    of a generated demo ``world`` added and ingested, closed afterwards."""
    from linkwise.workspace import Workspace

    ws, _ = Workspace.init(root, url)
    try:
        for manifest in sorted(world.glob("*.yaml")):
            ws.add_source(manifest)
        ws.ingest()
        yield ws
    finally:
        ws.close()
