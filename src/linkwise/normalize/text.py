"""Script-neutral matching forms of text.

Every comparison in linkwise works on a *folded* form so that "José-María O'Neil",
"JOSE MARIA ONEIL" and "Хосе Мария О'Нил" can meet. Folding is lossy on purpose; callers keep
the original beside it.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right

from anyascii import anyascii

from linkwise.normalize._cache import memoize


class _AsciiTable(dict[int, str]):
    """``str.translate`` table that transliterates each code point on first sight.

    anyascii maps code point by code point, so translating per character gives exactly
    ``anyascii(text)``; caching the per-character answers makes non-ASCII folding about ten
    times cheaper than calling anyascii on the whole string.
    """

    def __missing__(self, codepoint: int) -> str:
        out = anyascii(chr(codepoint))
        self[codepoint] = out
        return out


_TO_ASCII = _AsciiTable()

# After transliteration only ASCII is left: apostrophes and backticks are deleted (O'Neil ->
# oneil), '&' becomes the word "and", and every other non-alphanumeric character separates
# words. Splitting on '/' or '(' as well as on '-' keeps "Smith/Jones" two words.
_PUNCT = {ord(c): " " for c in map(chr, range(128)) if not c.isalnum()}
_PUNCT.update({ord("'"): "", ord("`"): "", ord("&"): " and "})


def to_ascii(raw: str) -> str:
    """``anyascii(raw)``, through the per-character cache."""
    return raw if raw.isascii() else raw.translate(_TO_ASCII)


@memoize(maxsize=2**17)
def fold(raw: str) -> str:
    """The matching form of ``raw``: ASCII, lower-case, words separated by single spaces.

    Transliterates any script (anyascii), so diacritics vanish and "Иванов" becomes
    "ivanov". Apostrophes are removed rather than spaced so "O'Neil" and "ONeil" agree;
    '&' reads as "and". The result only contains ``[a-z0-9 ]`` and folding is idempotent.
    """
    return " ".join(to_ascii(raw).lower().translate(_PUNCT).split())


# Code point ranges of the scripts people's names are written in. Letters outside these
# ranges fall back to the first word of their Unicode character name (e.g. "TIFINAGH").
_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0041, 0x005A, "Latin"),
    (0x0061, 0x007A, "Latin"),
    (0x00AA, 0x00AA, "Latin"),
    (0x00BA, 0x00BA, "Latin"),
    (0x00C0, 0x02AF, "Latin"),
    (0x0370, 0x03FF, "Greek"),
    (0x0400, 0x052F, "Cyrillic"),
    (0x0531, 0x058F, "Armenian"),
    (0x0590, 0x05FF, "Hebrew"),
    (0x0600, 0x06FF, "Arabic"),
    (0x0700, 0x074F, "Syriac"),
    (0x0750, 0x077F, "Arabic"),
    (0x0780, 0x07BF, "Thaana"),
    (0x0870, 0x08FF, "Arabic"),
    (0x0900, 0x097F, "Devanagari"),
    (0x0980, 0x09FF, "Bengali"),
    (0x0A00, 0x0A7F, "Gurmukhi"),
    (0x0A80, 0x0AFF, "Gujarati"),
    (0x0B00, 0x0B7F, "Oriya"),
    (0x0B80, 0x0BFF, "Tamil"),
    (0x0C00, 0x0C7F, "Telugu"),
    (0x0C80, 0x0CFF, "Kannada"),
    (0x0D00, 0x0D7F, "Malayalam"),
    (0x0D80, 0x0DFF, "Sinhala"),
    (0x0E00, 0x0E7F, "Thai"),
    (0x0E80, 0x0EFF, "Lao"),
    (0x0F00, 0x0FFF, "Tibetan"),
    (0x1000, 0x109F, "Myanmar"),
    (0x10A0, 0x10FF, "Georgian"),
    (0x1100, 0x11FF, "Hangul"),
    (0x1200, 0x139F, "Ethiopic"),
    (0x13A0, 0x13FF, "Cherokee"),
    (0x1780, 0x17FF, "Khmer"),
    (0x1800, 0x18AF, "Mongolian"),
    (0x1C80, 0x1C8F, "Cyrillic"),
    (0x1C90, 0x1CBF, "Georgian"),
    (0x1D00, 0x1D7F, "Latin"),
    (0x1E00, 0x1EFF, "Latin"),
    (0x1F00, 0x1FFF, "Greek"),
    (0x2C60, 0x2C7F, "Latin"),
    (0x2D00, 0x2D2F, "Georgian"),
    (0x2DE0, 0x2DFF, "Cyrillic"),
    (0x3005, 0x3007, "Han"),
    (0x3040, 0x309F, "Hiragana"),
    (0x30A0, 0x30FF, "Katakana"),
    (0x3100, 0x312F, "Bopomofo"),
    (0x3130, 0x318F, "Hangul"),
    (0x31F0, 0x31FF, "Katakana"),
    (0x3400, 0x4DBF, "Han"),
    (0x4E00, 0x9FFF, "Han"),
    (0xA640, 0xA69F, "Cyrillic"),
    (0xA720, 0xA7FF, "Latin"),
    (0xA960, 0xA97F, "Hangul"),
    (0xAB30, 0xAB6F, "Latin"),
    (0xAC00, 0xD7FF, "Hangul"),
    (0xF900, 0xFAFF, "Han"),
    (0xFB00, 0xFB06, "Latin"),
    (0xFB1D, 0xFB4F, "Hebrew"),
    (0xFB50, 0xFDFF, "Arabic"),
    (0xFE70, 0xFEFF, "Arabic"),
    (0xFF21, 0xFF3A, "Latin"),
    (0xFF41, 0xFF5A, "Latin"),
    (0xFF66, 0xFF9F, "Katakana"),
    (0xFFA0, 0xFFDC, "Hangul"),
    (0x20000, 0x323AF, "Han"),
)
_STARTS = tuple(start for start, _, _ in _RANGES)


def _script_of_char(char: str) -> str:
    codepoint = ord(char)
    i = bisect_right(_STARTS, codepoint) - 1
    if i >= 0 and codepoint <= _RANGES[i][1]:
        return _RANGES[i][2]
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0].title() if name else "Unknown"


@memoize(maxsize=2**16)
def script_of(raw: str) -> str:
    """The Unicode script most of the letters in ``raw`` are written in; "" without letters.

    Name handling depends on it (family-name-first order for Han and Hangul, splitting
    Chinese names without spaces), and it tells the caller whether the original script is
    worth storing beside the folded form. Ties go to the script seen first.
    """
    if raw.isascii():
        return "Latin" if any(c.isalpha() for c in raw) else ""
    counts: dict[str, int] = {}
    for char in raw:
        if char.isalpha():
            script = "Latin" if char.isascii() else _script_of_char(char)  # ASCII: [A-Za-z]
            counts[script] = counts.get(script, 0) + 1
    if not counts:
        return ""
    return max(counts, key=counts.__getitem__)


_ASCII_LETTER = re.compile("[A-Za-z]")


def is_latin(raw: str) -> bool:
    """True when ``raw`` has letters and all of them are Latin script.

    Strict on purpose: a name with any non-Latin letter needs its original form kept.
    ASCII text is answered directly (its letters are [A-Za-z]); a cache costs more.
    """
    if raw.isascii():
        return _ASCII_LETTER.search(raw) is not None
    return _is_latin(raw)


@memoize(maxsize=2**16)
def _is_latin(raw: str) -> bool:
    letters = [c for c in raw if c.isalpha()]
    return bool(letters) and all(c.isascii() or _script_of_char(c) == "Latin" for c in letters)
