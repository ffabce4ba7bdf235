"""One resolution run: prepare, train and score (Splink), then cluster under constraints.

The steps are kept apart so each can be tested and explained on its own; this module only
wires them together and turns the scored pairs into clustering edges and per-record
evidence (the identifiers and dates that can veto a merge).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from linkwise.resolve.clustering import Clustering, EdgeColumns, Evidence, cluster_records
from linkwise.resolve.linkage import Linkage, Progress, link
from linkwise.resolve.prepare import PERSON_IDENTIFIERS, GenericValue, prepare

DEFAULT_THRESHOLD = 0.9
"""Links at or above this probability may join records into one entity."""
DEFAULT_FLOOR = 0.01
"""Links at or above this probability are kept (for review and explanation)."""


@dataclass
class Resolution:
    linkage: Linkage
    clustering: Clustering[int]
    generic: list[GenericValue]
    threshold: float
    edges: EdgeColumns[int]

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
    records: Sequence[Mapping[str, Any]],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    floor: float = DEFAULT_FLOOR,
    same: Iterable[tuple[int, int]] = (),
    different: Iterable[tuple[int, int]] = (),
    known_generic: Iterable[tuple[str, str]] = (),
    threads: int = 2,
    progress: Progress | None = None,
) -> Resolution:
    """Resolve canonical records (see ``prepare.prepare`` for their shape) into entities.

    ``same`` and ``different`` are human judgements: must-link and cannot-link pairs of
    record ids. "Same" pairs also train m beside EM.
    """
    say = progress or (lambda _msg: None)
    same = list(same)
    say("preparing records")
    prepared = prepare(records, known_generic=known_generic)
    linkage = link(prepared, floor=floor, labels=same, threads=threads, progress=progress)
    say("clustering")
    pairs = linkage.pairs
    edges: EdgeColumns[int] = EdgeColumns(
        pairs.column("unique_id_l").to_numpy(),
        pairs.column("unique_id_r").to_numpy(),
        pairs.column("match_probability").to_numpy(),
        pairs.column("match_weight").to_numpy(),
    )
    evidence = evidence_of(prepared.table.to_pylist())
    ids = prepared.table.column("unique_id").to_pylist()
    clustering = cluster_records(
        ids,
        edges,
        threshold=threshold,
        evidence=evidence,
        must_link=same,
        cannot_link=list(different),
    )
    return Resolution(linkage, clustering, prepared.generic, threshold, edges)


def evidence_of(rows: Iterable[Mapping[str, Any]]) -> dict[int, Evidence]:
    """Per record, the facts that can veto a merge, from the prepared table's rows (generic
    values are already blank there, so a shared sample SSN vetoes nothing)."""
    out: dict[int, Evidence] = {}
    for row in rows:
        ids = {k: row[k] for k in PERSON_IDENTIFIERS if row.get(k)}
        out[int(row["unique_id"])] = Evidence(
            identifiers=ids,
            dob=row.get("dob") or (str(row["dob_y"]) if row.get("dob_y") else None),
            given_name=row.get("given"),
            family_name=row.get("family"),
            address=row.get("address"),
        )
    return out
