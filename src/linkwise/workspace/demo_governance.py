"""The demo's people and paperwork: a user for each role, four cases of different purposes
in different states (in review, ready for legal, open, closed), each with the demo's subject,
and authorisations in every state, so that every kind of decision can be seen at once
(shown, redacted, prohibited, unlocked, expired, awaiting approval, revoked).

Everything is made through the same governed functions an operator would use (so the audit
log of a fresh demo tells the story), with two exceptions made openly: the expired warrant
is recorded and approved with back-dated times (``now`` given), as if it had been entered
two months ago, and the users share one generated password, printed by ``linkwise demo`` and
kept in ``<workspace>/.linkwise/demo-password`` (mode 0600) for the tour. Nothing here is for
real use; a real workspace starts with ``linkwise user add``.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from linkwise.govern import authorisations as auth_rules
from linkwise.govern.accounts import User
from linkwise.govern.cases import get_case
from linkwise.govern.policy import State
from linkwise.model.authorisations import Authorisation, Scope
from linkwise.model.cases import Case
from linkwise.model.roles import Role
from linkwise.store import reads
from linkwise.workspace import case_work, cases, users
from linkwise.workspace.workspace import Workspace

__all__ = ["DEMO_USERS", "PASSWORD_FILE", "DemoAccess", "demo_password", "seed_governance"]

DEMO_USERS: tuple[tuple[str, str, Role], ...] = (
    ("admin", "Demo administrator", Role.ADMINISTRATOR),
    ("ana", "Ana Ortiz (analyst)", Role.ANALYST),
    ("sam", "Sam Okafor (supervisor)", Role.SUPERVISOR),
    ("lee", "Lee Brandt (legal reviewer)", Role.LEGAL_REVIEWER),
    ("liv", "Liv Haugen (legal reviewer)", Role.LEGAL_REVIEWER),
    ("aud", "Aud Reyes (auditor)", Role.AUDITOR),
)
"""Username, display name and role. Two legal reviewers: no one approves their own order."""
PASSWORD_FILE = "demo-password"
"""In the workspace's ``.linkwise`` folder."""
COURT = "Superior Court of Example County (fictitious)"


@dataclass(frozen=True, slots=True)
class DemoAccess:
    """What the demo's governance holds, for printing."""

    created: bool
    """False when the workspace already had users (a rerun): nothing was added."""
    password_file: Path
    users: tuple[tuple[str, Role], ...]
    subject: str | None
    """The entity the subject-limited authorisations name."""
    cases: tuple[Case, ...]
    authorisations: tuple[tuple[Authorisation, State], ...]


def demo_password(ws: Workspace) -> Path:
    return ws.root / ".linkwise" / PASSWORD_FILE


def seed_governance(ws: Workspace, *, now: dt.datetime | None = None) -> DemoAccess:
    """Add the demo users, cases and authorisations to a resolved demo workspace that has
    no users yet; on one that has, add nothing and say so."""
    at = now or dt.datetime.now(dt.UTC)
    path = demo_password(ws)
    if users.has_users(ws):
        return DemoAccess(False, path, (), None, (), ())
    password = secrets.token_urlsafe(15)
    admin, *_ = DEMO_USERS
    users.add_user(ws, None, None, admin[0], admin[1], admin[2], password)
    for name, display, role in DEMO_USERS[1:]:
        users.add_user(ws, admin[0], password, name, display, role, password)
    _write_secret(path, password)
    who = {name: ws.login(name, password) for name, _, _ in DEMO_USERS}
    subject = _subject(ws)
    made = _cases(ws, who, subject, at)
    listed = tuple(
        item for case in made for item in cases.list_authorisations(ws, who["aud"], case.id)
    )
    return DemoAccess(
        True,
        path,
        tuple((name, role) for name, _, role in DEMO_USERS),
        subject,
        made,
        listed,
    )


