"""The entity page, its on-demand parts (a link's explanation, "why not"), disputes raised
from it, and the record page.

Everything shown comes from governed reads (``entity_detail``, ``explain_entity``,
``explain_pair``, ``entity_documents``, ``record``): a value the case may not see arrives as
a marker and is drawn as one, with a legend that says once per marker why it is withheld and
which legal process would unlock it. This module only arranges what the reads return: by
source, by field (where the records disagree), by date (the timeline).

Cases that use the entity: the disclosure record (which cases were shown its records) is for
oversight roles only, so the page lists the cases the user may list that name the entity as
a subject (``case_work.cases_naming``), and offers supervisors and legal reviewers the
disclosure record on request.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from linkwise.govern.session import SessionError, is_withheld
from linkwise.model.fields import FIELDS
from linkwise.model.roles import Role
from linkwise.web import charts
from linkwise.web.auth import Web, WebUser
from linkwise.web.templating import render
from linkwise.workspace import audit as ws_audit
from linkwise.workspace import case_work
from linkwise.workspace import disputes as ws_disputes

router = APIRouter()

COMPARED = (
    ("name", ("given_name", "middle_name", "family_name", "full_name")),
    ("date of birth", ("dob",)),
    ("sex", ("sex",)),
    ("address", ("address_line", "city", "postcode")),
    ("phone", ("phone",)),
    ("e-mail", ("email",)),
)
"""What the discrepancy table compares across records: a label and the fields making it."""
DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")
WEAKEST = 8
"""Links listed openly (the weakest: most worth a look); the rest are one click away."""
OVERSIGHT = frozenset({Role.SUPERVISOR, Role.LEGAL_REVIEWER})


class BadReferenceError(SessionError, ValueError):
    """A record named in a form or URL not as SOURCE:KEY."""


def parse_ref(text: str) -> tuple[str, str]:
    source, sep, key = text.strip().partition(":")
    if not sep or not source or not key:
        raise BadReferenceError(f"{text!r}: name a record as SOURCE:KEY, e.g. court_records:123")
    return source, key


# -- arranging governed values ---------------------------------------------------------------


def marker_key(value: Mapping[str, Any]) -> str:
    return f"{value['outcome']}: {value.get('marking') or value.get('rule') or 'policy'}"


def legend(*structures: Any) -> list[dict[str, Any]]:
    """Every distinct marker in ``structures``, once each, for the page's legend."""
    seen: dict[str, dict[str, Any]] = {}

    def walk(value: Any) -> None:
        if is_withheld(value):
            seen.setdefault(marker_key(value), {"key": marker_key(value), **value})
        elif isinstance(value, Mapping):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    for structure in structures:
        walk(structure)
    return list(seen.values())


def _plain(value: Any) -> str | None:
    if value is None or is_withheld(value) or value == "":
        return None
    return str(value)


def by_source(records: Iterable[Mapping[str, Any]]) -> list[tuple[str, list[Mapping[str, Any]]]]:
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for record in records:
        groups.setdefault(str(record["source"]), []).append(record)
    return sorted(groups.items())


