"""Explanations: the waterfall must reproduce the scored weight, labels must name the level
Splink actually chose, and sentences must read right without leaking identifier numbers."""

from __future__ import annotations

import json
import math
import random
import re
from dataclasses import dataclass
from typing import Any

import pytest

from linkwise.resolve.comparisons import family_name, given_name, middle_name, place
from linkwise.resolve.explain import (
    _PHRASES,
    Contribution,
    level_of,
    sentence,
    waterfall,
    why_not,
)
from linkwise.resolve.linkage import Linkage, link
from linkwise.resolve.prepare import prepare


def _level(label: str, m: float | None = None, u: float | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"sql_condition": "…", "label_for_charts": label}
    if m is not None:
        out["m_probability"] = m
    if u is not None:
        out["u_probability"] = u
    return out


def _null(label: str = "missing") -> dict[str, Any]:
    return {"sql_condition": "…", "label_for_charts": label, "is_null_level": True}


MODEL: dict[str, Any] = {
    "probability_two_random_records_match": 0.001,
    "comparisons": [
        {
            "output_column_name": "given_name",
            "comparison_description": "CustomComparison",
            "comparison_levels": [
                _null("given is NULL"),
                _level("exact", 0.85, 0.02),
                _level("nickname or alias", 0.08, 0.004),
                _level("different", 0.07, 0.976),
            ],
        },
        {
            "output_column_name": "family_name",
            "comparison_description": "CustomComparison",
            "comparison_levels": [
                _null(),
                _level("exact", 0.9, 0.01),
                _level("different", 0.1, 0.99),
            ],
        },
        {
            "output_column_name": "dob",
            "comparison_description": "CustomComparison",
            "comparison_levels": [
                _null(),
                _level("exact", 0.9, 0.001),
                _level("day and month swapped", 0.02, 0.0001),
                _level("different", 0.08, 0.9989),
            ],
        },
        {
            "output_column_name": "phone",
            "comparison_description": "CustomComparison",
            "comparison_levels": [_null(), _level("exact", 0.6, 0.001), _level("different")],
        },
        {
            "output_column_name": "ssn",
            "comparison_description": "CustomComparison",
            "comparison_levels": [
                _null(),
                _level("exact", 0.9, 0.0001),
                _level("one character differs", 0.05, 0.001),
                _level("different", 0.05, 0.9989),
            ],
        },
    ],
}


def _pair(
    gammas: dict[str, int], tf: dict[str, float] | None = None, **extra: Any
) -> dict[str, Any]:
    """A scored pair as ``Linkage.pairs`` gives it, weights computed from ``MODEL``."""
    lam = MODEL["probability_two_random_records_match"]
    total = math.log2(lam / (1 - lam))
    pair: dict[str, Any] = {"unique_id_l": 1, "unique_id_r": 2, **extra}
    for comparison in MODEL["comparisons"]:
        name = comparison["output_column_name"]
        gamma = gammas.get(name, -1)
        level = level_of(comparison, gamma)
        mw = 0.0 if gamma == -1 else math.log2(level["m_probability"] / level["u_probability"])
        adj = (tf or {}).get(name, 0.0)
        pair |= {f"gamma_{name}": gamma, f"mw_{name}": mw, f"mw_tf_adj_{name}": adj}
        total += mw + adj
    pair["match_weight"] = total
    pair["match_probability"] = 1 / (1 + 2**-total)
    return pair


def _record(**values: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "given": "william",
        "family": "smith",
        "dob": "1961-03-14",
        "phone": "5551234567",
    }
    base |= {"ssn": "123456789", "dob_y": 1961, "dob_m": 3, "dob_d": 14}
    return base | values


# -- level numbering, without Splink ---------------------------------------------------------


def test_level_of_numbers_levels_as_splink_does() -> None:
    given = MODEL["comparisons"][0]
    assert level_of(given, -1)["label_for_charts"] == "given is NULL"
    assert level_of(given, 2)["label_for_charts"] == "exact"
    assert level_of(given, 1)["label_for_charts"] == "nickname or alias"
    assert level_of(given, 0)["label_for_charts"] == "different"


