"""The audit log: a hash chain that commits with the change it records, detects every kind of
tampering and names where, survives concurrent writers, and re-verifies from an export."""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from argon2 import PasswordHasher, profiles
from sqlalchemy import Connection, Engine, Text, cast, delete, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

from linkwise.cli import common
from linkwise.cli.audit import audit_app
from linkwise.govern import audit, passwords
from linkwise.govern.users import User
from linkwise.model.audit import GENESIS_HASH, AuditEvent, AuditValueError
from linkwise.model.roles import Role
from linkwise.store import audit as store_audit
from linkwise.store import tables as t
from linkwise.store.engine import make_engine, migrate
from linkwise.workspace import Workspace
from linkwise.workspace import users as wu
from linkwise.workspace.audit import AuditQuery, export_audit, search_audit

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
E = t.audit_events


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    migrate(eng)
    try:
        yield eng
    finally:
        eng.dispose()


def _fill(engine: Engine, n: int, start: int = 0) -> list[AuditEvent]:
    """``n`` varied events, one transaction each."""
    out = []
    for i in range(start, start + n):
        with engine.begin() as conn:
            out.append(
                store_audit.append_event(
                    conn,
                    actor=["alice", "bob", "zoë"][i % 3],
                    action=["entity.view", "search", "judgement.record"][i % 3],
                    objects={"entity": f"E{i:04d}", "records": [i, i + 1], "score": i / 8},
                    decision=None if i % 2 else {"allow": True, "rule": f"purpose:{i % 4}"},
                    case_id=None if i % 5 == 0 else i % 7 + 1,
                    at=T0 + timedelta(seconds=i, microseconds=i),
                )
            )
    return out


def _verify(engine: Engine) -> audit.ChainCheck:
    with engine.connect() as conn:
        return audit.verify(conn)


def _recipe_hash(event: dict[str, Any]) -> str:
    """The recipe documented in verify_exported, written out independently."""
    fields = {k: v for k, v in event.items() if k != "hash"}
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# -- a good chain ------------------------------------------------------------------------


def test_chain_of_many_events_verifies_and_links(engine: Engine) -> None:
    made = _fill(engine, 120)
    check = _verify(engine)
    assert check == audit.ChainCheck(True, 120, None, None, made[-1].hash)
    with engine.connect() as conn:
        stored = list(audit.events(conn))
    assert [e.seq for e in stored] == list(range(1, 121))
    assert stored == made
    assert stored[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(stored))
    assert len({e.hash for e in stored}) == 120


def test_empty_log_verifies_with_no_head(engine: Engine) -> None:
    assert _verify(engine) == audit.ChainCheck(True, 0, None, None, None)


def test_values_are_stored_and_hashed_as_plain_json(engine: Engine) -> None:
    local = timezone(timedelta(hours=-5))
    with engine.begin() as conn:
        made = audit.record(
            conn,
            actor="analyst",
            action="case.note",
            objects={"names": ("Zoë", "李"), "whole": 2.0, "part": 0.1, "when": T0},
            decision={"allow": False, "unlock": ["subpoena"]},
            case_id=42,
        )
        shifted = store_audit.append_event(
            conn, actor="a", action="x", objects={}, at=datetime(2026, 1, 2, 3, 4, 5, 6, local)
        )
    with engine.connect() as conn:
        first, second = audit.events(conn)
    assert first == made
    assert first.objects == {
        "names": ["Zoë", "李"],
        "whole": 2,
        "part": 0.1,
        "when": "2026-03-01T09:30:00+00:00",
    }
    assert isinstance(first.objects["whole"], int)
    assert second.at == datetime(2026, 1, 2, 8, 4, 5, 6, UTC) == shifted.at
    assert second.decision is None
    assert first.hash == _recipe_hash(json.loads(first.export_line()))


def test_lists_of_ids_and_text_go_in_as_copies_of_plain_values(engine: Engine) -> None:
    """The quick paths for what governed reads record most (lists of ids, plain text) store
    and hash what the general one would: a copy, never the caller's list, and a ``str``
    subclass as plain text."""

    class Kind(StrEnum):
        READ = "read"

    ids = [3, 1, 2]
    with engine.begin() as conn:
        made = audit.record(
            conn,
            actor="analyst",
            action="entity.view",
            objects={
                "record_ids": ids,
                "kind": Kind.READ,
                "seen": {"entity_ids": ["E1"]},
                "by": MappingProxyType({Kind.READ: 1}),
            },
        )
    ids.append(4)
    assert made.objects == {
        "record_ids": [3, 1, 2],
        "kind": "read",
        "seen": {"entity_ids": ["E1"]},
        "by": {"read": 1},
    }
    assert type(made.objects["kind"]) is str
    assert type(made.objects["by"]) is dict
    assert [type(k) for k in made.objects["by"]] == [str]
    assert made.hash == _recipe_hash(json.loads(made.export_line())) == made.computed_hash()
    with engine.connect() as conn:
        assert list(audit.events(conn)) == [made]
    with pytest.raises(AuditValueError, match=r"objects\.record_ids\[1\]"), engine.begin() as conn:
        audit.record(conn, actor="a", action="x", objects={"record_ids": [1, 2**70]})


