"""Disputes and corrections: redress for a wrong value or a wrong link.

Anyone working cases (analyst, supervisor, legal reviewer) may dispute a record's value or a
link between two records, for themselves or on behalf of the person concerned, with the
evidence. A supervisor or legal reviewer other than the one who raised it decides: rejected,
nothing changes; confirmed, the correction is applied in the same transaction:

- a value: a new version of the record with the corrected value, normalised as ingestion
  normalises it (``linkwise.store.disputes.write_corrected_version``; the old version stays);
- a link: a "different" judgement between the two records, which every later resolution
  honours (the next ``linkwise resolve`` splits them if nothing else holds them together).

Either way the confirmation lists every use of the wrong data from the disclosure record:
each case that was shown any version of the records, and each document that used them
(signed ones need review). The list is kept with the dispute and named in its audit event.

Every step writes an audit event in its transaction (``dispute.raise``, ``dispute.confirm``,
``dispute.reject``, ``dispute.list``, ``dispute.view``); the events name records, fields and
cases, never the claimed value, which is person data kept with the dispute.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection

from linkwise.govern import audit
from linkwise.govern.accounts import AuditedRefusalError, User, require_role
from linkwise.govern.cases import CaseError, get_case
from linkwise.model.disputes import CONFIRMED, LINK, OPEN, RECORD, REJECTED, Dispute
from linkwise.model.policy import NAME_PARTS
from linkwise.model.roles import Role
from linkwise.normalize import (
    NormalizationError,
    normalize_address,
    normalize_email,
    normalize_name,
    normalize_phone,
    normalize_sex,
    parse_dob,
)
from linkwise.store import disputes as store
from linkwise.store import reads
from linkwise.store import resolution as resolution_store
from linkwise.store.disclosures import uses_of

__all__ = [
    "CORRECTABLE",
    "RAISERS",
    "RESOLVERS",
    "AffectedUses",
    "DisputeError",
    "DisputeOutcome",
    "SelfResolutionError",
    "affected_uses",
    "confirm_dispute",
    "list_disputes",
    "raise_dispute",
    "reject_dispute",
    "show_dispute",
]

RAISERS = (Role.ANALYST, Role.SUPERVISOR, Role.LEGAL_REVIEWER)
RESOLVERS = (Role.SUPERVISOR, Role.LEGAL_REVIEWER)
READERS = (*RAISERS, Role.AUDITOR)
MAX_TEXT = 4000
WITHHELD = "(withheld: for the raiser and for those who decide disputes)"
"""What other readers see instead of a dispute's evidence and whom it was raised for."""
_ADDRESS = ("address_line", "city", "region", "postcode")


class DisputeError(CaseError, ValueError):
    """A dispute cannot be raised or resolved as asked; the message says why."""


class UnknownDisputeError(DisputeError, LookupError):
    """No dispute has the id given (a 404 to the API, where DisputeError is a 422)."""


def _name(raw: str, _row: dict[str, Any]) -> str | None:
    return normalize_name(raw)


def _dob(raw: str, _row: dict[str, Any]) -> str | None:
    return parse_dob(raw).iso()


def _sex(raw: str, _row: dict[str, Any]) -> str | None:
    return normalize_sex(raw)


def _phone(raw: str, row: dict[str, Any]) -> str | None:
    phone = normalize_phone(raw, row.get("country") or "US")
    if phone.e164 is None:
        raise NormalizationError(phone.issue or "not a phone number")
    return phone.e164


def _email(raw: str, _row: dict[str, Any]) -> str | None:
    email = normalize_email(raw)
    if email is None:
        raise NormalizationError("not an e-mail address")
    return email


def _address_part(column: str) -> Callable[[str, dict[str, Any]], str | None]:
    def normalise(raw: str, row: dict[str, Any]) -> str | None:
        parts = {c: row.get(c) for c in _ADDRESS}
        parts[column] = raw
        address = normalize_address(
            parts["address_line"],
            parts["city"],
            parts["region"],
            parts["postcode"],
            row.get("country"),
            default_country="US",
        )
        value: str | None = getattr(address, "line" if column == "address_line" else column)
        return value

    return normalise


CORRECTABLE: dict[str, Callable[[str, dict[str, Any]], str | None]] = {
    "given_name": _name,
    "middle_name": _name,
    "family_name": _name,
    "dob": _dob,
    "sex": _sex,
    "phone": _phone,
    "email": _email,
    **{c: _address_part(c) for c in _ADDRESS},
}
"""The record values a dispute may correct, each with how a claimed value is normalised (as
ingestion would normalise it, given the record's other values)."""


