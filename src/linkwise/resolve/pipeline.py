"""One resolution run: prepare, train and score (Splink), then cluster under constraints.

The steps are kept apart so each can be tested and explained on its own; this module only
wires them together and turns the scored pairs into clustering edges and per-record
evidence (the identifiers and dates that can veto a merge).
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from linkwise.resolve import name_order
from linkwise.resolve.clustering import (
    EXCLUSIVE_IDENTIFIERS,
    Clustering,
    DateCheck,
    EdgeColumns,
    Evidence,
    check_dates,
    cluster_records,
    new_year_written_for_unknown,
)
from linkwise.resolve.engines import Engine
from linkwise.resolve.linkage import DEFAULT_FLOOR as DEFAULT_FLOOR
from linkwise.resolve.linkage import Linkage, Progress, UnresolvableError, link
from linkwise.resolve.namesakes import Namesakes, find_namesakes
from linkwise.resolve.prepare import PERSON_IDENTIFIERS, GenericValue, prepare

DEFAULT_THRESHOLD = 0.8
"""Links at or above this probability may join records into one entity. Chosen by
measurement on historical_50k, FEBRL and the demo world: with the clustering's evidence
vetoes and merge-support rule in place, 0.8 gave higher F1 than 0.9 at nearly the same
precision."""


@dataclass
class Resolution:
    linkage: Linkage
    clustering: Clustering[int]
    generic: list[GenericValue]
    threshold: float
    edges: EdgeColumns[int]
    table: pa.Table | None = None
    """The prepared model input (kept so a later incremental run need not prepare the
    unchanged records again)."""
    overruled_labels: int = 0
    """Labelled pairs left out of training because a reviewer judged them different."""

    def confidence(self) -> dict[int, float]:
        """Per record: the weakest link that holds its entity together (1.0 alone).

        The clustering's spanning links are what joined the entity, so the weakest of them
        is the least certain step between any two of its records.
        """
        weakest: dict[int, float] = {}
        for members, links in zip(self.clustering.clusters, self.clustering.merged_by, strict=True):
            value = min((link.edge.probability for link in links if link.edge), default=1.0)
            for rid in members:
                weakest[rid] = value
        return weakest


def resolve(
    records: Iterable[Mapping[str, Any]],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    floor: float = DEFAULT_FLOOR,
    same: Iterable[tuple[int, int]] = (),
    different: Iterable[tuple[int, int]] = (),
    labels: Iterable[tuple[int, int]] = (),
    known_generic: Iterable[tuple[str, str]] = (),
    threads: int = 2,
    progress: Progress | None = None,
    engine: Engine = "duckdb",
    duplicate_free: Iterable[str] = (),
) -> Resolution:
    """Resolve canonical records (see ``prepare.prepare`` for their shape) into entities.

    ``records`` is read once, so it may be a stream: only the prepared columns and each
    record's valid identifiers are kept.

    ``same`` and ``different`` are human judgements: must-link and cannot-link pairs of
    record ids. "Same" pairs also train m beside EM, as do ``labels`` (pairs known to be
    one person, from a labels file), which constrain nothing and give way to a "different"
    judgement (such a pair does not train). ``engine`` is where Splink runs
    (DuckDB in process, or Spark). Records of ``duplicate_free`` sources (the records'
    ``source`` values) never share an entity.
    """
    say = progress or (lambda _msg: None)
    same, different = list(same), list(different)
    # a pair judged different is no example of a match, whatever a labels file says
    apart, labelled = _unordered(different), _unordered(labels)
    training = sorted((_unordered(same) | labelled) - apart)
    say("preparing records")
    valid: dict[int, Mapping[str, Any]] = {}
    prepared = prepare(_noting_identifiers(records, valid), known_generic=known_generic)
    if len(prepared.table) < 2:
        raise UnresolvableError("resolution needs at least two records")
    order = name_order.learn(prepared.table)
    prepared.table = name_order.apply(prepared.table, order)
    dates = date_check(prepared.table, valid, prepared.generic)
    linkage = link(
        prepared, floor=floor, labels=training, threads=threads, progress=progress, engine=engine
    )
    linkage.beside[name_order.MODEL_KEY] = order.to_json()
    linkage.beside[DATES_KEY] = dates.to_json()
    linkage.release()
    say("clustering")
    started = time.perf_counter()
    pairs = linkage.pairs
    edges = clustering_edges(
        pairs.column("unique_id_l").to_numpy(),
        pairs.column("unique_id_r").to_numpy(),
        pairs.column("match_weight").to_numpy(),
        pairs.column("gamma_dob").to_numpy(zero_copy_only=False)
        if "gamma_dob" in pairs.column_names
        else None,
        find_namesakes(prepared.table),
    )
    strong = np.asarray(edges.probability) >= threshold
    mergeable = np.concatenate([np.asarray(edges.left)[strong], np.asarray(edges.right)[strong]])
    evidence = evidence_of(
        prepared.table,
        valid,
        prepared.generic,
        only={*mergeable.tolist(), *(r for pair in same for r in pair)},
    )
    ids = prepared.table.column("unique_id").to_pylist()
    clustering = cluster_records(
        ids,
        edges,
        threshold=threshold,
        evidence=evidence,
        must_link=same,
        cannot_link=different,
        one_per_source=frozenset(duplicate_free),
        strict_dates=dates,
    )
    linkage.timings["clustering"] = time.perf_counter() - started
    return Resolution(
        linkage,
        clustering,
        prepared.generic,
        threshold,
        edges,
        prepared.table,
        overruled_labels=len(labelled & apart),
    )


DATES_KEY = "linkwise_dates"
"""The saved model's ``DateCheck`` (``clustering.DateCheck.to_json``): an incremental run
refuses merges on dates of birth by the full run's measurement, not by its own few records."""


