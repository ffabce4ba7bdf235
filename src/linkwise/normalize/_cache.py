"""Memoisation that keeps the decorated function's signature visible to mypy.

Ingestion normalises millions of values in which names, dates and places repeat heavily, so
the public normalisers are cached. ``functools.lru_cache`` erases parameter types for the
type checker; this wrapper restores them, and keeps a registry so tests and benchmarks can
start cold.

Sizes are per function: 2**16-2**17 entries where values repeat (folded words, names, dates),
2**15 where they are mostly unique per person (addresses, phones, identifiers), which
bounds the caches together to roughly 150 MB at about 500 bytes an entry.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import ParamSpec, TypeVar, cast

P = ParamSpec("P")
R = TypeVar("R")

DEFAULT_MAXSIZE = 2**16

_REGISTRY: list[Callable[[], None]] = []


def memoize(maxsize: int = DEFAULT_MAXSIZE) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """An ``lru_cache`` of ``maxsize`` that type-checks like the function it wraps."""

    def wrap(fn: Callable[P, R]) -> Callable[P, R]:
        cached = lru_cache(maxsize=maxsize)(fn)
        _REGISTRY.append(cached.cache_clear)
        return cast("Callable[P, R]", cached)

    return wrap


def clear_caches() -> None:
    """Empty every normaliser cache (for cold measurements and isolated tests)."""
    for clear in _REGISTRY:
        clear()
