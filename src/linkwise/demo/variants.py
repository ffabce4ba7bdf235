"""How one record renders a person's name, birth date and identifiers, with difficulties.

The steps run in the order a real record acquires them: the name the person gave (a
nickname), how the clerk spelled it (another romanisation, one of two surnames, accents
lost), slips while typing, and finally the order the parts landed in. Each step that can
apply to a record is rolled through the source's ``Tally`` so realised rates are known.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from linkwise.demo.config import WorldConfig
from linkwise.demo.corrupt import (
    Tally,
    digit_typo,
    encodable,
    fit_charset,
    has_diacritics,
    strip_diacritics,
    typo,
)
from linkwise.demo.identifiers import GENERIC_SSN
from linkwise.demo.names import FAMILY_FIRST_CULTURES
from linkwise.demo.person import Person

PartialDate = tuple[int, int | None, int | None]
"""(year, month or None, day or None)."""


@dataclass(frozen=True, slots=True)
class NameParts:
    given: str
    middle: str | None
    family: str
    suffix: str | None


@dataclass(frozen=True, slots=True)
class NameRates:
    nickname: float
    translit: float
    partial_surname: float
    no_diacritics: float
    typo: float
    swapped_order: float
    swapped_order_family_first: float
    suffix_dropped: float

    @classmethod
    def from_config(
        cls,
        config: WorldConfig,
        *,
        nickname: float | None = None,
        swapped: float | None = None,
        suffixes: bool = True,
    ) -> NameRates:
        """The config's rates, with a source's own where it differs; a source that has no
        place for a suffix cannot drop one, so ``suffixes=False`` turns that rate off."""
        return cls(
            nickname=config.nickname if nickname is None else nickname,
            translit=config.translit,
            partial_surname=config.partial_surname,
            no_diacritics=config.no_diacritics,
            typo=config.typo,
            swapped_order=config.swapped_order if swapped is None else swapped,
            swapped_order_family_first=config.swapped_order_family_first,
            suffix_dropped=config.suffix_dropped if suffixes else 0.0,
        )


def vary_name(
    person: Person,
    rng: random.Random,
    tally: Tally,
    tags: list[str],
    rates: NameRates,
    encoding: str | None = None,
) -> NameParts:
    """The person's name as this record has it. ``encoding`` limits the characters the
    source can hold, so variants it could not store are never chosen."""
    given = person.given.text
    family = [e.text for e in person.family]
    joiner = "-" if person.hyphen else " "
    nicknames = [n for n in person.given.nicknames if encodable(n, encoding)]
    if nicknames and tally.roll(rng, "nickname", rates.nickname, tags):
        given = nicknames[rng.randrange(len(nicknames))]
    options: list[tuple[int, list[str]]] = []
    if given == person.given.text:
        options.append((-1, [v for v in person.given.variants if encodable(v, encoding)]))
    options += [
        (i, [v for v in e.variants if encodable(v, encoding)]) for i, e in enumerate(person.family)
    ]
    options = [(i, vs) for i, vs in options if vs]
    transliterated = bool(options) and tally.roll(rng, "translit", rates.translit, tags)
    if transliterated:
        chosen = [options[rng.randrange(len(options))]]
        if len(options) > 1 and rng.random() < 0.3:
            chosen = options
        for i, vs in chosen:
            if i < 0:
                given = vs[rng.randrange(len(vs))]
            else:
                family[i] = vs[rng.randrange(len(vs))]
    if len(family) == 2 and tally.roll(rng, "partial_surname", rates.partial_surname, tags):
        family = [family[0] if rng.random() < 0.75 else family[1]]
    middle = person.middle.text if person.middle else None
    family_text = joiner.join(family)
    accented = not transliterated and any(has_diacritics(t) for t in (given, family_text))
    if accented and tally.roll(rng, "no_diacritics", rates.no_diacritics, tags):
        given, family_text = strip_diacritics(given), strip_diacritics(family_text)
        middle = strip_diacritics(middle) if middle else None
    slippable = [i for i, t in enumerate((given, family_text)) if sum(map(str.isalpha, t)) >= 3]
    if slippable and tally.roll(rng, "typo", rates.typo, tags):
        if slippable[rng.randrange(len(slippable))] == 0:
            given = typo(given, rng)
        else:
            family_text = typo(family_text, rng)
    swap = (
        rates.swapped_order_family_first
        if person.culture in FAMILY_FIRST_CULTURES
        else rates.swapped_order
    )
    if tally.roll(rng, "swapped_order", swap, tags):
        given, family_text = family_text, given
    suffix = person.suffix or None
    if suffix and tally.roll(rng, "suffix_dropped", rates.suffix_dropped, tags):
        suffix = None
    return NameParts(
        given=fit_charset(given, encoding),
        middle=fit_charset(middle, encoding) if middle else None,
        family=fit_charset(family_text, encoding),
        suffix=suffix,
    )


def vary_dob(
    person: Person,
    rng: random.Random,
    tally: Tally,
    tags: list[str],
    *,
    missing: float,
    partial: float = 0.0,
    swap: float = 0.0,
) -> PartialDate | None:
    """The birth date as recorded: missing, partial (year, or year and month), with day
    and month swapped (only where the result is still a valid, different date), or as is."""
    if tally.roll(rng, "missing_dob", missing, tags):
        return None
    dob = person.dob
    if partial > 0 and tally.roll(rng, "partial_dob", partial, tags):
        return (dob.year, None, None) if rng.random() < 0.7 else (dob.year, dob.month, None)
    swappable = swap > 0 and dob.day <= 12 and dob.day != dob.month
    if swappable and tally.roll(rng, "dob_swap", swap, tags):
        return (dob.year, dob.day, dob.month)
    return (dob.year, dob.month, dob.day)


def vary_ssn(
    person: Person, rng: random.Random, tally: Tally, tags: list[str], config: WorldConfig
) -> str:
    """Nine digits: the generic placeholder, a one-digit slip, or the person's own."""
    if tally.roll(rng, "generic_ssn", config.generic_ssn, tags):
        return GENERIC_SSN
    if tally.roll(rng, "id_typo", config.id_typo, tags):
        return digit_typo(person.ssn, rng)
    return person.ssn


def vary_identifier(
    value: str, rng: random.Random, tally: Tally, tags: list[str], config: WorldConfig
) -> str:
    if tally.roll(rng, "id_typo", config.id_typo, tags):
        return digit_typo(value, rng)
    return value


def dashed_ssn(digits: str) -> str:
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"


def dashed_phone(digits: str, style: int = 0) -> str:
    area, exchange, line = digits[:3], digits[3:6], digits[6:]
    return (
        f"({area}) {exchange}-{line}",
        f"{area}-{exchange}-{line}",
        f"{area}.{exchange}.{line}",
        digits,
        f"+1 {area} {exchange} {line}",
    )[style % 5]
