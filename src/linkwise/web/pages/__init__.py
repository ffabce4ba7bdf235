"""The pages, one module per area. Every unsafe request to any of them must carry the
session's CSRF token (``check_csrf``)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from linkwise.web.auth import check_csrf
from linkwise.web.pages import (
    audit,
    authorisations,
    cases,
    dashboard,
    entity,
    home,
    policy,
    review,
    search,
)

router = APIRouter(dependencies=[Depends(check_csrf)], include_in_schema=False)
for module in (home, search, entity, review, cases, authorisations, dashboard, audit, policy):
    router.include_router(module.router)
