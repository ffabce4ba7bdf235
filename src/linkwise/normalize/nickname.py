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
# Spanish, Italian and Polish familiar forms, Russian diminutives in their usual
# romanisation, Arabic names with the English forms their bearers go by, and spelling
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
    # English forms the package lacks
    ("katherine", "katie", "kate", "kat"),
    ("kathleen", "kate", "katie"),
    ("catherine", "katie"),
    ("christopher", "kit"),
    # Russian diminutives, as usually romanised
    ("konstantin", "kostya"),
    ("svetlana", "sveta"),
    ("daria", "dasha"),
    ("darya", "dasha"),
    ("irina", "ira"),
    ("nadezhda", "nadya"),
    ("lyudmila", "lyuda", "mila"),
    ("olga", "olya"),
    ("yulia", "yulya"),
    ("yuliya", "yulya"),
    ("galina", "galya"),
    ("anna", "anya"),
    ("sofia", "sonya"),
    ("yuri", "yura"),
    ("yuriy", "yura"),
    ("vasily", "vasya"),
    ("grigory", "grisha"),
    ("boris", "borya"),
    ("viktor", "vitya"),
    ("valentina", "valya"),
    ("lyubov", "lyuba"),
    ("ksenia", "ksyusha"),
    ("margarita", "rita"),
    ("alexandra", "sasha", "shura"),
    ("aleksandra", "sasha", "shura"),
    ("andrei", "andryusha"),
    ("andrey", "andryusha"),
    # Arabic names and the English forms their bearers go by; each spelling of Muhammad
    # with the short form directly, so that "mo" is one step from every one of them
    ("ibrahim", "abe"),
    ("youssef", "joe", "joseph"),
    ("yousef", "joe", "joseph"),
    ("yusuf", "joe", "joseph"),
    ("yousif", "joe", "joseph"),
    ("mohammed", "mo"),
    ("mohamed", "mo"),
    ("mohammad", "mo"),
    ("muhammed", "mo"),
    ("mohamad", "mo"),
    # Italian, Polish, Spanish and Portuguese familiar forms
    ("giovanni", "gianni", "nino"),
    ("giuseppe", "peppe", "beppe", "pino"),
    ("salvatore", "toto"),
    ("krzysztof", "chris", "krzys"),
    ("wojciech", "wojtek"),
    ("malgorzata", "gosia"),
    ("katarzyna", "kasia"),
    ("enrique", "kike"),
    ("rosario", "chayo"),
    ("guadalupe", "lupe", "lupita"),
    ("consuelo", "chelo"),
    ("mercedes", "meche"),
    ("graciela", "chela"),
    ("refugio", "cuca"),
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
