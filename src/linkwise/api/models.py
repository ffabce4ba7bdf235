"""The API's typed shapes: request bodies (validated, so bad input is a 422 problem naming
the field) and the answers whose shape is fixed (cases, authorisations, disputes, audit
events, judgements, sources). Person data (records, entities, explanations, packages) is
answered as the governed session returns it: JSON objects whose restricted values are
markers, typed as ``dict[str, Any]``.

Each ``*Out`` model has a ``of`` constructor from the domain object the workspace returns,
so routes stay one line of work and one line of answer.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from linkwise.cases.views import CaseDetail, CaseSummary
from linkwise.govern.audit import AuditEvent, ChainCheck
from linkwise.govern.policy import State
from linkwise.model.authorisations import Authorisation
from linkwise.model.cases import STATUSES, Case, Note, Subject
from linkwise.model.disputes import Dispute
from linkwise.model.documents import KINDS, Document
from linkwise.model.records import QuarantineEntry, RunInfo, SourceInfo


def _utc(at: dt.datetime) -> dt.datetime:
    """A stored time without a zone is UTC (SQLite keeps none): say so in the answer."""
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at


Instant = Annotated[dt.datetime, AfterValidator(_utc)]
"""A point in time in an answer, always with its zone."""
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
"""A required piece of text (a title, a reason, a note)."""
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
"""A name or id: a source, a key, an entity id, a username."""
Status = Literal["open", "in_review", "ready_for_legal", "closed"]
Kind = Literal["affidavit", "subpoena_request", "court_order_application", "correction_notice"]
Verdict = Literal["same", "different", "unsure"]
assert set(STATUSES) == set(Status.__args__)  # type: ignore[attr-defined]
assert set(KINDS) == set(Kind.__args__)  # type: ignore[attr-defined]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Out(BaseModel):
    model_config = ConfigDict(extra="ignore")


# -- requests ------------------------------------------------------------------------------


class RecordRefIn(_In):
    """A record, named as its source and the key the source gives it."""

    source: Name
    source_key: Name


class MatchIn(_In):
    fields: dict[str, Annotated[str, StringConstraints(max_length=500)]] = Field(
        description="Raw text per canonical field, e.g. given_name, family_name, dob, ssn.",
        examples=[{"given_name": "Maria", "family_name": "Garcia", "dob": "1980-03-04"}],
    )
    top: int = Field(10, ge=1, le=100, description="At most this many candidates.")
    threshold: float = Field(0.5, ge=0, le=1, description="The lowest match probability.")


class JudgementIn(_In):
    left: RecordRefIn
    right: RecordRefIn
    decision: Verdict
    rationale: Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)] = ""


class CaseIn(_In):
    title: Text
    purpose: Name = Field(description="A purpose of the policy pack (`GET /policy`).")
    subjects: list[Name] = Field(default_factory=list, description="Entity ids it concerns.")
    reason: Text = "named when the case was opened"


class AssignIn(_In):
    assignee: Name = Field(description="The username to give the case to.")


class MoveIn(_In):
    status: Status
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)] = ""


class NoteIn(_In):
    text: Text


class SubjectIn(_In):
    entity_id: Name
    reason: Text


class ConfirmIn(_In):
    entity_ids: list[Name] = Field(min_length=1, description="The entities the case concerns now.")
    reason: Text


class DraftIn(_In):
    kind: Kind


class AuthorisationIn(_In):
    case_id: int = Field(ge=1, le=2**31 - 1)
    process: Name = Field(description="A legal process of the policy pack.")
    issuing_authority: Text
    reference: Name
    sources: list[Name] = Field(min_length=1)
    markings: list[Name] = Field(min_length=1)
    subjects: list[Name] = Field(default_factory=list, description="Empty: everyone.")
    valid_from: AwareDatetime
    valid_to: AwareDatetime
    notes: Annotated[str, StringConstraints(max_length=4000)] = ""


class ReasonIn(_In):
    reason: Text


class DisputeIn(_In):
    """A dispute of one value of a record (``field``, with ``claimed_value`` or none to say
    the value should not be there) or of its link to another record (``link_to``)."""

    record: RecordRefIn
    evidence: Text
    field: Name | None = None
    claimed_value: Annotated[str, StringConstraints(max_length=4000)] | None = None
    link_to: RecordRefIn | None = None
    on_behalf_of: Name | None = None
    case_id: int | None = Field(None, ge=1, le=2**31 - 1)

    @model_validator(mode="after")
    def _one_kind(self) -> Self:
        if (self.field is None) == (self.link_to is None):
            raise ValueError("dispute either a value (field) or a link (link_to), not both")
        return self


class ResolutionIn(_In):
    resolution: Text


# -- answers -------------------------------------------------------------------------------


class CaseOut(_Out):
    id: int
    title: str
    purpose: str
    status: str
    created_at: Instant

    @classmethod
    def of(cls, case: Case) -> CaseOut:
        return cls(
            id=case.id,
            title=case.title,
            purpose=case.purpose,
            status=case.status,
            created_at=case.created_at,
        )


class CaseSummaryOut(CaseOut):
    assignee: str | None
    priority: float | None
    priority_at: str | None
    subjects: int
    needs_confirmation: int

    @classmethod
    def of_summary(cls, item: CaseSummary) -> CaseSummaryOut:
        return cls.model_validate(item.to_json())


class CaseDetailOut(CaseOut):
    assignee: str | None
    created_by: str
    subjects: list[dict[str, Any]]
    ended_subjects: list[dict[str, Any]]
    notes: list[dict[str, Any]]
    history: list[dict[str, Any]]
    priority: dict[str, Any] | None

    @classmethod
    def of_detail(cls, detail: CaseDetail) -> CaseDetailOut:
        return cls.model_validate(detail.to_json())


class MeOut(_Out):
    username: str
    display_name: str
    role: str
    cases: list[CaseSummaryOut] = Field(description="Open cases this user may read data in.")


class NoteOut(_Out):
    id: int
    case_id: int
    at: Instant
    text: str

    @classmethod
    def of(cls, note: Note) -> NoteOut:
        return cls(id=note.id, case_id=note.case_id, at=note.at, text=note.text)


class SubjectOut(_Out):
    id: int
    case_id: int
    entity_id: str
    status: str
    reason: str
    added_at: Instant

    @classmethod
    def of(cls, subject: Subject) -> SubjectOut:
        return cls(
            id=subject.id,
            case_id=subject.case_id,
            entity_id=subject.entity_id,
            status=subject.status,
            reason=subject.reason,
            added_at=subject.added_at,
        )


class DocumentOut(_Out):
    id: int
    case_id: int
    kind: str
    version: int
    status: str
    supersedes_id: int | None
    template: str
    content_sha256: str
    docx_sha256: str
    pdf_sha256: str
    created_by: int
    created_at: Instant
    signed_by: int | None
    signed_at: Instant | None

    @classmethod
    def of(cls, doc: Document) -> DocumentOut:
        return cls(
            id=doc.id,
            case_id=doc.case_id,
            kind=doc.kind,
            version=doc.version,
            status=doc.status,
            supersedes_id=doc.supersedes_id,
            template=doc.template,
            content_sha256=doc.content_sha256,
            docx_sha256=doc.docx_sha256,
            pdf_sha256=doc.pdf_sha256,
            created_by=doc.created_by,
            created_at=doc.created_at,
            signed_by=doc.signed_by,
            signed_at=doc.signed_at,
        )


class AuthorisationOut(_Out):
    id: int
    case_id: int
    case_purpose: str
    process: str
    issuing_authority: str
    reference: str
    sources: list[str]
    markings: list[str]
    subjects: list[str] = Field(description="Entity ids it is limited to; empty: everyone.")
    valid_from: Instant
    valid_to: Instant
    state: State
    recorded_by: int
    recorded_at: Instant
    approved_by: int | None
    approved_at: Instant | None
    revoked_by: int | None
    revoked_at: Instant | None
    revocation_reason: str | None
    notes: str

    @classmethod
    def of(cls, auth: Authorisation, state: State) -> AuthorisationOut:
        return cls(
            id=auth.id,
            case_id=auth.case_id,
            case_purpose=auth.case_purpose,
            process=auth.process,
            issuing_authority=auth.issuing_authority,
            reference=auth.reference,
            sources=list(auth.scope.sources),
            markings=list(auth.scope.markings),
            subjects=list(auth.scope.subjects),
            valid_from=auth.valid_from,
            valid_to=auth.valid_to,
            state=state,
            recorded_by=auth.recorded_by,
            recorded_at=auth.recorded_at,
            approved_by=auth.approved_by,
            approved_at=auth.approved_at,
            revoked_by=auth.revoked_by,
            revoked_at=auth.revoked_at,
            revocation_reason=auth.revocation_reason,
            notes=auth.notes,
        )


class DisputeOut(_Out):
    id: int
    kind: str
    record_id: int
    other_record_id: int | None
    field: str | None
    claimed_value: str | None
    case_id: int | None
    raised_by: int
    raised_at: Instant
    on_behalf_of: str | None
    evidence: str
    status: str
    resolved_by: int | None
    resolved_at: Instant | None
    resolution: str | None
    correction: dict[str, Any] | None
    affected: dict[str, Any] | None = Field(
        None, description="Cases and documents that used the disputed records (one dispute)."
    )

    @classmethod
    def of(cls, d: Dispute, affected: dict[str, Any] | None = None) -> DisputeOut:
        return cls(
            id=d.id,
            kind=d.kind,
            record_id=d.record_id,
            other_record_id=d.other_record_id,
            field=d.field,
            claimed_value=d.claimed_value,
            case_id=d.case_id,
            raised_by=d.raised_by,
            raised_at=d.raised_at,
            on_behalf_of=d.on_behalf_of,
            evidence=d.evidence,
            status=d.status,
            resolved_by=d.resolved_by,
            resolved_at=d.resolved_at,
            resolution=d.resolution,
            correction=d.correction,
            affected=affected,
        )


class JudgementOut(_Out):
    id: int
    left: dict[str, Any] = Field(description="The record as the case may see it.")
    right: dict[str, Any]
    decision: Verdict
    reviewer: str
    rationale: str
    at: Instant


class AuditEventOut(_Out):
    seq: int
    at: Instant
    actor: str
    case_id: int | None
    action: str
    objects: dict[str, Any]
    decision: dict[str, Any] | None
    prev_hash: str
    hash: str

    @classmethod
    def of(cls, e: AuditEvent) -> AuditEventOut:
        return cls(
            seq=e.seq,
            at=e.at,
            actor=e.actor,
            case_id=e.case_id,
            action=e.action,
            objects=dict(e.objects),
            decision=None if e.decision is None else dict(e.decision),
            prev_hash=e.prev_hash,
            hash=e.hash,
        )


class ChainCheckOut(_Out):
    ok: bool
    events: int = Field(description="Events verified (all of them when ok).")
    first_bad_seq: int | None
    reason: str | None
    head_hash: str | None
    head: str | None = Field(description="SEQ:HASH to keep outside the database as an anchor.")
    checkpoints: int
    last_checkpoint: int | None

    @classmethod
    def of(cls, c: ChainCheck) -> ChainCheckOut:
        return cls(
            ok=c.ok,
            events=c.events,
            first_bad_seq=c.first_bad_seq,
            reason=c.reason,
            head_hash=c.head_hash,
            head=None if c.head_hash is None else f"{c.events}:{c.head_hash}",
            checkpoints=c.checkpoints,
            last_checkpoint=c.last_checkpoint,
        )


class RunOut(_Out):
    id: int
    source: str
    status: str
    started_at: Instant
    finished_at: Instant | None
    rows_read: int
    inserted: int
    new_versions: int
    unchanged: int
    quarantined: int
    notes: list[str]
    error: str | None

    @classmethod
    def of(cls, r: RunInfo) -> RunOut:
        return cls(
            id=r.id,
            source=r.source,
            status=r.status,
            started_at=r.started_at,
            finished_at=r.finished_at,
            rows_read=r.rows_read,
            inserted=r.inserted,
            new_versions=r.new_versions,
            unchanged=r.unchanged,
            quarantined=r.quarantined,
            notes=list(r.notes),
            error=r.error,
        )


class SourceOut(_Out):
    id: int
    name: str
    title: str
    kind: str
    jurisdiction: str
    markings: list[str]
    records: int
    last_run: RunOut | None
    quarantined: int = Field(description="Rows the latest run set aside.")

    @classmethod
    def of(cls, s: SourceInfo) -> SourceOut:
        return cls(
            id=s.id,
            name=s.name,
            title=s.title,
            kind=s.kind,
            jurisdiction=s.jurisdiction,
            markings=list(s.markings),
            records=s.records,
            last_run=None if s.last_run is None else RunOut.of(s.last_run),
            quarantined=0 if s.last_run is None else s.last_run.quarantined,
        )


class QuarantineOut(_Out):
    """A row ingestion set aside, without its raw columns (which only the source file
    should hold); the reason may quote the value that failed."""

    id: int
    run_id: int
    source: str
    locator: str
    line: int | None
    column: str | None
    reason: str
    created_at: Instant

    @classmethod
    def of(cls, q: QuarantineEntry) -> QuarantineOut:
        return cls(
            id=q.id,
            run_id=q.run_id,
            source=q.source,
            locator=q.locator,
            line=q.line,
            column=q.column,
            reason=q.reason,
            created_at=q.created_at,
        )
