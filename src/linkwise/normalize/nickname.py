"""Given-name equivalents (nicknames and their formal names) for comparison levels.

The candidate sets are deliberately broad: the ``nicknames`` package maps "fred" to eleven
formal names. They feed a "nickname match" comparison level whose weight is learned, never
an equality: "bill" and "robert" are candidates for each other, not the same name.
"""

from __future__ import annotations

from nicknames import NickNamer

from linkwise.normalize._cache import memoize
from linkwise.normalize.text import fold

# Equivalences the nicknames package (mostly English) lacks: a few English gaps, common
# Spanish hypocorisms, Russian diminutives in their usual romanisation, and spelling
# variants of Muhammad. Each group is a formal name followed by its familiar forms.
_EXTRA_GROUPS: tuple[tuple[str, ...], ...] = (
    ("william", "liam"),
    ("catherine", "kate", "cathy", "kat"),
    ("eleanor", "nell", "ellie"),
    ("anne", "nancy", "annie"),
    ("francisco", "paco", "pancho", "curro", "frank"),
    ("jose", "pepe", "chepe"),
    ("alejandro", "alex", "ale"),
    ("guillermo", "memo"),
    ("jesus", "chucho", "chuy"),
    ("ignacio", "nacho"),
    ("enrique", "quique"),
    ("manuel", "manolo", "manu"),
    ("dolores", "lola"),
    ("concepcion", "concha", "conchita"),
    ("rosario", "charo"),
    ("josefa", "pepa"),
    ("antonio", "tono", "tony"),
    ("eduardo", "lalo"),
    ("roberto", "beto"),
    ("alberto", "beto"),
    ("alexander", "sasha", "sanya", "shura"),
    ("aleksandr", "sasha", "sanya", "shura", "alex"),
    ("ivan", "vanya"),
    ("dmitry", "dima"),
    ("dmitri", "dima"),
    ("mikhail", "misha"),
    ("nikolai", "kolya"),
    ("sergei", "seryozha"),
    ("sergey", "seryozha"),
    ("vladimir", "volodya", "vova"),
    ("yekaterina", "katya"),
    ("ekaterina", "katya"),
    ("anastasia", "nastya"),
    ("tatiana", "tanya"),
    ("tatyana", "tanya"),
    ("natalia", "natasha"),
    ("natalya", "natasha"),
    ("maria", "masha", "mari"),
    ("yelena", "lena"),
    ("elena", "lena"),
    ("pavel", "pasha"),
    ("yevgeny", "zhenya"),
    ("evgeny", "zhenya"),
    ("aleksei", "alyosha", "lyosha"),
    ("alexei", "alyosha", "lyosha"),
    ("muhammad", "mohammed", "mohamed", "mohammad", "muhammed", "mohamad", "mo"),
)


def _extra_lookup() -> dict[str, frozenset[str]]:
    lookup: dict[str, set[str]] = {}
    for group in _EXTRA_GROUPS:
        formal, *familiar = group
        lookup.setdefault(formal, set()).update(familiar)
        for name in familiar:
            lookup.setdefault(name, set()).add(formal)
    return {name: frozenset(names) for name, names in lookup.items()}


_NAMER = NickNamer()
_EXTRA = _extra_lookup()


@memoize(maxsize=2**14)
def nickname_candidates(given: str) -> frozenset[str]:
    """Folded names that may be the same given name as ``given``, including itself.

    One step in each direction: the nicknames of ``given`` and the formal names it is a
    nickname of ("bill" -> william, robert, ...; "william" -> bill, will, liam, ...). Siblings
    (bill -> william -> will) are not added; two steps would make almost every pair of
    English names candidates. A multi-word given name is looked up whole. Empty input gives
    an empty set.
    """
    name = fold(given)
    if not name:
        return frozenset()
    found = {name}
    found |= _NAMER.nicknames_of(name)
    found |= _NAMER.canonicals_of(name)
    found |= _EXTRA.get(name, frozenset())
    return frozenset(fold(n) for n in found)
