"""US street lines in USPS style: usaddress tagging, USPS abbreviations, PO boxes.

usaddress (a CRF tagger) costs about 100 µs a call. Lines in the common shape are tagged by
the token scanner in ``_us_fast`` instead, and both feed the same standardiser
(``line_from_tags``), so the two paths can only differ where the tagging differs; a property
test checks that they agree on generated lines. On the scanner's path the street and the
unit are standardised once each and cached ("N MAIN ST" and "APT 4" recur on many lines with
different house numbers); the line is the number, the street and the unit. PO boxes ("PO
Box 123", "P.O. BOX 45") have their own pattern: usaddress-scourgify raises on them, and
they are too common to send through the tagger. A tag set the model got visibly wrong (a
unit word as the city, a state that is not a state) is not trusted: the line comes back
tidied with ``parsed=False``.

The tagger's answer is cached too, by the words after the house number and the two things
its model reads of an all-digit word: its length and its trailing zeros (``slow_parse``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

import usaddress

from linkwise.normalize._cache import memoize
from linkwise.normalize._us_fast import HOUSE_NUMBER, split_number, split_unit, tags_after_number
from linkwise.normalize._us_fast import fast_tags as fast_tags
from linkwise.normalize._usps import DIRECTIONALS, STREET_SUFFIXES, UNIT_TYPES, UNITS_WITHOUT_ID
from linkwise.normalize.postcodes import normalize_postcode
from linkwise.normalize.regions import normalize_region
from linkwise.normalize.text import fold, to_ascii


@dataclass(frozen=True, slots=True)
class UsParse:
    """What a US line yielded: the standardised line and any place parts it carried."""

    line: str | None
    city: str | None = None
    region: str | None = None
    postcode: str | None = None
    parsed: bool = False


_LINE_LABELS = (
    "AddressNumberPrefix",
    "AddressNumber",
    "AddressNumberSuffix",
    "StreetNamePreModifier",
    "StreetNamePreDirectional",
    "StreetNamePreType",
    "StreetName",
    "StreetNamePostType",
    "StreetNamePostDirectional",
    "StreetNamePostModifier",
)
_NO_TABLE: dict[str, str] = {}
_LINE_TABLES: tuple[tuple[str, Mapping[str, str]], ...] = tuple(
    (
        label,
        DIRECTIONALS
        if label.endswith("Directional")
        else STREET_SUFFIXES
        if label.endswith("Type")
        else _NO_TABLE,
    )
    for label in _LINE_LABELS
)
_UNIT_LABELS = (
    ("SubaddressType", "SubaddressIdentifier"),
    ("OccupancyType", "OccupancyIdentifier"),
)
_BOX_GROUPS = {"RURAL ROUTE": "RR", "RR": "RR", "RFD": "RR", "RURAL FREE DELIVERY": "RR",
               "HIGHWAY CONTRACT": "HC", "HC": "HC", "STAR ROUTE": "HC"}  # fmt: skip
_ACCEPTED = frozenset(
    (*_LINE_LABELS, *(label for pair in _UNIT_LABELS for label in pair), "BuildingName",
     "USPSBoxType", "USPSBoxID", "USPSBoxGroupType", "USPSBoxGroupID", "PlaceName",
     "StateName", "ZipCode", "ZipPlus4", "CountryName")
)  # fmt: skip
_PUNCT = re.compile(r"[^A-Z0-9#&/' -]")
_NUMBER_FIRST = re.compile(r"([1-9][0-9]{0,5}) (.+)")
_PO_BOX = re.compile(
    r"(?:P\.?\s*O\.?\s*|POST\s+OFFICE\s+|POB\s+)?BOX\s*(?:NO\.?|#)?\s*([A-Z0-9-]+)"
)


def tidy(value: str) -> str:
    """ASCII upper-case, USPS punctuation (none but '#', '-', '&' and '/'), single spaces."""
    if value.isalnum() and value.isascii():
        return value.upper()
    return " ".join(_PUNCT.sub(" ", to_ascii(value).upper()).replace("'", "").split())


def _word(value: str, table: Mapping[str, str]) -> str:
    text = tidy(value)
    return table.get(text, text)


@memoize(maxsize=2**12)
def _unit(kind: str | None, ident: str | None) -> str | None:
    ident_text = tidy(ident) if ident else ""
    if ident_text.startswith("#"):
        ident_text = ident_text[1:].strip()
        kind = kind or "#"
    if kind:
        return " ".join(filter(None, (_word(kind, UNIT_TYPES), ident_text))) or None
    if not ident_text:
        return None
    alone = UNIT_TYPES.get(ident_text)
    return alone if alone in UNITS_WITHOUT_ID else f"# {ident_text}"


def line_from_tags(tags: Mapping[str, str]) -> str | None:
    """The USPS-style street line for usaddress-style tags."""
    if "USPSBoxID" in tags:
        group = tags.get("USPSBoxGroupType")
        box = f"BOX {tidy(tags['USPSBoxID'])}"
        if group:
            group_name = _BOX_GROUPS.get(tidy(group), tidy(group))
            group_id = tidy(tags.get("USPSBoxGroupID", ""))
            return " ".join(filter(None, (group_name, group_id, box)))
        return f"PO {box}"
    words: list[str] = []
    for label, table in _LINE_TABLES:
        value = tags.get(label)
        if value:
            words.append(_word(value, table) if table else tidy(value))
    if tags.get("BuildingName"):
        words.append(tidy(tags["BuildingName"]))
    for kind_label, ident_label in _UNIT_LABELS:
        unit = _unit(tags.get(kind_label), tags.get(ident_label))
        if unit:
            words.append(unit)
    return " ".join(w for w in words if w) or None


def _from_tags(tags: Mapping[str, str], parsed: bool) -> UsParse:
    zip_code = tags.get("ZipCode")
    return UsParse(
        line=line_from_tags(tags),
        city=fold(tags.get("PlaceName", "")).upper() or None,
        region=normalize_region(tags["StateName"], "US") if tags.get("StateName") else None,
        postcode=normalize_postcode(zip_code, "US") if zip_code else None,
        parsed=parsed,
    )


def _usaddress_tag(text: str) -> tuple[dict[str, str], str] | None:
    """``usaddress.tag(text)``, or None when it finds a label twice."""
    try:
        tags, kind = usaddress.tag(text)
    except usaddress.RepeatedLabelError:
        return None
    return tags, kind


def _checked(tags: dict[str, str], kind: str) -> UsParse | None:
    """The parse of usaddress's tags, or None when they are not a street address or PO box."""
    if kind not in ("Street Address", "PO Box") or not set(tags) <= _ACCEPTED:
        return None
    if not (tags.get("StreetName") or tags.get("USPSBoxID")):
        return None
    state = tags.get("StateName")
    if state and normalize_region(state, "US") is None:
        return None  # e.g. "... Rd Apartment D" tagged as city "Apartment", state "D"
    if tidy(tags.get("PlaceName", "")) in UNIT_TYPES:
        return None
    return _from_tags(tags, parsed=True)


