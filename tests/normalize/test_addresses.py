from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkwise.normalize import Address, addresses, normalize_address, normalize_country
from linkwise.normalize.postcodes import CA_POSTCODE, GB_POSTCODE, normalize_postcode
from linkwise.normalize.regions import US_STATES, normalize_region
from linkwise.normalize.text import fold
from linkwise.normalize.us_address import UsParse, parse_us


def us(
    line: str | None,
    city: str | None = None,
    region: str | None = None,
    postcode: str | None = None,
    parsed: bool = True,
) -> Address:
    return Address(line, city, region, postcode, "US", parsed)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("123 N Main Street Apt 4", us("123 N MAIN ST APT 4")),
        ("123 North Main Street, Apartment 4", us("123 N MAIN ST APT 4")),
        ("123 Main St.", us("123 MAIN ST")),
        ("123 Main St #4", us("123 MAIN ST # 4")),
        ("123 Main St Apt #4B", us("123 MAIN ST APT 4B")),
        ("12 W 34th St Ste 500", us("12 W 34TH ST STE 500")),
        ("1600 Pennsylvania Avenue Northwest", us("1600 PENNSYLVANIA AVE NW")),
        ("500 Highway 101", us("500 HWY 101")),
        ("4567 Martin Luther King Jr Blvd", us("4567 MARTIN LUTHER KING JR BLVD")),
        ("123 Main St Rear", us("123 MAIN ST REAR")),
        ("123 1/2 Main St", us("123 1/2 MAIN ST")),
        ("PO Box 123", us("PO BOX 123")),
        ("P.O. BOX 45", us("PO BOX 45")),
        ("Post Office Box 7", us("PO BOX 7")),
        ("po box #88", us("PO BOX 88")),
        ("Rural Route 2 Box 45", us("RR 2 BOX 45")),
        ("garbage !!! text", us("GARBAGE TEXT", parsed=False)),
    ],
)
def test_us_lines(line: str, expected: Address) -> None:
    assert normalize_address(line, default_country="US") == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "123 Main Street, Springfield, IL 62701",
            us("123 MAIN ST", "SPRINGFIELD", "IL", "62701"),
        ),
        (
            "123 Main St Springfield IL 62701-1234",
            us("123 MAIN ST", "SPRINGFIELD", "IL", "62701"),
        ),
        (
            "1600 Pennsylvania Ave NW, Washington, DC 20500-0003",
            us("1600 PENNSYLVANIA AVE NW", "WASHINGTON", "DC", "20500"),
        ),
        (
            "PO Box 123, Springfield, IL 62701",
            us("PO BOX 123", "SPRINGFIELD", "IL", "62701"),
        ),
    ],
)
def test_one_line_us_address_fills_place_parts(line: str, expected: Address) -> None:
    # no country anywhere: the state and ZIP at the end say US
    assert normalize_address(line) == expected


def test_city_has_one_form_from_line_or_argument() -> None:
    from_line = normalize_address("12 Oak St, Winston-Salem, NC 27101")
    from_argument = normalize_address("12 Oak St", "Winston-Salem", "NC", "27101")
    assert from_line == from_argument == us("12 OAK ST", "WINSTON SALEM", "NC", "27101")


def test_separate_arguments_win_over_the_line() -> None:
    address = normalize_address(
        "123 Main Street, Springfield, IL 62701", "Chicago", "Illinois", "60601-1234", "USA"
    )
    assert address == us("123 MAIN ST", "CHICAGO", "IL", "60601")


def test_uk_address_never_reaches_the_us_parser() -> None:
    # scourgify made this "10 DOWNING ST" + "UNIT SW1A 2AA"
    expected = Address("10 DOWNING STREET", "LONDON", None, "SW1A 2AA", "GB", False)
    assert normalize_address("10 Downing Street, London SW1A 2AA", default_country="US") == expected
    assert normalize_address("10 Downing Street, London SW1A 2AA") == expected
    assert normalize_address("10 Downing Street", "London", None, "sw1a2aa") == expected


def test_explicit_country_wins_over_shape() -> None:
    address = normalize_address("10 Downing Street", postcode="SW1A 2AA", country="US")
    assert address.country == "US"
    assert address.postcode is None  # not a ZIP


def test_canadian_address() -> None:
    assert normalize_address("123 Main St, Ottawa, ON K1A 0B1") == Address(
        "123 MAIN ST", "OTTAWA", "ON", "K1A 0B1", "CA", False
    )


def test_other_countries_are_folded() -> None:
    assert normalize_address("Hauptstraße 5", "Berlin", None, "10115", "Germany") == Address(
        "HAUPTSTRASSE 5", "BERLIN", None, "10115", "DE", False
    )
    assert normalize_address("Flat 2, 10 Downing Street", country="GB") == Address(
        "FLAT 2 10 DOWNING STREET", None, None, None, "GB", False
    )


def test_unknown_country_is_only_tidied() -> None:
    assert normalize_address("123 Main St") == Address("123 MAIN ST", None, None, None, None, False)


