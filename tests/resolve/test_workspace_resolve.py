"""Resolving a workspace end to end, on SQLite and PostgreSQL: entities and links are stored,
judgements hold across full re-runs, entity ids are stable and retired ids redirect."""

from __future__ import annotations

import csv
import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pyarrow as pa
import pytest
from sqlalchemy import select

from linkwise.govern.session import is_withheld
from linkwise.resolve.clustering import DateCheck
from linkwise.resolve.pipeline import DATES_KEY
from linkwise.store import reads, tables
from linkwise.store import resolution as rs
from linkwise.workspace import Workspace, incremental
from linkwise.workspace import resolution as resolution_store
from linkwise.workspace.incremental import TOUCH
from tests.helpers import WORLD_PEOPLE, seed_case, world_workspace


@pytest.fixture
def ws(db_url: str, tmp_path: Path, world: Path) -> Iterator[Workspace]:
    with world_workspace(tmp_path / "ws", world, db_url) as workspace:
        yield workspace


def _truth(world: Path) -> dict[tuple[str, str], str]:
    with (world / "truth.csv").open(newline="") as fh:
        return {(r["source"], r["source_key"]): r["person_id"] for r in csv.DictReader(fh)}


def _membership(ws: Workspace) -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    for source in ws.sources():
        for key in _keys(ws, source.name):
            entity = ws.entity_of(source.name, key)
            assert entity is not None
            out[(source.name, key)] = entity
    return out


def _by_entity(membership: dict[tuple[str, str], str]) -> dict[str, list[tuple[str, str]]]:
    """Each entity's record keys, from ``_membership``."""
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key, entity in membership.items():
        groups[entity].append(key)
    return groups


def _keys(ws: Workspace, source: str) -> list[str]:
    from sqlalchemy import text

    with ws.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT r.source_key FROM records r JOIN sources s ON s.id = r.source_id "
                "WHERE s.name = :n AND r.is_current"
            ),
            {"n": source},
        )
        return [row[0] for row in rows]


def _pairwise(membership: dict[tuple[str, str], str], truth: dict[tuple[str, str], str]):
    by_entity: dict[str, list[str]] = defaultdict(list)
    by_person: dict[str, list[str]] = defaultdict(list)
    both: dict[tuple[str, str], int] = defaultdict(int)
    for key, entity in membership.items():
        if key not in truth:
            continue  # a mention record from a report: scored by the documents benchmark
        person = truth[key]
        by_entity[entity].append(person)
        by_person[person].append(entity)
        both[(entity, person)] += 1

    def pairs(n: int) -> int:
        return n * (n - 1) // 2

    tp = sum(pairs(n) for n in both.values())
    predicted = sum(pairs(len(v)) for v in by_entity.values())
    true = sum(pairs(len(v)) for v in by_person.values())
    return tp / predicted, tp / true


def test_a_run_failing_while_it_stores_leaves_the_last_results_and_their_indexes(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On SQLite a full run drops the links' and members' indexes while it writes them; a
    # failure mid-write must roll the drop back with the rows (PostgreSQL keeps its indexes,
    # so there this checks only that the last results survive)
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import func

    from linkwise.store import resolution as rs

    def count_links() -> int:
        with ws.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(tables.links)).scalar_one())

    def schema_drift() -> list[Any]:
        with ws.engine.connect() as conn:
            return list(compare_metadata(MigrationContext.configure(conn), tables.metadata))

    ws.resolve(full=True)
    before, links = _membership(ws), count_links()
    assert links > 0
    assert schema_drift() == []

    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(rs, "_write_entities", broken)
    with pytest.raises(OSError, match="disk full"):
        ws.resolve(full=True)
    run = ws.last_resolution()
    assert run is not None
    assert run["status"] == "failed"
    assert _membership(ws) == before
    assert count_links() == links
    assert schema_drift() == []


