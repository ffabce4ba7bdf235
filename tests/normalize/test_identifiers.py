from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkwise.normalize import IDENTIFIER_TYPES, Identifier, identifiers, normalize_identifier
from linkwise.normalize.text import to_ascii


def test_identifier_types() -> None:
    assert IDENTIFIER_TYPES == (
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


@pytest.mark.parametrize(
    ("raw", "value", "issue"),
    [
        ("123-45-6789", "123456789", None),
        ("123 45 6789", "123456789", None),
        ("123456789", "123456789", None),
        ("000-12-3456", "000123456", "SSN area 000 is never issued"),
        ("666-12-3456", "666123456", "SSN area 666 is never issued"),
        ("912-34-5678", "912345678", "SSN area 900-999 is not issued (ITIN range)"),
        ("123-00-4567", "123004567", "SSN group 00 is never issued"),
        ("123-45-0000", "123450000", "SSN serial 0000 is never issued"),
        ("078-05-1120", "078051120", "SSN 078-05-1120 is a known publicised sample number"),
        ("219-09-9999", "219099999", "SSN 219-09-9999 is a known publicised sample number"),
        ("12345678", "12345678", "expected 9 digits, got 8"),
        ("1234567890", "1234567890", "expected 9 digits, got 10"),
        ("000-00-0000", None, "'000-00-0000' is a placeholder (all zeros)"),
        ("12345678X", None, "'12345678X' contains letters, so it is not an SSN"),
        ("N/A", None, "'N/A' is a placeholder, not an identifier"),
        ("", None, "the identifier is empty"),
    ],
)
def test_ssn(raw: str, value: str | None, issue: str | None) -> None:
    assert normalize_identifier("ssn", raw) == Identifier("ssn", value, issue is None, issue)


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_ssn_with_or_without_dashes_agrees(digits: str) -> None:
    dashed = f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"
    spaced = f" {digits[:3]} {digits[3:5]} {digits[5:]} "
    results = [normalize_identifier("ssn", form) for form in (digits, dashed, spaced)]
    assert {(r.value, r.valid) for r in results} == {(results[0].value, results[0].valid)}
    assert results[0].value == (None if set(digits) == {"0"} else digits)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("A123456789", Identifier("a_number", "A123456789", True, None)),
        ("A12345678", Identifier("a_number", "A012345678", True, None)),
        ("a# 012-345-678", Identifier("a_number", "A012345678", True, None)),
        ("12345678", Identifier("a_number", "A012345678", True, None)),
        (
            "A1234",
            Identifier("a_number", "A1234", False, "expected 8 or 9 digits after the A, got 4"),
        ),
        (
            "B12345678",
            Identifier(
                "a_number",
                "B12345678",
                False,
                "'B12345678' is not an A-number: expected A followed by 8 or 9 digits",
            ),
        ),
    ],
)
def test_a_number(raw: str, expected: Identifier) -> None:
    assert normalize_identifier("a_number", raw) == expected


@pytest.mark.parametrize(
    ("kind", "raw", "value"),
    [
        ("passport", "ab 123-456 c", "AB123456C"),
        ("drivers_licence", "S530-4609-8123", "S53046098123"),
        ("case_number", "2023-CR-001234", "2023CR001234"),
        ("booking_number", " #88812 ", "88812"),
        ("national_id", "ÉÇ-1234", "EC1234"),
        ("tax_id", "12-3456789", "123456789"),
        ("other", "x-1", "X1"),
    ],
)
def test_other_identifiers(kind: str, raw: str, value: str) -> None:
    assert normalize_identifier(kind, raw) == Identifier(kind, value, True, None)


def test_placeholders_have_no_value() -> None:
    assert normalize_identifier("passport", "000000") == Identifier(
        "passport", None, False, "'000000' is a placeholder (all zeros)"
    )
    assert normalize_identifier("passport", "unknown").value is None


def test_unknown_kind_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="unknown identifier type 'ssm'; known types: ssn, "):
        normalize_identifier("ssm", "123")


def _reference_ssn(raw: str) -> Identifier:
    text = "".join(c for c in to_ascii(raw).upper() if c.isalnum() and c.isascii())
    if not text:
        return Identifier("ssn", None, False, "the identifier is empty")
    if text in identifiers._PLACEHOLDERS:
        return Identifier(
            "ssn", None, False, f"{raw.strip()!r} is a placeholder, not an identifier"
        )
    if any(c.isalpha() for c in text):
        return Identifier("ssn", None, False, f"{raw!r} contains letters, so it is not an SSN")
    digits = "".join(c for c in text if c.isdigit())
    if set(digits) == {"0"}:
        return Identifier("ssn", None, False, f"{raw!r} is a placeholder (all zeros)")
    issue = identifiers._ssn_issue(digits)
    return Identifier("ssn", digits, issue is None, issue)


@settings(max_examples=500)
@given(st.text() | st.text(alphabet="0123456789- ٣x", max_size=12) | st.just("N/A"))
def test_ssn_equals_the_character_by_character_reading(raw: str) -> None:
    assert normalize_identifier("ssn", raw) == _reference_ssn(raw)
