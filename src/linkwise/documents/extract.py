"""Mentions in a document's text, each with its character offsets: person names, dates (a
date of birth where the sentence says so), phone numbers, street addresses and identifiers.

The approach is rules, chosen by measurement (docs/documents.md): patterns for the forms
names take in official writing ("SURNAME, Given M", "Given M Surname", a title or rank
before a surname, "aka" aliases) anchored by a given-name gazetteer (the ``nicknames``
package's English given names and their nicknames) or by the words that introduce a person
in reports ("identified as", "complainant", "defendant", ...); phonenumbers' matcher for
phones; patterns with validation for the rest. Nothing is downloaded, and the rules run at
thousands of documents per second on one core.

Co-reference is the cheap kind: a later "Mr. Patel" or "Patel" refers to the earlier
"Raj Patel" when exactly one earlier person has that surname (``Mention.refers_to``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import cache

import phonenumbers

from linkwise.normalize import normalize_identifier
from linkwise.normalize._name_data import SUFFIXES, TITLES

PERSON = "person"
DATE = "date"
PHONE = "phone"
ADDRESS = "address"
IDENTIFIER_TYPES = ("ssn", "passport", "drivers_licence", "case_number", "warrant_number")
MENTION_TYPES = (PERSON, DATE, PHONE, ADDRESS, *IDENTIFIER_TYPES)


@dataclass(frozen=True, slots=True)
class Mention:
    """One mention: ``text`` is exactly ``document[start:end]``."""

    type: str
    start: int
    end: int
    text: str
    value: str | None = None
    """A normal form where one exists (a date in ISO form, a phone in E.164, an
    identifier's digits), else None."""
    role: str | None = None
    """``dob`` or ``event`` for dates; ``alias`` for an aka name; None otherwise."""
    refers_to: int | None = None
    """For a short person mention, the index of the full mention it refers back to."""
    parts: dict[str, str] = field(default_factory=dict)
    """For a person: given, middle, family, suffix as written (titles stripped)."""


# -- names ----------------------------------------------------------------------------------

_U = "A-ZÀ-ÖØ-Þ\u0100-\u024f\u1e00-\u1eff"
"""Upper-case Latin letters, accented ones included (Latin Extended-A and -B and Latin
Extended Additional hold both cases, so they are in both classes)."""
_L = "a-zß-öø-ÿ\u0100-\u024f\u1e00-\u1eff"
_UPPER_WORD = rf"[{_U}][{_U}'\-]+"
_CAP = (
    rf"(?:[{_U}][{_L}]+(?:['\-][{_U}]?[{_L}]+)?|[{_U}]'[{_U}][{_L}]+"
    rf"|Mc[{_U}][{_L}]+|Mac[{_U}][{_L}]+)"
)
_PARTICLE = r"(?:(?:de|del|de la|van|van der|von|da|di|dos|du|le|la|bin|al|el) )"
_SURNAME = rf"(?:{_PARTICLE}?{_CAP}(?:-{_CAP})?)"
_SUFFIX = r"(?:,? (?:Jr|Sr|II|III|IV)\.?)"
_INITIAL = rf"(?:[{_U}]\.?)"
_GIVEN = rf"(?:{_CAP})"

# "SMITH, William J" / "DE LA CRUZ, Maria" / "O'NEIL, Pat Jr"
_FAMILY_FIRST = re.compile(
    rf"\b(?P<family>{_UPPER_WORD}(?: {_UPPER_WORD}){{0,2}}), (?P<given>{_GIVEN})"
    rf"(?: (?P<middle>{_INITIAL}|{_GIVEN}))?(?P<suffix>{_SUFFIX})?(?![^\W\d_])"
)
# "William J. Smith", "Ana María López-Gómez", "J. Smith"
_GIVEN_FIRST = re.compile(
    rf"\b(?P<given>{_GIVEN}|{_INITIAL})(?: (?P<middle>{_INITIAL}|{_GIVEN}))?"
    rf" (?!(?:Jr|Sr)\b)(?P<family>{_SURNAME})(?P<suffix>{_SUFFIX})?(?![^\W\d_])"
)
_TITLE_WORDS = sorted(
    {t for t in TITLES if len(t) > 1 and t not in {"special", "police", "private"}},
    key=len,
    reverse=True,
)
_TITLE = re.compile(
    r"\b(?:" + "|".join(re.escape(t) for t in _TITLE_WORDS) + r")\b\.?\s+", re.IGNORECASE
)
_CUES = re.compile(
    r"(?:identified as|known as|named|name(?:d)? is|complainant,?|victim,?|suspect,?|"
    r"witness,?|defendant,?|plaintiff,?|petitioner,?|respondent,?|subject,?|driver,?|"
    r"owner,?|tenant,?|caller,?|applicant,?|claimant,?|employee,?|Name:|Defendant:|"
    r"Plaintiff:|Subject:|Witness:|Victim:|Suspect:)\s+$",
    re.IGNORECASE,
)
_ALIAS = re.compile(r"(?:\baka\b|\ba/k/a\b|\ba\.k\.a\.|also known as)\s+\"?$", re.IGNORECASE)
_NOT_NAMES = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "on",
        "in",
        "at",
        "to",
        "for",
        "by",
        "with",
        "from",
        "this",
        "that",
        "these",
        "those",
        "it",
        "he",
        "she",
        "they",
        "we",
        "i",
        "you",
        "his",
        "her",
        "their",
        "our",
        "my",
        "your",
        "on",
        "police",
        "department",
        "report",
        "incident",
        "narrative",
        "date",
        "time",
        "location",
        "type",
        "officer",
        "badge",
        "court",
        "county",
        "city",
        "state",
        "district",
        "superior",
        "circuit",
        "municipal",
        "street",
        "st",
        "avenue",
        "ave",
        "road",
        "rd",
        "drive",
        "dr",
        "lane",
        "ln",
        "boulevard",
        "blvd",
        "court",
        "ct",
        "place",
        "pl",
        "way",
        "parkway",
        "pkwy",
        "highway",
        "hwy",
        "north",
        "south",
        "east",
        "west",
        "new",
        "saint",
        "st",
        "united",
        "states",
        "america",
        "us",
        "usa",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "case",
        "no",
        "number",
        "warrant",
        "docket",
        "file",
        "order",
        "notice",
        "re",
        "subject",
        "from",
        "to",
        "cc",
        "dear",
        "sincerely",
        "regards",
        "memo",
        "memorandum",
        "page",
        "county",
        "sheriff",
        "office",
        "division",
        "unit",
        "dept",
        "department",
        "hospital",
        "school",
        "bank",
        "center",
        "centre",
        "church",
        "club",
        "company",
        "inc",
        "llc",
        "corp",
        "ltd",
        "apt",
        "suite",
        "unit",
        "phone",
        "tel",
        "fax",
        "email",
        "mobile",
        "cell",
        "home",
        "work",
        "dob",
        "ssn",
        "passport",
        "licence",
        "license",
        "driver",
        "drivers",
        "birth",
        "born",
        "address",
        "residence",
        "resides",
        "living",
        "lives",
        "no",
        "yes",
        "honorable",
        "judge",
        "people",
        "vs",
        "versus",
        "v",
        "plaintiff",
        "defendant",
        "petitioner",
        "respondent",
        "victim",
        "witness",
        "suspect",
        "complainant",
        "attorney",
        "counsel",
        "prosecutor",
        "clerk",
        "mr",
        "mrs",
        "ms",
        "dr",
        "miss",
    ]
)


