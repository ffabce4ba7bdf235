"""Disputes and corrections: a record's value or a link challenged (by an analyst, or on
behalf of the person), with evidence; confirmed, the correction is applied (a new record
version, or a "different" judgement on the link) and every case and signed document that
used the wrong data is listed for review (the disclosure record)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

RECORD = "record"
LINK = "link"
KINDS = (RECORD, LINK)

OPEN = "open"
CONFIRMED = "confirmed"
REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Dispute:
    id: int
    kind: str
    record_id: int
    other_record_id: int | None
    field: str | None
    claimed_value: str | None
    case_id: int | None
    raised_by: int
    raised_at: dt.datetime
    on_behalf_of: str | None
    evidence: str
    status: str
    resolved_by: int | None = None
    resolved_at: dt.datetime | None = None
    resolution: str | None = None
    correction: dict[str, Any] | None = None
