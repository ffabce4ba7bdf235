"""The search page: one big box (focused by "/"), optional fields, results that follow the
typing (htmx, 300 ms after the last key) and the submit button (a plain GET form, so it works
without JavaScript too). Up and down arrows move through the results; Enter opens one.

Everything shown is what ``WorkspaceSession.search`` returns in the chosen case: entities
with their key facts and match quality, a value the case may not see drawn as its marker,
with the legend saying why and what would unlock it. A query that cannot be run (a date
that is not one, a box holding only a stray number) is answered on the page with the reason,
not as an error page, since it is usually an unfinished one.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from linkwise.search.query import SearchInputError
from linkwise.web.auth import WebUser
from linkwise.web.pages.entity import legend
from linkwise.web.templating import render

router = APIRouter()

FIELDS = ("name", "dob", "identifier", "address", "phone")
Text = Annotated[str | None, Query(max_length=400)]


@router.get("/search", response_class=HTMLResponse)
def search_page(
    web: WebUser,
    q: Text = None,
    name: Text = None,
    dob: Text = None,
    identifier: Text = None,
    address: Text = None,
    phone: Text = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Response:
    form = {"q": q, "name": name, "dob": dob, "identifier": identifier}
    form.update(address=address, phone=phone)
    found = problem = None
    if any(v and v.strip() for v in form.values()):
        try:
            with web.session() as s:
                found = s.search(
                    q,
                    name=name,
                    dob=dob,
                    identifier=identifier,
                    address=address,
                    phone=phone,
                    limit=limit,
                )
        except SearchInputError as exc:
            problem = str(exc)
    else:
        web.require_session()  # no case yet: choose one; a role that reads none: refused
    partial = web.request.headers.get("HX-Request") == "true"
    return render(
        web.request,
        web,
        "search_results.html" if partial else "search.html",
        form=form,
        found=found,
        problem=problem,
        more_fields=any(form[f] for f in FIELDS),
        legend=legend(found["results"]) if found else [],
    )
