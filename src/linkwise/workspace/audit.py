"""The audit log for interfaces, and the key that signs its checkpoints.

Each call opens its own transaction, checks the acting user's role and leaves its own audit
event (``linkwise.govern.audit_access``); a refusal's ``permission.denied`` event is committed
before the error reaches the caller.

The signing key is a file outside the database, so that write access to the database is not
enough to re-sign a rewritten log: ``<workspace>/.linkwise/audit-signing-key.pem`` (mode 0600,
created the first time a checkpoint is due), or wherever ``LINKWISE_AUDIT_KEY`` points (which
must exist: a key named explicitly is never made up). The public key is written beside it
(``audit-signing-key.pub``) for verifiers. A key is created only when there is nothing it could
be mistaken for: no public key beside it and no checkpoint in the log, because a lost key
silently replaced would leave the old checkpoints unverifiable.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Connection

from linkwise.govern import audit, audit_access
from linkwise.govern.accounts import AccountError, User
from linkwise.govern.audit import Anchor, AuditEvent, AuditKeyError, ChainCheck, Checkpoint
from linkwise.govern.audit_access import AuditQuery
from linkwise.govern.disclosures import DisclosureRecord, disclosure_record
from linkwise.model.audit_checkpoints import (
    load_public_key,
    load_signing_key,
    new_signing_key,
    private_key_pem,
    public_key_hex,
    public_key_pem,
)
from linkwise.model.settings import Settings
from linkwise.workspace import users
from linkwise.workspace.users import _transaction

if TYPE_CHECKING:
    from linkwise.workspace.workspace import Workspace

__all__ = [
    "KEY_ENV",
    "KEY_FILE",
    "AuditQuery",
    "NoUsersError",
    "attach_audit_signer",
    "audit_key_path",
    "checkpoint_audit",
    "disclosures",
    "export_audit",
    "list_audit",
    "public_key_path",
    "require_users",
    "search_audit",
    "signing_key",
    "trusted_keys",
    "verify_audit",
]

KEY_FILE = "audit-signing-key.pem"
KEY_ENV = "LINKWISE_AUDIT_KEY"
T = TypeVar("T")


class NoUsersError(AccountError):
    def __init__(self) -> None:
        super().__init__(
            "the workspace has no users yet, so nobody can act as an auditor: add the first "
            "administrator with `linkwise user add NAME --role administrator`, then an "
            "auditor with `linkwise user add NAME --role auditor --as ADMIN`"
        )


def require_users(ws: Workspace) -> None:
    """Refuse, saying how to start, when the workspace has no users at all."""
    if not users.has_users(ws):
        raise NoUsersError()


# -- the log, for an acting user -----------------------------------------------------------


def search_audit(ws: Workspace, actor: User, query: AuditQuery) -> list[AuditEvent]:
    """Matching events, oldest first, for an auditor (recorded as ``audit.search``)."""
    return _run(ws, lambda conn: audit_access.search(conn, actor, query))


def list_audit(ws: Workspace, actor: User, query: AuditQuery) -> list[AuditEvent]:
    """As ``search_audit``, recorded as ``audit.list``."""
    return _run(ws, lambda conn: audit_access.search(conn, actor, query, action="audit.list"))


def verify_audit(
    ws: Workspace,
    actor: User,
    *,
    anchor: Anchor | None = None,
    public_keys: Sequence[Path] = (),
) -> ChainCheck:
    """Verify the chain and every checkpoint, for an auditor or administrator, trusting the
    workspace's key and any ``public_keys`` files (e.g. a key used before a rotation)."""
    keys = trusted_keys(ws, public_keys)
    return _run(ws, lambda conn: audit_access.verify(conn, actor, anchor=anchor, trusted_keys=keys))


def export_audit(ws: Workspace, actor: User, out: Path | str | IO[str]) -> tuple[int, int]:
    """Write the log as JSONL with its checkpoints, for an auditor; (events, checkpoints)."""
    where = str(out) if isinstance(out, str | Path) else "-"
    return _run(ws, lambda conn: audit_access.export(conn, actor, out, destination=where))


def checkpoint_audit(ws: Workspace, actor: User) -> Checkpoint:
    """Sign the log now (auditor or administrator), creating the key if it is first needed."""
    return _run(ws, lambda conn: audit_access.checkpoint(conn, actor, signing_key(ws, conn)))


def disclosures(ws: Workspace, actor: User, entity_id: str) -> DisclosureRecord:
    """Which cases and documents used which of an entity's records, for an oversight role
    (recorded as ``disclosure.list``)."""
    return _run(ws, lambda conn: disclosure_record(conn, actor, entity_id))


