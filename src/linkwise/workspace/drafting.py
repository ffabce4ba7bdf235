"""Case packages and drafted documents as interfaces call them, every one a governed read.

Each function takes the governed session (``Workspace.session``) and does its work inside
one ``session.reading(...)``: one transaction, the case's purpose and authorisations decided
afresh, and one audit event written with whatever it stored. The audit actions:

- ``case_package``: ``case.package`` (``case_id``);
- ``export_case_package``: ``case.package.export`` (``case_id``, ``formats``, each file's
  ``sha256``);
- ``draft``: ``document.draft`` (``document_id``, ``kind``, ``version``, ``supersedes_id``,
  the template and its hash, the content, DOCX and PDF hashes);
- ``documents``: ``document.list`` (``case_id``);
- ``show_document``: ``document.view`` (``document_id``);
- ``export_document``: ``document.export`` (``document_id``, ``format``, ``sha256``, or
  ``refused``);
- ``sign_document``: ``document.sign`` (``document_id``, ``signer``, ``signed_at``, the
  content, DOCX and PDF hashes).

Record and entity ids are added to each event by the read itself. A read that fills or
shows a document passes ``document_id`` to ``reading``, so the
disclosure record lists the document beside the records it showed. A refused sign-off writes
``permission.denied`` (committed) before ``SignOffRefusedError`` is raised.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError

from linkwise.cases import package as case_package_service
from linkwise.cases.lifecycle import require_settled_subjects
from linkwise.drafting import compose, formats, signing
from linkwise.drafting.package_pdf import render_package_pdf
from linkwise.govern import audit
from linkwise.govern.accounts import to_user
from linkwise.govern.gate import NotFoundError, Read, SessionError
from linkwise.model.documents import Document
from linkwise.model.policy import default_pack_path
from linkwise.store import documents as store
from linkwise.store import users as user_store
from linkwise.workspace import explaining

if TYPE_CHECKING:
    from pathlib import Path

    from linkwise.workspace.session import WorkspaceSession

__all__ = [
    "PACKAGE_FORMATS",
    "DocumentRestrictedError",
    "case_package",
    "documents",
    "draft",
    "export_case_package",
    "export_document",
    "show_document",
    "sign_document",
]

PACKAGE_FORMATS = ("json", "pdf")
DOCUMENT_FORMATS = ("docx", "pdf")


class DocumentRestrictedError(SessionError):
    """A stored document rests on values the case may no longer use (an authorisation was
    revoked or expired since it was drafted): it is not exported or signed; draft a new
    version."""


def case_package(session: WorkspaceSession) -> dict[str, Any]:
    """The case package of the session's case (``case.package``)."""
    with session.reading("case.package", case_id=session.case.id) as read:
        return _package(read)


def export_case_package(session: WorkspaceSession, fmts: Sequence[str]) -> dict[str, bytes]:
    """The case package as files, per format (``json``, ``pdf``), made from one governed
    read so both say the same; audited as ``case.package.export`` with each file's hash."""
    unknown = [f for f in fmts if f not in PACKAGE_FORMATS]
    if unknown or not fmts:
        raise SessionError(f"package formats are {', '.join(PACKAGE_FORMATS)}; got {fmts!r}")
    with session.reading(
        "case.package.export", case_id=session.case.id, formats=sorted(set(fmts))
    ) as read:
        built = _package(read)
        files: dict[str, bytes] = {}
        for fmt in sorted(set(fmts)):
            if fmt == "json":
                text = json.dumps(built, indent=2, ensure_ascii=False, default=str)
                files[fmt] = text.encode("utf-8")
            else:
                files[fmt] = render_package_pdf(built)
        read.objects["sha256"] = {f: formats.sha256(data) for f, data in files.items()}
        return files


def draft(session: WorkspaceSession, kind: str) -> Document:
    """Draft a document of ``kind`` from the case package (``document.draft``): a new
    version when the case already has one of that kind. Nothing is stored when drafting
    fails."""
    template = compose.load_template(session.pack, kind, _template_folders(session))
    try:
        return _draft(session, kind, template)
    except IntegrityError as exc:
        if not _version_race(exc):
            raise
        raise SessionError(
            f"another {kind} of case #{session.case.id} was drafted at the same time and took "
            "this version number; nothing was stored: draft again"
        ) from exc


