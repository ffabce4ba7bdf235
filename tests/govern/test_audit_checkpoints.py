"""Signed checkpoints of the audit log: written every CHECKPOINT_INTERVAL events and on
demand, verified with a trusted public key, and failing, by name, a chain rewritten with
recomputed hashes, a forged or altered checkpoint, a removed checkpoint, and a log cut short
below a checkpoint; the key file's handling; and the same checks on an export."""

from __future__ import annotations

import io
import json
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher, profiles
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine, delete, insert, select, update
from typer.testing import CliRunner

from linkwise.cli import common
from linkwise.cli.audit import audit_app
from linkwise.govern import audit, passwords
from linkwise.govern.users import User
from linkwise.model.audit import AuditEvent, check_chain
from linkwise.model.audit_checkpoints import (
    CHECKPOINT_INTERVAL,
    AuditKeyError,
    Checkpoint,
    load_signing_key,
    private_key_pem,
    public_key_hex,
    public_key_pem,
    sign_checkpoint,
    signed_text,
)
from linkwise.model.roles import Role
from linkwise.store import audit as store_audit
from linkwise.store import tables as t
from linkwise.store.engine import make_engine, migrate
from linkwise.workspace import Workspace
from linkwise.workspace import users as wu
from linkwise.workspace.audit import (
    attach_audit_signer,
    audit_key_path,
    checkpoint_audit,
    public_key_path,
    trusted_keys,
    verify_audit,
)

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
E, C = t.audit_events, t.audit_checkpoints
EVERY = 10
KEY = Ed25519PrivateKey.generate()
PUBLIC = KEY.public_key()


@pytest.fixture(autouse=True)
def _small_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    """A checkpoint every 10 events, so a test needs tens of events, not thousands."""
    monkeypatch.setattr(store_audit, "CHECKPOINT_INTERVAL", EVERY)
    monkeypatch.setattr(passwords, "hasher", PasswordHasher.from_parameters(profiles.CHEAPEST))
    monkeypatch.delenv("LINKWISE_AUDIT_KEY", raising=False)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    migrate(eng)
    try:
        yield eng
    finally:
        eng.dispose()


def _signing(engine: Engine, key: Ed25519PrivateKey = KEY) -> Engine:
    """The engine with a signing key for automatic checkpoints, as a workspace sets it."""
    return engine.execution_options(**{audit.SIGNING_KEY_OPTION: lambda _conn: key})


def _fill(engine: Engine, n: int, start: int = 0, per_transaction: int = 5) -> None:
    for first in range(start, start + n, per_transaction):
        with engine.begin() as conn:
            for i in range(first, min(first + per_transaction, start + n)):
                audit.record(
                    conn,
                    actor=["alice", "bob"][i % 2],
                    action="entity.view",
                    objects={"entity": f"E{i:04d}", "records": [i]},
                    case_id=i % 3 + 1,
                )


def _verify(engine: Engine, *keys: Any) -> audit.ChainCheck:
    with engine.connect() as conn:
        return audit.verify(conn, trusted_keys=keys)


def _checkpoints(engine: Engine) -> list[Checkpoint]:
    with engine.connect() as conn:
        return audit.checkpoints(conn)


def _events(engine: Engine) -> list[AuditEvent]:
    with engine.connect() as conn:
        return list(audit.events(conn))


def test_the_interval_is_a_documented_thousand() -> None:
    assert CHECKPOINT_INTERVAL == 1000


def test_checkpoints_every_interval_verify_with_the_public_key(engine: Engine) -> None:
    _fill(_signing(engine), 35)
    events, signed = _events(engine), _checkpoints(engine)
    assert [(c.seq, c.prev_seq) for c in signed] == [(10, 0), (20, 10), (30, 20)]
    for cp in signed:
        assert cp.event_hash == events[cp.seq - 1].hash
        assert cp.public_key == public_key_hex(KEY)
        # The documented recipe, written out independently, checked with the raw key.
        text = json.dumps(
            {
                "type": "linkwise.audit.checkpoint.v1",
                "seq": cp.seq,
                "hash": cp.event_hash,
                "at": cp.at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "prev_seq": cp.prev_seq,
            },
            sort_keys=True,
            separators=(",", ":"),
        )
        assert text == cp.signed_text()
        PUBLIC.verify(bytes.fromhex(cp.signature), text.encode())
    check = _verify(engine, PUBLIC)
    assert check == audit.ChainCheck(True, 35, None, None, events[-1].hash, 3, 30)


