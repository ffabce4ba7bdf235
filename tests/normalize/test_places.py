"""Postcodes, regions and countries (the place parts of an address)."""

from __future__ import annotations

import pytest

from linkwise.normalize import normalize_country, normalize_postcode, normalize_region


@pytest.mark.parametrize(
    ("raw", "country", "expected"),
    [
        ("62701", "US", "62701"),
        ("62701-1234", "US", "62701"),
        ("627011234", "US", "62701"),
        (" 62701 1234 ", "US", "62701"),
        ("2134", "US", "02134"),
        ("501", "US", "00501"),
        ("00000", "US", None),
        ("6270", "US", "06270"),
        ("ABCDE", "US", None),
        ("1234567", "US", None),
        ("sw1a1aa", "GB", "SW1A 1AA"),
        ("SW1A  1AA", "GB", "SW1A 1AA"),
        ("m1 1ae", "GB", "M1 1AE"),
        ("12345", "GB", None),
        ("k1a0b1", "CA", "K1A 0B1"),
        ("K1A-0B1", "CA", "K1A 0B1"),
        ("D1A 0B1", "CA", None),
        ("1234 ab", "NL", "1234AB"),
        ("00-950", "PL", "00950"),
        ("10115", None, "10115"),
        ("  ", "US", None),
    ],
)
def test_normalize_postcode(raw: str, country: str | None, expected: str | None) -> None:
    assert normalize_postcode(raw, country) == expected


@pytest.mark.parametrize(
    ("raw", "country", "expected"),
    [
        ("California", "US", "CA"),
        ("calif", "US", "CA"),
        ("Calif.", "US", "CA"),
        ("CA", "US", "CA"),
        ("ca", "US", "CA"),
        ("N.Y.", "US", "NY"),
        ("new york", "US", "NY"),
        ("W. Va.", "US", "WV"),
        ("District of Columbia", "US", "DC"),
        ("Puerto Rico", "US", "PR"),
        ("Atlantis", "US", None),
        ("Ontario", "CA", "ON"),
        ("Québec", "CA", "QC"),
        ("Bavaria", "DE", "BAVARIA"),
        ("Île-de-France", "FR", "ILE DE FRANCE"),
        ("Texas", None, "TX"),
        ("Ontario", None, "ON"),
        ("New South Wales", None, "NEW SOUTH WALES"),
        ("", "US", None),
    ],
)
def test_normalize_region(raw: str, country: str | None, expected: str | None) -> None:
    assert normalize_region(raw, country) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("US", "US"),
        ("us", "US"),
        ("USA", "US"),
        ("U.S.A.", "US"),
        ("United States of America", "US"),
        ("UK", "GB"),
        ("England", "GB"),
        ("GB", "GB"),
        ("Deutschland", "DE"),
        ("CA", "CA"),
        ("Canada", "CA"),
        ("XK", "XK"),
        ("AQ", "AQ"),
        ("AC", None),
        ("Narnia", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_country(raw: str | None, expected: str | None) -> None:
    assert normalize_country(raw) == expected
