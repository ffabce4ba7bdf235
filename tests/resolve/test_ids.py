from __future__ import annotations

import itertools
import random
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkwise.resolve.ids import (
    IdAssignment,
    Redirect,
    assign_stable_ids,
    index_redirects,
    resolve_redirect,
)


def counter(prefix: str = "N") -> Callable[[], str]:
    numbers = itertools.count(1)
    return lambda: f"{prefix}{next(numbers)}"


def assign(
    previous: dict[str, set[int]], clusters: list[set[int]], **kwargs: float
) -> IdAssignment:
    return assign_stable_ids(
        {k: frozenset(v) for k, v in previous.items()},
        [frozenset(c) for c in clusters],
        new_id=counter(),
        **kwargs,
    )


def test_unchanged_membership_keeps_every_id() -> None:
    result = assign({"E1": {1, 2}, "E2": {3}}, [{3}, {1, 2}])
    assert result.ids == ["E2", "E1"]
    assert (result.kept, result.created, result.retired) == (2, 0, 0)
    assert result.redirects == []


def test_new_records_do_not_cost_an_entity_its_id() -> None:
    result = assign({"E1": {1}}, [{1, 10, 11, 12}, {13}])
    assert result.ids == ["E1", "N1"]
    assert (result.kept, result.created) == (1, 1)


def test_deleted_records_do_not_count_and_all_deleted_retires() -> None:
    result = assign({"E1": {1, 2, 3}, "E2": {4, 5}}, [{1}])
    assert result.ids == ["E1"]
    assert result.redirects == [Redirect("E2", None, "retired", 0, continues=False)]
    assert result.retired == 1


def test_merge_of_two_keeps_the_larger_and_redirects_the_other() -> None:
    result = assign({"E1": {1, 2, 3}, "E2": {4, 5}}, [{1, 2, 3, 4, 5}])
    assert result.ids == ["E1"]
    assert result.redirects == [Redirect("E2", "E1", "merge", 2, continues=False)]


def test_even_merge_goes_to_the_smaller_id() -> None:
    result = assign({"E2": {1, 2}, "E1": {3, 4}}, [{1, 2, 3, 4}])
    assert result.ids == ["E1"]
    assert result.redirects == [Redirect("E2", "E1", "merge", 2, continues=False)]


def test_merge_of_three_equals_is_a_new_entity() -> None:
    result = assign({"E1": {1, 2}, "E2": {3, 4}, "E3": {5, 6}}, [{1, 2, 3, 4, 5, 6}])
    assert result.ids == ["N1"]
    assert [(r.old_id, r.new_id, r.kind) for r in result.redirects] == [
        ("E1", "N1", "merge"),
        ("E2", "N1", "merge"),
        ("E3", "N1", "merge"),
    ]
    assert (result.kept, result.created) == (0, 1)


def test_split_keeps_the_id_for_the_largest_part_and_redirects_each_other_part() -> None:
    result = assign({"E1": {1, 2, 3, 4, 5, 6}}, [{5}, {1, 2, 3, 4}, {6}])
    assert result.ids == ["N1", "E1", "N2"]
    assert result.redirects == [
        Redirect("E1", "N1", "split", 1, continues=True),
        Redirect("E1", "N2", "split", 1, continues=True),
    ]


def test_even_split_goes_to_the_earlier_cluster() -> None:
    result = assign({"E1": {1, 2}}, [{2}, {1}])
    assert result.ids == ["E1", "N1"]
    assert result.redirects == [Redirect("E1", "N1", "split", 1, continues=True)]


def test_split_with_no_majority_part_ends_the_old_id() -> None:
    result = assign({"E1": {1, 2, 3}}, [{1}, {2}, {3}])
    assert result.ids == ["N1", "N2", "N3"]
    assert all(r.kind == "split" and not r.continues for r in result.redirects)
    assert [r.new_id for r in result.redirects] == ["N1", "N2", "N3"]


