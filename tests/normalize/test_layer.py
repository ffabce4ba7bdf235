"""``linkwise.normalize`` is the bottom layer: pure, self-contained, cached, immutable."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

import linkwise.normalize as normalize

PACKAGE = Path(normalize.__file__).parent
FORBIDDEN = ("sqlalchemy", "typer", "rich", "os", "pathlib", "io", "socket", "subprocess")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_imports_stay_in_the_layer(path: Path) -> None:
    for name in _imports(path):
        top = name.split(".")[0]
        assert top not in FORBIDDEN, f"{path.name} imports {name}"
        if top == "linkwise":
            assert name.startswith("linkwise.normalize"), f"{path.name} imports {name}"


def test_public_api_is_exported() -> None:
    for name in normalize.__all__:
        assert hasattr(normalize, name), name


@pytest.mark.parametrize(
    "cls",
    [
        normalize.NameParts,
        normalize.PartialDate,
        normalize.Phone,
        normalize.Address,
        normalize.Identifier,
    ],
)
def test_results_are_frozen(cls: type) -> None:
    params = getattr(cls, "__dataclass_params__")  # noqa: B009
    assert dataclasses.is_dataclass(cls)
    assert params.frozen


def test_public_functions_are_cached() -> None:
    first = normalize.normalize_address("123 Main St", default_country="US")
    assert normalize.normalize_address("123 Main St", default_country="US") is first
    normalize.clear_caches()
    assert normalize.normalize_address("123 Main St", default_country="US") is not first
