"""The fast path for US street lines: a token scanner for the overwhelmingly common shape.

"NUMBER [DIR] NAME SUFFIX [DIR] [UNIT ID] [, CITY, ST ZIP]" covers most lines in person
records. The scanner tags it in a few microseconds where usaddress's model takes about a
hundred, and gives up (returns None) on anything it is not sure the model would tag the
same way. ``tests/normalize/test_us_address.py`` checks the agreement on generated lines.

Only the house number's shape is checked (``HOUSE_NUMBER``); everything else is read from
the words after it (``tags_after_number``), so a caller can cache that part across the many
lines that differ only in their house number, and ``split_unit`` takes a closing unit
("Apt 4", "#4") off those words so that the street is cached apart from its units.
"""

from __future__ import annotations

import re

from linkwise.normalize._usps import DIRECTIONALS, STREET_SUFFIXES, UNIT_TYPES
from linkwise.normalize.regions import US_STATE_CODES

# The fast path's vocabulary: only words the usaddress model tags consistently in this
# shape, chosen by comparing both paths on a few hundred thousand generated lines. Rarer
# suffixes (COVE, SQUARE, HIGHWAY, ...), "Apartment", lower-case words and three-word names
# confuse the model now and then, so they take the slow path, where the model's answer is
# the one used.
_FAST_SUFFIXES = frozenset(
    {
        "ST", "STREET", "AVE", "AVENUE", "RD", "ROAD", "DR", "DRIVE", "LN", "LANE", "BLVD",
        "CT", "COURT", "PL", "WAY", "CIR", "CIRCLE", "TER", "TERRACE", "PKWY", "PARKWAY",
        "TRL", "XING", "PLZ", "EXPY", "FWY", "PT", "ALY",
    }
)  # fmt: skip
# A street named with one suffix word ("Lake St", "Hill Rd", "Park Ave") is fast only with
# these suffixes and no directional after the suffix.
_COMMON_SUFFIXES = frozenset(
    {"ST", "STREET", "AVE", "AVENUE", "RD", "ROAD", "DR", "DRIVE", "LN", "LANE", "CT", "COURT"}
)
# Suffix words the model reads as a type before the name ("Highway 101", "Route 66").
_PRE_TYPES = frozenset(
    {
        "HIGHWAY", "HWY", "HIWAY", "BOULEVARD", "ROUTE", "RTE", "EXTENSION", "EXT", "FREEWAY",
        "PLACE", "PLAZA", "EXPRESSWAY", "TURNPIKE", "TPKE", "CAUSEWAY", "MOTORWAY",
        "THROUGHWAY", "SKYWAY", "TRAFFICWAY", "BYPASS", "STRAVENUE", "TRACK", "BEACH",
        "STATION", "FERRY", "LANDING", "ARCADE", "CORNERS", "COURTS", "CIRCLES",
    }
)  # fmt: skip
_FAST_UNITS = frozenset({"APT", "STE", "SUITE", "UNIT"})
_FAST_DIRECTIONALS = frozenset(
    {"N", "S", "E", "W", "NE", "NW", "SE", "SW", "NORTH", "SOUTH", "EAST", "WEST",
     "NORTHEAST", "NORTHWEST", "SOUTHEAST", "SOUTHWEST"}
)  # fmt: skip
HOUSE_NUMBER = re.compile(r"[1-9]\d{0,5}")
_WORD = re.compile(r"[A-Z][A-Za-z]+")
_ORDINAL = re.compile(r"[1-9]\d{0,2}(?:st|nd|rd|th|ST|ND|RD|TH)")
_UNIT_ID = re.compile(r"[A-Z0-9]{1,5}")
_ZIP = re.compile(r"\d{5}(?:-\d{4})?")
_RESERVED = frozenset(STREET_SUFFIXES) | frozenset(DIRECTIONALS) | frozenset(UNIT_TYPES)
_NOT_NAMES = _FAST_SUFFIXES | _PRE_TYPES | frozenset(DIRECTIONALS) | frozenset(UNIT_TYPES)


def _is(token: str, vocabulary: frozenset[str]) -> bool:
    """``token`` is in ``vocabulary``, upper-case or capitalised, with an optional dot.

    Capitalised two-letter directionals ("Ne", "Se") are refused: they read as words.
    """
    bare = token.removesuffix(".")
    upper = bare.upper()
    if upper not in vocabulary:
        return False
    if bare == upper:
        return True
    capitalised = bare[0].isupper() and bare[1:].islower()
    return capitalised and not (vocabulary is _FAST_DIRECTIONALS and len(bare) == 2)


def _name_words(tokens: list[str], start: int) -> int:
    """How many street-name tokens start at ``start`` (0 when the shape does not fit)."""
    if start < len(tokens) and _ORDINAL.fullmatch(tokens[start]):
        return 1
    count = 0
    while (
        start + count < len(tokens)
        and _WORD.fullmatch(tokens[start + count])
        and tokens[start + count].upper() not in _NOT_NAMES
    ):
        count += 1
    return count if count <= 2 else 0