def test_resolve_stores_entities_links_and_review_items(ws: Workspace, world: Path) -> None:
    outcome = ws.resolve(full=True)
    membership = _membership(ws)
    assert outcome.records == len(membership)
    # each phase is timed, and the run's statistics keep all but storing and indexing
    # (written inside them)
    phases = ("blocking", "training", "scoring", "clustering", "storing", "indexing")
    assert all(0 < outcome.timings[p] < outcome.timings["total"] for p in phases)
    assert sum(outcome.timings[p] for p in phases) < outcome.timings["total"]
    run = ws.last_resolution()
    assert run is not None
    assert set(run["stats"]["timings"]) == set(phases) - {"storing", "indexing"}
    assert outcome.entities == len(set(membership.values()))
    assert WORLD_PEOPLE * 0.7 < outcome.entities < outcome.records
    precision, recall = _pairwise(membership, _truth(world))
    assert precision > 0.9, precision
    assert recall > 0.8, recall
    # an entity with several records shows its records and the scored links between them
    sizes: dict[str, int] = defaultdict(int)
    for entity in membership.values():
        sizes[entity] += 1
    big = max(sizes, key=lambda e: sizes[e])
    user, case = seed_case(ws)
    with ws.session(user, case.id) as session:
        shown = session.entity(big)
    assert shown["status"] == "active"
    assert len(shown["records"]) == sizes[big]
    assert shown["links"]
    link = shown["links"][0]
    assert link["model_version"] == outcome.model_version
    assert "given_name" in link["contributions"]  # a level, or the marker withholding it
    assert 0.0 <= link["match_probability"] <= 1.0
    last = ws.last_resolution()
    assert last is not None
    assert last["status"] == "completed"


def test_different_judgement_survives_full_resolve(ws: Workspace) -> None:
    ws.resolve(full=True)
    membership = _membership(ws)
    groups = _by_entity(membership)
    _, members = next((e, m) for e, m in sorted(groups.items()) if len(m) >= 2)
    left, right = members[0], members[1]
    ws.judge(left, right, "different", reviewer="analyst.a", rationale="different mothers")
    ws.resolve(full=True)
    assert ws.entity_of(*left) != ws.entity_of(*right)
    ws.resolve(full=True)
    assert ws.entity_of(*left) != ws.entity_of(*right)
    history = ws.judgements()
    assert [j.decision for j in history] == ["different"]
    assert history[0].reviewer == "analyst.a"


def test_judgements_hold_from_the_next_run_not_only_the_next_full_one(ws: Workspace) -> None:
    ws.resolve(full=True)
    membership = _membership(ws)
    groups = _by_entity(membership)
    several = sorted(e for e, m in groups.items() if len(m) >= 2)
    apart = groups[several[0]][:2]  # one entity's records, judged two people
    single = sorted(e for e, m in groups.items() if len(m) == 1)[0]
    together = (groups[single][0], groups[several[1]][0])  # two entities, judged one
    ws.judge(*apart, "different", reviewer="analyst.a", rationale="different mothers")
    ws.judge(*together, "same", reviewer="analyst.a", rationale="same passport photo")
    ws.resolve(full=False)  # no record is new or changed
    last = ws.last_resolution()
    assert last is not None
    assert last["mode"] == "incremental"
    assert ws.entity_of(*apart[0]) != ws.entity_of(*apart[1])
    merged = ws.entity_of(*together[0]) == ws.entity_of(*together[1])
    user, case = seed_case(ws)
    with ws.session(user, case.id) as session:
        kinds = [item["kind"] for item in session.review_queue(500)]
    assert merged  # a "same" judgement holds; against hard evidence it is flagged too
    # entities no judgement touches are left as they were
    untouched = {e for e in groups if e not in {several[0], several[1], single}}
    after = _membership(ws)
    assert all(after[k] == e for k, e in membership.items() if e in untouched)
    # and a later run with nothing new changes nothing, nor flags a refused judgement again
    ws.resolve(full=False)
    assert _membership(ws) == after
    with ws.session(user, case.id) as session:
        again = [item["kind"] for item in session.review_queue(500)]
    assert again.count("judgement_conflict") == kinds.count("judgement_conflict")


