"""The ``/api/v1`` router: every resource's routes, gathered."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1")


@router.get("/health", tags=["meta"], summary="The server is up")
def health() -> dict[str, str]:
    return {"status": "ok"}