def discrepancies(records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Per compared attribute, each distinct value the visible records give and which
    records give it; ``differs`` when they give more than one."""
    out = []
    listed = list(records)
    for label, fields in COMPARED:
        values: dict[str, list[Mapping[str, Any]]] = {}
        withheld = 0
        for record in listed:
            got = record.get("fields") or {}
            if any(is_withheld(got.get(f)) for f in fields):
                withheld += 1
                continue
            text = _joined(got, fields)
            if text:
                values.setdefault(text.casefold(), []).append(record)
        shown = [
            {"value": _joined(rs[0].get("fields") or {}, fields), "records": rs}
            for rs in values.values()
        ]
        shown.sort(key=lambda v: -len(v["records"]))
        out.append(
            {"label": label, "values": shown, "differs": len(shown) > 1, "withheld": withheld}
        )
    return out


def _joined(values: Mapping[str, Any], fields: tuple[str, ...]) -> str:
    """The fields' plain values joined; a name is its parts, or the unsplit full name only
    when the record has no parts."""
    parts = [p for f in fields if f != "full_name" and (p := _plain(values.get(f)))]
    if not parts and "full_name" in fields:
        parts = [p for p in (_plain(values.get("full_name")),) if p]
    return " ".join(parts)


def timeline(records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Dated facts of the records, oldest first, each with its record and the record's
    other (undated) facts as context."""
    events = []
    for record in records:
        facts = record.get("facts")
        if not isinstance(facts, Mapping):
            continue
        context = {k: v for k, v in facts.items() if not (isinstance(v, str) and DATE.match(v))}
        for name, value in facts.items():
            if isinstance(value, str) and DATE.match(value):
                events.append(
                    {
                        "date": value,
                        "what": name.replace("_", " "),
                        "record": record,
                        "context": context,
                    }
                )
    events.sort(key=lambda e: (e["date"], e["what"]))
    return events


def join_step_sentence(step: Any) -> str:
    if step is None:
        return "The entity's first record."
    if is_withheld(step):
        return ""
    probability = step.get("match_probability")
    if probability is None:
        return f"Joined record {step['joined_to']}: {step['sentence']}"
    return f"Joined record {step['joined_to']} ({probability:.1%}): {step['sentence']}"


# -- pages -----------------------------------------------------------------------------------


@router.get("/entities/{entity_id}", response_class=HTMLResponse)
def entity_page(web: WebUser, entity_id: str, moved_from: str | None = None) -> Response:
    with web.session() as s:
        detail = s.entity_detail(entity_id)
        if detail["status"] != "active":
            targets = list(detail["redirected_to"])
            if len(targets) == 1:
                target = f"/entities/{quote(targets[0])}?moved_from={quote(entity_id)}"
                return RedirectResponse(target, status_code=303)
            return render(web.request, web, "entity_moved.html", entity=detail)
        why = s.explain_entity(entity_id)
        documents = s.entity_documents(entity_id)
    records = detail["records"]
    record_ids = [int(r["record_id"]) for r in records]
    steps = {int(item["record_id"]): item for item in why["records"]}
    refs = {int(r["record_id"]): r for r in records}
    links = sorted(detail["links"], key=lambda lk: (lk["match_probability"], lk["id"]))
    return render(
        web.request,
        web,
        "entity.html",
        entity=detail,
        moved_from=moved_from,
        groups=by_source(records),
        discrepancies=discrepancies(records),
        timeline=timeline(records),
        steps=steps,
        step_sentence=join_step_sentence,
        refs=refs,
        weakest=links[:WEAKEST],
        other_links=links[WEAKEST:],
        documents=documents,
        disputes=_disputes(web, record_ids),
        cases=case_work.cases_naming(web.ws, web.user, entity_id),
        oversight=web.user.role in OVERSIGHT,
        fields=FIELDS,
        legend=legend(records, detail["links"], why, documents),
    )


def _disputes(web: Web, record_ids: list[int]) -> list[Any]:
    try:
        return ws_disputes.about_records(web.ws, web.user, record_ids)
    except PermissionError:
        return []


@router.get("/entities/{entity_id}/links", response_class=HTMLResponse)
def link_explanation(
    web: WebUser,
    entity_id: str,
    left: Annotated[str, Query(description="SOURCE:KEY")],
    right: Annotated[str, Query(description="SOURCE:KEY")],
) -> Response:
    """One link's waterfall (chart, table and sentence): the partial the entity page loads
    when the user asks for it."""
    with web.session() as s:
        result = s.explain_pair(parse_ref(left), parse_ref(right))
    return render(
        web.request,
        web,
        "entity_link.html",
        entity_id=entity_id,
        result=result,
        spec=charts.waterfall(result["waterfall"]) if result.get("waterfall") else None,
        legend=legend(result),
    )


@router.get("/entities/{entity_id}/why-not", response_class=HTMLResponse)
def why_not(
    web: WebUser, entity_id: str, record: Annotated[str, Query(description="SOURCE:KEY")]
) -> Response:
    """Why a named record is not in the entity."""
    with web.session() as s:
        result = s.explain_entity(entity_id, parse_ref(record))
    answer = result.get("why_not")
    return render(
        web.request,
        web,
        "entity_whynot.html",
        entity_id=entity_id,
        record=record,
        answer=answer,
        legend=legend(answer),
        partial=web.request.headers.get("hx-request") == "true",
    )


@router.get("/entities/{entity_id}/disclosures", response_class=HTMLResponse)
def disclosures(web: WebUser, entity_id: str) -> Response:
    """The disclosure record (which cases were shown the entity's records), for the
    oversight roles that may read it."""
    found = ws_audit.disclosures(web.ws, web.user, entity_id)
    return render(web.request, web, "entity_disclosures.html", record=found)


@router.post("/entities/{entity_id}/disputes")
def raise_dispute(
    web: WebUser,
    entity_id: str,
    record: Annotated[str, Form()],
    evidence: Annotated[str, Form()],
    kind: Annotated[str, Form()] = "value",
    field: Annotated[str, Form()] = "",
    claimed_value: Annotated[str, Form()] = "",
    link_to: Annotated[str, Form()] = "",
    on_behalf_of: Annotated[str, Form()] = "",
) -> Response:
    """Dispute a value of one of the entity's records, or a link between two of them."""
    link = kind == "link"
    if link and not link_to.strip():
        raise BadReferenceError("a link dispute needs the other record: choose it in the form")
    dispute = ws_disputes.raise_(
        web.ws,
        web.user,
        record=parse_ref(record),
        evidence=evidence,
        field=None if link else (field or None),
        claimed_value=None if link else (claimed_value.strip() or None),
        link_to=parse_ref(link_to) if link else None,
        on_behalf_of=on_behalf_of.strip() or None,
        case_id=web.case_id,
    )
    return RedirectResponse(
        f"/entities/{quote(entity_id)}?disputed={dispute.id}#disputes", status_code=303
    )


@router.get("/records/{source}/{source_key:path}", response_class=HTMLResponse)
def record_page(web: WebUser, source: str, source_key: str) -> Response:
    with web.session() as s:
        found = s.record(source, source_key)
    versions = found["versions"]
    current = next((v for v in versions if v["is_current"]), versions[-1])
    return render(
        web.request,
        web,
        "entity_record.html",
        record=found,
        current=current,
        legend=legend(found),
    )
