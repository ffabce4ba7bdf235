"""What the dashboards show: counts and rates over the whole workspace, never a person's value.

Sources, the last resolution, the review backlog and the judgements are aggregates that say
nothing about any one person, so they are read here without a governed session (a session
exists to decide, per value, what a case may see). The values resolution found generic (a
made-up SSN or a shelter's address shared by many clearly different people) are values of
people, so the dashboards get only their field and how many records and people share each,
never the value: a case worker sees a generic value flagged on the records that carry it,
through the governed session (the case package), where the case's purpose decides.

The case queue names cases, which only case-working roles read: it goes through
``case_work.list_cases_with_priority``, which checks the role and audits the listing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from linkwise.evaluate import EvaluationInputError, EvaluationReport
from linkwise.govern.accounts import User
from linkwise.model.cases import STATUSES
from linkwise.model.records import RunInfo
from linkwise.store import dashboards as store
from linkwise.store import resolution as store_resolution
from linkwise.workspace.case_work import list_cases_with_priority
from linkwise.workspace.evaluation import JudgementAgreement, agreement_with_judgements

if TYPE_CHECKING:
    from linkwise.workspace.workspace import Workspace

__all__ = [
    "PRIORITY_BAND",
    "CaseQueue",
    "GenericSummary",
    "JudgementOverview",
    "Quality",
    "QueuedCase",
    "ResolutionOverview",
    "SourceRow",
    "case_queue",
    "judgement_overview",
    "measure_quality",
    "resolution_overview",
    "source_overview",
    "truth_files",
]

PRIORITY_BAND = 25
"""Width of the priority-score bands the case queue is counted in."""
TRUTH_PLACES = (("world/truth.csv", "world/record_tags.csv"), ("truth.csv", "record_tags.csv"))
"""Where a workspace keeps a truth file (``source,source_key,person_id``) to be measured
against, with its optional record tags, relative to the workspace folder; the demo writes
``world/``."""


@dataclass(frozen=True, slots=True)
class SourceRow:
    name: str
    title: str
    kind: str
    markings: tuple[str, ...]
    records: int
    last_run: RunInfo | None

    @property
    def quarantined(self) -> int:
        """Rows the last ingestion put in quarantine (they wait there, with the reason)."""
        return self.last_run.quarantined if self.last_run is not None else 0


def source_overview(ws: Workspace) -> list[SourceRow]:
    return [
        SourceRow(s.name, s.title, s.kind, tuple(s.markings), s.records, s.last_run)
        for s in ws.sources()
    ]


@dataclass(frozen=True, slots=True)
class GenericSummary:
    """A generic value without the value: its field and how widely it is shared."""

    field: str
    records: int
    people: int


@dataclass(frozen=True, slots=True)
class ResolutionOverview:
    run: dict[str, Any] | None
    """The last resolution run (id, mode, status, times, threshold, counts), None if none."""
    flags: dict[str, int] = field(default_factory=dict)
    review: dict[str, int] = field(default_factory=dict)
    """Review items waiting, by kind."""
    generic: list[GenericSummary] = field(default_factory=list)
    blocking_recall_on_judged_same: float | None = None
    """Share of the pairs reviewers judged "same" that some blocking rule puts up."""
    rules: int = 0

    @property
    def review_total(self) -> int:
        return sum(self.review.values())


def resolution_overview(ws: Workspace) -> ResolutionOverview:
    last = ws.last_resolution()
    if last is None:
        return ResolutionOverview(None)
    stats = dict(last.get("stats") or {})
    run = {k: v for k, v in last.items() if k != "stats"}
    with ws.engine.connect() as conn:
        review = store.review_counts(conn)
        generic = [
            GenericSummary(str(g["field"]), int(g["records"]), int(g["people"]))
            for g in store_resolution.generic_list(conn)
        ]
    recall = stats.get("blocking_recall_on_judged_same")
    return ResolutionOverview(
        run=run,
        flags={str(k): int(v) for k, v in (stats.get("flags") or {}).items()},
        review=review,
        generic=generic,
        blocking_recall_on_judged_same=None if recall is None else float(recall),
        rules=sum(1 for rule in stats.get("rules") or [] if rule[2]),
    )


@dataclass(frozen=True, slots=True)
class JudgementOverview:
    total: int
    by_verdict: dict[str, int]
    per_day: list[tuple[dt.date, dict[str, int]]]
    """The last ``days`` days, oldest first, each with its judgements by verdict."""
    since_last_run: int
    """Judgements made after the last resolution started: not yet applied to the entities."""


def judgement_overview(
    ws: Workspace, *, days: int = 14, today: dt.date | None = None
) -> JudgementOverview:
    found = ws.judgements()
    last = ws.last_resolution()
    started = _aware(last["started_at"]) if last is not None else None
    end = today or dt.datetime.now(dt.UTC).date()
    window = [end - dt.timedelta(days=n) for n in range(days - 1, -1, -1)]
    daily: dict[dt.date, Counter[str]] = {day: Counter() for day in window}
    for j in found:
        day = _aware(j.created_at).date()
        if day in daily:
            daily[day][j.decision] += 1
    return JudgementOverview(
        total=len(found),
        by_verdict=dict(Counter(j.decision for j in found).most_common()),
        per_day=[(day, dict(daily[day])) for day in window],
        since_last_run=sum(1 for j in found if started is None or _aware(j.created_at) >= started),
    )


@dataclass(frozen=True, slots=True)
class QueuedCase:
    id: int
    title: str
    purpose: str
    status: str
    assignee: str | None
    priority: float | None
    reasons: tuple[str, ...]
    """The pack's reason of each rule that counted at the last priority computation."""
    withheld: int
    """Rules that could not be applied because the case may not see the facts they need."""


