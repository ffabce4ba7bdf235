"""The audit log as the rest of linkwise uses it: record an event in the same transaction as
the change it describes, list events, verify the hash chain and its signed checkpoints, and
export it so that someone outside the system can verify it with nothing but this module's
recipe and the public key (`verify_exported`).

Signing keys are passed in as objects (`checkpoint`), or reach automatic checkpoints through
the connection (`linkwise.store.audit.SIGNING_KEY_OPTION`); where key files live is the
workspace's business.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Connection

from linkwise.model.audit import (
    Anchor,
    AuditEvent,
    AuditValueError,
    ChainCheck,
)
from linkwise.model.audit_checkpoints import (
    CHECKPOINT_INTERVAL,
    CHECKPOINT_TYPE,
    AuditKeyError,
    Checkpoint,
    SignedChainVerifier,
)
from linkwise.store import audit as store
from linkwise.store.audit import (
    SIGNING_KEY_OPTION,
    SUBJECT_KEYS,
    NothingToSignError,
    SigningKeySource,
)

__all__ = [
    "CHECKPOINT_INTERVAL",
    "SIGNING_KEY_OPTION",
    "SUBJECT_KEYS",
    "Anchor",
    "AuditEvent",
    "AuditKeyError",
    "AuditValueError",
    "ChainCheck",
    "Checkpoint",
    "NothingToSignError",
    "SigningKeySource",
    "checkpoint",
    "checkpoints",
    "events",
    "export_jsonl",
    "last_checkpoint",
    "parse_anchor",
    "record",
    "verify",
    "verify_exported",
]

_ACTION_MAX = 64
_HEX64 = re.compile(r"[0-9a-f]{64}")


def record(
    conn: Connection,
    *,
    actor: str,
    action: str,
    objects: Mapping[str, Any],
    decision: Mapping[str, Any] | None = None,
    case_id: int | None = None,
) -> AuditEvent:
    """Append an event inside ``conn``'s open transaction, so it commits or rolls back with
    the change it records. ``objects`` names what was touched (ids, not person data);
    ``decision`` is the policy decision behind it, with its reason, when there was one."""
    if not actor.strip():
        raise AuditValueError("an audit event needs an actor")
    if not action.strip() or len(action) > _ACTION_MAX:
        raise AuditValueError(f"an audit action is 1 to {_ACTION_MAX} characters: {action!r}")
    return store.append_event(
        conn, actor=actor, action=action, objects=objects, decision=decision, case_id=case_id
    )


def verify(
    conn: Connection,
    *,
    anchor: Anchor | None = None,
    trusted_keys: Iterable[Ed25519PublicKey] = (),
) -> ChainCheck:
    """Check the whole chain; with ``anchor`` (seq, hash), also that the event noted earlier
    still carries that hash, which catches a chain rewritten or cut short from there on.

    Every checkpoint must be signed by one of ``trusted_keys`` and sign the hash its event has
    now, which catches the same without a note, up to the newest checkpoint. A log with
    checkpoints fails without a trusted key: a signature is worth nothing unchecked."""
    return store.verify_chain(conn, anchor=anchor, trusted_keys=trusted_keys)


def checkpoint(conn: Connection, signing_key: Ed25519PrivateKey) -> Checkpoint:
    """Sign the newest event now, in ``conn``'s open transaction (its existing checkpoint if
    it has one). Raises NothingToSignError on an empty log."""
    return store.write_checkpoint(conn, signing_key)


def checkpoints(conn: Connection) -> list[Checkpoint]:
    """Every checkpoint, oldest first (as stored, not verified)."""
    return store.checkpoints(conn)


def last_checkpoint(conn: Connection) -> Checkpoint | None:
    return store.last_checkpoint(conn)


events = store.iter_events
"""Events matching every filter given (actor, action, case, subject, time window, seq),
oldest first unless ``newest_first``: the store's reader, re-exported as the public API."""


def export_jsonl(conn: Connection, path_or_stream: Path | str | IO[str]) -> int:
    """Write every event, oldest first, one per line, each checkpoint on the line after the
    event it signs (see `verify_exported` for the format). Returns how many events were
    written."""
    if isinstance(path_or_stream, str | Path):
        with Path(path_or_stream).open("w", encoding="utf-8", newline="\n") as out:
            return _write(conn, out)
    return _write(conn, path_or_stream)


