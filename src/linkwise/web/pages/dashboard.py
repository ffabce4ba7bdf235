"""The dashboards: sources, resolution quality, the review backlog and the case queue.

Everything here is an aggregate (``linkwise.workspace.dashboards``): counts and rates, never a
person's value, so every role may see the sources, quality and backlog sections; the case
queue names cases and is shown to case-working roles only (the facade refuses, and audits,
anyone else). Generic values appear as their field and how widely they are shared, without
the value itself.

Measuring quality against the truth file and the judgements takes a moment on a large
workspace, so it runs when asked (the "Measure now" button, by htmx or a plain form post) and
the last measurement is kept in memory for the app, with its time and the resolution run it
measured; the page says when that run is no longer the latest.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from linkwise.evaluate import NO_VALUE
from linkwise.web import dashboard_charts as charts
from linkwise.web.auth import Web, WebUser
from linkwise.web.templating import render
from linkwise.workspace import WorkspaceError
from linkwise.workspace.dashboards import (
    Quality,
    case_queue,
    judgement_overview,
    measure_quality,
    resolution_overview,
    source_overview,
)

router = APIRouter()

REVIEW_KINDS = {
    "uncertain_pair": "Uncertain pairs: the model is unsure whether two records are one person",
    "conflict": "Conflicts: a merge the links suggest but the evidence refused (two records "
    "of a duplicate-free source, different identifiers, dates of birth that cannot be one "
    "person's, or name suffixes of two generations)",
    "household": "Households: people sharing a family name and address kept apart, either "
    "with different given names (possibly twins) or with one name and dates of birth no "
    "slip explains (a parent and child of one name)",
    "ambiguous": "Ambiguous: a record matching two entities about equally well, left alone",
    "cannot_link": "Cannot link: records judged different that the links would join",
    "judgement_conflict": "Judgement conflicts: judgements that contradict each other",
}
"""What each kind of review item means, for the backlog table."""


def _last_quality(request: Request) -> Quality | None:
    found = getattr(request.app.state, "dashboard_quality", None)
    return found if isinstance(found, Quality) else None


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(web: WebUser) -> Response:
    ws = web.ws
    sources = source_overview(ws)
    resolution = resolution_overview(ws)
    judgements = judgement_overview(ws)
    queue = case_queue(ws, web.user) if web.reads_cases else None
    return render(
        web.request,
        web,
        "dashboard.html",
        sources=sources,
        resolution=resolution,
        judgements=judgements,
        queue=queue,
        review_kinds=REVIEW_KINDS,
        source_chart=charts.records_per_source([(s.name, s.records) for s in sources]),
        judgement_chart=charts.judgements_per_day(judgements.per_day),
        **_quality_context(web, _last_quality(web.request)),
    )


@router.post("/dashboard/quality", response_class=HTMLResponse)
def measure(
    web: WebUser,
    truth: Annotated[UploadFile | None, File()] = None,
    tags: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Measure the resolution now, against an uploaded truth file (and its record tags) or
    the workspace's own, and keep the result for the app."""
    with tempfile.TemporaryDirectory(prefix="linkwise-truth-") as folder:
        truth_path = _saved(truth, Path(folder) / "truth")
        tags_path = _saved(tags, Path(folder) / "tags")
        if tags_path is not None and truth_path is None:
            raise InvalidUploadError("record tags need a truth file to go with them")
        quality = measure_quality(web.ws, truth=truth_path, tags=tags_path)
    web.request.app.state.dashboard_quality = quality
    if web.request.headers.get("hx-request") != "true":
        return RedirectResponse("/dashboard#quality", status_code=303)
    return render(web.request, web, "dashboard_quality.html", **_quality_context(web, quality))


class InvalidUploadError(WorkspaceError, ValueError):
    """An upload the measurement cannot use (answered 422 with this message)."""


def _saved(upload: UploadFile | None, folder: Path) -> Path | None:
    """The uploaded file written into ``folder`` under its own base name (which the page
    shows), or None when nothing was chosen."""
    if upload is None or not upload.filename:
        return None
    folder.mkdir()
    path = folder / (Path(upload.filename).name or "upload.csv")
    with path.open("wb") as out:
        shutil.copyfileobj(upload.file, out)
    return path


def _quality_context(web: Web, quality: Quality | None) -> dict[str, Any]:
    last = web.ws.last_resolution()
    current = None if last is None else int(last["id"])
    report = quality.report if quality is not None else None
    groups = []
    if report is not None:
        for breakdown in report.groups:
            groups.append(
                {
                    "breakdown": breakdown,
                    "spec": charts.group_rates(breakdown),
                    "disparity": {d.rate: d for d in breakdown.disparity},
                }
            )
    calibration = report.calibration if report is not None else None
    return {
        "quality": quality,
        "stale": quality is not None and quality.resolution_run != current,
        "groups": groups,
        "no_value": NO_VALUE,
        "calibration_chart": (
            charts.calibration(calibration.bins) if calibration and calibration.n_pairs else None
        ),
    }
