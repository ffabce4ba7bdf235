"""How well a record answers a query: a score from 0 to 1 per criterion, with a short
reason an analyst can check at a glance ("name: nickname Bill/William", "DOB exact").

Names are compared word by word, each pair at the best of these levels: the same word (1.0),
nicknames of each other (0.9, the ``nicknames`` package plus linkwise's own groups, which
include transliterations such as Mohammed/Muhammad), the same transliteration-tolerant sound
key and no more than a third of the letters different (0.85, Aleksandr/Alexander,
Yevgeny/Evgeniy), one slip of spelling (0.8; two in a word of
seven letters or more, 0.7), a prefix (0.7) or an initial (0.5). The family name weighs a
little more than the given name; a query in the other order than the record is tried too,
at 0.95. A query of one word is compared with the given and the family name alike.

An entity's score is the weighted mean over the criteria the query gives of the best score
any of its usable records reaches on each (so a name on one record and a phone on another
both count), weights by how much each criterion identifies a person.

Scoring only ever sees values the caller says the reader may see (``visible``): a value the
case may not see can neither make a record a hit nor raise its score.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from linkwise.normalize import PartialDate, nickname_candidates
from linkwise.normalize.phonetic import sound_key
from linkwise.search.keys import identifier_key, name_parts
from linkwise.search.query import NameQuery, Query

WEIGHTS: dict[str, float] = {
    "name": 3.0,
    "dob": 2.0,
    "identifier": 4.0,
    "phone": 2.5,
    "email": 2.5,
    "address": 1.5,
}
FAMILY_SHARE = 0.55
SWAPPED = 0.95
NO_DOB = 0.25
"""What a record without a date of birth scores against a date searched for: less than a
near miss, more than a different date."""

Visible = Callable[[str], bool]


@dataclass(frozen=True, slots=True)
class Hit:
    """One criterion's score for one record, and why."""

    criterion: str
    score: float
    reason: str


def criteria(query: Query) -> list[str]:
    """The criteria a query gives, in the order reasons are listed."""
    found = []
    if query.name:
        found.append("name")
    if query.dob:
        found.append("dob")
    if query.identifiers:
        found.append("identifier")
    if query.phones:
        found.append("phone")
    if query.emails:
        found.append("email")
    if query.address or query.postcode:
        found.append("address")
    return found


def score_record(query: Query, record: Mapping[str, Any], visible: Visible) -> dict[str, Hit]:
    """Per criterion of the query, the record's hit (criteria it does not meet at all, or
    meets only through values the reader may not see, are left out)."""
    hits: dict[str, Hit] = {}
    for hit in (
        _name(query.name, record, visible) if query.name else None,
        _dob(query.dob, record.get("dob"), visible) if query.dob else None,
        _identifier(query.identifiers, record, visible) if query.identifiers else None,
        _exact("phone", query.phones, record.get("phone"), visible, "phone exact"),
        _exact("email", query.emails, record.get("email"), visible, "e-mail exact"),
        _address(query, record, visible) if query.address or query.postcode else None,
    ):
        if hit is not None and hit.score > 0:
            hits[hit.criterion] = hit
    return hits


def combine(query: Query, best: Mapping[str, Hit]) -> float:
    """The weighted mean of the best hit per criterion over the query's criteria."""
    wanted = criteria(query)
    total = sum(WEIGHTS[c] for c in wanted)
    if not total:
        return 0.0
    return round(sum(WEIGHTS[c] * best[c].score for c in wanted if c in best) / total, 4)


# -- names ----------------------------------------------------------------------------------


def word_match(q: str, r: str) -> tuple[float, str]:
    """How alike two folded name words are, and the level's name ("" when not at all)."""
    if q == r:
        return 1.0, "exact"
    if len(q) == 1 or len(r) == 1:
        return (0.5, "initial") if q[0] == r[0] else (0.0, "")
    if r in nickname_candidates(q) or q in nickname_candidates(r):
        return 0.9, "nickname"
    if sound_key(q) == sound_key(r):
        # the key is coarse (Bil and Polly share one): other spellings of one name also
        # stay within a third of its letters of each other (Mohammed/Muhammad: 3 of 8)
        bound = max(2, max(len(q), len(r)) // 3)
        if edits(q, r, bound) <= bound:
            return 0.85, "sounds alike"
    slips = edits(q, r, 2)
    if slips == 1:
        return 0.8, "spelling"
    if slips == 2 and min(len(q), len(r)) >= 7:
        return 0.7, "spelling"
    if len(q) >= 3 and r.startswith(q):
        return 0.7, "prefix"
    return 0.0, ""


def edits(a: str, b: str, bound: int) -> int:
    """Optimal-string-alignment distance of two words (insertions, deletions, substitutions
    and swaps of neighbours), or ``bound + 1`` once it is known to exceed ``bound``."""
    if abs(len(a) - len(b)) > bound:
        return bound + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], previous2[j - 2] + 1)
        if min(row) > bound:
            return bound + 1
        previous2, previous = previous, row
    return min(previous[-1], bound + 1)


