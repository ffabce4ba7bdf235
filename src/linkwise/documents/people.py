"""Group a document's mentions by person: each person named in full, with the date of birth,
phone, address and identifiers said about them, becomes one row that resolution links like
a row of any other source.

Which person a detail belongs to is decided by position, the way such documents are
written: the nearest person mentioned before it in the same sentence ("Ana Ruiz, born
4 May 1980, of 12 Elm St"); when the sentence names nobody before it, the nearest person
named shortly before (form layouts: "Name: ...\\nDOB: ...\\nPhone: ..."); failing that,
the first person named after it in the same sentence ("born 4 May 1980, Ana Ruiz ...").
Later short mentions ("Ruiz", "Ms. Ruiz") join the person they refer back to, and so do
repeated full mentions with the same given and family name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import count

from linkwise.documents.extract import ADDRESS, DATE, PERSON, PHONE, Mention

COLUMNS = (
    "name",
    "dob",
    "phone",
    "address",
    "ssn",
    "passport",
    "drivers_licence",
    "case_number",
)
"""The columns of a person row, in the order a mention record keeps them."""
_ATTRIBUTE = {PHONE: "phone", ADDRESS: "address", "ssn": "ssn", "passport": "passport",
              "drivers_licence": "drivers_licence", "case_number": "case_number"}  # fmt: skip
_FORM_REACH = 160
"""How far back (characters) a detail in a sentence without a name looks for its person."""
_SENTENCE_END = re.compile(r"(?<![A-Z])(?<!\b[a-z])[.!?](?:\s|$)|\n\s*\n")


@dataclass
class PersonRow:
    """One person a document mentions: ``number`` (1, 2, ...) within the document, ``key``
    (their family and given name, which names them in the document whatever else a later
    version of it adds or moves), the values found for them (``COLUMNS``, as written; a
    date of birth in ISO form), and the indexes of every mention that is theirs."""

    number: int
    key: str
    values: dict[str, str] = field(default_factory=dict)
    mentions: list[int] = field(default_factory=list)


def _sentence_bounds(text: str) -> list[int]:
    return [0, *(m.end() for m in _SENTENCE_END.finditer(text)), len(text) + 1]


def _sentence_of(bounds: list[int], pos: int) -> int:
    lo, hi = 0, len(bounds) - 1
    while lo + 1 < hi:
        mid = (lo + hi) // 2
        if bounds[mid] <= pos:
            lo = mid
        else:
            hi = mid
    return lo


def _clusters(mentions: list[Mention]) -> dict[int, int]:
    """Person mention index to the index of the full mention that stands for its person."""
    head: dict[int, int] = {}
    by_name: dict[tuple[str, str], int] = {}
    last_full: int | None = None
    for i, m in enumerate(mentions):
        if m.type != PERSON:
            continue
        if m.role == "alias" and last_full is not None:
            head[i] = head[last_full]
            continue
        if m.refers_to is not None:
            head[i] = head.get(m.refers_to, m.refers_to)
            continue
        given, family = m.parts.get("given"), m.parts.get("family")
        if given is None or family is None:
            continue
        key = (given.casefold().strip("."), family.casefold())
        head[i] = by_name.setdefault(key, i)
        last_full = i
    return head


def _owner(i: int, mentions: list[Mention], head: dict[int, int], bounds: list[int]) -> int | None:
    """The person (head mention index) the detail at ``i`` belongs to, or None. The nearest
    person decides: someone named in full (or a mention that refers back to them), or
    someone named by title and surname alone, whom the document never names in full. In
    "Raj Patel arrived. Mr. Singh, DOB 01/01/1980" the date is Mr. Singh's, so it is
    nobody's row rather than Raj Patel's: a detail lost is safer than a detail on the wrong
    person. A lone word a name model took for a name ("known as Annie", "his wife Priya")
    decides nothing: it may be the same person's nickname as well as someone else."""

    def decides(j: int) -> bool:
        return mentions[j].type == PERSON and (j in head or "title" in mentions[j].parts)

    m = mentions[i]
    sentence = _sentence_of(bounds, m.start)
    before = next((j for j in range(i - 1, -1, -1) if decides(j)), None)
    if before is not None and (
        _sentence_of(bounds, mentions[before].start) == sentence
        or m.start - mentions[before].end <= _FORM_REACH
    ):
        return head.get(before)
    for j in range(i + 1, len(mentions)):
        if _sentence_of(bounds, mentions[j].start) != sentence:
            break
        if decides(j):
            return head.get(j)
    return None


def _name_key(m: Mention) -> str:
    """ "ruiz-ana" for "Ana Ruiz" and "RUIZ, Ana": family and given name, folded, joined by
    hyphens."""
    words = f"{m.parts.get('family', '')} {m.parts.get('given', '')}".casefold().replace(".", "")
    return "-".join(re.findall(r"\w+", words)) or "person"


def group(text: str, mentions: list[Mention]) -> tuple[list[PersonRow], dict[int, int]]:
    """The people ``mentions`` name in full, and for each mention that is about one of them
    the person's number (mention index -> person number)."""
    head = _clusters(mentions)
    bounds = _sentence_bounds(text)
    rows: dict[int, PersonRow] = {}
    owner_of: dict[int, int] = {}
    keys: set[str] = set()
    for i in sorted(set(head.values())):
        key = _name_key(mentions[i])
        if key in keys:  # two spellings _clusters keeps apart but the key folds together
            key = next(k for n in count(2) if (k := f"{key}-{n}") not in keys)
        keys.add(key)
        rows[i] = PersonRow(len(rows) + 1, key, {"name": mentions[i].text})
    for i, m in enumerate(mentions):
        if i in head:
            owner_of[i] = head[i]
            continue
        column = "dob" if m.type == DATE and m.role == "dob" else _ATTRIBUTE.get(m.type)
        if column is None:
            continue
        who = _owner(i, mentions, head, bounds)
        if who is None:
            continue
        owner_of[i] = who
        value = m.value if column == "dob" and m.value else m.text
        rows[who].values.setdefault(column, value)
    for i, who in owner_of.items():
        rows[who].mentions.append(i)
    numbers = {i: rows[who].number for i, who in owner_of.items()}
    return list(rows.values()), numbers