@cache
def _given_names() -> frozenset[str]:
    """English given names and nicknames (``nicknames`` package): the gazetteer that tells
    "Mary Jones" (a person) from "Orchard Drive" (not one)."""
    from nicknames import NickNamer

    namer = NickNamer()
    names = set(namer._canonical_lookup) | set(namer._nickname_lookup)
    return frozenset(n for n in names if len(n) > 1 and n not in _NOT_NAMES)


def _is_title(token: str) -> bool:
    return token.lower().strip(".") in TITLES


def _is_wordish(token: str) -> bool:
    return token.lower().strip(".") in _NOT_NAMES


def _person(match: re.Match[str], text: str, role: str | None = None) -> Mention:
    parts = {k: v.strip(" ,.") for k, v in match.groupdict().items() if v}
    if "suffix" in parts:
        parts["suffix"] = SUFFIXES.get(parts["suffix"].lower().strip(". ,"), parts["suffix"])
    start, end = match.start(), match.end()
    return Mention(PERSON, start, end, text[start:end], role=role, parts=parts)


def _family_first(text: str) -> Iterator[Mention]:
    for m in _FAMILY_FIRST.finditer(text):
        family = m.group("family")
        if any(_is_wordish(w) for w in family.split()) or _is_wordish(m.group("given")):
            continue
        yield _person(m, text)


