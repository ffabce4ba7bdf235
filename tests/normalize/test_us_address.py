"""The US fast paths against usaddress itself."""

from __future__ import annotations

import usaddress
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkwise.normalize import _us_fast, us_address
from linkwise.normalize._usps import DIRECTIONALS, STREET_SUFFIXES, UNIT_TYPES
from linkwise.normalize.regions import US_STATE_CODES, normalize_region
from linkwise.normalize.us_address import UsParse, fast_tags, parse_us, po_box, slow_parse, tidy

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


# The line as ``parse_us`` read it before its caches: the scanner's tags for the whole line
# (with the number), else a PO box, else usaddress called on the line itself.
def _reference_place_tail(tokens: list[str]) -> tuple[int, dict[str, str]] | None:
    n = len(tokens)
    if n < 5 or tokens[-3] != "," or not _us_fast._ZIP.fullmatch(tokens[-1]):
        return None
    if tokens[-2] not in US_STATE_CODES:
        return None
    comma = n - 4
    while comma >= 0 and tokens[comma] != ",":
        word = tokens[comma]
        if not _us_fast._WORD.fullmatch(word) or word.upper() in _us_fast._RESERVED:
            return None
        comma -= 1
    city = tokens[comma + 1 : n - 3]
    if comma < 0 or not 1 <= len(city) <= 2:
        return None
    return comma, {"PlaceName": " ".join(city), "StateName": tokens[-2], "ZipCode": tokens[-1]}


def _reference_fast_tags(text: str) -> dict[str, str] | None:
    tokens = text.replace(",", " , ").split()
    if len(tokens) < 3 or not _us_fast.HOUSE_NUMBER.fullmatch(tokens[0]):
        return None
    tags = {"AddressNumber": tokens[0]}
    tail = _reference_place_tail(tokens)
    if tail is not None:
        tokens = tokens[: tail[0]]
        tags.update(tail[1])
    i = _us_fast._street(tokens, tags, tail is not None)
    if i is None:
        return None
    if i < len(tokens) - 1 and tokens[i] == ",":
        i += 1
    rest = tokens[i:]
    if not rest:
        return tags
    is_unit = _us_fast._is(rest[0], _us_fast._FAST_UNITS)
    if len(rest) == 2 and is_unit and _us_fast._UNIT_ID.fullmatch(rest[1]):
        tags["OccupancyType"] = rest[0]
        tags["OccupancyIdentifier"] = rest[1]
        return tags
    bare_number = len(rest) == 1 and rest[0][:1] == "#" and _us_fast._UNIT_ID.fullmatch(rest[0][1:])
    if bare_number and tail is None:
        tags["OccupancyIdentifier"] = rest[0]
        return tags
    return None


def _reference_slow_parse(text: str) -> UsParse | None:
    try:
        tags, kind = usaddress.tag(text)
    except usaddress.RepeatedLabelError:
        return None
    if kind not in ("Street Address", "PO Box") or not set(tags) <= us_address._ACCEPTED:
        return None
    if not (tags.get("StreetName") or tags.get("USPSBoxID")):
        return None
    state = tags.get("StateName")
    if state and normalize_region(state, "US") is None:
        return None
    if tidy(tags.get("PlaceName", "")) in UNIT_TYPES:
        return None
    return us_address._from_tags(tags, parsed=True)


def _reference_parse_us(text: str) -> UsParse:
    tags = _reference_fast_tags(text)
    if tags is not None:
        return us_address._from_tags(tags, parsed=True)
    box = po_box(text)
    if box is not None:
        return box
    return _reference_slow_parse(text) or UsParse(line=tidy(text) or None)


_house_number = st.integers(1, 999999).map(str) | st.sampled_from(
    ["0", "007", "10", "100", "2500", "٣٤", "1٣", "2٠٠", "１２", "12A", "1/2"]
)
_line_word = st.sampled_from(
    [*_WORDS[:12], *_SUFFIX_WORDS[:6], *_SUFFIXES, *_DIRS, "Ne", "Sw", "St.", "Ave.", "Rd.",
     "Cove", "Sq", "Hwy", "Route", "Apt", "APT", "Apt.", "Ste", "SUITE", "Unit", "Apartment",
     "Rear", "#", "#4", "#12A", "#", "4", "4B", "12345", "A", "1st", "23rd", "E", "of",
     ",", ",", "Springfield", "New", "York", "IL", "NY", "62701", "62701-1234", "PO", "Box"]
)  # fmt: skip


@settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(_house_number, st.lists(_line_word, min_size=0, max_size=8), st.booleans())
def test_cached_parse_equals_uncached(number: str, words: list[str], commas: bool) -> None:
    text = " ".join([number, *words])
    if commas:
        text = text.replace(" , ", ", ")
    assert parse_us(text) == _reference_parse_us(text)


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(street_lines(), _house_number, st.sampled_from(["", " Apt 4", " #12", " Unit B", " Ste 4"]))
def test_cached_parse_of_scanner_lines_equals_uncached(line: str, number: str, unit: str) -> None:
    for text in (line, f"{number} {line.split(' ', 1)[1]}{unit}"):
        assert parse_us(text) == _reference_parse_us(text)


_SLOW_SHAPES = ["River Pl", "Union Pl #29", "N Park Cir", "Meadow Way Apt 8A", "Front Ter #7",
                "Martin Luther King Jr Blvd", "Lake Shore Dr, Chicago, IL 60601", "Maple Cove",
                "Main St Apartment 4", "E 1st Road", "Hill Rd North", "Highway 101",
                "County Road 12", "Main St & 2nd Ave", "Broadway", "W Elm St, Apt 3",
                "PO Box 12", "Rural Route 3 Box 7", "8 9", "1/2 Main St", "34 Main St",
                "1 N Main", "22 1/2 Main"]  # fmt: skip


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.sampled_from(_SLOW_SHAPES),
    st.integers(1, 9999).filter(lambda n: n % 10 != 0),
    st.integers(0, 2),
)
def test_tagging_by_number_shape_equals_usaddress(shape: str, core: int, zeros: int) -> None:
    # Numbers of one length and one run of trailing zeros share a cache entry.
    for digits in (str(core), "9" * len(str(core))):
        text = f"{digits}{'0' * zeros} {shape}"
        assert slow_parse(text) == _reference_slow_parse(text)
