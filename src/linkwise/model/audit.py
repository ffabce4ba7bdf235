"""The audit log's pure half: what an event is, the exact bytes its hash covers, and the
chain check. It lives below the store so that the store (which appends and reads events) and
an outside auditor's copy of an export are checked by the same code, and so that the recipe
needs nothing but JSON and SHA-256 to re-implement.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

GENESIS_HASH = "0" * 64
"""The ``prev_hash`` of event 1: there is nothing before it."""

HASHED_FIELDS = ("seq", "at", "actor", "case_id", "action", "objects", "decision", "prev_hash")
EXPORT_FIELDS = (*HASHED_FIELDS, "hash")

# Floats at or beyond 2**53 are refused: PostgreSQL's JSONB keeps numbers as exact decimals and
# gives such a value back as an integer, which would serialise differently from what was
# hashed. Integral floats below it are written as integers for the same reason.
_MAX_SAFE_FLOAT = 2.0**53
_INT_RANGE = (-(2**63), 2**63 - 1)
_TIME_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")
_HASH_RE = re.compile(r"[0-9a-f]{64}")
_PLAIN = (str, bool)
"""Types whose values are already plain JSON (exactly these: ``bool`` has no subclasses, and
a subclass of ``str`` is made plain text below)."""


class AuditValueError(ValueError):
    """A value cannot go into the audit log exactly as given (the message says where)."""


def json_value(value: Any, where: str) -> Any:
    """``value`` as the plain JSON value that is both stored and hashed.

    Tuples become lists, dates and datetimes their ISO text, integral floats integers; anything
    a JSON reader could give back differently (NaN, huge floats, non-string keys) is refused
    rather than silently changed after it was hashed.
    """
    kind = type(value)
    if kind in _PLAIN or value is None:
        return value
    if kind is dict:  # the usual object, ahead of the slower abstract-class check below
        return _mapping(value, where)
    if kind is list and value:
        first = type(value[0])
        if first is str and all(type(item) is str for item in value):  # names of fields
            return list(value)
        if first is int and all(type(item) is int for item in value):  # a list of ids
            if not (_INT_RANGE[0] <= min(value) and max(value) <= _INT_RANGE[1]):
                return [json_value(item, f"{where}[{i}]") for i, item in enumerate(value)]
            return list(value)
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int):
        if not _INT_RANGE[0] <= value <= _INT_RANGE[1]:
            raise AuditValueError(f"{where}: {value} is outside the 64-bit integer range")
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value) or abs(value) >= _MAX_SAFE_FLOAT:
            raise AuditValueError(f"{where}: {value!r} cannot be stored exactly; record it as text")
        return int(value) if value.is_integer() else value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return _mapping(value, where)
    if isinstance(value, list | tuple):
        return [
            item if type(item) in _PLAIN or item is None else json_value(item, f"{where}[{i}]")
            for i, item in enumerate(value)
        ]
    raise AuditValueError(
        f"{where}: a {type(value).__name__} cannot be recorded; give JSON values "
        "(text, numbers, true/false, null, lists, objects)"
    )


def canonical_json(data: Mapping[str, Any]) -> str:
    """Sorted keys, no whitespace, non-ASCII text as itself (the bytes hashed are UTF-8)."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def utc(at: datetime) -> datetime:
    """``at`` in UTC; a naive value (SQLite gives these back) is taken to be UTC already."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _mapping(value: Mapping[Any, Any], where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, item in value.items():
        if type(key) is not str:
            if not isinstance(key, str):
                raise AuditValueError(f"{where}: key {key!r} is not a string")
            key = str.__str__(key)
        plain = type(item) in _PLAIN or item is None
        out[key] = item if plain else json_value(item, f"{where}.{key}")
    return out


def format_time(at: datetime) -> str:
    """The one text form of a time that is hashed: UTC, microseconds, a trailing ``Z``."""
    return utc(at).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str) -> datetime:
    if not _TIME_RE.fullmatch(text):
        raise AuditValueError(f"time {text!r} is not in the form 2026-01-31T09:30:00.000000Z")
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _hashed(
    seq: int,
    at: datetime,
    actor: str,
    case_id: int | None,
    action: str,
    objects: Any,
    decision: Any,
    prev_hash: str,
) -> dict[str, Any]:
    """What an event's hash covers (``HASHED_FIELDS``), with ``objects`` and ``decision``
    as plain JSON values."""
    return {
        "seq": seq,
        "at": format_time(at),
        "actor": actor,
        "case_id": case_id,
        "action": action,
        "objects": objects,
        "decision": decision,
        "prev_hash": prev_hash,
    }


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One entry of the log. ``hash`` covers every other field, ``prev_hash`` included, so
    changing, removing or reordering any event breaks the chain from that point on."""

    seq: int
    at: datetime
    actor: str
    case_id: int | None
    action: str
    objects: Mapping[str, Any]
    decision: Mapping[str, Any] | None
    prev_hash: str
    hash: str = field(default="")

    @classmethod
    def sealed(
        cls,
        *,
        seq: int,
        at: datetime,
        actor: str,
        case_id: int | None,
        action: str,
        objects: Mapping[str, Any],
        decision: Mapping[str, Any] | None,
        prev_hash: str,
    ) -> AuditEvent:
        """A new event with its values made plain JSON and its hash computed (from those
        plain values: they are what is stored, and walking them again changes nothing)."""
        at = utc(at)
        plain_objects = json_value(objects, "objects")
        plain_decision = None if decision is None else json_value(decision, "decision")
        hashed = _hashed(seq, at, actor, case_id, action, plain_objects, plain_decision, prev_hash)
        return cls(  # made once, hash and all
            seq=seq,
            at=at,
            actor=actor,
            case_id=case_id,
            action=action,
            objects=plain_objects,
            decision=plain_decision,
            prev_hash=prev_hash,
            hash=sha256_hex(canonical_json(hashed)),
        )

    def hashed_fields(self) -> dict[str, Any]:
        decision = None if self.decision is None else json_value(self.decision, "decision")
        return self._fields(json_value(self.objects, "objects"), decision)

    def _fields(self, objects: Any, decision: Any) -> dict[str, Any]:
        return _hashed(
            self.seq,
            self.at,
            self.actor,
            self.case_id,
            self.action,
            objects,
            decision,
            self.prev_hash,
        )

    def computed_hash(self) -> str:
        """What ``hash`` must be for these contents."""
        return sha256_hex(canonical_json(self.hashed_fields()))

    def export_line(self) -> str:
        """The event as one line of a JSONL export (no newline): the hashed fields and the
        stored hash, itself in canonical form."""
        return canonical_json({**self.hashed_fields(), "hash": self.hash})

    @classmethod
    def from_export(cls, data: object) -> AuditEvent:
        """Read one exported event. Types are checked and the time must already be in its
        canonical form, so the text that is hashed again is the text that was read."""
        if not isinstance(data, dict):
            raise AuditValueError("not a JSON object")
        keys = set(data)
        if keys != set(EXPORT_FIELDS):
            missing = sorted(set(EXPORT_FIELDS) - keys)
            extra = sorted(keys - set(EXPORT_FIELDS))
            raise AuditValueError(f"fields wrong (missing {missing}, unexpected {extra})")
        checks: list[tuple[str, bool]] = [
            ("seq", isinstance(data["seq"], int) and not isinstance(data["seq"], bool)),
            ("at", isinstance(data["at"], str)),
            ("actor", isinstance(data["actor"], str)),
            ("case_id", data["case_id"] is None or type(data["case_id"]) is int),
            ("action", isinstance(data["action"], str)),
            ("objects", isinstance(data["objects"], dict)),
            ("decision", data["decision"] is None or isinstance(data["decision"], dict)),
            ("prev_hash", isinstance(data["prev_hash"], str)),
            ("hash", isinstance(data["hash"], str)),
        ]
        wrong = [name for name, ok in checks if not ok]
        if wrong:
            raise AuditValueError(f"wrong type for {', '.join(wrong)}")
        at = parse_time(data["at"])
        return cls(
            seq=data["seq"],
            at=at,
            actor=data["actor"],
            case_id=data["case_id"],
            action=data["action"],
            objects=data["objects"],
            decision=data["decision"],
            prev_hash=data["prev_hash"],
            hash=data["hash"],
        )


