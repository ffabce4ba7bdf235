"""Character-encoding detection for delimited text files.

The whole file is checked as UTF-8 in a streaming pass (cheap next to parsing), because a
sample can be pure ASCII while line 900,000 holds a Latin-1 "é". Only when UTF-8 fails is a
statistical guess (charset-normalizer) made; the Western single-byte family is then settled
by whether the file uses bytes 0x80-0x9F, which Windows-1252 prints and Latin-1 does not.

A guess of a Latin single-byte code page is not taken as it is: charset-normalizer says
Windows-1250 (Central European) for French, German and Spanish files as readily as for
Polish or Czech ones, and Baltic, Nordic or Celtic pages for a few rows of Polish. The
names settle it (``_by_names``): the file is read in the Western, Central European, Baltic,
Turkish and Vietnamese code pages, and the reading with the fewest impossible words wins (the
Western one on a tie, then the guessed family). A word is impossible when a symbol sits
inside it ("£ukasz", "Ko³odziej": Polish Ł and ł read as Latin-1) or when its accented
letters belong to no one language of the code page's family ("Dvoøák", "Núńez");
ordinals ("Mª", "nº") are passed over. So
"Łukasz", "Dvořák" and "Růžička" are read as written, and "Núñez", "Lefèvre" and "Weiß"
stay Western. A few Hungarian names may stay Western, ő and ű read as õ and û, which
Portuguese and French have (the letters fold to the same o and u).

The guess is unreliable on a few accented names: a ten-row Latin-1 file with one "Müller"
came back as cp775, and a two-row one with "Jérôme" as Korean Johab. Such a guess of a
legacy code page (``_LEGACY``) is overruled when, read in that encoding, most runs of
non-ASCII characters touch an ASCII letter: accents inside Latin words ("M\xfcller",
"\xd1\xfa\xf1ez"), where Cyrillic, Greek or CJK text writes whole words of them. The
names then settle the code page as above.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
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
of them today is far rarer than that. UTF-16/32, Japanese, Chinese and EUC guesses are never
overruled, whatever their letters (Latin single-byte guesses, Vietnamese cp1258 among them,
are settled by the names: ``_LATIN``)."""


@dataclass(frozen=True, slots=True)
class _Family:
    """Single-byte code pages of one group of Latin-script languages: the one to read a
    file using bytes 0x80-0x9F with, those to try otherwise (a tie goes to the first), and
    the accented letters of each language written in them; after a "|", letters one of
    which a word must have to count as that language's."""

    name: str
    with_c1: str
    without_c1: tuple[str, ...]
    languages: tuple[str, ...]
    never_first: str = ""
    """Letters no word of these languages begins with."""


_FAMILIES = (
    _Family(
        "western",
        "cp1252",
        ("latin-1",),
        (
            "àâæçéèêëîïôœùûüÿ",  # French
            "äöüß",  # German
            "áéíñóúü",  # Spanish
            "áâãàçéêíóôõú",  # Portuguese
            "àèéìíîòóùú",  # Italian
            "àçèéíïòóúü",  # Catalan
            "áéëïóöü",  # Dutch
            "åäæöøé",  # Danish, Norwegian, Swedish, Finnish
            "áðéíóúýþæö",  # Icelandic
            "áðíóúýæø|ð",  # Faroese, where it writes ð ("Høgni" is Danish enough)
        ),
        # ð begins no Icelandic or Faroese word; Lithuanian š, read as Latin-1, often
        # begins one ("Šiaulių" as "Ðiauliø")
        never_first="ðÐ",
    ),
    _Family(
        "central",
        "cp1250",
        ("cp1250", "iso8859_2"),
        (
            "ąćęłńóśźż",  # Polish
            "áčďéěíňóřšťúůýž",  # Czech
            "áäčďéíĺľňóôŕšťúýž",  # Slovak
            "áéíóöőúüű",  # Hungarian
            "čćđšž",  # Croatian, Bosnian, Serbian, Slovene
            "ăâîşţșț",  # Romanian
            "äöüß",  # German, as written in the same files
        ),
    ),
    _Family(
        "baltic",
        "cp1257",
        ("cp1257", "iso8859_13"),
        (
            "ąčęėįšųūž",  # Lithuanian
            "āčēģīķļņšūž",  # Latvian
            "äõöüšž",  # Estonian
            "ąćęłńóśźż",  # Polish
            "äöüß",  # German
        ),
    ),
    _Family(
        "turkish",
        "cp1254",
        ("cp1254", "iso8859_9"),
        ("âçğıîöşüûİ",),  # Turkish ("i".upper() is "I": İ is its own letter)
    ),
    _Family(
        "vietnamese",
        "cp1258",
        ("cp1258",),
        # the letters Windows-1258 has whole, and the tone marks it writes after a letter
        ("àáâãèéêìíòóôõùúýăđơư\u0300\u0301\u0303\u0309\u0323",),
    ),
)
_LATIN = {
    "cp1252",
    "latin_1",
    "iso8859_15",
    "mac_roman",
    "cp850",
    "cp1250",
    "iso8859_2",
    "cp1257",
    "iso8859_13",
    "iso8859_4",
    "cp1254",
    "iso8859_9",
    "iso8859_3",
    "iso8859_10",
    "iso8859_14",
    "iso8859_16",
    "cp1258",
}
"""Guesses of a Latin single-byte code page, settled by the names (``_by_names``):
charset-normalizer gives Windows-1250 for French and Spanish files, Baltic, Nordic or
Celtic pages for Polish ones of a few rows, and Vietnamese Windows-1258 for Italian and
Latvian ones."""
_GUESS_FAMILY = {
    "cp1250": "central",
    "iso8859_2": "central",
    "cp1257": "baltic",
    "iso8859_13": "baltic",
    "iso8859_4": "baltic",
    "cp1254": "turkish",
    "iso8859_9": "turkish",
    "cp1258": "vietnamese",
}
_WORD = re.compile(r"[A-Za-z\u0080-\uffff]+")
_ORDINAL = re.compile(r"[A-Za-z]{0,2}[ªº]")
"""A Spanish or Portuguese ordinal ("Mª", "nº", "1º" without its digit): ª and º are letters
to Python, in no language's alphabet. Only whole such words are passed over, since the same
bytes are Romanian Ş and ş in the Central European pages ("ªtefan" for "Ştefan")."""


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
    if guess is None or guess in _LATIN or (guess in _LEGACY and _accented_latin(window, guess)):
        return _by_names(window, c1_seen, _GUESS_FAMILY.get(str(guess), "western"))
    return str(guess)


