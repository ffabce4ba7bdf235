"""Policy decisions (linkwise.govern.policy) on the demo pack: per marking and purpose, over
several markings, and with authorisations that do and do not unlock; and the pack's own
validation of the keys decisions rely on."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from linkwise.govern.policy import Decision, Decisions, authorisation_state, decide, explain
from linkwise.model.authorisations import Authorisation, Scope
from linkwise.model.config import ConfigError
from linkwise.model.policy import PolicyPack, default_pack_path, load_policy_pack

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
FROM = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
TO = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
CASE = 7

CI, IMM, BI, CL, DQ, AU = (
    "criminal_investigation",
    "civil_immigration",
    "benefits_integrity",
    "civil_litigation_support",
    "data_quality",
    "audit",
)
PURPOSES = (CI, IMM, BI, CL, DQ, AU)
S, R, P = "shown", "redacted", "prohibited"

# Whole-record outcome per marking, for each purpose in PURPOSES order, with no
# authorisation in hand.
TABLE: dict[str, tuple[str, ...]] = {
    "criminal_justice": (S, S, S, P, S, S),
    "juvenile": (P, P, P, P, P, P),
    "sealed": (P, P, P, P, P, P),
    "taxpayer_return": (P, P, P, P, P, P),
    "dmv": (S, P, S, S, S, S),
    "state_custody_sanctuary": (S, P, S, S, S, S),
    "protected_victim_1367": (P, P, P, P, P, P),
    "privacy_act_system": (R, R, R, R, R, R),
    "benefits": (R, R, R, P, R, R),
    "purchased_public_records": (S, S, P, S, S, S),
    "credit_header_ssn": (S, S, S, S, S, S),  # field-limited: not the whole record
    "civil_court": (S, S, S, S, S, S),
}
# Processes that would unlock each marking for each purpose (empty: nothing can).
UNLOCKERS: dict[tuple[str, str], set[str]] = {
    ("criminal_justice", CL): {"court_order"},
    ("juvenile", CI): {"court_order"},
    ("sealed", CI): {"court_order"},
    ("taxpayer_return", CI): {"ex_parte_order_6103"},
    ("dmv", IMM): {"judicial_warrant", "court_order"},
    ("state_custody_sanctuary", IMM): {"judicial_warrant"},
    ("privacy_act_system", CI): {"routine_use", "written_agency_request"},
    ("privacy_act_system", IMM): {"written_agency_request"},
    ("privacy_act_system", BI): {"routine_use", "written_agency_request"},
    ("privacy_act_system", DQ): {"routine_use"},
    ("benefits", CI): {"subpoena", "court_order"},
    ("benefits", BI): {"administrative_subpoena"},
}


@pytest.fixture(scope="module")
def pack() -> PolicyPack:
    return load_policy_pack(default_pack_path())


def auth(
    process: str = "judicial_warrant",
    *,
    id: int = 1,
    purpose: str = IMM,
    case_id: int = CASE,
    sources: tuple[str, ...] = ("vehicle_registrations",),
    markings: tuple[str, ...] = ("dmv",),
    subjects: tuple[str, ...] = (),
    approved: bool = True,
    **over: Any,
) -> Authorisation:
    base = Authorisation(
        id=id,
        process=process,
        issuing_authority="US District Court, D. Example",
        reference="24-MJ-0001",
        case_id=case_id,
        case_purpose=purpose,
        scope=Scope(sources, markings, subjects),
        valid_from=FROM,
        valid_to=TO,
        recorded_by=10,
        recorded_at=FROM,
        approved_by=11 if approved else None,
        approved_at=FROM if approved else None,
    )
    return dataclasses.replace(base, **over)


def run(
    pack: PolicyPack,
    markings: list[str],
    purpose: str = IMM,
    *,
    field: str | None = None,
    auths: tuple[Authorisation, ...] = (),
    source: str | None = "vehicle_registrations",
    subject: str | None = "E1",
    now: dt.datetime = NOW,
    case_id: int | None = CASE,
) -> Decision:
    return decide(
        pack,
        purpose=purpose,
        markings=markings,
        field=field,
        authorisations=auths,
        subject=subject,
        source=source,
        now=now,
        case_id=case_id,
    )


# -- one marking, no authorisation ---------------------------------------------------------


@pytest.mark.parametrize(
    ("marking", "purpose", "outcome"),
    [(m, p, o) for m, row in TABLE.items() for p, o in zip(PURPOSES, row, strict=True)],
)
def test_decision_table(pack: PolicyPack, marking: str, purpose: str, outcome: str) -> None:
    d = run(pack, [marking], purpose)
    assert d.outcome == outcome
    assert {u.process for u in d.would_unlock} == UNLOCKERS.get((marking, purpose), set())
    if marking == "credit_header_ssn":
        assert d.rule == "no_marking"
        return
    assert d.rule.startswith(f"marking:{marking}.")
    assert d.authority == pack.markings[marking].authority
    assert pack.markings[marking].authority in d.reason
    assert d.unlocked_by is None


def test_the_rule_says_which_part_of_the_marking_decided(pack: PolicyPack) -> None:
    assert run(pack, ["taxpayer_return"], IMM).rule == "marking:taxpayer_return.prohibited_purpose"
    assert run(pack, ["taxpayer_return"], CI).rule == "marking:taxpayer_return.default"
    assert run(pack, ["dmv"], CI).rule == "marking:dmv.default"
    assert (
        run(pack, ["protected_victim_1367"], CI).rule
        == "marking:protected_victim_1367.never_disclosed"
    )


def test_reason_names_purpose_and_what_would_unlock(pack: PolicyPack) -> None:
    d = run(pack, ["dmv"], IMM)
    assert "may not be used for Civil immigration case" in d.reason
    assert "18 U.S.C. §§ 2721-2725" in d.reason
    assert "a Judicial warrant or a Court order would unlock it" in d.reason
    nothing = run(pack, ["taxpayer_return"], IMM)
    assert nothing.would_unlock == ()
    assert "no legal process unlocks it for this purpose" in nothing.reason
    assert "26 U.S.C. § 6103" in nothing.reason


def test_would_unlock_only_lists_lawful_routes_for_the_current_purpose(pack: PolicyPack) -> None:
    # The 6103 order is criminal-only: a civil immigration case is not told to open a
    # criminal case to get the return.
    assert run(pack, ["taxpayer_return"], IMM).would_unlock == ()
    (unlocker,) = run(pack, ["taxpayer_return"], CI).would_unlock
    assert unlocker.process == "ex_parte_order_6103"
    assert unlocker.purposes == (CI,)
    assert unlocker.use_limited_to_case
    assert unlocker.judicial
    assert "used only in the case it names" in str(unlocker)


def test_never_disclosed_gives_no_unlock_hint(pack: PolicyPack) -> None:
    # Even an authorisation of every process for the marking changes nothing, and none is
    # mentioned.
    tries = tuple(
        auth(p, id=i, markings=("protected_victim_1367",), purpose=CI)
        for i, p in enumerate(pack.legal_processes, 1)
    )
    for purpose in PURPOSES:
        d = run(pack, ["protected_victim_1367"], purpose, auths=tries, field="given_name")
        assert d.outcome == P
        assert d.would_unlock == ()
        assert d.considered == ()
        assert "8 U.S.C. § 1367" in d.reason
        assert "never disclosed" in d.reason
        assert "no legal process unlocks it" in explain(d)
        assert "would be unlocked by" not in explain(d)


def test_unknown_marking_and_purpose_fail_closed(pack: PolicyPack) -> None:
    d = run(pack, ["top_secret"], CI)
    assert (d.outcome, d.rule) == (P, "marking:top_secret.undefined")
    d = run(pack, ["civil_court"], "curiosity")
    assert (d.outcome, d.rule) == (P, "purpose:curiosity.undefined")


def test_no_marking_shows(pack: PolicyPack) -> None:
    d = run(pack, [], IMM, field="dob")
    assert (d.outcome, d.rule) == (S, "no_marking")


def test_field_marking_applies_to_its_fields_only(pack: PolicyPack) -> None:
    markings = ["purchased_public_records", "credit_header_ssn"]
    ssn = run(pack, markings, CI, field="ssn", source="public_records")
    assert ssn.outcome == R
    assert "credit_header_ssn" in ssn.rule
    assert {u.process for u in ssn.would_unlock} == {"supervisor_approval"}
    assert run(pack, markings, CI, field="given_name", source="public_records").outcome == S
    assert run(pack, markings, CI, field=None, source="public_records").outcome == S
    # data quality review never sees the SSN in clear: nothing unlocks it for that purpose
    dq = run(pack, markings, DQ, field="ssn", source="public_records")
    assert (dq.outcome, dq.would_unlock) == (R, ())


# -- several markings ----------------------------------------------------------------------


def test_most_restrictive_wins_and_every_reason_is_kept(pack: PolicyPack) -> None:
    jail = ["criminal_justice", "state_custody_sanctuary"]
    d = run(pack, jail, IMM, source="jail_bookings")
    assert d.outcome == P
    assert d.rule == "marking:state_custody_sanctuary.prohibited_purpose"
    assert [p.rule for p in d.parts] == [
        "marking:criminal_justice.default",
        "marking:state_custody_sanctuary.prohibited_purpose",
    ]
    assert "28 CFR Part 20" in d.reason
    assert "Cal. Gov. Code § 7284.6" in d.reason
    assert d.reason.index("7284.6") < d.reason.index("28 CFR")  # decisive reason first
    assert run(pack, jail, CI, source="jail_bookings").outcome == S


def test_one_reads_decisions_are_those_decided_one_by_one(pack: PolicyPack) -> None:
    """``Decisions`` assembles each field's decision from the markings that restrict it,
    combining each set of markings once: every answer, asked in any order, is the one the
    function gives afresh, a field-limited marking included."""
    markings = ["purchased_public_records", "credit_header_ssn", "dmv"]
    asked = [None, "ssn", "given_name", "ssn", "dob", None]
    for purpose in (CI, IMM, DQ):
        for order in (asked, asked[::-1]):
            decisions = Decisions(pack, purpose=purpose, authorisations=(), now=NOW, case_id=CASE)
            for field in order:
                got = decisions.decide(
                    markings=markings, field=field, subject="E1", source="public_records"
                )
                assert got == run(pack, markings, purpose, field=field, source="public_records")
    ssn, name = (
        run(pack, markings, CI, field=f, source="public_records") for f in ("ssn", "given_name")
    )
    assert len(ssn.parts) == 3
    assert len(name.parts) == 2


def test_prohibited_beats_redacted(pack: PolicyPack) -> None:
    d = run(pack, ["privacy_act_system", "benefits"], CL)
    assert d.outcome == P
    assert d.rule == "marking:benefits.prohibited_purpose"
    assert {p.outcome for p in d.parts} == {P, R}
    # the privacy act part could be unlocked, the benefits part cannot: nothing unlocks both
    assert d.would_unlock == ()


def test_combined_would_unlock_needs_every_restricting_marking(pack: PolicyPack) -> None:
    d = run(pack, ["dmv", "state_custody_sanctuary"], IMM)
    assert {(u.marking, u.process) for u in d.would_unlock} == {
        ("dmv", "judicial_warrant"),
        ("dmv", "court_order"),
        ("state_custody_sanctuary", "judicial_warrant"),
    }
    with_victim = run(pack, ["dmv", "protected_victim_1367"], IMM)
    assert with_victim.would_unlock == ()


def test_one_warrant_covering_both_markings_unlocks_the_value(pack: PolicyPack) -> None:
    markings = ["dmv", "state_custody_sanctuary"]
    both = auth(markings=tuple(markings), sources=("vehicle_registrations",))
    d = run(pack, markings, IMM, auths=(both,))
    assert d.outcome == S
    assert d.unlocked_by == 1
    assert d.authorisations_used == (1,)
    only_dmv = auth(markings=("dmv",))
    d = run(pack, markings, IMM, auths=(only_dmv,))
    assert d.outcome == P
    assert [p.outcome for p in d.parts] == [S, P]
    assert d.unlocked_by is None
    assert d.authorisations_used == (1,)
    assert any("does not cover marking state_custody_sanctuary" in n for n in d.considered)


# -- authorisations ------------------------------------------------------------------------


def test_a_valid_authorisation_unlocks_and_says_so(pack: PolicyPack) -> None:
    d = run(pack, ["dmv"], IMM, auths=(auth(id=42),))
    assert d.outcome == S
    assert d.unlocked_by == 42
    assert d.rule == "marking:dmv.unlocked_by[0]"
    assert "authorisation #42" in d.reason
    assert "24-MJ-0001" in d.reason
    assert "18 U.S.C. §§ 2721-2725" in d.reason
    assert "unlocked by authorisation #42" in explain(d)


@pytest.mark.parametrize(
    ("now", "outcome", "note"),
    [
        (FROM - dt.timedelta(microseconds=1), P, "is not valid until 2026-05-01"),
        (FROM, S, None),
        (TO, S, None),
        (TO + dt.timedelta(microseconds=1), P, "expired on 2026-07-01"),
    ],
)
def test_validity_boundaries(
    pack: PolicyPack, now: dt.datetime, outcome: str, note: str | None
) -> None:
    d = run(pack, ["dmv"], IMM, auths=(auth(),), now=now)
    assert d.outcome == outcome
    if note is not None:
        assert any(note in c for c in d.considered)
        assert d.would_unlock  # still says what would lawfully unlock it


def test_validity_compares_instants_not_wall_clocks(pack: PolicyPack) -> None:
    new_york = dt.timezone(dt.timedelta(hours=-4))
    just_after = (TO + dt.timedelta(seconds=1)).astimezone(new_york)
    assert run(pack, ["dmv"], IMM, auths=(auth(),), now=just_after).outcome == P


def test_revoked_authorisation_unlocks_nothing_at_once(pack: PolicyPack) -> None:
    revoked = auth(revoked_by=11, revoked_at=NOW, revocation_reason="order vacated")
    d = run(pack, ["dmv"], IMM, auths=(revoked,))
    assert d.outcome == P
    assert any("revoked" in c and "order vacated" in c for c in d.considered)
    assert authorisation_state(pack, revoked, NOW) == "revoked"


def test_unapproved_authorisation_unlocks_nothing(pack: PolicyPack) -> None:
    pending = auth(approved=False)
    d = run(pack, ["dmv"], IMM, auths=(pending,))
    assert d.outcome == P
    assert any("awaits approval by a legal_reviewer" in c for c in d.considered)
    self_approved = auth(approved_by=10)  # its recorder
    assert run(pack, ["dmv"], IMM, auths=(self_approved,)).outcome == P
    assert authorisation_state(pack, self_approved, NOW) == "awaiting_approval"


def test_process_without_approvers_is_effective_once_recorded(pack: PolicyPack) -> None:
    routine = auth(
        "routine_use",
        purpose=DQ,
        approved=False,
        sources=("federal_system",),
        markings=("privacy_act_system",),
    )
    d = run(pack, ["privacy_act_system"], DQ, auths=(routine,), source="federal_system")
    assert (d.outcome, d.unlocked_by) == (S, 1)


def test_authorisation_from_a_case_of_another_purpose_does_not_unlock(pack: PolicyPack) -> None:
    criminal = auth(purpose=CI)  # a warrant recorded in a criminal case
    d = run(pack, ["dmv"], IMM, auths=(criminal,))
    assert d.outcome == P
    assert any("recorded for a criminal_investigation case" in c for c in d.considered)


def test_authorisation_of_another_process_is_not_considered(pack: PolicyPack) -> None:
    subpoena = auth("administrative_subpoena")
    d = run(pack, ["dmv"], IMM, auths=(subpoena,))
    assert d.outcome == P
    assert d.considered == ()


@pytest.mark.parametrize(
    ("over", "source", "subject", "note"),
    [
        ({"markings": ("state_custody_sanctuary",)}, "vehicle_registrations", "E1", "marking"),
        ({}, "jail_bookings", "E1", "source jail_bookings"),
        ({}, None, "E1", "source (none given)"),
        ({"subjects": ("E2", "E3")}, "vehicle_registrations", "E1", "not name this record's"),
        ({"subjects": ("E2",)}, "vehicle_registrations", None, "covers only the entities"),
        ({"markings": ()}, "vehicle_registrations", "E1", "marking"),
        ({"sources": ()}, "vehicle_registrations", "E1", "source"),
    ],
)
def test_out_of_scope_unlocks_nothing(
    pack: PolicyPack, over: dict[str, Any], source: str | None, subject: str | None, note: str
) -> None:
    d = run(pack, ["dmv"], IMM, auths=(auth(**over),), source=source, subject=subject)
    assert d.outcome == P
    assert any(note in c for c in d.considered)


def test_entities_no_scope_names_are_decided_alike_once(pack: PolicyPack) -> None:
    """A decision depends on the subject only through whether a scope names it, so every
    entity none names gets the one decision (worked out once), in words naming none."""
    decisions = Decisions(
        pack, purpose=IMM, authorisations=(auth(subjects=("E1",)),), now=NOW, case_id=CASE
    )

    def ask(subject: str | None) -> Decision:
        return decisions.decide(
            markings=["dmv"], field="dob", subject=subject, source="vehicle_registrations"
        )

    first, second = ask("E7"), ask("E8")
    assert first is second
    assert first.outcome == P
    assert not any("E7" in c or "E8" in c for c in first.considered)
    assert first == run(
        pack, ["dmv"], IMM, field="dob", auths=(auth(subjects=("E1",)),), subject="E8"
    )
    assert ask("E1").outcome == S
    assert ask(None) is not first


def test_subjects_in_scope_and_empty_subjects_cover_everyone(pack: PolicyPack) -> None:
    named = auth(subjects=("E1", "E2"))
    assert run(pack, ["dmv"], IMM, auths=(named,), subject="E2").outcome == S
    assert run(pack, ["dmv"], IMM, auths=(auth(),), subject="E999").outcome == S
    assert run(pack, ["dmv"], IMM, auths=(auth(),), subject=None).outcome == S


def _order_6103(**over: Any) -> Authorisation:
    return auth(
        "ex_parte_order_6103",
        purpose=CI,
        sources=("irs_extract",),
        markings=("taxpayer_return",),
        **over,
    )


def test_use_limited_to_the_named_case(pack: PolicyPack) -> None:
    order = _order_6103()
    kw: dict[str, Any] = {"source": "irs_extract", "auths": (order,)}
    assert run(pack, ["taxpayer_return"], CI, case_id=CASE, **kw).outcome == S
    other = run(pack, ["taxpayer_return"], CI, case_id=CASE + 1, **kw)
    assert other.outcome == P
    assert any(f"may be used only in case #{CASE}" in c for c in other.considered)
    assert run(pack, ["taxpayer_return"], CI, case_id=None, **kw).outcome == P
    # never outside criminal purposes, whatever the order says
    assert run(pack, ["taxpayer_return"], IMM, case_id=CASE, **kw).outcome == P


def test_first_authorisation_that_unlocks_is_named(pack: PolicyPack) -> None:
    expired = auth(id=3, valid_to=FROM + dt.timedelta(days=1))
    good = auth(id=5)
    d = run(pack, ["dmv"], IMM, auths=(good, expired))
    assert (d.outcome, d.unlocked_by) == (S, 5)


def test_authorisation_states(pack: PolicyPack) -> None:
    a = auth()
    assert authorisation_state(pack, a, FROM - dt.timedelta(seconds=1)) == "not_yet_valid"
    assert authorisation_state(pack, a, NOW) == "active"
    assert authorisation_state(pack, a, TO + dt.timedelta(seconds=1)) == "expired"
    # one that ran out while awaiting approval can never come into force: expired
    waiting = auth(approved=False)
    assert authorisation_state(pack, waiting, NOW) == "awaiting_approval"
    assert authorisation_state(pack, waiting, TO + dt.timedelta(seconds=1)) == "expired"


def test_explain_and_json(pack: PolicyPack) -> None:
    d = run(pack, ["criminal_justice", "state_custody_sanctuary"], IMM, auths=(auth(),))
    text = explain(d)
    assert text.startswith("PROHIBITED: ")
    assert "rule: marking:state_custody_sanctuary.prohibited_purpose" in text
    assert "Judicial warrant (judicial_warrant) for civil_immigration" in text
    assert "per marking:" in text
    data = d.to_json()
    assert data["outcome"] == P
    assert data["would_unlock"][0]["process"] == "judicial_warrant"
    assert len(data["parts"]) == 2


# -- pack validation -----------------------------------------------------------------------


def _pack(**markings: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": "t",
        "version": "1",
        "title": "t",
        "disclaimer": "test",
        "purposes": {"p": {"title": "P"}},
        "legal_processes": {"w": {"title": "Warrant"}},
        "markings": markings,
    }


@pytest.mark.parametrize(
    ("marking", "message"),
    [
        (
            {
                "never_disclosed": True,
                "default": "deny",
                "unlocked_by": [{"process": "w", "purposes": ["p"]}],
            },
            "markings.m.unlocked_by: a never_disclosed marking cannot be unlocked",
        ),
        ({"never_disclosed": True}, "markings.m.default: a never_disclosed marking must be 'deny'"),
        ({"fields": ["ssn", "shoe_size"]}, "markings.m.fields[1]: 'shoe_size' is not a canonical"),
        ({"fields": []}, "markings.m.fields: name at least one field"),
        (
            {"unlocked_by": [{"process": "w", "purposes": []}]},
            "markings.m.unlocked_by[0].purposes: name at least one purpose",
        ),
        (
            {"unlocked_by": [{"process": "x", "purposes": ["p"]}]},
            "markings.m.unlocked_by[0].process: unknown legal process 'x'",
        ),
    ],
)
def test_marking_validation_names_the_key(marking: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message.replace("[", r"\[").replace("]", r"\]")):
        PolicyPack.model_validate(_pack(m={"title": "M", "authority": "A", **marking}))


def test_process_and_purpose_roles_are_validated() -> None:
    data = _pack()
    data["legal_processes"]["w"]["recorded_by"] = []
    data["purposes"]["p"]["opened_by"] = []
    with pytest.raises(ValidationError) as exc:
        PolicyPack.model_validate(data)
    text = str(exc.value)
    assert "legal_processes.w.recorded_by: name at least one role" in text
    assert "purposes.p.opened_by: name at least one role" in text
    data = _pack()
    data["legal_processes"]["w"]["approved_by"] = ["judge"]
    with pytest.raises(ValidationError, match="legal_reviewer"):
        PolicyPack.model_validate(data)


def test_case_roles_and_cited_texts_are_validated() -> None:
    data = _pack(m={"title": " ", "authority": ""})
    data["purposes"]["p"]["opened_by"] = ["analyst", "auditor"]
    with pytest.raises(ValidationError) as exc:
        PolicyPack.model_validate(data)
    text = str(exc.value)
    assert "purposes.p.opened_by: auditor reads no person data, so cannot work a case" in text
    assert "markings.m.title: cannot be blank (decisions cite it)" in text
    assert "markings.m.authority: cannot be blank (decisions cite it)" in text


def test_a_key_given_twice_in_a_pack_is_refused(tmp_path: Path) -> None:
    # PyYAML keeps the last of two keys silently: a second entry for a marking would
    # quietly replace its rules (a "deny" turned "allow")
    text = default_pack_path().read_text(encoding="utf-8")
    first = text.index("\n  juvenile:")
    doubled = text[:first] + "\n  juvenile:\n    title: J\n    authority: A\n" + text[first:]
    (tmp_path / "policy.yaml").write_text(doubled, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"key 'juvenile' is given twice \(first on line \d+\)"):
        load_policy_pack(tmp_path / "policy.yaml")


def test_yaml_keys_twice_on_one_line_are_refused_and_a_merge_may_be_overridden(
    tmp_path: Path,
) -> None:
    from linkwise.model.config import read_yaml

    (tmp_path / "inline.yaml").write_text("m: {default: deny, default: allow}\n")
    with pytest.raises(ConfigError, match=r"key 'default' is given twice \(first on line 1\)"):
        read_yaml(tmp_path / "inline.yaml")
    (tmp_path / "merge.yaml").write_text("base: &b {a: 1, c: 2}\nm:\n  <<: *b\n  a: 3\n")
    assert read_yaml(tmp_path / "merge.yaml")["m"] == {"a": 3, "c": 2}


def test_a_pack_written_before_roles_still_loads() -> None:
    pack = PolicyPack.model_validate(
        _pack(
            m={"title": "M", "authority": "A", "unlocked_by": [{"process": "w", "purposes": ["p"]}]}
        )
    )
    process = pack.legal_processes["w"]
    assert process.approved_by == ["legal_reviewer"]
    assert "analyst" in process.recorded_by
    assert not process.judicial
    assert pack.markings["m"].fields is None


def test_demo_pack_says_it_is_not_legal_advice(pack: PolicyPack) -> None:
    assert "NOT LEGAL ADVICE" in pack.disclaimer
    head = default_pack_path().read_text(encoding="utf-8").split("\n")[:5]
    assert any("NOT LEGAL ADVICE" in line for line in head)
    for name in (
        "supervisor_approval",
        "administrative_subpoena",
        "court_order_2703d",
        "ex_parte_order_6103",
        "judicial_warrant",
        "routine_use",
        "written_agency_request",
    ):
        assert name in pack.legal_processes
    assert pack.legal_processes["routine_use"].approved_by == []
    assert pack.legal_processes["judicial_warrant"].judicial
    assert pack.markings["protected_victim_1367"].never_disclosed
