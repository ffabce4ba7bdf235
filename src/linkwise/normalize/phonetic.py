"""A sound key for names that survives transliteration.

The same name reaches records spelt by different romanisation conventions: Yevgeny and
Evgeniy, Aleksei and Alexei, Hussein and Husain, Khalid and Khaled, Muhammad and Mohammed.
Jaro-Winkler puts some of these pairs far apart, and classic Soundex keeps the first letter
literally (so Y/E and C/K split). ``sound_key`` maps a folded name to a consonant skeleton
whose classes merge the letters that transliteration systems trade for each other:

* vowels (and ``y``, ``w``, ``h`` after the first sound, ``j`` after a vowel) carry no
  class; a leading vowel or ``y`` becomes ``a`` so that "Evgeny"/"Yevgeny" and
  "Ilin"/"Ilyin" agree;
* digraphs first: ``kh``/``ck``/``q``/``c`` (before a, o, u, consonants) → ``k``;
  ``ph``/``v``/``w`` → ``f``; ``x`` → ``ks``; ``th``/``dh``/``d`` → ``t``;
  ``zh``/``ch``/``sh``/``sch``/``dj``/``j`` → ``j``;
  ``z``/``ts``/``tz``/``c`` before e, i → ``s``; ``b`` → ``p``; ``g`` → ``k``;
* repeated classes collapse, so "Mohammed", "Muhammad" and "Mohamed" all give ``mt``.

The key is coarse on purpose: it is one comparison level *below* the string-similarity levels,
so the model learns (from u and m) how little a key agreement alone proves. It is not a
replacement for Double Metaphone, which targets English spelling, not transliteration.
"""

from __future__ import annotations

from linkwise.normalize._cache import memoize
from linkwise.normalize.text import fold

# Longest first: each entry is tried at the current position before shorter ones.
_DIGRAPHS: tuple[tuple[str, str], ...] = (
    ("tsch", "j"),
    ("dzh", "j"),
    ("sch", "j"),
    ("tch", "j"),
    ("kh", "k"),
    ("ck", "k"),
    ("gh", "k"),
    ("ph", "f"),
    ("th", "t"),
    ("dh", "t"),
    ("zh", "j"),
    ("ch", "j"),
    ("sh", "j"),
    ("dj", "j"),
    ("ts", "s"),
    ("tz", "s"),
)
_SINGLE: dict[str, str] = {
    "b": "p",
    "p": "p",
    "f": "f",
    "v": "f",
    "w": "f",
    "k": "k",
    "q": "k",
    "g": "k",
    "c": "k",
    "x": "ks",
    "d": "t",
    "t": "t",
    "s": "s",
    "z": "s",
    "j": "j",
    "l": "l",
    "r": "r",
    "m": "m",
    "n": "n",
}
_VOWELS = frozenset("aeiouy")
_SILENT_AFTER_START = frozenset("aeiouyhw")


@memoize(maxsize=2**15)
def sound_key(name: str) -> str | None:
    """The transliteration-tolerant sound key of one name (one or more words).

    Words are keyed separately and joined with a space, so "de la Cruz" keeps its parts.
    Returns ``None`` when nothing alphabetic is left.
    """
    words = [w for w in "".join(ch if ch.isalpha() else " " for ch in fold(name)).split()]
    keys = [k for k in (_word_key(w) for w in words) if k]
    return " ".join(keys) or None


def _word_key(word: str) -> str:
    classes: list[str] = []
    i, n = 0, len(word)
    if word[0] in _VOWELS:
        classes.append("a")
        i = 1
        while i < n and word[i] in _SILENT_AFTER_START:
            i += 1
    elif word[0] == "h" and n > 1 and word[1] in _VOWELS:
        classes.append("h")
        i = 1
    while i < n:
        ch = word[i]
        if ch in _SILENT_AFTER_START and i > 0:
            i += 1
            continue
        if ch == "j" and i > 0 and word[i - 1] in _VOWELS:
            i += 1  # "Bojan"/"Boyan", "Hajek"/"Hayek": a j after a vowel is the y glide
            continue
        for graph, cls in _DIGRAPHS:
            if word.startswith(graph, i):
                classes.append(cls)
                i += len(graph)
                break
        else:
            if ch == "c" and i + 1 < n and word[i + 1] in "eiy":
                classes.append("s")
            else:
                classes.append(_SINGLE.get(ch, ch))
            i += 1
    out: list[str] = []
    for cls in classes:
        for part in cls:
            if not out or out[-1] != part:
                out.append(part)
    return "".join(out)
