"""Whether two name parts, dates or suffixes may belong to one person, loosely.

Clustering asks this to recognise the household pattern and conflicting suffixes, and
generic-value detection to count how many different people share a value; both need an
answer that leans towards "may be one person" where spelling varies (typos, nicknames,
transliterations, OCR), so that one person's corrupted copies are not taken for many
people.
"""

from __future__ import annotations

from collections.abc import Collection

from linkwise.normalize.korean import korean_names_agree
from linkwise.normalize.names import suffix_generation, surname_tokens
from linkwise.normalize.nickname import nickname_candidates
from linkwise.normalize.phonetic import sound_key
from linkwise.normalize.romanisation import romanisations_agree


def given_names_compatible(a: str, b: str) -> bool:
    """Whether two folded given names may name one person: the same first name, an
    initial of it, a known nickname of it ("bill" and "william"), a short form that begins
    or ends it ("barb" and "barbara", "tina" and "christina"), one typo or OCR misreading
    ("rnegan" and "megan") away, the same sound (in Wade-Giles or pinyin: "hsin" and
    "xin"), one Chinese name in two romanisations ("lin" and "lam", "xiaoming" and "siu
    ming"), a nickname one typo from the other's long name ("sasha" and "alexandr"), any of
    these once misread digits are read as meant ("r0b" and "robert"), or the same name
    written as one word or two ("su bin" and "subin"). Two given names of two words or more
    must also agree after their first words, unless they are one name written two ways
    (``_one_name_two_ways``): with the first words the same, their second words must be
    alike ("ji hoon" and "ji woo" are siblings sharing a generation syllable); with the first
    words different, a later word of one must be compatible with a later word of the other
    ("mi gyeong" and "min seo" are two names, "mary beth" and "marie elizabeth" one).

    Used to recognise the household pattern, and through ``may_be_one_person`` to count
    the people who share a value (``generic``), so it leans towards "compatible": a false
    "compatible" leaves the decision to the model's score, while a false "incompatible"
    would refuse a merge the model was sure of, or count one person's copies as two.
    Measured on the demo world: of the household refusals between one person's records,
    41% were a spacing variant, a short form or an OCR misreading, against 1.5% of those
    between two people.
    """
    xs, ys = a.split(), b.split()
    if not xs or not ys:
        return True
    x, y = xs[0], ys[0]
    if x == y:
        # two given names of two words each, the first the same and the second not alike,
        # are two names ("ji hoon" and "ji woo", siblings sharing a generation syllable;
        # "jose luis" and "jose antonio"); one word against two may be a name shortened
        if len(xs) < 2 or len(ys) < 2 or _words_alike(xs[1], ys[1]):
            return True
        return _one_name_two_ways(a, b)
    if len(xs) >= 2 and len(ys) >= 2 and not _later_words_compatible(xs, ys):
        # the same holds when the first words differ: however alike "mi" and "min" or
        # "hye" and "hyeon" are, "mi gyeong" and "min seo" are two names
        return _one_name_two_ways(a, b)
    if len(x) == 1 or len(y) == 1:
        return x[0] == y[0]
    # as a misread digit was meant ("r0b": "rob"); letters are left as written, since
    # folding "rn" or "cl" in ordinary names makes new ones ("arnie": "amie")
    read = (_ocr_fold(x), _ocr_fold(y)) if _has_digit(x + y) else (x, y)
    for p, q in ((x, y), ("".join(xs), "".join(ys)), read):
        if one_edit(p, q) or sound_key(p) == sound_key(q):
            return True  # a typo ("jonh") or a transliteration ("yevgeny"/"evgeniy")
        if sound_key(_romanised(p)) == sound_key(_romanised(q)):
            return True  # Wade-Giles and pinyin ("hsin"/"xin", "ching"/"qing")
        if min(len(p), len(q)) >= _SHORT_FORM and (p.startswith(q) or q.startswith(p)):
            return True  # a short form ("barb"/"barbara", "max"/"maxim")
        if min(len(p), len(q)) >= _SHORT_FORM + 1 and (p.endswith(q) or q.endswith(p)):
            return True  # a short form from the end ("tina"/"christina", "lupe"/"guadalupe")
        if one_edit(_ocr_fold(p), _ocr_fold(q)):
            return True
    if romanisations_agree(a, b):
        return True
    return any(
        _nickname_of_spelling(p, q) or _nickname_of_spelling(q, p) for p, q in {(x, y), read}
    )


