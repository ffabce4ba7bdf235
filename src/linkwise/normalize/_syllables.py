"""Names read as the syllables of a spelling table, for the romanisation tables
(``romanisation`` for Chinese names, ``korean`` for Korean ones)."""

from __future__ import annotations

from collections.abc import Iterable

LONGEST_WORD = 24
"""A word longer than this is not a name made of syllables (and is not split)."""


def group_index(groups: Iterable[tuple[str, ...]]) -> dict[str, tuple[int, ...]]:
    """Per spelling, the positions of the groups holding it."""
    found: dict[str, tuple[int, ...]] = {}
    for i, group in enumerate(groups):
        for spelling in group:
            found[spelling] = (*found.get(spelling, ()), i)
    return found


def split_name(name: str, known: frozenset[str], longest: int) -> tuple[str, ...] | None:
    """A folded name as ``known`` syllables (none longer than ``longest``) across its word
    breaks, hyphens and apostrophes read as breaks ("hsiao-ming" and "xiao ming" alike), a
    word written whole split into the fewest syllables ("xiaoming": xiao, ming); None when
    a word does not split so, or there is no word."""
    out: list[str] = []
    for word in name.replace("-", " ").replace("'", "").split():
        split = _fewest(word, known, longest)
        if split is None:
            return None
        out.extend(split)
    return tuple(out) or None


def _fewest(word: str, known: frozenset[str], longest: int) -> tuple[str, ...] | None:
    """``word`` as the fewest ``known`` syllables, or None. Worked from the end of the word
    back (each position once), so the time grows with the word's length, not with the
    number of ways to split it."""
    if len(word) > LONGEST_WORD:
        return None
    # best[i]: the fewest syllables that make word[i:], or None where none do
    best: list[tuple[str, ...] | None] = [None] * len(word) + [()]
    for start in range(len(word) - 1, -1, -1):
        for end in range(start + 1, min(len(word), start + longest) + 1):
            rest, head, held = best[end], word[start:end], best[start]
            if rest is not None and head in known and (held is None or len(rest) + 1 < len(held)):
                best[start] = (head, *rest)
    return best[0]
