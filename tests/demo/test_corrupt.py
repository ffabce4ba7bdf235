"""The corruptions change values the way they claim to, and no more."""

from __future__ import annotations

import random

import pytest

from linkwise.demo.corrupt import Tally, digit_typo, fit_charset, ocr, strip_diacritics, typo


def damerau(a: str, b: str) -> int:
    """Optimal string alignment distance (edits: insert, delete, substitute, transpose)."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


@pytest.mark.parametrize("name", ["Margaret", "O'Connor", "García Márquez", "Abdel Rahman"])
def test_typo_is_one_edit(name: str) -> None:
    rng = random.Random(1)
    for _ in range(200):
        assert damerau(name, typo(name, rng)) == 1


def test_typo_leaves_short_names_alone() -> None:
    assert typo("Li", random.Random(1)) == "Li"


def test_ocr_makes_one_known_confusion() -> None:
    rng = random.Random(2)
    outcomes = {ocr("SIMMONS, BOB", rng) for _ in range(300)}
    assert "5IMMONS, BOB" in outcomes
    assert "SIMMONS, 8OB" in outcomes
    assert "SIRNMONS, BOB" in outcomes
    assert "SIMMONS, B0B" in outcomes
    assert ocr("xyz", rng) == "xyz"


def test_digit_typo_changes_or_swaps_one_digit_and_keeps_format() -> None:
    rng = random.Random(3)
    for _ in range(300):
        out = digit_typo("123-45-6789", rng)
        assert out != "123-45-6789"
        assert [i for i, c in enumerate(out) if c == "-"] == [3, 6]
        diffs = [i for i, (a, b) in enumerate(zip(out, "123-45-6789", strict=True)) if a != b]
        assert len(diffs) in (1, 2)
        if len(diffs) == 2:
            i, j = diffs
            assert out[i] == "123-45-6789"[j]
            assert out[j] == "123-45-6789"[i]


def test_fit_charset_keeps_what_fits_and_folds_the_rest() -> None:
    assert fit_charset("García", "cp1252") == "García"
    assert fit_charset("Nguyễn", "latin-1") == "Nguyen"
    assert fit_charset("Wiśniewski", "cp1252") == "Wisniewski"
    assert fit_charset("Đặng", "latin-1") == "Dang"
    assert fit_charset("Ivanovа", "cp1252") == "Ivanova"  # Cyrillic а, a homoglyph
    assert fit_charset("Иван", None) == "Иван"
    assert strip_diacritics("Muñoz Ibáñez") == "Munoz Ibanez"


def test_tally_counts_eligible_expected_and_realised() -> None:
    tally, tags = Tally(), list[str]()
    rng = random.Random(4)
    hits = sum(tally.roll(rng, "typo", 0.25, tags) for _ in range(4000))
    assert tally.eligible["typo"] == 4000
    assert tally.expected["typo"] == pytest.approx(1000)
    assert tally.realised["typo"] == hits == len(tags)
    assert not tally.roll(rng, "ocr", 0.0, tags)
    assert "ocr" not in tally.eligible