def test_level_of_a_null_level_listed_in_the_middle() -> None:
    comparison = {
        "output_column_name": "x",
        "comparison_levels": [_level("exact"), _null(), _level("close"), _level("different")],
    }
    assert level_of(comparison, 2)["label_for_charts"] == "exact"
    assert level_of(comparison, -1)["label_for_charts"] == "missing"
    assert level_of(comparison, 1)["label_for_charts"] == "close"
    assert level_of(comparison, 0)["label_for_charts"] == "different"


def test_level_of_an_unknown_gamma_names_the_comparison() -> None:
    with pytest.raises(ValueError, match=r"'given_name'.*value 7"):
        level_of(MODEL["comparisons"][0], 7)


# -- the waterfall on hand-written models ----------------------------------------------------


def test_waterfall_rows_and_total() -> None:
    pair = _pair(
        {"given_name": 1, "family_name": 1, "dob": 2, "phone": -1, "ssn": 2},
        tf={"family_name": -1.3},
    )
    rows = waterfall(MODEL, pair, _record(given="bill"), _record(phone=None))
    assert [r.kind for r in rows] == ["prior", *["comparison"] * 5, "total"]
    prior, given, family, dob, phone, ssn, total = rows
    assert prior.weight == pytest.approx(math.log2(0.001 / 0.999))
    assert prior.probability == 0.001
    assert (given.label, given.left, given.right) == ("nickname or alias", "bill", "william")
    assert (given.m_probability, given.u_probability) == (0.08, 0.004)
    assert given.description == "Given name"
    assert family.tf_adjustment == -1.3
    assert (dob.label, ssn.label, ssn.description) == ("exact", "exact", "SSN")
    assert phone.is_null
    assert (phone.gamma, phone.right) == (-1, None)
    assert total.weight == pytest.approx(pair["match_weight"], abs=1e-9)
    assert total.probability == pytest.approx(pair["match_probability"], rel=1e-9)
    json.dumps([r.to_dict() for r in rows])


def test_waterfall_without_tf_columns_or_records() -> None:
    pair = _pair({"given_name": 2, "family_name": 1, "dob": 2})
    for name in ("given_name", "family_name", "dob", "phone", "ssn"):
        del pair[f"mw_tf_adj_{name}"]
    rows = waterfall(MODEL, pair)
    assert all(r.tf_adjustment == 0.0 and r.left is None for r in rows)
    assert rows[-1].weight == pytest.approx(pair["match_weight"], abs=1e-9)


def test_waterfall_shows_partial_dates_and_places() -> None:
    model = {
        "probability_two_random_records_match": 0.01,
        "comparisons": [
            {"output_column_name": "dob", "comparison_levels": [_null(), _level("x", 1, 1)]},
            {"output_column_name": "place", "comparison_levels": [_null(), _level("x", 1, 1)]},
        ],
    }
    pair = {"gamma_dob": 0, "mw_dob": 0.0, "gamma_place": 0, "mw_place": 0.0}
    left = {"dob": None, "dob_y": 1980, "dob_m": 5, "dob_d": None, "postcode": "AB1 2CD"}
    right = {"dob": "1980-05-07", "postcode": "AB1 2CD", "city": "LEEDS"}
    _, dob, place, _ = waterfall(model, pair, left, right)
    assert (dob.left, dob.right) == ("1980-05", "1980-05-07")
    assert (place.left, place.right) == ("AB1 2CD", "AB1 2CD, LEEDS")


def test_the_place_comparison_reads_as_addresses_and_shows_them() -> None:
    levels = [_null(), _level("same address", 0.7, 0.001), _level("different", 0.1, 0.9)]
    model = {
        "probability_two_random_records_match": 0.01,
        "comparisons": [{"output_column_name": "place", "comparison_levels": levels}],
    }
    left = {"address": "6720 E WILSON CT", "postcode": "46201", "city": "INDIANAPOLIS"}
    right = {"address": "5446 LAFAYETTE RD", "postcode": "46201", "city": "INDIANAPOLIS"}
    for gamma, phrase in ((1, "Addresses agree"), (0, "Addresses differ")):
        pair = {"gamma_place": gamma, "mw_place": 1.0 if gamma else -3.0}
        rows = waterfall(model, pair, left, right if gamma == 0 else left)
        assert sentence(rows).startswith(phrase)
    assert rows[1].left == "6720 E WILSON CT, 46201, INDIANAPOLIS"


