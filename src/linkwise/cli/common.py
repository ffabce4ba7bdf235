"""Options shared by commands, and the one place errors become messages and exit codes."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from linkwise.ingest.errors import SourceFileError
from linkwise.model.config import ConfigError
from linkwise.resolve.engines import Engine, EngineUnavailableError
from linkwise.workspace import Workspace, WorkspaceError

console = Console()
err_console = Console(stderr=True)

WorkspaceOpt = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        envvar="LINKWISE_WORKSPACE",
        help="Workspace folder (default: the current folder).",
        show_default=False,
    ),
]
DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="LINKWISE_DB",
        help="Database URL, e.g. postgresql://user@host/db (default: the workspace's).",
        show_default=False,
    ),
]

EngineOpt = Annotated[
    Engine,
    typer.Option(
        "--engine",
        help="Where Splink trains and scores: duckdb (in process) or spark (needs "
        "linkwise[spark] and Java).",
    ),
]

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int = 2) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the errors a user can act on into a clear message and a non-zero exit."""
    try:
        yield
    except (WorkspaceError, SourceFileError, EngineUnavailableError) as exc:
        fail(str(exc))
    except ConfigError as exc:
        fail("\n".join(str(p) for p in exc.problems))


@contextmanager
def open_workspace(workspace: Path | None, db: str | None) -> Iterator[Workspace]:
    with user_errors():
        ws = Workspace.open(workspace, db)
    try:
        with user_errors():
            yield ws
    finally:
        ws.close()


def progress_bar() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
        disable=not sys.stderr.isatty(),
    )
