"""Name tables parsed from ``linkwise.demo.data`` and the samplers drawn from them.

People store indices into the flat ``GIVEN`` and ``SURNAMES`` lists rather than strings,
so a million-person population costs a few integer arrays; the strings are looked up only
when a record is rendered. Weights follow a Zipf law over each list's rank, which makes a
handful of names dominate (the same-name-different-person problem) and leaves a long tail.
"""

from __future__ import annotations

from dataclasses import dataclass

from linkwise.demo.data.given import GIVEN as _GIVEN_TABLES
from linkwise.demo.data.given import MIDDLE as _MIDDLE_TABLES
from linkwise.demo.data.nicknames import NICKNAMES as _NICKNAME_TABLE
from linkwise.demo.data.surnames import RARE_ENDINGS, RARE_STEMS
from linkwise.demo.data.surnames import SURNAMES as _SURNAME_TABLES
from linkwise.demo.rand import Pool

ORIGINS: tuple[str, ...] = (
    "anglo",
    "hispanic",
    "arabic",
    "chinese",
    "vietnamese",
    "russian",
    "south_asian",
    "other",
)
CULTURE_SHARES: dict[str, float] = {
    "anglo": 0.56,
    "hispanic": 0.18,
    "arabic": 0.035,
    "chinese": 0.04,
    "vietnamese": 0.03,
    "russian": 0.035,
    "south_asian": 0.04,
    "korean": 0.025,
    "european": 0.03,
    "african": 0.015,
    "filipino": 0.01,
}
"""Naming cultures and their share of households. A culture keeps a person's given name and
surname from the same tradition; it is reported as its origin (``ORIGIN_OF``), where the
small ones are pooled as ``other``."""
CULTURES: tuple[str, ...] = tuple(CULTURE_SHARES)
ORIGIN_OF: dict[str, str] = {c: c if c in ORIGINS else "other" for c in CULTURES}
SCRIPT_ORIGINS = frozenset({"arabic", "chinese", "russian"})
"""Origins whose people have a name in an original (non-Latin) script."""
FAMILY_FIRST_CULTURES = frozenset({"chinese", "vietnamese", "korean"})
"""Cultures whose names are customarily written family name first."""
SEXES: tuple[str, ...] = ("F", "M")
COMMON_SURNAME_COUNT = 50

_CYRILLIC_A = "\u0430"


@dataclass(frozen=True, slots=True)
class NameEntry:
    text: str
    script: str | None
    variants: tuple[str, ...]
    """Other spellings of the same name (transliterations, diacritics, word breaks)."""
    nicknames: tuple[str, ...] = ()


def _parse(table: str, nicknames: dict[str, tuple[str, ...]]) -> list[NameEntry]:
    entries = []
    for line in table.strip().splitlines():
        name, script, variants = ([*line.split("|"), "", ""])[:3]
        entries.append(
            NameEntry(
                text=name,
                script=script or None,
                variants=tuple(v for v in variants.split(",") if v),
                nicknames=nicknames.get(name, ()),
            )
        )
    return entries


def _parse_nicknames(table: str) -> dict[str, tuple[str, ...]]:
    out = {}
    for line in table.strip().splitlines():
        name, _, short = line.partition(":")
        out[name.strip()] = tuple(s.strip() for s in short.split(","))
    return out


def _feminine(entry: NameEntry) -> NameEntry:
    """Ivanov -> Ivanova; its variants include the masculine form a clerk may keep and a
    homoglyph spelling with a Cyrillic final 'а' that looks identical but is not."""
    return NameEntry(
        text=entry.text + "a",
        script=(entry.script + _CYRILLIC_A) if entry.script else None,
        variants=(*(v + "a" for v in entry.variants), entry.text + _CYRILLIC_A, entry.text),
    )


def _pool(indices: list[int], offset: float) -> Pool:
    return Pool.of(indices, [1.0 / (rank + offset) for rank in range(len(indices))])


def _rare_surnames(known: set[str]) -> list[NameEntry]:
    names = (stem + end for end in RARE_ENDINGS.split() for stem in RARE_STEMS.split())
    return [NameEntry(n, None, ()) for n in names if n not in known]


NICKNAMES = _parse_nicknames(_NICKNAME_TABLE)
GIVEN: list[NameEntry] = []
SURNAMES: list[NameEntry] = []
GIVEN_POOLS: dict[tuple[str, str], Pool] = {}
"""(culture, sex) -> given names."""
MIDDLE_POOLS: dict[tuple[str, str], Pool] = {}
"""Cultures with a middle-name list of their own; the rest draw middles from GIVEN_POOLS."""
SURNAME_POOLS: dict[tuple[str, str], Pool] = {}
FEMININE: dict[int, int] = {}
"""Masculine surname index -> feminine form, for cultures whose surnames inflect (Russian)."""


def _build() -> None:
    for (culture, sex), table in _GIVEN_TABLES.items():
        start = len(GIVEN)
        GIVEN.extend(_parse(table, NICKNAMES))
        GIVEN_POOLS[culture, sex] = _pool(list(range(start, len(GIVEN))), offset=4)
    for (culture, sex), table in _MIDDLE_TABLES.items():
        start = len(GIVEN)
        GIVEN.extend(_parse(table, {}))
        MIDDLE_POOLS[culture, sex] = _pool(list(range(start, len(GIVEN))), offset=1)
    for culture, table in _SURNAME_TABLES.items():
        entries = _parse(table, {})
        if culture == "anglo":
            entries += _rare_surnames({e.text for e in entries})
        start = len(SURNAMES)
        SURNAMES.extend(entries)
        indices = list(range(start, len(SURNAMES)))
        offset = 10 if culture == "anglo" else 3
        if culture == "russian":
            fem_start = len(SURNAMES)
            SURNAMES.extend(_feminine(e) for e in entries)
            FEMININE.update(zip(indices, range(fem_start, len(SURNAMES)), strict=True))
            SURNAME_POOLS[culture, "M"] = _pool(indices, offset)
            SURNAME_POOLS[culture, "F"] = _pool(list(range(fem_start, len(SURNAMES))), offset)
        else:
            SURNAME_POOLS[culture, "M"] = SURNAME_POOLS[culture, "F"] = _pool(indices, offset)


_build()


def _common_surnames() -> frozenset[str]:
    """The most frequent surnames across the whole population, by configured share."""
    mass: dict[str, float] = {}
    for (culture, _sex), pool in SURNAME_POOLS.items():
        share = CULTURE_SHARES[culture] / len(SEXES)
        for position, index in enumerate(pool.items):
            text = SURNAMES[index].text
            mass[text] = mass.get(text, 0.0) + share * pool.probability(position)
    ranked = sorted(mass, key=lambda t: (-mass[t], t))
    return frozenset(ranked[:COMMON_SURNAME_COUNT])


COMMON_SURNAMES = _common_surnames()
MASCULINE: dict[int, int] = {fem: masc for masc, fem in FEMININE.items()}
