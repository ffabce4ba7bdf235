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
Which lookups a query makes is a plan of its own (``lookups``), so a governed search can
also ask whether a record would have been found by the values the reader may see of it
(``found_by``): a record found only through a hidden value must not be shown, or the
result would tell the reader that the hidden value is the one searched for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

from linkwise.normalize import nickname_candidates
from linkwise.normalize.phonetic import sound_key
from linkwise.search.keys import MIN_FUZZY, Key, deletions
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


@dataclass(frozen=True, slots=True)
class Lookup:
    """One lookup in the search index: records with a ``kind`` key whose ``a`` is one of
    ``a`` and whose ``b`` is one of ``b`` (any ``b`` when None), or starts with ``prefix``
    (a birth year's range), at most ``limit`` of them."""

    kind: str
    a: frozenset[str]
    b: frozenset[str] | None
    limit: int
    prefix: str | None = None

    def run(self, conn: Connection) -> list[int]:
        if self.prefix is not None:
            (a,) = self.a
            return store.lookup_range(conn, self.kind, a, self.prefix, self.limit)
        return store.lookup(conn, self.kind, self.a, self.b, self.limit)

    def finds(self, key: Key) -> bool:
        """Whether this lookup finds a record with ``key`` (caps aside)."""
        kind, a, b = key
        if kind != self.kind or a not in self.a:
            return False
        if self.prefix is not None:
            return b.startswith(self.prefix)
        return self.b is None or b in self.b


def lookups(conn: Connection, query: Query) -> list[Lookup]:
    """The lookups that find the records worth scoring for ``query``, the most specific
    first (the vocabulary is read to widen names to their spellings)."""
    out: list[Lookup] = []

    def add(kind: str, a: Iterable[str], b: Iterable[str] | None, limit: int) -> None:
        out.append(Lookup(kind, frozenset(a), None if b is None else frozenset(b), limit))

    if query.identifiers:
        add("i", query.identifiers, None, STRONG_CAP)
    for kind, values in (("p", query.phones), ("e", query.emails)):
        if values:
            add(kind, values, None, STRONG_CAP)
    if query.address:
        add("a", [query.address], None, STRONG_CAP)
    dob = query.dob
    if dob is not None and dob.day is not None and dob.month is not None:
        days = {f"{dob.month:02d}-{dob.day:02d}"}
        if dob.day <= 12:
            days.add(f"{dob.day:02d}-{dob.month:02d}")
        add("d", [str(dob.year)], days, STRONG_CAP)
    if query.name:
        _names(conn, query.name, add)
    alone = not (query.name or query.identifiers or query.phones or query.emails)
    if alone and query.postcode and not query.address:
        add("z", [query.postcode], None, NAME_CAP)
    if alone and dob is not None and dob.day is None:
        month = f"{dob.month:02d}" if dob.month else ""
        out.append(Lookup("d", frozenset([str(dob.year)]), None, NAME_CAP, prefix=month))
    return out


def candidate_ids(conn: Connection, query: Query) -> list[int]:
    """Record ids worth scoring for ``query``, the most specific lookups first."""
    return list(finders(conn, lookups(conn, query)))


def found_by(plan: Sequence[Lookup], keys: Iterable[Key]) -> bool:
    """Whether a record with ``keys`` would be found by one of ``plan``'s lookups (caps
    aside: pass only the lookups that did return the record, ``finders``)."""
    return any(lookup.finds(key) for key in keys for lookup in plan)


def finders(conn: Connection, plan: Sequence[Lookup]) -> dict[int, list[Lookup]]:
    """Record ids worth scoring, each with the lookups of ``plan`` that returned it (a
    lookup's cap may leave out a record its key matches), the most specific first."""
    found: dict[int, list[Lookup]] = {}
    for lookup in plan:
        for record_id in lookup.run(conn):
            found.setdefault(record_id, []).append(lookup)
    return found


def _names(conn: Connection, name: NameQuery, add: Callable[..., None]) -> None:
    words = name.words
    near = {w: spelled_like(conn, w) for w in set(words)}
    if len(words) == 1:
        word = words[0]
        add("n", near[word], None, WORD_CAP)
        add("g", given_forms(word, near[word]), [""], WORD_CAP)
        return
    if name.family_first:
        orders = [(words[0], words[1])]
    else:
        orders = [(words[-1], words[0]), (words[0], words[-1])]
    for family, given in orders:
        add("n", near[family], given_forms(given, near[given]), NAME_CAP)
        fk, gk = sound_key(family), sound_key(given)
        if fk and gk:
            add("s", [fk], [gk], NAME_CAP)


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
