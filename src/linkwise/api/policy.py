"""The policy pack in force, read as the rules it is: its purposes (and who opens a case
for each), its markings (authority, default, the purposes they are prohibited for and the
legal processes that unlock them), the legal processes themselves (who records and who
approves), prohibited attributes, document templates and priority rules; and the history
of packs the workspace has run under. None of this is person data: any logged-in user may
read it. (The "why" for one value is a governed read: ``GET /policy/why`` in
``linkwise.api.people``.)"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from linkwise.api.deps import WS, ApiUser
from linkwise.api.models import Instant

router = APIRouter(prefix="/policy", tags=["policy"])


class PackVersionOut(BaseModel):
    id: int
    name: str
    version: str
    sha256: str
    loaded_at: Instant
    loaded_by: str | None


@router.get("", summary="The active policy pack: purposes, markings, processes, templates")
def policy(ws: WS, user: ApiUser) -> dict[str, Any]:
    pack = ws.pack
    return {
        "name": pack.name,
        "version": pack.version,
        "title": pack.title,
        "disclaimer": pack.disclaimer,
        "purposes": _dump(pack.purposes),
        "markings": _dump(pack.markings),
        "legal_processes": _dump(pack.legal_processes),
        "prohibited_attributes": _dump(pack.prohibited_attributes),
        "templates": _dump(pack.templates),
        "priority_rules": _dump(pack.priority_rules),
    }


@router.get("/history", summary="Every pack the workspace has run under, oldest first")
def history(ws: WS, user: ApiUser) -> list[PackVersionOut]:
    return [PackVersionOut.model_validate(row) for row in ws.policy_history()]


def _dump(items: Mapping[str, BaseModel]) -> dict[str, Any]:
    return {name: item.model_dump(mode="json") for name, item in items.items()}
