"""``GET /api/v1/search``: people search, one governed read (``search.query``) in the
request's case. The answer is what ``WorkspaceSession.search`` returns: entities best first,
each with its key facts and match quality, a value the case may not see replaced by a marker
(an object with ``"redacted": true``, the rule, the authority and what would unlock it)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from linkwise.api.deps import Governed

router = APIRouter(tags=["search"])

Governed_ = str | dict[str, Any] | None
"""A governed value: the value, a marker object (``redacted: true``), or null."""
Box = Annotated[str | None, Query(max_length=400)]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MatchedRecordOut(_Out):
    record_id: int
    source: str
    source_key: Governed_
    reasons: list[str]


class SearchResultOut(_Out):
    entity_id: str
    score: float = Field(ge=0, le=1, description="Match quality, 0 to 1.")
    reasons: list[str] = Field(description='Why it matched, e.g. "DOB exact".')
    name: dict[str, Governed_] = Field(
        description="given_name, middle_name and family_name (or full_name) of the best match"
    )
    dob: Governed_
    sources: list[str]
    record_count: int
    matched: list[MatchedRecordOut] = Field(description="The best-matching records (up to 3).")


class UnderstoodOut(_Out):
    fields: list[str]
    name: str | None
    dob: str | None
    identifiers: list[str]
    phones: list[str]
    emails: list[str]
    address: str | None
    postcode: str | None
    ignored: list[str] = Field(description="Parts of the free text that were not understood.")


class SearchOut(_Out):
    query: UnderstoodOut = Field(description="What the search was taken to ask for.")
    count: int
    results: list[SearchResultOut]
    took_ms: float


@router.get(
    "/search",
    summary="People search by name, date of birth, identifier, address or phone (search.query)",
)
def search(
    session: Governed,
    q: Annotated[
        str | None,
        Query(
            max_length=400,
            description='Free text, e.g. "jon smth 1980-03-02": dates, phones, identifiers and '
            "e-mail addresses are recognised, the rest is the name.",
        ),
    ] = None,
    name: Box = None,
    dob: Box = None,
    identifier: Box = None,
    address: Box = None,
    phone: Box = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> SearchOut:
    found = session.search(
        q, name=name, dob=dob, identifier=identifier, address=address, phone=phone, limit=limit
    )
    return SearchOut.model_validate(found)
