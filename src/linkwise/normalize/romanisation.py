"""Chinese name syllables in the romanisations records use for them.

One Chinese name reaches records in several spellings: Mandarin in pinyin ("Xiaoming") or
Wade-Giles ("Hsiao-ming"), Cantonese in the Hong Kong government's spelling ("Siu Ming"),
older or Southeast Asian records in others ("Lim" for the surname Lin). Spelling alone
puts many of these far apart ("lin" and "lam", "jie" and "kit", "hui" and "wai"), and no
sound key joins them: they are different sounds for one character.

``SYLLABLE_SPELLINGS`` lists, per common name syllable, the spellings one person's name
is commonly written with. Readings differ by character, so a pinyin syllable may have
several Cantonese spellings and a Cantonese spelling may serve several pinyin syllables
("wai" is the Cantonese of both "wei" and "hui"). Two syllables are taken as one only when
one group holds both: "wei" and "hui" are not, though each may be written "wai". A
Cantonese spelling that is itself the pinyin of another common name is left out ("yan"
for xin, "wan" for yun, "man" for min): two relatives named Xin and Yan must stay two
people, so such a pair is left to the model. Wade-Giles spellings stay, though some are
pinyin too ("chang" for zhang): that is the same name in the other system.
"""

from __future__ import annotations

from linkwise.normalize._cache import memoize
from linkwise.normalize._syllables import group_index, split_name
from linkwise.normalize.korean import korean_keys

SYLLABLE_SPELLINGS: tuple[tuple[str, ...], ...] = (
    # pinyin, then Wade-Giles and Cantonese (and other) spellings of the same syllable
    ("bo", "po"),
    ("cao", "tsao", "tso", "cho"),
    ("chao", "chiu"),
    ("chen", "chan", "chin"),
    ("chun", "tsun"),
    ("deng", "teng"),
    ("dong", "tung"),
    ("fang", "fong"),
    ("feng", "fung", "fong"),
    ("gang", "kang"),
    ("guo", "kuo", "kwok", "kok"),
    ("hai", "hoi"),
    ("hao", "ho"),
    ("he", "ho", "hor"),
    ("hong", "hung"),
    ("hu", "woo", "foo"),
    ("hua", "wah", "hwa"),
    ("huang", "wong", "hwang"),
    ("hui", "wai", "fai", "hwei"),
    ("jia", "chia"),
    ("jian", "chien", "kin", "kim", "gin"),
    ("jie", "chieh", "kit", "git"),
    ("jing", "ching", "king"),
    ("juan", "chuan", "kuen"),
    ("jun", "chun", "kwan"),
    ("kai", "hoi"),
    ("lei", "lui"),
    ("li", "lee"),
    ("liang", "leung"),
    ("lin", "lam", "lim", "lum"),
    ("liu", "lau", "lew"),
    ("long", "lung"),
    ("luo", "lo", "law"),
    ("mei", "mui", "may"),
    ("qiang", "chiang", "keung"),
    ("qing", "ching", "tsing", "hing"),
    ("song", "sung"),
    ("wang", "wong"),
    ("wei", "wai", "way"),
    ("wu", "ng", "woo"),
    ("xiao", "hsiao", "siu", "shiu"),
    ("xie", "hsieh", "tse", "sia"),
    ("xin", "hsin"),
    ("xiu", "hsiu", "sau"),
    ("xu", "hsu", "tsui"),
    ("xue", "hsueh", "suet", "sit"),
    ("yan", "yen", "yin", "ngan"),
    ("yang", "yeung", "yeo"),
    ("yi", "i", "yee"),
    ("ying", "wing"),
    ("yong", "yung", "wing"),
    ("yu", "yee"),
    ("yun", "wun"),
    ("zeng", "tseng", "tsang"),
    ("zhang", "chang", "cheung"),
    ("zhao", "chao", "chiu"),
    ("zheng", "cheng", "ching"),
    ("zhi", "chih", "chi"),
    ("zhou", "chou", "chow", "chau"),
    ("zi", "tzu", "tsz"),
)
_OTHER_SYLLABLES = ("ming", "ping", "na", "ning", "ling", "ran", "han", "ye", "tao", "bin")
"""Syllables of common names written alike in every system: needed only to split a name
written as one word ("xiaoming") into its syllables."""


