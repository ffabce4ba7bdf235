"""A case survives re-resolution, on SQLite and PostgreSQL: when a subject's entity is split
(a "different" judgement, then a full run) or merged (a "same" judgement), the case shows
what changed and the entities its records are in now, flags the subject "needs
confirmation", refuses to go to review until the assignee confirms, and the confirmation
replaces the old subject row with the confirmed entities, in the history and the audit log.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from linkwise.cases.rules import CaseStateError
from linkwise.govern import audit
from linkwise.govern.cases import InvalidCaseError
from linkwise.store import reads, tables
from linkwise.workspace import Workspace, case_work
from linkwise.workspace import drafting as wd
from tests.helpers import seed_user

Key = tuple[str, str]


def _groups(ws: Workspace) -> dict[str, list[Key]]:
    """Active entity → its records (source, key), in a stable order."""
    t = tables
    query = (
        select(t.entity_members.c.entity_id, t.sources.c.name, t.records.c.source_key)
        .join(t.records, t.records.c.id == t.entity_members.c.record_id)
        .join(t.sources, t.sources.c.id == t.records.c.source_id)
        .join(t.entities, t.entities.c.id == t.entity_members.c.entity_id)
        .where(t.entities.c.status == "active")
        .order_by(t.entity_members.c.entity_id, t.sources.c.name, t.records.c.source_key)
    )
    out: dict[str, list[Key]] = defaultdict(list)
    with ws.engine.connect() as conn:
        for row in conn.execute(query):
            out[str(row.entity_id)].append((str(row.name), str(row.source_key)))
    return dict(out)


@dataclass(frozen=True)
class Picks:
    """Records chosen from the freshly resolved world, by their keys (entity ids are new in
    every workspace, so choosing by them would choose different people from run to run),
    one set per test and no record in two: the two records of the smallest entity that
    has several (split), and a lone record with the largest and the second largest entity
    (merges)."""

    split: tuple[Key, Key]
    merge_small: Key
    merge_large: Key
    take_small: Key
    take_large: Key


@pytest.fixture(scope="module")
def picks(resolved: Workspace) -> Picks:
    groups = sorted(_groups(resolved).values())
    singles = [m[0] for m in groups if len(m) == 1]
    several = sorted((m for m in groups if len(m) >= 2), key=lambda m: (-len(m), m))
    assert len(singles) >= 2
    assert len(several) >= 3  # the two largest and the smallest are three different entities
    smallest = several[-1]
    found = Picks(
        split=(smallest[0], smallest[1]),
        merge_small=singles[0],
        merge_large=several[0][0],
        take_small=singles[-1],
        take_large=several[1][0],
    )
    keys = [*found.split, found.merge_small, found.merge_large, found.take_small, found.take_large]
    assert len(set(keys)) == len(keys)
    return found


def _entity(ws: Workspace, key: Key) -> str:
    found = ws.entity_of(*key)
    assert found is not None
    return found


def test_a_split_subject_is_flagged_and_the_assignee_confirms_the_person(
    resolved: Workspace, picks: Picks
) -> None:
    ws = resolved
    ann = seed_user(ws, "ann", "analyst")
    left, right = picks.split
    entity = _entity(ws, left)
    case = case_work.create_case(
        ws, ann, "Split", "criminal_investigation", subjects=[entity], reason="the referral"
    )
    assert not case_work.show_case(ws, ann, case.id).needs_confirmation

    ws.judge(left, right, "different", reviewer="ann", rationale="different dates of birth")
    ws.resolve(full=True)
    now_left, now_right = ws.entity_of(*left), ws.entity_of(*right)
    assert now_left is not None
    assert now_right is not None
    assert now_left != now_right

    detail = case_work.show_case(ws, ann, case.id)
    (flagged,) = detail.needs_confirmation
    assert flagged.subject.entity_id == entity
    assert {now_left, now_right} <= set(flagged.now_in)
    assert "confirm which entity the case concerns" in flagged.summary()
    assert flagged.changes  # the redirect(s) the split wrote
    (listed,) = [c for c in case_work.list_cases(ws, ann) if c.case.id == case.id]
    assert listed.needs_confirmation == 1
    with pytest.raises(CaseStateError, match="need confirmation"):
        case_work.move(ws, ann, case.id, "in_review")
    with pytest.raises(InvalidCaseError, match="is not where the records"):
        case_work.confirm_subject(ws, ann, case.id, entity, ["E0000000000"], "guess")
    stranger = seed_user(ws, "bob", "analyst")
    with pytest.raises(PermissionError):
        case_work.confirm_subject(ws, stranger, case.id, entity, [now_left], "not mine")

    (row,) = case_work.confirm_subject(
        ws, ann, case.id, entity, [now_left], "the referral's date of birth is the left one's"
    )
    assert row.entity_id == now_left
    after = case_work.show_case(ws, ann, case.id)
    assert not after.needs_confirmation
    assert [s.subject.entity_id for s in after.subjects] == [now_left]
    (ended,) = after.ended
    assert (ended.entity_id, ended.status, ended.replaced_by) == (entity, "replaced", row.id)
    step = after.history[-1]
    assert step.kind == "subject.confirmed"
    assert step.detail["entity_ids"] == [now_left]
    with ws.engine.connect() as conn:
        (event,) = audit.events(conn, case_id=case.id, action="case.subject.confirm")
    assert event.objects["entity_id"] == entity
    assert event.objects["entity_ids"] == [now_left]
    assert event.objects["replaced_by"] == [row.id]
    assert case_work.move(ws, ann, case.id, "in_review").status == "in_review"
    with pytest.raises(CaseStateError, match="nothing to confirm"):
        case_work.confirm_subject(ws, ann, case.id, now_left, [now_left], "again")


def test_a_merged_subject_is_flagged_on_both_sides(resolved: Workspace, picks: Picks) -> None:
    ws = resolved
    ann = seed_user(ws, "ann", "analyst")
    small, large = _entity(ws, picks.merge_small), _entity(ws, picks.merge_large)
    absorbed = case_work.create_case(
        ws, ann, "Merged away", "criminal_investigation", subjects=[small], reason="tip"
    )
    growing = case_work.create_case(
        ws, ann, "Merged into", "criminal_investigation", subjects=[large], reason="tip"
    )
    ws.judge(picks.merge_small, picks.merge_large, "same", reviewer="ann", rationale="same SSN")
    ws.resolve(full=True)
    merged = _entity(ws, picks.merge_small)
    assert merged == _entity(ws, picks.merge_large)
    assert merged == large  # the entity that gained one record keeps its id

    for case, entity in ((absorbed, small), (growing, large)):
        detail = case_work.show_case(ws, ann, case.id)
        (flagged,) = detail.needs_confirmation
        assert flagged.subject.entity_id == entity
        assert merged in flagged.now_in
        (row,) = case_work.confirm_subject(ws, ann, case.id, entity, [merged], "same person")
        assert row.entity_id == merged
        assert not case_work.show_case(ws, ann, case.id).needs_confirmation


def test_a_subject_awaiting_confirmation_is_flagged_in_the_package_and_stops_drafts_and_sign_off(
    resolved: Workspace, picks: Picks
) -> None:
    """An entity that takes in another's records may now hold another person's: the package
    says so (the entity kept the subject's id, and the note says records were merged into
    it), and nothing is drafted or signed off from it until the assignee confirms which
    person the case concerns."""
    ws = resolved
    ann = seed_user(ws, "ann2", "analyst")
    lee = seed_user(ws, "lee2", "legal_reviewer")
    small, large = _entity(ws, picks.take_small), _entity(ws, picks.take_large)
    case = case_work.create_case(
        ws, ann, "Takes in", "criminal_investigation", subjects=[large], reason="tip"
    )
    with ws.session(ann, case.id) as s:
        before = wd.draft(s, "affidavit")
    ws.judge(picks.take_small, picks.take_large, "same", reviewer="ann2", rationale="same SSN")
    ws.resolve(full=True)
    merged = _entity(ws, picks.take_small)
    assert merged == _entity(ws, picks.take_large)
    assert merged == large

    with ws.session(ann, case.id) as s:
        (part,) = wd.case_package(s)["subjects"]
        assert part["needs_confirmation"] is True
        assert "confirm which person the case concerns" in part["note"]
        assert "merged records into this entity" in part["note"]
        assert small not in part["note"]  # no entity id, no count: the export names neither
        # where the subject's records are now: active entities only, never a retired id
        assert merged in part["now_in"]
        with ws.engine.connect() as conn:
            assert {reads.entity_status(conn, e) for e in part["now_in"]} == {"active"}
        with pytest.raises(CaseStateError, match="cannot draft its affidavit while subject"):
            wd.draft(s, "affidavit")
    with ws.session(lee, case.id) as s, pytest.raises(CaseStateError, match="need confirmation"):
        wd.sign_document(s, before.id)

    case_work.confirm_subject(ws, ann, case.id, large, [merged], "the same person")
    with ws.session(ann, case.id) as s:
        (part,) = wd.case_package(s)["subjects"]
        assert part["needs_confirmation"] is False
        after = wd.draft(s, "affidavit")
    with ws.session(lee, case.id) as s:
        assert wd.sign_document(s, after.id).signed
