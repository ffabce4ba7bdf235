"""Docs stay honest: every command, manifest key and policy-pack key is documented."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import pytest
import typer.main

from linkwise.cli.main import app
from linkwise.model.manifest import FactSpec, FieldSource, Manifest, ReaderOptions
from linkwise.model.policy import (
    Corroboration,
    DocumentTemplate,
    LegalProcess,
    Marking,
    PolicyPack,
    ProhibitedAttribute,
    Purpose,
    Unlock,
)
from linkwise.model.priority import PriorityCondition, PriorityRule, PrioritySettings

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _commands(group: Any, prefix: str = "linkwise") -> list[str]:
    out = []
    for name, cmd in group.commands.items():
        path = f"{prefix} {name}"
        if hasattr(cmd, "commands"):
            if cmd.invoke_without_command:
                out.append(path)
            out.extend(_commands(cmd, path))
        else:
            out.append(path)
    return out


def test_every_cli_command_has_a_section() -> None:
    cli = typer.main.get_command(app)
    headings = re.findall(r"^## `([^`]+)`", (DOCS / "cli.md").read_text(), re.M)
    documented = {
        " ".join(itertools.takewhile(re.compile("[a-z][a-z-]*").fullmatch, h.split()))
        for h in headings
    }
    commands = _commands(cli)
    assert len(commands) >= 8
    missing = [c for c in commands if c not in documented]
    assert not missing, f"undocumented commands: {missing}"


@pytest.mark.parametrize("model", [Manifest, FieldSource, FactSpec, ReaderOptions])
def test_every_manifest_key_is_documented(model: type) -> None:
    text = (DOCS / "manifests.md").read_text()
    missing = [k for k in model.model_fields if f"`{k}`" not in text]
    assert not missing, f"{model.__name__} keys missing from docs/manifests.md: {missing}"


@pytest.mark.parametrize(
    "model",
    [
        PolicyPack,
        Purpose,
        LegalProcess,
        Marking,
        Unlock,
        ProhibitedAttribute,
        Corroboration,
        DocumentTemplate,
        PriorityRule,
        PriorityCondition,
        PrioritySettings,
    ],
)
def test_every_policy_pack_key_is_documented(model: type) -> None:
    text = (DOCS / "policy-pack.md").read_text()
    missing = [k for k in model.model_fields if f"`{k}`" not in text]
    assert not missing, f"{model.__name__} keys missing from docs/policy-pack.md: {missing}"