@memoize(maxsize=2**14)
def _shape(
    length: int, zeros: int, rest: str
) -> tuple[dict[str, str], str, bool, UsParse | None] | None:
    """usaddress's reading of a line of a house number and ``rest``, by the number's shape.

    The number (``length`` digits, ``zeros`` of them trailing zeros) is 1...10...0. Returns
    the tags, the kind, whether the number is the address number alone (then the line's
    first word is the number, and nothing else depends on it), and in that case the parse.
    """
    number = f"{'1' * (length - zeros)}{'0' * zeros}"
    found = _usaddress_tag(f"{number} {rest}")
    if found is None:
        return None
    tags, kind = found
    alone = (
        next(iter(tags)) == "AddressNumber"
        and tags["AddressNumber"] == number
        and "AddressNumberPrefix" not in tags
        and "USPSBoxID" not in tags
    )
    return tags, kind, alone, _checked(tags, kind) if alone else None


def slow_parse(text: str) -> UsParse | None:
    """Tag with usaddress; None when it cannot tell a street address or PO box.

    The tagging is cached across lines that differ only in the house number. The model
    sees a word through its features, and those of an all-digit word without punctuation
    are only its length and trailing zeros (``usaddress.tokenFeatures``): it labels "5549
    River Pl" as it labels "1111 River Pl". A line opening with such a number and a space
    is tagged with the number replaced by one of the same features (``_shape``), and the
    number is put back at the start of the first tag, which is the label of the first
    word (or of the parse's line, when the number is the address number alone). Property
    tests check this against usaddress.
    """
    match = _NUMBER_FIRST.fullmatch(text)
    if match is None:
        found = _usaddress_tag(text)
        return None if found is None else _checked(*found)
    number, rest = match[1], match[2]
    shape = _shape(len(number), len(number) - len(number.rstrip("0")), rest)
    if shape is None:
        return None
    tags, kind, alone, parse = shape
    if alone:
        if parse is None or parse.line is None:
            return parse
        return replace(parse, line=number + parse.line[len(number) :])
    first = next(iter(tags))
    return _checked({**tags, first: number + tags[first][len(number) :]}, kind)


