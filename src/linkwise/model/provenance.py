"""Where each canonical value of a record came from.

A record stores its raw mapped values and the notes normalisers made; its run stores the
manifest that mapped it. Together they say, for every canonical value, which source columns
and raw text it was made from, without repeating that on every record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from linkwise.model.fields import DATE_PARTS
from linkwise.model.manifest import FieldSource, Manifest

_NAME_PARTS = ("given_name", "middle_name", "family_name", "name_suffix")
_ADDRESS_PARTS = ("city", "region", "postcode", "country")


@dataclass(frozen=True, slots=True)
class ValueOrigin:
    field: str
    raw: str | None
    """The source text the value was made from; for a derived value, its source's text."""
    columns: tuple[str, ...]
    derived_from: str | None = None
    """The canonical field this value was taken out of (a given name split from a full
    name, a city parsed from a one-line address)."""
    constant: bool = False
    note: str | None = None


def _raw_text(spec: FieldSource, raw: dict[str, Any], nulls: frozenset[str]) -> str | None:
    if spec.value is not None:
        return spec.value
    drop = nulls | {v.casefold() for v in spec.null_values}
    pieces = [
        text
        for c in spec.source_columns()
        if (v := raw.get(c)) is not None
        and (text := str(v).strip())
        and text.casefold() not in drop
    ]
    return spec.join.join(pieces) if pieces else None


def value_origins(
    manifest: Manifest,
    raw: dict[str, Any],
    canonical: dict[str, Any],
    notes: dict[str, str],
) -> dict[str, ValueOrigin]:
    """The origin of every canonical field that has a value or a note."""
    out: dict[str, ValueOrigin] = {}
    nulls = frozenset(v.casefold() for v in manifest.options.null_values)
    for field, spec in manifest.fields.items():
        if field in DATE_PARTS:
            continue
        text = _raw_text(spec, raw, nulls)
        if text is not None or field in notes:
            out[field] = ValueOrigin(
                field,
                text,
                tuple(spec.source_columns()),
                constant=spec.value is not None,
                note=notes.get(field),
            )
    if "birth_year" in manifest.fields and canonical.get("dob"):
        cols = tuple(
            c
            for p in DATE_PARTS
            if p in manifest.fields
            for c in manifest.fields[p].source_columns()
        )
        text = "-".join(str(raw.get(c)) for c in cols if raw.get(c) not in (None, ""))
        out["dob"] = ValueOrigin("dob", text, cols)
    _derived(out, manifest, canonical, "full_name", _NAME_PARTS)
    _derived(out, manifest, canonical, "address_line", _ADDRESS_PARTS)
    if "name_original" not in manifest.fields and canonical.get("name_original"):
        bases = [out[f] for f in ("full_name", "given_name", "family_name") if f in out]
        if bases:
            out["name_original"] = ValueOrigin(
                "name_original",
                canonical["name_original"],
                tuple(c for b in bases for c in b.columns),
                derived_from=bases[0].field,
            )
    return out


def _derived(
    out: dict[str, ValueOrigin],
    manifest: Manifest,
    canonical: dict[str, Any],
    source: str,
    parts: tuple[str, ...],
) -> None:
    base = out.get(source)
    if base is None:
        return
    for part in parts:
        if part not in manifest.fields and canonical.get(part):
            out[part] = ValueOrigin(part, base.raw, base.columns, derived_from=source)
