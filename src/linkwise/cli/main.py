"""The `linkwise` command."""

from __future__ import annotations

import typer

from linkwise import __version__
from linkwise.cli import cases as _case_work  # noqa: F401  (registers the case commands)
from linkwise.cli import ingest, resolve, sources
from linkwise.cli.audit import audit_app
from linkwise.cli.dedupe import dedupe_command
from linkwise.cli.demo import demo_app
from linkwise.cli.disputes import dispute_app
from linkwise.cli.documents import documents_app
from linkwise.cli.drafting import document_app, draft_command, package_command
from linkwise.cli.evaluate import evaluate_command
from linkwise.cli.governance import authorisation_app, case_app, policy_app, record_app
from linkwise.cli.match import match
from linkwise.cli.search import search as search_command
from linkwise.cli.serve import serve
from linkwise.cli.users import user_app

app = typer.Typer(
    name="linkwise",
    help="Accountable person-record integration: ingest with provenance, resolve, govern.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    rich_markup_mode="rich",
)
app.command("init")(sources.init)
app.add_typer(sources.source_app, name="source")
app.command("ingest")(ingest.ingest)
app.command("runs")(ingest.runs)
app.add_typer(ingest.quarantine_app, name="quarantine")
app.add_typer(demo_app, name="demo")
app.command("dedupe")(dedupe_command)
app.command("resolve")(resolve.resolve)
app.command("judge")(resolve.judge)
app.command("explain")(resolve.explain)
app.command("evaluate")(evaluate_command)
app.command("match")(match)
app.command("search")(search_command)
app.command("serve")(serve)
app.add_typer(resolve.entity_app, name="entity")
app.add_typer(resolve.review_app, name="review")
app.add_typer(record_app, name="record")
app.add_typer(case_app, name="case")
case_app.command("package")(package_command)
app.command("draft")(draft_command)
app.add_typer(document_app, name="document")
app.add_typer(authorisation_app, name="authorisation")
app.add_typer(policy_app, name="policy")
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")
app.add_typer(dispute_app, name="dispute")
app.add_typer(documents_app, name="documents")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"linkwise {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version."
    ),
) -> None:
    """linkwise command line."""


def main() -> None:
    app()
