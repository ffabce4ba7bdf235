"""Deterministic randomness: named child generators and weighted pools.

Every random stream in the world is derived from the user's seed and a fixed label through
SHA-256, never through ``hash()`` (which ``PYTHONHASHSEED`` salts), so the same seed gives
byte-identical files in every process. ``random.Random`` is used for per-record choices
because its scalar calls are far cheaper than NumPy's; NumPy is used for bulk arrays.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


def derive_seed(seed: int, label: str) -> int:
    digest = hashlib.sha256(f"{seed}:{label}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def child_rng(seed: int, label: str) -> random.Random:
    return random.Random(derive_seed(seed, label))


def child_numpy(seed: int, label: str) -> np.random.Generator:
    return np.random.default_rng(derive_seed(seed, label))


@dataclass(frozen=True, slots=True)
class Pool:
    """Items with cumulative weights, drawn in O(log n) from a ``random.Random``."""

    items: tuple[int, ...]
    cumulative: tuple[float, ...]

    @classmethod
    def of(cls, items: Sequence[int], weights: Sequence[float]) -> Pool:
        return cls(tuple(items), tuple(itertools.accumulate(weights)))

    def draw(self, rng: random.Random) -> int:
        pick = bisect.bisect_right(self.cumulative, rng.random() * self.cumulative[-1])
        return self.items[min(pick, len(self.items) - 1)]

    def probability(self, position: int) -> float:
        prev = self.cumulative[position - 1] if position else 0.0
        return (self.cumulative[position] - prev) / self.cumulative[-1]
