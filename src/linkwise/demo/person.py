"""A person as a record writer sees them: strings and dates resolved from the columns.

Built per chunk of people (``people``) so the cost of resolving strings is paid only while a
chunk is being written, and never for the whole population at once.
"""

from __future__ import annotations

import bisect
import datetime as dt
import unicodedata
from dataclasses import dataclass

import numpy as np

from linkwise.demo.addresses import CITIES, SHELTER, Address, decode
from linkwise.demo.identifiers import format_phone, licence_text
from linkwise.demo.names import (
    CULTURES,
    GIVEN,
    ORIGIN_OF,
    SCRIPT_ORIGINS,
    SURNAMES,
    NameEntry,
)
from linkwise.demo.population import SUFFIXES, Population, person_id

EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example.com")
"""Reserved domains (RFC 2606), so no generated address can reach a real mailbox."""


@dataclass(frozen=True, slots=True)
class Person:
    index: int
    pid: str
    culture: str
    origin: str
    sex: str
    given: NameEntry
    middle: NameEntry | None
    family: tuple[NameEntry, ...]
    hyphen: bool
    suffix: str
    dob: dt.date
    ssn: str
    licence: str
    licence_state: str
    phone: str
    home_phone: str | None
    email: str | None
    household: int
    household_size: int
    twin: bool
    jr_sr: bool
    shelter: bool
    moves: tuple[int, ...]
    """Ordinal day each address in ``addresses`` starts."""
    addresses: tuple[Address, ...]

    @property
    def family_text(self) -> str:
        return ("-" if self.hyphen else " ").join(e.text for e in self.family)

    @property
    def native_name(self) -> str | None:
        """The name in its original script and that script's order (Chinese family name
        first, unspaced), for origins that have one and where every part is known."""
        if self.origin not in SCRIPT_ORIGINS:
            return None
        parts = [self.given.script, *(e.script for e in self.family)]
        if any(p is None for p in parts):
            return None
        given, *family = (p for p in parts if p is not None)
        if self.origin == "chinese":
            return "".join(family) + given
        return " ".join([given, *family])

    def slot_at(self, ordinal: int) -> int:
        """Index of the address the person lived at on that day."""
        return max(0, bisect.bisect_right(self.moves, ordinal) - 1)

    def person_tags(self, slot: int | None = None) -> list[str]:
        """Tags a record inherits from who the person is and where the record finds them."""
        tags = []
        if self.twin:
            tags.append("twin")
        if self.jr_sr:
            tags.append("jr_sr")
        if self.shelter:
            tags.append("shelter_address")
        if slot is not None and slot < len(self.addresses) - 1:
            tags.append("old_address")
        return tags


def ascii_fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _email(style: int, given: str, family: str, index: int, dob: dt.date) -> str | None:
    if style < 0:
        return None
    g = "".join(ch for ch in ascii_fold(given).lower() if ch.isalnum())
    f = "".join(ch for ch in ascii_fold(family).lower() if ch.isalnum())
    domain = EMAIL_DOMAINS[index % len(EMAIL_DOMAINS)]
    local = (
        f"{g}.{f}",
        f"{g}{f}{index % 97}",
        f"{g[:1]}{f}",
        f"{f}.{g}{dob.year % 100:02d}",
    )[style]
    return f"{local}@{domain}"


def people(pop: Population, indices: np.ndarray) -> list[Person]:
    """Resolve the people at ``indices`` (pulling each column once, as Python lists)."""
    col = {
        name: getattr(pop, name)[indices].tolist()
        for name in (
            "household",
            "culture",
            "sex",
            "given",
            "middle",
            "family",
            "family2",
            "hyphen",
            "suffix",
            "dob",
            "twin_of",
            "jr_sr",
            "phone",
            "email",
            "ssn",
            "licence",
        )
    }
    out = []
    for k, index in enumerate(indices.tolist()):
        hh = col["household"][k]
        shelter = bool(pop.hh_shelter[hh])
        if shelter:
            addresses: tuple[Address, ...] = (SHELTER,)
            moves: tuple[int, ...] = (int(pop.hh_moves[hh, 0]),)
        else:
            count = int(pop.hh_count[hh])
            addresses = tuple(decode(pop.hh_addresses[hh, j].tolist()) for j in range(count))
            moves = tuple(pop.hh_moves[hh, :count].tolist())
        first_city = CITIES[int(pop.hh_addresses[hh, 0, 0])]
        family = tuple(SURNAMES[i] for i in (col["family"][k], col["family2"][k]) if i >= 0)
        given = GIVEN[col["given"][k]]
        dob = dt.date.fromordinal(col["dob"][k])
        home = int(pop.hh_phone[hh])
        out.append(
            Person(
                index=index,
                pid=person_id(index),
                culture=CULTURES[col["culture"][k]],
                origin=ORIGIN_OF[CULTURES[col["culture"][k]]],
                sex="M" if col["sex"][k] else "F",
                given=given,
                middle=GIVEN[col["middle"][k]] if col["middle"][k] >= 0 else None,
                family=family,
                hyphen=bool(col["hyphen"][k]),
                suffix=SUFFIXES[col["suffix"][k]],
                dob=dob,
                ssn=f"{col['ssn'][k]:09d}",
                licence=licence_text(first_city.state, col["licence"][k], family[0].text, dob),
                licence_state=first_city.state,
                phone=format_phone(col["phone"][k]),
                home_phone=format_phone(home) if home else None,
                email=_email(col["email"][k], given.text, family[0].text, index, dob),
                household=hh,
                household_size=int(pop.hh_size[hh]),
                twin=col["twin_of"][k] >= 0,
                jr_sr=bool(col["jr_sr"][k]),
                shelter=shelter,
                moves=moves,
                addresses=addresses,
            )
        )
    return out
