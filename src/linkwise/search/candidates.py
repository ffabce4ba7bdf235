"""Which records a query could be about: a few exact-key lookups in the search index.

Each criterion is widened on the query side and asked for under exact keys
(``linkwise.search.keys``): a name's words become their nicknames and the indexed words
within two edits of them (found through the vocabulary's deletion variants), and each
ordering of family and given name is asked for as pairs, plus the pair of sound keys; a full
date of birth is asked for as given and with day and month swapped; identifiers, phones,
e-mail addresses and addresses exactly. A year of birth or a postcode alone would match a
large share of any population, so they only bring candidates when nothing else is given.

Each lookup has its own cap, so a very common name cannot crowd out the records an
identifier or a date of birth found. What comes back is only a set of record ids: scoring
(``linkwise.search.scoring``) decides which of them match, on values the reader may see.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection

from linkwise.normalize import nickname_candidates
from linkwise.normalize.phonetic import sound_key
from linkwise.search.keys import MIN_FUZZY, deletions
from linkwise.search.query import NameQuery, Query
from linkwise.search.scoring import edits
from linkwise.store import search_index as store

STRONG_CAP = 500
"""Records one identifier, phone, e-mail, address or date of birth may bring."""
NAME_CAP = 2000
"""Records one lookup of a family and given name may bring."""
WORD_CAP = 400
"""Records one lookup of a single name word may bring: a common family name alone has tens
of thousands at a million records, and ranks them all alike anyway."""


def candidate_ids(conn: Connection, query: Query) -> list[int]:
    """Record ids worth scoring for ``query``, the most specific lookups first."""
    found: dict[int, None] = {}

    def add(ids: list[int]) -> None:
        found.update(dict.fromkeys(ids))

    if query.identifiers:
        add(store.lookup(conn, "i", query.identifiers, None, STRONG_CAP))
    for kind, values in (("p", query.phones), ("e", query.emails)):
        if values:
            add(store.lookup(conn, kind, values, None, STRONG_CAP))
    if query.address:
        add(store.lookup(conn, "a", [query.address], None, STRONG_CAP))
    dob = query.dob
    if dob is not None and dob.day is not None and dob.month is not None:
        days = {f"{dob.month:02d}-{dob.day:02d}"}
        if dob.day <= 12:
            days.add(f"{dob.day:02d}-{dob.month:02d}")
        add(store.lookup(conn, "d", [str(dob.year)], days, STRONG_CAP))
    if query.name:
        _names(conn, query.name, add)
    alone = not (query.name or query.identifiers or query.phones or query.emails)
    if alone and query.postcode and not query.address:
        add(store.lookup(conn, "z", [query.postcode], None, NAME_CAP))
    if alone and dob is not None and dob.day is None:
        month = f"{dob.month:02d}" if dob.month else ""
        add(store.lookup_range(conn, "d", str(dob.year), month, NAME_CAP))
    return list(found)


def _names(conn: Connection, name: NameQuery, add: Callable[[list[int]], None]) -> None:
    words = name.words
    near = {w: spelled_like(conn, w) for w in set(words)}
    if len(words) == 1:
        word = words[0]
        add(store.lookup(conn, "n", near[word], None, WORD_CAP))
        add(store.lookup(conn, "g", given_forms(word, near[word]), [""], WORD_CAP))
        return
    if name.family_first:
        orders = [(words[0], words[1])]
    else:
        orders = [(words[-1], words[0]), (words[0], words[-1])]
    for family, given in orders:
        add(store.lookup(conn, "n", near[family], given_forms(given, near[given]), NAME_CAP))
        fk, gk = sound_key(family), sound_key(given)
        if fk and gk:
            add(store.lookup(conn, "s", [fk], [gk], NAME_CAP))


def given_forms(word: str, near: set[str]) -> set[str]:
    """A given name's nicknames and formal names, and the indexed names spelt like it."""
    forms = set(near) | set(nickname_candidates(word))
    for other in near - {word}:
        forms |= nickname_candidates(other)
    return forms


def spelled_like(conn: Connection, word: str) -> set[str]:
    """``word`` and the indexed name words within its spelling tolerance (one slip; two in
    a word of seven letters or more)."""
    if len(word) < MIN_FUZZY:
        return {word}
    bound = 2 if len(word) >= 7 else 1
    near = store.terms_near(conn, deletions(word))
    return {word} | {w for w in near if edits(word, w, bound) <= bound}
