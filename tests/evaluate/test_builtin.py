"""Built-in groups worked out from record fields."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from linkwise.evaluate import EvaluationInputError, builtin_groups, evaluate
from linkwise.evaluate.builtin import surname_deciles
from tests.evaluate.helpers import assignment_rows, key, truth_rows


def _deciles(surnames: Sequence[str | None]) -> list[str]:
    return surname_deciles([{"family_name": s} for s in surnames])


def test_deciles_rank_by_frequency_rarest_first() -> None:
    # 10 records: "smith" x4 (ranks 7-10), "lee" x3 (4-6), "roe" x2 (2-3), "ng" x1 (1)
    surnames = ["Smith"] * 4 + ["Lee"] * 3 + ["Roe"] * 2 + ["Ng"]
    labels = _deciles(surnames)
    # mid rank / 10 records: ng 0.5 -> 1, roe 2.0 -> 3, lee 4.5 -> 5, smith 8.0 -> 9
    assert labels == ["9"] * 4 + ["5"] * 3 + ["3"] * 2 + ["1"]


def test_deciles_fold_names_and_keep_ties_together() -> None:
    labels = _deciles(["SMITH", "smith", "Smíth", "Ng", "Zu", None, ""])
    # smith x3 folded together (mid rank 2 + 3/2 of 5 -> 8); ng and zu, equally rare, share a
    # decile (mid rank 1 of 5 -> 3) whatever their order
    assert labels[:3] == ["8"] * 3
    assert labels[3] == labels[4] == "3"
    assert labels[5:] == ["(none)", "(none)"]
    assert _deciles(["Zu", "Ng"]) == _deciles(["Ng", "Zu"])


def test_one_surname_for_everyone() -> None:
    assert set(_deciles(["Kim"] * 20)) == {"6"}


def test_deciles_follow_the_rank_range_not_the_label() -> None:
    # A heavy tail: the commonest surname's records are the top 5% of ranks.
    labels = _deciles([f"rare{i}" for i in range(95)] + ["Garcia"] * 5)
    assert labels[-1] == "10"
    assert set(labels[:95]) == {"5"}  # 95 equally rare records share the middle rank
    # One surname on 90% of records spans ranks 10-100: its middle is decile 6.
    labels = _deciles([f"rare{i}" for i in range(10)] + ["Garcia"] * 90)
    assert (labels[0], labels[-1]) == ("1", "6")


def test_transliterated_missing_dob_swapped() -> None:
    keys = [key(i) for i in range(5)]
    fields: dict[tuple[str, str], dict[str, object]] = {
        keys[0]: {"family_name": "Ivanov", "name_original": "Иванов", "dob": "1980-01-02"},
        keys[1]: {"family_name": "Garcia", "name_original": "García", "dob": ""},
        keys[2]: {"family_name": "Wang", "name_original": "王", "name_order_swapped": True},
        keys[3]: {"family_name": "Li", "name_original": "123", "name_order_swapped": "no"},
    }
    groups = builtin_groups(keys, fields)
    assert groups["transliterated"] == ["yes", "no", "yes", "no", "(none)"]
    assert groups["missing_dob"] == ["no", "yes", "yes", "yes", "(none)"]
    assert groups["swapped_name_order"] == ["(none)", "(none)", "yes", "no", "(none)"]


def test_swapped_group_is_left_out_without_the_flag() -> None:
    groups = builtin_groups([key(0)], {key(0): {"family_name": "Smith"}})
    assert "swapped_name_order" not in groups
    assert set(groups) == {"surname_frequency_decile", "transliterated", "missing_dob"}


def test_bad_swap_flag() -> None:
    with pytest.raises(EvaluationInputError, match="name_order_swapped"):
        builtin_groups([key(0)], {key(0): {"name_order_swapped": "maybe"}})


def test_evaluate_uses_fields_of_evaluated_records_only() -> None:
    truth = truth_rows(["A", "A", "B"])
    fields = {key(i): {"family_name": "Smith", "dob": None} for i in range(3)}
    fields[key(9)] = {"family_name": "Jones"}  # not evaluated: must not change frequencies
    report = evaluate(assignment_rows([1, 1, 2])[:2], truth, fields=fields)
    columns = {g.column: g for g in report.groups}
    assert [(g.group, g.n) for g in columns["surname_frequency_decile"].groups] == [("6", 2)]
    assert [(g.group, g.n) for g in columns["missing_dob"].groups] == [("yes", 2)]


def test_truth_column_wins_over_a_builtin_of_the_same_name() -> None:
    truth = truth_rows(["A", "B"], missing_dob=["told", "told"])
    fields = {key(0): {"dob": None}, key(1): {"dob": None}}
    report = evaluate(assignment_rows([1, 2]), truth, fields=fields, by=["missing_dob"])
    assert [g.group for g in report.groups[0].groups] == ["told"]
