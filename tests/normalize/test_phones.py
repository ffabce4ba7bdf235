from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumber

from linkwise.normalize import Phone, normalize_phone
from linkwise.normalize.phones import fast_nanp, nanp_valid, slow_phone


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("(415) 555-0123", "US", Phone("+14155550123", True, None)),
        ("415.555.0123", "US", Phone("+14155550123", True, None)),
        ("1-415-555-0123", "US", Phone("+14155550123", True, None)),
        ("+1 415 555 0123", None, Phone("+14155550123", True, None)),
        ("+1 212 555 0100", "GB", Phone("+12125550100", True, None)),
        ("020 7946 0958", "GB", Phone("+442079460958", True, None)),
        ("020 7946 0958", "uk", Phone("+442079460958", True, None)),
        ("+44 20 7946 0958", "US", Phone("+442079460958", True, None)),
        ("011 44 20 7946 0958", "US", Phone("+442079460958", True, None)),
        ("415-555-0123 ext. 12", "US", Phone("+14155550123", True, None, "12")),
        ("415-555-0123 x123", "US", Phone("+14155550123", True, None, "123")),
        ("1-800-FLOWERS", "US", Phone("+18003569377", True, None)),
    ],
)
def test_valid_numbers(raw: str, region: str | None, expected: Phone) -> None:
    assert normalize_phone(raw, region) == expected


@pytest.mark.parametrize(
    ("raw", "region", "e164", "issue"),
    [
        # the London number read with the wrong default region is junk, not London
        (
            "020 7946 0958",
            "US",
            "+102079460958",
            "'020 7946 0958' has the wrong number of digits for a number in +1 (US)",
        ),
        (
            "(123) 456-7890",
            "US",
            "+11234567890",
            "'(123) 456-7890' is not in a number range assigned in +1 (US)",
        ),
        ("12", "US", "+112", "'12' has too few digits for a number in +1 (US)"),
        ("junk", "US", None, "'junk' does not look like a phone number"),
        (
            "4155550123",
            None,
            None,
            "'4155550123' has no country code and the source has no default region",
        ),
        (
            "2125550100",
            "XX",
            None,
            "'2125550100' has no country code and 'XX' is not a known region",
        ),
        ("+999 123", None, None, "'+999 123' starts with a country code that is not assigned"),
        ("", "US", None, "the phone number is empty"),
        ("   ", "US", None, "the phone number is empty"),
    ],
)
def test_invalid_numbers_never_raise(
    raw: str, region: str | None, e164: str | None, issue: str
) -> None:
    assert normalize_phone(raw, region) == Phone(e164, False, issue)


@settings(max_examples=300)
@given(st.text(), st.sampled_from([None, "US", "GB", "DE", "IN", "XX", "uk", ""]))
def test_never_raises(raw: str, region: str | None) -> None:
    phone = normalize_phone(raw, region)
    assert phone.valid == (phone.issue is None)
    assert phone.valid <= (phone.e164 is not None)


_area = st.from_regex(r"[0-9]{3}", fullmatch=True)
_line = st.from_regex(r"[0-9]{4}", fullmatch=True)
_SHAPES = [
    "({a}) {x}-{n}",
    "({a}){x}-{n}",
    "{a}-{x}-{n}",
    "{a}.{x}.{n}",
    "{a} {x} {n}",
    "{a}{x}{n}",
    "1-{a}-{x}-{n}",
    "1 ({a}) {x}-{n}",
    "+1 {a} {x} {n}",
    "+1-{a}-{x}-{n}",
    "+1{a}{x}{n}",
    "+1 ({a}) {x}-{n}",
]


@settings(max_examples=400)
@given(_area, _area, _line, st.sampled_from(_SHAPES), st.sampled_from(["US", "CA", "GB", None]))
def test_fast_path_equals_full_parser(
    a: str, x: str, n: str, shape: str, region: str | None
) -> None:
    text = shape.format(a=a, x=x, n=n)
    fast = fast_nanp(text, region)
    nanp_shaped = a[0] not in "01" and x[0] not in "01"
    if nanp_shaped and (region in ("US", "CA") or text.startswith("+1")):
        assert fast is not None
    if fast is not None:
        assert fast == slow_phone(text, region)


# Area codes that identify a +1 region by its leading digits, and the non-geographic ones.
_LEADING_AREAS = ["268", "264", "684", "246", "441", "242", "767", "809", "829", "849",
                  "473", "671", "658", "876", "869", "345", "758", "670", "664", "787",
                  "939", "721", "649", "868", "784", "284", "340", "800", "523", "524",
                  "900", "600", "310"]  # fmt: skip


def _is_valid(nsn: str) -> bool:
    return phonenumbers.is_valid_number(PhoneNumber(country_code=1, national_number=int(nsn)))


def test_nanp_validity_equals_phonenumbers_for_every_area_code() -> None:
    # Every NPA with every first exchange digit: US validity is decided by those four
    # digits. Regions found by their area code get every exchange.
    for npa in range(200, 1000):
        for first in "0123456789":
            nsn = f"{npa}{first}{(npa * 7919) % 1000000:06d}"
            assert nanp_valid(nsn) == _is_valid(nsn), nsn
    for npa in _LEADING_AREAS:
        for nxx in range(200, 1000):
            nsn = f"{npa}{nxx}{(nxx * 7919) % 10000:04d}"
            assert nanp_valid(nsn) == _is_valid(nsn), nsn


@settings(max_examples=300)
@given(
    st.sampled_from(_LEADING_AREAS) | st.from_regex(r"[2-9][0-9]{2}", fullmatch=True),
    st.from_regex(r"[0-9]{7}", fullmatch=True),
)
def test_nanp_validity_equals_phonenumbers(area: str, rest: str) -> None:
    assert nanp_valid(area + rest) == _is_valid(area + rest)


@pytest.mark.parametrize(
    "text",
    ["415-555-٠١٢٣", "(415) ٥٥٥-0123", "+1 ٢١٢ 555 0100", "４１５-555-0123", "415-٥٥٥-٠١٢٣ "],
)
def test_fast_path_with_other_decimal_digits(text: str) -> None:
    fast = fast_nanp(" ".join(text.split()), "US")
    if fast is not None:
        assert fast == slow_phone(" ".join(text.split()), "US")
