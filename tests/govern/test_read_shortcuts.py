"""The per-read shortcuts of ``linkwise.govern.gate.Read`` answer exactly as a decision
worked out afresh does: a (source, field) answer shared across entities only where no
authorisation limited to named subjects reaches the source, and the answers search scores
candidates with (``Read.scorable``) shared only between records whose decisions cannot
differ, and so are a record's set of values (``Read.fields``) and a link's
set of comparison levels (``Read.comparisons``), with the same audit event as deciding each
value alone. Each world has records of one source that must be answered differently: by
subject (a warrant naming one entity) and by record (the 26 U.S.C. § 6103 precondition).
On SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Connection

from linkwise.govern import audit
from linkwise.govern import session as session_module
from linkwise.govern.accounts import User
from linkwise.govern.gate import (
    SEVERITY,
    Read,
    RecordRef,
    comparison_fields,
    field_of,
    marker,
)
from linkwise.govern.policy import Decision
from linkwise.govern.session import CARRIED_LIMIT, SharedDecisions
from linkwise.govern.views import level_or_marker
from linkwise.model.cases import Case
from linkwise.model.fields import FIELDS
from linkwise.store import reads
from linkwise.store import resolution as rs
from linkwise.workspace import Workspace
from tests.govern.test_session import (
    MODEL,
    ON_NAME_ALONE,
    ON_NAME_AND_SSN,
    craft,
    warrant_naming_one_subject,
    ws,
)
from tests.helpers import authorise, seed_case, seed_user

__all__ = ["ws"]  # the session tests' world, used as a fixture here

ASKED = (None, *FIELDS)
VALUES = {**{f: f"{f} value" for f in FIELDS}, "birth_year": 1970, "note": "text"}
"""A record's values as a read governs them: every canonical field, a date part, and a name
that is no field (decided as part of the whole record)."""
COMPARISONS = ("given_name", "family_name", "dob", "place", "address", "ssn", "model_only")


def _answers(ws: Workspace, user: User, case_id: int, keys: list[str]) -> dict[str, Decision]:
    """Per record (in the order given) and field, the decision, checking that what search
    scores with (``Read.scorable``) says the same."""
    out: dict[str, Decision] = {}
    ws.decisions = SharedDecisions()  # each order from nothing kept
    with ws.session(user, case_id) as session, session.reading("test.shortcuts") as read:
        refs: list[RecordRef] = [read.ref(*key.split(":")) for key in keys]
        for key, ref in zip(keys, refs, strict=True):
            visible = read.scorable(ref)
            if visible is None:  # search leaves out a prohibited record entirely
                assert read.standing(ref).outcome == "prohibited", key
            for field in ASKED:
                decision = read.decision(ref, field)
                if visible is not None:
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


def _order_6103(ws: Workspace) -> tuple[User, Case]:
    """Two people each with a court and a tax record: irs:1 matched on name and SSN, irs:2
    on name alone, and a case with an ex parte 6103 order for the tax records: the
    precondition is met for irs:1 only."""
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
    return user, case


def test_shortcuts_answer_per_record_where_a_precondition_applies(ws: Workspace) -> None:
    user, case = _order_6103(ws)
    keys = ["irs:1", "irs:2", "court:1", "court:2"]
    forward = _answers(ws, user, case.id, keys)
    backward = _answers(ws, user, case.id, keys[::-1])
    assert forward == backward
    assert forward["irs:1.family_name"].shown
    unmet = forward["irs:2.family_name"]
    assert unmet.rule == "marking:taxpayer_return.requires_corroboration"


def _one_by_one(read: Read, ref: RecordRef, values: dict[str, Any]) -> dict[str, Any]:
    """``Read.fields`` as it was before decisions were shared: each value decided alone."""
    out = {}
    for name, value in values.items():
        field = field_of(name)
        if read.omitted_field(ref, field):
            read.note_omitted(ref, field)
            continue
        out[name] = read.value(ref, field, value)
    return out


def _level(read: Read, name: str, refs: tuple[RecordRef, ...]) -> Decision | None:
    """The most restrictive decision on the values a comparison reads, decided afresh."""
    hidden = [
        d for r in refs for f in comparison_fields(name) if not (d := read.decision(r, f)).shown
    ]
    return max(hidden, key=lambda d: SEVERITY[d.outcome]) if hidden else None


def _level_alone(read: Read, name: str, pair: tuple[RecordRef, ...]) -> Any:
    """``level_or_marker`` as it was before markers and audit notes were shared: each
    withheld value counted on its own, the marker built afresh."""
    hidden = [
        (r, f, d)
        for r in pair
        for f in comparison_fields(name)
        if not (d := read.decision(r, f)).shown
    ]
    for ref, field, decision in hidden:
        read.count(ref, field, decision)
    worst = _level(read, name, pair)
    return "level" if worst is None else marker(worst)


def _shared_and_alone(ws: Workspace, user: User, case_id: int, keys: list[str]) -> None:
    """Two reads of the same records, one through the shared answers and one value by value:
    the same values, levels and markers, and audit events that say the same."""
    found = []
    for way in ("shared", "alone"):
        ws.decisions = SharedDecisions()  # each way from nothing kept
        with ws.session(user, case_id) as session, session.reading("test.values") as read:
            refs = [read.ref(*key.split(":")) for key in keys]
            if way == "shared":
                values = [read.fields(ref, VALUES) for ref in refs]
            else:
                values = [_one_by_one(read, ref, VALUES) for ref in refs]
            for left in refs:
                for right in refs:
                    pair = (left, right)
                    levels = read.comparisons(COMPARISONS, pair)
                    for name, (worst, hidden) in zip(COMPARISONS, levels, strict=True):
                        assert worst == _level(read, name, pair), (left, right, name)
                        assert [d for _, _, d in hidden] == [
                            d
                            for r in pair
                            for f in comparison_fields(name)
                            if not (d := read.decision(r, f)).shown
                        ]
        with ws.engine.connect() as conn:
            (event,) = audit.events(conn, newest_first=True, limit=1)
        found.append((values, event.objects, event.decision))
    assert found[0] == found[1]
    _levels_shared_and_alone(ws, user, case_id, keys)


def _levels_shared_and_alone(ws: Workspace, user: User, case_id: int, keys: list[str]) -> None:
    """Three reads of the comparison levels between the records (nothing else): one level
    by level through the shared markers and audit notes (``level_or_marker``), one a link's
    levels at a time (``withheld_levels``, as a link view asks) and one value by value: the
    same levels and markers, and audit events that say the same."""
    found = []
    for way in ("shared", "link", "alone"):
        ws.decisions = SharedDecisions()  # each way from nothing kept
        with ws.session(user, case_id) as session, session.reading("test.levels") as read:
            refs = [read.ref(*key.split(":")) for key in keys]
            levels: list[Any] = []
            for left in refs:
                for right in refs:
                    pair = (left, right)
                    if way == "link":
                        markers, withheld = read.withheld_levels(COMPARISONS, pair)
                        assert list(withheld) == sorted(markers)
                        levels += [dict(markers.get(n, {})) or "level" for n in COMPARISONS]
                    elif way == "shared":
                        levels += [level_or_marker(read, n, pair, "level") for n in COMPARISONS]
                    else:
                        levels += [_level_alone(read, n, pair) for n in COMPARISONS]
        with ws.engine.connect() as conn:
            (event,) = audit.events(conn, newest_first=True, limit=1)
        found.append((levels, event.objects, event.decision))
    assert found[0] == found[1] == found[2]
    assert any(isinstance(level, dict) for level in found[0][0])


def test_shared_values_and_levels_follow_the_subject_a_warrant_names(ws: Workspace) -> None:
    user, case = warrant_naming_one_subject(ws)
    keys = ["dmv:30", "dmv:31", "court:30"]
    _shared_and_alone(ws, user, case.id, keys)
    _shared_and_alone(ws, user, case.id, keys[::-1])
    with ws.session(user, case.id) as session, session.reading("test.values") as read:
        shown, hidden = (read.fields(read.ref("dmv", k), VALUES) for k in ("30", "31"))
    assert shown["family_name"] == "family_name value"
    assert hidden["family_name"]["redacted"] is True


def test_shared_values_and_levels_follow_each_record_under_a_precondition(
    ws: Workspace,
) -> None:
    user, case = _order_6103(ws)
    keys = ["irs:1", "irs:2", "court:1", "court:2"]
    _shared_and_alone(ws, user, case.id, keys)
    _shared_and_alone(ws, user, case.id, keys[::-1])
    with ws.session(user, case.id) as session, session.reading("test.values") as read:
        met, unmet = (read.fields(read.ref("irs", k), VALUES) for k in ("1", "2"))
    assert met["family_name"] == "family_name value"
    assert unmet["family_name"]["rule"] == "marking:taxpayer_return.requires_corroboration"


def test_a_reads_markers_are_built_once_and_handed_out_as_copies(ws: Workspace) -> None:
    user, case = warrant_naming_one_subject(ws)
    with ws.session(user, case.id) as session, session.reading("test.values") as read:
        decision = read.decision(read.ref("dmv", "31"), "family_name")
        first, second = read.marker(decision), read.marker(decision)
    assert not decision.shown
    assert first == second == marker(decision)
    first["reason"] = "changed by a caller"
    assert second["reason"] == marker(decision)["reason"] != "changed by a caller"


def test_subjects_no_warrant_names_share_answers_and_a_merged_one_stays_named(
    ws: Workspace,
) -> None:
    """Records of three entities in the DMV source under a warrant naming one of them, which
    was since merged into another id: the two unnamed subjects share their answers, the named
    one (followed through the merge) does not, whichever is asked first, and the shared
    answers are the decisions worked out for each record."""
    user, case = warrant_naming_one_subject(ws)
    craft(
        ws,
        {"ENEW": ["court:30", "dmv:30"], "EOTHER": ["dmv:31"], "ETHIRD": ["dmv:10"]},
        [("court:30", "dmv:30", 0.99, ON_NAME_AND_SSN)],
        redirects=[("EOLD", "ENEW", "merge", 2)],
    )
    keys = ["dmv:31", "dmv:30", "dmv:10"]
    forward = _answers(ws, user, case.id, keys)
    backward = _answers(ws, user, case.id, keys[::-1])
    assert forward == backward
    assert forward["dmv:30.family_name"].shown
    assert not forward["dmv:31.family_name"].shown
    assert not forward["dmv:10.family_name"].shown
    with ws.session(user, case.id) as session, session.reading("test.shortcuts") as read:
        refs = [read.ref(*key.split(":")) for key in keys]
        assert [read.unrestricted(r) for r in refs] == [False, True, False]


@pytest.mark.parametrize("limit", [CARRIED_LIMIT, 0], ids=["kept", "emptied_each_read"])
def test_answers_kept_from_read_to_read_are_those_a_fresh_session_gives(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch, limit: int
) -> None:
    """(With the kept answers emptied at every read as well: worked out again, they are the
    same.) A session keeps a record's set of values and a link's set of levels for its next
    reads (``Decisions.carried``), by source, markings and subject as decisions tell subjects
    apart: reads alternating between the named subject and another give, value for value
    and in their audit events, what a fresh session gives each of them."""
    user, case = warrant_naming_one_subject(ws)
    keys = ["dmv:31", "dmv:30", "court:30", "dmv:31", "dmv:30", "dmv:31"]

    def one(session: Any, key: str) -> tuple[Any, ...]:
        with session.reading("test.values") as read:
            ref, other = read.ref(*key.split(":")), read.ref("court", "30")
            found = (read.fields(ref, VALUES), read.comparisons(COMPARISONS, (ref, other)))
            for name in COMPARISONS:
                level_or_marker(read, name, (ref, other), "level")
        with session.reading("test.link") as read:  # a link's levels at a time, alone
            ref, other = read.ref(*key.split(":")), read.ref("court", "30")
            markers, withheld = read.withheld_levels(COMPARISONS, (ref, other))
            levels = (withheld, {n: dict(m) for n, m in markers.items()})
        with ws.engine.connect() as conn:
            events = [
                (e.objects, e.decision) for e in audit.events(conn, newest_first=True, limit=2)
            ]
        return (*found, levels, events)

    monkeypatch.setattr(session_module, "CARRIED_LIMIT", limit)
    with ws.session(user, case.id) as session:
        kept = [one(session, key) for key in keys]
    fresh = []
    for key in keys:
        ws.decisions = SharedDecisions()  # nothing kept from the sessions before
        with ws.session(user, case.id) as session:
            fresh.append(one(session, key))
    assert kept == fresh
    assert kept[1][0]["family_name"] == "family_name value"
    assert kept[3][0]["family_name"]["redacted"] is True


def test_a_models_prior_is_kept_per_version_and_the_newest_is_read_afresh(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A saved model is never changed, so a session keeps the prior of each version it
    found for its next reads; the newest model, asked for when a version is unknown, may
    change between reads and is read again each time."""
    user, case = warrant_naming_one_subject(ws)

    def priors(session: Any) -> tuple[float | None, ...]:
        with session.reading("test.prior") as read:
            return (read.prior("m1"), read.prior("m2"), read.prior(None))

    asked: list[str | None] = []
    model_prior = reads.model_prior

    def counted(conn: Connection, version: str | None = None) -> float | None:
        asked.append(version)
        return model_prior(conn, version)

    monkeypatch.setattr(reads, "model_prior", counted)
    with ws.session(user, case.id) as session:
        assert priors(session) == priors(session) == (0.01, 0.01, 0.01)
        # m1 read once; m2 (unknown) and the newest model asked again by each read
        assert asked == ["m1", "m2", None, None, "m2", None, None]
        with ws.engine.begin() as conn:
            run = rs.start_run(conn, "full", 0.8, 0.01)
            rs.save_model(
                conn, "m2", run, "duckdb", {**MODEL, "probability_two_random_records_match": 0.2}
            )
        assert priors(session) == (0.01, 0.2, 0.2)


def test_markers_kept_from_read_to_read_share_nothing_a_caller_can_change(
    ws: Workspace,
) -> None:
    """A link's withheld levels are kept for the next read, their markers are not: changing
    the lists inside one read's marker leaves the next read's as a fresh one."""
    user, case = warrant_naming_one_subject(ws)

    def levels(session: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        with session.reading("test.link") as read:
            pair = (read.ref("dmv", "31"), read.ref("court", "30"))
            markers, withheld = read.withheld_levels(COMPARISONS, pair)
            worst = read.comparisons(COMPARISONS, pair)[COMPARISONS.index(withheld[0])][0]
            assert worst is not None
            return dict(markers[withheld[0]]), marker(worst)

    with ws.session(user, case.id) as session:
        first, _ = levels(session)
        assert first["markings"]
        first["markings"].append("changed by a caller")
        for unlock in first["would_unlock"]:
            unlock["purposes"].append("changed by a caller")
        first["would_unlock"].append({"process": "changed by a caller"})
        second, fresh = levels(session)
    assert second == fresh
    assert "changed by a caller" not in str(second)