@pytest.mark.parametrize(
    "objects",
    [{"x": float("nan")}, {"x": 1e300}, {1: "a"}, {"x": {1, 2}}, {"x": 2**70}],
)
def test_values_that_would_not_survive_storage_are_refused(
    engine: Engine, objects: dict[Any, Any]
) -> None:
    with pytest.raises(AuditValueError), engine.begin() as conn:
        audit.record(conn, actor="a", action="x", objects=objects)
    assert _verify(engine).events == 0


def test_record_refuses_events_without_actor_or_with_long_actions(engine: Engine) -> None:
    with engine.begin() as conn:
        with pytest.raises(AuditValueError, match="actor"):
            audit.record(conn, actor=" ", action="x", objects={})
        with pytest.raises(AuditValueError, match="1 to 64"):
            audit.record(conn, actor="a", action="x" * 65, objects={})
    assert _verify(engine).events == 0


# -- transactions --------------------------------------------------------------------------


def _failing_change(engine: Engine) -> None:
    with engine.begin() as conn:
        audit.record(conn, actor="alice", action="entity.merge", objects={"entity": "E1"})
        assert len(list(audit.events(conn))) == 4  # visible inside the transaction ...
        raise RuntimeError("the change failed")  # ... until the change it records fails


def test_appends_store_what_sqlalchemy_would(engine: Engine) -> None:
    """The append runs on the driver's cursor (``linkwise.store.audit_driver``): its rows are
    byte for byte those SQLAlchemy's own inserts write for the same values (time, JSON)."""
    objects = {"entity_ids": ["E1"], "record_ids": [7, 3], "disclosed": {"record_ids": [3]}}
    with engine.begin() as conn:
        made = audit.record(
            conn,
            actor="zoë",
            action="entity.view",
            objects=objects,
            decision={"purpose": "criminal_investigation", "fields_shown": {"dmv": ["dob"]}},
            case_id=4,
        )
        twin = {f: getattr(made, f) for f in ("at", "actor", "case_id", "action", "objects")}
        conn.execute(
            insert(E),
            {**twin, "seq": 99, "decision": made.decision, "prev_hash": "p", "hash": made.hash},
        )
    as_text = [
        E.c.seq,
        *(cast(E.c[c], Text) for c in ("at", "actor", "case_id", "action", "objects", "decision")),
        E.c.hash,
    ]
    with engine.connect() as conn:
        appended, written = (tuple(r)[1:] for r in conn.execute(select(*as_text).order_by(E.c.seq)))
    assert appended == written


def _indexed(conn: Connection) -> list[tuple[int, str]]:
    s = t.audit_subjects
    return [tuple(r) for r in conn.execute(select(s.c.seq, s.c.subject).order_by(s.c.seq))]


def _indexed_to(conn: Connection) -> int:
    x = t.audit_index
    return int(conn.execute(select(x.c.indexed_to)).scalar_one())


def _search_then_fail(engine: Engine, subject: str, seq: int) -> None:
    with engine.begin() as conn:
        audit.record(conn, actor="a", action="entity.view", objects={"entity_ids": [subject]})
        assert [e.seq for e in audit.events(conn, subject=subject)] == [seq]
        raise RuntimeError("rolled back")


def test_the_subject_index_is_brought_up_to_date_when_read(engine: Engine) -> None:
    """An append writes no index row; ``index_subjects`` indexes every event since the last
    one indexed, once, and a search by subject does so first, so it never misses one."""
    with engine.begin() as conn:
        audit.record(conn, actor="a", action="entity.view", objects={"entity_ids": ["E1"]})
        audit.record(conn, actor="a", action="x", objects={"note": "names nobody"})
        audit.record(conn, actor="a", action="entity.view", objects={"record_ids": [7, 3]})
        assert _indexed(conn) == []
        assert store_audit.index_subjects(conn) == 3
        assert _indexed(conn) == [(1, "E1"), (3, "3"), (3, "7")]
        assert _indexed_to(conn) == 3
        assert store_audit.index_subjects(conn) == 0
        audit.record(conn, actor="a", action="entity.view", objects={"entity_ids": ["E1"]})
        assert [e.seq for e in audit.events(conn, subject="E1")] == [1, 4]
        assert _indexed_to(conn) == 4
    with pytest.raises(RuntimeError, match="rolled back"):
        _search_then_fail(engine, "E2", 5)
    with engine.begin() as conn:  # the event and its index rows went together
        assert _indexed_to(conn) == 4
        assert list(audit.events(conn, subject="E2")) == []
        audit.record(conn, actor="a", action="entity.view", objects={"entity_ids": ["E2"]})
    with engine.connect() as conn:  # a reader that never commits still finds it
        assert [e.seq for e in audit.events(conn, subject="E2")] == [5]
    with engine.connect() as conn:
        assert _indexed_to(conn) == 4


