"""Training labels: a file naming records known to be one person (``resolve --labels``).

The file has the shape of a truth file (``file,record_id,true_id``, where ``file`` is the
source's name, or the demo world's ``source,source_key,person_id``; see docs/evaluate.md):
records with one true id are one person, so every pair of them is a labelled match. A
labelled sample is what Splink's ``estimate_m_from_pairwise_labels`` learns m from, beside
EM (``linkwise.resolve.linkage``).

Labels train the model and do nothing else. They are not judgements: nobody reviewed them
in a case, nothing audits them, and clustering does not hold to them. A pair that must stay
together or apart is a judgement (``linkwise judge``), which every run honours.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Container, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from linkwise.evaluate import EvaluationInputError, read_truth_csv
from linkwise.resolve.linkage import MIN_LABELS_FOR_TRAINING
from linkwise.workspace.evaluation import as_stored, true_pairs

MAX_RECORDS_PER_PERSON = 1000
"""More records than this under one true id is taken for a placeholder, not a person (its
pairs would grow as the square of its records)."""


class LabelsError(ValueError):
    """A labels file that cannot be trained on: the message says what and where."""


@dataclass(frozen=True)
class Labels:
    """The labelled pairs of one file, as record ids of the workspace (lower id first)."""

    path: Path
    pairs: list[tuple[int, int]]
    records: int
    sha256: str
    quarantined: int = 0
    """Labelled records left out because ingestion quarantined their rows."""

    def stats(self) -> dict[str, Any]:
        """What a run records of the labels it trained on."""
        return {
            "file": self.path.name,
            "sha256": self.sha256,
            "records": self.records,
            "pairs": len(self.pairs),
            "quarantined": self.quarantined,
        }


def read_labels(
    path: Path,
    record_of: Mapping[tuple[str, str], int],
    quarantined: Container[tuple[str, str]] = (),
) -> Labels:
    """The labelled pairs of ``path`` among the current records ``record_of`` names (by
    source name and key). Records whose rows ingestion ``quarantined`` (by source name and
    key) are left out and counted: a truth file written beside the sources names them too.
    Refused, with what and where: a file that is not a truth file, any other record that
    is not a current record of the workspace or is named twice, a true id
    naming more than ``MAX_RECORDS_PER_PERSON`` records, fewer than
    ``MIN_LABELS_FOR_TRAINING`` pairs (m from a handful of pairs is noise), or a file that
    changed while it was read (its SHA-256 is recorded with the run)."""
    digest = _sha256(path)
    try:
        given = read_truth_csv(path, group_columns=[])
        truth = as_stored(given, record_of, path)
    except EvaluationInputError as exc:
        raise LabelsError(f"labels file {exc}") from None
    held = [row.key in record_of or row.key not in quarantined for row in truth]
    left_out = held.count(False)
    given = [typed for typed, keep in zip(given, held, strict=True) if keep]
    truth = [row for row, keep in zip(truth, held, strict=True) if keep]
    unknown = [typed for typed, row in zip(given, truth, strict=True) if row.key not in record_of]
    if unknown:
        (source, key), true_id = unknown[0].key, unknown[0].true_id  # as the file has it
        raise LabelsError(
            f"labels file {path}: {len(unknown):,} of its {len(truth):,} records are not current "
            f"records of the workspace; the first is {source}:{key} (true id {true_id!r}). "
            "Name records by source name and key, as `linkwise record show` does"
        )
    people = Counter(row.true_id for row in truth)
    true_id, most = people.most_common(1)[0] if people else ("", 0)
    if most > MAX_RECORDS_PER_PERSON:
        raise LabelsError(
            f"labels file {path}: true id {true_id!r} names {most:,} records, more than "
            f"{MAX_RECORDS_PER_PERSON:,} for one person; a placeholder such as 'unknown' would "
            "label every pair of them one person"
        )
    pairs = true_pairs(truth, record_of)
    if len(pairs) < MIN_LABELS_FOR_TRAINING:
        raise LabelsError(
            f"labels file {path}: its {len(truth):,} records make {len(pairs):,} labelled pairs "
            f"(records sharing a true id); training from labels needs at least "
            f"{MIN_LABELS_FOR_TRAINING}"
        )
    if _sha256(path) != digest:
        raise LabelsError(f"labels file {path}: it changed while it was read; try again")
    return Labels(path, pairs, len(truth), digest, left_out)


def _sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise LabelsError(f"labels file {path}: cannot read it ({exc.strerror or exc})") from None
