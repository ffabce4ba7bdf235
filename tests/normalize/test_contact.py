from __future__ import annotations

import pytest

from linkwise.normalize import NormalizationError, normalize_email, normalize_sex


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Jane.Doe@Example.COM ", "jane.doe@example.com"),
        ("mailto:jane@example.com", "jane@example.com"),
        ("Jane Doe <JANE@EXAMPLE.COM>", "jane@example.com"),
        ("jane+tag@sub.example.co.uk", "jane+tag@sub.example.co.uk"),
        ("jane@example", None),
        ("jane@@example.com", None),
        ("jane doe@example.com", None),
        ("not an email", None),
        ("", None),
    ],
)
def test_normalize_email(raw: str, expected: str | None) -> None:
    assert normalize_email(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("F", "F"),
        ("female", "F"),
        ("W", "F"),
        ("Woman", "F"),
        ("Frau", "F"),
        ("mujer", "F"),
        ("2", "F"),
        ("m", "M"),
        ("MALE", "M"),
        ("man", "M"),
        ("Hombre", "M"),
        ("männlich", "M"),
        ("1", "M"),
        ("X", "X"),
        ("non-binary", "X"),
        ("nonbinary", "X"),
        ("divers", "X"),
        ("U", None),
        ("unknown", None),
        ("Not stated", None),
        ("0", None),
        ("9", None),
        ("", None),
        ("  ", None),
    ],
)
def test_normalize_sex(raw: str, expected: str | None) -> None:
    assert normalize_sex(raw) == expected


def test_unrecognised_sex_is_reported() -> None:
    with pytest.raises(NormalizationError, match="'1987-05-04' is not a recognised sex value"):
        normalize_sex("1987-05-04")
