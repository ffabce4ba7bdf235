"""E-mail addresses and sex markers.

Both are small vocabularies with many spellings; the normal forms let records from
differently designed forms compare.
"""

from __future__ import annotations

import re

from linkwise.normalize._cache import memoize
from linkwise.normalize.errors import NormalizationError
from linkwise.normalize.text import fold

_EMAIL = re.compile(r"[^@\s]+@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}")


@memoize(maxsize=2**14)
def normalize_email(raw: str) -> str | None:
    """The trimmed, lower-cased address; ``None`` when ``raw`` is not an address shape.

    Accepts "mailto:" prefixes and angle brackets ("Jane <JANE@EXAMPLE.COM>"). The local
    part is lower-cased too: almost every mail system treats it case-insensitively and
    sources disagree on case. Provider-specific aliasing (Gmail dots, "+tags") is left
    alone: removing it would merge addresses that a provider keeps apart.
    """
    text = raw.strip()
    if "<" in text and text.endswith(">"):
        text = text[text.rindex("<") + 1 : -1]
    text = text.strip().strip("<>\"'").strip().lower().removeprefix("mailto:")
    return text if _EMAIL.fullmatch(text) else None


_SEX: dict[str, str | None] = {
    **dict.fromkeys(
        ("f", "female", "w", "woman", "women", "girl", "frau", "weiblich", "mujer",
         "femenino", "feminino", "femme", "feminin", "feminine", "donna", "vrouw", "2"),
        "F",
    ),
    **dict.fromkeys(
        ("m", "male", "man", "men", "boy", "mann", "mannlich", "hombre", "masculino",
         "homme", "masculin", "masculine", "uomo", "1"),
        "M",
    ),
    **dict.fromkeys(
        ("x", "nonbinary", "non binary", "nb", "enby", "other", "divers", "diverse",
         "intersex", "indeterminate", "third gender"),
        "X",
    ),
    **dict.fromkeys(
        ("u", "unknown", "unk", "not known", "not stated", "not specified", "unspecified",
         "not recorded", "refused", "declined", "prefer not to say", "n a", "na", "none",
         "null", "0", "9"),
        None,
    ),
}  # fmt: skip


@memoize(maxsize=2**10)
def normalize_sex(raw: str) -> str | None:
    """ "F", "M" or "X" for the many ways sources write them; ``None`` when unknown.

    "Unknown", "U", "not stated", an empty value and ISO/IEC 5218 codes 0 and 9 are
    ``None``; codes 1 and 2 are M and F. A value that is none of these raises
    ``NormalizationError``, so a mis-mapped column (a date in the sex column) is reported
    instead of silently becoming "unknown". "M" is always male: the Spanish "M" for mujer
    cannot be told apart, so map such a source's column explicitly.
    """
    key = fold(raw)
    if not key:
        return None
    if key in _SEX:
        return _SEX[key]
    raise NormalizationError(f"{raw!r} is not a recognised sex value (expected e.g. F, M, X, U)")