def _context_before(text: str, start: int, width: int = 40) -> str:
    return text[max(0, start - width) : start]


def _given_first(text: str, gazetteer: frozenset[str], use_gazetteer: bool) -> Iterator[Mention]:
    pos = 0
    while True:
        m = _GIVEN_FIRST.search(text, pos)
        if m is None:
            return
        pos = m.start() + 1
        given, family = m.group("given"), m.group("family")
        middle = m.group("middle") or ""
        if _is_wordish(family) or _is_wordish(given) or (len(middle) > 1 and _is_wordish(middle)):
            # "On Monday Smith..." or "Report No Smith": try again one word later
            continue
        before = _context_before(text, m.start())
        cued = bool(_CUES.search(before) or _ALIAS.search(before) or _TITLE_END.search(before))
        known = use_gazetteer and given.lower().strip(".") in gazetteer
        initial = len(given.strip(".")) == 1
        if not (cued or known) or (initial and not (cued or given.endswith("."))):
            continue
        role = "alias" if _ALIAS.search(before) else None
        yield _person(m, text, role)
        pos = m.end()


_TITLE_END = re.compile(_TITLE.pattern.rstrip() + r"$", re.IGNORECASE)
_TITLED_SURNAME = re.compile(
    r"\b(?P<title>" + "|".join(re.escape(t) for t in _TITLE_WORDS) + r")\.?\s+"
    rf"(?P<family>{_SURNAME})(?![^\W\d_])",
    re.IGNORECASE,
)


_NAME_FOLLOWS = re.compile(r"\.?\s+[A-Z]")


def _titled(text: str) -> Iterator[Mention]:
    """ "Mr. Patel", "Sgt. Ortiz": a surname after a title (the title is not part of it,
    and is kept in ``parts["title"]``). A title word followed by a name is a second rank,
    not a surname ("Col" in "Lt. Col. Ann Brown"); "Ms. Bishop" and "Officer Judge" are
    people."""
    for m in _TITLED_SURNAME.finditer(text):
        family = m.group("family")
        if not family[0].isupper() or _is_wordish(family):
            continue
        if family.lower() in TITLES and _NAME_FOLLOWS.match(text, m.end("family")):
            continue
        start, end = m.start("family"), m.end("family")
        parts = {"family": family, "title": m.group("title")}
        yield Mention(PERSON, start, end, text[start:end], parts=parts)


def _surname_repeats(text: str, people: list[Mention]) -> Iterator[Mention]:
    """Later bare uses of a surname already introduced in full ("Patel stated ...")."""
    surnames = {
        p.parts["family"]: p
        for p in people
        if "family" in p.parts and "given" in p.parts and not _is_wordish(p.parts["family"])
    }
    compounds = {
        f"{p.parts['middle']} {p.parts['family']}"
        for p in people
        if len(p.parts.get("middle", "").strip(".")) > 1 and "given" in p.parts
    }
    for family in [*compounds, *surnames]:
        variants = {family, family.upper(), family.title()}
        pattern = r"\b(?:" + "|".join(re.escape(v) for v in variants) + rf")\b(?!, [{_U}][{_L}])"
        for m in re.finditer(pattern, text):
            yield Mention(PERSON, m.start(), m.end(), m.group(), parts={"family": m.group()})


PersonModel = Callable[[str], list[tuple[int, int]]]
"""A statistical name finder: text to (start, end) spans of person names."""


_LEFT_WORD = re.compile(rf"(?:^|(?<=[ (\n]))({_CAP}) $")