def _one_name_two_ways(a: str, b: str) -> bool:
    """Whether two given names of several words are one name written two ways: the same
    letters with the spaces elsewhere or one typo among them ("su bin" and "subin"), or one
    Chinese or Korean name in two romanisations ("hyun woo" and "hyeon u")."""
    joined_a, joined_b = a.replace(" ", ""), b.replace(" ", "")
    return one_edit(joined_a, joined_b) or romanisations_agree(a, b) or korean_names_agree(a, b)


def _later_words_compatible(xs: list[str], ys: list[str]) -> bool:
    """Whether a word after the first of one given name may be one after the first of the
    other, by the one-word test ("mary beth" and "marie elizabeth", "maria del carmen" and
    "mari carmen")."""
    return any(given_names_compatible(p, q) for p in xs[1:] for q in ys[1:])


def _nickname_of_spelling(x: str, y: str) -> bool:
    """Whether ``y`` is a nickname or formal name of ``x``, as spelt or one typo from a
    long one ("zhenya" and "yevgeni", since "yevgeny" is zhenya's; "sasha" and
    "alexandr", since "alexander" is sasha's). Only long names: the candidate sets are
    broad, and a typo away from any short one joins different names ("brian" and
    "ryan" through "bryan")."""
    forms = nickname_candidates(x)
    if y in forms:
        return True
    if len(y) < _LONG_SPELLING:
        return False
    return any(n != x and len(n) >= _LONG_SPELLING and one_edit(n, y) for n in forms)


def _words_alike(p: str, q: str) -> bool:
    """Whether two words of given names may be one word written twice: equal, an initial
    of the other, one typo apart, or the same sound."""
    if len(p) == 1 or len(q) == 1:
        return p[0] == q[0]
    return one_edit(p, q) or sound_key(p) == sound_key(q)


_SHORT_FORM = 3
"""A given name at least this long that begins another (one letter longer, that ends
another) is taken as its short form."""
_LONG_SPELLING = 6
"""Nickname candidates and names at least this long may be taken as one a typo apart
(``_nickname_of_spelling``)."""
_OCR_PAIRS: tuple[tuple[str, str], ...] = (
    ("rn", "m"),
    ("cl", "d"),
    ("vv", "w"),
    ("0", "o"),
    ("1", "l"),
    ("5", "s"),
    ("8", "b"),
)


def _romanised(name: str) -> str:
    """``name`` with the Wade-Giles spellings that pinyin writes "x" and "q" written as
    pinyin does, for the sound key ("hsiao" and "xiao", "chiang" and "qiang"). Mandarin
    names reach records in both systems, and Taiwanese and older records keep Wade-Giles."""
    if name.startswith("hs"):
        return "x" + name[2:]
    if name.startswith("ch"):
        return "q" + name[2:]
    return name


