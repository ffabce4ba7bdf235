"""Phone numbers in E.164, with validity and a reason when they are not valid.

Parsing needs the source's default region: "020 7946 0958" is a London number when the
source is British and junk when it is American, so ``region`` is the ISO alpha-2 region of
the source, not of the person. Junk never raises: ingestion keeps the original and records
the ``issue``. Extensions ("x123", "ext. 12") are not part of the E.164 form; they are kept
apart in ``extension`` so two records of the same switchboard number still compare equal.

North American numbers written in the everyday shapes ("(415) 555-0123", "415.555.0123",
"+1 415 555 0123") skip ``phonenumbers.parse`` (about 20 µs). Their validity is decided by
phonenumbers' own patterns for the +1 regions, compiled once and applied in the order
``phonenumbers.is_valid_number`` applies them (its per-call pattern lookups cost more than
the matching). Property tests check that this fast path gives the same ``Phone`` as the full
parser and the same validity as ``is_valid_number``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import phonenumbers
from phonenumbers import (
    COUNTRY_CODE_TO_REGION_CODE,
    NumberParseException,
    PhoneMetadata,
    PhoneNumber,
    PhoneNumberFormat,
    ValidationResult,
)

from linkwise.normalize._cache import memoize


@dataclass(frozen=True, slots=True)
class Phone:
    """A phone number's normal form.

    ``e164`` is set whenever the text parses as a number, valid or not; ``valid`` is
    phonenumbers' ``is_valid_number`` (the number is in a range a region has assigned);
    ``issue`` says in a sentence why a number is not valid or could not be read.
    """

    e164: str | None
    valid: bool
    issue: str | None
    extension: str | None = None


_REGION_ALIASES = {"UK": "GB"}
_NANP_REGIONS = frozenset({"US", "CA"})
_NANP = re.compile(
    r"(?:\+1[ .-]?|1[ .-]?)?(?:\(([2-9]\d\d)\)|([2-9]\d\d))[ .-]?([2-9]\d\d)[ .-]?(\d{4})"
)

_PARSE_ISSUES = {
    NumberParseException.NOT_A_NUMBER: "does not look like a phone number",
    NumberParseException.TOO_SHORT_AFTER_IDD: "is too short after its international prefix",
    NumberParseException.TOO_SHORT_NSN: "is too short to be a phone number",
    NumberParseException.TOO_LONG: "is too long to be a phone number",
}


@memoize(maxsize=2**8)
def _region(region: str | None) -> str | None:
    if region is None:
        return None
    code = region.strip().upper()
    return _REGION_ALIASES.get(code, code) or None


def _where(number: PhoneNumber) -> str:
    code = number.country_code or 0
    region = phonenumbers.region_code_for_country_code(code)
    return f"+{code} ({region})" if region != "ZZ" else f"+{code}"


def _invalid_issue(text: str, number: PhoneNumber) -> str:
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason == ValidationResult.INVALID_COUNTRY_CODE:
        return f"{text!r} has country code +{number.country_code}, which is not assigned"
    if reason == ValidationResult.TOO_SHORT:
        return f"{text!r} has too few digits for a number in {_where(number)}"
    if reason in (ValidationResult.TOO_LONG, ValidationResult.INVALID_LENGTH):
        return f"{text!r} has the wrong number of digits for a number in {_where(number)}"
    return f"{text!r} is not in a number range assigned in {_where(number)}"


def _phone(text: str, number: PhoneNumber, valid: bool | None = None) -> Phone:
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    if valid is None:
        valid = phonenumbers.is_valid_number(number)
    issue = None if valid else _invalid_issue(text, number)
    return Phone(e164, valid, issue, number.extension or None)


def _parse_issue(text: str, region: str | None, exc: NumberParseException) -> str:
    if exc.error_type == NumberParseException.INVALID_COUNTRY_CODE:
        if text.lstrip().startswith("+"):
            return f"{text!r} starts with a country code that is not assigned"
        if region is None:
            return f"{text!r} has no country code and the source has no default region"
        return f"{text!r} has no country code and {region!r} is not a known region"
    return f"{text!r} {_PARSE_ISSUES.get(exc.error_type, 'could not be read as a phone number')}"


# Number types in the order phonenumbers' _number_type_helper tries them. A number is valid
# for a region when it matches the general description and any one of these; mobile is
# only tried when its pattern differs from the fixed-line one.
_TYPE_DESCS = (
    "premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan",
    "voicemail", "fixed_line",
)  # fmt: skip
_NANP_LENGTH = 10  # every number the fast path builds has ten digits (NPA, NXX, line)


def _desc_pattern(desc: Any) -> re.Pattern[str] | None:
    """``desc``'s pattern, or None when no ten-digit number can match it.

    As phonenumbers' ``_is_number_matching_desc``: a description with possible lengths
    matches only numbers of those lengths, and one without a pattern matches nothing.
    """
    if desc is None:
        return None
    if desc.possible_length and _NANP_LENGTH not in desc.possible_length:
        return None
    if not desc.national_number_pattern:
        return None
    return re.compile(desc.national_number_pattern)


@dataclass(frozen=True, slots=True)
class _RegionRule:
    """One +1 region's validity patterns for ten-digit national numbers."""

    leading: re.Pattern[str] | None
    general: re.Pattern[str] | None
    types: tuple[re.Pattern[str], ...]

    def valid(self, nsn: str) -> bool:
        if self.general is None or self.general.fullmatch(nsn) is None:
            return False
        for pattern in self.types:  # noqa: SIM110 - any() on a generator costs twice as much
            if pattern.fullmatch(nsn):
                return True
        return False