def test_part_of_an_entity_merging_into_another() -> None:
    # E1 splits: most of it stays, one record joins E2's cluster (which E2 keeps).
    result = assign({"E1": {1, 2, 3}, "E2": {4, 5}}, [{1, 2}, {3, 4, 5}])
    assert result.ids == ["E1", "E2"]
    assert result.redirects == [Redirect("E1", "E2", "split", 1, continues=True)]


def test_each_old_id_is_used_at_most_once() -> None:
    result = assign({"E1": {1, 2, 3, 4}}, [{1, 2}, {3, 4}])
    assert sorted(result.ids) == ["E1", "N1"]


def test_keep_threshold_controls_how_much_change_keeps_an_id() -> None:
    previous = {"E1": {1, 2, 3, 4}}
    clusters = [{1}, {2}, {3}, {4}]
    assert assign(previous, clusters).ids == ["N1", "N2", "N3", "N4"]
    assert assign(previous, clusters, keep_threshold=0.25).ids == ["E1", "N1", "N2", "N3"]


def test_deterministic_regardless_of_previous_order() -> None:
    previous = {f"E{i}": {2 * i, 2 * i + 1} for i in range(20)}
    clusters = [{0, 1, 2}, {3, 4, 5, 6}, *({r} for r in range(7, 40))]
    first = assign(previous, clusters)
    shuffled = list(previous.items())
    random.Random(1).shuffle(shuffled)
    second = assign(dict(shuffled), clusters)
    assert first == second


