"""Properties against a brute-force count of pairs on small random clusterings."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkwise.evaluate import Assignment, Truth, evaluate
from tests.evaluate.helpers import assignment_rows, truth_rows

labels = st.lists(st.integers(0, 6), min_size=1, max_size=30)
two_clusterings = labels.flatmap(
    lambda t: st.tuples(st.just(t), st.lists(st.integers(0, 6), min_size=len(t), max_size=len(t)))
)


@given(two_clusterings)
@settings(max_examples=200)
def test_matches_brute_force(clusterings: tuple[list[int], list[int]]) -> None:
    true, pred = clusterings
    report = evaluate(assignment_rows(pred), truth_rows(true))
    n = len(true)
    pairs = list(itertools.combinations(range(n), 2))
    same_true = {p for p in pairs if true[p[0]] == true[p[1]]}
    same_pred = {p for p in pairs if pred[p[0]] == pred[p[1]]}
    pw = report.pairwise
    assert (pw.true_pairs, pw.predicted_pairs) == (len(same_true), len(same_pred))
    assert pw.correct_pairs == len(same_true & same_pred)

    def cluster(lab: list[int], i: int) -> set[int]:
        return {j for j in range(n) if lab[j] == lab[i]}

    precision = sum(
        len(cluster(pred, i) & cluster(true, i)) / len(cluster(pred, i)) for i in range(n)
    )
    recall = sum(len(cluster(pred, i) & cluster(true, i)) / len(cluster(true, i)) for i in range(n))
    assert report.bcubed.precision == pytest.approx(precision / n)
    assert report.bcubed.recall == pytest.approx(recall / n)

    false_merges = sum(any(true[j] != true[i] for j in cluster(pred, i)) for i in range(n))
    with_mate = [i for i in range(n) if len(cluster(true, i)) > 1]
    missed = sum(not cluster(true, i) <= cluster(pred, i) for i in with_mate)
    assert report.overall.false_merges == false_merges
    assert report.overall.n_with_coreferent == len(with_mate)
    assert report.overall.missed_links == missed


@given(labels)
def test_perfect_prediction_scores_one_everywhere(true: list[int]) -> None:
    report = evaluate(assignment_rows(true), truth_rows(true, g=[str(t % 2) for t in true]))
    has_pairs = report.pairwise.true_pairs > 0
    for value in (report.pairwise.precision, report.pairwise.recall, report.pairwise.f1):
        assert value == (1.0 if has_pairs else None)
    assert report.bcubed.precision == report.bcubed.recall == report.bcubed.f1 == 1.0
    for group in [report.overall, *report.groups[0].groups]:
        assert group.false_merge_rate == 0.0
        assert group.missed_link_rate in (0.0, None)


@given(two_clusterings, st.randoms(use_true_random=False))
def test_invariant_to_relabelling_and_order(
    clusterings: tuple[list[int], list[int]], rnd: random.Random
) -> None:
    true, pred = clusterings
    truth = truth_rows(true, g=[str(t % 3) for t in true])
    before = evaluate(assignment_rows(pred), truth, min_group_size=1).to_dict()

    renamed = _permuted_names(set(pred), "other", rnd)
    relabelled = [
        Assignment(a.key, renamed[p]) for a, p in zip(assignment_rows(pred), pred, strict=True)
    ]
    true_names = _permuted_names(set(true), "person", rnd)
    truth2 = [Truth(t.key, true_names[lab], t.groups) for t, lab in zip(truth, true, strict=True)]
    rnd.shuffle(relabelled)
    rnd.shuffle(truth2)
    after = evaluate(relabelled, truth2, min_group_size=1).to_dict()
    assert _rounded(after) == _rounded(before)


def _permuted_names(ids: set[int], prefix: str, rnd: random.Random) -> dict[int, str]:
    names = [f"{prefix}-{i}" for i in range(len(ids))]
    rnd.shuffle(names)
    return dict(zip(sorted(ids), names, strict=True))


def _rounded(value: object) -> object:
    if isinstance(value, float):
        return round(value, 12)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


@given(two_clusterings, st.randoms(use_true_random=False))
def test_the_chance_reference_does_not_depend_on_the_groups_names(
    clusterings: tuple[list[int], list[int]], rnd: random.Random
) -> None:
    true, pred = clusterings
    groups = [str(i % 3) for i in range(len(true))]  # a person's records in several groups
    names = ["a", "b", "c"]
    rnd.shuffle(names)
    renamed = [names[int(g)] for g in groups]
    before, after = (
        evaluate(assignment_rows(pred), truth_rows(true, g=g), min_group_size=1).groups[0]
        for g in (groups, renamed)
    )
    for b, a in zip(before.disparity, after.disparity, strict=True):
        assert (a.worst_to_best, a.chance_ratio, a.chance_share) == (
            b.worst_to_best,
            b.chance_ratio,
            b.chance_share,
        )