def _model_people(text: str, model: PersonModel) -> Iterator[Mention]:
    """Names a model found, cleaned to the forms the rules produce: cut at a line break,
    titles and possessives stripped, extended left over a given name the model left out
    ("Olumide [Mateo Nguyen]"), and split into given and family name."""
    for start, end in model(text):
        end = start + len(text[start:end].split("\n")[0].rstrip(" ,."))
        title = _TITLE.match(text, start, end)
        if title:
            start = title.end()
        if text[start:end].endswith("'s"):
            end -= 2
        left = _LEFT_WORD.search(text, max(0, start - 30), start)
        if left and not _is_wordish(left.group(1)) and not _TITLE.fullmatch(left.group(1) + " "):
            start = left.start(1)
        span = text[start:end]
        words = span.replace(",", " ").split()
        named = [w for w in words if len(w.strip(".")) > 1]
        if not named or any(_is_wordish(w) or _is_title(w) for w in named):
            continue
        if not span[:1].isupper():
            continue
        if "," in span:
            parts = {"family": span.split(",")[0].strip(), "given": words[-1]}
        elif len(words) == 1:
            parts = {"family": words[0]}
        else:
            parts = {"given": words[0], "family": words[-1]}
        yield Mention(PERSON, start, end, span, parts=parts)


def _people(
    text: str, use_gazetteer: bool = True, model: PersonModel | None = None
) -> list[Mention]:
    gazetteer = _given_names()
    found = list(_family_first(text))
    found += list(_given_first(text, gazetteer, use_gazetteer))
    found = _without_overlaps(found)
    titled = {(m.start, m.end): m for m in _titled(text)}
    if model is not None:  # a name the model found after a title keeps the title
        found += [
            titled.get((m.start, m.end), m)
            for m in _model_people(text, model)
            if not _overlaps(m, found)
        ]
    found += [m for m in titled.values() if not _overlaps(m, found)]
    found = _without_overlaps(found)
    found += [m for m in _surname_repeats(text, found) if not _overlaps(m, found)]
    return sorted(_without_overlaps(found), key=lambda m: m.start)


def _overlaps(mention: Mention, others: list[Mention]) -> bool:
    return any(mention.start < o.end and o.start < mention.end for o in others)


def _without_overlaps(mentions: list[Mention]) -> list[Mention]:
    """Keep the longest of overlapping mentions (earlier first on ties)."""
    kept: list[Mention] = []
    for m in sorted(mentions, key=lambda m: (-(m.end - m.start), m.start)):
        if not _overlaps(m, kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)


def _longer_earlier(mention: Mention, earlier: list[Mention]) -> int | None:
    """The earlier full mention whose name ends with this one's words ("Diaz Rodriguez"
    after "R. Diaz Rodriguez": a compound surname repeated, not a new person)."""
    words = mention.text.casefold().split()
    if "," in mention.text or len(words) < 2:
        return None
    for j in range(len(earlier) - 1, -1, -1):
        other = earlier[j].text.casefold().replace(",", " ").split()
        if len(other) > len(words) and other[-len(words) :] == words:
            return j
    return None


def corefer(people: list[Mention]) -> list[Mention]:
    """Point each short mention (surname only) at the one earlier full mention whose surname
    it is; ambiguous ones (two earlier people with that surname) point nowhere."""
    out: list[Mention] = []
    for i, m in enumerate(people):
        longer = _longer_earlier(m, people[:i])
        if longer is not None:
            out.append(replace(m, refers_to=longer, parts={"family": m.text}))
            continue
        if "given" in m.parts:
            out.append(m)
            continue
        key = m.parts.get("family", "").casefold()
        earlier = [
            j
            for j, p in enumerate(people[:i])
            if "given" in p.parts and p.parts.get("family", "").casefold() == key
        ]
        target = earlier[-1] if earlier else None
        if earlier and len({people[j].parts.get("given", "").casefold() for j in earlier}) > 1:
            target = None
        out.append(replace(m, refers_to=target))
    return out


# -- dates ----------------------------------------------------------------------------------

_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}
_MONTH = r"(?P<mon>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DATES = [
    re.compile(r"\b(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})\b"),
    re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b"),
    re.compile(rf"\b{_MONTH}\s(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s(?P<y>\d{{4}})\b", re.I),
    re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s(?:of\s)?{_MONTH},?\s(?P<y>\d{{4}})\b", re.I),
]
_BORN = re.compile(r"\b(?:born|d\.?o\.?b|date of birth|birth ?date)\b|\bb\.(?=\s)", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<![A-Z])(?<!\b[a-z])[.!?](?:\s|$)|\n")