@pytest.mark.parametrize(
    ("previous", "clusters", "message"),
    [
        ({}, [{1}, {1, 2}], "record 1 is in two clusters"),
        ({"E1": {1}, "E2": {1}}, [{1}], "record 1 is in two previous entities"),
    ],
)
def test_inconsistent_input_is_an_error(
    previous: dict[str, set[int]], clusters: list[set[int]], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        assign(previous, clusters)


def test_new_id_must_be_fresh() -> None:
    with pytest.raises(ValueError, match="already in use"):
        assign_stable_ids({"E1": frozenset({1})}, [frozenset({2})], new_id=lambda: "E1")


def test_keep_threshold_is_validated() -> None:
    with pytest.raises(ValueError, match="keep_threshold"):
        assign({}, [], keep_threshold=0.0)


# -- following redirects -----------------------------------------------------------------


def test_follow_a_merge_of_a_merge() -> None:
    by_old = index_redirects(
        [Redirect("A", "B", "merge", 2, False)], [Redirect("B", "C", "merge", 5, False)]
    )
    assert resolve_redirect("A", by_old) == ["C"]
    assert resolve_redirect("C", by_old) == ["C"]


def test_follow_a_split_that_kept_the_id() -> None:
    by_old = index_redirects(
        [Redirect("A", "P", "split", 1, True)], [Redirect("P", "Q", "merge", 1, False)]
    )
    assert resolve_redirect("A", by_old) == ["A", "Q"]


def test_follow_a_split_that_ended_the_id() -> None:
    by_old = index_redirects(
        [Redirect("A", "P", "split", 1, False), Redirect("A", "Q", "split", 2, False)]
    )
    assert resolve_redirect("A", by_old) == ["P", "Q"]


def test_kept_id_later_merged_is_no_longer_current() -> None:
    by_old = index_redirects(
        [Redirect("A", "P", "split", 1, True)], [Redirect("A", "B", "merge", 3, False)]
    )
    assert resolve_redirect("A", by_old) == ["P", "B"]


def test_retired_and_unknown_ids() -> None:
    by_old = index_redirects([Redirect("A", None, "retired", 0)])
    assert resolve_redirect("A", by_old) == []
    assert resolve_redirect("Z", by_old) == ["Z"]


def test_cycles_terminate() -> None:
    by_old = index_redirects(
        [Redirect("A", "B", "merge", 1, False)], [Redirect("B", "A", "merge", 1, False)]
    )
    assert resolve_redirect("A", by_old) == []


def test_ids_from_earlier_runs_resolve_to_current_ids() -> None:
    run1 = assign_stable_ids({}, [frozenset({1, 2, 3}), frozenset({4, 5})], new_id=counter("R1-"))
    previous1 = dict(zip(run1.ids, [frozenset({1, 2, 3}), frozenset({4, 5})], strict=True))
    clusters2 = [frozenset({1, 2, 3, 4, 5})]
    run2 = assign_stable_ids(previous1, clusters2, new_id=counter("R2-"))
    previous2 = dict(zip(run2.ids, clusters2, strict=True))
    clusters3 = [frozenset({1, 2, 4}), frozenset({3, 5})]
    run3 = assign_stable_ids(previous2, clusters3, new_id=counter("R3-"))
    by_old = index_redirects(run1.redirects, run2.redirects, run3.redirects)
    assert run2.ids == ["R1-1"]
    assert run3.ids == ["R1-1", "R3-1"]
    assert resolve_redirect("R1-2", by_old) == ["R1-1", "R3-1"]
    assert resolve_redirect("R1-1", by_old) == ["R1-1", "R3-1"]


# -- properties --------------------------------------------------------------------------


def partitions(records: list[int], labels: list[int]) -> list[frozenset[int]]:
    parts: dict[int, set[int]] = {}
    for record, label in zip(records, labels, strict=True):
        parts.setdefault(label, set()).add(record)
    return [frozenset(p) for _, p in sorted(parts.items())]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 5), max_size=15),
    st.lists(st.integers(-1, 5), max_size=15),
)
def test_assignment_invariants(old_labels: list[int], new_labels: list[int]) -> None:
    old_parts = partitions(list(range(len(old_labels))), old_labels)
    previous = {f"E{i}": part for i, part in enumerate(old_parts)}
    # Label -1 deletes the record; records beyond the old ones are new.
    kept_records = [r for r, label in enumerate(new_labels) if label >= 0]
    clusters = partitions(kept_records, [new_labels[r] for r in kept_records])
    result = assign_stable_ids(previous, clusters, new_id=counter())
    assert len(result.ids) == len(set(result.ids)) == len(clusters)
    assert result.kept + result.created == len(clusters)
    current = set(result.ids)
    by_old = index_redirects(result.redirects)
    for old, records in previous.items():
        targets = resolve_redirect(old, by_old)
        assert set(targets) <= current
        surviving = records & set(kept_records)
        # Every surviving record of an old entity is reachable from its old id.
        reachable = set().union(*(clusters[result.ids.index(t)] for t in targets))
        assert surviving <= reachable
        # ... and, within one run, every id it leads to holds some of them
        assert all(clusters[result.ids.index(t)] & surviving for t in targets)
        if not surviving:
            assert targets == []
    again = assign_stable_ids(previous, clusters, new_id=counter())
    assert again == result


def test_current_ids_decide_what_is_live() -> None:
    # the entity table, when given, says which ids are current
    by_old = index_redirects(
        [Redirect("A", "B", "merge", 1, False)], [Redirect("B", "P", "split", 1, False)]
    )
    assert resolve_redirect("A", by_old) == ["P"]
    assert resolve_redirect("A", by_old, current={"B", "P"}) == ["B", "P"]
    assert resolve_redirect("Z", by_old, current={"B", "P"}) == []


def test_a_merge_is_not_followed_into_a_split_of_the_same_run() -> None:
    # B merges into A while A splits a4 off: B's record is in A only
    previous = {"A": frozenset({"a1", "a2", "a3", "a4"}), "B": frozenset({"b"})}
    clusters = [frozenset({"a1", "a2", "a3", "b"}), frozenset({"a4"})]
    result = assign_stable_ids(previous, clusters, new_id=counter())
    assert result.ids == ["A", "N1"]
    by_old = index_redirects(result.redirects)
    assert resolve_redirect("B", by_old) == ["A"]
    assert resolve_redirect("A", by_old) == ["A", "N1"]
    # a split of A in a later run does reach B's records' possible new home
    later = index_redirects(result.redirects, [Redirect("A", "N2", "split", 1, True)])
    assert resolve_redirect("B", later) == ["A", "N2"]
