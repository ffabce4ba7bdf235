"""Our numbers against the independent scorer in /work/shared/tools/er_score.py.

The scorer is run as a program (its CLI: ``TRUTH PRED --json OUT --min-group-size N``), never
imported, so the two implementations share nothing but the definitions.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from linkwise.evaluate import evaluate, read_assignments_csv, read_truth_csv

SCORER = Path("/work/shared/tools/er_score.py")
ORIGINS = ("MX", "US", "VN", "NG")

pytestmark = pytest.mark.skipif(not SCORER.is_file(), reason="independent scorer not present")


def _world(tmp_path: Path, seed: int = 7) -> tuple[Path, Path]:
    """~3,000 records of ~1,200 people, with splits and merges that vary by origin."""
    rng = np.random.default_rng(seed)
    truth_rows, pred_rows = [], []
    cluster_of: dict[int, int] = {}
    for person in range(1200):
        origin = ORIGINS[person % len(ORIGINS)]
        # merge with an earlier person of the same origin more often for "VN"; split "NG" more
        merge_p = 0.25 if origin == "VN" else 0.05
        split_p = 0.3 if origin == "NG" else 0.08
        same_origin_before = person - len(ORIGINS)
        merge = same_origin_before >= 0 and rng.random() < merge_p
        cluster = cluster_of[same_origin_before] if merge else person
        cluster_of[person] = cluster
        for r in range(int(rng.integers(1, 5))):
            file = "a.csv" if r % 2 == 0 else "b.csv"
            record_id = f"{person}-{r}"
            truth_rows.append((file, record_id, f"P{person}", origin))
            entity = f"S{person}-{r}" if rng.random() < split_p else f"E{cluster}"
            pred_rows.append((file, record_id, entity, f"{rng.random():.3f}"))
    truth, pred = tmp_path / "truth.csv", tmp_path / "pred.csv"
    with truth.open("w", newline="") as fh:
        csv.writer(fh).writerows([("file", "record_id", "true_id", "origin"), *truth_rows])
    with pred.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerows([("file", "record_id", "entity_id", "confidence"), *pred_rows])
    return truth, pred


def test_agrees_with_the_independent_scorer(tmp_path: Path) -> None:
    truth, pred = _world(tmp_path)
    out = tmp_path / "theirs.json"
    command = [sys.executable, str(SCORER), str(truth), str(pred), "--json", str(out)]
    command.extend(["--min-group-size", "100"])
    subprocess.run(command, check=True, capture_output=True)
    theirs = json.loads(out.read_text())
    ours = evaluate(read_assignments_csv(pred), read_truth_csv(truth), min_group_size=100)

    assert ours.counts.n_evaluated == theirs["n_records"] > 2500
    assert ours.counts.n_true_clusters == theirs["n_true_entities"]
    assert ours.counts.n_predicted_clusters == theirs["n_pred_clusters"]
    pw = ours.pairwise
    assert (pw.true_pairs, pw.predicted_pairs, pw.correct_pairs) == (
        theirs["true_pairs"],
        theirs["pred_pairs"],
        theirs["true_positive_pairs"],
    )
    for name in ("precision", "recall", "f1"):
        assert getattr(pw, name) == pytest.approx(theirs[f"pairwise_{name}"])
        assert getattr(ours.bcubed, name) == pytest.approx(theirs[f"bcubed_{name}"])
    assert ours.overall.false_merge_rate == pytest.approx(theirs["false_merge_rate"])
    assert ours.overall.missed_link_rate == pytest.approx(theirs["missed_link_rate"])
    assert 0.05 < ours.overall.false_merge_rate < 0.5  # the example exercises both errors
    assert 0.05 < (ours.overall.missed_link_rate or 0) < 0.5

    (origin,) = ours.groups
    their_groups = theirs["groups"]["origin"]["per_group"]
    assert {g.group for g in origin.groups} == set(their_groups) == set(ORIGINS)
    for g in origin.groups:
        t = their_groups[g.group]
        assert (g.n, g.n_with_coreferent) == (t["n"], t["n_with_mate"])
        assert g.false_merge_rate == pytest.approx(t["false_merge_rate"])
        assert g.missed_link_rate == pytest.approx(t["missed_link_rate"])
    for d in origin.disparity:
        t = theirs["groups"]["origin"]["worst_best"][d.rate]
        assert d.eligible_groups == t["eligible_groups"] == 4
        assert (d.worst_group, d.best_group) == (t["worst_group"], t["best_group"])
        assert d.worst_to_best == pytest.approx(t["ratio"])
    worst = max(origin.groups, key=lambda g: g.false_merge_rate)
    assert worst.group == "VN"
    assert max(origin.groups, key=lambda g: g.missed_link_rate or 0).group == "NG"