@pytest.mark.parametrize("line", [None, "", "   "])
def test_empty_gives_nones(line: str | None) -> None:
    assert normalize_address(line) == Address(None, None, None, None, None, False)


def test_model_mistakes_are_not_trusted() -> None:
    # usaddress tags "Apartment" as a city and "D" as a state here
    address = normalize_address("45754 Yuczoux Maple Rd Apartment D", default_country="US")
    assert address == us("45754 YUCZOUX MAPLE RD APARTMENT D", parsed=False)


_optional_text = st.none() | st.text(max_size=40)


@settings(max_examples=150, deadline=None)
@given(
    st.text(max_size=80),
    _optional_text,
    _optional_text,
    _optional_text,
    st.none() | st.sampled_from(["US", "GB", "CA", "DE", "usa", "Narnia"]),
    st.none() | st.sampled_from(["US", "GB", "FR"]),
)
def test_never_raises(
    line: str,
    city: str | None,
    region: str | None,
    postcode: str | None,
    country: str | None,
    default_country: str | None,
) -> None:
    address = normalize_address(
        line, city, region, postcode, country, default_country=default_country
    )
    assert isinstance(address, Address)


_STREET_WORDS = ["Main", "Oak", "Elm", "Maple", "Washington", "Lincoln", "Park", "Lake",
                 "Hill", "Martin", "Sunset", "Broadway", "Market", "Church", "Spring", "Mill",
                 "River", "Jefferson", "Madison", "Highland", "Jackson", "Union", "Water",
                 "Cherry"]  # fmt: skip


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(_STREET_WORDS) | st.from_regex(r"[A-Z][a-z]{2,8}", fullmatch=True),
    st.sampled_from(["Street", "St", "ST", "Avenue", "Ave.", "Rd", "Road", "Drive", "Ln"]),
)
def test_never_raises_on_street_like_lines(name: str, suffix: str) -> None:
    assert normalize_address(f"12 {name} {suffix}", default_country="US").parsed


# normalize_address as written before its place parts were cached together: the country
# from the arguments' or the line's shape, then the US parse or the foreign tidying.
def _reference_shape_country(
    line: str | None, region: str | None, postcode: str | None
) -> str | None:
    if postcode:
        code = postcode.upper().strip()
        if GB_POSTCODE.fullmatch(code):
            return "GB"
        if CA_POSTCODE.fullmatch(code):
            return "CA"
        if region and fold(region) in US_STATES and normalize_postcode(code, "US"):
            return "US"
    if line:
        us_tail = addresses._TAIL_US.search(line)
        if us_tail and addresses._us_state_at_end(us_tail[1]):
            return "US"
        if addresses._TAIL_GB.fullmatch(line):
            return "GB"
        if addresses._TAIL_CA.fullmatch(line):
            return "CA"
    return None


def _reference_normalize_address(
    line: str | None,
    city: str | None,
    region: str | None,
    postcode: str | None,
    country: str | None,
    default_country: str | None,
) -> Address:
    blank = addresses._blank
    line, city, region, postcode = blank(line), blank(city), blank(region), blank(postcode)
    code = normalize_country(country) if country else None
    if code is None:
        code = _reference_shape_country(line, region, postcode)
    if code is None and default_country:
        code = normalize_country(default_country)
    if code != "US":
        return addresses._foreign(line, city, region, postcode, code)
    found = parse_us(line) if line else UsParse(line=None)
    return Address(
        line=found.line,
        city=(fold(city).upper() or None) if city else found.city,
        region=normalize_region(region, "US") if region else found.region,
        postcode=normalize_postcode(postcode, "US") if postcode else found.postcode,
        country="US",
        parsed=found.parsed,
    )


_LINES = [None, "123 Main St", "12 Main St, Springfield, IL 62701", "1258 River Pl Apt 4",
          "10 Downing Street, London SW1A 2AA", "24 Sussex Dr, Ottawa ON K1A 0B1", "PO Box 12",
          "Rue de Rivoli 10, Paris", "  "]  # fmt: skip
_CITIES = [None, "Springfield ", "...", "London"]
_REGIONS = [None, "IL", "Ontario", "Narnia"]
_POSTCODES = [None, "62701-1234", "SW1A 2AA", "K1A 0B1", "2134", "00000"]


def test_equals_the_reading_before_the_place_cache() -> None:
    for args in itertools.product(
        _LINES, _CITIES, _REGIONS, _POSTCODES, [None, "US", "GB", "Narnia"], [None, "US", "FR"]
    ):
        line, city, region, postcode, country, default_country = args
        got = normalize_address(
            line, city, region, postcode, country, default_country=default_country
        )
        assert got == _reference_normalize_address(*args), args


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40), st.sampled_from(_CITIES), st.sampled_from(_POSTCODES))
def test_equals_the_reading_before_the_place_cache_on_any_line(
    line: str, city: str | None, postcode: str | None
) -> None:
    got = normalize_address(line, city, "IL", postcode, default_country="US")
    assert got == _reference_normalize_address(line, city, "IL", postcode, None, "US")
