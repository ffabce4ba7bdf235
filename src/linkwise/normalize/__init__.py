"""Pure normalisers for person fields: the bottom layer of linkwise.

Every function here is pure (no I/O, no other linkwise package), cached for the heavy
repetition of names, dates and places in ingestion, and returns immutable values. Each
normaliser turns one raw value into the form comparisons use; the caller keeps the raw
value beside it. Errors are ``NormalizationError`` with a sentence for the person fixing
the source; phones, addresses and identifiers never raise on bad values and report the
problem in the result instead.
"""

from __future__ import annotations

from linkwise.normalize._cache import clear_caches
from linkwise.normalize.addresses import Address, normalize_address
from linkwise.normalize.contact import normalize_email, normalize_sex
from linkwise.normalize.countries import normalize_country
from linkwise.normalize.dates import (
    EARLIEST_BIRTH_YEAR,
    PartialDate,
    date_from_parts,
    parse_date,
    parse_dob,
)
from linkwise.normalize.errors import NormalizationError
from linkwise.normalize.identifiers import (
    IDENTIFIER_TYPES,
    Identifier,
    normalize_identifier,
    usable_for_matching,
)
from linkwise.normalize.names import (
    NameParts,
    normalize_name,
    split_full_name,
    surname_tokens,
)
from linkwise.normalize.nickname import nickname_candidates
from linkwise.normalize.phones import Phone, normalize_phone
from linkwise.normalize.postcodes import normalize_postcode
from linkwise.normalize.regions import normalize_region
from linkwise.normalize.text import fold, is_latin, script_of

__all__ = [
    "EARLIEST_BIRTH_YEAR",
    "IDENTIFIER_TYPES",
    "Address",
    "Identifier",
    "NameParts",
    "NormalizationError",
    "PartialDate",
    "Phone",
    "clear_caches",
    "date_from_parts",
    "fold",
    "is_latin",
    "nickname_candidates",
    "normalize_address",
    "normalize_country",
    "normalize_email",
    "normalize_identifier",
    "normalize_name",
    "normalize_phone",
    "normalize_postcode",
    "normalize_region",
    "normalize_sex",
    "parse_date",
    "parse_dob",
    "script_of",
    "split_full_name",
    "surname_tokens",
    "usable_for_matching",
]
