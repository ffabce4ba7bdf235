"""`linkwise dedupe`: one-shot resolution of CSV files (DESIGN.md §6)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from linkwise.cli.common import EngineOpt, ThresholdOpt, err_console, fail, styled, user_errors
from linkwise.resolve.pipeline import DEFAULT_THRESHOLD
from linkwise.workspace.dedupe import DedupeError, dedupe


def dedupe_command(
    files: Annotated[list[Path], typer.Argument(help="CSV files to resolve together.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output CSV.")],
    id_column: Annotated[
        str | None,
        typer.Option(help="Column holding each row's id (default: the 1-based row number)."),
    ] = None,
    mapping: Annotated[
        list[str] | None,
        typer.Option("--map", help="COLUMN=FIELD: map a column to a canonical field (repeatable)."),
    ] = None,
    threshold: Annotated[float, ThresholdOpt] = DEFAULT_THRESHOLD,
    engine: EngineOpt = "duckdb",
    duplicate_free: Annotated[
        list[Path] | None,
        typer.Option(
            "--duplicate-free",
            help="An input FILE holding at most one row per person (repeatable): one-to-one.",
        ),
    ] = None,
) -> None:
    """Resolve rows of CSV files into people; write file,record_id,entity_id,confidence."""
    overrides: dict[str, str] = {}
    for item in mapping or []:
        column, sep, target = item.partition("=")
        if not sep or not column or not target:
            fail(f"--map {item!r}: expected COLUMN=FIELD")
        overrides[column] = target.strip()

    def say(message: str) -> None:
        err_console.print(styled((message, "dim")), highlight=False)

    with user_errors():
        try:
            summary = dedupe(
                files,
                out,
                id_column=id_column,
                overrides=overrides,
                threshold=threshold,
                duplicate_free=duplicate_free or [],
                progress=say,
                engine=engine,
            )
        except DedupeError as exc:
            fail(str(exc))
    for path, info in summary.files.items():
        mapped = ", ".join(f"{k}={v}" for k, v in info["fields"].items())
        err_console.print(f"{path}: {info['rows']} rows; mapped {mapped}", highlight=False)
        if not info["names"]:
            err_console.print(
                styled(
                    ("warning:", "yellow"),
                    f" {path}: no column was taken for a name, so its rows are matched on the "
                    "other fields alone; name one with --map COLUMN=given_name (or "
                    "family_name, full_name)",
                ),
                highlight=False,
            )
        for column, (count, first, value) in info["unread"].items():
            err_console.print(
                styled(
                    ("warning:", "yellow"),
                    f" {path}: column {column!r}: {count} value(s) could not be read and were "
                    f"left out of their records (first at {first}: {value!r})",
                ),
                highlight=False,
            )
    err_console.print(
        f"{summary.records} records → {summary.entities} entities; written to {out}",
        highlight=False,
    )