def _best(q: str, candidates: Sequence[tuple[str, float]]) -> tuple[float, str, str]:
    """The best (score, level, matched word) of ``q`` against weighted record words."""
    best = (0.0, "", "")
    for word, weight in candidates:
        score, level = word_match(q, word)
        if score * weight > best[0]:
            best = (score * weight, level, word)
    return best


def _name(query: NameQuery, record: Mapping[str, Any], visible: Visible) -> Hit | None:
    given, middle, family = name_parts(record)
    split = bool(record.get("given_name") or record.get("family_name"))
    if split:
        given = given if visible("given_name") else []
        middle = middle if visible("middle_name") else []
        family = family if visible("family_name") else []
    elif not visible("full_name"):
        return None
    if not (given or family or middle):
        return None
    surnames = [(w, 1.0) for w in family] + [(w, 0.9) for w in middle]
    forenames = [(w, 1.0) for w in given] + [(w, 0.9) for w in middle]
    tokens = query.words
    if len(tokens) == 1:
        as_family, as_given = _best(tokens[0], surnames), _best(tokens[0], forenames)
        score, level, word = max(as_family, as_given)
        return _name_hit(score, [(level, tokens[0], word)])
    orders = [(tokens[0], tokens[1])] if query.family_first else []
    if not query.family_first:
        orders = [(tokens[-1], tokens[0]), (tokens[0], tokens[-1])]
    best: Hit | None = None
    for n, (fq, gq) in enumerate(orders):
        fs, fl, fw = _best(fq, surnames)
        gs, gl, gw = _best(gq, forenames)
        score = (FAMILY_SHARE * fs + (1 - FAMILY_SHARE) * gs) * (SWAPPED if n else 1.0)
        hit = _name_hit(score, [(gl, gq, gw), (fl, fq, fw)], swapped=n > 0)
        if hit is not None and (best is None or hit.score > best.score):
            best = hit
    return best


def _name_hit(score: float, parts: list[tuple[str, str, str]], swapped: bool = False) -> Hit | None:
    if score <= 0:
        return None
    notes = [
        f"{level} {q.title()}/{w.title()}" for level, q, w in parts if level and level != "exact"
    ]
    if swapped:
        notes.append("given and family name swapped")
    if any(not level for level, _, _ in parts):
        notes.append("partly")
    return Hit("name", round(score, 4), "name: " + ("; ".join(notes) or "exact"))


# -- dates, identifiers, contact details ----------------------------------------------------


def _dob(query: PartialDate, stored: Any, visible: Visible) -> Hit | None:
    if not visible("dob"):
        return None
    if not stored:
        return Hit("dob", NO_DOB, "DOB not on record")
    parts: list[int | None] = [int(p) for p in str(stored).split("-")]
    y, m, d = [*parts, None, None][:3]
    if query.month is None or query.day is None:
        wanted = [query.year, query.month]
        have = [y, m]
        if all(w is None or w == h for w, h in zip(wanted, have, strict=True)):
            what = "year" if query.month is None else "year and month"
            return Hit("dob", 1.0, f"DOB {what} match")
        return Hit("dob", 0.0, "DOB differs")
    if m is None or d is None:
        same = y == query.year and (m is None or m == query.month)
        return Hit("dob", 0.7, "DOB matches as far as the record gives it") if same else None
    if (y, m, d) == (query.year, query.month, query.day):
        return Hit("dob", 1.0, "DOB exact")
    if (y, m, d) == (query.year, query.day, query.month):
        return Hit("dob", 0.7, "DOB day and month swapped")
    agree = [y == query.year, m == query.month, d == query.day]
    if sum(agree) == 2:
        return Hit("dob", 0.6, "DOB one part differs")
    if y == query.year:
        return Hit("dob", 0.3, "DOB same year")
    return None


def _identifier(wanted: Sequence[str], record: Mapping[str, Any], visible: Visible) -> Hit | None:
    for kind, value in record.get("identifiers") or ():
        if value and identifier_key(str(value)) in wanted and visible(kind):
            return Hit("identifier", 1.0, f"identifier exact ({kind})")
    return None


def _exact(
    criterion: str, wanted: Sequence[str], stored: Any, visible: Visible, reason: str
) -> Hit | None:
    if wanted and stored and stored in wanted and visible(criterion):
        return Hit(criterion, 1.0, reason)
    return None


def _address(query: Query, record: Mapping[str, Any], visible: Visible) -> Hit | None:
    line = " ".join(str(record.get("address_line") or "").upper().split())
    if query.address and line and visible("address_line"):
        if line == query.address:
            return Hit("address", 1.0, "address exact")
        mine, theirs = query.address.split(), line.split()
        if mine[:2] == theirs[:2] and len(mine) > 1:
            return Hit("address", 0.7, "address: same number and street")
    postcode = record.get("postcode")
    if query.postcode and postcode and postcode == query.postcode and visible("postcode"):
        only = query.address is None
        return Hit("address", 1.0 if only else 0.4, "postcode exact")
    return None