def test_without_a_key_no_checkpoint_is_written(engine: Engine) -> None:
    _fill(engine, 25)
    assert _checkpoints(engine) == []
    assert _verify(engine).ok


def test_a_log_with_checkpoints_needs_a_trusted_key(engine: Engine) -> None:
    _fill(_signing(engine), 12)
    check = _verify(engine)
    assert (check.ok, check.first_bad_seq, check.events) == (False, 10, 0)
    assert "checkpoint at event 10: no public key to check its signature with" in (
        check.reason or ""
    )


def _rewrite_from(engine: Engine, first: int, actor: str = "mallory") -> None:
    """What someone with database access but not the key can do: change events from
    ``first`` on and recompute every hash after, so that the chain alone verifies."""
    events = _events(engine)
    prev = events[first - 2].hash
    with engine.begin() as conn:
        for event in events[first - 1 :]:
            forged = AuditEvent.sealed(
                seq=event.seq,
                at=event.at,
                actor=actor if event.seq == first else event.actor,
                case_id=event.case_id,
                action=event.action,
                objects=event.objects,
                decision=event.decision,
                prev_hash=prev,
            )
            conn.execute(
                update(E)
                .where(E.c.seq == event.seq)
                .values(actor=forged.actor, prev_hash=forged.prev_hash, hash=forged.hash)
            )
            prev = forged.hash


def test_a_rewritten_chain_fails_at_the_checkpoint_that_signed_it(engine: Engine) -> None:
    _fill(_signing(engine), 35)
    _rewrite_from(engine, 15)
    assert check_chain(_events(engine)).ok  # the chain alone cannot tell ...
    check = _verify(engine, PUBLIC)  # ... the checkpoint at event 20 can
    assert (check.first_bad_seq, check.events, check.checkpoints) == (20, 10, 1)
    assert check.reason is not None
    assert check.reason.startswith("checkpoint at event 20: event 20's hash differs from the")
    assert "events after the checkpoint at event 10 were rewritten" in check.reason
    assert check.head_hash == _checkpoints(engine)[0].event_hash


def test_a_rewrite_after_the_newest_checkpoint_needs_a_noted_head(engine: Engine) -> None:
    _fill(_signing(engine), 35)
    _rewrite_from(engine, 32)
    assert _verify(engine, PUBLIC).ok  # the documented limit: only the chain covers 31-35


def _resign(engine: Engine, key: Ed25519PrivateKey) -> None:
    """Replace every checkpoint by one signed with ``key`` over the hashes as they are now."""
    events = _events(engine)
    with engine.begin() as conn:
        for cp in audit.checkpoints(conn):
            forged = sign_checkpoint(
                key, seq=cp.seq, event_hash=events[cp.seq - 1].hash, at=cp.at, prev_seq=cp.prev_seq
            )
            conn.execute(
                update(C)
                .where(C.c.seq == cp.seq)
                .values(
                    event_hash=forged.event_hash,
                    public_key=forged.public_key,
                    signature=forged.signature,
                )
            )


def test_checkpoints_forged_with_another_key_fail(engine: Engine) -> None:
    _fill(_signing(engine), 35)
    _rewrite_from(engine, 3)
    mallory = Ed25519PrivateKey.generate()
    _resign(engine, mallory)
    assert _verify(engine, mallory.public_key()).ok  # the forger's own key would pass ...
    check = _verify(engine, PUBLIC)  # ... but it is not the key the verifier trusts
    assert (check.ok, check.first_bad_seq, check.events) == (False, 10, 0)
    assert check.reason == (
        f"checkpoint at event 10: signed by key {public_key_hex(mallory)[:16]}, which is not a "
        f"trusted key (trusted: {public_key_hex(KEY)[:16]}); the checkpoint was forged, or "
        "signed by a key not given to the verifier"
    )


