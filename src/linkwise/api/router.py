"""The ``/api/v1`` router: every resource's routes, gathered."""

from __future__ import annotations

from fastapi import APIRouter

from linkwise.api import admin, audit, authorisations, cases, disputes, people, policy
from linkwise.api import search as search_routes

router = APIRouter(prefix="/api/v1")
for _module in (people, cases, authorisations, disputes, audit, policy, admin):
    router.include_router(_module.router)
router.include_router(search_routes.router)


@router.get("/health", tags=["meta"], summary="The server is up")
def health() -> dict[str, str]:
    return {"status": "ok"}
