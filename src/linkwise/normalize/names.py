"""Splitting a full name into parts, and the normal forms of name parts.

Sources give names whole ("SMITH JR, JOHN", "Dr. A. Khan", "ZHANG Wei", "张伟"); matching
compares given, middle and family names separately, so they must be split. Splitting is
heuristic and this module says where it guesses:

* A comma always means family name first: "García Márquez, Gabriel" is the only way (apart
  from capitals, below) to say that a two-word surname is one surname.
* ``order="auto"`` reads given name first, except that a run of ALL-CAPS words before
  ordinary capitalised ones is the family name ("ZHANG Wei", "NGUYEN Van An",
  "GARCIA MARQUEZ Gabriel"), a run of ALL-CAPS words at the end is the family name
  ("Gabriel GARCÍA MÁRQUEZ"), names in Han, Hangul or kana are family first, and a
  three-word Cyrillic name ending in a patronymic ("Иванов Иван Иванович") is family first,
  and so is a name opening with a lower-case particle ("van der Berg Jan").
* With three or more words and no such signal, the words between the first and the last are
  middle names unless a surname particle (de, van, bin, al, ...) opens the surname:
  "Juan Carlos de la Cruz" has family "de la Cruz". A Spanish double surname written
  "Gabriel García Márquez" cannot be told from a middle name and is read as middle
  "García", family "Márquez"; the folded tokens of both readings overlap, which is what
  comparison levels use.
* A single word is taken as the family name ("SMITH", "Mr Smith").
* Chinese without spaces: the first character is the family name, or the first two for the
  known compound surnames (欧阳, 司马, 诸葛, ...); Korean likewise by syllable. Japanese
  names written without a space cannot be split this way and get the same Chinese reading.
* Ranks and honorifics in front ("PC", "Inspector", "Dr.") and degrees behind ("PhD")
  go to ``title``; quoted or bracketed nicknames ("John 'Jack' Smith") are dropped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal, NamedTuple

from linkwise.normalize import _name_data as data
from linkwise.normalize._cache import memoize
from linkwise.normalize.errors import NormalizationError
from linkwise.normalize.text import fold, script_of

NameOrder = Literal["auto", "given_first", "family_first"]
_ORDERS: frozenset[str] = frozenset({"auto", "given_first", "family_first"})
_CJK_SCRIPTS = frozenset({"Han", "Hangul", "Hiragana", "Katakana"})


@dataclass(frozen=True, slots=True)
class NameParts:
    """Display forms of the parts of a name; ``None`` where a part is absent.

    Casing and diacritics are kept as written (only whitespace and trailing dots are
    tidied) because the record shows them; matching uses ``fold`` of each part.
    """

    given: str | None
    middle: str | None
    family: str | None
    suffix: str | None
    title: str | None


_NICKNAME = re.compile(r"\([^)]*\)|\"[^\"]*\"|“[^”]*”|(?<!\w)'[^']*'(?!\w)")
_HYPHEN_SPACES = re.compile(r"(?<=\w)\s*[-‐‑–]\s*(?=\w)")
_EDGE_PUNCT = ",;:!?\"'()[]{}<>“”‘’«»"
_ASCII_LETTER = re.compile("[A-Za-z]")


def _has_letter(text: str) -> bool:
    if text.isascii():  # ASCII letters are [A-Za-z]
        return _ASCII_LETTER.search(text) is not None
    return any(c.isalpha() for c in text)


def _key(token: str) -> str:
    return token.lower().replace(".", "")


def _is_title(token: str) -> bool:
    bare = token.replace(".", "")
    return bare in data.CAPS_TITLES or bare.lower() in data.TITLES


def _suffix_of(token: str, allow_v: bool) -> str | None:
    key = _key(token)
    if key == "v" and not (allow_v and token.upper() == token):
        return None
    return data.SUFFIXES.get(key)


def _is_particle(token: str) -> bool:
    return _word(token).particle


def _is_caps(token: str) -> bool:
    """ALL-CAPS word of two or more letters; initials and lower-case words are not."""
    letters = [c for c in token if c.isalpha()]
    return len(letters) >= 2 and token.isupper()


def _is_mixed(token: str) -> bool:
    return any(c.isalpha() for c in token) and not token.isupper()


class _Word(NamedTuple):
    """What the splitter asks about one word.

    Full names are mostly unique but their words are not, so this is worked out once per
    distinct word (``_word``): a new name made of known words costs a lookup per word.
    """

    title: bool
    particle: bool
    post_nominal: bool
    suffix: str | None  # ``_suffix_of(token, allow_v=False)``
    suffix_v: str | None  # ``_suffix_of(token, allow_v=True)``
    caps: bool
    mixed: bool  # letters not all in capitals, and no particle
    plain: bool  # none of the above, and no connector: only a name


@memoize(maxsize=2**15)
def _word(token: str) -> _Word:
    key = _key(token)
    title = _is_title(token)
    particle = key in data.PARTICLES
    post_nominal = key in data.POST_NOMINALS
    suffix, suffix_v = _suffix_of(token, False), _suffix_of(token, True)
    caps = _is_caps(token)
    special = title or particle or post_nominal or suffix or suffix_v or caps
    return _Word(
        title,
        particle,
        post_nominal,
        suffix,
        suffix_v,
        caps,
        mixed=_is_mixed(token) and not particle,
        plain=not special and token not in data.CONNECTORS,
    )


@memoize(maxsize=2**15)
def _clean(word: str) -> str | None:
    """``word`` without edge punctuation and trailing dots; None if no letter or digit is left."""
    token = word.strip(_EDGE_PUNCT).rstrip(".")
    return token if any(c.isalnum() for c in token) else None


def _tokens(text: str) -> list[str]:
    """Whitespace tokens with edge punctuation and trailing dots removed."""
    out = [token for token in map(_clean, text.split()) if token is not None]
    if out and not text.isascii() and script_of(text) == "Arabic":
        out = _bind_arabic(out)
    return out


def _bind_arabic(tokens: list[str]) -> list[str]:
    bound: list[str] = []
    for token in tokens:
        if bound and bound[-1] in data.ARABIC_BOUND:
            bound[-1] = f"{bound[-1]} {token}"
        else:
            bound.append(token)
    return bound


def _peel(tokens: list[str], allow_v: bool) -> tuple[list[str], list[str], list[str]]:
    """Remove leading titles and trailing suffixes/post-nominals, leaving at least one word.

    Returns (name tokens, titles, suffixes).
    """
    titles: list[str] = []
    suffixes: list[str] = []
    start, end = 0, len(tokens)
    while end - start > 1 and _word(tokens[start]).title:
        titles.append(tokens[start].replace(".", ""))
        start += 1
    tail_titles: list[str] = []
    while end - start > 1:
        token = tokens[end - 1]
        word = _word(token)
        suffix = word.suffix_v if allow_v and end - start >= 3 else word.suffix
        if suffix is not None:
            suffixes.insert(0, suffix)
        elif word.post_nominal:
            tail_titles.insert(0, token.replace(".", ""))
        else:
            break
        end -= 1
    return tokens[start:end], titles + tail_titles, suffixes


def _family_start(tokens: list[str]) -> int:
    """Index where the family name begins in a given-name-first token list."""
    n = len(tokens)
    for i in range(1, n - 1):
        if tokens[i] in data.CONNECTORS and i >= 2:
            return i - 1
        if _is_particle(tokens[i]):
            j = i
            while j < n and _is_particle(tokens[j]):
                j += 1
            if j < n:
                return i
    return n - 1


def _caps_signal(tokens: list[str]) -> tuple[str, int] | None:
    """("lead" | "trail", run length) when capitals mark the family name, else None."""
    words = [_word(t) for t in tokens]
    caps = [w.caps for w in words]
    if not any(caps) or not any([w.mixed for w in words]):
        return None
    lead = 0
    while lead < len(tokens) and caps[lead]:
        lead += 1
    if lead and not any(caps[lead:]):
        return ("lead", lead)
    trail = 0
    while trail < len(tokens) and caps[len(tokens) - 1 - trail]:
        trail += 1
    if trail and not any(caps[: len(tokens) - trail]):
        return ("trail", trail)
    return None


def _is_patronymic(token: str) -> bool:
    return token.lower().endswith(data.PATRONYMIC_ENDINGS)


def _family_first_auto(tokens: list[str], script: str) -> bool:
    if script in _CJK_SCRIPTS:
        return True
    if len(tokens) > 2 and tokens[0].islower() and _is_particle(tokens[0]):
        return True
    return (
        script == "Cyrillic"
        and len(tokens) == 3
        and _is_patronymic(tokens[2])
        and not _is_patronymic(tokens[1])
    )


def _join(tokens: list[str]) -> str | None:
    return " ".join(tokens) if tokens else None


def _given_first(tokens: list[str], family_len: int | None) -> tuple[str | None, ...]:
    if len(tokens) == 1:
        return None, None, tokens[0]
    start = len(tokens) - family_len if family_len else _family_start(tokens)
    while family_len and start > 1 and _is_particle(tokens[start - 1]):
        start -= 1
    start = max(start, 1)
    return tokens[0], _join(tokens[1:start]), _join(tokens[start:])


def _family_first(tokens: list[str], family_len: int | None) -> tuple[str | None, ...]:
    end = family_len or 1
    while end < len(tokens) and _is_particle(tokens[end - 1]):
        end += 1
    end = min(end, len(tokens))
    rest = tokens[end:]
    return (rest[0] if rest else None), _join(rest[1:]), _join(tokens[:end])


def _split_unspaced_cjk(text: str, script: str) -> tuple[str | None, ...]:
    compounds = (
        data.KOREAN_COMPOUND_SURNAMES if script == "Hangul" else data.CHINESE_COMPOUND_SURNAMES
    )
    cut = 2 if len(text) >= 3 and text[:2] in compounds else 1
    return (text[cut:] or None), None, text[:cut]


def _tidy(raw: str) -> str:
    text = raw if raw.isascii() else unicodedata.normalize("NFC", raw)
    if "(" in text or '"' in text or "“" in text or "'" in text:
        without_nicknames = _NICKNAME.sub(" ", text)
        if any(c.isalpha() for c in without_nicknames):
            text = without_nicknames
    text = " ".join(text.split())
    return _HYPHEN_SPACES.sub("-", text) if not text.isascii() or "-" in text else text


def _split_comma(parts: list[str]) -> tuple[list[str], list[str], list[str], list[str]] | None:
    """For "Family, Given Middle" return (family, rest, titles, suffixes); None if no inversion.

    Trailing comma parts made only of suffixes or degrees ("John Smith, Jr.", "Smith, John,
    PhD") are not an inversion.
    """
    titles: list[str] = []
    suffixes: list[str] = []
    chunks = [_tokens(p) for p in parts]
    chunks = [c for c in chunks if c]
    while len(chunks) > 1 and all(_word(t).suffix or _word(t).post_nominal for t in chunks[-1]):
        for t in chunks.pop():
            suffix = _word(t).suffix
            if suffix:
                suffixes.append(suffix)
            else:
                titles.append(t.replace(".", ""))
    if len(chunks) < 2:
        return None
    family, family_titles, family_suffixes = _peel(chunks[0], allow_v=False)
    rest, rest_titles, rest_suffixes = _peel([t for c in chunks[1:] for t in c], allow_v=False)
    return (
        family,
        rest,
        family_titles + rest_titles + titles,
        family_suffixes + rest_suffixes + suffixes,
    )


def _plain_split(raw: str) -> NameParts | None:
    """The split of a name of plain words read given name first ("John Paul Smith").

    None unless ``raw`` is ASCII without commas, hyphens, quotes or brackets and every word
    is plain (``_Word.plain``: no title, suffix, degree, particle, connector or capitals).
    Then none of ``_split_words``'s rules applies and it reads the first word as the given
    name, the last as the family name and those between as middle names. A property test
    checks that the two agree.
    """
    if not raw.isascii() or "," in raw or "-" in raw or "'" in raw or '"' in raw or "(" in raw:
        return None
    tokens = [token for token in map(_clean, raw.split()) if token is not None]
    if not tokens or _ASCII_LETTER.search(raw) is None:
        return None
    for token in tokens:
        if not _word(token).plain:
            return None
    if len(tokens) == 1:
        return NameParts(None, None, tokens[0], None, None)
    return NameParts(tokens[0], _join(tokens[1:-1]), tokens[-1], None, None)


def _split(raw: str, order: str) -> NameParts | str:
    found = _plain_split(raw) if order != "family_first" else None
    return found if found is not None else _split_words(raw, order)


def _split_words(raw: str, order: str) -> NameParts | str:
    text = _tidy(raw)
    if not _has_letter(text):
        return f"{raw!r} has no letters, so it is not a name"
    script = "Latin" if text.isascii() else script_of(text)
    if script in _CJK_SCRIPTS and " " not in text and len(text) > 1:
        given, middle, family = _split_unspaced_cjk(text, script)
        return NameParts(given, middle, family, None, None)
    comma = _split_comma(text.split(",")) if "," in text else None
    if comma is not None:
        family_tokens, rest, titles, suffixes = comma
        if not rest:
            return NameParts(None, None, _join(family_tokens), _join(suffixes), _join(titles))
        return NameParts(
            rest[0], _join(rest[1:]), _join(family_tokens), _join(suffixes), _join(titles)
        )
    tokens, titles, suffixes = _peel(_tokens(text), allow_v=True)
    signal = _caps_signal(tokens)
    if order == "family_first":
        lead = signal[1] if signal and signal[0] == "lead" else None
        given, middle, family = _family_first(tokens, lead)
    elif order == "auto" and signal and signal[0] == "lead":
        given, middle, family = _family_first(tokens, signal[1])
    elif order == "auto" and _family_first_auto(tokens, script):
        given, middle, family = _family_first(tokens, None)
    else:
        trail = signal[1] if signal and signal[0] == "trail" else None
        given, middle, family = _given_first(tokens, trail)
    return NameParts(given, middle, family, _join(suffixes), _join(titles))


@memoize(maxsize=2**16)
def _split_cached(raw: str, order: str) -> NameParts | str:
    return _split(raw, order)


def split_full_name(raw: str, order: NameOrder = "auto") -> NameParts:
    """Split a full name into display parts; see the module docstring for the rules.

    Raises ``NormalizationError`` when ``raw`` has no letters. Results (and errors) are
    cached, so a name that recurs across a million rows is split once.
    """
    if order not in _ORDERS:
        raise ValueError(f"order must be one of {sorted(_ORDERS)}, not {order!r}")
    result = _split_cached(raw, order)
    if isinstance(result, str):
        raise NormalizationError(result)
    return result


def normalize_name(raw: str) -> str | None:
    """The matching form of one name part (``fold``); ``None`` when nothing is left.

    Not cached itself: ``fold`` is, and a second cache would only double the misses on
    full names, which are mostly unique.
    """
    return fold(raw) or None


@memoize(maxsize=2**16)
def surname_tokens(family: str) -> tuple[str, ...]:
    """Folded words of a surname that distinguish it, without particles.

    "García Márquez" -> ("garcia", "marquez"); "de la Cruz" -> ("cruz",); "al-Fayed" ->
    ("fayed",). Particles stay in the surname's normal form (``normalize_name`` keeps
    "de la cruz") but two people do not share a surname because both are "de": comparison
    levels that ask "does any surname token agree?" use these. A surname made only of
    particle words ("Le", "Da") keeps them, since there they are the name.
    """
    words = fold(family).split()
    kept = tuple(w for w in words if w not in data.FOLDED_PARTICLES)
    return kept if kept else tuple(words)


_GENERATIONS: dict[str, int] = {"sr": 1, "jr": 2, "ii": 2, "iii": 3, "iv": 4, "v": 5}
"""Which generation of a name each suffix denotes. "Jr" and "II" are one: both say "the
second of this name", and people and clerks write one for the other."""


