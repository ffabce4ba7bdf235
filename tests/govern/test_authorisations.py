"""Recording, approving and revoking authorisations, and opening the cases they serve
(linkwise.govern.authorisations, linkwise.govern.cases), on SQLite and PostgreSQL: who may
do what under the demo pack, what is refused and why, and the audit events written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, select

from linkwise.govern.accounts import RoleRequiredError, User
from linkwise.govern.authorisations import (
    AuthorisationStateError,
    InvalidAuthorisationError,
    Scope,
    SelfApprovalError,
    UnknownAuthorisationError,
    UnknownCaseError,
    approve_authorisation,
    authorisations_for_case,
    get_authorisation,
    record_authorisation,
    revoke_authorisation,
)
from linkwise.govern.cases import InvalidCaseError, get_case, open_case
from linkwise.govern.policy import decide
from linkwise.model.cases import Case
from linkwise.model.policy import PolicyPack, default_pack_path, load_policy_pack
from linkwise.model.roles import Role
from linkwise.store import users as user_store
from linkwise.store.catalog import upsert_source
from linkwise.store.engine import make_engine, migrate
from linkwise.store.tables import audit_events

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
FROM = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
TO = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
SOURCES = {
    "vehicle_registrations": ["dmv"],
    "jail_bookings": ["criminal_justice", "state_custody_sanctuary"],
    "irs_extract": ["taxpayer_return"],
    "court_dispositions": ["criminal_justice"],
}
PEOPLE = {
    "ann": Role.ANALYST,
    "bob": Role.ANALYST,
    "sue": Role.SUPERVISOR,
    "sam": Role.SUPERVISOR,
    "lee": Role.LEGAL_REVIEWER,
    "lou": Role.LEGAL_REVIEWER,
    "aud": Role.AUDITOR,
    "root": Role.ADMINISTRATOR,
}


@pytest.fixture(scope="module")
def pack() -> PolicyPack:
    return load_policy_pack(default_pack_path())


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    migrate(engine)
    with engine.begin() as conn:
        for name, markings in SOURCES.items():
            manifest = {
                "name": name,
                "title": name,
                "kind": "test",
                "jurisdiction": "US",
                "markings": markings,
            }
            upsert_source(conn, manifest, f"{name}.yaml", "0" * 64)
    yield engine
    engine.dispose()


@pytest.fixture
def people(engine: Engine) -> dict[str, User]:
    out = {}
    with engine.begin() as conn:
        for username, role in PEOPLE.items():
            user_id = user_store.insert_user(
                conn,
                username=username,
                display_name=username.title(),
                role=role.value,
                password_hash="x",
                created_at=T0,
                created_by="test",
            )
            out[username] = User(user_id, username, username.title(), role, disabled=False)
    return out


@pytest.fixture
def imm_case(engine: Engine, pack: PolicyPack, people: dict[str, User]) -> Case:
    with engine.begin() as conn:
        return open_case(
            conn, people["ann"], "Removal proceedings A-123", "civil_immigration", pack=pack
        )


@pytest.fixture
def ci_case(engine: Engine, pack: PolicyPack, people: dict[str, User]) -> Case:
    with engine.begin() as conn:
        return open_case(
            conn, people["bob"], "Fraud ring 2026-14", "criminal_investigation", pack=pack
        )


def _record(engine: Engine, pack: PolicyPack, actor: User, case: Case, **over: Any) -> Any:
    kw: dict[str, Any] = {
        "process": "judicial_warrant",
        "issuing_authority": "Superior Court of Example County",
        "reference": "SW-2026-0042",
        "case_id": case.id,
        "scope": Scope.of(sources=["vehicle_registrations"], markings=["dmv"]),
        "valid_from": FROM,
        "valid_to": TO,
        "notes": "signed by Judge Roe",
        "now": T0,
    }
    kw.update(over)
    with engine.begin() as conn:
        return record_authorisation(conn, actor, pack=pack, **kw)


def _events(engine: Engine, action: str) -> list[dict[str, Any]]:
    query = select(audit_events).where(audit_events.c.action == action).order_by(audit_events.c.seq)
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def _dmv_decision(engine: Engine, pack: PolicyPack, case: Case, now: dt.datetime) -> str:
    with engine.connect() as conn:
        auths = authorisations_for_case(conn, case.id)
    return decide(
        pack,
        purpose=case.purpose,
        markings=["dmv"],
        field="address_line",
        authorisations=auths,
        subject="E1",
        source="vehicle_registrations",
        now=now,
        case_id=case.id,
    ).outcome


# -- the happy path ------------------------------------------------------------------------


def test_record_then_approve_then_revoke(
    engine: Engine, pack: PolicyPack, people: dict[str, User], imm_case: Case
) -> None:
    during = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)
    auth = _record(engine, pack, people["ann"], imm_case)
    assert auth.process == "judicial_warrant"
    assert auth.case_purpose == "civil_immigration"
    assert auth.recorded_by == people["ann"].id
    assert auth.valid_from == FROM
    assert auth.valid_to == TO
    assert auth.valid_to.tzinfo is not None
    assert auth.scope == Scope(("vehicle_registrations",), ("dmv",), ())
    assert not auth.approved
    assert _dmv_decision(engine, pack, imm_case, during) == "prohibited"

    with engine.begin() as conn:
        approved = approve_authorisation(conn, people["lee"], auth.id, pack=pack, now=T0)
    assert approved.approved_by == people["lee"].id
    assert approved.approved_at == T0
    assert _dmv_decision(engine, pack, imm_case, during) == "shown"

    with engine.begin() as conn:
        revoked = revoke_authorisation(
            conn, people["lee"], auth.id, "  warrant   quashed ", pack=pack, now=during
        )
    assert revoked.revoked_by == people["lee"].id
    assert revoked.revocation_reason == "warrant quashed"
    assert _dmv_decision(engine, pack, imm_case, during) == "prohibited"

    (rec,) = _events(engine, "authorisation.record")
    assert rec["actor"] == "ann"
    assert rec["case_id"] == imm_case.id
    assert rec["objects"]["authorisation_id"] == auth.id
    assert rec["objects"]["scope"] == {
        "sources": ["vehicle_registrations"],
        "markings": ["dmv"],
        "subjects": [],
    }
    assert rec["decision"]["rule"] == "legal_processes.judicial_warrant.recorded_by"
    (app,) = _events(engine, "authorisation.approve")
    assert (app["actor"], app["case_id"]) == ("lee", imm_case.id)
    (rev,) = _events(engine, "authorisation.revoke")
    assert rev["actor"] == "lee"
    assert rev["decision"]["reason"] == "warrant quashed"
    assert rev["decision"]["state_before"] == "active"


def test_lookups(
    engine: Engine, pack: PolicyPack, people: dict[str, User], imm_case: Case, ci_case: Case
) -> None:
    first = _record(engine, pack, people["ann"], imm_case)
    second = _record(engine, pack, people["bob"], imm_case, reference="SW-2")
    with engine.connect() as conn:
        assert [a.id for a in authorisations_for_case(conn, imm_case.id)] == [first.id, second.id]
        assert authorisations_for_case(conn, ci_case.id) == []
        assert get_authorisation(conn, first.id) == first
        assert get_authorisation(conn, 999) is None
        assert get_case(conn, imm_case.id) == imm_case
        assert get_case(conn, 999) is None


def test_process_without_approvers_is_effective_once_recorded(
    engine: Engine, pack: PolicyPack, people: dict[str, User], ci_case: Case
) -> None:
    with engine.begin() as conn:
        upsert_source(
            conn,
            {
                "name": "federal_system",
                "title": "f",
                "kind": "t",
                "jurisdiction": "US",
                "markings": ["privacy_act_system"],
            },
            "f.yaml",
            "0" * 64,
        )
    auth = _record(
        engine,
        pack,
        people["lee"],
        ci_case,
        process="routine_use",
        scope=Scope.of(sources=["federal_system"], markings=["privacy_act_system"]),
    )
    with engine.connect() as conn:
        auths = authorisations_for_case(conn, ci_case.id)
    d = decide(
        pack,
        purpose=ci_case.purpose,
        markings=["privacy_act_system"],
        field=None,
        authorisations=auths,
        subject=None,
        source="federal_system",
        now=T0,
        case_id=ci_case.id,
    )
    assert (d.outcome, d.unlocked_by) == ("shown", auth.id)
    with engine.begin() as conn, pytest.raises(AuthorisationStateError, match="needs no approval"):
        approve_authorisation(conn, people["lou"], auth.id, pack=pack)


def test_supervisor_approval_is_approved_by_another_supervisor(
    engine: Engine, pack: PolicyPack, people: dict[str, User], ci_case: Case
) -> None:
    with engine.begin() as conn:
        upsert_source(
            conn,
            {
                "name": "public_records",
                "title": "p",
                "kind": "t",
                "jurisdiction": "US",
                "markings": ["purchased_public_records", "credit_header_ssn"],
            },
            "p.yaml",
            "0" * 64,
        )
    auth = _record(
        engine,
        pack,
        people["sue"],
        ci_case,
        process="supervisor_approval",
        issuing_authority="Fraud unit",
        scope=Scope.of(sources=["public_records"], markings=["credit_header_ssn"]),
    )
    with engine.connect() as conn:
        with pytest.raises(RoleRequiredError):
            approve_authorisation(conn, people["lee"], auth.id, pack=pack)
        with pytest.raises(SelfApprovalError):
            approve_authorisation(conn, people["sue"], auth.id, pack=pack)
    with engine.begin() as conn:
        assert approve_authorisation(conn, people["sam"], auth.id, pack=pack, now=T0).approved


# -- who may ------------------------------------------------------------------------------


RECORDING = {
    # process: (purpose of the case, source, marking)
    "judicial_warrant": ("civil_immigration", "vehicle_registrations", "dmv"),
    "court_order": ("civil_litigation_support", "court_dispositions", "criminal_justice"),
    "ex_parte_order_6103": ("criminal_investigation", "irs_extract", "taxpayer_return"),
}


@pytest.mark.parametrize(
    ("process", "who", "allowed"),
    [
        ("judicial_warrant", "ann", True),
        ("judicial_warrant", "sue", True),
        ("judicial_warrant", "aud", False),
        ("judicial_warrant", "root", False),
        ("court_order", "ann", False),
        ("court_order", "sue", True),
        ("ex_parte_order_6103", "sue", False),
        ("ex_parte_order_6103", "lee", True),
    ],
)
def test_who_may_record(
    engine: Engine,
    pack: PolicyPack,
    people: dict[str, User],
    process: str,
    who: str,
    allowed: bool,
) -> None:
    purpose, source, marking = RECORDING[process]
    with engine.begin() as conn:
        case = open_case(conn, people["sue"], "A case", purpose, pack=pack)
    kw = {"process": process, "scope": Scope.of(sources=[source], markings=[marking])}
    if allowed:
        assert _record(engine, pack, people[who], case, **kw).recorded_by == people[who].id
        return
    with engine.connect() as conn:
        with pytest.raises(RoleRequiredError, match=r"authorisation\.record needs"):
            record_authorisation(conn, people[who], pack=pack, **_args(case, **kw))
        conn.commit()
    (event,) = _events(engine, "permission.denied")
    assert event["actor"] == who
    assert event["objects"]["action"] == "authorisation.record"
    assert _events(engine, "authorisation.record") == []


def _args(case: Case, **over: Any) -> dict[str, Any]:
    kw: dict[str, Any] = {
        "process": "judicial_warrant",
        "issuing_authority": "Court",
        "reference": "R-1",
        "case_id": case.id,
        "scope": Scope.of(sources=["vehicle_registrations"], markings=["dmv"]),
        "valid_from": FROM,
        "valid_to": TO,
    }
    kw.update(over)
    return kw


def test_role_refusals_for_approval(
    engine: Engine, pack: PolicyPack, people: dict[str, User], imm_case: Case
) -> None:
    auth = _record(engine, pack, people["ann"], imm_case)
    for who in ("bob", "sue", "aud", "root"):
        with engine.connect() as conn:
            with pytest.raises(RoleRequiredError, match="needs the legal_reviewer role"):
                approve_authorisation(conn, people[who], auth.id, pack=pack)
            conn.commit()
    assert [e["actor"] for e in _events(engine, "permission.denied")] == [
        "bob",
        "sue",
        "aud",
        "root",
    ]
    with engine.connect() as conn:
        assert get_authorisation(conn, auth.id) == auth


def test_nobody_approves_their_own(
    engine: Engine, pack: PolicyPack, people: dict[str, User], ci_case: Case
) -> None:
    order = _record(
        engine,
        pack,
        people["lee"],
        ci_case,
        process="ex_parte_order_6103",
        issuing_authority="US District Court, D. Example",
        scope=Scope.of(sources=["irs_extract"], markings=["taxpayer_return"]),
    )
    with engine.connect() as conn:
        with pytest.raises(SelfApprovalError, match="lee recorded authorisation"):
            approve_authorisation(conn, people["lee"], order.id, pack=pack)
        conn.commit()
    (event,) = _events(engine, "permission.denied")
    assert event["decision"]["rule"] == "no_self_approval"
    assert event["case_id"] == ci_case.id
    assert _events(engine, "authorisation.approve") == []
    with engine.begin() as conn:
        assert approve_authorisation(conn, people["lou"], order.id, pack=pack, now=T0).approved


def test_a_disabled_user_can_do_nothing(
    engine: Engine, pack: PolicyPack, people: dict[str, User], imm_case: Case
) -> None:
    auth = _record(engine, pack, people["ann"], imm_case)
    with engine.begin() as conn:
        user_store.update_user(conn, people["lee"].id, disabled=True)
    with engine.begin() as conn, pytest.raises(RoleRequiredError, match="disabled"):
        approve_authorisation(conn, people["lee"], auth.id, pack=pack)


def test_who_may_revoke(
    engine: Engine, pack: PolicyPack, people: dict[str, User], imm_case: Case
) -> None:
    auth = _record(engine, pack, people["ann"], imm_case)
    for who in ("aud", "root"):
        with engine.begin() as conn, pytest.raises(RoleRequiredError):
            revoke_authorisation(conn, people[who], auth.id, "no", pack=pack)
    with engine.begin() as conn, pytest.raises(InvalidAuthorisationError, match="reason"):
        revoke_authorisation(conn, people["bob"], auth.id, "   ", pack=pack)
    with engine.begin() as conn:
        assert revoke_authorisation(conn, people["bob"], auth.id, "entered in error", pack=pack)
    with engine.begin() as conn, pytest.raises(AuthorisationStateError, match="already revoked"):
        revoke_authorisation(conn, people["lee"], auth.id, "again", pack=pack)


# -- what is refused -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("over", "error", "message"),
    [
        ({"process": "telepathy"}, InvalidAuthorisationError, "process: 'telepathy' is not a"),
        ({"valid_to": FROM}, InvalidAuthorisationError, "valid_to: .* is not after valid_from"),
        (
            {
                "valid_to": dt.datetime(
                    9999, 12, 31, 23, 59, tzinfo=dt.timezone(-dt.timedelta(hours=14))
                )
            },
            InvalidAuthorisationError,
            "valid_to: 9999-12-31T23:59:00-14:00 is outside the calendar once in UTC",
        ),
        (
            {"valid_from": dt.datetime(2026, 3, 1)},
            InvalidAuthorisationError,
            "valid_from: give a time zone",
        ),
        ({"reference": "  "}, InvalidAuthorisationError, "reference: cannot be blank"),
        ({"issuing_authority": ""}, InvalidAuthorisationError, "issuing_authority: cannot be"),
        (
            {"scope": Scope.of(sources=["vehicle_registrations"], markings=[])},
            InvalidAuthorisationError,
            "scope.markings: name at least one marking",
        ),
        (
            {"scope": Scope.of(sources=[], markings=["dmv"])},
            InvalidAuthorisationError,
            "scope.sources: name at least one source",
        ),
        (
            {"scope": Scope.of(sources=["nowhere"], markings=["dmv"])},
            InvalidAuthorisationError,
            "scope.sources: no source named 'nowhere'",
        ),
        (
            {"scope": Scope.of(sources=["vehicle_registrations"], markings=["top_secret"])},
            InvalidAuthorisationError,
            "scope.markings: 'top_secret' is not a marking",
        ),
        (
            {"scope": Scope.of(sources=["irs_extract"], markings=["taxpayer_return"])},
            InvalidAuthorisationError,
            "'judicial_warrant' cannot unlock 'taxpayer_return' for a civil_immigration case: "
            "it does not unlock 'taxpayer_return' for any purpose",
        ),
        (
            {"scope": Scope.of(sources=["irs_extract"], markings=["protected_victim_1367"])},
            InvalidAuthorisationError,
            "'protected_victim_1367' is never disclosed",
        ),
        (
            {"scope": Scope.of(sources=["court_dispositions"], markings=["dmv"])},
            InvalidAuthorisationError,
            "source 'court_dispositions' carries none of the scope's markings "
            r"\(it carries: criminal_justice\)",
        ),
        (
            {
                "scope": Scope.of(
                    sources=["vehicle_registrations"], markings=["dmv"], subjects=["E9"]
                )
            },
            InvalidAuthorisationError,
            "scope.subjects: no entity 'E9'",
        ),
        ({"case_id": 999}, UnknownCaseError, "no case #999"),
    ],
)
def test_recording_refuses_what_could_never_unlock(
    engine: Engine,
    pack: PolicyPack,
    people: dict[str, User],
    imm_case: Case,
    over: dict[str, Any],
    error: type[Exception],
    message: str,
) -> None:
    with engine.begin() as conn, pytest.raises(error, match=message):
        record_authorisation(conn, people["lee"], pack=pack, **_args(imm_case, **over))
    assert _events(engine, "authorisation.record") == []


def test_the_process_must_unlock_the_marking_for_the_case_purpose(
    engine: Engine, pack: PolicyPack, people: dict[str, User], ci_case: Case
) -> None:
    # A judicial warrant unlocks DMV records for civil immigration cases only; a criminal
    # case needs none.
    with (
        engine.begin() as conn,
        pytest.raises(
            InvalidAuthorisationError, match="it unlocks 'dmv' only for civil_immigration"
        ),
    ):
        record_authorisation(conn, people["lee"], pack=pack, **_args(ci_case))


def test_approval_refused_when_expired_revoked_or_done(
    engine: Engine, pack: PolicyPack, people: dict[str, User], imm_case: Case
) -> None:
    a = _record(engine, pack, people["ann"], imm_case)
    late = TO + dt.timedelta(seconds=1)
    with engine.begin() as conn, pytest.raises(AuthorisationStateError, match="expired on"):
        approve_authorisation(conn, people["lee"], a.id, pack=pack, now=late)
    with engine.begin() as conn:
        approve_authorisation(conn, people["lee"], a.id, pack=pack, now=T0)
    with engine.begin() as conn, pytest.raises(AuthorisationStateError, match="already approved"):
        approve_authorisation(conn, people["lou"], a.id, pack=pack, now=T0)
    b = _record(engine, pack, people["ann"], imm_case, reference="SW-2")
    with engine.begin() as conn:
        revoke_authorisation(conn, people["ann"], b.id, "withdrawn", pack=pack)
    with engine.begin() as conn, pytest.raises(AuthorisationStateError, match="is revoked"):
        approve_authorisation(conn, people["lee"], b.id, pack=pack)
    with engine.begin() as conn, pytest.raises(UnknownAuthorisationError, match="#999"):
        approve_authorisation(conn, people["lee"], 999, pack=pack)


# -- cases ---------------------------------------------------------------------------------


def test_open_case(engine: Engine, pack: PolicyPack, people: dict[str, User]) -> None:
    with engine.begin() as conn:
        case = open_case(conn, people["sue"], "  Review   of case 12 ", "audit", pack=pack, now=T0)
    assert (case.title, case.purpose, case.status) == ("Review of case 12", "audit", "open")
    assert case.created_by == people["sue"].id
    assert case.created_at == T0
    (event,) = _events(engine, "case.open")
    assert event["case_id"] == case.id
    assert event["objects"] == {"case_id": case.id, "purpose": "audit"}
    with engine.begin() as conn, pytest.raises(InvalidCaseError, match="purpose: 'curiosity'"):
        open_case(conn, people["sue"], "x", "curiosity", pack=pack)
    with engine.begin() as conn, pytest.raises(InvalidCaseError, match="title"):
        open_case(conn, people["sue"], "   ", "audit", pack=pack)
    for who, purpose in (("ann", "audit"), ("aud", "criminal_investigation")):
        with engine.begin() as conn, pytest.raises(RoleRequiredError, match=r"case\.open"):
            open_case(conn, people[who], "x", purpose, pack=pack)