def test_a_checkpoint_with_the_trusted_key_recorded_but_a_forged_signature_fails(
    engine: Engine,
) -> None:
    _fill(_signing(engine), 25)
    _rewrite_from(engine, 12)
    mallory = Ed25519PrivateKey.generate()
    _resign(engine, mallory)
    with engine.begin() as conn:  # claim the trusted key signed it
        conn.execute(update(C).values(public_key=public_key_hex(KEY)))
    check = _verify(engine, PUBLIC)
    assert (check.first_bad_seq, check.reason) == (
        10,
        "checkpoint at event 10: signature does not verify; the checkpoint was altered",
    )


def test_an_altered_checkpoint_fails(engine: Engine) -> None:
    _fill(_signing(engine), 25)
    with engine.begin() as conn:
        conn.execute(update(C).where(C.c.seq == 20).values(at=T0))
    check = _verify(engine, PUBLIC)
    assert (check.first_bad_seq, check.events, check.checkpoints) == (20, 10, 1)
    assert check.reason == (
        "checkpoint at event 20: signature does not verify; the checkpoint was altered"
    )


def test_truncation_below_a_checkpoint_is_detected(engine: Engine) -> None:
    _fill(_signing(engine), 35)
    with engine.begin() as conn:
        conn.execute(delete(E).where(E.c.seq > 25))
    check = _verify(engine, PUBLIC)
    assert (check.ok, check.first_bad_seq, check.events) == (False, 30, 20)
    assert check.reason == (
        "checkpoint at event 30: event 30 is not in the log, which ends at event 25; events "
        "signed by the checkpoint were removed"
    )


def test_a_removed_checkpoint_is_named(engine: Engine) -> None:
    _fill(_signing(engine), 35)
    with engine.begin() as conn:
        conn.execute(delete(C).where(C.c.seq == 20))
    check = _verify(engine, PUBLIC)
    assert (check.first_bad_seq, check.events) == (20, 10)
    assert check.reason == (
        "checkpoint at event 20 missing (the checkpoint at event 30 was signed as following "
        "it); it was removed from the log"
    )


def test_chain_errors_come_before_checkpoint_errors(engine: Engine) -> None:
    _fill(_signing(engine), 25)
    with engine.begin() as conn:
        conn.execute(update(E).where(E.c.seq == 5).values(actor="mallory"))
    check = _verify(engine, PUBLIC)
    assert (check.first_bad_seq, check.reason) == (5, "event 5: hash does not match its contents")


def test_on_demand_checkpoint_signs_the_head_once(engine: Engine) -> None:
    _fill(engine, 7)
    with engine.begin() as conn:
        first = audit.checkpoint(conn, KEY)
    with engine.begin() as conn:
        again = audit.checkpoint(conn, KEY)
    assert first == again
    assert (first.seq, first.prev_seq) == (7, 0)
    _fill(_signing(engine), 5)  # event 10 is due
    assert [(c.seq, c.prev_seq) for c in _checkpoints(engine)] == [(7, 0), (10, 7)]
    assert _verify(engine, PUBLIC).checkpoints == 2


def test_checkpoint_of_an_empty_log_is_refused(engine: Engine) -> None:
    with pytest.raises(audit.NothingToSignError), engine.begin() as conn:
        audit.checkpoint(conn, KEY)


def test_a_failing_key_source_rolls_the_due_event_back(engine: Engine) -> None:
    _fill(engine, 9)

    def lost(_conn: object) -> Ed25519PrivateKey:
        raise AuditKeyError("no key here")

    broken = engine.execution_options(**{audit.SIGNING_KEY_OPTION: lost})
    with pytest.raises(AuditKeyError, match="no key here"), broken.begin() as conn:
        audit.record(conn, actor="a", action="x", objects={})
    assert len(_events(engine)) == 9  # fail closed: no unsigned event 10
    _fill(_signing(engine), 1)
    assert [c.seq for c in _checkpoints(engine)] == [10]


