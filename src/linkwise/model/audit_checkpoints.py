"""Signed checkpoints of the audit log, the half of its tamper evidence that a database
administrator cannot redo.

The hash chain alone shows that the log is consistent, not that it is the log that was
written: whoever can write to the database can rewrite events from some point on and
recompute every hash after it, or cut the newest events off. A checkpoint is an Ed25519
signature over (seq, that event's hash, time, the previous checkpoint's seq), made with a
private key held outside the database. Rewriting any event at or before a checkpoint now
needs that key too, and so does removing a checkpoint's event (the checkpoint still names
it). The signed text is a small canonical JSON object, so an auditor can check a signature
with any Ed25519 implementation (``signed_text`` documents it).

Pure code: keys are taken and given as objects or PEM bytes; where key files live is the
workspace's business.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from linkwise.model.audit import (
    Anchor,
    AuditEvent,
    AuditValueError,
    ChainCheck,
    ChainVerifier,
    canonical_json,
    format_time,
    parse_time,
    utc,
)

CHECKPOINT_INTERVAL = 1000
"""A checkpoint is signed automatically in the transaction of every event whose seq is a
multiple of this. It bounds what a rewrite without the key can hide to the events after the
newest checkpoint, at the cost of one signature (about 0.05 ms) per thousand events; on-demand
checkpoints (``linkwise audit checkpoint``) close that gap whenever wanted."""

SIGNED_TYPE = "linkwise.audit.checkpoint.v1"
"""Written into every signed text, so a checkpoint signature can never pass for a signature
over anything else made with the same key."""

CHECKPOINT_TYPE = "checkpoint"
"""The ``type`` of a checkpoint line in an export (event lines have no ``type``)."""

_EXPORT_KEYS = ("type", "seq", "at", "hash", "prev_seq", "public_key", "signature")
_HEX = re.compile(r"[0-9a-f]*")


class AuditKeyError(ValueError):
    """A signing or public key is missing, unreadable or not an Ed25519 key (the message says
    which file and what to do)."""


def signed_text(*, seq: int, event_hash: str, at: datetime, prev_seq: int) -> str:
    """What a checkpoint's signature covers: the UTF-8 bytes of this canonical JSON object
    (keys sorted, no whitespace), e.g. ``{"at":"2026-03-01T09:30:00.000000Z","hash":"<64 hex>",
    "prev_seq":1000,"seq":2000,"type":"linkwise.audit.checkpoint.v1"}``. ``prev_seq`` is the
    seq of the checkpoint before (0 for the first), so removing one is evident too."""
    return canonical_json(
        {
            "type": SIGNED_TYPE,
            "seq": seq,
            "hash": event_hash,
            "at": format_time(at),
            "prev_seq": prev_seq,
        }
    )


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A signature over event ``seq`` having hash ``event_hash`` at time ``at``.

    ``public_key`` (64 hex digits, the raw Ed25519 key) says which key signed; it is recorded
    so that a verifier can tell which of its trusted keys to use, never trusted itself.
    ``signature`` is 128 hex digits.
    """

    seq: int
    at: datetime
    event_hash: str
    prev_seq: int
    public_key: str
    signature: str

    @property
    def key_id(self) -> str:
        return key_id(self.public_key)

    def signed_text(self) -> str:
        return signed_text(
            seq=self.seq, event_hash=self.event_hash, at=self.at, prev_seq=self.prev_seq
        )

    def signature_valid(self, key: Ed25519PublicKey) -> bool:
        """Whether ``key`` made this signature over this checkpoint's contents."""
        if not _is_hex(self.signature, 128):
            return False
        try:
            key.verify(bytes.fromhex(self.signature), self.signed_text().encode("utf-8"))
        except InvalidSignature:
            return False
        return True

    def export_line(self) -> str:
        """The checkpoint as one line of a JSONL export, right after the event it signs."""
        return canonical_json(
            {
                "type": CHECKPOINT_TYPE,
                "seq": self.seq,
                "at": format_time(self.at),
                "hash": self.event_hash,
                "prev_seq": self.prev_seq,
                "public_key": self.public_key,
                "signature": self.signature,
            }
        )

    @classmethod
    def from_export(cls, data: dict[str, Any]) -> Checkpoint:
        keys = set(data)
        if keys != set(_EXPORT_KEYS):
            missing = sorted(set(_EXPORT_KEYS) - keys)
            extra = sorted(keys - set(_EXPORT_KEYS))
            raise AuditValueError(
                f"checkpoint fields wrong (missing {missing}, unexpected {extra})"
            )
        ints = [k for k in ("seq", "prev_seq") if type(data[k]) is not int]
        texts = [k for k in ("at", "hash", "public_key", "signature") if type(data[k]) is not str]
        if ints or texts:
            raise AuditValueError(f"checkpoint: wrong type for {', '.join(ints + texts)}")
        return cls(
            seq=data["seq"],
            at=parse_time(data["at"]),
            event_hash=data["hash"],
            prev_seq=data["prev_seq"],
            public_key=data["public_key"],
            signature=data["signature"],
        )


def sign_checkpoint(
    key: Ed25519PrivateKey, *, seq: int, event_hash: str, at: datetime, prev_seq: int
) -> Checkpoint:
    at = utc(at)
    text = signed_text(seq=seq, event_hash=event_hash, at=at, prev_seq=prev_seq)
    return Checkpoint(
        seq=seq,
        at=at,
        event_hash=event_hash,
        prev_seq=prev_seq,
        public_key=public_key_hex(key),
        signature=key.sign(text.encode("utf-8")).hex(),
    )


# -- keys --------------------------------------------------------------------------------------


