"""Identifier numbers (SSN, passport, A-number, ...) in one comparable form each.

An identifier that agrees is the strongest evidence two records are one person, and one
that is malformed is the commonest source of false merges (a sample SSN shared by
thousands of records). So each value gets a normal form for exact comparison and a
validity flag with the reason, and a placeholder ("N/A", "000000000") gets no value.

* ``ssn``: nine digits without separators. Invalid (with the reason) when the area is 000,
  666 or 900-999 (never issued; 9xx is the ITIN range), the group is 00, the serial is
  0000, or it is a number publicised as a sample (078-05-1120 on Woolworth wallet inserts,
  219-09-9999 in a Social Security Board leaflet). A wrong digit count is reported, and
  nothing is padded: an 8-digit value may have lost a leading zero in a spreadsheet, but
  guessing where would invent a number.
* ``a_number``: "A" and nine digits; eight-digit A-numbers are zero-padded, as USCIS
  writes them today.
* everything else: upper-case letters and digits, separators removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from linkwise.normalize._cache import memoize
from linkwise.normalize.text import to_ascii

IDENTIFIER_TYPES: tuple[str, ...] = (
    "ssn",
    "passport",
    "drivers_licence",
    "national_id",
    "a_number",
    "case_number",
    "booking_number",
    "tax_id",
    "other",
)


@dataclass(frozen=True, slots=True)
class Identifier:
    """An identifier's normal form; ``issue`` says why it is not ``valid``."""

    type: str
    value: str | None
    valid: bool
    issue: str | None


_PLACEHOLDERS = frozenset(
    {"NA", "NONE", "NULL", "UNKNOWN", "UNK", "NIL", "N", "X", "NOTAPPLICABLE", "REFUSED"}
)
_SSN_SAMPLES = {
    "078051120": "SSN 078-05-1120 is a known publicised sample number",
    "219099999": "SSN 219-09-9999 is a known publicised sample number",
}


_NOT_ALNUM = re.compile(r"[^A-Z0-9]")


def _alnum(raw: str) -> str:
    """The ASCII letters and digits of ``raw``, transliterated and upper-cased."""
    # The upper-cased transliteration is ASCII, whose letters and digits are [A-Z0-9].
    return _NOT_ALNUM.sub("", to_ascii(raw).upper())


def _ssn_issue(digits: str) -> str | None:
    if len(digits) != 9:
        return f"expected 9 digits, got {len(digits)}"
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    if area == "000":
        return "SSN area 000 is never issued"
    if area == "666":
        return "SSN area 666 is never issued"
    if area[0] == "9":
        return "SSN area 900-999 is not issued (ITIN range)"
    if group == "00":
        return "SSN group 00 is never issued"
    if serial == "0000":
        return "SSN serial 0000 is never issued"
    return _SSN_SAMPLES.get(digits)


def _ssn(raw: str, text: str) -> Identifier:
    # ``text`` is non-empty [A-Z0-9] (``_alnum``): without letters it is all digits.
    if not text.isdigit():
        return Identifier("ssn", None, False, f"{raw!r} contains letters, so it is not an SSN")
    digits = text
    if not digits.strip("0"):
        return Identifier("ssn", None, False, f"{raw!r} is a placeholder (all zeros)")
    issue = _ssn_issue(digits)
    return Identifier("ssn", digits, issue is None, issue)


def _a_number(raw: str, text: str) -> Identifier:
    body = text[1:] if text.startswith("A") else text
    if not body.isdigit():
        issue = f"{raw!r} is not an A-number: expected A followed by 8 or 9 digits"
        return Identifier("a_number", text, False, issue)
    if len(body) not in (8, 9):
        issue = f"expected 8 or 9 digits after the A, got {len(body)}"
        return Identifier("a_number", f"A{body}", False, issue)
    return Identifier("a_number", f"A{body.zfill(9)}", True, None)


@memoize(maxsize=2**15)
def usable_for_matching(kind: str, value: str | None) -> bool:
    """Whether a normalised value may be compared between records, valid or not.

    An SSN with a wrong digit count or a never-issued area is still what the source wrote
    for this person, and agreeing on it is evidence; a publicised sample number is not
    (thousands of unrelated records carry it). Placeholders have no value at all.
    """
    if value is None:
        return False
    return not (kind == "ssn" and value in _SSN_SAMPLES)


def normalize_identifier(kind: str, raw: str) -> Identifier:
    """The normal form of ``raw`` as an identifier of ``kind`` (one of ``IDENTIFIER_TYPES``).

    Never raises on a bad value (the ``Identifier`` says what is wrong); an unknown
    ``kind`` is a programming or mapping error and raises ``ValueError``.
    """
    if kind not in IDENTIFIER_TYPES:
        raise ValueError(
            f"unknown identifier type {kind!r}; known types: {', '.join(IDENTIFIER_TYPES)}"
        )
    text = _alnum(raw)
    if not text:
        return Identifier(kind, None, False, "the identifier is empty")
    if text in _PLACEHOLDERS:
        return Identifier(kind, None, False, f"{raw.strip()!r} is a placeholder, not an identifier")
    if kind == "ssn":
        return _ssn(raw, text)
    if kind == "a_number":
        return _a_number(raw, text)
    if set(text) == {"0"}:
        return Identifier(kind, None, False, f"{raw!r} is a placeholder (all zeros)")
    return Identifier(kind, text, True, None)