def test_waterfall_labels_an_unlabelled_level_by_its_gamma() -> None:
    model = {
        "probability_two_random_records_match": 0.5,
        "comparisons": [{"output_column_name": "x", "comparison_levels": [{}, {}]}],
    }
    rows = waterfall(model, {"gamma_x": 1, "mw_x": 2.0})
    assert rows[1].label == "1"
    assert rows[-1].weight == 2.0


# -- sentences on hand-written models --------------------------------------------------------


def test_sentence_groups_agreements_then_differences_then_missing() -> None:
    pair = _pair({"given_name": 1, "family_name": 1, "dob": 2, "phone": -1, "ssn": 1})
    text = sentence(waterfall(MODEL, pair, _record(given="bill"), _record(phone=None)))
    assert text.startswith("Dates of birth and family names agree; ")
    assert "given names agree as nickname or alias (bill / william)" in text
    assert "SSNs differ by one character" in text
    assert "not compared: phone number missing on one side" in text
    assert text.endswith("likely the same person.")
    assert not re.search(r"\d{5,}", text)


def test_sentence_never_quotes_identifiers_or_phones() -> None:
    pair = _pair({"given_name": 0, "family_name": 0, "dob": 1, "phone": 1, "ssn": 0})
    left = _record(given="anna", family="jones", dob="1961-14-03")
    rows = waterfall(MODEL, pair, left, _record(ssn="987654321"))
    text = sentence(rows)
    assert "given names differ (anna / william)" in text
    assert "dates of birth agree with day and month swapped (1961-14-03 / 1961-03-14)" in text
    assert "SSNs differ" in text
    for secret in ("123456789", "987654321", "5551234567"):
        assert secret not in text
    assert any(r.left == "123456789" for r in rows)  # the waterfall itself shows values


@pytest.mark.parametrize(
    ("adjustment", "note"),
    [
        (-1.2, "family name (smith) is common in the data, so its agreement counts for less"),
        (1.5, "family name (smith) is rare in the data, so it counts for more"),
        (-0.3, None),
        (0.3, None),
    ],
)
def test_sentence_term_frequency_notes(adjustment: float, note: str | None) -> None:
    pair = _pair({"given_name": 2, "family_name": 1, "dob": 2}, tf={"family_name": adjustment})
    text = sentence(waterfall(MODEL, pair, _record(), _record()))
    if note is None:
        assert "in the data" not in text
    else:
        assert note in text


def test_sentence_overall_probability() -> None:
    rows = [
        Contribution("prior", "prior", "", weight=0.0, probability=0.5),
        Contribution("comparison", "sex", "Sex", label="same", gamma=1, weight=math.log2(97 / 3)),
    ]
    assert sentence(rows) == "Recorded sexes agree. Overall: 97% likely the same person."
    unknown = Contribution("comparison", "hat", "hat", label="same brim", gamma=2, weight=-1.0)
    assert sentence([unknown]).startswith("Hats agree in part (same brim). Overall: 33%")


# -- why_not -----------------------------------------------------------------------------------


def test_why_not_without_a_link() -> None:
    text = why_not(MODEL, None)
    assert text.startswith(
        "No link was scored between this record and any member (blocking never compared them"
    )
    refused = why_not(MODEL, None, refusal="Records 4 and 9 hold different SSNs.")
    assert refused.endswith("The merge was refused: Records 4 and 9 hold different SSNs.")


def test_why_not_below_threshold_and_refused() -> None:
    weak = _pair({"given_name": 0, "family_name": 1, "dob": 0}, unique_id_l=3, unique_id_r=8)
    text = why_not(MODEL, weak, threshold=0.9)
    assert text.startswith(
        "Its best link into the entity (records 3 and 8) falls short of what a merge needs (90%). "
        "Family names agree; "
    )
    assert text.endswith("Overall: under 0.1% likely the same person.")
    strong = _pair({"given_name": 2, "family_name": 1, "dob": 2, "ssn": 0})
    text = why_not(MODEL, strong, threshold=0.9, refusal="Records 1 and 2 hold different SSNs.")
    assert "is strong enough to merge (90%)" in text
    assert text.endswith("The merge was refused: Records 1 and 2 hold different SSNs.")


# -- end to end on a real linkage --------------------------------------------------------------