def _version_race(exc: IntegrityError) -> bool:
    """Whether ``exc`` is the one-row-per-version constraint on documents refusing a second
    draft of the same version (PostgreSQL names the constraint, SQLite its columns)."""
    text = str(exc.orig)
    return (
        "uq_documents_case_kind_version" in text
        or "documents.case_id, documents.kind, documents.version" in text
    )


def _draft(session: WorkspaceSession, kind: str, template: compose.Template) -> Document:
    with session.reading("document.draft", case_id=session.case.id, kind=kind) as read:
        require_settled_subjects(read.conn, read.case, f"draft its {kind}")
        content = compose.compose(
            template, _package(read), drafted_by=read.actor.username, drafted_at=read.now
        )
        files = formats.render(content, formats.Stamp())
        doc = store.insert_document(
            read.conn,
            case_id=read.case.id,
            kind=kind,
            template=template.spec.file,
            template_sha256=template.sha256,
            content=content,
            content_sha256=compose.content_hash(content),
            docx=files.docx,
            docx_sha256=files.docx_sha256,
            pdf=files.pdf,
            pdf_sha256=files.pdf_sha256,
            created_by=read.actor.id,
            created_at=read.now,
        )
        read.objects.update(
            document_id=str(doc.id),
            version=doc.version,
            supersedes_id=doc.supersedes_id,
            template=doc.template,
            template_sha256=doc.template_sha256,
            content_sha256=doc.content_sha256,
            docx_sha256=doc.docx_sha256,
            pdf_sha256=doc.pdf_sha256,
        )
        return doc


def documents(session: WorkspaceSession) -> list[Document]:
    """Every version of every document of the case, oldest first (``document.list``): ids,
    kinds, status, hashes and who drafted and signed, no person value."""
    with session.reading("document.list", case_id=session.case.id) as read:
        return store.documents_of_case(read.conn, read.case.id)


def show_document(session: WorkspaceSession, document_id: int) -> dict[str, Any]:
    """A document with its content as the case may see it now (``document.view``): a
    sentence resting on a value the case may no longer use is replaced by its marker."""
    with session.reading("document.view", document_id=str(document_id)) as read:
        doc = _document(read, document_id)
        blocks, refused = signing.regovern(read, doc.content, count=True)
        return {
            "document": _meta(read, doc),
            "content": {**doc.content, "blocks": blocks},
            "withheld_now": len(refused),
        }


def export_document(session: WorkspaceSession, document_id: int, fmt: str) -> bytes:
    """The stored DOCX or PDF (``document.export``). Refused, and audited as refused, when
    any sentence rests on a value the case may no longer use."""
    if fmt not in DOCUMENT_FORMATS:
        raise SessionError(f"document formats are {', '.join(DOCUMENT_FORMATS)}; got {fmt!r}")
    data: bytes | None = None
    with session.reading("document.export", document_id=str(document_id), format=fmt) as read:
        doc = _document(read, document_id)
        _, refused = signing.regovern(read, doc.content, count=False)
        if refused:
            read.objects["refused"] = _refusal(refused)
        else:
            signing.regovern(read, doc.content, count=True)
            stored = store.document_files(read.conn, doc.id)
            assert stored is not None
            data = stored[0] if fmt == "docx" else stored[1]
            read.objects["sha256"] = formats.sha256(data)
    if data is None:
        raise DocumentRestrictedError(_restricted_message(document_id, "exported"))
    return data


def sign_document(session: WorkspaceSession, document_id: int) -> Document:
    """Sign a draft off as the session's actor (``document.sign``): the signed DOCX and PDF
    carry the signer's name and time instead of DRAFT, and the event records the time and
    the content, DOCX and PDF hashes. Refused (``permission.denied``, committed) for a role
    the template does not name, for the drafter, for a signed or superseded version."""
    _check_signer(session, document_id)
    signed: Document | None = None
    with session.reading("document.sign", document_id=str(document_id)) as read:
        doc = _document(read, document_id)
        require_settled_subjects(read.conn, read.case, f"sign document #{doc.id} off")
        problem = signing.signing_problem(
            read.pack, doc, read.actor, superseded_by=store.successor_of(read.conn, doc.id)
        )
        if problem is not None:  # changed since the check: refuse, storing nothing
            raise SessionError(problem)
        _, refused = signing.regovern(read, doc.content, count=False)
        if refused:
            read.objects["refused"] = _refusal(refused)
        else:
            signing.regovern(read, doc.content, count=True)
            signed = _sign(read, doc)
    if signed is None:
        raise DocumentRestrictedError(_restricted_message(document_id, "signed"))
    return signed