@dataclass(frozen=True, slots=True)
class ChainCheck:
    """The result of checking a chain.

    ``events`` is how many events verified (all of them when ``ok``); ``head_hash`` is the hash
    of the last of those (None for an empty log). When the chain is broken, ``first_bad_seq``
    names the first event that is wrong or missing and ``reason`` says what is wrong with it.
    ``checkpoints`` is how many signed checkpoints verified and ``last_checkpoint`` the event
    the newest of them signs (see ``linkwise.model.audit_checkpoints``).
    """

    ok: bool
    events: int
    first_bad_seq: int | None
    reason: str | None
    head_hash: str | None
    checkpoints: int = 0
    last_checkpoint: int | None = None


Anchor = tuple[int, str]
"""(seq, hash) of an event noted outside the database, e.g. from an earlier ``audit verify``."""


class ChainVerifier:
    """Checks events one at a time, in the order given, so a log of any length is verified
    in constant memory. Stops at the first problem."""

    def __init__(self, anchor: Anchor | None = None) -> None:
        if anchor is not None and (anchor[0] < 1 or not _HASH_RE.fullmatch(anchor[1])):
            raise AuditValueError("an anchor is an event number and its 64-hex-digit hash")
        self._anchor = anchor
        self._expected = 1
        self._prev = GENESIS_HASH
        self._result: ChainCheck | None = None

    @property
    def verified(self) -> int:
        """How many events have passed so far."""
        return self._expected - 1

    @property
    def head_hash(self) -> str | None:
        """The hash of the last event that passed (None before the first)."""
        return self._head()

    @property
    def broken(self) -> bool:
        return self._result is not None

    def fail(self, seq: int, reason: str, *, upto: tuple[int, str | None] | None = None) -> None:
        """Stop at ``seq`` for ``reason``. ``upto`` (events, head hash) says how far the log
        still counts as verified when that is less than every event that passed so far, as
        when a signed checkpoint shows that earlier events were rewritten."""
        if self._result is None:
            events, head_hash = upto or (self._expected - 1, self._head())
            self._result = ChainCheck(False, events, seq, reason, head_hash)

    def add(self, event: AuditEvent) -> bool:
        """False once the chain is broken (by this event or an earlier one)."""
        if self._result is None:
            problem = self._problem(event)
            if problem is not None:
                self.fail(*problem)
            else:
                self._expected += 1
                self._prev = event.hash
        return self._result is None

    def _problem(self, event: AuditEvent) -> tuple[int, str] | None:
        """(the seq to blame, why) for the first thing wrong with ``event`` in this place."""
        expected, seq = self._expected, event.seq
        if seq > expected:
            gap = (
                f"event {expected} missing"
                if seq == expected + 1
                else f"events {expected} to {seq - 1} missing"
            )
            return expected, f"{gap} (the next event present is {seq})"
        if seq < expected:
            return seq, f"event {seq}: out of sequence (expected event {expected})"
        if not self._hash_matches(event):
            return seq, f"event {seq}: hash does not match its contents"
        if event.prev_hash != self._prev:
            if seq == 1:
                return seq, "event 1: previous hash is not the genesis value (64 zeros)"
            return seq, f"event {seq}: previous hash does not match event {seq - 1}'s hash"
        if self._anchor is not None and self._anchor[0] == seq and self._anchor[1] != event.hash:
            return seq, (
                f"event {seq}: hash differs from the anchored hash {self._anchor[1]}; "
                "the log was rewritten"
            )
        return None

    @staticmethod
    def _hash_matches(event: AuditEvent) -> bool:
        try:
            return event.computed_hash() == event.hash
        except AuditValueError:
            return False

    def result(self) -> ChainCheck:
        if self._result is not None:
            return self._result
        count = self._expected - 1
        if self._anchor is not None and self._anchor[0] > count:
            return ChainCheck(
                False,
                count,
                self._anchor[0],
                f"event {self._anchor[0]} missing: the anchored event is beyond the last event "
                f"({count}); the log was truncated or rewritten",
                self._head(),
            )
        return ChainCheck(True, count, None, None, self._head())

    def _head(self) -> str | None:
        return None if self._expected == 1 else self._prev


def check_chain(events: Iterable[AuditEvent], *, anchor: Anchor | None = None) -> ChainCheck:
    """Check ``events`` (in seq order) form one unbroken chain from event 1."""
    verifier = ChainVerifier(anchor)
    for event in events:
        if not verifier.add(event):
            break
    return verifier.result()