def _sentence_start(text: str, pos: int) -> int:
    cut = 0
    for m in _SENTENCE_END.finditer(text, 0, pos):
        cut = m.end()
    return cut


def _exists(year: int, month: int, day: int) -> bool:
    """Whether the calendar has that day ("02/31/1980" is not a date, whatever its shape)."""
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def _dates(text: str) -> Iterator[Mention]:
    """Dates in the common written forms. A date is a date of birth when a birth cue
    ("born", "DOB", "b.") comes shortly before it in its sentence with no other date in
    between ("born 1 May 1980, arrested 2 June 2020": only the first is a birth date)."""
    found: list[tuple[re.Match[str], str]] = []
    starts: list[int] = []  # of everything written as a date, a day the calendar lacks too
    for pattern in _DATES:
        for m in pattern.finditer(text):
            g = m.groupdict()
            month = _MONTHS[g["mon"].lower()] if g.get("mon") else int(g["m"])
            day, year = int(g["d"]), int(g["y"])
            starts.append(m.start())
            if 1800 <= year <= 2100 and _exists(year, month, day):
                found.append((m, f"{year:04d}-{month:02d}-{day:02d}"))
    starts.sort()
    for m, iso in found:
        lead_start = max(_sentence_start(text, m.start()), m.start() - 60)
        cues = list(_BORN.finditer(text, lead_start, m.start()))
        between = cues and any(cues[-1].end() <= s < m.start() for s in starts)
        role = "dob" if cues and not between else "event"
        yield Mention(DATE, m.start(), m.end(), m.group(), iso, role)


# -- phones, addresses, identifiers ---------------------------------------------------------


def _phones(text: str, region: str) -> Iterator[Mention]:
    for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
        if _glued(text, m.start, m.end):
            continue  # "IR-2012-000046" is a report number, not (201) 200-0046
        e164 = phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164)
        yield Mention(PHONE, m.start, m.end, m.raw_string, e164)


