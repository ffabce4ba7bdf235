"""Korean names in the romanisations records use for them.

A Korean name reaches Latin-script records in several spellings: the Revised Romanization
of 2000 ("Gim", "Jeong", "Hyeon-u"), McCune-Reischauer as records write it, without its
breves and apostrophes ("Chŏng" as "Chong", "Hyŏn-u" as "Hyon-u"), and the spellings
families chose for passports and US records before either ("Kim", "Chung", "Hyun-woo",
"Rhee", "Park"). Spelling distance puts many of these far apart ("lee", "yi" and "rhee";
"park" and "bak"; "hyun woo" and "hyeon u"), and sound keys built for European names do
not join them.

``SURNAME_SPELLINGS`` lists the spellings of common surnames; ``SYLLABLE_SPELLINGS`` those
of common given-name syllables, by the regular differences between the systems: eo written
o or u, eu written u, oo for u, k for g, t for d, p for b, ch for j. A given name is read
as syllables across its word breaks ("ji-hoon", "ji hoon" and "jihoon" alike; a name
written as one word is split into the fewest syllables, so "seona" is seo-na and shares
no key with "seon a"), and gets keys only when it is two or three known syllables, one at
least with another spelling: Korean given names are two syllables, and one short word is
as often a name of another language.
"""

from __future__ import annotations

from linkwise.normalize._cache import memoize
from linkwise.normalize._syllables import group_index, split_name

SURNAME_SPELLINGS: tuple[tuple[str, ...], ...] = (
    ("kim", "gim"),
    ("lee", "yi", "rhee", "rhie"),
    ("park", "pak", "bak", "bahk"),
    ("choi", "choe", "choy"),
    ("jung", "jeong", "chung", "joung"),
    ("kang", "gang"),
    ("cho", "jo", "joh"),
    ("yoon", "yun", "youn"),
    ("jang", "chang"),
    ("lim", "im"),
    ("kwon", "gwon", "kweon"),
    ("ahn", "an"),
    ("yoo", "yu", "ryu", "rhyu"),
    ("jeon", "jun", "chun", "chon"),
    ("moon", "mun"),
    ("baek", "paek", "paik", "baik"),
    ("heo", "hur", "huh"),
    ("noh", "roh"),
    ("seo", "suh"),
    ("oh", "o"),
    ("son", "sohn"),
    ("bae", "pae"),
    ("hwang", "whang"),
    ("koo", "gu", "ku"),
    ("kwak", "gwak"),
    ("sung", "seong"),
    ("joo", "ju"),
    ("chae", "chai"),
    ("byun", "byeon", "pyun"),
    ("um", "eom", "uhm"),
)
"""Left out: spellings that are mainly another people's different surname ("yee" and "yim"
are Cantonese surnames other than Lee and Lim, "koh" and "go" Hokkien and Filipino ones
other than Ko, "chong" and "cheong" Chinese ones other than Jung, "gil" Spanish, and
"kong"/"gong", "pang"/"bang", "sin"/"shin", "sim"/"shim", "jin"/"chin", "chu"/"joo" and
"do"/"doh" pairs that are two surnames in Chinese or Vietnamese). Kept, though they join
two surnames elsewhere: "lee" and "yi" (the commonest Korean pair, and two Chinese
surnames, Li and Yi) and "yu" and "ryu"."""

SYLLABLE_SPELLINGS: tuple[tuple[str, ...], ...] = (
    ("bae", "pae"),
    ("beom", "bum", "pom"),
    ("bin", "pin"),
    ("bo", "po"),
    ("bok", "pok"),
    ("byeong", "byung", "pyong"),
    ("cheol", "chul", "chol"),
    ("dae", "tae"),
    ("deok", "duk", "tok"),
    ("dong", "tong"),
    ("eun", "un"),
    ("geon", "gun", "keon", "kun"),
    ("geun", "keun", "kun"),
    ("gi", "ki"),
    ("gu", "koo", "ku"),
    ("gwang", "kwang"),
    ("gyeong", "kyung", "kyeong", "kyong"),
    ("gyu", "kyu"),
    ("hui", "hee"),
    ("hun", "hoon"),
    ("hyeok", "hyuk"),
    ("hyeon", "hyun", "hyon"),
    ("hyeong", "hyung", "hyong"),
    ("ja", "cha"),
    ("jae", "chae"),
    ("jeong", "jung", "chung", "cheong", "chong"),
    ("ji", "chi"),
    ("jin", "chin"),
    ("jo", "cho"),
    ("jong", "chong"),
    ("ju", "joo", "chu"),
    ("jun", "joon", "chun"),
    ("mun", "moon"),
    ("myeong", "myung", "myong"),
    ("seo", "so", "suh"),
    ("seok", "suk", "sok"),
    ("seon", "sun"),
    ("seong", "sung", "song"),
    ("seul", "sul"),
    ("seung", "sung"),
    ("sik", "shik"),
    ("soon", "sun"),
    ("su", "soo"),
    ("u", "woo"),
    ("ui", "eui"),
    ("yeol", "yol"),
    ("yeon", "yon"),
    ("yeong", "young", "yong"),
    ("yu", "yoo"),
    ("yun", "yoon"),
)
_OTHER_SYLLABLES = (
    "a", "ha", "hae", "han", "ho", "hwa", "hwan", "hye", "hyo", "il", "in", "min", "mi", "na",
    "nam", "ok", "ra", "sang", "sol", "won", "wan", "ye",
)  # fmt: skip
"""Syllables of common given names written alike in every system: needed only to read a
name written as one word ("minho") as its syllables."""
_PREFIX = "ko:"
"""Put before every Korean key, so that no key of another table can equal one."""


_SURNAME_GROUPS = group_index(SURNAME_SPELLINGS)
_SYLLABLE_GROUPS = group_index(SYLLABLE_SPELLINGS)
_SYLLABLES = frozenset(_SYLLABLE_GROUPS) | frozenset(_OTHER_SYLLABLES)
_LONGEST = max(len(s) for s in _SYLLABLES)


def _given_keys(name: str) -> list[str]:
    parts = split_name(name, _SYLLABLES, _LONGEST)
    if parts is None or not 2 <= len(parts) <= 3 or not any(p in _SYLLABLE_GROUPS for p in parts):
        return []
    keys = [_PREFIX + "g"]
    for part in parts:
        options = _SYLLABLE_GROUPS.get(part) or (part,)
        keys = [f"{k}.{o}" for k in keys for o in options]
    return keys  # at most 8: three syllables, none in more than two groups


@memoize(maxsize=2**16)
def korean_keys(name: str) -> tuple[str, ...]:
    """Keys that two spellings of one Korean name share, for a folded name in either name
    field (a swapped record puts the surname in the given-name field): a key per surname
    group the name is a spelling of ("rhee" and "yi" share one), and per reading of it as
    two or three given-name syllables (``SYLLABLE_SPELLINGS``; "hyun woo", "hyeon-u" and
    "hyunwoo" share one). Empty when the name is neither."""
    # a single letter ("o") is far likelier an initial than the surname Oh
    keys = [f"{_PREFIX}s{i}" for i in _SURNAME_GROUPS.get(name, ()) if len(name) > 1]
    keys.extend(_given_keys(name))
    return tuple(sorted(set(keys)))


def korean_names_agree(a: str, b: str) -> bool:
    """Whether two folded names are one Korean name in two spellings (share a key)."""
    return a != b and not set(korean_keys(a)).isdisjoint(korean_keys(b))
