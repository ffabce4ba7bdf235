"""The US fast paths against usaddress itself."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkwise.normalize._usps import DIRECTIONALS, STREET_SUFFIXES, UNIT_TYPES
from linkwise.normalize.us_address import fast_tags, parse_us, po_box, slow_parse

_WORDS = ["Main", "Oak", "Elm", "Maple", "Cedar", "Pine", "Washington", "Lincoln", "Park",
          "Lake", "Hill", "Martin", "Luther", "King", "Sunset", "Broadway", "Market", "Church",
          "Spring", "Mill", "River", "Walnut", "Jefferson", "Franklin", "Madison", "Chestnut",
          "Highland", "Meadow", "Jackson", "Wilson", "Adams", "Union", "Front", "Water",
          "Grand", "Liberty", "Prospect", "Railroad", "Cherry", "Willow", "Poplar", "Birch",
          "Hickory", "Dogwood", "Magnolia", "Holly", "Laurel", "Sycamore", "Cypress"]  # fmt: skip
_SUFFIXES = ["ST", "STREET", "AVE", "AVENUE", "RD", "ROAD", "DR", "DRIVE", "LN", "LANE",
             "BLVD", "CT", "COURT", "PL", "WAY", "CIR", "CIRCLE", "TER", "TERRACE", "PKWY",
             "PARKWAY", "TRL", "XING", "PLZ", "EXPY", "FWY", "PT", "ALY"]  # fmt: skip
_DIRS = ["N", "S", "E", "W", "NE", "NW", "SE", "SW", "NORTH", "SOUTH", "EAST", "WEST",
         "NORTHEAST", "NORTHWEST", "SOUTHEAST", "SOUTHWEST"]  # fmt: skip
_UNITS = ["APT", "STE", "SUITE", "UNIT"]
_CITIES = ["Springfield", "Portland", "Salem", "Franklin", "Madison", "Georgetown",
           "Chicago", "Houston", "Denver", "Boston", "Seattle", "New York", "Los Angeles",
           "Kansas City"]  # fmt: skip
_STATES = ["IL", "CA", "NY", "TX", "OR", "WA", "MA", "GA", "FL", "OH", "DC", "PA", "MI"]


def _plain(word: str) -> bool:
    """Not a word the scanner reserves for suffixes, directionals or units ("Park")."""
    upper = word.upper()
    return upper not in STREET_SUFFIXES and upper not in DIRECTIONALS and upper not in UNIT_TYPES


def _cased(word: str) -> st.SearchStrategy[str]:
    return st.sampled_from([word.upper(), word.capitalize()])


def _ordinal(n: int) -> str:
    ending = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{ending}"


_dir = st.sampled_from(_DIRS).flatmap(lambda d: st.just(d) if len(d) <= 2 else _cased(d))


_SUFFIX_WORDS = ["Lake", "Hill", "Park", "Spring", "Mill", "River", "Forest", "Center",
                 "Union", "Grove", "Ridge", "Valley", "Meadow", "Summit", "Garden", "Harbor",
                 "Creek"]  # fmt: skip
_COMMON = ["ST", "STREET", "AVE", "AVENUE", "RD", "ROAD", "DR", "DRIVE", "LN", "LANE", "CT",
           "COURT"]  # fmt: skip
_plain_word = (st.sampled_from(_WORDS) | st.from_regex(r"[A-Z][a-z]{2,8}", fullmatch=True)).filter(
    _plain
)


@st.composite
def street_lines(draw: st.DrawFn) -> str:
    """Lines in the fast path's shape: NUMBER [DIR] NAME SUFFIX [DIR] [UNIT] [, CITY, ST ZIP].

    The shape's exceptions (see ``fast_tags``) are respected: a street named by one suffix
    word takes a common suffix and no directional after it; no "E 1st Road"; no directional
    after a dotted suffix; only abbreviated directionals before a city; no bare "#87" before
    a city.
    """
    unit = draw(st.integers(0, 3))  # 0: "APT 4", 1: "#4", otherwise none
    tail = unit != 1 and draw(st.booleans())
    words = [str(draw(st.integers(1, 99999)))]
    predir = draw(st.booleans())
    if predir:
        words.append(draw(_dir))
    kind = draw(st.integers(0, 5))
    suffixes = _SUFFIXES
    if kind == 0:
        words.append(_ordinal(draw(st.integers(1, 150))))
        if predir:
            suffixes = [s for s in _SUFFIXES if s != "ROAD"]
    elif kind == 1:
        words.append(draw(st.sampled_from(_SUFFIX_WORDS).flatmap(_cased)))
        suffixes = _COMMON
    else:
        for _ in range(draw(st.integers(1, 2))):
            words.append(draw(_plain_word.flatmap(_cased)))
    words.append(draw(st.sampled_from(suffixes).flatmap(_cased)) + draw(st.sampled_from(["", "."])))
    if kind != 1 and not words[-1].endswith(".") and draw(st.integers(0, 3)) == 0:
        words.append(draw(_dir.filter(lambda d: not tail or len(d) <= 2)))
    if unit == 0:
        words[-1] += draw(st.sampled_from(["", ","]))
        words.append(draw(st.sampled_from(_UNITS).flatmap(_cased)))
        words.append(draw(st.from_regex(r"[1-9][0-9]{0,3}|[A-D]|[1-9][AB]", fullmatch=True)))
    elif unit == 1:
        words.append("#" + str(draw(st.integers(1, 999))))
    line = " ".join(words)
    if tail:
        city = draw(st.sampled_from(_CITIES))
        zip_code = f"{draw(st.integers(10000, 99999))}"
        line += f", {city}, {draw(st.sampled_from(_STATES))} {zip_code}"
    return line


@settings(
    max_examples=250,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(street_lines())
def test_fast_path_equals_usaddress(line: str) -> None:
    assert fast_tags(line) is not None
    assert parse_us(line) == parse_us(line, fast=False)


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(["PO Box", "P.O. Box", "P.O. BOX", "PO BOX", "P O Box", "Post Office Box"]),
    st.integers(1, 99999),
)
def test_po_box_pattern_equals_usaddress(box: str, number: int) -> None:
    line = f"{box} {number}"
    assert po_box(line) == slow_parse(line)


def test_common_lines_take_the_fast_path() -> None:
    for line in [
        "123 Main St",
        "123 N Main Street Apt 4",
        "12 W 34th St Ste 500",
        "1600 Pennsylvania Ave NW",
        "12 Lake St",
        "9 Park Ave #3",
        "123 Main Street, Springfield, IL 62701",
    ]:
        assert fast_tags(line) is not None, line


def test_lines_outside_the_shape_take_the_slow_path() -> None:
    for line in [
        "123 main st",  # lower case
        "123 Maple Cove",  # a suffix the model is unsure of
        "123 Main St Apartment 4",  # "Apartment" is read as a city now and then
        "123 E 1st Road",  # the model reads this as a street type
        "123 Martin Luther King Blvd",  # three name words
        "12 Lake Shore Dr",  # a suffix word in a two-word name
        "12 Hill Rd North",  # a suffix-word street with a directional after it
        "PO Box 12",
    ]:
        assert fast_tags(line) is None