def test_a_same_judgement_against_different_ssns_holds_and_is_flagged(ws: Workspace) -> None:
    ws.resolve(full=True)
    r, i, src = tables.records, tables.record_identifiers, tables.sources
    with ws.engine.connect() as conn:
        rows = conn.execute(
            select(src.c.name, r.c.source_key, i.c.value)
            .join(r, r.c.id == i.c.record_id)
            .join(src, src.c.id == r.c.source_id)
            .where(r.c.is_current, i.c.type == "ssn", i.c.valid)
            .order_by(r.c.id)
        ).all()
    first = rows[0]
    other = next(row for row in rows if row[2] != first[2])
    a, b = (first[0], first[1]), (other[0], other[1])
    assert ws.entity_of(*a) != ws.entity_of(*b)
    ws.judge(a, b, "same", reviewer="analyst.a")
    ws.resolve(full=True)
    assert ws.entity_of(*a) == ws.entity_of(*b)
    with ws.engine.connect() as conn:  # the stored item (a case may not read its reason)
        flagged = [i for i in reads.review_items(conn, 500) if i["kind"] == "judgement_conflict"]
    assert len(flagged) == 1
    assert "hold different SSN" in flagged[0]["reason"]
    assert "was applied" in flagged[0]["reason"]


def test_a_refusal_a_reviewer_decided_is_no_longer_queued(ws: Workspace) -> None:
    ws.resolve(full=True)
    with ws.engine.connect() as conn:
        ids = rs.current_ids_by_name(conn)
        entity = rs.entity_of_records(conn, sorted(ids.values()))
        strongest = conn.execute(
            select(tables.links.c.record_l, tables.links.c.record_r)
            .order_by(tables.links.c.match_probability.desc(), tables.links.c.id)
            .limit(1)
        ).one()
    key = {rid: k for k, rid in ids.items()}
    left, right = (int(r) for r in strongest)
    assert entity[left] == entity[right]
    ws.judge(key[left], key[right], "different", reviewer="analyst.a")
    ws.resolve(full=True)  # the strong link between them is refused: decided, not a question
    with ws.engine.connect() as conn:
        refusals = [i for i in reads.review_items(conn, 100_000) if i["kind"] == "cannot_link"]
    assert not [i for i in refusals if set(i["record_ids"][:2]) == {left, right}]


def test_an_incremental_run_replaces_the_flags_on_what_it_clusters_again(ws: Workspace) -> None:
    ws.resolve(full=True)
    with ws.engine.connect() as conn:
        ids = rs.current_ids_by_name(conn)
        entity = rs.entity_of_records(conn, sorted(ids.values()))
        conflicts = [i for i in reads.review_items(conn, 100_000) if i["kind"] == "conflict"]
    key = {rid: k for k, rid in ids.items()}
    u, v = conflicts[0]["record_ids"][:2]
    assert entity[u] != entity[v]
    ws.judge(key[u], key[v], "same", reviewer="analyst.a")  # both entities clustered again
    ws.resolve(full=False)
    with ws.engine.connect() as conn:
        entity = rs.entity_of_records(conn, sorted(ids.values()))
        items = reads.review_items(conn, 100_000)
    assert entity[u] == entity[v]
    listed = [(i["kind"], tuple(sorted(i["record_ids"]))) for i in items]
    assert len(listed) == len(set(listed))  # no flag twice over the runs
    # the full run's refusal between the two entities, which are one now, is gone
    stale = [
        i
        for i in items
        if i["kind"] == "conflict" and len({entity.get(r) for r in i["record_ids"]}) == 1
    ]
    assert stale == []
    # a flag's priority is what a decision on it would move: the records of its entities
    sizes = Counter(entity.values())
    latest = max(i["run_id"] for i in items)
    flags = [i for i in items if i["run_id"] == latest and i["kind"] != "uncertain_pair"]
    assert flags
    for item in flags:
        moved = sum(sizes[e] for e in {entity[r] for r in item["record_ids"]})
        assert item["priority"] == moved, item


def test_judgements_that_cannot_all_hold_are_flagged_once_not_at_every_run(
    ws: Workspace,
) -> None:
    ws.resolve(full=True)
    groups = _by_entity(_membership(ws))
    x, y, z = (groups[e][0] for e in sorted(e for e, m in groups.items() if len(m) == 1)[:3])
    ws.judge(x, y, "same", reviewer="analyst.a")
    ws.judge(y, z, "same", reviewer="analyst.a")
    ws.judge(x, z, "different", reviewer="analyst.a")  # the three cannot all hold
    user, case = seed_case(ws)

    def conflicts() -> int:
        with ws.session(user, case.id) as session:
            return [i["kind"] for i in session.review_queue(500)].count("judgement_conflict")

    ws.resolve(full=False)
    assert ws.entity_of(*x) != ws.entity_of(*z)  # "different" always holds
    flagged = conflicts()
    assert flagged >= 1
    ws.resolve(full=False)
    ws.resolve(full=False)
    assert conflicts() == flagged


