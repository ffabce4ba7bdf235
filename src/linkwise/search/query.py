"""What a search asks for: one free-text box, optional fields, or both.

``parse_query`` reads the box the way an analyst types into it: "jon smth 1980-03-02",
"Garcia, Maria 03/04/1975", "123-45-6789", "(217) 555-0134 smith". Dates (ISO, US slashes,
day-first dots, "2 March 1980", a year or year and month), e-mail addresses, phone numbers and
identifier-looking tokens (anything with digits in it) are recognised and taken out; the
words left are the name, in the order typed (a comma means "family name first"). Tokens it
cannot use (a two-digit number, say) are listed in ``ignored`` so the page can say so.

``build_query`` merges the box with the optional fields into a ``Query`` of normalised
values, refusing a value that cannot be searched for with a message naming the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from linkwise.govern.gate import SessionError
from linkwise.normalize import (
    NormalizationError,
    PartialDate,
    normalize_address,
    normalize_email,
    normalize_phone,
    parse_dob,
    script_of,
    split_full_name,
)
from linkwise.search.keys import family_words, identifier_key, words


class SearchInputError(SessionError, ValueError):
    """A search cannot be run as given: the message names the field and says why."""


_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_DATE = re.compile(
    r"\b(?:"
    r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}|\d{4}-\d{1,2}|\d{1,2}/\d{4}"
    rf"|\d{{1,2}}\s+(?:{_MONTHS})\.?,?\s+\d{{4}}"
    rf"|(?:{_MONTHS})\.?\s+(?:\d{{1,2}},?\s+)?\d{{4}}"
    r"|(?:18|19|20)\d{2}"
    r")\b",
    re.IGNORECASE,
)
MIN_PHONE = 9
"""Characters of the shortest E.164 number searched for ("+" and eight digits): fewer digits
cannot tell one subscriber from another."""
_EMAIL = re.compile(r"[^\s@,;]+@[^\s@,;]+\.[a-z]{2,}", re.IGNORECASE)
_SSN = re.compile(r"\b\d{3}-\d{2}-\d{4}\b")
_PHONE = re.compile(r"(?:\+\d{1,3}[\s.-]?)?\(?\b\d{3}\)?[\s.-]?\d{3}[\s.-]\d{4}\b|\+\d{8,15}\b")


@dataclass(frozen=True)
class Parsed:
    """The free-text box taken apart (raw text per part, nothing normalised yet)."""

    name: str | None = None
    dob: str | None = None
    identifiers: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()


@dataclass(frozen=True)
class NameQuery:
    """A name as searched for: its folded words, and the family-name words when the order
    is known (a comma in the box); otherwise any word may be the family name."""

    words: tuple[str, ...]
    family_first: bool = False


@dataclass(frozen=True)
class Query:
    """Normalised criteria. ``fields`` names the criteria given, for the audit event."""

    name: NameQuery | None = None
    dob: PartialDate | None = None
    identifiers: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    address: str | None = None
    postcode: str | None = None
    ignored: tuple[str, ...] = ()
    fields: tuple[str, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not (
            self.name
            or self.dob
            or self.identifiers
            or self.phones
            or self.emails
            or self.address
            or self.postcode
        )


def parse_query(text: str) -> Parsed:
    """Take a free-text search apart (see the module docstring)."""
    rest = f" {text} "
    found: dict[str, list[str]] = {"emails": [], "identifiers": [], "phones": [], "dates": []}
    for pattern, kind in (
        (_EMAIL, "emails"),
        (_SSN, "identifiers"),
        (_PHONE, "phones"),
        (_DATE, "dates"),
    ):
        for match in pattern.finditer(rest):
            found[kind].append(match.group(0).strip())
        rest = pattern.sub(" ", rest)
    identifiers = list(found["identifiers"])
    ignored: list[str] = []
    name_tokens: list[str] = []
    for token in rest.replace(",", " , ").split():
        if any(ch.isdigit() for ch in token):
            key = identifier_key(token)
            (identifiers if len(key) >= 4 else ignored).append(token)
        elif token == "," or any(ch.isalpha() for ch in token):
            name_tokens.append(token)
        else:
            ignored.append(token)
    name = " ".join(name_tokens).replace(" , ", ", ").strip(" ,") or None
    dates = found["dates"]
    return Parsed(
        name=name,
        dob=dates[0] if dates else None,
        identifiers=tuple(identifiers),
        phones=tuple(found["phones"]),
        emails=tuple(found["emails"]),
        ignored=tuple(ignored + dates[1:]),
    )


def build_query(
    q: str | None = None,
    *,
    name: str | None = None,
    dob: str | None = None,
    identifier: str | None = None,
    address: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    region: str = "US",
) -> Query:
    """The free-text box ``q`` and the optional fields as one normalised query; a field
    given explicitly wins over the same kind of value found in the box."""
    parsed = parse_query(q) if q and q.strip() else Parsed()
    given: list[str] = []
    name_text = _clean(name) or parsed.name
    if name_text:
        given.append("name")
    name_query = _name(name_text) if name_text else None
    dob_value = None
    ignored = list(parsed.ignored)
    if _clean(dob):
        try:
            dob_value = parse_dob(str(dob))
        except NormalizationError as exc:
            raise SearchInputError(f"dob: {exc}") from None
    elif parsed.dob:
        try:
            dob_value = parse_dob(parsed.dob)
        except NormalizationError:
            ignored.append(parsed.dob)  # looked like a date, is not one (31/31/1980)
    if dob_value is not None:
        given.append("dob")
    identifiers = [identifier_key(i) for i in parsed.identifiers]
    if _clean(identifier):
        key = identifier_key(str(identifier))
        if len(key) < 2:
            raise SearchInputError(f"identifier: {identifier!r} has no letters or digits")
        identifiers.insert(0, key)
    if identifiers:
        given.append("identifier")
    phones = []
    for raw in ([phone] if _clean(phone) else []) + list(parsed.phones):
        found = normalize_phone(str(raw), region)
        if found.e164 is None or len(found.e164) < MIN_PHONE:
            if raw == phone:
                raise SearchInputError(f"phone: {found.issue or 'not a phone number'}")
            ignored.append(str(raw))
            continue
        phones.append(found.e164)
    if phones:
        given.append("phone")
    emails = []
    for raw in ([email] if _clean(email) else []) + list(parsed.emails):
        normal = normalize_email(str(raw))
        if normal is None:
            raise SearchInputError(f"email: {raw!r} is not an e-mail address")
        emails.append(normal)
    if emails:
        given.append("email")
    line = postcode = None
    if _clean(address):
        given.append("address")
        found_address = normalize_address(address, None, None, None, default_country=region)
        line, postcode = found_address.line, found_address.postcode
        if line is None and postcode is None and str(address).strip().isdigit():
            postcode = str(address).strip()
        if line is None and postcode is None:
            raise SearchInputError(f"address: cannot read {address!r} as a street address")
    query = Query(
        name=name_query,
        dob=dob_value,
        identifiers=tuple(dict.fromkeys(identifiers)),
        phones=tuple(dict.fromkeys(phones)),
        emails=tuple(dict.fromkeys(emails)),
        address=line,
        postcode=postcode,
        ignored=tuple(ignored),
        fields=tuple(given),
    )
    if query.empty:
        raise SearchInputError(
            "give a name, a date of birth, an identifier, an address or a phone number to "
            "search for"
        )
    return query


_UNSPACED = frozenset({"Han", "Hangul", "Hiragana", "Katakana"})
"""Scripts whose names are written family first, often without a space ("刘磊")."""


def _name(text: str) -> NameQuery | None:
    if not text.isascii() and " " not in text and script_of(text) in _UNSPACED:
        # read as a stored name was: one syllable per character, family first ("liu lei"),
        # not one run-together word ("liulei") that no stored name holds
        try:
            parts = split_full_name(text)
        except NormalizationError:
            parts = None
        if parts is not None and parts.family:
            tokens = (*family_words(parts.family), *words(parts.middle), *words(parts.given))
            return NameQuery(tuple(tokens), family_first=True)
    if "," in text:
        family, _, rest = text.partition(",")
        tokens = tuple(family_words(family) + words(rest))
        return NameQuery(tokens, family_first=True) if tokens else None
    tokens = tuple(words(text))
    return NameQuery(tokens) if tokens else None


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    return value.strip() or None
