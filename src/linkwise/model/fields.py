"""The canonical person-field registry.

One declarative table says, for every canonical field, what kind of value it holds and how a
source may supply it. Manifest validation, ingestion, the store's record columns and (later)
resolution and display all read this table, so adding a field is one entry here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FieldKind = Literal[
    "name",
    "name_full",
    "name_original",
    "date",
    "date_part",
    "sex",
    "address",
    "city",
    "region",
    "postcode",
    "country",
    "phone",
    "email",
    "identifier",
]


@dataclass(frozen=True, slots=True)
class CanonicalField:
    name: str
    kind: FieldKind
    label: str
    stored_as: str | None
    """Record column this field lands in; ``None`` for fields folded into another (parts of a
    date, full names split into parts, identifiers which live in their own table)."""


_FIELDS: tuple[CanonicalField, ...] = (
    CanonicalField("given_name", "name", "Given name", "given_name"),
    CanonicalField("middle_name", "name", "Middle name", "middle_name"),
    CanonicalField("family_name", "name", "Family name", "family_name"),
    CanonicalField("name_suffix", "name", "Suffix", "name_suffix"),
    CanonicalField("full_name", "name_full", "Full name", "full_name"),
    CanonicalField("name_original", "name_original", "Name in original script", "name_original"),
    CanonicalField("dob", "date", "Date of birth", "dob"),
    CanonicalField("birth_year", "date_part", "Birth year", None),
    CanonicalField("birth_month", "date_part", "Birth month", None),
    CanonicalField("birth_day", "date_part", "Birth day", None),
    CanonicalField("sex", "sex", "Sex", "sex"),
    CanonicalField("address_line", "address", "Address", "address_line"),
    CanonicalField("city", "city", "City", "city"),
    CanonicalField("region", "region", "State or region", "region"),
    CanonicalField("postcode", "postcode", "Postcode", "postcode"),
    CanonicalField("country", "country", "Country", "country"),
    CanonicalField("phone", "phone", "Phone", "phone"),
    CanonicalField("email", "email", "E-mail", "email"),
    CanonicalField("ssn", "identifier", "Social Security number", None),
    CanonicalField("passport", "identifier", "Passport number", None),
    CanonicalField("drivers_licence", "identifier", "Driver's licence", None),
    CanonicalField("national_id", "identifier", "National identity number", None),
    CanonicalField("a_number", "identifier", "Alien registration number", None),
    CanonicalField("case_number", "identifier", "Case number", None),
    CanonicalField("booking_number", "identifier", "Booking number", None),
    CanonicalField("tax_id", "identifier", "Taxpayer id", None),
)

FIELDS: dict[str, CanonicalField] = {f.name: f for f in _FIELDS}
IDENTIFIER_FIELDS: tuple[str, ...] = tuple(f.name for f in _FIELDS if f.kind == "identifier")
RECORD_COLUMNS: tuple[str, ...] = tuple(f.stored_as for f in _FIELDS if f.stored_as)
DATE_PARTS: tuple[str, ...] = ("birth_year", "birth_month", "birth_day")
