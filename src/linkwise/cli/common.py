"""Options shared by commands, and the one place errors become messages and exit codes."""

from __future__ import annotations

import os
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
from rich.text import Text

from linkwise.govern.accounts import AccountError, User
from linkwise.govern.authorisations import AuthorisationError
from linkwise.govern.cases import CaseError
from linkwise.govern.session import SessionError
from linkwise.ingest.errors import SourceFileError
from linkwise.model.config import ConfigError
from linkwise.resolve.engines import Engine, EngineUnavailableError
from linkwise.workspace import Workspace, WorkspaceError
from linkwise.workspace.outputs import unwritable
from linkwise.workspace.resolution import ResolveError
from linkwise.workspace.session import WorkspaceSession

# No console markup: values typed by users (names, references, reasons) are printed as
# written, never read as style tags ("[/]" would stop the command; "[bold]x[/]" would lose
# its brackets). Styled words are Text objects (``styled``).
console = Console(markup=False)
err_console = Console(stderr=True, markup=False)


def styled(*parts: str | tuple[str, str]) -> Text:
    """Text from plain strings and (string, style) pairs, none of it read as markup."""
    return Text.assemble(*parts)


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

ActorOpt = Annotated[
    str | None,
    typer.Option(
        "--as",
        envvar="LINKWISE_USER",
        help="Who is acting; the password is read from LINKWISE_PASSWORD or asked for.",
        show_default=False,
    ),
]
CaseOpt = Annotated[
    int | None,
    typer.Option(
        "--case",
        envvar="LINKWISE_CASE",
        help="The case the read is for: its purpose decides what may be shown.",
        show_default=False,
        min=1,
        max=2**63 - 1,
    ),
]

F = TypeVar("F", bound=Callable[..., Any])


def _threshold(value: float | None) -> float | None:
    if value is not None and not 0.0 < value <= 1.0:
        raise typer.BadParameter(f"{value} is not above 0 and at most 1")
    return value


ThresholdOpt = typer.Option(
    help="Match probability at which records may join (above 0, at most 1).",
    callback=_threshold,
)


def fail(message: str, code: int = 2) -> NoReturn:
    err_console.print(styled(("error:", "bold red"), " ", message), highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def check_writable(option: str, path: Path) -> None:
    """Refuse, before any work, an output path that cannot be written."""
    if (problem := unwritable(option, path)) is not None:
        fail(problem)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the errors a user can act on into a clear message and a non-zero exit."""
    try:
        yield
    except (
        WorkspaceError,
        SourceFileError,
        EngineUnavailableError,
        AccountError,
        SessionError,
        CaseError,
        AuthorisationError,
        ResolveError,
    ) as exc:
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


def credentials(actor: str | None) -> tuple[str, str]:
    """The acting user's name and password: ``--as`` (or LINKWISE_USER), and the password
    from LINKWISE_PASSWORD or a hidden prompt (never an option: it would land in the shell
    history and the process list)."""
    if not actor:
        fail("say who is acting with --as NAME (or set LINKWISE_USER)")
    password = os.environ.get("LINKWISE_PASSWORD")
    if password is None:
        try:
            password = typer.prompt(f"password for {actor}", hide_input=True, err=True)
        except typer.Abort:  # end of input before a password: nothing to type it at
            fail(f"no password for {actor}: set LINKWISE_PASSWORD, or type it when asked")
    return actor, password


@contextmanager
def acting(
    workspace: Path | None, db: str | None, actor: str | None
) -> Iterator[tuple[Workspace, User]]:
    """The workspace and the logged-in acting user."""
    with open_workspace(workspace, db) as ws:
        yield ws, ws.login(*credentials(actor))


@contextmanager
def governed(
    workspace: Path | None, db: str | None, actor: str | None, case: int | None
) -> Iterator[WorkspaceSession]:
    """A governed session for the acting user in a case: how every command that shows
    person data reads it."""
    if not actor:
        fail("say who is reading with --as NAME (or set LINKWISE_USER)")
    if case is None:
        fail("say which case the read is for with --case ID (or set LINKWISE_CASE)")
    with acting(workspace, db, actor) as (ws, user), ws.session(user, case) as session:
        yield session


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