def _place_tail(tokens: list[str]) -> tuple[int, dict[str, str]] | None:
    """Where a trailing ", City, ST 12345" starts, with its tags; None if there is none.

    ``tokens[0]`` is the house number, which is not read: it is neither a comma nor a word.
    """
    n = len(tokens)
    if n < 5 or tokens[-3] != "," or not _ZIP.fullmatch(tokens[-1]):
        return None
    if tokens[-2] not in US_STATE_CODES:
        return None
    comma = n - 4
    while comma >= 1 and tokens[comma] != ",":
        if not _WORD.fullmatch(tokens[comma]) or tokens[comma].upper() in _RESERVED:
            return None
        comma -= 1
    city = tokens[comma + 1 : n - 3]
    if comma < 1 or not 1 <= len(city) <= 2:
        return None
    return comma, {"PlaceName": " ".join(city), "StateName": tokens[-2], "ZipCode": tokens[-1]}


def _street(tokens: list[str], tags: dict[str, str], has_tail: bool) -> int | None:
    """Tag "[DIR] NAME SUFFIX [DIR]" from tokens[1]; the index after it, or None."""
    i = 1
    if i < len(tokens) and _is(tokens[i], _FAST_DIRECTIONALS):
        tags["StreetNamePreDirectional"] = tokens[i]
        i += 1
    words = _name_words(tokens, i)
    if not words or i + words >= len(tokens) or not _is(tokens[i + words], _FAST_SUFFIXES):
        return None
    suffix = tokens[i + words].upper().removesuffix(".")
    named_by_suffix_word = any(t.upper() in _RESERVED for t in tokens[i : i + words])
    if named_by_suffix_word and (words > 1 or suffix not in _COMMON_SUFFIXES):
        return None
    if i > 1 and _ORDINAL.fullmatch(tokens[i]) and suffix == "ROAD":
        return None  # the model reads "E 1st Road" as a street type
    tags["StreetName"] = " ".join(tokens[i : i + words])
    tags["StreetNamePostType"] = tokens[i + words]
    i += words + 1
    if i < len(tokens) and _is(tokens[i], _FAST_DIRECTIONALS):
        dotted_suffix = tokens[i - 1].endswith(".")
        spelled_out_before_tail = has_tail and len(tokens[i]) > 2
        if dotted_suffix or named_by_suffix_word or spelled_out_before_tail:
            return None  # "Ln. East #87", "Hill Rd North", "Rd North, Salem": model's call
        tags["StreetNamePostDirectional"] = tokens[i]
        i += 1
    return i


def split_number(text: str) -> tuple[str, tuple[str, ...]] | None:
    """(house number, the tokens after it) for a line that opens with one; None otherwise."""
    tokens = text.replace(",", " , ").split()
    if len(tokens) < 3 or not HOUSE_NUMBER.fullmatch(tokens[0]):
        return None
    return tokens[0], tuple(tokens[1:])


def fast_tags(text: str) -> dict[str, str] | None:
    """usaddress-style tags for the common shape, or None when the line is not that shape."""
    split = split_number(text)
    if split is None:
        return None
    tags = tags_after_number(split[1])
    return None if tags is None else {"AddressNumber": split[0], **tags}


def tags_after_number(after: tuple[str, ...]) -> dict[str, str] | None:
    """The tags of the words after the house number, or None when they are not the shape.

    ``after`` is what ``split_number`` returns after the number, or part of it (``split_unit``).
    """
    tokens = ["", *after]  # the number's place: never read (see ``_place_tail``)
    tags: dict[str, str] = {}
    tail = _place_tail(tokens)
    if tail is not None:
        tokens = tokens[: tail[0]]
        tags.update(tail[1])
    i = _street(tokens, tags, tail is not None)
    if i is None:
        return None
    if i < len(tokens) - 1 and tokens[i] == ",":
        i += 1
    rest = tokens[i:]
    if not rest:
        return tags
    if len(rest) == 2 and _is(rest[0], _FAST_UNITS) and _UNIT_ID.fullmatch(rest[1]):
        tags["OccupancyType"] = rest[0]
        tags["OccupancyIdentifier"] = rest[1]
        return tags
    bare_number = len(rest) == 1 and rest[0][:1] == "#" and _UNIT_ID.fullmatch(rest[0][1:])
    if bare_number and tail is None:  # "#87, City, ST" confuses the model
        tags["OccupancyIdentifier"] = rest[0]
        return tags
    return None


def split_unit(after: tuple[str, ...]) -> tuple[tuple[str, ...], str | None, str] | None:
    """``after`` less a closing unit ("Apt 4", "#4"), and the unit's type and identifier.

    None without such a unit, and for words with a comma (a city, state and ZIP after them).
    Otherwise, when the street part does not itself end in such a unit,
    ``tags_after_number(after)`` is ``tags_after_number(street)`` plus the unit's
    ``OccupancyType`` (when not None) and ``OccupancyIdentifier`` (or None when the street's
    tags are None): the scanner stops reading a street at a unit word or a "#", which are no
    street name, suffix or directional, and takes exactly these closing units after a street.
    """
    if not after or "," in after:
        return None
    ident = after[-1]
    if len(after) >= 2 and _is(after[-2], _FAST_UNITS) and _UNIT_ID.fullmatch(ident):
        return after[:-2], after[-2], ident
    if ident[:1] == "#" and _UNIT_ID.fullmatch(ident[1:]):
        return after[:-1], None, ident
    return None
