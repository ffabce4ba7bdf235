"""Phone numbers in E.164, with validity and a reason when they are not valid.

Parsing needs the source's default region: "020 7946 0958" is a London number when the
source is British and junk when it is American, so ``region`` is the ISO alpha-2 region of
the source, not of the person. Junk never raises: ingestion keeps the original and records
the ``issue``. Extensions ("x123", "ext. 12") are not part of the E.164 form; they are kept
apart in ``extension`` so two records of the same switchboard number still compare equal.

North American numbers written in the everyday shapes ("(415) 555-0123", "415.555.0123",
"+1 415 555 0123") skip ``phonenumbers.parse`` (about 20 µs) and build the number object
directly; validity is still phonenumbers' own. A property test checks that this fast path
gives the same ``Phone`` as the full parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumber, PhoneNumberFormat, ValidationResult

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


def fast_nanp(text: str, region: str | None) -> Phone | None:
    """The ``Phone`` of a North American number in an everyday shape; None otherwise."""
    if region not in _NANP_REGIONS and not text.startswith("+1"):
        return None
    match = _NANP.fullmatch(text)
    if match is None:
        return None
    digits = (match[1] or match[2]) + match[3] + match[4]
    number = PhoneNumber(country_code=1, national_number=int(digits))
    # is_valid_number finds the number's region by trying +1's regions in order, US first,
    # then validates for that region: a number valid for the US is therefore valid, and
    # asking the US alone first halves the cost for the common case.
    valid = phonenumbers.is_valid_number_for_region(number, "US") or phonenumbers.is_valid_number(
        number
    )
    return _phone(text, number, valid)


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