GIVEN = ["mary", "james", "patricia", "robert", "linda", "michael", "barbara", "david", "susan"]
GIVEN += ["joseph", "karen", "thomas", "nancy", "daniel", "sandra", "mark", "donna", "paul"]
RARE_FAMILY = ["okafor", "lindqvist", "moreau", "tanaka", "haddad", "petrov", "novak", "bauer"]
RARE_FAMILY += ["kowalski", "oduya", "fitzgerald", "rossi", "murphy", "cohen", "silva", "kim"]
RARE_FAMILY += ["dubois", "jensen", "varga", "costa", "brennan", "ito", "mensah", "abadi"]


@dataclass
class World:
    linkage: Linkage
    rows: dict[int, dict[str, Any]]
    ssns: set[str]
    ids: dict[str, tuple[int, int]]

    def pair(self, a: int, b: int) -> dict[str, Any]:
        lo, hi = min(a, b), max(a, b)
        for p in self.linkage.pairs.to_pylist():
            if (p["unique_id_l"], p["unique_id_r"]) == (lo, hi):
                return dict(p)
        raise AssertionError(f"records {a} and {b} were not scored")

    def explain(self, a: int, b: int) -> list[Contribution]:
        p = self.pair(a, b)
        left, right = self.rows[p["unique_id_l"]], self.rows[p["unique_id_r"]]
        return waterfall(self.linkage.model, p, left, right)


def _person(rng: random.Random, family: str) -> dict[str, Any]:
    return {
        "given_name": rng.choice(GIVEN),
        "family_name": family,
        "dob": f"{rng.randint(1940, 2000)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "postcode": f"LS{rng.randint(1, 29)} {rng.randint(1, 9)}{rng.choice('ABDEFGH')}X",
        "phone": f"0113{rng.randint(1_000_000, 9_999_999)}",
        "identifiers": {"ssn": f"{rng.randint(100_000_000, 899_999_999)}"},
    }


def _variant(rng: random.Random, person: dict[str, Any]) -> dict[str, Any]:
    """Another record of the same person, with the gaps and slips sources have."""
    rec = dict(person)
    roll = rng.random()
    if roll < 0.2:
        rec["phone"] = None
    elif roll < 0.35:
        rec["identifiers"] = {}
    elif roll < 0.45:
        rec["postcode"] = f"LS{rng.randint(1, 29)} 1AA"
    elif roll < 0.5:
        rec["family_name"] = rec["family_name"][:-1] + "e"
    return rec


@pytest.fixture(scope="module")
def world() -> World:
    rng = random.Random(7)
    records: list[dict[str, Any]] = []

    def add(rec: dict[str, Any]) -> int:
        records.append({**rec, "record_id": len(records) + 1, "source": f"s{len(records) % 3}"})
        return len(records)

    people = [_person(rng, "smith" if i % 3 == 0 else rng.choice(RARE_FAMILY)) for i in range(130)]
    for person in people:
        for _ in range(rng.choice([1, 2, 2, 3])):
            add(_variant(rng, person))
    bill = _person(rng, "thistlewood") | {"given_name": "william", "dob": "1961-03-14"}
    swapped = _person(rng, "smith") | {"dob": "1975-04-09"}
    plain = _person(rng, "smith") | {"given_name": "mary"}
    rare = _person(rng, "quennell") | {"given_name": "mary"}
    ids = {
        "nickname": (add(bill), add(bill | {"given_name": "bill"})),
        "swapped": (add(swapped), add(swapped | {"dob": "1975-09-04"})),
        "common": (add(plain), add(plain)),
        "rare": (add(rare), add(rare)),
    }
    prepared = prepare(records)
    rows = {int(r["unique_id"]): r for r in prepared.table.to_pylist()}
    ssns = {r["identifiers"]["ssn"] for r in records if r["identifiers"]}
    return World(link(prepared), rows, ssns, ids)


def test_waterfall_total_is_the_match_weight_of_every_pair(world: World) -> None:
    model = world.linkage.model
    pairs = world.linkage.pairs.to_pylist()
    assert len(pairs) > 100
    for p in pairs:
        rows = waterfall(model, p, world.rows[p["unique_id_l"]], world.rows[p["unique_id_r"]])
        assert rows[-1].weight == pytest.approx(p["match_weight"], abs=1e-6)
        assert rows[-1].probability == pytest.approx(p["match_probability"], abs=1e-9)
        assert {r.name for r in rows[1:-1]} == set(world.linkage.comparisons)


