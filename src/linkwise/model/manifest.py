"""The source manifest (DESIGN.md §4): a declarative description of one source.

This module holds the shape of a manifest and the checks that need nothing but the manifest
itself. Checks against the policy pack (markings, prohibited attributes) and against the
source file live in ``linkwise.ingest.manifests``.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from linkwise.model.fields import DATE_PARTS, FIELDS

SourceFormat = Literal["csv", "jsonl", "parquet", "sql", "documents"]
NameOrder = Literal["auto", "given_first", "family_first"]
FactType = Literal["string", "enum", "date", "integer", "number", "boolean"]

NAME_PATTERN = r"^[a-z0-9_]+$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldSource(_Strict):
    """Where one canonical field comes from in a source row."""

    column: str | None = None
    columns: list[str] | None = None
    join: str = " "
    value: str | None = None
    format: str | None = None
    dayfirst: bool = False
    order: NameOrder = "auto"
    region: Annotated[str | None, Field(pattern=r"^[A-Z]{2}$")] = None
    null_values: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_origin(self) -> FieldSource:
        given = [k for k in ("column", "columns", "value") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of 'column', 'columns' or 'value'"
                + (f" (got {', '.join(given)})" if given else "")
            )
        if self.columns is not None and not self.columns:
            raise ValueError("'columns' must list at least one column")
        return self

    def source_columns(self) -> list[str]:
        if self.column is not None:
            return [self.column]
        return list(self.columns or [])


class FactSpec(_Strict):
    """A typed per-record attribute, e.g. an offence class or a disposition date."""

    column: str
    type: FactType = "string"
    values: list[str] | None = None
    format: str | None = None
    required: bool = False
    null_values: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _enum_needs_values(self) -> FactSpec:
        if self.type == "enum" and not self.values:
            raise ValueError("an enum fact needs 'values'")
        if self.type != "enum" and self.values is not None:
            raise ValueError("'values' only applies to type enum")
        if self.format is not None and self.type != "date":
            raise ValueError("'format' only applies to type date")
        return self


class ReaderOptions(_Strict):
    """Reader hints; everything here is optional because readers detect what they can."""

    encoding: str | None = None
    delimiter: str | None = None
    null_values: list[str] = Field(default_factory=lambda: ["", "NULL", "null", "N/A", "n/a"])


def _coerce_field(value: Any) -> Any:
    return {"column": value} if isinstance(value, str) else value


class Manifest(_Strict):
    name: Annotated[str, Field(pattern=NAME_PATTERN, max_length=63)]
    title: Annotated[str, Field(min_length=1)]
    kind: Annotated[str, Field(pattern=NAME_PATTERN)]
    jurisdiction: Annotated[str, Field(min_length=1)]
    format: SourceFormat | None = None
    path: str | None = None
    url: str | None = None
    table: str | None = None
    query: str | None = None
    key: list[str]
    fields: dict[str, FieldSource] = Field(default_factory=dict)
    facts: dict[Annotated[str, Field(pattern=NAME_PATTERN)], FactSpec] = Field(default_factory=dict)
    markings: list[Annotated[str, Field(pattern=NAME_PATTERN)]] = Field(default_factory=list)
    retention_days: Annotated[int, Field(gt=0)] | None = None
    duplicate_free: bool = False
    default_region: Annotated[str | None, Field(pattern=r"^[A-Z]{2}$")] = None
    owner: str | None = None
    description: str | None = None
    options: ReaderOptions = Field(default_factory=ReaderOptions)

    @field_validator("key", mode="before")
    @classmethod
    def _key_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("key")
    @classmethod
    def _key_not_empty(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("'key' must name at least one column")
        return value

    @field_validator("fields", mode="before")
    @classmethod
    def _fields_shorthand(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: _coerce_field(v) for k, v in value.items()}
        return value

    @field_validator("fields")
    @classmethod
    def _known_fields(cls, value: dict[str, FieldSource]) -> dict[str, FieldSource]:
        unknown = sorted(set(value) - set(FIELDS))
        if unknown:
            raise ValueError(
                f"unknown canonical field(s) {', '.join(unknown)}; "
                f"known fields are {', '.join(FIELDS)}; map other attributes under 'facts'"
            )
        parts = [p for p in DATE_PARTS if p in value]
        if parts and "dob" in value:
            raise ValueError("map either 'dob' or birth_year/birth_month/birth_day, not both")
        if parts and "birth_year" not in parts:
            raise ValueError("birth_month/birth_day need birth_year")
        return value

    @model_validator(mode="after")
    def _location(self) -> Manifest:
        fmt = self.resolved_format()
        if fmt == "sql":
            if not self.url:
                raise ValueError("a sql source needs 'url'")
            if (self.table is None) == (self.query is None):
                raise ValueError("a sql source needs exactly one of 'table' or 'query'")
            if self.path is not None:
                raise ValueError("a sql source takes 'url' and 'table'/'query', not 'path'")
        else:
            if not self.path:
                raise ValueError("a file source needs 'path'")
            if self.url or self.table or self.query:
                raise ValueError("'url', 'table' and 'query' only apply to format sql")
        return self

    def resolved_format(self) -> SourceFormat | None:
        """The declared format, else the one the path's extension implies."""
        if self.format is not None:
            return self.format
        if self.url is not None:
            return "sql"
        if self.path is None:
            return None
        suffix = PurePath(self.path).suffix.lower()
        return _EXTENSIONS.get(suffix)

    def mapped_columns(self) -> list[str]:
        """Every source column the manifest reads, in a stable order, without repeats."""
        seen: dict[str, None] = dict.fromkeys(self.key)
        for spec in self.fields.values():
            seen.update(dict.fromkeys(spec.source_columns()))
        for fact in self.facts.values():
            seen[fact.column] = None
        return list(seen)


_EXTENSIONS: dict[str, SourceFormat] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}
