"""`linkwise ingest`, `linkwise runs`, `linkwise quarantine list`."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from linkwise.cli.common import (
    DbOpt,
    WorkspaceOpt,
    console,
    err_console,
    open_workspace,
    progress_bar,
    styled,
)
from linkwise.ingest.runner import IngestOptions, Progress
from linkwise.model.settings import Settings
from linkwise.workspace import IngestOutcome

quarantine_app = typer.Typer(help="Rows that could not be stored, and why.", no_args_is_help=True)


def ingest(
    sources: Annotated[list[str] | None, typer.Argument(help="Sources (default: all).")] = None,
    batch_size: Annotated[int | None, typer.Option(help="Rows per transaction.")] = None,
    workers: Annotated[
        int | None, typer.Option(help="Processes that normalise rows (default: by size).")
    ] = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Read sources, normalise and store their rows; report counts per source."""
    settings = Settings()
    options = IngestOptions(batch_size or settings.batch_size, workers or settings.workers)
    with open_workspace(workspace, db) as ws, progress_bar() as bars:

        def bar(name: str) -> Progress:
            task = bars.add_task(name, total=None)
            return lambda done, total: bars.update(task, completed=done, total=total)

        outcomes = ws.ingest(sources or [], options, bar)
    render_outcomes(outcomes)
    if any(o.error and not o.skipped for o in outcomes):
        raise typer.Exit(1)


def render_outcomes(outcomes: list[IngestOutcome]) -> None:
    table = Table(
        "source", "run", "status", "read", "new", "new versions", "unchanged", "quarantined"
    )
    for o in outcomes:
        if o.run is None:
            table.add_row(
                o.source,
                "-",
                "skipped" if o.skipped else styled(("failed", "red")),
                "",
                "",
                "",
                "",
                "",
            )
            continue
        r = o.run
        table.add_row(
            r.source,
            str(r.id),
            r.status,
            str(r.rows_read),
            str(r.inserted),
            str(r.new_versions),
            str(r.unchanged),
            str(r.quarantined),
        )
    console.print(table)
    for o in outcomes:
        if o.error:
            err_console.print(styled((f"{o.source}:", "yellow"), f" {o.error}"), highlight=False)
        for note in o.run.notes if o.run else []:
            console.print(styled((f"{o.source}: {note}", "dim")), highlight=False)


def runs(
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    limit: Annotated[int, typer.Option(help="How many runs.")] = 20,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Ingestion runs, newest first."""
    with open_workspace(workspace, db) as ws:
        table = Table(
            "run",
            "source",
            "status",
            "started",
            "read",
            "new",
            "versions",
            "unchanged",
            "quarantined",
            "error",
        )
        for r in ws.runs(source, limit):
            table.add_row(
                str(r.id),
                r.source,
                r.status,
                f"{r.started_at:%Y-%m-%d %H:%M:%S}",
                str(r.rows_read),
                str(r.inserted),
                str(r.new_versions),
                str(r.unchanged),
                str(r.quarantined),
                r.error or "",
            )
        console.print(table)


@quarantine_app.command("list")
def quarantine_list(
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    run: Annotated[
        int | None, typer.Option(help="This run (default: each source's latest).")
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many rows (0 = all).")] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Quarantined rows with the reason, file and line."""
    with open_workspace(workspace, db) as ws:
        entries = ws.quarantine(source, run, limit or None)
    if as_json:
        for e in entries:
            print(
                json.dumps(
                    {
                        "run": e.run_id,
                        "source": e.source,
                        "locator": e.locator,
                        "line": e.line,
                        "key": e.source_key,
                        "column": e.column,
                        "reason": e.reason,
                        "raw": e.raw,
                    },
                    ensure_ascii=False,
                )
            )
        return
    table = Table("run", "source", "where", "key", "column", "reason")
    for e in entries:
        table.add_row(
            str(e.run_id), e.source, e.locator, e.source_key or "", e.column or "", e.reason
        )
    console.print(table)
    console.print(f"{len(entries)} row(s)" + (" (limit reached)" if len(entries) == limit else ""))
