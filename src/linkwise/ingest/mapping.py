"""Map one raw row to canonical person fields, or say why it cannot be stored.

A mapper is compiled once per manifest and applied to every row; the normalisers it calls
cache their results, since names, dates and places repeat heavily across rows. A record
keeps its raw mapped values, its canonical values and a note for each value a normaliser
had doubts about; which column gave which field is in the manifest of the record's run
(see ``linkwise.model.provenance``), so it is not repeated on every record.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

import orjson

from linkwise.ingest.readers.base import RawRow
from linkwise.ingest.values import as_text, json_safe
from linkwise.model.fields import FIELDS
from linkwise.model.manifest import FactSpec, FieldSource, Manifest
from linkwise.model.records import IdentifierValue, MappedRecord, Rejection, source_key
from linkwise.normalize import (
    NormalizationError,
    date_from_parts,
    fold,
    is_latin,
    normalize_address,
    normalize_email,
    normalize_identifier,
    normalize_name,
    normalize_phone,
    normalize_sex,
    parse_date,
    parse_dob,
    split_full_name,
)

_ADDRESS_FIELDS = ("address_line", "city", "region", "postcode", "country")
_NAME_PARTS = ("given_name", "middle_name", "family_name", "name_suffix")


class RowError(Exception):
    def __init__(self, column: str | None, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


def default_region(manifest: Manifest) -> str | None:
    """The manifest's region for phone numbers and addresses: declared, else the country
    prefix of its jurisdiction (``US-XX-County`` gives ``US``)."""
    if manifest.default_region:
        return manifest.default_region
    match = re.match(r"^([A-Z]{2})(?:-|$)", manifest.jurisdiction)
    return match.group(1) if match else None


Texts = dict[str, str | None]
Notes = dict[str, str]


class RowMapper:
    def __init__(self, manifest: Manifest, *, dob_checks: bool = True) -> None:
        """``dob_checks=False`` reads dates of birth as plain dates, without the plausibility
        checks of ``parse_dob`` (e.g. historical records born before 1890)."""
        self.manifest = manifest
        self._parse_dob = parse_dob if dob_checks else parse_date
        self.region = default_region(manifest)
        self._nulls = frozenset(v.casefold() for v in manifest.options.null_values)
        self._key = list(manifest.key)
        self._columns = manifest.mapped_columns()
        self._fields = dict(manifest.fields)
        self._getters = [(f, self._getter(f, s)) for f, s in self._fields.items()]
        self._identifier_fields = [f for f in self._fields if FIELDS[f].kind == "identifier"]
        self._has_address = any(f in self._fields for f in _ADDRESS_FIELDS)
        self._facts = [(n, s, _fact_parser(n, s)) for n, s in manifest.facts.items()]

    def __call__(self, row: RawRow) -> MappedRecord | Rejection:
        values = row.values
        raw = {
            c: v if v is None or type(v) is str else json_safe(v)
            for c in self._columns
            for v in (values.get(c),)
        }
        key = None
        try:
            key = self._source_key(row)
            if row.problem:
                raise RowError(None, row.problem)
            assert key is not None
            return self._map(row, key, raw)
        except RowError as exc:
            return Rejection(row.locator, row.line, key, exc.column, exc.reason, raw)

    def _source_key(self, row: RawRow) -> str | None:
        parts = []
        for col in self._key:
            try:
                text = as_text(row.values.get(col))
            except TypeError as exc:
                raise RowError(col, f"key column {col!r} {exc}") from None
            if text is None:
                if row.problem:
                    return None
                raise RowError(col, f"key column {col!r} is empty")
            parts.append(text)
        return source_key(parts)

    def _getter(self, field: str, spec: FieldSource) -> Callable[[dict[str, Any]], str | None]:
        """A function from row values to this field's text, or None when it is missing."""
        nulls = self._nulls | {v.casefold() for v in spec.null_values}
        if spec.value is not None:
            constant = spec.value
            return lambda values: constant

        def one(values: dict[str, Any], col: str) -> str | None:
            value = values.get(col)
            if type(value) is str:
                text: str | None = value.strip() or None
            else:
                try:
                    text = as_text(value)
                except TypeError as exc:
                    raise RowError(col, f"{field}: column {col!r} {exc}") from None
            return None if text is None or text.casefold() in nulls else text

        if spec.column is not None:
            column = spec.column
            return lambda values: one(values, column)
        columns, join = spec.source_columns(), spec.join

        def joined(values: dict[str, Any]) -> str | None:
            pieces = [t for c in columns if (t := one(values, c)) is not None]
            return join.join(pieces) if pieces else None

        return joined

    def _map(self, row: RawRow, key: str, raw: dict[str, Any]) -> MappedRecord:
        values = row.values
        texts: Texts = {f: get(values) for f, get in self._getters}
        canonical: dict[str, str | None] = {}
        notes: Notes = {}
        self._names(texts, canonical, notes)
        self._dob(texts, row, canonical)
        if self._has_address:
            self._address(texts, canonical)
        self._contact(texts, canonical, notes)
        identifiers = self._identifiers(texts, notes)
        facts = self._map_facts(values)
        if not any(canonical.values()) and not identifiers and not facts:
            raise RowError(None, "row has no value in any mapped column")
        digest = hashlib.sha256(
            orjson.dumps(
                [raw, canonical, facts, [[i.type, i.value, i.raw, i.valid] for i in identifiers]],
                option=orjson.OPT_SORT_KEYS,
                default=str,
            )
        ).hexdigest()
        return MappedRecord(
            key, row.locator, row.line, raw, canonical, notes, facts, identifiers, digest
        )

    def _names(self, texts: Texts, canonical: dict[str, str | None], notes: Notes) -> None:
        display = {f: texts.get(f) for f in _NAME_PARTS}
        full = texts.get("full_name")
        if full is not None:
            try:
                parts = split_full_name(full, self._fields["full_name"].order)
            except NormalizationError as exc:
                notes["full_name"] = str(exc)
            else:
                split = (parts.given, parts.middle, parts.family, parts.suffix)
                for field, value in zip(_NAME_PARTS, split, strict=True):
                    if display[field] is None:
                        display[field] = value
            canonical["full_name"] = normalize_name(full)
        for field, value in display.items():
            canonical[field] = normalize_name(value) if value is not None else None
        original = texts.get("name_original")
        if original is None:
            given, family = texts.get("given_name"), texts.get("family_name")
            written = [v for v in (full, given, family) if v]
            if written and not all(is_latin(v) for v in written):
                original = full or " ".join(v for v in (given, family) if v)
        canonical["name_original"] = original

    def _dob(self, texts: Texts, row: RawRow, canonical: dict[str, str | None]) -> None:
        spec = self._fields.get("dob")
        try:
            if spec is not None:
                text = texts["dob"]
                if text is None:
                    canonical["dob"] = None
                    return
                typed = spec.column is not None and not isinstance(row.values.get(spec.column), str)
                fmt = None if typed else spec.format
                canonical["dob"] = self._parse_dob(text, fmt, dayfirst=spec.dayfirst).iso()
            elif "birth_year" in self._fields:
                parts = date_from_parts(
                    texts.get("birth_year"), texts.get("birth_month"), texts.get("birth_day")
                )
                canonical["dob"] = self._parse_dob(parts.iso()).iso() if parts else None
        except NormalizationError as exc:
            column = spec.column if spec is not None else self._fields["birth_year"].column
            raise RowError(column, f"date of birth: {exc}") from None

    def _address(self, texts: Texts, canonical: dict[str, str | None]) -> None:
        given = [texts.get(f) for f in _ADDRESS_FIELDS]
        if not any(given):
            return
        addr = normalize_address(*given, default_country=self.region)
        canonical["address_line"] = addr.line
        canonical["city"] = addr.city
        canonical["region"] = addr.region
        canonical["postcode"] = addr.postcode
        canonical["country"] = addr.country

    def _contact(self, texts: Texts, canonical: dict[str, str | None], notes: Notes) -> None:
        if (sex := texts.get("sex")) is not None:
            try:
                canonical["sex"] = normalize_sex(sex)
            except NormalizationError as exc:
                notes["sex"] = str(exc)
        if (phone := texts.get("phone")) is not None:
            result = normalize_phone(phone, self._fields["phone"].region or self.region)
            canonical["phone"] = result.e164
            if result.issue:
                notes["phone"] = result.issue
        if (email := texts.get("email")) is not None:
            canonical["email"] = normalize_email(email)
            if canonical["email"] is None:
                notes["email"] = "not an e-mail address"

    def _identifiers(self, texts: Texts, notes: Notes) -> tuple[IdentifierValue, ...]:
        out = []
        for field in self._identifier_fields:
            text = texts[field]
            if text is None:
                continue
            ident = normalize_identifier(field, text)
            out.append(IdentifierValue(field, ident.value, text, ident.valid, ident.issue))
            if ident.issue:
                notes[field] = ident.issue
        return tuple(out)

    def _map_facts(self, values: dict[str, Any]) -> dict[str, Any]:
        facts: dict[str, Any] = {}
        for name, spec, parse in self._facts:
            try:
                text = as_text(values.get(spec.column))
            except TypeError as exc:
                raise RowError(spec.column, f"fact {name}: {exc}") from None
            if text is not None and (text.casefold() in self._nulls or text in spec.null_values):
                text = None
            if text is None:
                if spec.required:
                    raise RowError(spec.column, f"fact {name}: required value is missing")
                continue
            try:
                facts[name] = parse(text)
            except (ValueError, NormalizationError) as exc:
                raise RowError(spec.column, f"fact {name}: {exc}") from None
        return facts


_TRUE = frozenset({"true", "t", "yes", "y", "1"})
_FALSE = frozenset({"false", "f", "no", "n", "0"})


def _fact_parser(name: str, spec: FactSpec) -> Callable[[str], Any]:
    """The converter from text to a typed fact value; it raises ValueError with a reason."""
    if spec.type == "integer":
        return lambda text: int(text.replace(",", ""))
    if spec.type == "number":
        return lambda text: float(text.replace(",", ""))
    if spec.type == "date":
        fmt = spec.format
        return lambda text: parse_date(text, fmt).iso()
    if spec.type == "boolean":

        def boolean(text: str) -> bool:
            low = text.casefold()
            if low in _TRUE or low in _FALSE:
                return low in _TRUE
            raise ValueError(f"{text!r} is not yes/no")

        return boolean
    if spec.type == "enum":
        assert spec.values is not None
        allowed = {fold(v): v for v in spec.values}
        listing = ", ".join(spec.values)

        def enum(text: str) -> str:
            value = allowed.get(fold(text))
            if value is None:
                raise ValueError(f"{text!r} is not one of {listing}")
            return value

        return enum
    return lambda text: text