# -- export ----------------------------------------------------------------------------------


def _export(engine: Engine) -> list[str]:
    stream = io.StringIO()
    with engine.connect() as conn:
        audit.export_jsonl(conn, stream)
    return stream.getvalue().splitlines()


def test_export_carries_checkpoints_and_verifies_offline(engine: Engine) -> None:
    _fill(_signing(engine), 25)
    lines = _export(engine)
    assert len(lines) == 27
    assert [json.loads(line).get("type") for line in lines[9:12]] == [None, "checkpoint", None]
    line = json.loads(lines[10])
    assert set(line) == {"type", "seq", "at", "hash", "prev_seq", "public_key", "signature"}
    check = audit.verify_exported(lines, trusted_keys=[PUBLIC])
    assert (check.ok, check.events, check.checkpoints, check.last_checkpoint) == (True, 25, 2, 20)
    no_key = audit.verify_exported(lines)
    assert (no_key.ok, no_key.first_bad_seq) == (False, 10)
    other = audit.verify_exported(lines, trusted_keys=[Ed25519PrivateKey.generate().public_key()])
    assert "not a trusted key" in (other.reason or "")


def test_a_rewritten_or_truncated_export_fails_at_its_checkpoint(engine: Engine) -> None:
    _fill(_signing(engine), 25)
    _rewrite_from(engine, 14)
    check = audit.verify_exported(_export(engine), trusted_keys=[PUBLIC])
    assert (check.first_bad_seq, check.events) == (20, 10)
    assert "event 20's hash differs" in (check.reason or "")
    fresh = _export(engine)
    assert audit.verify_exported(fresh[:15], trusted_keys=[PUBLIC]).ok  # a prefix is fine ...
    cut = [*fresh[:15], fresh[21]]  # ... but not one that keeps the later checkpoint
    check = audit.verify_exported(cut, trusted_keys=[PUBLIC])
    assert (check.ok, check.first_bad_seq) == (False, 20)
    assert "event 20 is not in the log, which ends at event 14" in (check.reason or "")
    garbled = [*fresh[:10], fresh[10].replace('"prev_seq":0', '"prev_seq":"0"'), *fresh[11:]]
    check = audit.verify_exported(garbled, trusted_keys=[PUBLIC])
    assert (check.first_bad_seq, check.reason) == (
        11,
        "line 11 (where event 11 belongs): checkpoint: wrong type for prev_seq",
    )


# -- the workspace's key -----------------------------------------------------------------------

ADMIN_PW = "admin passphrase one"
AUDITOR_PW = "auditor passphrase two"
runner = CliRunner()


@pytest.fixture
def auditor(workspace: Workspace) -> User:
    wu.add_user(workspace, None, None, "root", "", Role.ADMINISTRATOR, ADMIN_PW)
    return wu.add_user(workspace, "root", ADMIN_PW, "audrey", "", Role.AUDITOR, AUDITOR_PW)


def test_the_key_is_created_on_first_need_with_owner_only_permissions(
    workspace: Workspace, auditor: User
) -> None:
    path = audit_key_path(workspace)
    assert path == workspace.root / ".linkwise" / "audit-signing-key.pem"
    assert not path.exists()
    signed = checkpoint_audit(workspace, auditor)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    public = public_key_path(path)
    assert public.name == "audit-signing-key.pub"
    (own,) = trusted_keys(workspace)
    assert public_key_hex(own) == signed.public_key
    assert public.read_bytes() == public_key_pem(own)
    with workspace.engine.connect() as conn:
        request = list(audit.events(conn, action="audit.checkpoint"))
    assert [e.seq for e in request] == [signed.seq]  # the checkpoint covers its own request
    assert request[0].objects == {"public_key": signed.public_key}
    check = verify_audit(workspace, auditor)
    assert (check.ok, check.checkpoints, check.last_checkpoint) == (True, 1, signed.seq)


