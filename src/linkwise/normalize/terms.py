"""Words for full-text search: the same folding for the documents indexed and the query
asked, so "Pérez" finds "PEREZ" and "O'Neil" finds "ONeil"."""

from __future__ import annotations

from linkwise.normalize.text import fold

MAX_TERM = 64


def search_terms(text: str) -> set[str]:
    """The distinct folded words of ``text`` (two to 64 characters)."""
    return {w for w in fold(text).split() if 2 <= len(w) <= MAX_TERM}
