"""Person data: records, entities and why they are what they are, pair explanations,
real-time matching, source documents, the review queue and judgements, and the policy's
"why" for one value. Every route is one governed read (or, for a judgement, one governed
write) in the request's case (``Governed``): the answer is what the session returns, with
each value the case may not see replaced by a marker naming the rule, the authority and the
process that would unlock it. Each read leaves its audit event; nothing here filters or
decides anything itself.

``GET /me`` is here too: who the token speaks for, and the cases they may read in.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from linkwise.api.deps import WS, ApiUser, Governed
from linkwise.api.models import CaseSummaryOut, JudgementIn, JudgementOut, MatchIn, MeOut
from linkwise.api.problems import ApiProblemError
from linkwise.cases.rules import CASE_ROLES
from linkwise.model.fields import FIELDS
from linkwise.workspace import case_work, reviewing

router = APIRouter(tags=["people"])

Key = Annotated[str, Query(min_length=1, max_length=200)]
RefText = Annotated[str, Query(min_length=3, max_length=400, description="A record as SOURCE:KEY.")]


def parse_ref(text: str, where: str) -> tuple[str, str]:
    """``SOURCE:KEY`` as a pair (422 naming the parameter when it is not one)."""
    source, sep, key = text.partition(":")
    if not sep or not source or not key:
        raise ApiProblemError(422, "invalid-input", f"{where}: name a record as SOURCE:KEY")
    return source, key


@router.get("/me", summary="Who the token speaks for, and the cases they may read in")
def me(ws: WS, user: ApiUser) -> MeOut:
    found = []
    if user.role in CASE_ROLES:
        statuses = ("open", "in_review", "ready_for_legal")
        found = [
            CaseSummaryOut.of_summary(c) for c in case_work.list_cases(ws, user, statuses=statuses)
        ]
    return MeOut(
        username=user.username,
        display_name=user.display_name,
        role=user.role.value,
        cases=found,
    )


@router.get(
    "/records/{source}/{source_key}",
    summary="One record: every version, each value with its origin (record.view)",
)
def record(session: Governed, source: str, source_key: str) -> dict[str, Any]:
    return session.record(source, source_key)


@router.get(
    "/entities/{entity_id}",
    summary="An entity's records and links (entity.view); a retired id names its successors",
)
def entity(session: Governed, entity_id: str) -> dict[str, Any]:
    return session.entity(entity_id)


@router.get(
    "/entities/{entity_id}/why",
    summary="Why each record is in the entity; why another record is not (entity.why)",
)
def entity_why(
    session: Governed,
    entity_id: str,
    why_not: Annotated[
        str | None, Query(max_length=400, description="A record outside it, SOURCE:KEY.")
    ] = None,
) -> dict[str, Any]:
    outsider = None if why_not is None else parse_ref(why_not, "why_not")
    return session.explain_entity(entity_id, outsider)


@router.get(
    "/entities/{entity_id}/export",
    summary="The entity as a JSON document for use outside linkwise (entity.export)",
)
def entity_export(session: Governed, entity_id: str) -> dict[str, Any]:
    return session.export_entity(entity_id)


@router.get(
    "/entities/{entity_id}/documents",
    summary="Source documents that mention the entity, passages highlighted",
)
def entity_documents(session: Governed, entity_id: str) -> list[dict[str, Any]]:
    return session.entity_documents(entity_id)


@router.get(
    "/pairs/explain",
    summary="Why two records were linked: the waterfall and a sentence (pair.explain)",
)
def explain_pair(session: Governed, left: RefText, right: RefText) -> dict[str, Any]:
    return session.explain_pair(parse_ref(left, "left"), parse_ref(right, "right"))


@router.post(
    "/match",
    summary="Candidate entities for one person's details (match.query)",
)
def match(session: Governed, body: MatchIn) -> list[dict[str, Any]]:
    return session.match(body.fields, top=body.top, threshold=body.threshold)


@router.get("/documents/search", summary="Full-text search over source documents")
def search_documents(
    session: Governed,
    q: Annotated[str, Query(min_length=1, max_length=500, description="Words to find.")],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[dict[str, Any]]:
    return session.search_documents(q, limit)


@router.get(
    "/policy/why",
    summary="Why a value is shown, redacted or prohibited in this case (policy.why)",
    tags=["policy"],
)
def policy_why(
    session: Governed,
    source: Key,
    source_key: Key,
    field: Annotated[
        str, Query(max_length=100, description="A canonical field, or 'record'.")
    ] = "record",
) -> dict[str, Any]:
    if field != "record" and field not in FIELDS:
        raise ApiProblemError(
            422,
            "invalid-input",
            f"field: {field!r} is not a canonical field ({', '.join(FIELDS)}) or 'record'",
        )
    return session.why(source, source_key, field)


@router.get(
    "/review",
    summary="The review queue, most consequential first, less items judged since (review.list)",
)
def review_queue(
    session: Governed, limit: Annotated[int, Query(ge=1, le=500)] = 20
) -> list[dict[str, Any]]:
    return reviewing.pending(session, limit)


@router.post(
    "/judgements",
    status_code=201,
    summary="Judge two records the same person, different, or unsure (review.judge)",
)
def judge(session: Governed, body: JudgementIn) -> JudgementOut:
    """Recorded with the token's user as reviewer; every later resolution honours it."""
    made = session.judge(
        (body.left.source, body.left.source_key),
        (body.right.source, body.right.source_key),
        body.decision,
        body.rationale,
    )
    return JudgementOut.model_validate(made)
