"""`linkwise case package`, `linkwise draft` and `linkwise document list|show|sign|export`:
case packages and drafted legal documents, every one read through the governed session of
the case (``linkwise.workspace.drafting``)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from linkwise.cli.common import (
    ActorOpt,
    CaseOpt,
    DbOpt,
    WorkspaceOpt,
    console,
    fail,
    governed,
    styled,
)
from linkwise.model.documents import KINDS, Document
from linkwise.workspace import drafting

document_app = typer.Typer(
    help="Drafted documents: list, show, sign off, export.", no_args_is_help=True
)

JsonOut = Annotated[
    Path | None, typer.Option("--json", help="Write the package as JSON to this file.")
]
PdfOut = Annotated[Path | None, typer.Option("--pdf", help="Write the PDF to this file.")]
DocxOut = Annotated[Path | None, typer.Option("--docx", help="Write the DOCX to this file.")]


def _can_write(paths: Iterable[Path]) -> None:
    """Refuse, before anything is read, a file that cannot be written: an export is audited
    as made when its read commits, so a refusal afterwards would leave an audited export
    that never reached a file."""
    for path in paths:
        folder = path.parent
        if not folder.is_dir():
            fail(f"cannot write {path}: there is no folder {folder}")
        if path.is_dir():
            fail(f"cannot write {path}: it is a folder")
        if not os.access(path if path.exists() else folder, os.W_OK):
            fail(f"cannot write {path}: permission denied")


def _write(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror}")
    console.print(f"wrote {path} ({len(data):,} bytes)")


def package_command(
    case_id: Annotated[int, typer.Argument(metavar="ID", help="The case.")],
    json_out: JsonOut = None,
    pdf_out: PdfOut = None,
    actor: ActorOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """The case package: each subject's records by source with provenance, match confidence
    and explanation, timeline, discrepancies, restrictions and generic values. With --json
    and/or --pdf, write it to files (audited as case.package.export); without, print it as
    JSON."""
    wanted = {"json": json_out, "pdf": pdf_out}
    chosen = {fmt: path for fmt, path in wanted.items() if path is not None}
    _can_write(chosen.values())
    with governed(workspace, db, actor, case_id) as session:
        if not chosen:
            found = drafting.case_package(session)
            typer.echo(json.dumps(found, ensure_ascii=False, default=str, indent=2))
            return
        files = drafting.export_case_package(session, sorted(chosen))
    for fmt, path in chosen.items():
        _write(path, files[fmt])


def draft_command(
    kind: Annotated[str, typer.Argument(help=f"One of: {', '.join(KINDS)}.")],
    case: CaseOpt = None,
    actor: ActorOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Draft a document of KIND from the case package (a new version if the case has one):
    every factual sentence cites its records; redacted data is left out and listed; DRAFT
    until a reviewer signs it off."""
    if kind not in KINDS:
        fail(f"unknown document kind {kind!r}; kinds are {', '.join(KINDS)}")
    with governed(workspace, db, actor, case) as session:
        doc = drafting.draft(session, kind)
    content = doc.content
    console.print(
        f"drafted document #{doc.id}: {content['title']}, version {doc.version}"
        + (f" (supersedes #{doc.supersedes_id})" if doc.supersedes_id else "")
    )
    cited = sum(1 for b in content["blocks"] if b["citations"])
    console.print(
        f"{cited} cited sentences, {content['unconfirmed']} unconfirmed, "
        f"{len(content['withheld'])} kinds of value withheld; status draft"
    )
    console.print(f"content sha256 {doc.content_sha256}")


@document_app.command("list")
def document_list(
    case: CaseOpt = None,
    actor: ActorOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Every version of every document of the case."""
    with governed(workspace, db, actor, case) as session:
        found = drafting.documents(session)
    table = Table(title=f"documents of case #{case}")
    for column in ("id", "kind", "version", "status", "supersedes", "drafted", "signed"):
        table.add_column(column)
    for doc in found:
        table.add_row(*_row(doc))
    console.print(table)


def _row(doc: Document) -> list[str]:
    return [
        str(doc.id),
        doc.kind,
        str(doc.version),
        doc.status,
        "" if doc.supersedes_id is None else f"#{doc.supersedes_id}",
        doc.created_at.strftime("%Y-%m-%d %H:%M"),
        "" if doc.signed_at is None else doc.signed_at.strftime("%Y-%m-%d %H:%M"),
    ]


@document_app.command("show")
def document_show(
    document_id: Annotated[int, typer.Argument(metavar="ID")],
    json_out: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
    case: CaseOpt = None,
    actor: ActorOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """A document's sentences with their citations, decided again for the case as it
    stands (a sentence resting on a value the case may no longer use is withheld)."""
    with governed(workspace, db, actor, case) as session:
        found = drafting.show_document(session, document_id)
    if json_out:
        typer.echo(json.dumps(found, ensure_ascii=False, default=str, indent=2))
        return
    meta = found["document"]
    console.print(
        styled(
            (f"document #{meta['id']}", "bold"),
            f" {meta['kind']} version {meta['version']}, {meta['status']}"
            + (f" by {meta['signed_by']} at {meta['signed_at']}" if meta["signed_by"] else ""),
        ),
        highlight=False,
    )
    for block in found["content"]["blocks"]:
        console.print(_block_text(block), highlight=False, markup=False)


def _block_text(block: dict[str, Any]) -> str:
    text = block["text"]
    if isinstance(text, dict):
        return f"[withheld now: {text.get('rule')}]"
    refs = ", ".join(f"{c['source']}:{c['source_key']}" for c in block["citations"])
    prefix = {"heading": "# ", "subheading": "## ", "bullet": "- "}.get(block["style"], "")
    flag = " [UNCONFIRMED]" if block["unconfirmed"] else ""
    return f"{prefix}{text}" + (f"  <{refs}>" if refs else "") + flag


@document_app.command("sign")
def document_sign(
    document_id: Annotated[int, typer.Argument(metavar="ID")],
    case: CaseOpt = None,
    actor: ActorOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Sign a draft off as the acting user (a role the pack's template names, never the
    drafter); the signed DOCX and PDF carry the signer's name and time instead of DRAFT."""
    with governed(workspace, db, actor, case) as session:
        doc = drafting.sign_document(session, document_id)
    assert doc.signed_at is not None
    console.print(f"signed document #{doc.id} at {doc.signed_at.isoformat()}")
    console.print(f"content sha256 {doc.content_sha256}")
    console.print(f"docx sha256    {doc.docx_sha256}")
    console.print(f"pdf sha256     {doc.pdf_sha256}")


@document_app.command("export")
def document_export(
    document_id: Annotated[int, typer.Argument(metavar="ID")],
    docx_out: DocxOut = None,
    pdf_out: PdfOut = None,
    case: CaseOpt = None,
    actor: ActorOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Write the stored DOCX and/or PDF of a document (as drafted, or as signed)."""
    chosen = {fmt: path for fmt, path in (("docx", docx_out), ("pdf", pdf_out)) if path}
    if not chosen:
        fail("say where to write the document with --docx FILE and/or --pdf FILE")
    _can_write(chosen.values())
    with governed(workspace, db, actor, case) as session:
        files = {fmt: drafting.export_document(session, document_id, fmt) for fmt in chosen}
    for fmt, path in chosen.items():
        _write(path, files[fmt])