def _by_names(window: bytes, c1_seen: bool, guessed: str) -> str:
    """The Latin single-byte code page in which ``window`` reads best as names: the one
    with the fewest impossible words (module docstring). Only the family's Windows page is
    tried on a file using bytes 0x80-0x9F, which the ISO pages leave to control codes. A
    tie with the Western reading goes to it, or to the Turkish one when that ties too and
    the file looks Turkish (``_looks_turkish``); other ties go to the family
    charset-normalizer guessed, then to the first family listed."""
    scored: list[tuple[int, str, str]] = []  # (impossible words, family, encoding)
    texts: dict[str, str] = {}
    for family in _FAMILIES:
        languages = _ALPHABETS[family.name]
        never_first = frozenset(family.never_first)
        for encoding in (family.with_c1,) if c1_seen else family.without_c1:
            texts[encoding] = text = window.decode(encoding, errors="replace")
            scored.append((_impossible(text, languages, never_first), family.name, encoding))
    fewest = min(count for count, _, _ in scored)
    tied = [(name, encoding) for count, name, encoding in scored if count == fewest]
    families = [name for name, _ in tied]
    if "western" in families:
        western = texts["cp1252" if c1_seen else "latin-1"]
        pick = "turkish" if "turkish" in families and _looks_turkish(western) else "western"
    else:
        pick = guessed if guessed in families else families[0]
    return next(encoding for name, encoding in tied if name == pick)


_ICELANDIC_VOWELS = frozenset("áéíóúÁÉÍÓÚ")


def _looks_turkish(western: str) -> bool:
    """Whether a file read as Western looks like Turkish read in the wrong page: the
    Turkish page differs from the Western one in six letters only (ğ ı ş Ğ İ Ş where the
    Western has ð ý þ Ð Ý Þ), so "Yılmaz" read as "Yýlmaz" could be Icelandic, and both
    readings are possible word by word. Icelandic names carry á, é, í, ó or ú beside their
    ð and þ ("Guðrún Ólafsdóttir"), and ð far more often than ý; Turkish has none of those
    vowels, and ı ("ý") is its commonest letter. So the six must outnumber the vowels, and
    ý must be there, at least as often as ð."""
    n = Counter(western)
    dotless, eth, thorn = n["ý"] + n["Ý"], n["ð"] + n["Ð"], n["þ"] + n["Þ"]
    vowels = sum(n[c] for c in _ICELANDIC_VOWELS)
    return dotless + eth + thorn > vowels and dotless > 0 and dotless >= eth


def _alphabet(spec: str) -> tuple[frozenset[str], frozenset[str]]:
    """A language's accented letters, both cases, and those a word must have one of (all
    of them when the spec names none)."""
    letters, _, needed = spec.partition("|")
    both = frozenset(letters + letters.upper())
    return both, frozenset(needed + needed.upper()) if needed else both


_ALPHABETS = {f.name: [_alphabet(spec) for spec in f.languages] for f in _FAMILIES}


def _impossible(
    text: str,
    languages: list[tuple[frozenset[str], frozenset[str]]],
    never_first: frozenset[str] = frozenset(),
) -> int:
    """How many words of ``text`` none of ``languages`` could write: a symbol inside the
    word, a letter none of them begins a word with at its start, or accented letters no
    one of them has together (with one it needs). An ordinal ("Mª", "nº") is no word."""
    count = 0
    for word in _WORD.finditer(text):
        if _ORDINAL.fullmatch(word[0]):
            continue
        if word[0][0] in never_first:
            count += 1
            continue
        accented = {c for c in word[0] if not c.isascii()}
        if not accented:
            continue
        if not all(c.isalpha() or unicodedata.category(c) == "Mn" for c in accented):
            count += any(c.isalpha() for c in word[0])  # "£ukasz"; a lone "£" is no word
        elif not any(accented <= has and accented & needs for has, needs in languages):
            count += 1
    return count


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