def test_nickname_pair(world: World) -> None:
    a, b = world.ids["nickname"]
    rows = {r.name: r for r in world.explain(a, b)}
    assert rows["given_name"].label == "nickname or alias"
    assert rows["family_name"].label == "exact"
    text = sentence(rows.values())
    assert "given names agree as nickname or alias (william / bill)" in text.lower()
    assert not any(ssn in text for ssn in world.ssns)
    assert not re.search(r"\d{5,}", text)


def test_day_and_month_swapped(world: World) -> None:
    a, b = world.ids["swapped"]
    rows = {r.name: r for r in world.explain(a, b)}
    assert rows["dob"].label == "day and month swapped"
    assert (rows["dob"].left, rows["dob"].right) == ("1975-04-09", "1975-09-04")
    assert "day and month swapped (1975-04-09 / 1975-09-04)" in sentence(rows.values())


def test_no_sentence_prints_an_identifier(world: World) -> None:
    for p in world.linkage.pairs.to_pylist()[:200]:
        text = sentence(world.explain(p["unique_id_l"], p["unique_id_r"]))
        assert not re.search(r"\d{5,}", text), text


def test_common_surname_counts_for_less(world: World) -> None:
    common = sentence(world.explain(*world.ids["common"]))
    note = next(c for c in common.split("; ") if "common in the data" in c)
    assert "family name (smith)" in note
    rare_rows = world.explain(*world.ids["rare"])
    family = next(r for r in rare_rows if r.name == "family_name")
    assert family.tf_adjustment > 0.5
    rare = sentence(rare_rows)
    assert "family name (quennell) is rare in the data" in rare
    assert not any("family name" in c and "common" in c for c in rare.split("; "))


def test_why_not_on_a_real_pair(world: World) -> None:
    a, b = world.ids["nickname"]
    p = world.pair(a, b)
    left, right = world.rows[p["unique_id_l"]], world.rows[p["unique_id_r"]]
    text = why_not(world.linkage.model, p, left, right)
    assert text.startswith(f"Its best link into the entity is between records {a} and {b}. ")
    assert "nickname or alias" in text


def test_scoring_keeps_levels_and_weights_but_not_the_compared_values(world: World) -> None:
    from linkwise.resolve.linkage import _predict_narrow

    linker = world.linkage.linker
    narrow = _predict_narrow(linker, -50.0)
    columns = set(world.linkage.db.columns(narrow.physical_name))
    for name in world.linkage.comparisons:
        assert {f"gamma_{name}", f"mw_{name}"} <= columns
    assert not [
        c for c in columns if c.endswith(("_l", "_r")) and not c.startswith(("unique_id", "tf_"))
    ]
    # the model itself is untouched: a plain predict still carries the compared values
    plain = linker.inference.predict(threshold_match_weight=-50.0, warning_mode="never")
    assert "given_l" in world.linkage.db.columns(plain.physical_name)
    assert linker.misc.save_model_to_json()["retain_matching_columns"] is True


def test_contributions_are_stored_as_json_of_each_pairs_levels_and_weights(world: World) -> None:
    import json

    from linkwise.resolve.linkage import contributions_json

    pairs = world.linkage.pairs
    texts = contributions_json(pairs, world.linkage.comparisons).to_pylist()
    assert len(texts) == pairs.num_rows
    for row, text in zip(pairs.to_pylist(), texts, strict=True):
        parsed = json.loads(text)
        assert set(parsed) == set(world.linkage.comparisons)
        for name, (gamma, weight, tf) in parsed.items():
            assert gamma == row[f"gamma_{name}"]
            assert weight == pytest.approx(row[f"mw_{name}"], abs=1e-4)
            assert tf == pytest.approx(row.get(f"mw_tf_adj_{name}") or 0.0, abs=1e-4)


def test_every_level_of_the_name_comparisons_reads_as_a_phrase() -> None:
    # A label the sentence does not know falls back to "agree in part (<label>)"; the name
    # levels are the ones a reader meets most, so each must have its own wording.
    for comparison in (
        given_name(["ann", "anne"]),
        family_name(),
        middle_name(),
        place(has_address=True, has_postcode=True, has_city=True),
    ):
        for level in comparison.get_comparison("duckdb").comparison_levels:
            if not level.is_null_level:
                assert level.label_for_charts.lower() in _PHRASES, level.label_for_charts
