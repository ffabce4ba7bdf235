from __future__ import annotations

import random
from typing import Any

import pytest

from linkwise.resolve import name_order
from linkwise.resolve.name_order import MIN_RECORDS, MODEL_KEY, NameOrder, splink_settings
from linkwise.resolve.pipeline import Resolution, resolve
from linkwise.resolve.prepare import prepare
from linkwise.resolve.realtime import Matcher


def records(names: list[tuple[str, str]]) -> list[dict[str, Any]]:
    return [
        {"record_id": i, "source": "s", "given_name": g, "family_name": f}
        for i, (g, f) in enumerate(names)
    ]


def world() -> list[tuple[str, str]]:
    """Enough records for the usual field of each name to be known: "nguyen" and "tran"
    are family names, "lan" and "son" given names, "james" is both."""
    names = [("lan", "nguyen")] * MIN_RECORDS + [("son", "tran")] * MIN_RECORDS
    names += [("james", "smith")] * MIN_RECORDS + [("mary", "james")] * MIN_RECORDS
    names += [("mary", "smith")] * MIN_RECORDS
    return names


def test_names_are_learned_from_the_field_they_are_usually_recorded_in() -> None:
    order = name_order.learn(prepare(records([*world(), ("nguyen", "son")])).table)
    assert {"nguyen", "tran", "smith"} <= order.family_names
    assert {"lan", "son", "mary"} <= order.given_names
    # recorded as often in either field: neither list
    assert "james" not in order.family_names | order.given_names


def test_a_name_needs_enough_records_and_a_clear_majority() -> None:
    few = [("lan", "nguyen")] * (MIN_RECORDS - 1)
    assert name_order.learn(prepare(records(few)).table).family_names == frozenset()
    mixed = [("lan", "nguyen")] * 40 + [("nguyen", "lan")] * 10  # 4 to 1: not 5 to 1
    order = name_order.learn(prepare(records(mixed)).table)
    assert "nguyen" not in order.family_names


def test_a_swapped_record_is_read_the_other_way_round_with_its_keys() -> None:
    order = name_order.learn(prepare(records(world())).table)
    swapped = prepare(records([("nguyen", "lan"), ("james", "lan"), ("lan", "nguyen")]))
    table = name_order.apply(swapped.table, order)
    rows = table.to_pylist()
    assert (rows[0]["given"], rows[0]["family"]) == ("lan", "nguyen")
    # each derived key is what the record in its usual order gives
    usual = prepare(records([("lan", "nguyen")])).table.to_pylist()[0]
    for column in ("given_key", "given_nicks", "family_key", "family_tokens"):
        assert rows[0][column] == usual[column], column
    # "james" is no known family name, so "james lan" stays as recorded
    assert (rows[1]["given"], rows[1]["family"]) == ("james", "lan")
    assert (rows[2]["given"], rows[2]["family"]) == ("lan", "nguyen")
    assert table.schema == swapped.table.schema


def test_one_anchor_and_a_name_leaning_the_other_way_turn_a_record_round() -> None:
    # "hoa" and "binh" are given names too rare to be anchors (four records each), but they
    # lean to the given field; "nguyen" is an anchor family name
    names = [*world(), *[("hoa", "nguyen")] * 4, *[("binh", "tran")] * 4]
    order = name_order.learn(prepare(records(names)).table)
    assert {"hoa", "binh"} <= order.given_leaning
    assert not {"hoa", "binh"} & order.given_names
    assert order.swapped("nguyen", "hoa")
    # the other way round: an anchor given name with a name that only leans family
    order = name_order.learn(prepare(records([*world(), *[("lan", "dinh")] * 4])).table)
    assert "dinh" in order.family_leaning
    assert order.swapped("dinh", "lan")
    # two names that only lean are not enough, nor a name that leans nowhere
    assert not order.swapped("dinh", "hoa")
    assert not order.swapped("james", "lan")
    assert not order.swapped("nguyen", "james")