def _cases(
    ws: Workspace, who: dict[str, User], subject: str | None, now: dt.datetime
) -> tuple[Case, ...]:
    ana, sam, lee, liv = who["ana"], who["sam"], who["lee"], who["liv"]
    day = dt.timedelta(days=1)
    subjects = [subject] if subject else []

    fraud = _open(ws, ana, "Demo 1: benefit fraud referral", "criminal_investigation", subjects)
    subpoena = _record(
        ws,
        ana,
        fraud,
        "subpoena",
        ["benefit_enrolments"],
        ["benefits"],
        now - day,
        now + 90 * day,
        subjects=subjects,
        reference="GJ-2026-0141",
        notes="Grand jury subpoena for the subject's benefit enrolments.",
    )
    cases.approve_authorisation(ws, lee, subpoena.id)
    header = _record(
        ws,
        ana,
        fraud,
        "supervisor_approval",
        ["public_records"],
        ["credit_header_ssn"],
        now - day,
        now + 30 * day,
        reference="SUP-2026-77",
        issuer="Investigations Division",
        notes="Use of credit-header SSNs approved for this investigation (15 U.S.C. 6802(e)(8)).",
    )
    cases.approve_authorisation(ws, sam, header.id)
    _record(
        ws,
        sam,
        fraud,
        "court_order",
        ["benefit_enrolments"],
        ["benefits"],
        now,
        now + 60 * day,
        reference="CO-2026-2210",
        notes="Application filed; awaiting the legal reviewer.",
    )
    quashed = _record(
        ws,
        ana,
        fraud,
        "subpoena",
        ["benefit_enrolments"],
        ["benefits"],
        now - 10 * day,
        now + 80 * day,
        reference="GJ-2026-0098",
        notes="Superseded by GJ-2026-0141.",
    )
    cases.approve_authorisation(ws, liv, quashed.id)
    cases.revoke_authorisation(ws, lee, quashed.id, "quashed on motion; replaced by GJ-2026-0141")

    removal = _open(ws, ana, "Demo 2: removal proceeding", "civil_immigration", subjects)
    recorded = now - 61 * day
    with ws.engine.begin() as conn:
        warrant = auth_rules.record_authorisation(
            conn,
            ana,
            pack=ws.pack,
            process="judicial_warrant",
            issuing_authority=COURT,
            reference="W-2026-0007",
            case_id=removal.id,
            scope=_scope(
                ["vehicle_registrations", "jail_bookings"],
                ["dmv", "state_custody_sanctuary"],
                subjects,
            ),
            valid_from=now - 60 * day,
            valid_to=now - 30 * day,
            now=recorded,
            notes="Judicial warrant; it expired a month ago (the demo back-dates it).",
        )
        auth_rules.approve_authorisation(
            conn, lee, warrant.id, pack=ws.pack, now=recorded + dt.timedelta(hours=4)
        )

    review = _open(ws, sam, "Demo 3: eligibility review", "benefits_integrity", subjects)
    admin_subpoena = _record(
        ws,
        sam,
        review,
        "administrative_subpoena",
        ["benefit_enrolments"],
        ["benefits"],
        now - day,
        now + 30 * day,
        reference="OIG-2026-0415",
        issuer="Office of Inspector General",
        notes="Inspector General subpoena (5 U.S.C. 406(a)(4)).",
    )
    cases.approve_authorisation(ws, lee, admin_subpoena.id)
    closed = _open(ws, ana, "Demo 4: closed referral", "criminal_investigation", subjects)
    _progress(ws, who, fraud, removal, review, closed)
    return tuple(_current(ws, c) for c in (fraud, removal, review, closed))


def _open(ws: Workspace, actor: User, title: str, purpose: str, subjects: Sequence[str]) -> Case:
    return case_work.create_case(
        ws, actor, title, purpose, subjects=subjects, reason="the referral names this person"
    )


def _progress(ws: Workspace, who: dict[str, User], *made: Case) -> None:
    """Work the demo cases into different states, each with its priority computed and a
    note: 1 in review, 2 ready for legal, 3 open, 4 closed (no further action)."""
    ana, sam = who["ana"], who["sam"]
    fraud, removal, review, closed = made
    for case, worker in ((fraud, ana), (removal, ana), (review, sam), (closed, ana)):
        case_work.case_priority(ws, worker, case.id)
    case_work.add_note(ws, ana, fraud.id, "Enrolment history requested under GJ-2026-0141.")
    case_work.move(ws, ana, fraud.id, "in_review", "benefit records reviewed; ready for review")
    case_work.add_note(ws, ana, removal.id, "Warrant W-2026-0007 expired; asked about renewal.")
    case_work.move(ws, ana, removal.id, "in_review", "warrant expired; a new one is needed")
    case_work.move(ws, sam, removal.id, "ready_for_legal", "legal to advise on a new warrant")
    case_work.add_note(ws, sam, review.id, "Awaiting the programme office's enrolment file.")
    case_work.add_note(ws, ana, closed.id, "Referral did not hold up on the records.")
    case_work.move(ws, sam, closed.id, "closed", "no further action")


def _current(ws: Workspace, case: Case) -> Case:
    """The case as its moves left it."""
    with ws.engine.connect() as conn:
        found = get_case(conn, case.id)
    assert found is not None
    return found


def _record(
    ws: Workspace,
    actor: User,
    case: Case,
    process: str,
    sources: Sequence[str],
    markings: Sequence[str],
    valid_from: dt.datetime,
    valid_to: dt.datetime,
    *,
    reference: str,
    notes: str,
    subjects: Sequence[str] = (),
    issuer: str = COURT,
) -> Authorisation:
    return cases.record_authorisation(
        ws,
        actor,
        case_id=case.id,
        process=process,
        issuing_authority=issuer,
        reference=reference,
        sources=sources,
        markings=markings,
        subjects=subjects,
        valid_from=valid_from,
        valid_to=valid_to,
        notes=notes,
    )


def _scope(sources: Sequence[str], markings: Sequence[str], subjects: Sequence[str]) -> Scope:
    return Scope.of(sources=sources, markings=markings, subjects=subjects)


def _subject(ws: Workspace) -> str | None:
    """A person worth a demo case: the entity holding records from the most of the demo's
    sources, benefit enrolments among them (ties: the smallest id, so reruns agree)."""
    with ws.engine.connect() as conn:
        return reads.broadest_entity(conn, required_source="benefit_enrolments")


def _write_secret(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text + "\n")
