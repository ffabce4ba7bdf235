"""Map one raw row to canonical person fields with provenance, or say why it cannot be.

A mapper is compiled once per manifest and then applied to every row; the normalisers it
calls cache their results, since names, dates and places repeat heavily across rows.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from linkwise.ingest.readers.base import RawRow
from linkwise.ingest.values import as_text, json_safe
from linkwise.model.fields import FIELDS
from linkwise.model.manifest import FactSpec, FieldSource, Manifest
from linkwise.model.records import IdentifierValue, MappedRecord, Rejection
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


class RowMapper:
    def __init__(self, manifest: Manifest) -> None:
        self.manifest = manifest
        self.region = default_region(manifest)
        self._nulls = {v.casefold() for v in manifest.options.null_values}
        self._key = list(manifest.key)
        self._columns = manifest.mapped_columns()
        self._fields = dict(manifest.fields)
        self._facts = dict(manifest.facts)

    def __call__(self, row: RawRow) -> MappedRecord | Rejection:
        raw = {c: json_safe(row.values.get(c)) for c in self._columns}
        key = None
        try:
            key = self._source_key(row)
            if row.problem:
                raise RowError(None, row.problem)
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
        return parts[0] if len(parts) == 1 else json.dumps(parts, ensure_ascii=False)

    def _text(self, spec: FieldSource, row: RawRow, field: str) -> str | None:
        if spec.value is not None:
            return spec.value
        pieces = []
        for col in spec.source_columns():
            try:
                text = as_text(row.values.get(col))
            except TypeError as exc:
                raise RowError(col, f"{field}: column {col!r} {exc}") from None
            if (
                text is not None
                and text.casefold() not in self._nulls
                and (not spec.null_values or text not in spec.null_values)
            ):
                pieces.append(text)
        return spec.join.join(pieces) if pieces else None

    def _map(self, row: RawRow, key: str | None, raw: dict[str, Any]) -> MappedRecord:
        assert key is not None
        texts = {f: self._text(s, row, f) for f, s in self._fields.items()}
        canonical: dict[str, str | None] = {}
        provenance: dict[str, dict[str, Any]] = {}
        for field, text in texts.items():
            if text is not None:
                spec = self._fields[field]
                provenance[field] = _origin(spec, text)
        self._names(texts, canonical, provenance)
        self._dob(texts, row, canonical, provenance)
        self._address(texts, canonical)
        self._contact(texts, canonical, provenance)
        identifiers = self._identifiers(texts, provenance)
        facts = self._map_facts(row)
        if not any(canonical.values()) and not identifiers and not facts:
            raise RowError(None, "row has no value in any mapped column")
        digest = hashlib.sha256(
            json.dumps(
                [raw, canonical, facts, [[i.type, i.value, i.raw, i.valid] for i in identifiers]],
                sort_keys=True,
                ensure_ascii=False,
                default=str,
            ).encode()
        ).hexdigest()
        return MappedRecord(
            source_key=key,
            locator=row.locator,
            line=row.line,
            raw=raw,
            canonical=canonical,
            provenance=provenance,
            facts=facts,
            identifiers=identifiers,
            content_hash=digest,
        )

    def _names(
        self,
        texts: dict[str, str | None],
        canonical: dict[str, str | None],
        provenance: dict[str, dict[str, Any]],
    ) -> None:
        display: dict[str, str | None] = {f: texts.get(f) for f in _NAME_PARTS}
        full = texts.get("full_name")
        if full is not None:
            order = self._fields["full_name"].order
            try:
                parts = split_full_name(full, order)
            except NormalizationError as exc:
                provenance["full_name"]["note"] = str(exc)
            else:
                split = {
                    "given_name": parts.given,
                    "middle_name": parts.middle,
                    "family_name": parts.family,
                    "name_suffix": parts.suffix,
                }
                for field, value in split.items():
                    if display[field] is None and value is not None:
                        display[field] = value
                        provenance[field] = {"from": "full_name"}
            canonical["full_name"] = normalize_name(full)
        for field, value in display.items():
            canonical[field] = normalize_name(value) if value is not None else None
        original = texts.get("name_original")
        if original is None:
            written = [v for v in (full, texts.get("given_name"), texts.get("family_name")) if v]
            if any(not is_latin(v) for v in written):
                original = full or " ".join(
                    v for v in (texts.get("given_name"), texts.get("family_name")) if v
                )
                provenance["name_original"] = {"from": "name fields"}
        canonical["name_original"] = original

    def _dob(
        self,
        texts: dict[str, str | None],
        row: RawRow,
        canonical: dict[str, str | None],
        provenance: dict[str, dict[str, Any]],
    ) -> None:
        spec = self._fields.get("dob")
        try:
            if spec is not None:
                text = texts["dob"]
                if text is None:
                    canonical["dob"] = None
                    return
                raw_value = row.values.get(spec.column) if spec.column else None
                fmt = spec.format if isinstance(raw_value, str) or raw_value is None else None
                canonical["dob"] = parse_dob(text, fmt, dayfirst=spec.dayfirst).iso()
            elif "birth_year" in self._fields:
                parts = date_from_parts(
                    texts.get("birth_year"), texts.get("birth_month"), texts.get("birth_day")
                )
                canonical["dob"] = parse_dob(parts.iso()).iso() if parts else None
                if parts:
                    provenance["dob"] = {"from": "birth_year, birth_month, birth_day"}
        except NormalizationError as exc:
            column = spec.column if spec is not None else self._fields["birth_year"].column
            raise RowError(column, f"date of birth: {exc}") from None

    def _address(self, texts: dict[str, str | None], canonical: dict[str, str | None]) -> None:
        given = {f: texts.get(f) for f in _ADDRESS_FIELDS}
        if not any(given.values()):
            return
        addr = normalize_address(
            given["address_line"],
            given["city"],
            given["region"],
            given["postcode"],
            given["country"],
            default_country=self.region,
        )
        canonical.update(
            address_line=addr.line,
            city=addr.city,
            region=addr.region,
            postcode=addr.postcode,
            country=addr.country,
        )

    def _contact(
        self,
        texts: dict[str, str | None],
        canonical: dict[str, str | None],
        provenance: dict[str, dict[str, Any]],
    ) -> None:
        if (sex := texts.get("sex")) is not None:
            canonical["sex"] = normalize_sex(sex)
        if (phone := texts.get("phone")) is not None:
            region = self._fields["phone"].region or self.region
            result = normalize_phone(phone, region)
            canonical["phone"] = result.e164
            if result.issue:
                provenance["phone"]["note"] = result.issue
        if (email := texts.get("email")) is not None:
            canonical["email"] = normalize_email(email)
            if canonical["email"] is None:
                provenance["email"]["note"] = "not an e-mail address"

    def _identifiers(
        self, texts: dict[str, str | None], provenance: dict[str, dict[str, Any]]
    ) -> tuple[IdentifierValue, ...]:
        out = []
        for field, text in texts.items():
            if text is None or FIELDS[field].kind != "identifier":
                continue
            ident = normalize_identifier(field, text)
            out.append(IdentifierValue(field, ident.value, text, ident.valid, ident.issue))
            if ident.issue:
                provenance[field]["note"] = ident.issue
        return tuple(out)

    def _map_facts(self, row: RawRow) -> dict[str, Any]:
        facts: dict[str, Any] = {}
        for name, spec in self._facts.items():
            try:
                text = as_text(row.values.get(spec.column))
            except TypeError as exc:
                raise RowError(spec.column, f"fact {name}: {exc}") from None
            if text is not None and (text.casefold() in self._nulls or text in spec.null_values):
                text = None
            if text is None:
                if spec.required:
                    raise RowError(spec.column, f"fact {name}: required value is missing")
                continue
            facts[name] = _fact_value(name, spec, text)
        return facts


def _origin(spec: FieldSource, text: str) -> dict[str, Any]:
    if spec.value is not None:
        return {"raw": text, "constant": True}
    if spec.column is not None:
        return {"raw": text, "column": spec.column}
    return {"raw": text, "columns": spec.columns}


_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}


def _fact_value(name: str, spec: FactSpec, text: str) -> Any:
    convert: dict[str, Callable[[], Any]] = {
        "string": lambda: text,
        "integer": lambda: int(text.replace(",", "")),
        "number": lambda: float(text.replace(",", "")),
    }
    try:
        if spec.type in convert:
            return convert[spec.type]()
        if spec.type == "date":
            return parse_date(text, spec.format).iso()
        if spec.type == "boolean":
            low = text.casefold()
            if low in _TRUE | _FALSE:
                return low in _TRUE
            raise ValueError(f"{text!r} is not yes/no")
        assert spec.values is not None
        folded = {fold(v): v for v in spec.values}
        if (value := folded.get(fold(text))) is not None:
            return value
        raise ValueError(f"{text!r} is not one of {', '.join(spec.values)}")
    except (ValueError, NormalizationError) as exc:
        raise RowError(spec.column, f"fact {name}: {exc}") from None