def test_why_not_of_a_member_and_why_of_a_retired_id_answer_truly(ws: Workspace) -> None:
    from linkwise.govern.session import NotFoundError
    from linkwise.workspace.session import ExplainInputError

    ws.resolve(full=True)
    groups = _by_entity(_membership(ws))
    several = sorted((e for e, m in groups.items() if len(m) >= 2), key=lambda e: -len(groups[e]))
    big, other = several[0], several[1]
    user, case = seed_case(ws)
    with ws.session(user, case.id) as session:
        # a member is in the entity: "why not" of it used to invent a reason
        with pytest.raises(ExplainInputError, match=f"is in entity {big}"):
            session.explain_entity(big, groups[big][0])
        outside = session.explain_entity(big, groups[other][0])
        assert isinstance(outside["why_not"], str)
    ws.judge(groups[big][0], groups[other][0], "same", reviewer="analyst.b")
    ws.resolve(full=True)
    retired = next((e for e in (big, other) if ws.entity_of(*groups[e][0]) != e), None)
    assert retired is not None  # this world's merge is not refused: one id retires
    with (
        ws.session(user, case.id) as session,
        pytest.raises(
            NotFoundError, match=f"entity {retired} is retired; its records are now in E"
        ),
    ):
        session.explain_entity(retired)


def test_entity_ids_survive_re_resolution(ws: Workspace) -> None:
    ws.resolve(full=True)
    before = _membership(ws)
    ws.resolve(full=True)
    after = _membership(ws)
    kept = sum(1 for key in before if before[key] == after[key])
    assert kept == len(before)


def test_two_workspaces_resolve_one_world_alike(ws: Workspace, world: Path, tmp_path: Path) -> None:
    """Resolution is reproducible: a second workspace, on SQLite whatever the first is on,
    resolving the same world gives the same clusters and links with the same probabilities
    (within 1e-9: parallel sums may differ in the last bits). Entity ids are new in
    each workspace, so the clusters are compared by their records."""
    second, _ = Workspace.init(tmp_path / "second", f"sqlite:///{tmp_path / 'second.db'}")
    try:
        for manifest in sorted(world.glob("*.yaml")):
            second.add_source(manifest)
        second.ingest()
        runs = []
        for workspace in (ws, second):
            workspace.resolve(full=True)
            members = defaultdict(set)
            for key, entity in _membership(workspace).items():
                members[entity].add(key)
            runs.append((sorted(sorted(m) for m in members.values()), _links(workspace)))
    finally:
        second.close()
    (clusters_a, links_a), (clusters_b, links_b) = runs
    assert clusters_a == clusters_b
    assert links_a.keys() == links_b.keys()
    assert all(math.isclose(links_a[k], links_b[k], abs_tol=1e-9) for k in links_a)
    assert len(links_a) > WORLD_PEOPLE / 2


def _links(ws: Workspace) -> dict[tuple[tuple[str, str], tuple[str, str]], float]:
    """Each stored link by its two records' (source, key), with its probability."""
    from sqlalchemy import select

    from linkwise.store import tables as t

    left, right = t.records.alias("l"), t.records.alias("r")
    sl, sr = t.sources.alias("sl"), t.sources.alias("sr")
    query = (
        select(
            sl.c.name, left.c.source_key, sr.c.name, right.c.source_key, t.links.c.match_probability
        )
        .join(left, left.c.id == t.links.c.record_l)
        .join(right, right.c.id == t.links.c.record_r)
        .join(sl, sl.c.id == left.c.source_id)
        .join(sr, sr.c.id == right.c.source_id)
    )
    with ws.engine.connect() as conn:
        return {
            tuple(sorted([(a, b), (c, d)])): float(p)  # type: ignore[misc]
            for a, b, c, d, p in conn.execute(query)
        }


