"""Workspace folder, database and the operations on them."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from linkwise.cases.priority import unusable_rules
from linkwise.evaluate import EvaluationReport
from linkwise.govern.accounts import User
from linkwise.govern.pack_versions import record_pack
from linkwise.govern.session import Clock, SharedDecisions, admit_committed
from linkwise.ingest.errors import ManifestError, SourceFileError
from linkwise.ingest.manifests import load_manifest, manifest_hash
from linkwise.ingest.readers import open_reader
from linkwise.ingest.runner import (
    IngestOptions,
    Progress,
    UnsupportedSourceError,
    check_source,
    ingest_source,
)
from linkwise.model.config import ConfigError, Problem
from linkwise.model.policy import PolicyPack, default_pack_path, load_policy_pack
from linkwise.model.records import QuarantineEntry, RunInfo, SourceInfo
from linkwise.model.settings import DEFAULT_DB_FILE, POLICY_FILE, WORKSPACE_FILE, Settings
from linkwise.resolve.engines import Engine as LinkageEngine
from linkwise.store import catalog, policy_versions
from linkwise.store import records as store_records
from linkwise.store import resolution as store_resolution
from linkwise.store.engine import head_revision, make_engine, migrate, schema_revision
from linkwise.workspace import documents, incremental, matching, resolution, users
from linkwise.workspace.audit import attach_audit_signer
from linkwise.workspace.evaluation import evaluate_workspace
from linkwise.workspace.session import WorkspaceSession


class WorkspaceError(Exception):
    """Something about the workspace itself (not one source) stops the command."""


@dataclass(frozen=True, slots=True)
class IngestOutcome:
    source: str
    run: RunInfo | None = None
    error: str | None = None
    skipped: bool = False


class Workspace:
    def __init__(
        self, root: Path, db_url: str, pack: PolicyPack, engine: Engine, pack_text: str
    ) -> None:
        self.root = root
        self.db_url = db_url
        self.pack = pack
        self.pack_text = pack_text
        self.engine = engine
        self._matching: matching.Matching | None = None
        self.decisions = SharedDecisions()
        """The policy's answers kept across this workspace's sessions (every API and web
        request opens one): see ``linkwise.govern.session.SharedDecisions``."""

    # -- opening -----------------------------------------------------------------------

    @classmethod
    def init(cls, root: Path, db: str | None = None) -> tuple[Workspace, bool]:
        """Create (or upgrade) the workspace in ``root``. Returns (workspace, created)."""
        root = root.resolve()
        config_file = root / WORKSPACE_FILE
        created = not config_file.exists()
        if created:
            if root.exists() and not root.is_dir():
                raise WorkspaceError(f"{root} exists and is not a folder")
            root.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(default_pack_path(), root / POLICY_FILE)
            config = {"db": db or f"sqlite:///{DEFAULT_DB_FILE}", "policy_pack": POLICY_FILE}
            config_file.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        ws = cls._open(root, db)
        try:
            migrate(ws.engine)
        except OperationalError as exc:
            raise WorkspaceError(f"cannot reach the database: {exc.orig}") from exc
        ws.check_rules()
        ws.record_pack("(init)")
        return ws, created

    @classmethod
    def open(cls, root: Path | None = None, db: str | None = None) -> Workspace:
        settings = Settings()
        ws = cls._open((root or settings.workspace or Path.cwd()).resolve(), db)
        try:
            current = schema_revision(ws.engine)
        except OperationalError as exc:
            raise WorkspaceError(f"cannot reach the database: {exc.orig}") from exc
        head = head_revision(ws.engine)
        if current != head:
            raise WorkspaceError(
                f"the database schema is at {current or 'nothing'}, this linkwise needs {head}; "
                f"run `linkwise init {ws.root}` to create or upgrade it"
            )
        ws.check_rules()
        return ws

    def check_rules(self) -> None:
        """Refuse a policy pack with a priority rule that could never count a fact for a
        purpose it scores, given the markings of the sources it names (``unusable_rules``):
        validation refuses it, as it refuses a rule on a prohibited attribute."""
        if not any(r.sources for r in self.pack.priority_rules.values()):
            return
        with self.engine.connect() as conn:
            markings = catalog.source_markings(conn)
        found = unusable_rules(self.pack, markings)
        if found:
            lines = [
                f"priority_rules.{u.rule}.sources: the rule could never count a fact {u}; "
                "change its sources or purposes"
                for u in found
            ]
            raise WorkspaceError("policy pack is invalid:\n" + "\n".join(lines))

    @classmethod
    def _open(cls, root: Path, db: str | None) -> Workspace:
        config_file = root / WORKSPACE_FILE
        if not config_file.is_file():
            raise WorkspaceError(
                f"no linkwise workspace at {root}; create one with `linkwise init {root}`"
            )
        config = yaml.safe_load(config_file.read_text(encoding="utf-8")) or {}
        url = db or Settings().db or str(config.get("db") or f"sqlite:///{DEFAULT_DB_FILE}")
        url = _absolute_sqlite(url, root)
        pack_file = root / str(config.get("policy_pack", POLICY_FILE))
        try:
            pack = load_policy_pack(pack_file)
        except ConfigError as exc:
            raise WorkspaceError(f"policy pack is invalid:\n{exc}") from exc
        ws = cls(root, url, pack, make_engine(url), pack_file.read_text(encoding="utf-8"))
        # every audit append through this workspace signs the checkpoints that fall due
        attach_audit_signer(ws)
        return ws

    def close(self) -> None:
        if self._matching is not None:
            self._matching.close()
        self.engine.dispose()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def db_display(self) -> str:
        return make_url(self.db_url).render_as_string(hide_password=True)

    # -- sources -----------------------------------------------------------------------

    def add_source(self, manifest_path: Path) -> tuple[SourceInfo, bool]:
        """Validate a manifest, check its source can be read, and register it.

        Raises ManifestError or SourceFileError without registering anything.
        """
        path = manifest_path.resolve()
        manifest = load_manifest(path, self.pack)
        if manifest.resolved_format() != "documents":
            reader = open_reader(manifest, path.parent)
            try:
                check_source(manifest, reader, self.pack)
            finally:
                reader.close()
        else:
            documents.source_root(manifest, path.parent)
        with self.engine.connect() as conn:
            known = catalog.source_markings(conn)
        before = set(unusable_rules(self.pack, known))
        after = unusable_rules(self.pack, {**known, manifest.name: list(manifest.markings)})
        if new_problems := [p for p in after if p not in before]:
            raise ManifestError(
                [
                    Problem(
                        str(path),
                        "markings",
                        f"with these markings, priority rule {u.rule!r} of the policy pack "
                        f"could never count a fact {u}; change the rule's sources or "
                        "purposes, or this source's markings",
                    )
                    for u in new_problems
                ]
            )
        with self.engine.begin() as conn:
            _, created = catalog.upsert_source(
                conn, manifest.model_dump(mode="json"), str(path), manifest_hash(manifest)
            )
        info = next(s for s in self.sources() if s.name == manifest.name)
        return info, created

    def sources(self) -> list[SourceInfo]:
        with self.engine.connect() as conn:
            return catalog.list_sources(conn)

    # -- ingestion ---------------------------------------------------------------------

    def ingest(
        self,
        names: Sequence[str] = (),
        options: IngestOptions | None = None,
        progress: Callable[[str], Progress | None] | None = None,
    ) -> list[IngestOutcome]:
        """Ingest the named sources (all when none are named), each in its own runs."""
        settings = Settings()
        options = options or IngestOptions(settings.batch_size, settings.workers)
        known = [s.name for s in self.sources()]
        unknown = [n for n in names if n not in known]
        if unknown:
            raise WorkspaceError(
                f"no source named {', '.join(unknown)}; registered: {', '.join(known) or 'none'}"
            )
        outcomes = []
        for name in names or known:
            bar = progress(name) if progress is not None else None
            try:
                if documents.is_documents_source(self.engine, name):
                    run = documents.ingest_documents(self.engine, name, bar)
                else:
                    run = ingest_source(self.engine, name, self.pack, options, bar)
            except UnsupportedSourceError as exc:
                outcomes.append(IngestOutcome(name, error=str(exc), skipped=True))
            except SourceFileError as exc:
                outcomes.append(IngestOutcome(name, error=str(exc)))
            else:
                outcomes.append(IngestOutcome(name, run=run))
        return outcomes

    def runs(self, source: str | None = None, limit: int = 50) -> list[RunInfo]:
        with self.engine.connect() as conn:
            return catalog.list_runs(conn, source, limit)

    def quarantine(
        self, source: str | None = None, run_id: int | None = None, limit: int | None = 100
    ) -> list[QuarantineEntry]:
        with self.engine.connect() as conn:
            return store_records.list_quarantine(conn, source, run_id, limit)

    # -- resolution ----------------------------------------------------------------------

    def resolve(
        self,
        *,
        full: bool = True,
        threshold: float | None = None,
        progress: Callable[[str], None] | None = None,
        engine: LinkageEngine = "duckdb",
        labels: Path | None = None,
    ) -> resolution.ResolveOutcome:
        """Resolve the current records into entities, training and scoring on ``engine``
        (DuckDB in process, or Spark). Without ``full``, and when a full run, its model and
        its prepared input exist, only records new since then are linked
        (``linkwise.workspace.incremental``); otherwise everything is resolved again
        (``linkwise.workspace.resolution``). ``labels`` names a file of records known to be
        one person for the model to train on as well (``linkwise.workspace.labels``); only a
        full run trains, so it is refused where the run would be incremental."""
        cut = threshold if threshold is not None else resolution.DEFAULT_THRESHOLD
        cache = self._cache
        asked = not full and engine == "duckdb"
        blocker = incremental.why_full(self.engine, cache) if asked else None
        incremental_run = asked and blocker is None
        if blocker is not None and progress is not None:
            progress(f"resolving every record ({blocker})")
        if labels is not None and incremental_run:
            raise resolution.ResolveError(
                f"labels file {labels}: labels train a new model, and only a full run trains "
                "(this run would link the new records with the saved model): ask for a full "
                "run (--full)"
            )
        if incremental_run:
            if threshold is None:
                # the new records join the entities at the threshold those were clustered at
                with self.engine.connect() as conn:
                    cut = store_resolution.last_full_run_threshold(conn) or cut
            return incremental.resolve_incremental(
                self.engine,
                cache,
                threshold=cut,
                floor=resolution.DEFAULT_FLOOR,
                progress=progress,
            )
        return resolution.resolve_workspace(
            self.engine,
            threshold=cut,
            mode="full",
            progress=progress,
            linkage_engine=engine,
            cache_dir=cache,
            labels=labels,
        )

    def judge(
        self,
        left: tuple[str, str],
        right: tuple[str, str],
        decision: str,
        reviewer: str,
        rationale: str = "",
    ) -> int:
        """Record a human judgement on two records named by (source, source key)."""
        return resolution.judge(
            self.engine, self._key(left), self._key(right), decision, reviewer, rationale
        )

    def judgements(self) -> list[store_resolution.Judgement]:
        with self.engine.connect() as conn:
            return store_resolution.judgements(conn)

    def entity_of(self, source: str, source_key: str) -> str | None:
        rid = self._record_id(self._key((source, source_key)))
        with self.engine.connect() as conn:
            return store_resolution.entity_of_record(conn, rid)

    def resolved_names(self) -> pa.Table | None:
        """Names and dates of birth of the resolved records, from the kept model input
        (what the namesake penalty counts), or None when none is kept."""
        return incremental.resolved_names(self.engine, self._cache)

    @property
    def _cache(self) -> Path:
        """Where the last run's prepared model input is kept (for incremental runs)."""
        return self.root / ".linkwise"

    def last_resolution(self) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            return store_resolution.last_run(conn)

    def evaluate(
        self, truth: Path, *, by: Sequence[str] | None = None, tags: Path | None = None
    ) -> EvaluationReport:
        """Score the current entities against a truth file (``linkwise.evaluate``); the
        blocking recall is left out when the last full run's kept input cannot be read."""
        kept = self._cache / incremental.CACHE_FILE
        return evaluate_workspace(
            self.engine,
            truth,
            by=by,
            tags_path=tags,
            prepared=kept if incremental.readable(kept) else None,
        )

    def _key(self, ref: tuple[str, str]) -> tuple[int, str]:
        source, key = ref
        with self.engine.connect() as conn:
            row = catalog.source_row(conn, source)
        if row is None:
            raise WorkspaceError(f"no source named {source!r}")
        return (int(row.id), key)

    def _record_id(self, key: tuple[int, str]) -> int:
        with self.engine.connect() as conn:
            rid = store_resolution.current_record_id(conn, key)
        if rid is None:
            raise WorkspaceError(f"no current record {key[1]!r}")
        return rid

    # -- governed reads ---------------------------------------------------------------------

    def login(self, username: str, password: str) -> User:
        """The user a password login names (audited; a failure is ``AuthenticationError``,
        which says nothing of why)."""
        return users.login(self, username, password)

    def login_with_token(self, secret: str) -> User:
        return users.login_with_token(self, secret)

    @contextmanager
    def session(
        self, actor: User, case_id: int, *, clock: Clock | None = None
    ) -> Iterator[WorkspaceSession]:
        """The governed session every read of person data goes through: ``actor`` reading
        for case ``case_id`` (whose purpose every decision is judged against). Refused, and
        audited, unless the actor is an enabled analyst, supervisor or legal reviewer and
        the case is open (``SessionRefusedError``)."""
        # the pack in force recorded (``record_pack``) and the actor admitted, in one
        # transaction: every API and web request opens a session
        user, case = admit_committed(
            self.engine,
            actor,
            case_id,
            first=lambda conn: record_pack(conn, self.pack, self.pack_text, actor.username),
        )
        yield WorkspaceSession(self, user, case, clock=clock)

    def record_pack(self, actor: str) -> bool:
        """Keep the policy pack in force in the store, audited, if its text changed since
        it was last recorded (``govern.pack_versions``); return whether it had."""
        with self.engine.begin() as conn:
            return record_pack(conn, self.pack, self.pack_text, actor)

    def policy_history(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return policy_versions.history(conn)

    def matcher(self) -> matching.Matching:
        """The workspace's warm matcher (built on first use, rebuilt after each resolution);
        only governed sessions match against it."""
        if self._matching is None:
            self._matching = matching.Matching(self.engine)
        return self._matching


def _absolute_sqlite(url: str, root: Path) -> str:
    """A relative SQLite path in the workspace file is relative to the workspace folder."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise WorkspaceError(f"not a database URL: {url!r}") from exc
    db = parsed.database
    relative = db and db != ":memory:" and not Path(db).is_absolute()
    if parsed.get_backend_name() == "sqlite" and relative:
        parsed = parsed.set(database=str(root / str(db)))
    return parsed.render_as_string(hide_password=False)