def name_suffix(raw: str | None) -> str | None:
    """The normal form of a generational suffix ("Jr.", "JUNIOR", "3rd" -> "jr", "jr",
    "iii"), taking the first word that is one ("jr phd" -> "jr"); None when there is none.

    Sources give suffixes in a column of their own, written many ways; the splitter already
    returns this form for a suffix inside a full name."""
    if not raw:
        return None
    for token in raw.split():
        found = data.SUFFIXES.get(_key(token).strip(","))
        if found is not None:
            return found
    return None


def suffix_generation(suffix: str | None) -> int | None:
    """1 for "sr", 2 for "jr" and "ii", 3 for "iii", ...; None for no (known) suffix.

    Two records whose suffixes name different generations ("jr" and "sr", "ii" and "iii")
    name a father and a son, not one person."""
    if not suffix:
        return None
    return _GENERATIONS.get(name_suffix(suffix) or "")


_FAMILY_SUFFIXES = frozenset(k for k in data.SUFFIXES if k != "v")
"""Suffix words recognised at the end of a family-name field. "V" is left out: as the last
word of a surname it is more often an initial than "the fifth"."""


def peel_suffix(family: str) -> tuple[str, str | None]:
    """A family name without a trailing suffix word, and that suffix's normal form:
    "smith jr" -> ("smith", "jr"). Sources with a surname column often write the suffix
    there; a one-word surname ("Junior" is a surname too) is left alone."""
    words = family.split()
    if len(words) < 2:
        return family, None
    last = _key(words[-1]).strip(",")
    if last not in _FAMILY_SUFFIXES:
        return family, None
    return " ".join(words[:-1]).rstrip(","), data.SUFFIXES[last]
