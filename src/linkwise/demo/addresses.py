"""Addresses: compact integer codes in the population, rendered to text per record.

A household's address is seven small integers (``ADDRESS_FIELDS``) so that a million
households with move histories fit in one NumPy array; ``decode`` turns a row back into an
``Address`` only when a record needs it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from linkwise.demo.data import places
from linkwise.demo.names import ORIGINS
from linkwise.demo.rand import Pool

ADDRESS_FIELDS = ("city", "zip", "number", "street", "suffix", "predir", "unit")
"""Columns of an address code: city index, last two ZIP digits, house number, street index,
suffix index, directional prefix (0 none, 1-4 N S E W), unit (0 none, else 10*n + letter)."""


@dataclass(frozen=True, slots=True)
class City:
    name: str
    state: str
    zip3: str
    area_codes: tuple[str, ...]
    weight: float
    boosts: dict[str, float]


def _parse_cities() -> tuple[City, ...]:
    out = []
    for line in places.CITIES.strip().splitlines():
        name, state, zip3, codes, weight, boost_text = line.split("|")
        pairs = (b.split("=") for b in boost_text.split(",") if b)
        boosts = {origin: float(factor) for origin, factor in pairs}
        out.append(City(name, state, zip3, tuple(codes.split(",")), float(weight), boosts))
    return tuple(out)


CITIES = _parse_cities()
STREETS: tuple[str, ...] = tuple(places.STREETS.split())
SUFFIXES: tuple[tuple[str, str], ...] = tuple(
    (abbr, full)
    for abbr, full in (line.split() for line in places.STREET_SUFFIXES.split("\n") if line)
)
CITY_POOLS: dict[str, Pool] = {
    origin: Pool.of(range(len(CITIES)), [c.weight * c.boosts.get(origin, 1.0) for c in CITIES])
    for origin in ORIGINS
}


@dataclass(frozen=True, slots=True)
class Address:
    number: str
    predir: str
    street: str
    suffix: str
    suffix_full: str
    unit: str
    city: str
    state: str
    zip: str

    def street_line(self, *, full_suffix: bool = False, unit_style: str | None = "Apt") -> str:
        """``12 N Oak St Apt 4B``; sources differ in suffix spelling and unit markers
        (``unit_style`` "Apt", "Unit", "#", or None to leave the unit out)."""
        parts = [self.number, self.predir, self.street]
        parts.append(self.suffix_full if full_suffix else self.suffix)
        if self.unit and unit_style:
            parts.append(f"#{self.unit}" if unit_style == "#" else f"{unit_style} {self.unit}")
        return " ".join(p for p in parts if p)

    def one_line(self) -> str:
        return f"{self.street_line()}, {self.city}, {self.state} {self.zip}"


SHELTER = Address(
    number=places.SHELTER[0],
    predir="",
    street=places.SHELTER[1],
    suffix=places.SHELTER[2],
    suffix_full=places.SHELTER[2],
    unit="",
    city=places.SHELTER[3],
    state=places.SHELTER[4],
    zip=places.SHELTER[5],
)


def draw_address(rng: random.Random, origin: str, city: int | None = None) -> tuple[int, ...]:
    """A new address code, in ``city`` if given (a move across town) else anywhere."""
    if city is None:
        city = CITY_POOLS[origin].draw(rng)
    big_building = rng.random() < 0.3
    unit = 0
    if big_building:
        unit = rng.randint(1, 40) * 10 + (rng.randint(1, 4) if rng.random() < 0.4 else 0)
    return (
        city,
        rng.randint(1, 99),
        rng.randint(1, 9899) if rng.random() < 0.8 else rng.randint(10000, 24999),
        rng.randrange(len(STREETS)),
        rng.randrange(len(SUFFIXES)),
        rng.randint(1, 4) if rng.random() < 0.2 else 0,
        unit,
    )


def decode(code: tuple[int, ...] | list[int]) -> Address:
    city_i, zip2, number, street, suffix, predir, unit = (int(v) for v in code)
    city = CITIES[city_i]
    abbr, full = SUFFIXES[suffix]
    unit_text = ""
    if unit:
        letter = unit % 10
        unit_text = f"{unit // 10}{'ABCD'[letter - 1] if letter else ''}"
    return Address(
        number=str(number),
        predir=places.DIRECTIONS[predir - 1] if predir else "",
        street=STREETS[street],
        suffix=abbr,
        suffix_full=full,
        unit=unit_text,
        city=city.name,
        state=city.state,
        zip=f"{city.zip3}{zip2:02d}",
    )
