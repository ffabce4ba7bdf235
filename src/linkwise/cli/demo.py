"""`linkwise demo` and `linkwise demo generate`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from linkwise.cli.common import console, open_workspace, progress_bar, styled, user_errors
from linkwise.cli.evaluate import render_report
from linkwise.cli.ingest import render_outcomes
from linkwise.cli.serve import HostOpt, PortOpt, run_server
from linkwise.demo import generate_world
from linkwise.workspace.demo_governance import DemoAccess, seed_governance

demo_app = typer.Typer(help="The synthetic demo world.")

People = Annotated[int, typer.Option("--people", min=100, max=1_000_000, help="People to invent.")]
Seed = Annotated[int, typer.Option("--seed", help="Random seed; same seed, same world.")]


@demo_app.callback(invoke_without_command=True)
def demo(
    ctx: typer.Context,
    people: People = 10_000,
    seed: Seed = 7,
    workspace: Annotated[
        Path, typer.Option("--workspace", "-w", help="Folder for the demo workspace.")
    ] = Path("linkwise-demo"),
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Stop after building.")] = False,
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8000,
) -> None:
    """Build the demo world on the embedded default: generate, init, ingest, resolve, print
    its measured error rates and the demo logins, then serve the web app (unless
    --no-serve)."""
    if ctx.invoked_subcommand is not None:
        return
    from linkwise.workspace.demo import build_demo

    with progress_bar() as bars, user_errors():
        gen_task = bars.add_task("generate", total=None)

        def on_generate(step: str, done: int, total: int) -> None:
            bars.update(gen_task, description=f"generate: {step}", completed=done, total=total)

        def on_ingest(name: str):  # type: ignore[no-untyped-def]
            task = bars.add_task(f"ingest {name}", total=None)
            return lambda done, total: bars.update(task, completed=done, total=total)

        build = build_demo(workspace, people, seed, on_generate, on_ingest)
    with build.workspace as ws:
        render_outcomes(build.outcomes)
        table = Table("source", "records")
        for s in ws.sources():
            table.add_row(s.name, str(s.records))
        console.print(table)
        with user_errors():
            outcome = ws.resolve(full=True, progress=lambda m: console.print(styled((m, "dim"))))
            console.print(
                f"Resolved {outcome.records} records into {outcome.entities} entities "
                f"({outcome.review_items} items for review, {outcome.generic} generic values)."
            )
            tags = build.world / "record_tags.csv"
            report = ws.evaluate(build.world / "truth.csv", tags=tags if tags.is_file() else None)
        console.print("Measured against the world's ground truth:")
        render_report(report)
        with user_errors():
            access = seed_governance(ws)
        render_access(access)
        console.print(f"Demo workspace: {ws.root} (world files in {build.world})")
    if not no_serve:
        with open_workspace(workspace, None) as ws:
            console.print(
                "Log in with any demo user above (the password is in "
                f"{ws.root / '.linkwise' / 'demo-password'}), then choose a case in the header."
            )
            run_server(ws, host, port)


def render_access(access: DemoAccess) -> None:
    """The demo logins, cases and authorisations, or where to find them on a rerun."""
    if not access.created:
        console.print(
            "The workspace already has users; the demo added none. The demo users' password "
            f"is in {access.password_file} (if this workspace was made by `linkwise demo`).",
            highlight=False,
        )
        return
    logins = Table(title="demo logins (one password for all; demo only)")
    logins.add_column("user")
    logins.add_column("role")
    for name, role in access.users:
        logins.add_row(name, role.value)
    console.print(logins)
    password = access.password_file.read_text(encoding="utf-8").strip()
    console.print(f"password: {password}  (also in {access.password_file})", highlight=False)
    for case in access.cases:
        console.print(
            f"case #{case.id}: {case.title} ({case.purpose}, {case.status})", highlight=False
        )
    table = Table(title="demo authorisations")
    for col in ("case", "id", "process", "reference", "unlocks", "state"):
        table.add_column(col)
    for auth, state in access.authorisations:
        table.add_row(
            f"#{auth.case_id}",
            f"#{auth.id}",
            auth.process,
            auth.reference,
            ", ".join(auth.scope.markings),
            state,
        )
    console.print(table)
    if access.subject:
        console.print(
            f"The subpoena and the warrant name entity {access.subject}: try "
            f"`linkwise entity show {access.subject} --as ana --case 1`, then --case 2.",
            highlight=False,
        )


@demo_app.command("generate")
def generate(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the world into.")],
    people: People = 10_000,
    seed: Seed = 7,
) -> None:
    """Write the synthetic world alone: one manifest per source, the files, truth.csv."""
    with progress_bar() as bars, user_errors():
        task = bars.add_task("generate", total=None)

        def on_progress(step: str, done: int, total: int) -> None:
            bars.update(task, description=step, completed=done, total=total)

        summary = generate_world(out, people, seed, on_progress)
    console.print(f"Wrote the world of {people} people (seed {seed}) to {out}")
    console.print(summary)
