"""The search keys of a record, and the forms a query's values take to meet them.

Every key is a (kind, a, b) triple; the index stores one row per key and record, so a query
asks for the rows under a handful of exact keys and reads nothing else. Keys come from the
same normalisers ingestion and resolution use (``linkwise.normalize``): folded name words,
the transliteration-tolerant sound key, ISO dates of birth, E.164 phones.

=====  =========================================  ==============================
kind   a                                          b
=====  =========================================  ==============================
``r``  (empty): the record is indexed             (empty)
``n``  a family-name word                         a given-name word (or empty)
``g``  a given-name word                          (empty)
``s``  sound key of the family-name word          sound key of the given-name word
``d``  birth year                                 ``MM-DD``, ``MM`` or empty
``i``  identifier, upper-case letters and digits  identifier type
``p``  phone (E.164)                              (empty)
``e``  e-mail address                             (empty)
``a``  address line (USPS form)                   (empty)
``z``  postcode                                   (empty)
=====  =========================================  ==============================

Family-and-given pairs (``n``, ``s``) make a two-word name query a few index seeks however
common each word is on its own; ``g`` serves a query of one given name. Fuzzy and nickname
matching happen on the query side: the query's words are widened to their nicknames and to
the indexed words within two edits (``deletions``, looked up in the name vocabulary).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from linkwise.normalize import fold, split_full_name, surname_tokens
from linkwise.normalize.errors import NormalizationError
from linkwise.normalize.phonetic import sound_key

Key = tuple[str, str, str]
MARK: Key = ("r", "", "")
"""The key every indexed record has, keys or not: how the index knows what it holds."""
_NAME_COLUMNS = ("given_name", "middle_name", "family_name", "full_name")
KEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "n": _NAME_COLUMNS,
    "s": _NAME_COLUMNS,
    "g": _NAME_COLUMNS,
    "d": ("dob",),
    "p": ("phone",),
    "e": ("email",),
    "a": ("address_line",),
    "z": ("postcode",),
}
"""The record columns each kind of key is made from (``record_keys``); an identifier key
(``i``) is made from the record's ``identifiers``, its type in ``b``."""
MIN_FUZZY = 4
"""Words shorter than this get no deletion variants: one edit in a three-letter name makes
another common name (jon/joe/jan), and the sound key already covers vowel slips."""
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")


def words(value: Any) -> list[str]:
    """The folded words of a name value."""
    return fold(str(value)).split() if value else []


def family_words(value: Any) -> list[str]:
    """The words of a family name that identify it (particles such as "de la" dropped)."""
    if not value:
        return []
    found = list(surname_tokens(fold(str(value))))
    return found or words(value)


def identifier_key(value: str) -> str:
    """The type-free form of an identifier: upper-case letters and digits only, so
    "123-45-6789" and "123456789" meet whatever type either was filed under."""
    return _NOT_ALNUM.sub("", value.upper())


def name_parts(record: Mapping[str, Any]) -> tuple[list[str], list[str], list[str]]:
    """(given words, middle words, family words) of a record; an unsplit full name is split
    the way ingestion splits one."""
    given = words(record.get("given_name"))
    middle = words(record.get("middle_name"))
    family = family_words(record.get("family_name"))
    if not given and not family and record.get("full_name"):
        try:
            parts = split_full_name(str(record["full_name"]))
        except NormalizationError:
            return [], [], words(record.get("full_name"))
        given, middle, family = (
            words(parts.given),
            words(parts.middle),
            family_words(parts.family),
        )
    return given, middle, family


def record_keys(record: Mapping[str, Any]) -> set[Key]:
    """Every key of one record: its canonical columns (as stored: names folded, ``dob`` ISO
    and possibly partial, ``phone`` E.164) and ``identifiers``, a list of (type, value)."""
    keys: set[Key] = {MARK}
    given, _middle, family = name_parts(record)
    for f in family or [""]:
        for g in given or [""]:
            if f or g:
                keys.add(("n", f, g))
                fk, gk = sound_key(f) if f else None, sound_key(g) if g else None
                if fk or gk:
                    keys.add(("s", fk or "", gk or ""))
    keys.update(("g", g, "") for g in given)
    dob = record.get("dob")
    if dob:
        year, _, rest = str(dob).partition("-")
        keys.add(("d", year, rest))
    for kind, value in record.get("identifiers") or ():
        if value:
            found = identifier_key(str(value))
            if found:
                keys.add(("i", found, kind))
    for kind, column in (("p", "phone"), ("e", "email"), ("a", "address_line"), ("z", "postcode")):
        value = record.get(column)
        if value:
            keys.add((kind, _address_form(str(value)) if kind in "az" else str(value), ""))
    return keys


def vocabulary(keys: Iterable[Key]) -> set[str]:
    """The name words among ``keys`` long enough to be matched with spelling slips."""
    found: set[str] = set()
    for kind, a, b in keys:
        if kind == "n":
            found.update(w for w in (a, b) if len(w) >= MIN_FUZZY)
    return found


def deletions(word: str) -> set[str]:
    """``word`` and every form of it with one letter left out: two words within two edits
    of each other (a slip, a dropped or doubled letter, two letters swapped) share one."""
    return {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}


def _address_form(value: str) -> str:
    return " ".join(value.upper().split())