def test_automatic_checkpoints_use_the_workspace_key(workspace: Workspace, auditor: User) -> None:
    attach_audit_signer(workspace)
    _fill(workspace.engine, 30)
    signed = _checkpoints(workspace.engine)
    assert [c.seq for c in signed] == [10, 20, 30]
    assert audit_key_path(workspace).exists()
    assert verify_audit(workspace, auditor).checkpoints == 3


def _expect_key_error(action: Callable[[], object], *fragments: str) -> None:
    with pytest.raises(AuditKeyError) as caught:
        action()
    for fragment in fragments:
        assert fragment in str(caught.value)


def test_a_missing_key_gives_a_clear_error(
    workspace: Workspace, auditor: User, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "keys" / "lw.pem"
    monkeypatch.setenv("LINKWISE_AUDIT_KEY", str(elsewhere))
    _expect_key_error(
        lambda: checkpoint_audit(workspace, auditor), "LINKWISE_AUDIT_KEY names", "does not exist"
    )
    assert not elsewhere.exists()  # a key named explicitly is never made up
    monkeypatch.delenv("LINKWISE_AUDIT_KEY")
    first = checkpoint_audit(workspace, auditor)
    path = audit_key_path(workspace)
    path.unlink()
    _expect_key_error(
        lambda: checkpoint_audit(workspace, auditor),
        f"the audit signing key {path} is missing, but its public key",
        "restore the key from its backup",
    )
    public_key_path(path).unlink()
    _expect_key_error(
        lambda: checkpoint_audit(workspace, auditor),
        f"checkpoints are signed by key {first.key_id}, but there is no signing key at {path}",
    )
    # An automatic checkpoint that falls due fails the same way, and its event rolls back.
    attach_audit_signer(workspace)
    before = len(_events(workspace.engine))
    due = EVERY - before % EVERY
    with pytest.raises(AuditKeyError):
        _fill(workspace.engine, due, per_transaction=due)
    assert len(_events(workspace.engine)) == before


def test_a_key_at_lw_audit_key_is_used_and_open_permissions_refused(
    workspace: Workspace, auditor: User, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    key = Ed25519PrivateKey.generate()
    path = tmp_path / "lw-key.pem"
    path.write_bytes(private_key_pem(key))
    os.chmod(path, 0o644)
    monkeypatch.setenv("LINKWISE_AUDIT_KEY", str(path))
    _expect_key_error(
        lambda: checkpoint_audit(workspace, auditor), "can be read by other users", "chmod 600"
    )
    os.chmod(path, 0o600)
    signed = checkpoint_audit(workspace, auditor)
    assert signed.public_key == public_key_hex(key)
    path.write_text("not a key")
    _expect_key_error(lambda: checkpoint_audit(workspace, auditor), "not an unencrypted PEM")


def test_a_replaced_public_key_file_is_refused(workspace: Workspace, auditor: User) -> None:
    checkpoint_audit(workspace, auditor)
    public = public_key_path(audit_key_path(workspace))
    public.write_bytes(public_key_pem(Ed25519PrivateKey.generate()))
    _expect_key_error(lambda: trusted_keys(workspace), "is not the public key of")


# -- command line ----------------------------------------------------------------------------


@pytest.fixture
def _wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wide output, and the real interval: commands below count their own events."""
    monkeypatch.setattr(common.console, "width", 200)
    monkeypatch.setattr(common.err_console, "width", 200)
    monkeypatch.setattr(store_audit, "CHECKPOINT_INTERVAL", CHECKPOINT_INTERVAL)


def _cli(ws: Workspace | None, *args: str) -> tuple[int, str]:
    where = [] if ws is None else ["--workspace", str(ws.root), "--as", "audrey"]
    result = runner.invoke(audit_app, [*args, *where], env={"LINKWISE_PASSWORD": AUDITOR_PW})
    return result.exit_code, result.output


@pytest.mark.usefixtures("_wide_console", "auditor")
def test_cli_checkpoint_verify_export_and_verify_export(
    workspace: Workspace, tmp_path: Path
) -> None:
    code, out = _cli(workspace, "checkpoint")
    assert code == 0, out
    signed = _checkpoints(workspace.engine)[-1]
    assert f"checkpoint signed at event {signed.seq} by key {signed.key_id}" in out
    assert f"head: {signed.seq}:{signed.event_hash}" in out
    code, out = _cli(workspace, "verify")
    assert code == 0, out
    assert f"signed checkpoints: 1 verified, the newest at event {signed.seq}; 1 events" in out
    assert f"trusted signing keys: {signed.key_id}" in out
    target = tmp_path / "log.jsonl"
    code, out = _cli(workspace, "export", str(target))
    assert code == 0, out
    assert "and 1 checkpoints" in out
    public = public_key_path(audit_key_path(workspace))
    code, out = _cli(None, "verify-export", str(target), "--public-key", str(public))
    assert code == 0, out
    assert "signed checkpoints: 1 verified" in out
    code, out = _cli(None, "verify-export", str(target))
    assert code == 1
    assert "no public key to check its signature with" in out
    lines = target.read_text().splitlines()
    doctored = json.loads(lines[0]) | {"actor": "mallory"}
    target.write_text("\n".join([json.dumps(doctored), *lines[1:]]) + "\n")
    code, out = _cli(None, "verify-export", str(target), "--public-key", str(public))
    assert code == 1
    assert "event 1: hash does not match its contents" in out


@pytest.mark.usefixtures("_wide_console", "auditor")
def test_cli_verify_trusts_an_extra_key_after_rotation(
    workspace: Workspace, tmp_path: Path
) -> None:
    _cli(workspace, "checkpoint")
    path = audit_key_path(workspace)
    old_public = tmp_path / "old.pub"
    public_key_path(path).rename(old_public)
    path.unlink()
    with workspace.engine.begin() as conn:  # as if the log had no checkpoint yet ...
        kept = [dict(r._mapping) for r in conn.execute(select(C))]
        conn.execute(delete(C))
    _cli(workspace, "checkpoint")  # ... so a new key may be made
    with workspace.engine.begin() as conn:
        old = kept[0]
        conn.execute(insert(C).values(old))
        newest = conn.execute(select(C).order_by(C.c.seq.desc()).limit(1)).one()
        # the new key's checkpoint was signed as the first; re-sign it as following the old
        text = signed_text(
            seq=newest.seq, event_hash=newest.event_hash, at=newest.at, prev_seq=old["seq"]
        )
        new_key = load_signing_key(path.read_bytes(), str(path))
        conn.execute(
            update(C)
            .where(C.c.seq == newest.seq)
            .values(prev_seq=old["seq"], signature=new_key.sign(text.encode()).hex())
        )
    code, out = _cli(workspace, "verify")
    assert code == 1
    assert "which is not a trusted key" in out
    code, out = _cli(workspace, "verify", "--public-key", str(old_public))
    assert code == 0, out
    assert "signed checkpoints: 2 verified" in out
    assert f"trusted signing keys: {kept[0]['public_key'][:16]}, " in out


def test_signed_text_is_the_documented_canonical_json() -> None:
    text = signed_text(seq=2000, event_hash="ab" * 32, at=T0, prev_seq=1000)
    assert text == (
        '{"at":"2026-03-01T09:30:00.000000Z","hash":"' + "ab" * 32 + '","prev_seq":1000,'
        '"seq":2000,"type":"linkwise.audit.checkpoint.v1"}'
    )
    cp = sign_checkpoint(KEY, seq=2000, event_hash="ab" * 32, at=T0, prev_seq=1000)
    assert cp.signature_valid(PUBLIC)
    assert not replace(cp, prev_seq=999).signature_valid(PUBLIC)
    assert not replace(cp, signature="00" * 64).signature_valid(PUBLIC)
    assert not replace(cp, signature="zz").signature_valid(PUBLIC)