def _write(conn: Connection, out: IO[str]) -> int:
    signed = store.checkpoints(conn)  # before the events: see store.verify_chain
    count = written = 0
    for event in store.iter_events(conn):
        out.write(event.export_line() + "\n")
        count += 1
        while written < len(signed) and signed[written].seq <= event.seq:
            out.write(signed[written].export_line() + "\n")
            written += 1
    for rest in signed[written:]:  # signing events no longer in the log: let the reader see
        out.write(rest.export_line() + "\n")
    return count


def verify_exported(
    lines: Iterable[str],
    *,
    anchor: Anchor | None = None,
    trusted_keys: Iterable[Ed25519PublicKey] = (),
) -> ChainCheck:
    """Verify an exported log without the database.

    Each non-blank line is one event, a JSON object with exactly the keys ``seq``, ``at``,
    ``actor``, ``case_id``, ``action``, ``objects``, ``decision``, ``prev_hash`` and ``hash``.
    The lines must run from event 1 with no gaps, and for each event:

    1. ``hash`` is the lowercase hex SHA-256 of the UTF-8 bytes of the JSON serialisation of
       the other eight keys, written with keys sorted (by Unicode code point) at every level,
       no whitespace (``","`` and ``":"`` as separators), non-ASCII characters as themselves
       rather than ``\\u`` escapes, and numbers as JSON integers when they are whole (so
       ``1.0`` is written ``1``). In Python: ``json.dumps(fields, sort_keys=True,
       separators=(",", ":"), ensure_ascii=False)``. ``at`` is UTC time with microseconds
       and a ``Z``, e.g. ``"2026-01-31T09:30:00.000000Z"``; ``case_id`` and ``decision``
       may be ``null``.
    2. ``prev_hash`` is the previous event's ``hash``, and for event 1 sixty-four ``0``
       characters.

    Each exported line is itself written in that canonical form with ``hash`` added, so an
    auditor can also check a line by removing ``"hash"`` and hashing what remains. A passing
    check proves the export is internally consistent; comparing the last hash with a head hash
    noted independently (or passing it as ``anchor``) proves it is the log that was noted.

    A line whose ``type`` is ``"checkpoint"`` is a signed checkpoint of the event on the line
    before it, with the keys ``type``, ``seq``, ``at``, ``hash``, ``prev_seq``,
    ``public_key`` (64 hex digits, the raw Ed25519 key) and ``signature`` (128 hex digits).
    3. The signature is an Ed25519 signature, by one of ``trusted_keys``, over the UTF-8
       bytes of the canonical JSON of ``{"type": "linkwise.audit.checkpoint.v1", "seq",
       "hash", "at", "prev_seq"}`` (``linkwise.model.audit_checkpoints.signed_text``);
       ``hash`` is the hash of event ``seq``; ``prev_seq`` is the ``seq`` of the checkpoint
       before it (0 for the first). A checkpoint that is forged, altered, out of place or
       signs a hash the event no longer has fails the check, and so does one with no trusted
       key to check it. Checkpoints let a holder of the public key prove, without a noted
       head, that events up to the newest checkpoint were not rewritten.
    """
    verifier = SignedChainVerifier(anchor, trusted_keys=trusted_keys)
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            if isinstance(data, dict) and data.get("type") == CHECKPOINT_TYPE:
                if not verifier.add_checkpoint(Checkpoint.from_export(data)):
                    break
                continue
            event = AuditEvent.from_export(data)
        except ValueError as exc:  # json.JSONDecodeError and AuditValueError alike
            expected = verifier.verified + 1
            verifier.fail(expected, f"line {number} (where event {expected} belongs): {exc}")
            break
        if not verifier.add(event):
            break
    return verifier.result()


def parse_anchor(text: str) -> Anchor:
    """``SEQ:HASH`` as printed by ``linkwise audit verify``."""
    seq, sep, digest = text.strip().lower().partition(":")
    if not sep or not seq.isdecimal() or int(seq) < 1 or not _HEX64.fullmatch(digest):
        raise AuditValueError(
            f"{text!r}: give an anchor as SEQ:HASH, e.g. 120:<64 hex digits>, as printed by "
            "`linkwise audit verify`"
        )
    return int(seq), digest
