"""Text corruptions of the kinds real record systems produce, and their bookkeeping.

Each function changes a value the way a person or machine plausibly would: a neighbouring
key, a dropped or swapped letter, an OCR engine reading ``O`` as ``0``, a clerk dropping
accents or mistyping one digit of an SSN. ``Tally`` counts, per difficulty, how many
records were eligible, how many were expected to be hit, and how many were, so a test and
``world.json`` can show the rates the world really has.
"""

from __future__ import annotations

import functools
import itertools
import random
import unicodedata
from collections import Counter
from dataclasses import dataclass, field


def _adjacent_keys() -> dict[str, str]:
    """Letters a finger can hit instead of each letter on a QWERTY keyboard."""
    rows = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
    out = {}
    for r, row in enumerate(rows):
        for c, ch in enumerate(row):
            near = [row[i] for i in (c - 1, c + 1) if 0 <= i < len(row)]
            for other in (rows[r + d] for d in (-1, 1) if 0 <= r + d < len(rows)):
                near += [other[i] for i in (c - 1, c, c + 1) if 0 <= i < len(other)]
            out[ch] = "".join(near)
    return out


_ADJACENT = _adjacent_keys()

_OCR: tuple[tuple[str, str], ...] = (
    ("O", "0"),
    ("0", "O"),
    ("I", "1"),
    ("l", "1"),
    ("1", "l"),
    ("S", "5"),
    ("5", "S"),
    ("B", "8"),
    ("rn", "m"),
    ("m", "rn"),
    ("RN", "M"),
    ("M", "RN"),
    ("Z", "2"),
    ("G", "6"),
)
_NOT_DECOMPOSED = str.maketrans(
    {"đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "ı": "i", "ø": "o", "Ø": "O", "ß": "ss"}
)
_HOMOGLYPHS = str.maketrans({"а": "a", "е": "e", "о": "o", "с": "c", "р": "p", "х": "x"})


def typo(text: str, rng: random.Random) -> str:
    """One keyboard slip in a letter: an adjacent key, a dropped letter, or two letters
    swapped. Returns ``text`` unchanged when it has too few letters to slip on."""
    letters = [i for i, ch in enumerate(text) if ch.isalpha()]
    if len(letters) < 3:
        return text
    kind = rng.randrange(3)
    k = rng.randrange(1, len(letters))
    i = letters[k]
    if kind == 0:
        near = _ADJACENT.get(text[i].lower())
        if near:
            new = near[rng.randrange(len(near))]
            new = new.upper() if text[i].isupper() else new
            return text[:i] + new + text[i + 1 :]
        kind = 1
    if kind == 1:
        return text[:i] + text[i + 1 :]
    j = letters[k - 1]
    if j != i - 1 or text[i] == text[j]:
        return text[:i] + text[i + 1 :]
    return text[:j] + text[i] + text[j] + text[i + 1 :]


def ocr(text: str, rng: random.Random) -> str:
    """One OCR confusion (0/O, 1/l/I, 5/S, 8/B, rn/m ...) if the text offers one."""
    spots = [(i, a, b) for a, b in _OCR for i in _find_all(text, a)]
    if not spots:
        return text
    i, a, b = spots[rng.randrange(len(spots))]
    return text[:i] + b + text[i + len(a) :]


def _find_all(text: str, part: str) -> list[int]:
    out, start = [], text.find(part)
    while start >= 0:
        out.append(start)
        start = text.find(part, start + 1)
    return out


def digit_typo(value: str, rng: random.Random) -> str:
    """One digit changed, or two adjacent different digits transposed; other characters
    (dashes, letters) stay where they are."""
    digits = [i for i, ch in enumerate(value) if ch.isdigit()]
    if len(digits) < 2:
        return value
    chars = list(value)
    pairs = [(a, b) for a, b in itertools.pairwise(digits) if chars[a] != chars[b]]
    if pairs and rng.random() < 0.4:
        a, b = pairs[rng.randrange(len(pairs))]
        chars[a], chars[b] = chars[b], chars[a]
    else:
        i = digits[rng.randrange(len(digits))]
        chars[i] = rng.choice([d for d in "0123456789" if d != chars[i]])
    return "".join(chars)


@functools.lru_cache(maxsize=1 << 16)
def strip_diacritics(text: str) -> str:
    """Cached: names repeat heavily, and this is on every record's path."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_NOT_DECOMPOSED))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def has_diacritics(text: str) -> bool:
    return strip_diacritics(text) != text


@functools.lru_cache(maxsize=1 << 16)
def encodable(text: str, encoding: str | None) -> bool:
    if encoding is None:
        return True
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def fit_charset(text: str, encoding: str | None) -> str:
    """``text`` as a system limited to ``encoding`` would have stored it: characters it
    cannot hold lose their accents or become their look-alikes, and only then ``?``."""
    if encodable(text, encoding):
        return text
    assert encoding is not None
    out = []
    for ch in text:
        if not encodable(ch, encoding):
            ch = strip_diacritics(ch.translate(_HOMOGLYPHS)) or "?"
            ch = ch if encodable(ch, encoding) else "?"
        out.append(ch)
    return "".join(out)


@dataclass(slots=True)
class Tally:
    """Per difficulty: records eligible, expected hits (sum of rates), variance of that
    sum, and realised hits."""

    eligible: Counter[str] = field(default_factory=Counter)
    realised: Counter[str] = field(default_factory=Counter)
    expected: dict[str, float] = field(default_factory=dict)
    variance: dict[str, float] = field(default_factory=dict)

    def roll(self, rng: random.Random, tag: str, rate: float, tags: list[str]) -> bool:
        """Apply ``tag`` with probability ``rate``; a zero rate means the difficulty does
        not exist in this source, so the record is not counted as eligible."""
        if rate <= 0.0:
            return False
        self.eligible[tag] += 1
        self.expected[tag] = self.expected.get(tag, 0.0) + rate
        self.variance[tag] = self.variance.get(tag, 0.0) + rate * (1.0 - rate)
        if rng.random() < rate:
            self.realised[tag] += 1
            tags.append(tag)
            return True
        return False

    def note(self, tag: str, tags: list[str]) -> None:
        """A difficulty that is a fact about the record, not a roll (a twin, a shelter)."""
        self.realised[tag] += 1
        tags.append(tag)

    def merge(self, other: Tally) -> None:
        self.eligible.update(other.eligible)
        self.realised.update(other.realised)
        for tag, value in other.expected.items():
            self.expected[tag] = self.expected.get(tag, 0.0) + value
        for tag, value in other.variance.items():
            self.variance[tag] = self.variance.get(tag, 0.0) + value
