"""Real-time matching in a workspace: one person's details in, candidate entities out.

The details arrive as raw text per canonical field (what an analyst types or an API client
sends) and are normalised by the same normalisers ingestion uses, so "Garcia" and "GARCIA"
or "03/04/1980" and "1980-03-04" reach the model as the stored records did. The matcher
(``linkwise.resolve.realtime``) is built from the workspace's resolved records, its latest
model and its generic values, and kept warm: a later call reuses it until another
resolution run completes.

What a result shows about the matched records is limited to what identifies them to an
analyst (source, key, name and date of birth) and the explanation, whose sentence never
quotes an identifier, address, phone or e-mail; the waterfall is given without the values
it compared.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from linkwise.model.fields import FIELDS, IDENTIFIER_FIELDS
from linkwise.normalize import (
    NormalizationError,
    normalize_address,
    normalize_email,
    normalize_identifier,
    normalize_name,
    normalize_phone,
    normalize_sex,
    parse_dob,
    split_full_name,
)
from linkwise.resolve.prepare import prepare
from linkwise.resolve.realtime import DEFAULT_THRESHOLD, DEFAULT_TOP, Candidate, Matcher

__all__ = ["DEFAULT_THRESHOLD", "DEFAULT_TOP", "MatchInputError", "MatchResult", "Matching"]
from linkwise.store import resolution as store

MATCH_FIELDS: tuple[str, ...] = (
    "given_name",
    "middle_name",
    "family_name",
    "full_name",
    "dob",
    "sex",
    "address_line",
    "city",
    "region",
    "postcode",
    "country",
    "phone",
    "email",
    *IDENTIFIER_FIELDS,
)
"""The canonical fields a match accepts (``model.fields`` describes each)."""
_NAMES = ("given_name", "middle_name", "family_name")
_ADDRESS = ("address_line", "city", "region", "postcode", "country")
_ENOUGH = ("given_name", "family_name", "dob", "phone", "email", *IDENTIFIER_FIELDS)
SHOWN_COLUMNS = ("given_name", "middle_name", "family_name", "dob")
"""The values of a matched record a result shows beside its source and key."""


class MatchInputError(ValueError):
    """A value given to match cannot be used: the message names the field and says why."""


@dataclass(frozen=True)
class MatchedRecord:
    record_id: int
    source: str
    source_key: str
    probability: float
    values: dict[str, Any]


@dataclass(frozen=True)
class MatchResult:
    """A candidate entity for the details given, with the evidence for it."""

    entity_id: str
    probability: float
    match_weight: float
    explanation: str
    records: list[MatchedRecord]
    contributions: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "entity_id": self.entity_id,
            "probability": self.probability,
            "match_weight": self.match_weight,
            "explanation": self.explanation,
            "records": [
                {
                    "record_id": r.record_id,
                    "source": r.source,
                    "source_key": r.source_key,
                    "probability": r.probability,
                    **r.values,
                }
                for r in self.records
            ],
            "contributions": self.contributions,
        }


def normalize_fields(fields: Mapping[str, str], region: str = "US") -> dict[str, Any]:
    """Raw text per canonical field → the record shape ``prepare`` reads."""
    unknown = sorted(set(fields) - set(MATCH_FIELDS))
    if unknown:
        raise MatchInputError(
            f"unknown field {', '.join(unknown)}; fields are {', '.join(MATCH_FIELDS)}"
        )
    given = {k: v.strip() for k, v in fields.items() if v is not None and v.strip()}
    if not any(k in given for k in (*_ENOUGH, "full_name")):
        raise MatchInputError(
            "give at least a name, a date of birth, a phone number, an e-mail address or an "
            "identifier to match on"
        )
    record: dict[str, Any] = {"identifiers": {}}
    names = {k: given.get(k) for k in _NAMES}
    if "full_name" in given:
        try:
            parts = split_full_name(given["full_name"])
        except NormalizationError as exc:
            raise MatchInputError(f"full_name: {exc}") from None
        split = {
            "given_name": parts.given,
            "middle_name": parts.middle,
            "family_name": parts.family,
        }
        for k, v in split.items():
            names[k] = names[k] or v
    for k, v in names.items():
        record[k] = normalize_name(v) if v else None
    if "dob" in given:
        try:
            record["dob"] = parse_dob(given["dob"]).iso()
        except NormalizationError as exc:
            raise MatchInputError(f"dob: {exc}") from None
    if "sex" in given:
        try:
            record["sex"] = normalize_sex(given["sex"])
        except NormalizationError as exc:
            raise MatchInputError(f"sex: {exc}") from None
    if any(k in given for k in _ADDRESS):
        address = normalize_address(*(given.get(k) for k in _ADDRESS), default_country=region)
        record["address_line"] = address.line
        record["city"] = address.city
        record["postcode"] = address.postcode
    if "phone" in given:
        phone = normalize_phone(given["phone"], region)
        if phone.e164 is None:
            raise MatchInputError(f"phone: {phone.issue or 'not a phone number'}")
        record["phone"] = phone.e164
    if "email" in given:
        email = normalize_email(given["email"])
        if email is None:
            raise MatchInputError(f"email: {given['email']!r} is not an e-mail address")
        record["email"] = email
    for kind in IDENTIFIER_FIELDS:
        if kind in given:
            ident = normalize_identifier(kind, given[kind])
            if not ident.valid or ident.value is None:
                label = FIELDS[kind].label
                raise MatchInputError(f"{kind}: {ident.issue or f'not a valid {label}'}")
            record["identifiers"][kind] = ident.value
    return record


class Matching:
    """A workspace's matcher, built on first use and rebuilt after each resolution run."""

    def __init__(self, engine: Engine, *, threads: int = 2) -> None:
        self.engine = engine
        self.threads = threads
        self._matcher: Matcher | None = None
        self._run: int | None = None
        self._lock = threading.Lock()

    def matcher(self) -> Matcher:
        """The warm matcher; rebuilt when a resolution run has completed since it was built
        (a run still going, or one that failed, leaves the previous results in place)."""
        with self.engine.connect() as conn:
            run = store.last_run(conn)
        latest = int(run["id"]) if run and run.get("status") == "completed" else self._run
        with self._lock:
            if self._matcher is None or latest != self._run:
                self.close()
                self._matcher = self._build()
                self._run = latest
            return self._matcher

    def _build(self) -> Matcher:
        with self.engine.connect() as conn:
            found = store.latest_model(conn)
            if found is None:
                raise MatchInputError("the workspace has not been resolved: run `linkwise resolve`")
            _, model = found
            rows = store.current_person_rows(conn)
            entity_of = store.entity_of_records(conn)
            generic = [(g["field"], g["value"]) for g in store.generic_list(conn)]
        rows = [r for r in rows if r["record_id"] in entity_of]
        if not rows:
            raise MatchInputError("no resolved records to match against: run `linkwise resolve`")
        prepared = prepare(rows, known_generic=generic)
        ids = prepared.table.column("unique_id").to_pylist()
        blanked = {*generic, *((g.field, g.value) for g in prepared.generic)}
        return Matcher(
            prepared.table,
            [entity_of[i] for i in ids],
            model,
            generic=sorted(blanked),
            threads=self.threads,
        )

    def match(
        self,
        fields: Mapping[str, str],
        *,
        top: int = DEFAULT_TOP,
        threshold: float = DEFAULT_THRESHOLD,
    ) -> list[MatchResult]:
        record = normalize_fields(fields)
        candidates = self.matcher().match(record, top=top, threshold=threshold)
        if not candidates:
            return []
        with self.engine.connect() as conn:
            return [_result(c, store.entity_records(conn, c.entity_id)) for c in candidates]

    def close(self) -> None:
        if self._matcher is not None:
            self._matcher.close()
            self._matcher = None


def _result(candidate: Candidate, members: list[dict[str, Any]]) -> MatchResult:
    by_id = {int(m["id"]): m for m in members}
    records = []
    for scored in candidate.records:
        member = by_id.get(scored.record_id)
        if member is None:  # re-resolved since the matcher was built; the next call rebuilds
            continue
        records.append(
            MatchedRecord(
                scored.record_id,
                str(member["source"]),
                str(member["source_key"]),
                scored.probability,
                {c: member.get(c) for c in SHOWN_COLUMNS},
            )
        )
    contributions = [
        {
            "kind": c.kind,
            "name": c.name,
            "description": c.description,
            "label": c.label,
            "weight": c.weight,
            "tf_adjustment": c.tf_adjustment,
            "combined": c.combined,
            "probability": c.probability,
        }
        for c in candidate.waterfall
    ]
    return MatchResult(
        candidate.entity_id,
        candidate.probability,
        candidate.match_weight,
        candidate.explanation,
        records,
        contributions,
    )
