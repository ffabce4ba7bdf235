"""Each difficulty occurs at its configured rate, and the tags tell the truth about rows."""

from __future__ import annotations

import math
from collections import defaultdict

import pytest

from linkwise.demo import WorldConfig

from .conftest import Source, World

UNIFORM = (
    "typo",
    "ocr",
    "translit",
    "partial_surname",
    "no_diacritics",
    "suffix_dropped",
    "dob_swap",
    "id_typo",
    "generic_ssn",
    "ragged_row",
)
"""Difficulties whose rate is the same wherever they apply, so realised/eligible ~ rate."""


def test_realised_counts_match_expected(world: World) -> None:
    difficulties = world.info()["difficulties"]
    rolled = {t: d for t, d in difficulties.items() if d["eligible"]}
    assert set(UNIFORM) | {"nickname", "swapped_order", "missing_dob", "partial_dob"} <= set(rolled)
    for tag, d in rolled.items():
        expected = d["expected"]
        slack = 4 * math.sqrt(expected) + 3
        assert abs(d["realised"] - expected) <= slack, (tag, d)


@pytest.mark.parametrize("tag", UNIFORM)
def test_uniform_rates_are_the_configured_rates(world: World, tag: str) -> None:
    rate = getattr(WorldConfig(), tag)
    d = world.info()["difficulties"][tag]
    observed = d["realised"] / d["eligible"]
    tolerance = 4 * math.sqrt(rate * (1 - rate) / d["eligible"]) + 0.005
    assert abs(observed - rate) <= tolerance, (tag, observed, rate, d["eligible"])


def tags_by_key(record_tags: list[dict[str, str]], source: str) -> dict[str, set[str]]:
    return {
        r["source_key"]: set(filter(None, r["tags"].split(";")))
        for r in record_tags
        if r["source"] == source
    }


def test_court_tags_agree_with_rows(
    sources: dict[str, Source], record_tags: list[dict[str, str]]
) -> None:
    court = sources["court_dispositions"]
    tags = tags_by_key(record_tags, "court_dispositions")
    for key, row in zip(court.keys, court.rows, strict=True):
        assert ("missing_dob" in tags[key]) == (row["DOB"] == ""), key
        if "generic_ssn" in tags[key]:
            assert row["SSN"] == "123456789"
    assert sum("ocr" in t for t in tags.values()) > 0


def test_benefits_partial_dates_have_no_day(
    sources: dict[str, Source], record_tags: list[dict[str, str]]
) -> None:
    benefits = sources["benefit_enrolments"]
    tags = tags_by_key(record_tags, "benefit_enrolments")
    for key, row in zip(benefits.keys, benefits.rows, strict=True):
        if "partial_dob" in tags[key]:
            assert row["birth_year"] is not None
            assert row["birth_day"] is None
        elif "missing_dob" in tags[key]:
            assert row["birth_year"] is None
        else:
            assert row["birth_day"] is not None


def test_civil_filings_use_nicknames_and_partial_dates(world: World) -> None:
    by_source = world.info()["difficulties_by_source"]["civil_case_parties"]
    records = world.summary.record_counts["civil_case_parties"]
    assert by_source["missing_dob"] > 0.3 * records
    assert by_source["partial_dob"] > 0.1 * records
    assert by_source["nickname"] > 0


def test_family_first_order_is_common_for_east_asian_names(
    world: World,
    truth: list[dict[str, str]],
    record_tags: list[dict[str, str]],
    people: dict[str, dict[str, str]],
) -> None:
    swapped: dict[str, list[bool]] = defaultdict(list)
    for t, r in zip(truth, record_tags, strict=True):
        culture = people[t["person_id"]]["culture"]
        swapped[culture].append("swapped_order" in r["tags"])
    rate = {c: sum(v) / len(v) for c, v in swapped.items() if len(v) > 100}
    assert rate["chinese"] > 3 * rate["anglo"]