def _has_digit(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


def _ocr_fold(name: str) -> str:
    """``name`` with the characters optical character recognition confuses written alike."""
    for seen, meant in _OCR_PAIRS:
        name = name.replace(seen, meant)
    return name


def one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by at most one substitution, insertion, deletion or
    transposition of adjacent characters."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if la < lb else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


def families_agree(a: str, b: str) -> bool:
    """Whether two folded family names may be one family's: equal, one typo apart (names of
    four letters or more), or sharing a word of a double surname."""
    if a == b:
        return True
    if min(len(a), len(b)) >= 4 and one_edit(a, b):
        return True
    return not set(surname_tokens(a)).isdisjoint(surname_tokens(b))


def families_alike(a: str, b: str) -> bool:
    """Whether two folded family names may be one family's, as the household check reads
    them: as ``families_agree``, or one surname in two romanisations ("li" and "lee", "xu"
    and "tsui"), or a word of one double surname a typo of a word of the other ("perez
    rodrigues" and "rodriguez", words of four letters or more).

    Wider than ``families_agree`` because the household check leans the other way: it
    refuses a merge only when the given names cannot be one person's as well, so a false
    "alike" costs a merge only where both names differ, while a false "not alike" lets
    twins and siblings of one family, written two ways, merge on their shared date of birth
    and address (measured on the demo world, benchmarks/RESULTS.md)."""
    if families_agree(a, b) or romanisations_agree(a, b):
        return True
    return any(
        min(len(p), len(q)) >= 4 and one_edit(p, q)
        for p in surname_tokens(a)
        for q in surname_tokens(b)
    )


def suffixes_conflict(a: str | None, b: str | None) -> bool:
    """Whether two name suffixes name different generations ("jr" and "sr", "ii" and
    "iii"): a father and son, or a grandfather and grandson, not one person. A suffix
    against none is no conflict (sources drop suffixes all the time), and "jr" against
    "ii" is none either (both say "the second")."""
    ga, gb = suffix_generation(a), suffix_generation(b)
    return ga is not None and gb is not None and ga != gb


def dates_alike(a: str, b: str) -> bool:
    """Whether two dates of birth (ISO at any precision: "1961", "1961-07", "1961-07-04")
    may be one date written twice: consistent as far as both go, or full dates one
    keystroke apart (1961-07-04 and 1961-07-14, 1916-07-04), with day and month swapped,
    or with the year off by one."""
    if a == b:
        return True
    pa, pb = a.split("-"), b.split("-")
    if len(pa) == 3 and len(pb) == 3:
        if one_edit(a, b):
            return True
        if pa[0] == pb[0] and pa[1] == pb[2] and pa[2] == pb[1]:
            return True
        return (
            pa[1:] == pb[1:]
            and pa[0].isdigit()
            and pb[0].isdigit()
            and (abs(int(pa[0]) - int(pb[0])) == 1)
        )
    n = min(len(pa), len(pb))
    return pa[:n] == pb[:n]


def _parts_alike(a: str | None, b: str | None) -> bool | None:
    """Whether two name parts agree loosely; None when either is missing."""
    if not a or not b:
        return None
    return families_agree(a, b) or given_names_compatible(a, b)


def _tally(*agreements: bool | None) -> tuple[int, int]:
    """(agreeing, disagreeing) among ``agreements``, leaving out the unknown (None)."""
    return (
        sum(1 for x in agreements if x is True),
        sum(1 for x in agreements if x is False),
    )


def name_key(given: str | None, family: str | None) -> tuple[str, str] | None:
    """Both names, in an order that does not depend on which was written first; None
    unless both are given."""
    if not given or not family:
        return None
    return (given, family) if given <= family else (family, given)


def may_be_one_person(
    a: tuple[str | None, str | None, str | None],
    b: tuple[str | None, str | None, str | None],
    common: Collection[tuple[str, str]] = (),
) -> bool:
    """Whether two (given name, family name, date of birth) triples may describe one
    person whose details were mistyped, swapped or replaced in one copy.

    Each part agrees loosely (a typo, a nickname, an initial, a sound-alike, one word of a
    double surname; dates as ``dates_alike``), disagrees, or is missing on one side; the
    names are aligned as written or swapped, whichever agrees more. One person when two
    parts agree, or one agrees and none disagrees: a copy with one part corrupted still
    counts as its person ("ashleigh whiteway 1961-07-04" and "ashleigh egan 1961-07-04"),
    while two people who share only a surname, or only a date, do not.

    Except namesakes: names that agree beside dates of birth that do not are two people
    when either full name is in ``common`` (``name_key`` form; a name many people bear,
    such as "maria garcia"), and one person with a mistyped date only when it is rare.
    """
    (ga, fa, da), (gb, fb, db) = a, b
    dates = None if not da or not db else dates_alike(da, db)
    straight = _tally(_parts_alike(ga, gb), _parts_alike(fa, fb), dates)
    swapped = _tally(_parts_alike(ga, fb), _parts_alike(fa, gb), dates)
    agree, disagree = max(straight, swapped, key=lambda t: (t[0], -t[1]))
    namesakes = name_key(ga, fa) in common or name_key(gb, fb) in common
    if dates is False and agree >= 2 and namesakes:
        return False
    return agree >= 2 or (agree == 1 and disagree == 0)
