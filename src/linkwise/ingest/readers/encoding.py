"""Character-encoding detection for delimited text files.

The whole file is checked as UTF-8 in a streaming pass (cheap next to parsing), because a
sample can be pure ASCII while line 900,000 holds a Latin-1 "é". Only when UTF-8 fails is a
statistical guess (charset-normalizer) made; the Western single-byte family is then settled
by whether the file uses bytes 0x80-0x9F, which Windows-1252 prints and Latin-1 does not.

The guess is unreliable on a few accented names: a ten-row Latin-1 file with one "Müller"
came back as cp775, and a two-row one with "Jérôme" as Korean Johab. Such a guess of a
legacy code page (``_LEGACY``) is overruled when, read in that encoding, most runs of
non-ASCII characters touch an ASCII letter: accents inside Latin words ("M\xfcller",
"\xd1\xfa\xf1ez"), where Cyrillic, Greek or CJK text writes whole words of them.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from charset_normalizer import from_bytes

_CHUNK = 1 << 20
_C1 = re.compile(rb"[\x80-\x9f]")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_FOREIGN = re.compile(r"[^\x00-\x7f]+")
_LEGACY = {
    "cp437",
    "cp775",
    "cp852",
    "cp857",
    "cp858",
    "cp860",
    "cp861",
    "cp863",
    "cp865",
    "mac_iceland",
    "mac_latin2",
    "mac_turkish",
    "hp_roman8",
    "johab",
}
"""Guesses that may be overruled: DOS and Mac code pages of Latin scripts, and Korean Johab,
which charset-normalizer returned for a few accented names in Latin-1; a genuine file in one
of them today is far rarer than that. UTF-16/32, Vietnamese cp1258, Japanese, Chinese and
EUC guesses are never overruled, whatever their letters."""
_WESTERN = {"cp1252", "latin_1", "iso8859_15", "cp1250", "mac_roman", "cp850", "iso8859_2"}


def detect_encoding(path: Path) -> str:
    with path.open("rb") as fh:
        head = fh.read(4)
        for bom, name in _BOMS:
            if head.startswith(bom):
                return name
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        window = b""
        c1_seen = False
        utf8 = True
        while chunk := fh.read(_CHUNK):
            c1_seen = c1_seen or _C1.search(chunk) is not None
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    utf8 = False
                    window = chunk[max(0, exc.start - 4096) : exc.start + 60000]
        if utf8:
            try:
                decoder.decode(b"", final=True)
                return "utf-8"
            except UnicodeDecodeError:
                pass
        fh.seek(0)
        window = fh.read(200_000) + window
    best = from_bytes(window).best()
    guess = best.encoding if best is not None else None
    if guess is None or guess in _WESTERN or (guess in _LEGACY and _accented_latin(window, guess)):
        return "cp1252" if c1_seen else "latin-1"
    return str(guess)


def _accented_latin(window: bytes, guess: str) -> bool:
    """Whether, read as ``guess``, at least half the runs of non-ASCII characters in
    ``window`` touch an ASCII letter ("\xd1\xfa\xf1" in "\xd1\xfa\xf1ez" does, whatever the
    characters; a Cyrillic or Japanese word between delimiters does not)."""
    text = window.decode(guess, errors="replace")
    runs = beside = 0
    for run in _FOREIGN.finditer(text):  # one pass: a lookahead per run start is quadratic
        runs += 1
        before = text[run.start() - 1 : run.start()]
        after = text[run.end() : run.end() + 1]
        beside += any(c.isascii() and c.isalpha() for c in before + after)
    return runs > 0 and 2 * beside >= runs