@dataclass(frozen=True, slots=True)
class AffectedUses:
    """Where the disputed records were used: cases shown any version of them, and documents
    that used them (``signed`` ones need review)."""

    cases: tuple[dict[str, Any], ...]
    documents: tuple[dict[str, Any], ...]

    def to_json(self) -> dict[str, Any]:
        return {"cases": list(self.cases), "documents": list(self.documents)}

    @property
    def signed_documents(self) -> tuple[dict[str, Any], ...]:
        return tuple(d for d in self.documents if d["status"] == "signed")


@dataclass(frozen=True, slots=True)
class DisputeOutcome:
    dispute: Dispute
    affected: AffectedUses


def raise_dispute(
    conn: Connection,
    actor: User,
    *,
    record: tuple[str, str],
    evidence: str,
    field: str | None = None,
    claimed_value: str | None = None,
    link_to: tuple[str, str] | None = None,
    on_behalf_of: str | None = None,
    case_id: int | None = None,
    now: dt.datetime | None = None,
    never_disclosed: Collection[str] = (),
) -> Dispute:
    """Open a dispute of a record's ``field`` (with the value the disputer says is right, or
    none to say the value should not be there) or, with ``link_to``, of the link between the
    two records. A record of a source in ``never_disclosed`` (a marking the law never
    discloses, 8 U.S.C. § 1367) is answered for as a record that does not exist, as every
    governed read answers for it: a dispute must not tell anyone that it is there, nor what
    it is linked to."""
    kind = LINK if link_to is not None else RECORD
    objects: dict[str, Any] = {"kind": kind, "source": record[0]}
    current = require_role(conn, actor, RAISERS, "dispute.raise", objects)
    text = _text("evidence", evidence, required=True)
    behalf = _text("on_behalf_of", on_behalf_of or "", required=False) or None
    row = _current(conn, record, never_disclosed)
    other = None
    if kind == LINK:
        if field is not None or claimed_value is not None:
            raise DisputeError("a link dispute names two records, not a field or a value")
        assert link_to is not None
        other = _current(conn, link_to, never_disclosed)
        if other.id == row.id:
            raise DisputeError("a link dispute needs two different records")
        if reads.link_between(conn, row.id, other.id) is None and (
            row.entity_id is None or row.entity_id != other.entity_id
        ):
            raise DisputeError(
                f"{record[0]}:{record[1]} and {link_to[0]}:{link_to[1]} are neither linked nor "
                "in one entity; there is no link to dispute"
            )
    else:
        if field not in CORRECTABLE:
            raise DisputeError(
                f"field: {field!r} cannot be disputed; disputable fields are "
                f"{', '.join(CORRECTABLE)} (or dispute a link with --link)"
            )
        if claimed_value is not None:
            _normalised(conn, row.id, field, claimed_value)  # refuses a value it cannot use
    if case_id is not None and get_case(conn, case_id) is None:
        raise DisputeError(f"case: there is no case #{case_id}")
    dispute = store.insert_dispute(
        conn,
        kind=kind,
        record_id=row.id,
        other_record_id=None if other is None else other.id,
        field=field,
        claimed_value=claimed_value.strip() if claimed_value is not None else None,
        case_id=case_id,
        raised_by=current.id,
        raised_at=now or dt.datetime.now(dt.UTC),
        on_behalf_of=behalf,
        evidence=text,
    )
    audit.record(
        conn,
        actor=current.username,
        action="dispute.raise",
        objects={
            "dispute_id": dispute.id,
            "kind": kind,
            "record_ids": [r for r in (row.id, None if other is None else other.id) if r],
            "field": field,
            "on_behalf_of_person": behalf is not None,
        },
        decision={"allowed": True, "role": current.role.value},
        case_id=case_id,
    )
    return dispute


