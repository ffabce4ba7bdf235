"""US street lines in USPS style: usaddress tagging, USPS abbreviations, PO boxes.

usaddress (a CRF tagger) costs about 100 µs a call. Lines in the common shape are tagged by
the token scanner in ``_us_fast`` instead, and both feed the same standardiser
(``line_from_tags``), so the two paths can only differ where the tagging differs; a property
test checks that they agree on generated lines. PO boxes ("PO Box 123", "P.O. BOX 45") have
their own pattern: usaddress-scourgify raises on them, and they are too common to send
through the tagger. A tag set the model got visibly wrong (a unit word as the city, a
state that is not a state) is not trusted: the line comes back tidied with
``parsed=False``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import usaddress

from linkwise.normalize._us_fast import fast_tags
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


def slow_parse(text: str) -> UsParse | None:
    """Tag with usaddress; None when it cannot tell a street address or PO box."""
    try:
        tags, kind = usaddress.tag(text)
    except usaddress.RepeatedLabelError:
        return None
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


def po_box(text: str) -> UsParse | None:
    """ "PO Box 123", "P.O. BOX 45", "Post Office Box 7" alone on the line."""
    match = _PO_BOX.fullmatch(text.upper().strip(" ,."))
    if match is None or not any(c.isdigit() for c in match[1]):
        return None
    return UsParse(line=f"PO BOX {match[1]}", parsed=True)


def parse_us(text: str, *, fast: bool = True) -> UsParse:
    """Standardise a US line; unparseable text comes back tidied with ``parsed=False``.

    ``fast=False`` skips the token scanner and the PO box pattern (for the property tests
    that compare both paths).
    """
    if fast:
        tags = fast_tags(text)
        if tags is not None:
            return _from_tags(tags, parsed=True)
        box = po_box(text)
        if box is not None:
            return box
    return slow_parse(text) or UsParse(line=tidy(text) or None)
