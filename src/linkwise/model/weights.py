"""Match weights and probabilities: a weight is the log2 odds that two records are one person
(bits of evidence, the prior included), as Splink writes them. One conversion each way, so
that every figure shown of a link is worked out alike, to the last bit (a governed read
compares figures built in different places)."""

from __future__ import annotations

import math


def probability_of(weight: float) -> float:
    """The match probability of a match weight."""
    clamped = min(max(weight, -1000.0), 1000.0)  # 2**1024 overflows a float
    return 1.0 / (1.0 + math.pow(2.0, -clamped))


def weight_of(probability: float) -> float:
    """The match weight of a probability strictly between 0 and 1 (a model's prior)."""
    return math.log2(probability / (1.0 - probability))