def po_box(text: str) -> UsParse | None:
    """ "PO Box 123", "P.O. BOX 45", "Post Office Box 7" alone on the line."""
    match = _PO_BOX.fullmatch(text.upper().strip(" ,."))
    if match is None or not any(c.isdigit() for c in match[1]):
        return None
    return UsParse(line=f"PO BOX {match[1]}", parsed=True)


@memoize(maxsize=2**13)
def _street_parse(words: tuple[str, ...]) -> UsParse | None:
    """The scanner's parse of words after a house number; its ``line`` lacks the number."""
    tags = tags_after_number(words)
    return None if tags is None else _from_tags(tags, parsed=True)


@memoize(maxsize=2**15)
def _after_number(rest: str) -> tuple[str | None, str | None, str | None, str | None] | None:
    """The scanner's line, city, region and postcode of the text after a house number.

    None where the scanner gives up; the line lacks the number. A closing unit is
    standardised apart from the street (see ``split_unit``), so that lines differing only
    in their unit share the street. (A tuple of strings, which the garbage collector need
    not track, rather than a ``UsParse``.)
    """
    after = tuple(rest.replace(",", " , ").split())
    if len(after) < 2:
        return None
    cut = split_unit(after)
    if cut is not None and split_unit(cut[0]) is None:
        found, unit = _street_parse(cut[0]), _unit(cut[1], cut[2])
    else:
        found, unit = _street_parse(after), None
    if found is None:
        return None
    line = " ".join(w for w in (found.line, unit) if w) or None
    return line, found.city, found.region, found.postcode


def fast_fields(text: str) -> tuple[str, str | None, str | None, str | None] | None:
    """The token scanner's (line, city, region, postcode), or None where it gives up.

    As ``_from_tags(fast_tags(text), parsed=True)``: ``line_from_tags`` writes the house
    number first, then the street and then the unit, so the line is the tidied number and
    the cached line of the rest. A tuple, so that ``normalize_address`` builds no
    ``UsParse`` on its commonest path.
    """
    number, _, rest = text.partition(" ")
    if not HOUSE_NUMBER.fullmatch(number):
        split = split_number(text)  # a number before a comma ("12, Main St") or a tab
        if split is None:
            return None
        number, rest = split[0], " ".join(split[1])
    found = _after_number(rest)
    if found is None:
        return None
    rest_line, city, region, postcode = found
    line = tidy(number)
    if rest_line:
        line = f"{line} {rest_line}"
    return line, city, region, postcode


def parse_us(text: str, *, fast: bool = True) -> UsParse:
    """Standardise a US line; unparseable text comes back tidied with ``parsed=False``.

    ``fast=False`` skips the token scanner and the PO box pattern (for the property tests
    that compare both paths).
    """
    if fast:
        found = fast_fields(text)
        if found is not None:
            return UsParse(*found, parsed=True)
    return parse_unscanned(text, fast=fast)


def parse_unscanned(text: str, *, fast: bool = True) -> UsParse:
    """``parse_us`` of a line the token scanner gave up on (``fast_fields`` is None)."""
    if fast:
        box = po_box(text)
        if box is not None:
            return box
    return slow_parse(text) or UsParse(line=tidy(text) or None)
