"""The true population: people in households, with names, birth dates, identifiers and
address histories, stored as NumPy columns so a million people stay small.

Households are built one at a time because their members depend on each other (a wife
may take her husband's surname, children take their parents', Hispanic children take one
surname from each parent, a Jr is named after his father and born 25-35 years after him,
twins share a birth date). Identifiers that must be unique (SSN, licence) are then assigned
in bulk by ``linkwise.demo.identifiers``.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from linkwise.demo.addresses import ADDRESS_FIELDS, CITIES, draw_address
from linkwise.demo.config import WorldConfig
from linkwise.demo.identifiers import licence_numbers, ssns
from linkwise.demo.names import (
    CULTURE_SHARES,
    CULTURES,
    FEMININE,
    GIVEN_POOLS,
    MASCULINE,
    MIDDLE_POOLS,
    ORIGIN_OF,
    SURNAME_POOLS,
)
from linkwise.demo.rand import Pool, child_numpy, child_rng

MAX_ADDRESSES = 4
SUFFIXES: tuple[str, ...] = ("", "Jr", "Sr", "III")
JR, SR, THIRD = 1, 2, 3
EMAIL_STYLES = 4
FIRST_MOVE = dt.date(2011, 1, 1).toordinal()
LAST_MOVE = dt.date(2024, 12, 31).toordinal()
ALWAYS = dt.date(1900, 1, 1).toordinal()

_MIDDLE_RATE = {
    "anglo": 0.8,
    "hispanic": 0.45,
    "arabic": 0.5,
    "chinese": 0.05,
    "vietnamese": 0.85,
    "russian": 0.25,
    "south_asian": 0.35,
    "korean": 0.05,
    "european": 0.4,
    "african": 0.4,
    "filipino": 0.6,
}
_WIFE_TAKES_NAME = {
    "anglo": 0.8,
    "hispanic": 0.0,
    "arabic": 0.2,
    "chinese": 0.1,
    "vietnamese": 0.1,
    "russian": 0.85,
    "south_asian": 0.6,
    "korean": 0.0,
    "european": 0.7,
    "african": 0.6,
    "filipino": 0.8,
}
"""How often a wife takes her husband's surname, by culture (Hispanic, Korean and most
Chinese and Vietnamese women keep their own)."""
_COLUMNS = (
    ("household", "i"),
    ("culture", "b"),
    ("sex", "b"),
    ("given", "i"),
    ("middle", "i"),
    ("family", "i"),
    ("family2", "i"),
    ("hyphen", "b"),
    ("suffix", "b"),
    ("dob", "i"),
    ("twin_of", "i"),
    ("father_of", "i"),
    ("jr_sr", "b"),
    ("phone", "q"),
    ("email", "b"),
)


@dataclass(slots=True)
class Population:
    """Column per attribute; index = person. Name columns index ``names.GIVEN`` /
    ``names.SURNAMES``; -1 means none. Household columns are indexed by household."""

    household: np.ndarray
    culture: np.ndarray
    sex: np.ndarray
    given: np.ndarray
    middle: np.ndarray
    family: np.ndarray
    family2: np.ndarray
    hyphen: np.ndarray
    suffix: np.ndarray
    dob: np.ndarray
    twin_of: np.ndarray
    father_of: np.ndarray
    jr_sr: np.ndarray
    phone: np.ndarray
    email: np.ndarray
    ssn: np.ndarray
    licence: np.ndarray
    hh_addresses: np.ndarray
    hh_moves: np.ndarray
    hh_count: np.ndarray
    hh_shelter: np.ndarray
    hh_phone: np.ndarray
    hh_size: np.ndarray

    @property
    def size(self) -> int:
        return int(self.household.shape[0])

    @property
    def households(self) -> int:
        return int(self.hh_count.shape[0])


def person_id(index: int) -> str:
    return f"P{index + 1:07d}"


def household_id(index: int) -> str:
    return f"H{index + 1:07d}"


def build_population(
    people: int,
    seed: int,
    config: WorldConfig,
    progress: Callable[[str, int, int], None] | None = None,
) -> Population:
    builder = _Builder(people, seed, config)
    step = max(1, people // 20)
    next_report = 0
    while builder.count < people:
        builder.household()
        if progress is not None and builder.count >= next_report:
            progress("people", min(builder.count, people), people)
            next_report += step
    return builder.finish()


class _Member:
    """One person while their household is being assembled."""

    __slots__ = (
        "culture",
        "dob",
        "family",
        "family2",
        "given",
        "hyphen",
        "jr_sr",
        "middle",
        "sex",
        "son",
        "suffix",
        "twin",
    )

    def __init__(self, culture: int, sex: str) -> None:
        self.culture = culture
        self.sex = sex
        self.given = -1
        self.middle = -1
        self.family = -1
        self.family2 = -1
        self.hyphen = False
        self.suffix = 0
        self.dob = 0
        self.twin: _Member | None = None
        self.son: _Member | None = None
        self.jr_sr = False


class _Builder:
    def __init__(self, people: int, seed: int, config: WorldConfig) -> None:
        self.people = people
        self.seed = seed
        self.config = config
        self.rng = child_rng(seed, "population")
        self.count = 0
        self.culture_pool = Pool.of(range(len(CULTURES)), list(CULTURE_SHARES.values()))
        weights = config.household_sizes
        self.size_pool = Pool.of(range(1, len(weights) + 1), weights)
        mean_size = sum((i + 1) * w for i, w in enumerate(weights)) / sum(weights)
        single_people_share = weights[0] / sum(weights) / mean_size
        self.shelter_rate = min(1.0, config.shelter_rate / single_people_share)
        self.cols: dict[str, array[int]] = {name: array(code) for name, code in _COLUMNS}
        self.addresses: array[int] = array("i")
        self.moves: array[int] = array("i")
        self.address_count: array[int] = array("b")
        self.shelter: array[int] = array("b")
        self.home_phone: array[int] = array("q")

    # -- one household ---------------------------------------------------------------

    def household(self) -> None:
        rng, cfg = self.rng, self.config
        size = min(self.size_pool.draw(rng), self.people - self.count)
        culture = self.culture_pool.draw(rng)
        partner = size >= 2 and rng.random() < cfg.partner_rate
        roles = [rng.random() < cfg.roommate_rate for _ in range(size - 1 - partner)]
        head = self._adult(culture, self._sex(), parent=not all(roles))
        members = [head]
        husband: _Member | None = head if head.sex == "M" else None
        wife: _Member | None = head if head.sex == "F" else None
        if partner:
            other = self._partner(head)
            members.append(other)
            husband, wife = (head, other) if head.sex == "M" else (other, head)
        children = []
        for roommate in roles:
            if roommate:
                members.append(self._adult(self.culture_pool.draw(rng), self._sex(), False))
            else:
                children.append(self._child(head, husband, wife))
        members += children
        self._twins(children)
        if husband is not None:
            self._junior(husband, children)
        for m in members:
            if m.sex == "M" and m.suffix == 0 and rng.random() < cfg.third_rate:
                m.suffix = THIRD
        self._commit(members, culture)

    def _sex(self) -> str:
        return "M" if self.rng.random() < 0.5 else "F"

    def _dob(self, year: int) -> int:
        return dt.date(year, 1, 1).toordinal() + self.rng.randrange(365)

    def _names(self, m: _Member) -> None:
        rng = self.rng
        culture = CULTURES[m.culture]
        pool = GIVEN_POOLS[culture, m.sex]
        m.given = pool.draw(rng)
        m.middle = -1
        if rng.random() < _MIDDLE_RATE[culture]:
            middle = MIDDLE_POOLS.get((culture, m.sex), pool).draw(rng)
            m.middle = middle if middle != m.given else -1

    def _surname(self, m: _Member) -> None:
        rng, cfg = self.rng, self.config
        culture = CULTURES[m.culture]
        pool = SURNAME_POOLS[culture, m.sex]
        m.family = pool.draw(rng)
        if culture == "hispanic":
            if rng.random() < cfg.double_surname_rate:
                second = pool.draw(rng)
                m.family2 = second if second != m.family else -1
        elif rng.random() < cfg.hyphenated_rate:
            second = pool.draw(rng)
            m.family2 = second if second != m.family else -1
            m.hyphen = m.family2 >= 0

    def _adult(self, culture: int, sex: str, parent: bool) -> _Member:
        rng = self.rng
        m = _Member(culture, sex)
        year = rng.randint(1945, 1986) if parent else int(rng.triangular(1940, 2004, 1982))
        m.dob = self._dob(year)
        self._names(m)
        self._surname(m)
        return m

    def _partner(self, head: _Member) -> _Member:
        rng = self.rng
        m = _Member(head.culture, "F" if head.sex == "M" else "M")
        m.dob = self._dob(min(dt.date.fromordinal(head.dob).year + rng.randint(-6, 6), 2004))
        self._names(m)
        self._surname(m)
        husband, wife = (head, m) if head.sex == "M" else (m, head)
        if rng.random() < _WIFE_TAKES_NAME[CULTURES[head.culture]]:
            wife.family = FEMININE.get(husband.family, husband.family)
            wife.family2, wife.hyphen = -1, False
        return m

    def _child(self, head: _Member, father: _Member | None, mother: _Member | None) -> _Member:
        rng = self.rng
        m = _Member(head.culture, self._sex())
        youngest_parent = max(p.dob for p in (father, mother, head) if p is not None)
        born = dt.date.fromordinal(youngest_parent).year
        year = rng.randint(born + 20, max(born + 20, min(born + 40, 2008)))
        m.dob = self._dob(year)
        self._names(m)
        parent = father or head
        if CULTURES[m.culture] == "hispanic":
            m.family = parent.family
            second = mother.family if father and mother else parent.family2
            m.family2 = second if second != m.family else -1
        else:
            masculine = MASCULINE.get(parent.family, parent.family)
            m.family = FEMININE.get(masculine, masculine) if m.sex == "F" else masculine
        return m

    def _twins(self, children: list[_Member]) -> None:
        if len(children) < 2 or self.rng.random() >= self.config.twin_rate:
            return
        first, second = children[0], children[1]
        second.dob = first.dob
        for _ in range(10):
            if second.given != first.given:
                break
            self._names(second)
        first.twin, second.twin = second, first

    def _junior(self, father: _Member, children: list[_Member]) -> None:
        sons = [c for c in children if c.sex == "M" and c.twin is None]
        if not sons or self.rng.random() >= self.config.jr_sr_rate:
            return
        son = sons[0]
        gap = self.rng.randint(25, 35)
        son_year = min(dt.date.fromordinal(father.dob).year + gap, 2006)
        son.dob = _with_year(son.dob, son_year)
        father.dob = _with_year(father.dob, son_year - gap)
        son.given, son.middle = father.given, father.middle
        son.suffix, father.suffix = JR, SR
        son.jr_sr = father.jr_sr = True
        father.son = son

    # -- storage -----------------------------------------------------------------------

    def _commit(self, members: list[_Member], culture: int) -> None:
        rng, cfg = self.rng, self.config
        hh = len(self.address_count)
        shelter = len(members) == 1 and rng.random() < self.shelter_rate
        origin = ORIGIN_OF[CULTURES[culture]]
        codes = [draw_address(rng, origin)]
        moves = [ALWAYS]
        if not shelter and rng.random() < cfg.mover_rate:
            extra = 1 + (rng.random() < 0.3) + (rng.random() < 0.08)
            moves += sorted(rng.randint(FIRST_MOVE, LAST_MOVE) for _ in range(extra))
            for _ in range(extra):
                in_town = codes[-1][0] if rng.random() < 0.7 else None
                codes.append(draw_address(rng, origin, in_town))
        for k in range(MAX_ADDRESSES):
            self.addresses.extend(codes[min(k, len(codes) - 1)])
            self.moves.append(moves[min(k, len(moves) - 1)])
        self.address_count.append(len(codes))
        self.shelter.append(shelter)
        city = CITIES[codes[0][0]]
        shared_line = len(members) >= 2 and rng.random() < cfg.home_phone_rate
        self.home_phone.append(self._phone(city.area_codes) if shared_line else 0)
        position = {id(m): self.count + i for i, m in enumerate(members)}
        cols = self.cols
        for m in members:
            home = city if rng.random() < 0.85 else CITIES[rng.randrange(len(CITIES))]
            email = rng.randrange(EMAIL_STYLES) if rng.random() < cfg.email_rate else -1
            values = (
                hh,
                m.culture,
                1 if m.sex == "M" else 0,
                m.given,
                m.middle,
                m.family,
                m.family2,
                int(m.hyphen),
                m.suffix,
                m.dob,
                position[id(m.twin)] if m.twin is not None else -1,
                position[id(m.son)] if m.son is not None else -1,
                int(m.jr_sr),
                self._phone(home.area_codes),
                email,
            )
            for (name, _), value in zip(_COLUMNS, values, strict=True):
                cols[name].append(value)
        self.count += len(members)

    def _phone(self, area_codes: tuple[str, ...]) -> int:
        rng = self.rng
        area = int(area_codes[rng.randrange(len(area_codes))])
        if rng.random() < self.config.fictional_phone_rate:
            return area * 10_000_000 + 555 * 10_000 + rng.randint(100, 199)
        exchange = rng.randint(200, 999)
        while exchange == 555 or exchange % 100 == 11:
            exchange = rng.randint(200, 999)
        return area * 10_000_000 + exchange * 10_000 + rng.randrange(10_000)

    def finish(self) -> Population:
        n = self.count
        cols = {
            k: np.frombuffer(v, dtype=np.dtype(v.typecode)).copy() for k, v in self.cols.items()
        }
        rng = child_numpy(self.seed, "identifiers")
        return Population(
            **cols,
            ssn=ssns(n, rng),
            licence=licence_numbers(n, rng),
            hh_addresses=np.frombuffer(self.addresses, dtype=np.int32)
            .copy()
            .reshape(-1, MAX_ADDRESSES, len(ADDRESS_FIELDS)),
            hh_moves=np.frombuffer(self.moves, dtype=np.int32).copy().reshape(-1, MAX_ADDRESSES),
            hh_count=np.frombuffer(self.address_count, dtype=np.int8).copy(),
            hh_shelter=np.frombuffer(self.shelter, dtype=np.int8).astype(bool),
            hh_phone=np.frombuffer(self.home_phone, dtype=np.int64).copy(),
            hh_size=np.bincount(cols["household"], minlength=len(self.address_count)),
        )


def _with_year(ordinal: int, year: int) -> int:
    born = dt.date.fromordinal(ordinal)
    return dt.date(year, born.month, min(born.day, 28)).toordinal()