def confirm_dispute(
    conn: Connection,
    actor: User,
    dispute_id: int,
    resolution: str,
    *,
    now: dt.datetime | None = None,
) -> DisputeOutcome:
    """Apply the correction and list every use of the wrong data (see the module docstring)."""
    current, dispute = _resolver(conn, actor, dispute_id, "dispute.confirm")
    text = _text("resolution", resolution, required=True)
    at = now or dt.datetime.now(dt.UTC)
    records = [dispute.record_id] + (
        [dispute.other_record_id] if dispute.other_record_id is not None else []
    )
    affected = affected_uses(conn, records)
    correction: dict[str, Any] = {"affected": affected.to_json()}
    if dispute.kind == RECORD:
        assert dispute.field is not None
        target = _current_version(conn, dispute.record_id)
        value = (
            None
            if dispute.claimed_value is None
            else _normalised(conn, target, dispute.field, dispute.claimed_value)
        )
        correction["new_record_id"] = store.write_corrected_version(
            conn,
            target,
            column=dispute.field,
            value=value,
            dispute_id=dispute.id,
            at=at,
            derived=_derived(conn, target, dispute.field, value),
        )
        correction["corrected_record_id"] = target
    else:
        assert dispute.other_record_id is not None
        keys = reads.record_rows(conn, records)
        left, right = (keys[r] for r in records)
        correction["judgement_id"] = resolution_store.add_judgement(
            conn,
            (left.source_id, left.source_key),
            (right.source_id, right.source_key),
            "different",
            current.username,
            f"dispute #{dispute.id}: {text}",
        )
    store.set_resolution(
        conn,
        dispute.id,
        status=CONFIRMED,
        resolved_by=current.id,
        resolved_at=at,
        resolution=text,
        correction=correction,
    )
    audit.record(
        conn,
        actor=current.username,
        action="dispute.confirm",
        objects={
            "dispute_id": dispute.id,
            "record_ids": records,
            **{k: v for k, v in correction.items() if k != "affected"},
            "affected": {
                "case_ids": [c["case_id"] for c in affected.cases],
                "document_ids": [d["id"] for d in affected.documents],
            },
        },
        decision={"allowed": True, "role": current.role.value, "raised_by": dispute.raised_by},
        case_id=dispute.case_id,
    )
    found = store.dispute_by_id(conn, dispute.id)
    assert found is not None
    return DisputeOutcome(found, affected)


def reject_dispute(
    conn: Connection,
    actor: User,
    dispute_id: int,
    resolution: str,
    *,
    now: dt.datetime | None = None,
) -> Dispute:
    current, dispute = _resolver(conn, actor, dispute_id, "dispute.reject")
    text = _text("resolution", resolution, required=True)
    store.set_resolution(
        conn,
        dispute.id,
        status=REJECTED,
        resolved_by=current.id,
        resolved_at=now or dt.datetime.now(dt.UTC),
        resolution=text,
        correction=None,
    )
    audit.record(
        conn,
        actor=current.username,
        action="dispute.reject",
        objects={"dispute_id": dispute.id, "record_ids": _records(dispute)},
        decision={"allowed": True, "role": current.role.value, "raised_by": dispute.raised_by},
        case_id=dispute.case_id,
    )
    found = store.dispute_by_id(conn, dispute.id)
    assert found is not None
    return found


def list_disputes(conn: Connection, actor: User, *, status: str | None = None) -> list[Dispute]:
    """Disputes, oldest first, with the claimed values left out unless the reader may
    resolve them or raised them."""
    current = require_role(conn, actor, READERS, "dispute.list", {"status": status})
    found = store.list_disputes(conn, status=status)
    audit.record(
        conn,
        actor=current.username,
        action="dispute.list",
        objects={"status": status, "dispute_ids": [d.id for d in found]},
        decision={"allowed": True, "role": current.role.value},
    )
    return [_for(current, d) for d in found]


def show_dispute(conn: Connection, actor: User, dispute_id: int) -> DisputeOutcome:
    """One dispute with the uses of its records (as of now, or as recorded when confirmed)."""
    current = require_role(conn, actor, READERS, "dispute.view", {"dispute_id": dispute_id})
    dispute = store.dispute_by_id(conn, dispute_id)
    if dispute is None:
        raise UnknownDisputeError(f"there is no dispute #{dispute_id}")
    if dispute.correction is not None and "affected" in dispute.correction:
        recorded = dispute.correction["affected"]
        affected = AffectedUses(tuple(recorded["cases"]), tuple(recorded["documents"]))
    else:
        affected = affected_uses(conn, _records(dispute))
    audit.record(
        conn,
        actor=current.username,
        action="dispute.view",
        objects={"dispute_id": dispute.id, "record_ids": _records(dispute)},
        decision={"allowed": True, "role": current.role.value},
        case_id=dispute.case_id,
    )
    return DisputeOutcome(_for(current, dispute), affected)


def affected_uses(conn: Connection, record_ids: list[int]) -> AffectedUses:
    """Every case shown, and every document that used, any version of these records."""
    rows = reads.record_rows(conn, record_ids)
    versions = reads.version_ids(conn, list(rows.values()))
    every = sorted({v for vs in versions.values() for v in vs} | set(record_ids))
    uses = uses_of(conn, every)
    cases: dict[int, dict[str, Any]] = {}
    for use in uses:
        if use.case_id is None or use.case_id in cases:
            continue
        case = get_case(conn, use.case_id)
        cases[use.case_id] = {
            "case_id": use.case_id,
            "title": None if case is None else case.title,
            "status": None if case is None else case.status,
            "purpose": None if case is None else case.purpose,
        }
    doc_ids = sorted(
        {int(u.document_id) for u in uses if u.document_id and u.document_id.isdigit()}
    )
    documents = tuple(store.documents_by_ids(conn, doc_ids))
    return AffectedUses(tuple(cases[k] for k in sorted(cases)), documents)


