"""A legal authorisation as stored (DESIGN.md §3): the order, warrant, subpoena or approval
that lets a case see data a marking restricts. Rules about who may record, approve and
revoke one live in ``linkwise.govern.authorisations``; what one unlocks, in
``linkwise.govern.policy``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Scope:
    """What an authorisation reaches.

    ``sources`` and ``markings`` must each name at least one entry: an order covers the
    records it names, and an empty list there would read as "everything" the moment someone
    forgot to fill it in. ``subjects`` (entity ids) may be empty, meaning every person in
    the named records: an order often names a set of records before anyone knows which
    resolved entities they belong to.
    """

    sources: tuple[str, ...]
    markings: tuple[str, ...]
    subjects: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        *,
        sources: Iterable[str],
        markings: Iterable[str],
        subjects: Iterable[str] = (),
    ) -> Scope:
        """A scope with each list deduplicated and sorted (as it is stored)."""
        return cls(
            tuple(sorted(set(sources))), tuple(sorted(set(markings))), tuple(sorted(set(subjects)))
        )

    def to_json(self) -> dict[str, list[str]]:
        return {
            "sources": list(self.sources),
            "markings": list(self.markings),
            "subjects": list(self.subjects),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Scope:
        return cls(
            tuple(data.get("sources", ())),
            tuple(data.get("markings", ())),
            tuple(str(s) for s in data.get("subjects", ())),
        )


@dataclass(frozen=True, slots=True)
class Authorisation:
    id: int
    process: str
    """A legal process name of the policy pack."""
    issuing_authority: str
    """Who issued it: a court, an agency head, a supervisor."""
    reference: str
    """The docket, subpoena or request number, as the issuer wrote it."""
    case_id: int
    case_purpose: str
    """The purpose of the case it was recorded for (read from the case, never stored twice)."""
    scope: Scope
    valid_from: dt.datetime
    valid_to: dt.datetime
    recorded_by: int
    recorded_at: dt.datetime
    approved_by: int | None = None
    approved_at: dt.datetime | None = None
    revoked_by: int | None = None
    revoked_at: dt.datetime | None = None
    revocation_reason: str | None = None
    notes: str = ""

    @property
    def approved(self) -> bool:
        return self.approved_at is not None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
