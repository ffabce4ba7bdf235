"""`linkwise init`, `linkwise source add|list`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from linkwise.cli.common import DbOpt, WorkspaceOpt, console, open_workspace, styled, user_errors
from linkwise.workspace import Workspace

source_app = typer.Typer(help="Register and list sources.", no_args_is_help=True)


def init(
    directory: Annotated[Path, typer.Argument(help="Folder to create.")] = Path("."),
    db: DbOpt = None,
) -> None:
    """Create a workspace folder with its embedded database (or upgrade an existing one)."""
    with user_errors():
        ws, created = Workspace.init(directory, db)
    with ws:
        verb = "Created" if created else "Workspace already there; schema is up to date:"
        console.print(f"{verb} {ws.root} (database {ws.db_display})")


@source_app.command("add")
def add(
    manifests: Annotated[list[Path], typer.Argument(help="Source manifest YAML file(s).")],
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Validate manifests against the policy pack and their files, then register them."""
    with open_workspace(workspace, db) as ws:
        for path in manifests:
            info, created = ws.add_source(path)
            verb = "added" if created else "updated"
            console.print(styled(f"{verb} source ", (info.name, "bold"), f" ({info.title})"))


@source_app.command("list")
def list_sources(workspace: WorkspaceOpt = None, db: DbOpt = None) -> None:
    """Registered sources, their record counts and last run."""
    with open_workspace(workspace, db) as ws:
        table = Table("source", "kind", "markings", "records", "last run")
        for s in ws.sources():
            last = f"#{s.last_run.id} {s.last_run.status}" if s.last_run else "never"
            table.add_row(s.name, s.kind, ", ".join(s.markings), str(s.records), last)
        console.print(table)