def test_a_second_count_makes_anchors_of_names_their_own_swaps_had_hidden(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # "nguyen" is written first in 10 of its 50 records (4 to 1: no anchor at first), always
    # before the anchor given name "son" (60 to 10), so the first lists turn those records
    # round
    names = [*[("son", "tran")] * 60, *[("lan", "nguyen")] * 40, *[("nguyen", "son")] * 10]
    names += [("hoa", "pham")] * 4
    twice = name_order.learn(prepare(records(names)).table)
    assert "nguyen" in twice.family_names
    assert twice.swapped("nguyen", "hoa")  # only an anchor "nguyen" turns this one round
    monkeypatch.setattr(name_order, "ROUNDS", 1)
    once = name_order.learn(prepare(records(names)).table)
    assert "nguyen" in once.family_leaning
    assert not once.swapped("nguyen", "hoa")


def test_apply_turns_exactly_the_records_swapped_names() -> None:
    order = NameOrder(
        frozenset({"nguyen"}), frozenset({"lan"}), frozenset({"dinh"}), frozenset({"hoa"})
    )
    values = ["nguyen", "lan", "dinh", "hoa", "james", None]
    pairs = [(g, f) for g in values for f in values]
    rows = name_order.apply(prepare(records(pairs)).table, order).to_pylist()
    for (given, family), row in zip(pairs, rows, strict=True):
        expected = (family, given) if order.swapped(given, family) else (given, family)
        assert (row["given"], row["family"]) == expected, (given, family)
    # anchor and anchor, and an anchor with a leaning name either way round
    assert sum(order.swapped(g, f) for g, f in pairs) == 3


def test_a_model_saved_before_the_leaning_lists_reads_records_as_it_did() -> None:
    saved = {MODEL_KEY: {"family_names": ["nguyen"], "given_names": ["lan"]}}
    order = NameOrder.from_model(saved)
    assert order is not None
    assert order.swapped("nguyen", "lan")
    assert not order.swapped("nguyen", "hoa")
    assert not order.swapped("dinh", "lan")


def test_prepare_applies_a_saved_order_and_nothing_without_one() -> None:
    order = NameOrder(frozenset({"nguyen"}), frozenset({"lan"}))
    row = prepare(records([("nguyen", "lan")]), name_order=order).table.to_pylist()[0]
    assert (row["given"], row["family"]) == ("lan", "nguyen")
    row = prepare(records([("nguyen", "lan")])).table.to_pylist()[0]
    assert (row["given"], row["family"]) == ("nguyen", "lan")


@pytest.mark.parametrize(("given", "family"), [(None, "lan"), ("nguyen", None), (None, None)])
def test_a_missing_name_is_never_swapped(given: str | None, family: str | None) -> None:
    assert not NameOrder(frozenset({"nguyen"}), frozenset({"lan"})).swapped(given, family)


def test_the_order_is_saved_with_the_model_and_kept_from_splink() -> None:
    order = NameOrder(
        frozenset({"nguyen", "tran"}), frozenset({"lan"}), frozenset({"dinh"}), frozenset({"hoa"})
    )
    model = {"link_type": "dedupe_only", MODEL_KEY: order.to_json()}
    assert NameOrder.from_model(model) == order
    assert splink_settings(model) == {"link_type": "dedupe_only"}
    assert NameOrder.from_model({"link_type": "dedupe_only"}) is None


# -- through resolution and real-time matching ---------------------------------------------

FAMILIES = ["nguyen", "tran", "pham", "hoang", "vu"]
GIVENS = ["lan", "son", "mai", "hoa", "tuan", "linh", "minh", "thao"]
STREETS = ["OAK ST", "ELM AVE", "PINE RD"]


@pytest.fixture(scope="module")
def swapped_world() -> tuple[Resolution, dict[str, list[int]]]:
    """240 people with two or three records each, names from a few family and given names
    (so both lists are learned); each person's last record of 30 people is written family
    name first."""
    rng = random.Random(3)
    records: list[dict[str, Any]] = []
    people: dict[str, list[int]] = {}
    for p in range(240):
        given, family = GIVENS[p % len(GIVENS)], FAMILIES[(p // len(GIVENS)) % len(FAMILIES)]
        person = {
            "dob": f"{rng.randint(1940, 2000)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "address_line": f"{rng.randint(1, 9999)} {rng.choice(STREETS)}",
        }
        ids = []
        count = rng.randint(2, 3)
        for k in range(count):
            swap = p < 30 and k == count - 1
            names = (family, given) if swap else (given, family)
            records.append(
                {
                    "record_id": len(records) + 1,
                    "source": f"s{k}",
                    "given_name": names[0],
                    "family_name": names[1],
                    **person,
                }
            )
            ids.append(len(records))
        people[f"p{p}"] = ids
    return resolve(records), people


def test_resolution_learns_the_order_saves_it_and_reads_swapped_records_back(
    swapped_world: tuple[Resolution, dict[str, list[int]]],
) -> None:
    resolution, people = swapped_world
    order = NameOrder.from_model(resolution.linkage.model)
    assert order is not None
    assert set(FAMILIES) <= order.family_names
    assert set(GIVENS) <= order.given_names
    rows = {r["unique_id"]: r for r in resolution.table.to_pylist()}  # type: ignore[union-attr]
    swapped = people["p0"][-1]
    assert (rows[swapped]["given"], rows[swapped]["family"]) == ("lan", "nguyen")
    # a guard, not the proof (the model's swap level alone joins these too): reading the
    # swapped records round must not cost any of them its person
    cluster_of = {r: i for i, c in enumerate(resolution.clustering.clusters) for r in c}
    for p in range(30):
        ids = people[f"p{p}"]
        assert len({cluster_of[i] for i in ids}) == 1, p


def test_real_time_matching_reads_a_probe_in_the_saved_order(
    swapped_world: tuple[Resolution, dict[str, list[int]]],
) -> None:
    resolution, _ = swapped_world
    table = resolution.table
    assert table is not None
    entity = [str(i) for i in table.column("unique_id").to_pylist()]
    matcher = Matcher(table, entity, resolution.linkage.model)
    probe = matcher.prepare_record({"given_name": "nguyen", "family_name": "lan"})
    assert (probe["given"], probe["family"]) == ("lan", "nguyen")
