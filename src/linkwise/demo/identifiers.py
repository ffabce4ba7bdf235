"""Identifiers: unique SSNs and licence numbers in bulk, and their text forms.

Uniqueness comes from a bijection (an affine permutation of the identifier space), so a
million identifiers are drawn with one vectorised expression and no set of used values.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from linkwise.demo.corrupt import strip_diacritics

_SSN_GROUPS, _SSN_SERIALS, _SSN_AREAS = 99, 9999, 898
_SSN_SPACE = _SSN_AREAS * _SSN_GROUPS * _SSN_SERIALS
_LICENCE_SPACE = 10_000_000
GENERIC_SSN = "123456789"
"""The placeholder many real systems hold for "SSN unknown", shared by unrelated people."""


def bijection(n: int, space: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` distinct pseudo-random numbers below ``space``: an affine map i -> a*i+b mod
    space with a coprime to space is a permutation, so no two people collide."""
    while True:
        a = int(rng.integers(space // 3, space - 1))
        if np.gcd(a, space) == 1:
            break
    b = int(rng.integers(0, space))
    return (np.arange(n, dtype=np.int64) * a + b) % space


def ssns(n: int, rng: np.random.Generator) -> np.ndarray:
    """Unique structurally valid SSNs (area not 000, 666 or 900-999; group not 00; serial
    not 0000) as 9-digit integers, never the generic placeholder."""
    x = bijection(n + 1, _SSN_SPACE, rng)
    area = x // (_SSN_GROUPS * _SSN_SERIALS) + 1
    area = np.where(area >= 666, area + 1, area)
    group = (x // _SSN_SERIALS) % _SSN_GROUPS + 1
    serial = x % _SSN_SERIALS + 1
    ssn: np.ndarray = area * 1_000_000 + group * 10_000 + serial
    return np.asarray(ssn[ssn != int(GENERIC_SSN)][:n])


def licence_numbers(n: int, rng: np.random.Generator) -> np.ndarray:
    """Seven distinct digits per person, embedded in each state's licence format."""
    return bijection(n, _LICENCE_SPACE, rng)


def format_phone(number: int) -> str:
    return f"{number:010d}"


def licence_text(state: str, unique: int, family: str, dob: dt.date) -> str:
    """A licence number in the shape its state uses; the seven ``unique`` digits make it
    unique within the state, the rest echo the holder as several states' schemes do."""
    letter = (strip_diacritics(family)[:1] or "X").upper()
    if state == "CA":
        return f"{letter}{unique:07d}"
    if state == "IL":
        return f"{letter}{unique:07d}{dob.year % 100:02d}{dob.month:02d}"
    if state == "FL":
        return f"{letter}{unique:07d}{dob.year % 100:02d}{dob.timetuple().tm_yday:03d}"
    if state == "NY":
        return f"{dob.year % 100:02d}{unique:07d}"
    if state == "TX":
        return f"{dob.year % 10}{unique:07d}"
    return f"{letter}{unique:08d}"
