"""The per-read shortcuts of ``linkwise.govern.gate.Read`` answer exactly as a decision
worked out afresh does: a (source, field) answer shared across entities only where no
authorisation limited to named subjects reaches the source, and visibility answers
(``Read.visibility``, what search scores candidates with) shared only between records whose
decisions cannot differ. Each world has records of one source that must be answered
differently: by subject (a warrant naming one entity) and by record (the 26 U.S.C. § 6103
precondition). On SQLite and PostgreSQL."""

from __future__ import annotations

from linkwise.govern.accounts import User
from linkwise.govern.gate import RecordRef
from linkwise.govern.policy import Decision
from linkwise.model.fields import FIELDS
from linkwise.workspace import Workspace
from tests.govern.test_session import (
    ON_NAME_ALONE,
    ON_NAME_AND_SSN,
    craft,
    warrant_naming_one_subject,
    ws,
)
from tests.helpers import authorise, seed_case, seed_user

__all__ = ["ws"]  # the session tests' world, used as a fixture here

ASKED = (None, *FIELDS)


def _answers(ws: Workspace, user: User, case_id: int, keys: list[str]) -> dict[str, Decision]:
    """Per record (in the order given) and field, the decision, checking that visibility
    says the same."""
    out: dict[str, Decision] = {}
    with ws.session(user, case_id) as session, session.reading("test.shortcuts") as read:
        refs: list[RecordRef] = [read.ref(*key.split(":")) for key in keys]
        for key, ref in zip(keys, refs, strict=True):
            visible = read.visibility(ref)
            for field in ASKED:
                decision = read.decision(ref, field)
                assert visible(field) == decision.shown, (key, field)
                out[f"{key}.{field}"] = decision
    return out


def test_shortcuts_answer_per_subject_where_a_warrant_names_one(ws: Workspace) -> None:
    user, case = warrant_naming_one_subject(ws)
    keys = ["dmv:30", "dmv:31", "court:30"]
    forward = _answers(ws, user, case.id, keys)
    backward = _answers(ws, user, case.id, keys[::-1])
    assert forward == backward
    assert forward["dmv:30.family_name"].shown
    assert not forward["dmv:31.family_name"].shown


def test_shortcuts_answer_per_record_where_a_precondition_applies(ws: Workspace) -> None:
    craft(
        ws,
        {"E1": ["court:1", "irs:1"], "E2": ["court:2", "irs:2"]},
        [
            ("court:1", "irs:1", 0.99, ON_NAME_AND_SSN),
            ("court:2", "irs:2", 0.97, ON_NAME_ALONE),
        ],
    )
    user, case = seed_case(ws)
    lee = seed_user(ws, "lee", "legal_reviewer")
    authorise(ws, lee, case, "ex_parte_order_6103", sources=["irs"], markings=["taxpayer_return"])
    keys = ["irs:1", "irs:2", "court:1", "court:2"]
    forward = _answers(ws, user, case.id, keys)
    backward = _answers(ws, user, case.id, keys[::-1])
    assert forward == backward
    assert forward["irs:1.family_name"].shown
    unmet = forward["irs:2.family_name"]
    assert unmet.rule == "marking:taxpayer_return.requires_corroboration"