def test_every_nth_append_brings_the_subject_index_up_to_date(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """So that no read by subject has a long log to index under the chain's lock."""
    monkeypatch.setattr(store_audit, "SUBJECTS_EVERY", 4)
    _fill(engine, 6)
    with engine.connect() as conn:
        assert _indexed_to(conn) == 4
        assert sorted({seq for seq, _ in _indexed(conn)}) == [1, 2, 3, 4]
    _fill(engine, 2, start=6)
    with engine.connect() as conn:
        assert _indexed_to(conn) == 8


def test_an_index_position_past_the_newest_event_indexes_the_log_again(engine: Engine) -> None:
    """A position set by hand beyond the log would hide every later event from searches
    by subject; one past the newest event is taken as unknown."""
    _fill(engine, 3)
    with engine.begin() as conn:
        conn.execute(update(t.audit_index).values(indexed_to=99))
    with engine.begin() as conn:
        assert [e.seq for e in audit.events(conn, subject="E0001")] == [2]
        assert _indexed_to(conn) == 3


def test_a_lost_index_position_indexes_the_log_again_keeping_what_is_there(
    engine: Engine,
) -> None:
    _fill(engine, 3)
    with engine.begin() as conn:
        store_audit.index_subjects(conn)
        before = _indexed(conn)
        conn.execute(delete(t.audit_index))
    with engine.begin() as conn:
        assert store_audit.index_subjects(conn) == 3
        assert _indexed(conn) == before
        assert _indexed_to(conn) == 3


def test_a_failing_append_raises_sqlalchemys_error_and_writes_nothing(engine: Engine) -> None:
    _fill(engine, 2)
    # no actor: the database refuses the row (NOT NULL), past the checks ``record`` makes
    with pytest.raises(IntegrityError), engine.begin() as conn:
        store_audit.append_event(
            conn,
            actor=None,  # type: ignore[arg-type]
            action="entity.view",
            objects={"entity": "E9"},
        )
    assert _verify(engine) == audit.ChainCheck(True, 2, None, None, _row(engine, 2)["hash"])


def test_rolled_back_event_leaves_no_trace(engine: Engine) -> None:
    _fill(engine, 3)
    with pytest.raises(RuntimeError, match="the change failed"):
        _failing_change(engine)
    assert _verify(engine) == audit.ChainCheck(True, 3, None, None, _row(engine, 3)["hash"])
    with engine.begin() as conn:
        nxt = audit.record(conn, actor="alice", action="entity.merge", objects={"entity": "E1"})
    assert nxt.seq == 4
    assert nxt.prev_hash == _row(engine, 3)["hash"]
    assert _verify(engine).ok


def _load_policy(conn: Connection, version: str) -> None:
    conn.execute(
        insert(t.policy_versions).values(
            name="demo", version=version, sha256="0" * 64, content="", loaded_at=T0, loaded_by="a"
        )
    )
    audit.record(conn, actor="a", action="policy.load", objects={"version": version})


def test_event_and_change_commit_or_roll_back_together(engine: Engine) -> None:
    with engine.begin() as conn:
        _load_policy(conn, "1")
    with engine.connect() as conn, conn.begin():
        _load_policy(conn, "2")
        conn.rollback()
    with engine.connect() as conn:
        assert conn.execute(select(t.policy_versions.c.version)).scalars().all() == ["1"]
        assert [e.objects for e in audit.events(conn)] == [{"version": "1"}]


def test_append_outside_a_transaction_is_refused(engine: Engine) -> None:
    with engine.connect() as conn:
        with pytest.raises(store_audit.AuditTransactionError):
            audit.record(conn, actor="a", action="x", objects={})
        auto = conn.execution_options(isolation_level="AUTOCOMMIT")
        auto.execute(select(1))
        with pytest.raises(store_audit.AuditTransactionError):
            audit.record(auto, actor="a", action="x", objects={})
    assert _verify(engine).events == 0


# -- tampering -----------------------------------------------------------------------------


def _row(engine: Engine, seq: int) -> dict[str, Any]:
    with engine.connect() as conn:
        return dict(conn.execute(select(E).where(E.c.seq == seq)).one()._mapping)


def _set(engine: Engine, seq: int, **values: Any) -> None:
    with engine.begin() as conn:
        conn.execute(update(E).where(E.c.seq == seq).values(**values))


@pytest.mark.parametrize(
    "change",
    [
        {"actor": "mallory"},
        {"action": "entity.view"},
        {"case_id": 999},
        {"at": T0 - timedelta(days=1)},
        {"objects": {"entity": "E9999", "records": [17, 18], "score": 2.0}},
        {"decision": {"allow": False, "rule": "purpose:0"}},
        {"prev_hash": "f" * 64},
    ],
    ids=lambda c: next(iter(c)),
)
def test_a_changed_field_is_named(engine: Engine, change: dict[str, Any]) -> None:
    _fill(engine, 30)
    _set(engine, 17, **change)
    check = _verify(engine)
    assert not check.ok
    assert check.first_bad_seq == 17
    assert check.reason == "event 17: hash does not match its contents"
    assert check.events == 16
    assert check.head_hash == _row(engine, 16)["hash"]


def test_raw_sql_update_is_detected(engine: Engine) -> None:
    _fill(engine, 30)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE seq = 17"))
    check = _verify(engine)
    assert (check.ok, check.first_bad_seq) == (False, 17)
    assert "event 17: hash does not match its contents" in (check.reason or "")


def test_a_resealed_change_breaks_the_next_link(engine: Engine) -> None:
    _fill(engine, 30)
    row = {k: v for k, v in _row(engine, 17).items() if k != "hash"}
    forged = AuditEvent.sealed(**{**row, "actor": "mallory"})
    _set(engine, 17, actor="mallory", hash=forged.hash)
    assert _verify(engine).first_bad_seq == 18
    check = _verify(engine)
    assert check.first_bad_seq == 18
    assert check.reason == "event 18: previous hash does not match event 17's hash"


def test_a_deleted_middle_row_is_named(engine: Engine) -> None:
    _fill(engine, 30)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE seq = 18"))
    check = _verify(engine)
    assert (check.ok, check.first_bad_seq, check.events) == (False, 18, 17)
    assert check.reason == "event 18 missing (the next event present is 19)"


def test_deleted_rows_at_the_start_are_named(engine: Engine) -> None:
    _fill(engine, 10)
    with engine.begin() as conn:
        conn.execute(delete(E).where(E.c.seq <= 3))
    check = _verify(engine)
    assert check.first_bad_seq == 1
    assert check.reason == "events 1 to 3 missing (the next event present is 4)"


def test_an_inserted_forged_row_is_named(engine: Engine) -> None:
    _fill(engine, 30)
    with engine.begin() as conn:
        conn.execute(
            insert(E).values(
                seq=31,
                at=T0,
                actor="mallory",
                case_id=None,
                action="entity.view",
                objects={},
                decision=None,
                prev_hash=_row(engine, 30)["hash"],
                hash=_row(engine, 30)["hash"],
            )
        )
    check = _verify(engine)
    assert (check.first_bad_seq, check.reason) == (31, "event 31: hash does not match its contents")


def test_a_row_slipped_into_the_middle_is_named(engine: Engine) -> None:
    """Renumber the tail and insert a correctly sealed forgery: the event pushed along now
    has the wrong number inside its hash."""
    _fill(engine, 30)
    with engine.begin() as conn:
        conn.execute(update(E).where(E.c.seq >= 10).values(seq=E.c.seq + 1000))
        conn.execute(update(E).where(E.c.seq >= 1000).values(seq=E.c.seq - 999))
        forged = AuditEvent.sealed(
            seq=10,
            at=T0,
            actor="mallory",
            case_id=None,
            action="entity.view",
            objects={"entity": "E0001"},
            decision=None,
            prev_hash=_row(engine, 9)["hash"],
        )
        conn.execute(
            insert(E).values(
                {k: getattr(forged, k) for k in ("seq", "at", "actor", "case_id", "action")}
                | {"objects": forged.objects, "decision": None}
                | {"prev_hash": forged.prev_hash, "hash": forged.hash}
            )
        )
    check = _verify(engine)
    assert (check.first_bad_seq, check.reason) == (11, "event 11: hash does not match its contents")
    assert check.events == 10


def test_swapped_rows_are_named(engine: Engine) -> None:
    _fill(engine, 30)
    a, b = _row(engine, 5), _row(engine, 6)
    _set(engine, 5, **{k: v for k, v in b.items() if k != "seq"})
    _set(engine, 6, **{k: v for k, v in a.items() if k != "seq"})
    check = _verify(engine)
    assert (check.first_bad_seq, check.reason) == (5, "event 5: hash does not match its contents")


def test_unreadable_json_is_a_broken_event_not_a_crash(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    migrate(engine)
    _fill(engine, 5)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET objects = '{not json' WHERE seq = 4"))
    check = _verify(engine)
    assert (check.first_bad_seq, check.reason) == (4, "event 4: hash does not match its contents")
    engine.dispose()


def test_a_time_that_is_not_a_time_is_a_broken_event_not_a_crash(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    migrate(engine)
    made = _fill(engine, 5)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET at = 'garbage' WHERE seq = 3"))
    check = _verify(engine)
    assert (check.first_bad_seq, check.reason) == (3, "event 3: hash does not match its contents")
    with engine.connect() as conn:
        listed = list(audit.events(conn))
    assert [e.at for e in listed] == [
        store_audit.UNREADABLE_TIME if e.seq == 3 else e.at for e in made
    ]
    engine.dispose()


def test_anchor_catches_truncation_and_rewriting(engine: Engine) -> None:
    made = _fill(engine, 20)
    anchor = (20, made[-1].hash)
    with engine.connect() as conn:
        assert audit.verify(conn, anchor=anchor).ok
    with engine.begin() as conn:
        conn.execute(delete(E).where(E.c.seq > 15))
    assert _verify(engine).ok  # a cut tail is invisible to the chain alone ...
    with engine.connect() as conn:
        check = audit.verify(conn, anchor=anchor)  # ... but not to a noted head
    assert (check.ok, check.first_bad_seq, check.events) == (False, 20, 15)
    assert "truncated" in (check.reason or "")
    _fill(engine, 5, start=100)  # rewritten: events 16-20 again, but different
    with engine.connect() as conn:
        check = audit.verify(conn, anchor=anchor)
    assert (check.first_bad_seq, check.events) == (20, 19)
    assert "differs from the anchored hash" in (check.reason or "")


# -- reading -------------------------------------------------------------------------------


def test_event_filters_and_paging(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_audit, "_PAGE", 4)
    made = _fill(engine, 30)
    with engine.connect() as conn:

        def seqs(**kw: Any) -> list[int]:
            return [e.seq for e in audit.events(conn, **kw)]

        assert seqs() == list(range(1, 31))
        assert seqs(actor="bob") == [e.seq for e in made if e.actor == "bob"]
        assert seqs(action="search", case_id=3) == [
            e.seq for e in made if e.action == "search" and e.case_id == 3
        ]
        assert seqs(since_seq=25) == [26, 27, 28, 29, 30]
        assert seqs(limit=9) == list(range(1, 10))
        assert seqs(limit=9, newest_first=True) == list(range(30, 21, -1))
        assert seqs(since_seq=5, limit=6) == list(range(6, 12))
        assert seqs(actor="alice", newest_first=True, limit=5) == [28, 25, 22, 19, 16]
        assert store_audit.head(conn) == made[-1]


# -- export --------------------------------------------------------------------------------


def test_export_reverifies_outside_the_database(engine: Engine, tmp_path: Path) -> None:
    made = _fill(engine, 40)
    path = tmp_path / "audit.jsonl"
    with engine.connect() as conn:
        assert audit.export_jsonl(conn, path) == 40
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 40
    check = audit.verify_exported(lines)
    assert check == audit.ChainCheck(True, 40, None, None, made[-1].hash)
    prev = GENESIS_HASH
    for n, line in enumerate(lines, start=1):  # the documented recipe, done by hand
        event = json.loads(line)
        assert event["seq"] == n
        assert event["prev_hash"] == prev
        assert _recipe_hash(event) == event["hash"]
        prev = event["hash"]
    stream = io.StringIO()
    with engine.connect() as conn:
        audit.export_jsonl(conn, stream)
    assert stream.getvalue().splitlines() == lines


def _tampered(lines: list[str], n: int, **change: Any) -> list[str]:
    out = list(lines)
    out[n - 1] = json.dumps({**json.loads(out[n - 1]), **change})
    return out


def test_tampered_export_fails_and_names_the_event(engine: Engine, tmp_path: Path) -> None:
    made = _fill(engine, 12)
    stream = io.StringIO()
    with engine.connect() as conn:
        audit.export_jsonl(conn, stream)
    lines = stream.getvalue().splitlines()

    def bad(candidate: list[str]) -> tuple[int | None, str | None]:
        check = audit.verify_exported(candidate)
        assert not check.ok
        return check.first_bad_seq, check.reason

    assert bad(_tampered(lines, 7, actor="mallory")) == (
        7,
        "event 7: hash does not match its contents",
    )
    assert bad(_tampered(lines, 7, objects={**made[6].objects, "extra": 1}))[0] == 7
    assert bad(lines[:4] + lines[5:]) == (5, "event 5 missing (the next event present is 6)")
    assert bad([*lines[:4], lines[5], lines[4], *lines[6:]])[0] == 5
    assert bad([*lines[:3], lines[3], lines[3], *lines[4:]]) == (
        4,
        "event 4: out of sequence (expected event 5)",
    )
    seq, reason = bad([*lines[:8], lines[8][:-5], *lines[9:]])
    assert seq == 9
    assert (reason or "").startswith("line 9 (where event 9 belongs): ")
    assert bad(_tampered(lines, 3, at="2026-03-01T09:30:02Z"))[0] == 3
    assert bad(_tampered(lines, 3, note="x"))[0] == 3
    assert audit.verify_exported(lines[:6]).ok  # a prefix is consistent on its own ...
    check = audit.verify_exported(lines[:6], anchor=(12, made[-1].hash))
    assert (check.ok, check.first_bad_seq) == (False, 12)  # ... but not against a noted head


# -- concurrency ---------------------------------------------------------------------------


def _side_by_side(work: Callable[[str], None]) -> None:
    """``work("t1")`` and ``work("t2")`` in two threads started together; fails with the
    first error either raised."""
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(name: str) -> None:
        try:
            start.wait()
            work(name)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in ("t1", "t2")]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=300)
    assert errors == []


def test_concurrent_appends_and_searches_by_subject_miss_no_event(engine: Engine) -> None:
    """Two writers append and now and then search for the subject just appended, in the
    append's transaction or in one of their own (bringing the index up to date beside the
    other's appends): each finds its own event, and the index ends holding every event's
    subject exactly once."""
    per_thread = 30

    def writer(name: str) -> None:
        for i in range(per_thread):
            subject = f"{name}-{i}"
            with engine.begin() as conn:
                made = audit.record(conn, actor=name, action="x", objects={"entity": subject})
                if i % 3 == 1:  # inside the append's transaction, under its lock
                    assert [e.seq for e in audit.events(conn, subject=subject)] == [made.seq]
            if i % 3 == 2:  # in a transaction of its own, beside the other's appends
                with engine.begin() as conn:
                    assert [e.seq for e in audit.events(conn, subject=subject)] == [made.seq]

    _side_by_side(writer)
    with engine.begin() as conn:
        store_audit.index_subjects(conn)
        indexed = _indexed(conn)
        assert _indexed_to(conn) == 2 * per_thread
    assert sorted(seq for seq, _ in indexed) == list(range(1, 2 * per_thread + 1))
    assert len({subject for _, subject in indexed}) == 2 * per_thread


def test_concurrent_writers_make_one_contiguous_chain(engine: Engine) -> None:
    per_thread = 50

    def writer(name: str) -> None:
        for i in range(per_thread):
            with engine.begin() as conn:
                if i % 2:  # a read before the append, as a real change would do
                    conn.execute(select(E.c.seq).order_by(E.c.seq.desc()).limit(1)).all()
                audit.record(conn, actor=name, action="search", objects={"i": i})

    _side_by_side(writer)
    check = _verify(engine)
    assert check.ok, check.reason
    assert check.events == 2 * per_thread
    with engine.connect() as conn:
        stored = list(audit.events(conn))
    assert [e.seq for e in stored] == list(range(1, 2 * per_thread + 1))
    for name in ("t1", "t2"):
        mine = [e.objects["i"] for e in stored if e.actor == name]
        assert mine == list(range(per_thread))


# -- searching -----------------------------------------------------------------------------


def test_search_by_subject_time_actor_case_and_action(engine: Engine) -> None:
    made = _fill(engine, 30)
    with engine.connect() as conn:

        def seqs(**kw: Any) -> list[int]:
            return [e.seq for e in audit.events(conn, **kw)]

        # records [i, i + 1] name record ids 4 and 5 in event 5 (i = 4), 5 and 6 in event 6
        assert seqs(subject="5") == [5, 6]
        assert seqs(subject="E0007") == [8]
        assert seqs(subject="E9999") == []
        assert seqs(subject="alice") == []  # an actor is not a subject
        assert seqs(since_time=T0 + timedelta(seconds=10)) == list(range(11, 31))
        assert seqs(until_time=T0 + timedelta(seconds=3)) == [1, 2, 3]
        window = {
            "since_time": T0 + timedelta(seconds=10),
            "until_time": T0 + timedelta(seconds=20),
        }
        assert seqs(**window) == list(range(11, 21))
        est = timezone(timedelta(hours=-5))
        assert seqs(since_time=(T0 + timedelta(seconds=28)).astimezone(est)) == [29, 30]
        assert seqs(actor="bob", **window) == [e.seq for e in made[10:20] if e.actor == "bob"]
        assert seqs(case_id=3, action="search") == [
            e.seq for e in made if e.case_id == 3 and e.action == "search"
        ]
        assert seqs(subject="5", newest_first=True, limit=1) == [6]


def test_subjects_come_from_the_named_keys_at_any_depth(engine: Engine) -> None:
    objects = {
        "case_id": 7,
        "user_id": 5,
        "scope": {"subjects": ["E1", "E2"], "sources": ["dmv"]},
        "pair": [{"record_id": 11}, {"record_id": 12}],
        "entity": "E3",
        "note": "E4",
        "records": [True, None, 1.5, "x" * 300],
    }
    assert store_audit.subjects_of(objects) == ["11", "12", "E1", "E2", "E3"]
    with engine.begin() as conn:
        audit.record(conn, actor="a", action="authorisation.record", objects=objects)
    with engine.connect() as conn:
        for subject in ("E1", "E2", "E3", "11", "12"):
            assert [e.seq for e in audit.events(conn, subject=subject)] == [1]
        for other in ("E4", "5", "7", "dmv"):
            assert list(audit.events(conn, subject=other)) == []


def test_a_doctored_subject_row_cannot_make_an_event_match(engine: Engine) -> None:
    _fill(engine, 3)
    with engine.begin() as conn:
        conn.execute(insert(t.audit_subjects).values(subject="E9999", seq=2))
    with engine.connect() as conn:
        assert list(audit.events(conn, subject="E9999")) == []


# -- workspace and command line -----------------------------------------------------------

ADMIN_PW = "admin passphrase one"
AUDITOR_PW = "auditor passphrase two"
ANALYST_PW = "analyst passphrase three"
runner = CliRunner()


@pytest.fixture(autouse=True)
def _cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real argon2id with the cheapest parameters: the default costs ~0.3 s per hash."""
    monkeypatch.setattr(passwords, "hasher", PasswordHasher.from_parameters(profiles.CHEAPEST))
    monkeypatch.delenv("LINKWISE_AUDIT_KEY", raising=False)


@pytest.fixture
def people(workspace: Workspace) -> dict[str, User]:
    """An administrator, an auditor and an analyst."""
    root = wu.add_user(workspace, None, None, "root", "", Role.ADMINISTRATOR, ADMIN_PW)
    return {
        "root": root,
        "audrey": wu.add_user(workspace, "root", ADMIN_PW, "audrey", "", Role.AUDITOR, AUDITOR_PW),
        "ann": wu.add_user(workspace, "root", ADMIN_PW, "ann", "", Role.ANALYST, ANALYST_PW),
    }


@pytest.fixture
def _wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common.console, "width", 200)
    monkeypatch.setattr(common.err_console, "width", 200)


PASSWORDS = {"root": ADMIN_PW, "audrey": AUDITOR_PW, "ann": ANALYST_PW}


def _cli(ws: Workspace, *args: str, user: str = "audrey") -> tuple[int, str]:
    result = runner.invoke(
        audit_app,
        [*args, "--workspace", str(ws.root), "--as", user],
        env={"LINKWISE_PASSWORD": PASSWORDS[user]},
    )
    return result.exit_code, result.output


def _head_seq(ws: Workspace) -> int:
    with ws.engine.connect() as conn:
        top = store_audit.head(conn)
    return 0 if top is None else top.seq


def _actions(ws: Workspace, since: int) -> list[tuple[str, str]]:
    with ws.engine.connect() as conn:
        return [(e.actor, e.action) for e in audit.events(conn, since_seq=since)]


@pytest.mark.usefixtures("_wide_console")
def test_a_workspace_without_users_refuses_clearly(workspace: Workspace) -> None:
    before = _head_seq(workspace)  # creating the workspace recorded its policy pack
    for command in (["verify"], ["list"], ["search"], ["export", "-"], ["checkpoint"]):
        result = runner.invoke(audit_app, [*command, "--workspace", str(workspace.root)])
        assert result.exit_code == 2, command
        assert "has no users yet" in result.output
        assert "linkwise user add NAME --role administrator" in result.output
    assert _head_seq(workspace) == before


@pytest.mark.usefixtures("_wide_console", "people")
def test_cli_verify_reports_head_and_names_a_bad_event(workspace: Workspace) -> None:
    made = _fill(workspace.engine, 6)
    before = _head_seq(workspace)
    code, out = _cli(workspace, "verify", user="root")  # an administrator may verify
    assert code == 0, out
    with workspace.engine.connect() as conn:  # what was verified: up to root's login
        head = next(audit.events(conn, since_seq=before, limit=1))
    assert head.action == "login.ok"
    assert f"audit log intact: {head.seq} events" in out
    assert f"head: {head.seq}:{head.hash}" in out
    assert "signed checkpoints: none yet" in out
    assert _actions(workspace, before) == [("root", "login.ok"), ("root", "audit.verify")]
    code, out = _cli(workspace, "verify", "--anchor", f"{head.seq}:{head.hash}")
    assert code == 0
    assert f"anchor {head.seq} matches" in out
    bad = made[2].seq
    _set(workspace.engine, bad, actor="mallory")
    code, out = _cli(workspace, "verify")
    assert code == 1
    assert f"audit log broken: event {bad}: hash does not match its contents (events 1 to " in out
    with workspace.engine.connect() as conn:
        recorded = list(audit.events(conn, action="audit.verify"))[-1]
    assert recorded.objects["ok"] is False
    assert recorded.objects["first_bad_seq"] == bad


@pytest.mark.usefixtures("_wide_console", "people")
def test_cli_verify_with_a_stale_anchor_fails(workspace: Workspace) -> None:
    made = _fill(workspace.engine, 4)
    with workspace.engine.begin() as conn:
        conn.execute(delete(E).where(E.c.seq >= made[-1].seq))
    code, out = _cli(workspace, "verify", "--anchor", f"{made[-1].seq}:{made[-1].hash}")
    assert code == 1
    # the login took the place of the deleted event: the anchor shows it is not the one noted
    assert f"audit log broken: event {made[-1].seq}: hash differs from the anchored" in out
    for bad in ("4:nothex", "4:" + "g" * 64, "0:" + "a" * 64, "x:" + "a" * 64):
        code, out = _cli(workspace, "verify", "--anchor", bad)
        assert code == 2
        assert "SEQ:HASH" in out


def _listed(out: str) -> list[int]:
    """The seq column of a printed table."""
    cells = [line.split("│")[1].strip() for line in out.splitlines() if line.count("│") > 2]
    return [int(c) for c in cells if c.isdigit()]


@pytest.mark.usefixtures("_wide_console")
def test_cli_list_filters_and_export(
    workspace: Workspace, people: dict[str, User], tmp_path: Path
) -> None:
    made = _fill(workspace.engine, 12)
    code, out = _cli(workspace, "list", "--actor", "bob", "--limit", "2")
    assert code == 0, out
    bobs = [e for e in made if e.actor == "bob"]
    assert _listed(out) == [e.seq for e in bobs[-2:]]
    code, out = _cli(workspace, "list", "--since", str(made[9].seq))
    assert code == 0, out
    assert _listed(out)[:2] == [made[10].seq, made[11].seq]
    code, out = _cli(workspace, "list", "--action", "nothing.such")
    assert (code, out.strip()) == (0, "no audit events match")
    target = tmp_path / "out.jsonl"
    code, out = _cli(workspace, "export", str(target))
    assert code == 0, out
    assert f"exported {_head_seq(workspace) - 1} audit events and 0 checkpoints to {target}" in out
    assert audit.verify_exported(target.read_text().splitlines()).ok
    code, out = _cli(workspace, "export", "-")
    assert code == 0
    assert out.splitlines()[: len(made)] == target.read_text().splitlines()[: len(made)]
    auditor = people["audrey"]
    found = search_audit(workspace, auditor, AuditQuery(case_id=3, limit=None))
    assert [e.seq for e in found] == [e.seq for e in made if e.case_id == 3]
    assert export_audit(workspace, auditor, io.StringIO()) == (_head_seq(workspace) - 1, 0)
    with workspace.engine.connect() as conn:
        exports = list(audit.events(conn, action="audit.export"))
    assert [e.objects["to"] for e in exports] == [str(target), "-", "-"]
    assert {e.actor for e in exports} == {"audrey"}


@pytest.mark.usefixtures("_wide_console", "people")
def test_cli_times_outside_the_calendar_are_refused(workspace: Workspace) -> None:
    for option, text_ in (
        ("--since", "9999-12-31T23:59:59-14:00"),
        ("--until", "0001-01-01T00:00+14:00"),
    ):
        code, out = _cli(workspace, "search", option, text_)
        assert code == 2, out
        assert f"{option} '{text_}': outside the calendar once in UTC" in out


@pytest.mark.usefixtures("_wide_console", "people")
def test_cli_refuses_an_empty_window_and_an_empty_export(
    workspace: Workspace, tmp_path: Path
) -> None:
    code, out = _cli(workspace, "search", "--since", "2026-12-07", "--until", "2026-12-01")
    assert code == 2
    assert "--until '2026-12-01' is not after --since '2026-12-07'" in out
    code, out = _cli(workspace, "search", "--subject", " ")
    assert code == 2
    assert "--subject is blank" in out
    code, out = _cli(workspace, "search", "--case", "-1")
    assert code == 2
    (tmp_path / "empty.jsonl").write_text("")
    result = runner.invoke(audit_app, ["verify-export", str(tmp_path / "empty.jsonl")])
    assert result.exit_code == 1
    assert "holds no audit events: not an export of a log" in " ".join(result.output.split())


@pytest.mark.usefixtures("_wide_console", "people")
def test_cli_prints_what_users_typed_as_written(workspace: Workspace) -> None:
    # a reference or reason is typed by a user: brackets in it are text, never style tags
    # ("[/]" used to stop the auditor's list; "[bold]quashed[/bold]" lost its tags)
    typed = "[/] [bold]quashed[/bold] [red]"
    with workspace.engine.begin() as conn:
        store_audit.append_event(
            conn, actor="ann", action="authorisation.revoke", objects={"reason": typed}
        )
    code, out = _cli(workspace, "list", "--action", "authorisation.revoke")
    assert code == 0, out
    assert typed in out


@pytest.mark.usefixtures("_wide_console", "people")
def test_cli_search_by_actor_case_subject_action_and_time(workspace: Workspace) -> None:
    made = _fill(workspace.engine, 30)
    code, out = _cli(workspace, "search", "--subject", "E0007")
    assert code == 0, out
    assert _listed(out) == [made[7].seq]
    code, out = _cli(
        workspace, "search", "--actor", "zoë", "--case", "3", "--action", "entity.view"
    )
    assert code == 0, out
    expected = [e.seq for e in made if (e.actor, e.case_id, e.action) == ("zoë", 3, "entity.view")]
    assert _listed(out) == expected
    since, until = (T0 + timedelta(seconds=10)).isoformat(), "2026-03-01T09:30:13"
    code, out = _cli(workspace, "search", "--since", since, "--until", until, "--limit", "2")
    assert code == 0, out
    assert _listed(out) == [made[11].seq, made[12].seq]
    code, out = _cli(workspace, "search", "--since", "yesterday")
    assert code == 2
    assert "--since 'yesterday'" in out
    # The searches are on the record, found by searching for the subject searched for.
    code, out = _cli(workspace, "search", "--subject", "E0007", "--action", "audit.search")
    assert code == 0, out
    with workspace.engine.connect() as conn:
        searches = list(audit.events(conn, action="audit.search"))
    assert searches[0].objects == {"subject": "E0007", "limit": 100, "matched": 1}
    assert _listed(out) == [searches[0].seq]


@pytest.mark.usefixtures("_wide_console", "people")
def test_non_auditors_are_refused_and_the_refusal_is_recorded(workspace: Workspace) -> None:
    _fill(workspace.engine, 3)
    for user, command in [
        ("ann", ["search", "--subject", "E0001"]),
        ("ann", ["list"]),
        ("ann", ["export", "-"]),
        ("ann", ["verify"]),
        ("ann", ["checkpoint"]),
        ("root", ["search"]),  # an administrator verifies the log but does not read it
        ("root", ["export", "-"]),
        ("ann", ["export", str(workspace.root / "out.jsonl")]),  # a refusal, not a write error
    ]:
        before = _head_seq(workspace)
        code, out = _cli(workspace, *command, user=user)
        assert code == 2, (user, command, out)
        assert "needs the auditor" in out
        assert "cannot write" not in out
        assert f"{user} is " in out
        actions = _actions(workspace, before)
        assert actions == [(user, "login.ok"), (user, "permission.denied")]
    result = runner.invoke(
        audit_app,
        ["list", "--workspace", str(workspace.root), "--as", "audrey"],
        env={"LINKWISE_PASSWORD": "not the password"},
    )
    assert result.exit_code == 2
    assert "authentication failed" in result.output