def date_check(
    table: pa.Table, valid: Mapping[int, Mapping[str, Any]], generic: Iterable[GenericValue] = ()
) -> DateCheck:
    """``check_dates`` over the records of the prepared ``table`` that share a value of an
    exclusive identifier type, counting only ``valid`` values that are not generic (as the
    clustering's own identifier evidence does, ``evidence_of``), with 1 January read as a
    year alone where the table's dates say it is written for unknown ones."""
    if "dob" not in table.column_names:
        return check_dates(())
    records, dates = table.column("unique_id").to_pylist(), table.column("dob").to_pylist()
    new_year = new_year_written_for_unknown(d for d in dates if d)
    blank = {(g.field, g.value) for g in generic}
    dob = dict(zip(records, dates, strict=True))
    shared: dict[tuple[str, str], list[tuple[int, str | None]]] = {}
    for rid, ids in valid.items():
        for kind, value in ids.items():
            if kind in EXCLUSIVE_IDENTIFIERS and value and (kind, value) not in blank:
                shared.setdefault((kind, str(value)), []).append((rid, dob.get(rid)))
    return check_dates(shared.values(), new_year=new_year)


def _unordered(pairs: Iterable[tuple[int, int]]) -> set[tuple[int, int]]:
    """Each pair once, lower record id first."""
    return {(min(a, b), max(a, b)) for a, b in pairs}


NO_DOB_PENALTY = 3.0
"""Bits of match weight a pair must make up, for clustering, when neither date of birth
could be compared. The model treats family name and address as independent, and without a
date of birth little else separates members of one household: on the demo world 33% of
links at p >= 0.8 with no date to compare were false, against 9% with one. Three bits
(odds divided by eight) puts a DOB-less link at 0.8 only where the model says about 0.97.
Stored links keep the model's own probability; only the merge decision is stricter."""


def clustering_edges(
    left: npt.NDArray[Any],
    right: npt.NDArray[Any],
    weight: npt.NDArray[Any],
    gamma_dob: npt.NDArray[Any] | None,
    namesakes: Namesakes | None = None,
) -> EdgeColumns[int]:
    """The clustering's view of scored pairs: the model's weights, less ``NO_DOB_PENALTY``
    where the date of birth was not compared (``gamma_dob`` is -1), and less the penalty of
    a full name both records bear that more people share than its parts suggest
    (``namesakes``)."""
    w = np.asarray(weight, dtype=np.float64)
    if gamma_dob is not None and len(w):
        w = w - NO_DOB_PENALTY * (np.asarray(gamma_dob) == -1)
    if namesakes is not None and len(w):
        w = w - namesakes.penalty(left, right)
    return EdgeColumns(
        np.asarray(left, dtype=np.int64),
        np.asarray(right, dtype=np.int64),
        1.0 / (1.0 + np.exp2(-w)),
        w,
    )


def _noting_identifiers(
    records: Iterable[Mapping[str, Any]], valid: dict[int, Mapping[str, Any]]
) -> Iterator[Mapping[str, Any]]:
    """``records`` unchanged, noting into ``valid`` each one's valid identifiers (those of
    ``valid_identifiers``, or ``identifiers`` when a record has no such key)."""
    for rec in records:
        ids = rec.get("valid_identifiers", rec.get("identifiers"))
        if ids:
            valid[int(rec["record_id"])] = ids
        yield rec


def evidence_of(
    table: pa.Table,
    valid: Mapping[int, Mapping[str, Any]],
    generic: Iterable[GenericValue] = (),
    only: Collection[int] | None = None,
) -> dict[int, Evidence]:
    """Per record, the facts that can veto a merge: from the prepared ``table`` (names,
    name suffix, dates, address, source) and, for identifiers, only the ``valid`` values of
    each record (record id -> identifier type -> value) that are not generic. A malformed
    SSN is still compared by the model, but it is too weak to forbid a merge.

    ``only`` limits the result to those record ids: a record no link could merge needs
    no evidence, and at a million records the rest would cost hundreds of megabytes."""
    blank = {(g.field, g.value) for g in generic}
    if only is not None:
        wanted = pa.array(sorted(set(only)), pa.int64())
        table = table.filter(pc.is_in(table.column("unique_id"), value_set=wanted))
    kinds = [k for k in PERSON_IDENTIFIERS if k in table.column_names]

    def col(name: str) -> list[Any]:
        return table.column(name).to_pylist() if name in table.column_names else [None] * len(table)

    id_values = [col(k) for k in kinds]
    out: dict[int, Evidence] = {}
    for i, (rid, dob, dob_y, given, family, middle, address, source, suffix) in enumerate(
        zip(
            col("unique_id"),
            col("dob"),
            col("dob_y"),
            col("given"),
            col("family"),
            col("middle"),
            col("address"),
            col("source"),
            col("suffix"),
            strict=True,
        )
    ):
        ids = {
            k: v
            for k, v in (valid.get(rid) or {}).items()
            if k in PERSON_IDENTIFIERS and v and (k, v) not in blank
        }
        shared = frozenset(
            (k, v)
            for k, values in zip(kinds, id_values, strict=True)
            if (v := values[i]) is not None
        )
        out[rid] = Evidence(
            identifiers=ids,
            shared=shared,
            dob=dob or (str(dob_y) if dob_y else None),
            given_name=given,
            family_name=family,
            address=address,
            source=None if source is None else str(source),
            suffix=suffix,
            middle_name=middle,
        )
    return out
