"""Postal addresses in a comparable form, country first.

The country is settled before any parsing, because the US parser mangles other countries'
addresses (usaddress-scourgify turns "10 Downing Street, London SW1A 2AA" into
"10 DOWNING ST UNIT SW1A 2AA"). In order: the ``country`` argument; else a shape that only
one country has (a British or Canadian postcode, or a US state with a ZIP, in the
arguments or at the end of the line); else ``default_country`` (the source's country).

US lines are standardised USPS style (``us_address``); a one-line US address
("123 Main Street, Springfield, IL 62701") also fills city, region and postcode where those
arguments are ``None``. Other countries' lines are folded to upper-case ASCII words; a
trailing British or Canadian postcode, a trailing Canadian province and a last
comma-separated part without digits (the town) are moved out of the line when the matching
argument is ``None``. With no country at all the line is only tidied.

Nothing here raises on bad input: garbage comes back tidied with ``parsed=False``, and
empty input gives an ``Address`` of ``None`` values.

Street lines are mostly unique but the city, region and postcode beside them are not, so
everything read from those three alone is cached together (``_parts``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from linkwise.normalize._cache import memoize
from linkwise.normalize.countries import normalize_country
from linkwise.normalize.postcodes import CA_POSTCODE, GB_POSTCODE, normalize_postcode
from linkwise.normalize.regions import CA_PROVINCES, US_STATES, normalize_region
from linkwise.normalize.text import fold
from linkwise.normalize.us_address import UsParse, fast_fields, parse_unscanned


@dataclass(frozen=True, slots=True)
class Address:
    """An address's comparable parts; ``parsed`` when a structured parse succeeded."""

    line: str | None
    city: str | None
    region: str | None
    postcode: str | None
    country: str | None
    parsed: bool


_TAIL_GB = re.compile(r"(.*?)[\s,]*\b([A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2})\W*$", re.IGNORECASE)
_TAIL_CA = re.compile(
    r"(.*?)[\s,]*\b([ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d)\W*$",
    re.IGNORECASE,
)
_TAIL_US = re.compile(r",?\s*([A-Za-z. ]+?)\.?\s+(\d{5})(?:-\d{4})?\W*$")


def _blank(value: str | None) -> str | None:
    if value is None:
        return None
    text = " ".join(value.split())
    return text or None


def _parts_country(region: str | None, postcode: str | None) -> str | None:
    """A country only one country's postcode (with the region) could mean, or None."""
    if postcode:
        code = postcode.upper().strip()
        if GB_POSTCODE.fullmatch(code):
            return "GB"
        if CA_POSTCODE.fullmatch(code):
            return "CA"
        if region and fold(region) in US_STATES and normalize_postcode(code, "US"):
            return "US"
    return None


def _line_country(line: str | None) -> str | None:
    """A country only one country's line ending could mean, or None."""
    if line:
        us_tail = _TAIL_US.search(line)
        if us_tail and _us_state_at_end(us_tail[1]):
            return "US"
        if _TAIL_GB.fullmatch(line):
            return "GB"
        if _TAIL_CA.fullmatch(line):
            return "CA"
    return None


def _us_state_at_end(text: str) -> bool:
    words = fold(text).split()
    return any(" ".join(words[-n:]) in US_STATES for n in (1, 2, 3) if len(words) >= n)


def _foreign(
    line: str | None,
    city: str | None,
    region: str | None,
    postcode: str | None,
    country: str | None,
) -> Address:
    """Tidy a non-US address, moving a trailing postcode, province and town out of the line."""
    if line and country in ("GB", "CA"):
        match = (_TAIL_GB if country == "GB" else _TAIL_CA).fullmatch(line)
        if match:
            line, postcode = match[1], postcode or match[2]
    if line and country is not None:
        parts = [p.strip() for p in line.split(",") if p.strip()]
        if country == "CA" and len(parts) > 1 and region is None:
            last_words = parts[-1].rsplit(None, 1)
            if fold(last_words[-1]) in CA_PROVINCES:
                region = last_words[-1]
                parts[-1] = last_words[0] if len(last_words) > 1 else ""
                parts = [p for p in parts if p]
        if len(parts) > 1 and city is None and not any(c.isdigit() for c in parts[-1]):
            city = parts.pop()
        line = ", ".join(parts)
    return Address(
        line=fold(line).upper() or None if line else None,
        city=fold(city).upper() or None if city else None,
        region=normalize_region(region, country) if region else None,
        postcode=normalize_postcode(postcode, country) if postcode else None,
        country=country,
        parsed=False,
    )


@dataclass(frozen=True, slots=True)
class _Parts:
    """What the city, region and postcode arguments give, whatever the line says.

    ``city``, ``region`` and ``postcode`` are the arguments tidied (``_blank``); ``country``
    is the country their shape means, if any; ``us_*`` are their US normal forms (None
    where the argument is None).
    """

    city: str | None
    region: str | None
    postcode: str | None
    country: str | None
    us_city: str | None
    us_region: str | None
    us_postcode: str | None


@memoize(maxsize=2**14)
def _parts(city: str | None, region: str | None, postcode: str | None) -> _Parts:
    city, region, postcode = _blank(city), _blank(region), _blank(postcode)
    return _Parts(
        city,
        region,
        postcode,
        _parts_country(region, postcode),
        (fold(city).upper() or None) if city else None,
        normalize_region(region, "US") if region else None,
        normalize_postcode(postcode, "US") if postcode else None,
    )


def _us(line: str | None, parts: _Parts) -> Address:
    fields: tuple[str | None, str | None, str | None, str | None] | None
    fields = fast_fields(line) if line else None
    parsed = fields is not None
    if fields is None:
        found = parse_unscanned(line) if line else UsParse(line=None)
        fields = found.line, found.city, found.region, found.postcode
        parsed = found.parsed
    found_line, city, region, postcode = fields
    return Address(
        line=found_line,
        city=parts.us_city if parts.city else city,
        region=parts.us_region if parts.region else region,
        postcode=parts.us_postcode if parts.postcode else postcode,
        country="US",
        parsed=parsed,
    )


@memoize(maxsize=2**15)
def normalize_address(
    line: str | None,
    city: str | None = None,
    region: str | None = None,
    postcode: str | None = None,
    country: str | None = None,
    *,
    default_country: str | None = None,
) -> Address:
    """The comparable form of an address given as a line and optional separate parts.

    ``country`` and ``default_country`` take ISO codes or common names ("USA", "UK"). See
    the module docstring for how the country is decided and what each country gets.
    """
    line = _blank(line)
    parts = _parts(city, region, postcode)
    code = normalize_country(country) if country else None
    if code is None:
        code = parts.country or _line_country(line)
    if code is None and default_country:
        code = normalize_country(default_country)
    if code == "US":
        return _us(line, parts)
    return _foreign(line, parts.city, parts.region, parts.postcode, code)
