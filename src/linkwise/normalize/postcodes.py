"""Postcodes in one comparable form per country.

* US: the five-digit ZIP. ZIP+4 is dropped to the five digits: sources disagree on whether
  they carry it, and the +4 (a delivery segment) adds little to identity. Three- and
  four-digit values are zero-padded, because spreadsheets drop the leading zero of New
  England ZIPs ("2134" is 02134). "00000" is not a ZIP.
* GB: outward and inward code with one space ("SW1A 1AA"); CA: "K1A 0B1".
* Elsewhere: upper-case letters and digits with separators removed ("1234 AB" and
  "1234AB" compare equal).

Values that do not fit a known country's shape give ``None``; the original stays on the
record.
"""

from __future__ import annotations

import re

from linkwise.normalize._cache import memoize
from linkwise.normalize.text import fold

GB_POSTCODE = re.compile(r"([A-Z]{1,2}\d[A-Z\d]?) ?(\d[A-Z]{2})")
CA_POSTCODE = re.compile(r"([ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z]) ?(\d[ABCEGHJ-NPRSTV-Z]\d)")
US_ZIP = re.compile(r"(\d{5})(?:[ -]?\d{4})?")


def _us(text: str) -> str | None:
    digits = text.replace(" ", "").replace("-", "")
    if not digits.isdigit():
        return None
    if len(digits) in (3, 4):
        digits = digits.zfill(5)
    elif len(digits) == 9:
        digits = digits[:5]
    if len(digits) != 5 or digits == "00000":
        return None
    return digits


def _pattern(text: str, pattern: re.Pattern[str]) -> str | None:
    match = pattern.fullmatch(text) or pattern.fullmatch(text.replace(" ", ""))
    return f"{match[1]} {match[2]}" if match else None


@memoize(maxsize=2**14)
def normalize_postcode(raw: str, country: str | None) -> str | None:
    """The comparable postcode for ``country`` (ISO alpha-2); see the module docstring."""
    text = fold(raw).upper()
    if not text:
        return None
    if country == "US":
        return _us(text)
    if country == "GB":
        return _pattern(text, GB_POSTCODE)
    if country == "CA":
        return _pattern(text, CA_POSTCODE)
    return text.replace(" ", "")