# -- helpers ---------------------------------------------------------------------------------


def _resolver(conn: Connection, actor: User, dispute_id: int, action: str) -> tuple[User, Dispute]:
    current = require_role(conn, actor, RESOLVERS, action, {"dispute_id": dispute_id})
    dispute = store.dispute_by_id(conn, dispute_id, for_update=True)
    if dispute is None:
        raise UnknownDisputeError(f"there is no dispute #{dispute_id}")
    if dispute.status != OPEN:
        raise DisputeError(f"dispute #{dispute_id} is already {dispute.status}")
    if dispute.raised_by == current.id:
        audit.record(
            conn,
            actor=current.username,
            action="permission.denied",
            objects={"action": action, "dispute_id": dispute_id},
            decision={"allowed": False, "rule": "no_self_resolution", "role": current.role.value},
            case_id=dispute.case_id,
        )
        raise SelfResolutionError(current.username, dispute_id)
    return current, dispute


class SelfResolutionError(AuditedRefusalError, PermissionError):
    """Nobody decides a dispute they raised (a second person looks at the evidence)."""

    def __init__(self, username: str, dispute_id: int) -> None:
        super().__init__(
            f"{username} raised dispute #{dispute_id} and cannot also decide it; another "
            "supervisor or legal reviewer must"
        )


def _current(
    conn: Connection, key: tuple[str, str], never_disclosed: Collection[str] = ()
) -> reads.RecordRow:
    row = None if key[0] in never_disclosed else reads.current_record(conn, *key)
    if row is None:
        raise DisputeError(f"record: there is no current record {key[0]}:{key[1]}")
    return row


def _current_version(conn: Connection, record_id: int) -> int:
    """The current version of the record (a re-ingest since the dispute was raised made a
    newer one; the correction applies to that)."""
    row = reads.record_rows(conn, [record_id])[record_id]
    if row.is_current:
        return row.id
    now = reads.current_record(conn, row.source, row.source_key)
    if now is None:
        raise DisputeError(f"record {row.source}:{row.source_key} no longer has a current version")
    return now.id


def _normalised(conn: Connection, record_id: int, field: str, raw: str) -> str | None:
    row = reads.person_values(conn, [record_id])[record_id]
    clean = raw.strip()
    if not clean:
        return None
    try:
        value = CORRECTABLE[field](clean, row)
    except NormalizationError as exc:
        raise DisputeError(f"value for {field}: {exc}") from None
    if value is None:
        raise DisputeError(f"value for {field}: {clean!r} gives no usable value")
    return value


def _derived(
    conn: Connection, record_id: int, field: str, value: str | None
) -> dict[str, str | None]:
    """Columns made from ``field`` that must follow its correction: the full name, when the
    record has one and a part of it is corrected (the package and the drafts print it, and
    it would keep the wrong spelling otherwise), rebuilt from the parts as corrected."""
    if field not in NAME_PARTS:
        return {}
    row = reads.person_values(conn, [record_id])[record_id]
    if row.get("full_name") is None or not any(row.get(p) for p in NAME_PARTS if p != field):
        return {}  # no full name, or one never split into parts: nothing to rebuild it from
    parts = {**{p: row.get(p) for p in NAME_PARTS}, field: value}
    return {"full_name": " ".join(str(parts[p]) for p in NAME_PARTS if parts[p])}


def _text(field: str, value: str, *, required: bool) -> str:
    clean = value.strip()
    if required and not clean:
        raise DisputeError(f"{field}: say what supports this (it is kept with the dispute)")
    if len(clean) > MAX_TEXT:
        raise DisputeError(f"{field}: at most {MAX_TEXT} characters")
    return clean


def _records(dispute: Dispute) -> list[int]:
    return [dispute.record_id] + (
        [dispute.other_record_id] if dispute.other_record_id is not None else []
    )


def _for(reader: User, dispute: Dispute) -> Dispute:
    """The dispute as ``reader`` may see it: the claimed value, the evidence and the
    decider's resolution (which mostly restate it: "birth certificate shows 3 February
    1981") and whom it was raised on behalf of are person data, for those who decide
    disputes and for the one who raised it. Others (an auditor, another analyst) see that
    there is a dispute, of what, by whom and in what state."""
    if reader.role in RESOLVERS or reader.id == dispute.raised_by:
        return dispute
    return replace(
        dispute,
        claimed_value=None,
        evidence=WITHHELD,
        on_behalf_of=None if dispute.on_behalf_of is None else WITHHELD,
        resolution=None if dispute.resolution is None else WITHHELD,
    )