def _glued(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is part of a longer token: a letter or digit right beside
    it, or a hyphen joining it to one ("IR-2012-000046"). A slash separates two numbers
    ("217-555-0142/217-555-0199") rather than joining them."""
    before = text[max(0, start - 2) : start]
    after = text[end : end + 2]
    return (
        before[-1:].isalnum()
        or (before[-1:] == "-" and before[:1].isalnum())
        or after[:1].isalnum()
        or (after[:1] == "-" and after[1:2].isalnum())
    )


_STREET_TYPES = (
    r"St|Street|Ave|Avenue|Rd|Road|Dr|Drive|Ln|Lane|Blvd|Boulevard|Ct|Court|Pl|Place|Way|"
    r"Pkwy|Parkway|Ter|Terrace|Cir|Circle|Hwy|Highway|Sq|Square|Trl|Trail|Loop|Row|Aly"
)
_ADDRESS = re.compile(
    r"\b\d{1,6}[A-Z]?\s(?:[NSEW]\.?\s)?(?:(?:[A-Z][a-z]+|\d+(?:st|nd|rd|th))\s){1,3}"
    rf"(?:{_STREET_TYPES})\.?(?![a-z])"
    r"(?:,?\s(?:Apt|Unit|Ste|Suite|#)\.?\s?[A-Z0-9-]+)?"
    r"(?:,\s(?:[A-Z][a-z]+\s){0,2}[A-Z][a-z]+,?\s[A-Z]{2}\s\d{5}(?:-\d{4})?)?"
)


def _addresses(text: str) -> Iterator[Mention]:
    for m in _ADDRESS.finditer(text):
        yield Mention(ADDRESS, m.start(), m.end(), m.group().rstrip(".,"))


_SSN = re.compile(r"\b(\d{3})-(\d{2})-(\d{4})\b|(?<=SSN[:#\s])\s*(\d{9})\b", re.IGNORECASE)
_SSN_CUE = re.compile(r"\b(?:ssn|social security(?: number| no\.?)?|soc\.? sec\.?)\W*$", re.I)
_CUED_IDS = {
    "passport": re.compile(
        r"\bpassport(?:\s(?:no\.?|number|#))?[:#]?\s*(?P<id>(?=[A-Z]*\d)[A-Z0-9]{6,9})\b", re.I
    ),
    "drivers_licence": re.compile(
        r"\b(?:driver'?s?\slicen[cs]e|DL|OLN)(?:\s(?:no\.?|number|#))?[:#]?\s*"
        r"(?P<id>(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{4,16}[A-Z0-9])\b",
        re.I,
    ),
    "warrant_number": re.compile(
        r"\bwarrant(?:\s(?:no\.?|number|#))?[:#]?\s*(?P<id>(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{3,18}[A-Z0-9])\b",
        re.I,
    ),
    "case_number": re.compile(
        r"\b(?:case|docket|cause)(?:\s(?:no\.?|number|#))?[:#]?\s*"
        r"(?P<id>(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{3,18}[A-Z0-9])\b",
        re.I,
    ),
}
_CASE_SHAPE = re.compile(r"\b(?:19|20)\d{2}-?[A-Z]{2,4}-?\d{3,7}\b|\b\d{2}[A-Z]{2,3}\d{4,7}\b")


def _identifiers(text: str) -> Iterator[Mention]:
    for m in _SSN.finditer(text):
        raw = m.group()
        ident = normalize_identifier("ssn", raw)
        cued = bool(_SSN_CUE.search(_context_before(text, m.start(), 25)))
        if ident.valid or cued:
            yield Mention("ssn", m.start(), m.end(), raw, ident.value)
    cased: set[tuple[int, int]] = set()
    for kind, pattern in _CUED_IDS.items():
        for m in pattern.finditer(text):
            start, end = m.start("id"), m.end("id")
            raw = text[start:end]
            value = None if kind == "warrant_number" else normalize_identifier(kind, raw).value
            if kind == "case_number":
                cased.add((start, end))
            yield Mention(kind, start, end, raw, value or raw.upper().replace("-", ""))
    for m in _CASE_SHAPE.finditer(text):
        if (m.start(), m.end()) not in cased and "warrant" not in _context_before(
            text, m.start(), 20
        ).lower():
            value = normalize_identifier("case_number", m.group()).value
            yield Mention("case_number", m.start(), m.end(), m.group(), value)


# -- all together ---------------------------------------------------------------------------


def extract(
    text: str, region: str = "US", *, gazetteer: bool = True, model: PersonModel | None = None
) -> list[Mention]:
    """Every mention in ``text``, in order of position. Where two mentions overlap, the one
    of the more specific type wins (an identifier over a phone, a phone over a date), and
    names never overlap an address or identifier."""
    specific: list[Mention] = []
    for group in (_identifiers(text), _phones(text, region), _addresses(text), _dates(text)):
        specific += [m for m in group if not _overlaps(m, specific)]
    people = corefer([p for p in _people(text, gazetteer, model) if not _overlaps(p, specific)])
    ordered = sorted([*people, *specific], key=lambda m: (m.start, m.end))
    position = {(m.start, m.end): i for i, m in enumerate(ordered)}
    return [
        m
        if m.refers_to is None
        else replace(m, refers_to=position[(people[m.refers_to].start, people[m.refers_to].end)])
        for m in ordered
    ]


def default_model() -> PersonModel | None:
    """spaCy's small English pipeline's names when its package is installed, else None
    (rules alone: lower name recall, see docs/documents.md)."""
    from linkwise.documents import spacy_names

    return spacy_names.person_spans if spacy_names.available() else None


def extract_many(
    texts: list[str], region: str = "US", *, use_model: bool = True
) -> list[list[Mention]]:
    """``extract`` of many texts, running the name model over them in batches."""
    from linkwise.documents import spacy_names

    if not (use_model and spacy_names.available()):
        return [extract(t, region) for t in texts]
    spans = spacy_names.person_spans_many(texts)
    return [extract(t, region, model=_found(found)) for t, found in zip(texts, spans, strict=True)]


def _found(spans: list[tuple[int, int]]) -> PersonModel:
    """A model that answers with spans found beforehand (by a batched run)."""

    def model(_text: str) -> list[tuple[int, int]]:
        return spans

    return model
