"""Explained prioritisation on a resolved world, on SQLite and PostgreSQL: a rule counts the
facts the case may see, never a redacted one (until an authorisation unlocks it); a fact of a
record resting on a link below the confirmation threshold is marked unconfirmed and scored
only after a "same" judgement; the computation is audited with rules and record ids, never
values, and kept in the case's history."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from linkwise.cases.priority import COUNTED, UNCONFIRMED, WITHHELD, Priority, RuleOutcome
from linkwise.govern import audit
from linkwise.govern.audit import AuditEvent
from linkwise.govern.session import SessionRefusedError, is_withheld
from linkwise.model.cases import Case
from linkwise.model.policy import PolicyPack
from linkwise.store import reads, tables
from linkwise.workspace import Workspace, case_work
from tests.helpers import authorise, seed_user

COURT = "court_dispositions"
BENEFITS = "benefit_enrolments"


@dataclass(frozen=True)
class Member:
    record_id: int
    source: str
    key: str
    facts: dict[str, Any]


def _members(ws: Workspace) -> dict[str, list[Member]]:
    """Every active entity's records with their stored facts (read from the store: the test
    needs the truth to compare the governed result with)."""
    out: dict[str, list[Member]] = {}
    with ws.engine.connect() as conn:
        active = [
            str(r.id)
            for r in conn.execute(
                select(tables.entities.c.id).where(tables.entities.c.status == "active")
            )
        ]
        for entity in sorted(active):
            rows = [row for row, _ in reads.entity_member_rows(conn, entity)]
            values = reads.person_values(conn, [r.id for r in rows])
            out[entity] = [
                Member(r.id, r.source, r.source_key, dict(values[r.id]["facts"] or {}))
                for r in rows
            ]
    return out


def _all_below(ws: Workspace, members: list[Member], threshold: float) -> bool:
    with ws.engine.connect() as conn:
        links = reads.links_among(conn, [m.record_id for m in members])
    return all(float(lk["match_probability"]) < threshold for lk in links)


def _with_rules(ws: Workspace, threshold: float, **rules: dict[str, Any]) -> PolicyPack:
    data = ws.pack.model_dump(mode="json", by_alias=True)
    data["priority_rules"] = rules
    data["priority_settings"] = {"confirmation_threshold": threshold}
    return PolicyPack.model_validate(data)


def _rule(source: str, fact: str, values: list[str], score: int = 10) -> dict[str, Any]:
    return {
        "title": f"any {fact}",
        "reason": f"Any {source} record with a {fact} counts.",
        "score": score,
        "sources": [source],
        "when": [{"fact": fact, "type": "enum", "in": values}],
    }


COURT_RULE = _rule(COURT, "offense_class", ["felony", "misdemeanor", "infraction"], 40)
BENEFIT_RULE = _rule(BENEFITS, "status", ["active", "closed", "pending"], 25)


@pytest.fixture
def pack(resolved: Workspace) -> Iterator[None]:
    """The test rules in force for one test (the workspace's pack is restored after)."""
    original = resolved.pack
    resolved.pack = _with_rules(resolved, 0.5, court=COURT_RULE, benefit=BENEFIT_RULE)
    try:
        yield
    finally:
        resolved.pack = original


def _outcome(result: Priority, name: str) -> RuleOutcome:
    return next(r for r in result.rules if r.name == name)


def _last(ws: Workspace, case: Case, action: str) -> AuditEvent:
    with ws.engine.connect() as conn:
        (event,) = audit.events(conn, case_id=case.id, action=action, limit=1, newest_first=True)
    return event


def _open(ws: Workspace, entity: str, purpose: str = "criminal_investigation") -> Any:
    ann = seed_user(ws, "ann", "analyst")
    case = case_work.create_case(ws, ann, "Priority", purpose, subjects=[entity])
    return ann, case


@pytest.mark.usefixtures("pack")
def test_a_visible_fact_counts_and_the_computation_is_audited_without_values(
    resolved: Workspace,
) -> None:
    ws = resolved
    entity, member = next(
        (e, m)
        for e, ms in _members(ws).items()
        for m in ms
        if m.source == COURT and m.facts.get("offense_class")
    )
    ann, case = _open(ws, entity)
    result = case_work.case_priority(ws, ann, case.id)
    court = _outcome(result, "court")
    assert court.status == COUNTED
    assert member.record_id in court.ids(COUNTED)
    assert result.score >= 40
    event = _last(ws, case, "case.priority")
    assert member.record_id in event.objects["rules"]["court"]["counted"]
    assert "court" in event.objects["rules_applied"]
    assert member.record_id in event.objects["disclosed"]["record_ids"]
    assert str(member.facts["offense_class"]) not in json.dumps(event.objects)
    listed = {c.case.id: c for c in case_work.list_cases(ws, ann)}
    assert listed[case.id].priority == result.score
    detail = case_work.show_case(ws, ann, case.id)
    assert detail.priority is not None
    assert detail.priority["rules"]["court"] == COUNTED
    assert detail.history[-1].kind == "priority"


@pytest.mark.usefixtures("pack")
def test_a_redacted_fact_does_not_count_until_an_authorisation_unlocks_it(
    resolved: Workspace,
) -> None:
    ws = resolved
    entity, member = next(
        (e, m)
        for e, ms in _members(ws).items()
        for m in ms
        if m.source == BENEFITS and m.facts.get("status")
    )
    ann, case = _open(ws, entity)
    result = case_work.case_priority(ws, ann, case.id)
    benefit = _outcome(result, "benefit")
    assert benefit.status == WITHHELD
    assert benefit.score == 0
    (use,) = [u for u in benefit.records if u.record.ref.record_id == member.record_id]
    assert use.status == WITHHELD
    assert "redacted" in use.note
    assert "Subpoena" in use.note  # says what would unlock it
    assert is_withheld(use.record.facts["status"])
    assert str(member.facts["status"]) not in json.dumps(result.to_json())
    event = _last(ws, case, "case.priority")
    assert member.record_id in event.objects["rules"]["benefit"]["withheld"]
    assert BENEFITS in dict(event.decision or {})["fields_redacted"]

    with ws.session(ann, case.id) as session:
        facts = session.case_facts([entity])
    (seen,) = [f for f in facts if f["record_id"] == member.record_id]
    assert is_withheld(seen["facts"]["status"])

    authorise(ws, ann, case, "subpoena", sources=[BENEFITS], markings=["benefits"])
    unlocked = _outcome(case_work.case_priority(ws, ann, case.id), "benefit")
    assert unlocked.status == COUNTED
    assert member.record_id in unlocked.ids(COUNTED)


def test_an_unconfirmed_link_is_marked_and_scored_only_after_a_same_judgement(
    resolved: Workspace,
) -> None:
    ws = resolved
    members = _members(ws)
    # with the threshold at 1.0 no link confirms anything: the confirmed core is the
    # entity's first record alone, so a court record after a non-court first record rests on
    # an unconfirmed link
    entity, member, anchor = next(
        (e, m, ms_sorted[0])
        for e, ms in members.items()
        if len(ms) >= 2
        for ms_sorted in [sorted(ms, key=lambda x: x.record_id)]
        if ms_sorted[0].source != COURT and _all_below(ws, ms, 1.0)
        for m in ms_sorted[1:]
        if m.source == COURT and m.facts.get("offense_class")
    )
    original = ws.pack
    ws.pack = _with_rules(ws, 1.0, court=COURT_RULE)
    try:
        ann, case = _open(ws, entity)
        court = _outcome(case_work.case_priority(ws, ann, case.id), "court")
        (use,) = [u for u in court.records if u.record.ref.record_id == member.record_id]
        assert use.status == UNCONFIRMED
        assert "unconfirmed" in use.note
        assert "below the confirmation threshold 1" in use.note
        assert court.score == 0
        assert (
            member.record_id
            in _last(ws, case, "case.priority").objects["rules"]["court"]["unconfirmed"]
        )

        ws.judge(
            (anchor.source, anchor.key),
            (member.source, member.key),
            "same",
            reviewer="ann",
            rationale="same person: checked the booking photo's case file",
        )
        confirmed = _outcome(case_work.case_priority(ws, ann, case.id), "court")
        assert confirmed.status == COUNTED
        assert member.record_id in confirmed.ids(COUNTED)
        assert confirmed.score == 40
    finally:
        ws.pack = original


@pytest.mark.usefixtures("pack")
def test_rules_for_other_purposes_and_undeclared_facts_are_not_applied(
    resolved: Workspace,
) -> None:
    ws = resolved
    entity = next(iter(_members(ws)))
    ws.pack = _with_rules(
        ws,
        0.5,
        other={**COURT_RULE, "purposes": ["benefits_integrity"]},
        ghost={**_rule(COURT, "hearing_date", ["x"]), "sources": None},
    )
    ann, case = _open(ws, entity)
    result = case_work.case_priority(ws, ann, case.id)
    assert "for benefits_integrity cases" in _outcome(result, "other").notice
    assert "no registered source declares 'hearing_date'" in _outcome(result, "ghost").notice
    assert result.score == 0
    assert _last(ws, case, "case.priority").objects["rules_applied"] == []


def test_a_closed_case_is_not_scored(resolved: Workspace) -> None:
    ws = resolved
    entity = next(iter(_members(ws)))
    ann, case = _open(ws, entity)
    sue = seed_user(ws, "sue", "supervisor")
    case_work.move(ws, sue, case.id, "closed", "no further action")
    with pytest.raises(SessionRefusedError, match="closed"):
        case_work.case_priority(ws, ann, case.id)
    assert _last(ws, case, "permission.denied").objects["action"] == "session.open"