def test_same_judgement_merges_and_the_retired_id_redirects(ws: Workspace) -> None:
    ws.resolve(full=True)
    membership = _membership(ws)
    groups = _by_entity(membership)
    singles = sorted(e for e, m in groups.items() if len(m) == 1)
    bigger = sorted((e for e, m in groups.items() if len(m) >= 2), key=lambda e: -len(groups[e]))
    small, large = singles[0], bigger[0]
    ws.judge(groups[small][0], groups[large][0], "same", reviewer="analyst.b")
    ws.resolve(full=True)
    merged = ws.entity_of(*groups[small][0])
    # a "same" judgement always holds (no "different" contradicts it here)
    assert merged == ws.entity_of(*groups[large][0])
    user, case = seed_case(ws)
    with ws.session(user, case.id) as session:
        # An id still in use names an entity holding some of its records; an id that no
        # longer names an entity redirects to every entity that now holds its records.
        for old in (small, large):
            shown = session.entity(old)
            now = {ws.entity_of(*key) for key in groups[old]}
            if shown["status"] == "active":
                assert old in now
            else:
                assert now <= set(shown["redirected_to"])


def test_judgement_input_is_checked(ws: Workspace) -> None:
    from linkwise.workspace import WorkspaceError
    from linkwise.workspace.resolution import ResolveError

    source = ws.sources()[0].name
    key = _keys(ws, source)[0]
    with pytest.raises(ResolveError, match="decision must be one of"):
        ws.judge((source, key), (source, _keys(ws, source)[1]), "maybe", reviewer="x")
    with pytest.raises(ResolveError, match="two different records"):
        ws.judge((source, key), (source, key), "same", reviewer="x")
    with pytest.raises(WorkspaceError, match="no source named"):
        ws.judge(("nope", "1"), (source, key), "same", reviewer="x")
    with pytest.raises(ResolveError, match="no current record"):
        ws.judge((source, "no-such-key"), (source, key), "same", reviewer="x")
    assert ws.judgements() == []


def test_an_incremental_run_clusters_at_the_full_runs_threshold(ws: Workspace) -> None:
    ws.resolve(full=True, threshold=0.6)
    ws.resolve(full=False)
    last = ws.last_resolution()
    assert last is not None
    assert (last["mode"], last["threshold"]) == ("incremental", 0.6)
    ws.resolve(full=False, threshold=0.9)  # asked for, it is used
    last = ws.last_resolution()
    assert last is not None
    assert (last["mode"], last["threshold"]) == ("incremental", 0.9)


