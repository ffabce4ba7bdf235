"""``linkwise.evaluate`` is a services-layer package that reads only pure layers."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import linkwise.evaluate as evaluate_pkg

PACKAGE = Path(evaluate_pkg.__file__).parent
ALLOWED_LINKWISE = ("linkwise.evaluate", "linkwise.model", "linkwise.normalize")
ALLOWED_THIRD_PARTY = {"numpy", "pyarrow"}


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
        if top == "linkwise":
            assert name.startswith(ALLOWED_LINKWISE), f"{path.name} imports {name}"
        else:
            assert top in sys.stdlib_module_names or top in ALLOWED_THIRD_PARTY, name


def test_public_api_is_exported() -> None:
    for name in evaluate_pkg.__all__:
        assert hasattr(evaluate_pkg, name), name