def _run(ws: Workspace, operation: Callable[[Connection], T]) -> T:
    attach_audit_signer(ws)
    return _transaction(ws, operation)


# -- the signing key -----------------------------------------------------------------------


def attach_audit_signer(ws: Workspace) -> None:
    """Let every append through ``ws.engine`` sign the checkpoints that fall due, loading the
    key only then. Idempotent; to be called when a workspace is opened."""

    def source(conn: Connection) -> Ed25519PrivateKey:
        return signing_key(ws, conn)

    ws.engine.update_execution_options(**{audit.SIGNING_KEY_OPTION: source})


def audit_key_path(ws: Workspace) -> Path:
    configured = Settings().audit_key
    if configured is not None:
        return configured.expanduser().absolute()
    return ws.root / ".linkwise" / KEY_FILE


def public_key_path(key_path: Path) -> Path:
    """Where the public key of ``key_path`` is written: the same name ending ``.pub``."""
    return key_path.with_suffix(".pub")


def signing_key(ws: Workspace, conn: Connection) -> Ed25519PrivateKey:
    """The checkpoint signing key, created with its public key at the workspace's default
    location if it is first needed there (see the module's docstring for when)."""
    path = audit_key_path(ws)
    if path.exists():
        return _read_private(path)
    if Settings().audit_key is not None:
        raise AuditKeyError(
            f"{KEY_ENV} names {path}, which does not exist; point it at the audit signing "
            "key, or unset it to use the workspace's own key"
        )
    public = public_key_path(path)
    if public.exists():
        raise AuditKeyError(
            f"the audit signing key {path} is missing, but its public key {public} is there: "
            f"restore the key from its backup, or set {KEY_ENV} to where it is. To start a new "
            f"key instead, move {public} aside and keep it to verify the old checkpoints "
            "(`linkwise audit verify --public-key OLD.pub`)"
        )
    last = audit.last_checkpoint(conn)
    if last is not None:
        raise AuditKeyError(
            f"the audit log's checkpoints are signed by key {last.key_id}, but there is no "
            f"signing key at {path}: restore it from its backup, or set {KEY_ENV} to where "
            "it is"
        )
    return _create(path)


def trusted_keys(ws: Workspace, extra: Sequence[Path] = ()) -> list[Ed25519PublicKey]:
    """The keys a verification trusts: each of ``extra`` (public key files) and the
    workspace's own: that of its signing key when readable here, else its ``.pub`` file."""
    keys = [load_public_key(_read(p), str(p)) for p in extra]
    path = audit_key_path(ws)
    public = public_key_path(path)
    own: Ed25519PublicKey | None = None
    if path.exists() and os.access(path, os.R_OK):
        own = _read_private(path).public_key()
        if public.exists():
            listed = load_public_key(_read(public), str(public))
            if public_key_hex(listed) != public_key_hex(own):
                raise AuditKeyError(
                    f"{public} is not the public key of {path}; one of them was replaced "
                    f"(rewrite it from the key, or check where the key came from)"
                )
    elif public.exists():
        own = load_public_key(_read(public), str(public))
    return keys if own is None else [*keys, own]


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise AuditKeyError(f"cannot read {path}: {exc.strerror or exc}") from None


def _read_private(path: Path) -> Ed25519PrivateKey:
    if os.name == "posix":
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            raise AuditKeyError(
                f"the audit signing key {path} can be read by other users (mode {mode:o}); "
                f"run `chmod 600 {path}`"
            )
    return load_signing_key(_read(path), str(path))


def _create(path: Path) -> Ed25519PrivateKey:
    """A new key at ``path`` (mode 0600) and its public key beside it. Written to a temporary
    file and linked into place, so a concurrent creator can never see half a key; the first
    to link wins and the other uses its key."""
    key = new_signing_key()
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(private_key_pem(key))
                fh.flush()
                os.fsync(fh.fileno())
            try:
                os.link(tmp, path)
            except FileExistsError:
                key = _read_private(path)
        finally:
            tmp.unlink(missing_ok=True)
        public = public_key_path(path)
        tmp_public = public.with_name(f".{public.name}.{secrets.token_hex(6)}.tmp")
        tmp_public.write_bytes(public_key_pem(key))
        os.replace(tmp_public, public)
    except OSError as exc:
        raise AuditKeyError(
            f"cannot create the audit signing key {path}: {exc.strerror or exc}"
        ) from None
    return key


def search_bound(at: dt.datetime) -> dt.datetime:
    """A time bound of an audit search in UTC (a time without a zone is taken as UTC).
    OverflowError when it lies outside the calendar once in UTC (9999-12-31T23:59-14:00)."""
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)