def test_incremental_links_only_new_records_and_matches_a_full_run(
    db_url: str, tmp_path: Path, world: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace, _ = Workspace.init(tmp_path / "inc", db_url)
    try:
        for manifest in sorted(world.glob("*.yaml")):
            workspace.add_source(manifest)
        names = [s.name for s in workspace.sources()]
        late = "jail_bookings"
        workspace.ingest([n for n in names if n != late])
        workspace.resolve(full=True)
        before = _membership(workspace)
        with workspace.engine.connect() as conn:
            entity_before = dict(
                conn.execute(
                    select(tables.entity_members.c.record_id, tables.entity_members.c.entity_id)
                ).all()
            )
        workspace.ingest([late])
        told: list[DateCheck | None] = []
        clustering = incremental.cluster_records

        def telling(*args: Any, **kwargs: Any) -> Any:
            told.append(kwargs["strict_dates"])
            return clustering(*args, **kwargs)

        monkeypatch.setattr(incremental, "cluster_records", telling)
        outcome = workspace.resolve(full=False)
        monkeypatch.undo()
        with workspace.engine.connect() as conn:
            saved = rs.latest_model(conn)
        assert saved is not None
        # the incremental run refuses on dates by the full run's measurement, saved with
        # the model, not by its own few records
        assert told == [DateCheck.from_json(saved[1][DATES_KEY])]
        assert told[0] is not None
        run = workspace.last_resolution()
        assert run is not None
        assert run["mode"] == "incremental"
        # its phases are timed, storing and indexing for search apart (the new records are
        # indexed in the same transaction)
        phases = ("reading", "candidates", "predict", "clustering", "storing", "indexing")
        assert all(0 < outcome.timings[p] < outcome.timings["total"] for p in phases)
        assert sum(outcome.timings[p] for p in phases) <= outcome.timings["total"]
        # every new link down to the floor is stored; only those at TOUCH or more cluster
        # the entity at their far end again
        lk = tables.links
        with workspace.engine.connect() as conn:
            new_links = conn.execute(
                select(lk.c.record_l, lk.c.record_r, lk.c.match_probability).where(
                    lk.c.run_id == run["id"]
                )
            ).all()
        assert min(p for _, _, p in new_links) < TOUCH <= max(p for _, _, p in new_links)

        def reached(links: list[Any]) -> set[str]:
            return {entity_before[r] for a, b, _ in links for r in (a, b) if r in entity_before}

        strong = [link for link in new_links if link[2] >= TOUCH]
        assert run["stats"]["touched_entities"] == len(reached(strong))
        assert len(reached(strong)) < len(reached(new_links))
        after = _membership(workspace)
        added = [k for k in after if k[0] == late]
        assert outcome.records == len(added) > 0
        # records resolved earlier keep their entity ids unless a new record joined them
        kept = sum(1 for key in before if after[key] == before[key])
        assert kept / len(before) > 0.9
        truth = _truth(world)
        p_inc, r_inc = _pairwise(after, truth)
        f_inc = 2 * p_inc * r_inc / (p_inc + r_inc)
        workspace.resolve(full=True)
        p_full, r_full = _pairwise(_membership(workspace), truth)
        f_full = 2 * p_full * r_full / (p_full + r_full)
        assert abs(f_inc - f_full) < 0.03, (f_inc, f_full)
        # nothing new: an incremental run changes nothing
        again = workspace.resolve(full=False)
        assert again.records == 0
    finally:
        workspace.close()


def test_a_duplicate_free_source_links_one_to_one(db_url: str, tmp_path: Path) -> None:
    from tests.helpers import csv_text, manifest, person, write_manifest

    folder = tmp_path / "src"
    folder.mkdir()
    # Pairs of registry rows that agree on every field (no SSN to tell them apart), and a
    # court record matching each pair: without the declaration they would all merge.
    names = ["Olga", "Ivan", "Maria", "Jose", "Anna", "Peter", "Laura", "Omar", "Wei", "Ines"]

    def row(i: int, n: int) -> list[str]:
        return person(n, first=names[n % 10], last=f"Family{n}", ID=str(i), SSN="")

    registry = [row(i, i // 2) for i in range(300)]
    court = [row(1000 + n, n) for n in range(150)]
    (folder / "registry.csv").write_text(csv_text(registry), encoding="utf-8")
    (folder / "court.csv").write_text(csv_text(court), encoding="utf-8")

    def most_registry_rows_per_entity(declared: bool, name: str) -> int:
        workspace, _ = Workspace.init(tmp_path / name, db_url)
        try:
            data = manifest("registry", "registry.csv", duplicate_free=declared)
            workspace.add_source(write_manifest(folder, data, f"registry_{name}.yaml"))
            workspace.add_source(write_manifest(folder, manifest("court", "court.csv")))
            workspace.ingest()
            workspace.resolve(full=True)
            per_entity: dict[str, int] = defaultdict(int)
            for (source, _key), entity in _membership(workspace).items():
                if source == "registry":
                    per_entity[entity] += 1
            return max(per_entity.values())
        finally:
            workspace.close()

    assert most_registry_rows_per_entity(False, "plain") >= 2
    assert most_registry_rows_per_entity(True, "declared") == 1


def test_explanations_of_entities_and_pairs(ws: Workspace) -> None:
    ws.resolve(full=True)
    membership = _membership(ws)
    groups = _by_entity(membership)
    entity, members = max(groups.items(), key=lambda item: len(item[1]))
    user, case = seed_case(ws)
    with ws.session(user, case.id) as session:
        result = session.explain_entity(entity)
        roots = {item["path"][-1] for item in result["records"]}
        assert len(roots) == 1  # every record's path of links leads to the same first record
        joined = [item for item in result["records"] if item["step"]]
        assert len(joined) == len(members) - 1
        assert all("likely the same person" in item["step"]["sentence"] for item in joined)
        # a pair inside the entity: its stored link, as weights that add up, and a sentence;
        # levels compared on values this case may not see (a benefits record's, say) are
        # withheld, so the sum is checked on a pair with none
        pairs = []
        for step in joined:
            other = next(
                i for i in result["records"] if i["record_id"] == step["step"]["joined_to"]
            )
            pairs.append(
                session.explain_pair(
                    (step["source"], step["source_key"]), (other["source"], other["source_key"])
                )
            )
        assert all(pair["linked"] for pair in pairs)
        visible = [p for p in pairs if not any(r.get("withheld") for r in p["waterfall"])]
        assert visible
        pair = visible[0]
        total = sum(r["weight"] + (r.get("tf_adjustment") or 0) for r in pair["waterfall"][:-1])
        assert abs(total - pair["match_weight"]) < 1e-3  # contributions are stored to 4 places
        for checked in pairs:
            for row in checked["waterfall"]:
                if row["name"] in ("ssn", "passport", "drivers_licence"):
                    assert row["left"] is None
                    assert row["right"] is None
                if row.get("withheld"):
                    assert is_withheld(row["withheld"])
                    assert row["weight"] is None
        # a record of another entity: why it is not in this one
        outsider = next(k for k, e in membership.items() if e != entity)
        why = session.explain_entity(entity, why_not=outsider)["why_not"]
        assert why


def test_evaluation_reports_blocking_recall_of_the_last_full_run(
    ws: Workspace, world: Path
) -> None:
    ws.resolve(full=True)
    report = ws.evaluate(world / "truth.csv")
    assert report.blocking is not None
    truth = _truth(world)
    people: dict[str, int] = defaultdict(int)
    for person in truth.values():
        people[person] += 1
    assert report.blocking.true_pairs == sum(n * (n - 1) // 2 for n in people.values())
    assert report.blocking.recall is not None
    # blocking caps recall: it is at least the pairwise recall the clustering reached
    assert report.pairwise.recall is not None
    assert report.blocking.recall >= report.pairwise.recall
    assert report.blocking.recall > 0.95
    assert max(report.blocking.per_rule.values()) <= report.blocking.covered
    assert report.to_dict()["blocking"]["covered"] == report.blocking.covered


def test_links_are_written_in_chunks_whose_contributions_stay_with_their_pair(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Contributions are made a block of pairs at a time and rows a smaller chunk at a time;
    # every row must carry its own pair's text across both boundaries.
    n = 23
    pairs = pa.table(
        {
            "unique_id_l": list(range(n)),
            "unique_id_r": [i + 100 for i in range(n)],
            "match_probability": [i / n for i in range(n)],
            "match_weight": [float(i) for i in range(n)],
            "match_key": [i if i % 5 else None for i in range(n)],
            "gamma_dob": [i % 4 for i in range(n)],
            "mw_dob": [i / 10 for i in range(n)],
        }
    )
    linkage = SimpleNamespace(pairs=pairs, comparisons=["dob"], model_version="v1")
    monkeypatch.setattr(resolution_store, "LINK_CHUNK", 3)
    monkeypatch.setattr(resolution_store, "TEXT_BLOCK", 9)
    chunks = list(resolution_store._link_chunks(SimpleNamespace(linkage=linkage)))  # type: ignore[arg-type]
    assert [len(c.record_l) for c in chunks] == [3] * 7 + [2]
    assert {c.model_version for c in chunks} == {"v1"}
    assert [x for c in chunks for x in c.record_l] == list(range(n))
    assert [x for c in chunks for x in c.record_r] == [i + 100 for i in range(n)]
    assert [x for c in chunks for x in c.match_weight] == [float(i) for i in range(n)]
    # keys are stored as text; a pair without one stays without one
    assert [x for c in chunks for x in c.match_key] == [str(i) if i % 5 else None for i in range(n)]
    texts = [x for c in chunks for x in c.contributions]
    for i, text in enumerate(texts):
        assert json.loads(str(text)) == {"dob": [i % 4, round(i / 10, 4), 0.0]}