# -- helpers -----------------------------------------------------------------------------


def _package(read: Read) -> dict[str, Any]:
    return case_package_service.case_package(read, explaining.explain_entity)


def _template_folders(session: WorkspaceSession) -> list[Path]:
    """A workspace's own template files first, then linkwise's built-in pack folder."""
    return [session.workspace.root, default_pack_path().parent]


def _document(read: Read, document_id: int) -> Document:
    doc = store.document_by_id(read.conn, document_id)
    if doc is None or doc.case_id != read.case.id:
        raise NotFoundError(f"no document #{document_id} in case #{read.case.id}")
    return doc


def _meta(read: Read, doc: Document) -> dict[str, Any]:
    successor = store.successor_of(read.conn, doc.id)
    return {
        "id": doc.id,
        "case_id": doc.case_id,
        "kind": doc.kind,
        "version": doc.version,
        "status": doc.status,
        "supersedes_id": doc.supersedes_id,
        "superseded_by": successor,
        "template": doc.template,
        "template_sha256": doc.template_sha256,
        "content_sha256": doc.content_sha256,
        "docx_sha256": doc.docx_sha256,
        "pdf_sha256": doc.pdf_sha256,
        "created_by": _username(read, doc.created_by),
        "created_at": doc.created_at.isoformat(),
        "signed_by": None if doc.signed_by is None else _username(read, doc.signed_by),
        "signed_at": None if doc.signed_at is None else doc.signed_at.isoformat(),
    }


def _username(read: Read, user_id: int) -> str:
    row = user_store.user_by_id(read.conn, user_id)
    return f"#{user_id}" if row is None else str(row.username)


def _check_signer(session: WorkspaceSession, document_id: int) -> None:
    """The sign-off rules, checked in a transaction of their own so that a refusal's
    ``permission.denied`` event commits before the error is raised."""
    refusal: signing.SignOffRefusedError | None = None
    with session.engine.begin() as conn:
        doc = store.document_by_id(conn, document_id)
        if doc is None or doc.case_id != session.case.id:
            return  # the governed read says "not found", audited
        row = user_store.user_by_id(conn, session.actor.id)
        actor = session.actor if row is None else to_user(row)
        successor = store.successor_of(conn, doc.id)
        problem = signing.signing_problem(session.pack, doc, actor, superseded_by=successor)
        if problem is None:
            return
        spec = session.pack.templates.get(doc.kind)
        audit.record(
            conn,
            actor=actor.username,
            action="permission.denied",
            objects={"action": "document.sign", "document_id": str(doc.id), "case_id": doc.case_id},
            decision={
                "allowed": False,
                "reason": problem,
                "needs": [r.value for r in spec.signed_by] if spec else [],
                "role": actor.role.value,
            },
            case_id=doc.case_id,
        )
        refusal = signing.SignOffRefusedError(f"document.sign refused: {problem}")
    raise refusal


def _sign(read: Read, doc: Document) -> Document:
    stamp = formats.Stamp(
        signer=read.actor.display_name or read.actor.username,
        role=read.actor.role.value,
        signed_at=read.now,
    )
    files = formats.render(doc.content, stamp)
    signed = store.sign_document(
        read.conn,
        doc.id,
        signed_by=read.actor.id,
        signed_at=read.now,
        docx=files.docx,
        docx_sha256=files.docx_sha256,
        pdf=files.pdf,
        pdf_sha256=files.pdf_sha256,
    )
    read.objects.update(
        kind=signed.kind,
        version=signed.version,
        signer=read.actor.username,
        signed_at=read.now.isoformat(),
        content_sha256=signed.content_sha256,
        docx_sha256=signed.docx_sha256,
        pdf_sha256=signed.pdf_sha256,
    )
    return signed


def _refusal(refused: Sequence[dict[str, Any]]) -> dict[str, Any]:
    rules = sorted({str(m.get("rule")) for m in refused})
    return {"sentences": len(refused), "rules": rules}


def _restricted_message(document_id: int, what: str) -> str:
    return (
        f"document #{document_id} cannot be {what}: some of its sentences rest on values this "
        "case may no longer use (an authorisation was revoked or expired since it was "
        "drafted); `linkwise document show` marks them; draft a new version"
    )
