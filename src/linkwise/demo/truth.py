"""Ground truth: which person each record is, which difficulties it carries, and who the
people really are, written beside the sources for evaluation.

``truth.csv`` (``source,source_key,person_id``) is the contract outside checks read; the
other files let an evaluation break errors down by difficulty, surname frequency, origin,
missing birth date and so on.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

import numpy as np

from linkwise.demo.names import COMMON_SURNAMES
from linkwise.demo.person import people
from linkwise.demo.population import Population, household_id, person_id
from linkwise.demo.sources.base import Draft

TRUTH = "truth.csv"
TAGS = "record_tags.csv"
PEOPLE = "people.csv"
PEOPLE_COLUMNS = (
    "person_id",
    "household_id",
    "origin",
    "culture",
    "sex",
    "given_name",
    "middle_name",
    "family_name",
    "name_suffix",
    "name_original",
    "dob",
    "common_surname",
    "twin_of",
    "father_of",
    "shelter",
    "moved",
)


class TruthWriter:
    """Streams truth.csv and record_tags.csv as sources write their chunks."""

    def __init__(self, out: Path) -> None:
        self._truth_fh = (out / TRUTH).open("w", encoding="utf-8", newline="")
        self._tags_fh = (out / TAGS).open("w", encoding="utf-8", newline="")
        self._truth = csv.writer(self._truth_fh, lineterminator="\n")
        self._tags = csv.writer(self._tags_fh, lineterminator="\n")
        self._truth.writerow(("source", "source_key", "person_id"))
        self._tags.writerow(("source", "source_key", "tags"))

    def add(self, source: str, keyed: list[tuple[str, Draft]]) -> None:
        self._truth.writerows((source, key, d.person.pid) for key, d in keyed)
        self._tags.writerows((source, key, ";".join(d.tags)) for key, d in keyed)

    def __enter__(self) -> TruthWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._truth_fh.close()
        self._tags_fh.close()


def write_people(
    out: Path,
    pop: Population,
    chunk: int,
    progress: Callable[[str, int, int], None] | None = None,
) -> None:
    """people.csv in person order, resolved a chunk at a time."""
    with (out / PEOPLE).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(PEOPLE_COLUMNS)
        for start in range(0, pop.size, chunk):
            stop = min(start + chunk, pop.size)
            for p in people(pop, np.arange(start, stop)):
                twin = int(pop.twin_of[p.index])
                son = int(pop.father_of[p.index])
                writer.writerow(
                    (
                        p.pid,
                        household_id(p.household),
                        p.origin,
                        p.culture,
                        p.sex,
                        p.given.text,
                        p.middle.text if p.middle else "",
                        p.family_text,
                        p.suffix,
                        p.native_name or "",
                        p.dob.isoformat(),
                        any(e.text in COMMON_SURNAMES for e in p.family),
                        person_id(twin) if twin >= 0 else "",
                        person_id(son) if son >= 0 else "",
                        p.shelter,
                        len(p.addresses) > 1,
                    )
                )
            if progress is not None:
                progress("people.csv", stop, pop.size)