def _spellings() -> dict[str, frozenset[str]]:
    """Per spelling, every spelling that shares a group with it (itself included)."""
    also: dict[str, frozenset[str]] = {}
    for group in SYLLABLE_SPELLINGS:
        for spelling in group:
            also[spelling] = also.get(spelling, frozenset()) | frozenset(group)
    return also


_ALSO = _spellings()
_SYLLABLES = frozenset(_ALSO) | frozenset(_OTHER_SYLLABLES)
_LONGEST = max(len(s) for s in _SYLLABLES)


def same_syllable(a: str, b: str) -> bool:
    """Whether two syllables are one, or spellings of one in ``SYLLABLE_SPELLINGS``."""
    return a == b or b in _ALSO.get(a, ())


@memoize(maxsize=2**14)
def syllables(name: str) -> tuple[str, ...] | None:
    """A folded given name as its syllables ("xiao ming", "hsiao-ming" and "xiaoming" all
    give ("xiao", "ming"), the last by splitting into known syllables), or None when a
    word is neither one syllable nor splits into known ones."""
    return split_name(name, _SYLLABLES, _LONGEST)


def romanisations_agree(a: str, b: str) -> bool:
    """Whether two folded given names may be one Chinese name in two romanisations: the
    same number of syllables, each pair one (``same_syllable``), or one side the first
    syllables of the other (a name cut short: "siu" beside "xiaoming"). False when either
    is not made of known syllables."""
    xs, ys = syllables(a), syllables(b)
    if xs is None or ys is None:
        return False
    short, long_ = (xs, ys) if len(xs) <= len(ys) else (ys, xs)
    return all(same_syllable(p, q) for p, q in zip(short, long_, strict=False))


_GROUP_OF = group_index(SYLLABLE_SPELLINGS)
MAX_KEYS = 16
"""A name whose syllables could be read more ways than this gets no keys (see
``romanisation_keys``); common names have one to four."""


@memoize(maxsize=2**14)
def romanisation_keys(name: str) -> tuple[str, ...] | None:
    """Keys that two spellings of one Chinese name share: for each way of reading every
    syllable as one of its groups in ``SYLLABLE_SPELLINGS`` (a syllable in no group stands
    for itself), the groups in order. Two names share a key exactly when they have the same
    number of syllables and each pair is one (``same_syllable``): "xiaoming", "hsiao-ming"
    and "siu ming" share one, "wei" and "hui" none. None when the name is not made of known
    syllables, when no syllable of it has another spelling (its keys would say no more than
    the name itself), or when it has more than ``MAX_KEYS`` readings. Unlike
    ``romanisations_agree``, a name cut short ("siu" beside "xiaoming") shares no key."""
    parts = syllables(name)
    if parts is None or not any(p in _GROUP_OF for p in parts):
        return None
    keys = [""]
    for part in parts:
        options = [str(g) for g in _GROUP_OF[part]] if part in _GROUP_OF else [part]
        keys = [f"{k}.{o}" if k else o for k in keys for o in options]
        if len(keys) > MAX_KEYS:
            return None
    return tuple(sorted(keys))


def roman_list(name: str | None) -> list[str] | None:
    """The keys two spellings of one name share, as a new list (a model input column's
    value), None for none: its Chinese keys (``romanisation_keys``) and its Korean ones
    (``normalize.korean.korean_keys``), which never equal each other."""
    if not name:
        return None
    keys = [*(romanisation_keys(name) or ()), *korean_keys(name)]
    return keys or None
