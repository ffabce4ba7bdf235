"""Priority rules as pack data: validation when the pack loads refuses a rule on a
prohibited attribute, an unknown fact type, a test that does not suit its type or an unknown
purpose; conditions test values as documented; the demo pack's rules load."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from linkwise.cases.priority import unusable_rules
from linkwise.cases.rules import MOVES, Rule
from linkwise.govern.accounts import User
from linkwise.ingest.errors import ManifestError
from linkwise.model.cases import TRANSITIONS, Case
from linkwise.model.policy import PolicyPack, default_pack_path, load_policy_pack
from linkwise.model.priority import PriorityCondition
from linkwise.model.roles import Role
from linkwise.workspace import Workspace
from linkwise.workspace.workspace import WorkspaceError
from tests.helpers import csv_text, manifest, person, write_manifest

TODAY = dt.date(2026, 12, 5)


def _pack(**rules: Any) -> PolicyPack:
    data = load_policy_pack(default_pack_path()).model_dump(mode="json", by_alias=True)
    data["priority_rules"] = rules
    return PolicyPack.model_validate(data)


def _rule(*when: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"title": "t", "reason": "because", "score": 10, "when": list(when), **extra}


def test_the_demo_pack_rules_load() -> None:
    pack = load_policy_pack(default_pack_path())
    assert "recent_felony_conviction" in pack.priority_rules
    assert pack.priority_settings.confirmation_threshold == 0.95
    assert _pack(ok=_rule({"fact": "offense_class", "type": "enum", "in": ["felony"]}))


def test_a_rule_on_a_prohibited_attribute_is_refused() -> None:
    with pytest.raises(ValidationError) as err:
        _pack(faith=_rule({"fact": "religion_code", "equals": "x"}))
    text = str(err.value)
    assert "priority_rules.faith.when[0].fact" in text
    assert "prohibited attribute 'religion'" in text


@pytest.mark.parametrize(
    ("condition", "problem"),
    [
        ({"fact": "disposition_date", "type": "datetime", "future": True}, "unknown fact type"),
        ({"fact": "offense_class", "type": "enum", "within_days": 30}, "tests a date"),
        ({"fact": "offense_class", "type": "enum", "at_least": 3}, "tests a number"),
        ({"fact": "offense_class", "type": "enum"}, "give a test"),
        ({"fact": "offense_class", "equals": "a", "in": ["a"]}, "not both"),
        ({"fact": "disposition_date", "type": "date", "equals": "2020-13-01"}, "not a date"),
    ],
)
def test_a_condition_that_makes_no_sense_is_refused(
    condition: dict[str, Any], problem: str
) -> None:
    with pytest.raises(ValidationError, match=problem):
        _pack(bad=_rule(condition))


def test_unknown_purposes_empty_rules_and_zero_scores_are_refused() -> None:
    fact = {"fact": "offense_class", "type": "enum", "equals": "felony"}
    with pytest.raises(ValidationError, match="unknown purpose 'bounty_hunting'"):
        _pack(bad=_rule(fact, purposes=["bounty_hunting"]))
    with pytest.raises(ValidationError, match="give at least one condition"):
        _pack(bad=_rule())
    with pytest.raises(ValidationError, match="scoring 0"):
        _pack(bad={**_rule(fact), "score": 0})
    with pytest.raises(ValidationError, match="Extra inputs"):
        _pack(bad={**_rule(fact), "unknown_key": 1})


def test_date_conditions() -> None:
    recent = PriorityCondition(fact="d", type="date", within_days=30, future=False)
    assert recent.holds("2026-11-20", TODAY)
    assert not recent.holds("2026-10-01", TODAY)  # too long ago
    assert not recent.holds("2026-12-20", TODAY)  # ahead, and future: false
    assert not recent.holds("2026-11", TODAY)  # a partial date meets no date test
    assert not recent.holds(None, TODAY)
    ahead = PriorityCondition(fact="d", type="date", future=True)
    assert ahead.holds("2026-12-06", TODAY)
    assert not ahead.holds("2026-12-05", TODAY)


def test_value_conditions() -> None:
    felony = PriorityCondition.model_validate({"fact": "c", "type": "enum", "in": ["felony"]})
    assert felony.holds("Felony", TODAY)
    assert not felony.holds("misdemeanor", TODAY)
    big = PriorityCondition(fact="n", type="integer", at_least=3, at_most=5)
    assert big.holds(4, TODAY)
    assert not big.holds(6, TODAY)
    assert not big.holds("4", TODAY)  # text is not a number
    flag = PriorityCondition(fact="b", type="boolean", equals=True)
    assert flag.holds(True, TODAY)
    assert not flag.holds(1, TODAY)


def test_every_lifecycle_move_has_a_role_rule() -> None:
    moves = {(a, b) for a, targets in TRANSITIONS.items() for b in targets}
    assert moves == set(MOVES)


def test_nobody_passes_their_own_work_to_legal() -> None:
    case = Case(1, "t", "criminal_investigation", "in_review", 7, 7, dt.datetime.now(dt.UTC))
    rule: Rule = MOVES[("in_review", "ready_for_legal")]
    supervisor = User(7, "sue", "", Role.SUPERVISOR, False)
    other = User(8, "sam", "", Role.SUPERVISOR, False)
    assert not rule.allows(supervisor, case)
    assert rule.allows(other, case)
    auditor = User(7, "aud", "", Role.AUDITOR, False)
    assert not MOVES[("open", "in_review")].allows(auditor, case)  # even as the assignee


def test_a_rule_on_sources_its_purposes_can_never_see_is_found() -> None:
    """A rule could never count a fact for a purpose when every source it is limited to is,
    for that purpose, never disclosed or withheld with no process to unlock it. A source an
    authorisation can unlock, or a second source that is usable, is fine; a rule that names
    no purposes is refused only when no purpose at all could use it."""
    status = {"fact": "status", "equals": "x"}
    pack = _pack(
        victims=_rule(status, sources=["victims"]),
        benefits_everywhere=_rule(status, sources=["benefits"]),
        benefits_for_litigation=_rule(
            status, sources=["benefits"], purposes=["civil_litigation_support"]
        ),
        benefits_scoped=_rule(
            status, sources=["benefits"], purposes=["criminal_investigation", "benefits_integrity"]
        ),
        with_court=_rule(
            status, sources=["benefits", "court"], purposes=["civil_litigation_support"]
        ),
        unregistered=_rule(status, sources=["victims", "later"], purposes=["audit"]),
    )
    markings = {
        "victims": ["protected_victim_1367"],
        "benefits": ["benefits"],
        "court": ["criminal_justice"],
    }
    found = unusable_rules(pack, markings)
    assert sorted((u.rule, u.purpose) for u in found) == sorted(
        [("victims", p) for p in pack.purposes]
        + [("benefits_for_litigation", "civil_litigation_support")]
    )
    litigation = next(u for u in found if u.rule == "benefits_for_litigation")
    assert str(litigation).startswith("for civil_litigation_support, benefits: ")
    assert "no legal process unlocks it for this purpose" in str(litigation)
    victims = next(u for u in found if u.rule == "victims")
    assert "never disclosed" in str(victims)


def test_the_workspace_refuses_a_source_or_a_pack_that_leaves_a_rule_unusable(
    workspace: Workspace, tmp_path: Path
) -> None:
    data = load_policy_pack(default_pack_path()).model_dump(mode="json", by_alias=True)
    data["priority_rules"]["victim_status"] = _rule(
        {"fact": "status", "equals": "x"}, sources=["victims"], purposes=["criminal_investigation"]
    )
    (workspace.root / "policy.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    ws = Workspace.open(workspace.root)
    try:
        (tmp_path / "victims.csv").write_text(csv_text([person(1)]), encoding="utf-8")
        victims = write_manifest(
            tmp_path, manifest("victims", "victims.csv", markings=["protected_victim_1367"])
        )
        with pytest.raises(ManifestError, match=r"priority rule 'victim_status' .* never count"):
            ws.add_source(victims)
        assert ws.sources() == []
    finally:
        ws.close()

    # registered first, then the pack changed: the workspace does not open on it
    del data["priority_rules"]["victim_status"]
    (workspace.root / "policy.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    with Workspace.open(workspace.root) as ws:
        ws.add_source(victims)
    data["priority_rules"]["victim_status"] = _rule(
        {"fact": "status", "equals": "x"}, sources=["victims"], purposes=["criminal_investigation"]
    )
    (workspace.root / "policy.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(
        WorkspaceError,
        match=r"priority_rules\.victim_status\.sources: the rule could never count a fact",
    ):
        Workspace.open(workspace.root)