@dataclass(frozen=True, slots=True)
class CaseQueue:
    by_status: dict[str, int]
    by_priority: dict[str, int]
    """Open cases by priority band (``PRIORITY_BAND`` wide), and those never scored."""
    cases: list[QueuedCase]
    """Open cases, highest priority first (never-scored last)."""


def case_queue(ws: Workspace, actor: User) -> CaseQueue:
    """The cases by status and the open ones by priority, for a case-working role (refused,
    and audited, for anyone else; the listing is audited as ``case.list``)."""
    listed = list_cases_with_priority(ws, actor)
    by_status = Counter(summary.case.status for summary, _ in listed)
    queue: list[QueuedCase] = []
    for summary, detail in listed:
        if not summary.case.is_open:
            continue
        outcomes = dict((detail or {}).get("rules") or {})
        rules = ws.pack.priority_rules
        queue.append(
            QueuedCase(
                id=summary.case.id,
                title=summary.case.title,
                purpose=summary.case.purpose,
                status=summary.case.status,
                assignee=summary.assignee,
                priority=summary.priority,
                reasons=tuple(
                    rules[name].reason if name in rules else name
                    for name, outcome in outcomes.items()
                    if outcome == "counted"
                ),
                withheld=sum(1 for outcome in outcomes.values() if outcome == "withheld"),
            )
        )
    queue.sort(key=lambda c: (c.priority is None, -(c.priority or 0.0), c.id))
    bands: Counter[str] = Counter(_band(c.priority) for c in queue)
    order = sorted((b for b in bands if b != "not scored"), key=lambda b: float(b.split("–")[0]))
    by_priority = {b: bands[b] for b in reversed(order)}
    if bands["not scored"]:
        by_priority["not scored"] = bands["not scored"]
    statuses = {s: by_status[s] for s in STATUSES if by_status[s]}
    return CaseQueue(statuses, by_priority, queue)


def _band(score: float | None) -> str:
    if score is None:
        return "not scored"
    low = int(score // PRIORITY_BAND) * PRIORITY_BAND
    return f"{low}–{low + PRIORITY_BAND}"


@dataclass(frozen=True, slots=True)
class Quality:
    """One measurement of the resolution: against the truth file (when the workspace has
    one) and against the reviewers' judgements, and when it was taken."""

    measured_at: dt.datetime
    resolution_run: int | None
    """The resolution run measured (a later run makes the measurement stale)."""
    truth: Path | None
    tags: Path | None
    report: EvaluationReport | None
    truth_error: str | None
    """Why the truth file could not be used, when it could not."""
    judgements: JudgementAgreement


def measure_quality(
    ws: Workspace, *, truth: Path | None = None, tags: Path | None = None
) -> Quality:
    """Measure now (a second or so per ten thousand records; the pages cache the result),
    against ``truth`` (with its record ``tags``) if given, else the workspace's own truth
    file if it has one."""
    last = ws.last_resolution()
    found = (truth, tags) if truth is not None else truth_files(ws)
    report: EvaluationReport | None = None
    error: str | None = None
    if found is not None and last is not None:
        try:
            report = ws.evaluate(found[0], tags=found[1])
        except (EvaluationInputError, ValueError) as exc:
            error = str(exc)
    return Quality(
        measured_at=dt.datetime.now(dt.UTC),
        resolution_run=None if last is None else int(last["id"]),
        truth=None if found is None else found[0],
        tags=None if found is None else found[1],
        report=report,
        truth_error=error,
        judgements=agreement_with_judgements(ws.engine),
    )


def truth_files(ws: Workspace) -> tuple[Path, Path | None] | None:
    """The workspace's truth file and its record tags (None where missing), if it has one
    (``TRUTH_PLACES``)."""
    for truth, tags in TRUTH_PLACES:
        if (ws.root / truth).is_file():
            tag_path = ws.root / tags
            return ws.root / truth, tag_path if tag_path.is_file() else None
    return None


def _aware(at: dt.datetime) -> dt.datetime:
    """Store times come back naive (UTC) from SQLite and aware from PostgreSQL."""
    return at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)