def _any_of(patterns: list[re.Pattern[str]]) -> tuple[re.Pattern[str], ...]:
    """Patterns of which a number must fully match one: one alternation where possible.

    A string fully matches "(?:a)|(?:b)" exactly when it fully matches a or b, unless a
    pattern has groups (a backreference would then point elsewhere).
    """
    if len(patterns) < 2 or any(p.groups for p in patterns):
        return tuple(patterns)
    return (re.compile("|".join(f"(?:{p.pattern})" for p in patterns)),)


@cache
def _region_rule(region: str) -> _RegionRule | None:
    """``region``'s rule, None without metadata; built on first use (loading metadata is slow)."""
    meta = PhoneMetadata.metadata_for_region(region.upper(), None)
    if meta is None:
        return None
    descs = [getattr(meta, name) for name in _TYPE_DESCS]
    if not meta.same_mobile_and_fixed_line_pattern:
        descs.append(meta.mobile)
    types = _any_of([p for p in map(_desc_pattern, descs) if p is not None])
    leading = None if meta.leading_digits is None else re.compile(meta.leading_digits)
    return _RegionRule(leading, _desc_pattern(meta.general_desc), types)


def nanp_valid(nsn: str) -> bool:
    """``phonenumbers.is_valid_number`` for +1 and the ten-digit national number ``nsn``.

    Like phonenumbers, the number's region is the first +1 region whose leading digits
    match, or (for regions without leading digits, the US and Canada) whose patterns the
    number matches; the number is valid if it matches that region's patterns.
    """
    for region in COUNTRY_CODE_TO_REGION_CODE[1]:
        rule = _region_rule(region)
        if rule is None:
            continue
        if rule.leading is not None:
            if rule.leading.match(nsn):
                return rule.valid(nsn)
        elif rule.valid(nsn):
            return True
    return False


def fast_nanp(text: str, region: str | None) -> Phone | None:
    """The ``Phone`` of a North American number in an everyday shape; None otherwise."""
    if region not in _NANP_REGIONS and not text.startswith("+1"):
        return None
    match = _NANP.fullmatch(text)
    if match is None:
        return None
    digits = (match[1] or match[2]) + match[3] + match[4]
    # The national significant number is str(int(digits)): the digits start with 2-9, so
    # that is the digits themselves unless some are non-ASCII ("\d" matches any decimal).
    nsn = digits if digits.isascii() else str(int(digits))
    if nanp_valid(nsn):
        return Phone(f"+1{nsn}", True, None)  # format_number's E.164
    number = PhoneNumber(country_code=1, national_number=int(digits))
    return _phone(text, number, False)


def slow_phone(text: str, region: str | None) -> Phone:
    """The ``Phone`` from phonenumbers' full parser."""
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as exc:
        return Phone(None, False, _parse_issue(text, region, exc))
    return _phone(text, number)


@memoize(maxsize=2**15)
def normalize_phone(raw: str, region: str | None) -> Phone:
    """Normalise ``raw`` with ``region`` (ISO alpha-2, "UK" accepted) as the default region.

    Never raises on bad input; an empty value gives ``Phone(None, False, "... empty")``.
    """
    text = " ".join(raw.split())
    if not text:
        return Phone(None, False, "the phone number is empty")
    code = _region(region)
    return fast_nanp(text, code) or slow_phone(text, code)