def new_signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def private_key_pem(key: Ed25519PrivateKey) -> bytes:
    """PKCS #8 PEM, unencrypted: the file's permissions (0600) and location protect it."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def public_key_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """SubjectPublicKeyInfo PEM, which ``openssl pkeyutl -verify`` also reads."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_signing_key(pem: bytes, where: str) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise AuditKeyError(
            f"{where}: not an unencrypted PEM private key ({exc}); an audit signing key is "
            "an Ed25519 key in PKCS #8 PEM"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise AuditKeyError(f"{where}: a {type(key).__name__}, not an Ed25519 key")
    return key


def load_public_key(pem: bytes, where: str) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise AuditKeyError(
            f"{where}: not a PEM public key ({exc}); give the audit-signing-key.pub "
            "written beside the signing key"
        ) from None
    if not isinstance(key, Ed25519PublicKey):
        raise AuditKeyError(f"{where}: a {type(key).__name__}, not an Ed25519 key")
    return key


def public_key_hex(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def key_id(public_hex: str) -> str:
    """A short name for a key in messages: its first 16 hex digits."""
    return public_hex[:16]


def _is_hex(text: str, length: int) -> bool:
    return len(text) == length and _HEX.fullmatch(text) is not None


# -- verification ------------------------------------------------------------------------------


class SignedChainVerifier(ChainVerifier):
    """The chain check of ``ChainVerifier`` plus checkpoints: each is handed over right after
    the event it signs (``add_checkpoint``), and must be signed by a trusted key, follow the
    checkpoint before it, and sign the hash that event has now.

    Only ``trusted_keys`` count: the key recorded in a checkpoint says which key signed, but
    anyone who can rewrite the log can also record a key of their own.
    """

    def __init__(
        self, anchor: Anchor | None = None, *, trusted_keys: Iterable[Ed25519PublicKey] = ()
    ) -> None:
        super().__init__(anchor)
        self._trusted = {public_key_hex(k): k for k in trusted_keys}
        self._checkpoints = 0
        self._last: tuple[int, str] | None = None  # (seq, hash) of the newest good checkpoint

    def add_checkpoint(self, checkpoint: Checkpoint) -> bool:
        """False once the log is found broken (by this checkpoint or before)."""
        if self.broken:
            return False
        problem = self._problem_with(checkpoint)
        if problem is not None:
            seq, reason = problem
            events, head = self._last or (0, None)
            self.fail(seq, reason, upto=(events, head))
            return False
        self._checkpoints += 1
        self._last = (checkpoint.seq, checkpoint.event_hash)
        return True

    def _problem_with(self, cp: Checkpoint) -> tuple[int, str] | None:
        where = f"checkpoint at event {cp.seq}"
        key = self._trusted.get(cp.public_key)
        if not self._trusted:
            return cp.seq, (
                f"{where}: no public key to check its signature with (it names key "
                f"{cp.key_id}); give the audit-signing-key.pub kept with the signing key"
            )
        if key is None:
            return cp.seq, (
                f"{where}: signed by key {cp.key_id}, which is not a trusted key "
                f"(trusted: {', '.join(key_id(k) for k in sorted(self._trusted))}); "
                "the checkpoint was forged, or signed by a key not given to the verifier"
            )
        if not cp.signature_valid(key):
            return cp.seq, f"{where}: signature does not verify; the checkpoint was altered"
        last = 0 if self._last is None else self._last[0]
        if cp.prev_seq != last:
            if cp.prev_seq > last:
                return cp.prev_seq, (
                    f"checkpoint at event {cp.prev_seq} missing (the checkpoint at event "
                    f"{cp.seq} was signed as following it); it was removed from the log"
                )
            return cp.seq, (
                f"{where}: out of place (signed as following the checkpoint at event "
                f"{cp.prev_seq}, found after the one at event {last})"
            )
        if cp.seq > self.verified:
            return cp.seq, (
                f"{where}: event {cp.seq} is not in the log, which ends at event "
                f"{self.verified}; events signed by the checkpoint were removed"
            )
        if cp.seq < self.verified:
            return cp.seq, f"{where}: out of place (found after event {self.verified})"
        if cp.event_hash != self.head_hash:
            since = "the start" if self._last is None else f"the checkpoint at event {last}"
            return cp.seq, (
                f"{where}: event {cp.seq}'s hash differs from the hash signed at "
                f"{format_time(cp.at)}; events after {since} were rewritten"
            )
        return None

    def result(self) -> ChainCheck:
        return replace(
            super().result(),
            checkpoints=self._checkpoints,
            last_checkpoint=None if self._last is None else self._last[0],
        )


def check_signed_chain(
    events: Iterable[AuditEvent],
    checkpoints: Iterable[Checkpoint],
    *,
    trusted_keys: Iterable[Ed25519PublicKey] = (),
    anchor: Anchor | None = None,
) -> ChainCheck:
    """Check ``events`` (in seq order) as ``check_chain`` does, and each of ``checkpoints``
    (in seq order) against the event it signs. A checkpoint beyond the last event means the
    log was cut short after it was signed."""
    verifier = SignedChainVerifier(anchor, trusted_keys=trusted_keys)
    pending = iter(checkpoints)
    nxt = next(pending, None)
    for event in events:
        if not verifier.add(event):
            return verifier.result()
        while nxt is not None and nxt.seq <= event.seq:
            if not verifier.add_checkpoint(nxt):
                return verifier.result()
            nxt = next(pending, None)
    while nxt is not None and verifier.add_checkpoint(nxt):
        nxt = next(pending, None)
    return verifier.result()
