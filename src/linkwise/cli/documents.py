"""`linkwise documents list|show|search|entity`: documents of `format: documents` sources.

`list` is for operators checking an ingest (file, type, status, error: never the text);
`show`, `search` and `entity` read person data and go through the governed session.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from linkwise.cli.common import (
    ActorOpt,
    CaseOpt,
    DbOpt,
    WorkspaceOpt,
    console,
    fail,
    governed,
    open_workspace,
)
from linkwise.cli.redaction import Redactions
from linkwise.govern.session import is_withheld
from linkwise.workspace.documents import list_documents

documents_app = typer.Typer(
    help="Documents of documents sources: status, text, mentions, search.",
    no_args_is_help=True,
)
STATUSES = ("ok", "failed", "needs_ocr")


@documents_app.command("list")
def documents_list(
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    status: Annotated[
        str | None, typer.Option(help="Only this status: ok, failed or needs_ocr.")
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many (0 = all).")] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Current documents with their type, status, processing time and error."""
    if status is not None and status not in STATUSES:
        fail(f"--status must be one of {', '.join(STATUSES)}, not {status!r}")
    with open_workspace(workspace, db) as ws:
        docs = list_documents(ws.engine, source=source, status=status, limit=limit or None)
    if as_json:
        for d in docs:
            print(
                json.dumps(
                    {
                        "source": d.source,
                        "path": d.path,
                        "version": d.version,
                        "type": d.type,
                        "status": d.status,
                        "error": d.error,
                        "sha256": d.sha256,
                        "size": d.size,
                        "seconds": round(d.seconds, 4),
                        "attachment": d.parent_id is not None,
                    },
                    ensure_ascii=False,
                )
            )
        return
    table = Table("source", "path", "type", "status", "ms", "error")
    for d in docs:
        style = {"failed": "red", "needs_ocr": "yellow"}.get(d.status, "")
        table.add_row(
            d.source,
            d.path,
            d.type,
            Text(d.status, style=style),
            f"{d.seconds * 1000:.1f}",
            d.error or "",
        )
    console.print(table)
    console.print(f"{len(docs)} document(s)" + (" (limit reached)" if len(docs) == limit else ""))


def _highlighted(red: Redactions, text: Any, spans: list[tuple[Any, Any]]) -> Text:
    """The text with each (start, end) span shown in bold."""
    if is_withheld(text):
        return red.cell(text)
    out = Text(str(text))
    for start, end in spans:
        if isinstance(start, int) and isinstance(end, int):
            out.stylize("bold reverse", start, end)
    return out


@documents_app.command("show")
def documents_show(
    source: Annotated[str, typer.Argument(help="The documents source.")],
    path: Annotated[str, typer.Argument(help="The document's path within the source.")],
    json_out: Annotated[bool, typer.Option("--json", help="Print the governed document.")] = False,
    actor: ActorOpt = None,
    case: CaseOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """A document's text with its mentions highlighted, and the mentions found."""
    with governed(workspace, db, actor, case) as session:
        doc = session.source_document(source, path)
    if json_out:
        typer.echo(json.dumps(doc, ensure_ascii=False, default=str, indent=2))
        return
    red = Redactions()
    console.print(Text.assemble(f"{doc['source']}: ", red.cell(doc["path"]), f" ({doc['type']})"))
    spans = [(m["start"], m["end"]) for m in doc["mentions"]]
    console.print(_highlighted(red, doc["text"], spans))
    table = Table("type", "role", "person", "text", "value")
    for m in doc["mentions"]:
        table.add_row(
            m["type"],
            m["role"] or "",
            "" if m["person"] is None else str(m["person"]),
            red.cell(m["text"]),
            red.cell(m["value"]),
        )
    console.print(table)
    red.legend(console)


@documents_app.command("search")
def documents_search(
    query: Annotated[str, typer.Argument(help="Words that must all occur in the document.")],
    limit: Annotated[int, typer.Option(help="At most this many documents.")] = 20,
    actor: ActorOpt = None,
    case: CaseOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Full-text search over the documents this case may read."""
    with governed(workspace, db, actor, case) as session:
        hits = session.search_documents(query, limit)
    red = Redactions()
    for hit in hits:
        snippet = hit["snippet"]
        spans = [tuple(snippet["highlight"])] if snippet["highlight"] else []
        console.print(Text.assemble(f"{hit['source']}: ", red.cell(hit["path"])), style="bold")
        console.print(_highlighted(red, snippet["text"], spans))
    console.print(f"{len(hits)} document(s)")
    red.legend(console)


@documents_app.command("entity")
def documents_entity(
    entity: Annotated[str, typer.Argument(help="The entity id.")],
    actor: ActorOpt = None,
    case: CaseOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """The documents that mention an entity, with the passages highlighted."""
    with governed(workspace, db, actor, case) as session:
        docs = session.entity_documents(entity)
    red = Redactions()
    for doc in docs:
        console.print(Text.assemble(f"{doc['source']}: ", red.cell(doc["path"])), style="bold")
        for passage in doc["passages"]:
            span = passage["highlight"]
            spans = [tuple(span)] if isinstance(span, list) else []
            console.print(Text("  … "), _highlighted(red, passage["text"], spans), Text(" …"))
    console.print(f"{len(docs)} document(s)")
    red.legend(console)
