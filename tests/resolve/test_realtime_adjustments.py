"""Real-time matching counts a link as clustering would: less for a missing date of birth and
for a full name that more people bear than its parts suggest, with the bits shown as
waterfall rows."""

from __future__ import annotations

import math
import random
from typing import Any

import pytest

from linkwise.resolve.explain import sentence
from linkwise.resolve.namesakes import name_bearer
from linkwise.resolve.pipeline import NO_DOB_PENALTY, Resolution, resolve
from linkwise.resolve.realtime import Matcher
from linkwise.workspace import explaining

GIVEN = ["james", "robert", "linda", "susan", "karen", "paul", "mark", "anna", "ruth", "owen"]
FAMILY = ["walker", "baker", "turner", "hughes", "price", "bennett", "ward", "fox", "lamb"]


@pytest.fixture(scope="module")
def world() -> Resolution:
    """240 people with independent given and family names, two records each, and six
    different people all named "maria garcia" (a name nobody else's parts share), born in
    six different years."""
    rng = random.Random(5)
    records: list[dict[str, Any]] = []

    def person(given: str, family: str, year: int) -> None:
        dob = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        address = f"{rng.randint(1, 9999)} {rng.choice(['OAK ST', 'ELM AVE', 'PINE RD'])}"
        for k in range(2):
            records.append(
                {
                    "record_id": len(records) + 1,
                    "source": f"s{k}",
                    "given_name": given,
                    "family_name": family,
                    "dob": dob,
                    "address_line": address,
                }
            )

    for _ in range(240):
        person(rng.choice(GIVEN), rng.choice(FAMILY), rng.randint(1940, 2000))
    for year in (1950, 1958, 1966, 1974, 1982, 1990):
        person("maria", "garcia", year)
    return resolve(records)


@pytest.fixture(scope="module")
def matcher(world: Resolution) -> Matcher:
    table = world.table
    assert table is not None
    ids = table.column("unique_id").to_pylist()
    return Matcher(table, [str(i) for i in ids], world.linkage.model)


def test_a_common_full_name_without_a_date_is_weighed_down(matcher: Matcher) -> None:
    (best, *_) = matcher.match({"given_name": "maria", "family_name": "garcia"}, threshold=0.0)
    kinds = [(r.kind, r.name) for r in best.waterfall]
    assert ("adjustment", "no_dob") in kinds
    assert ("adjustment", "namesake") in kinds
    bits = -math.fsum(r.weight for r in best.waterfall if r.kind == "adjustment")
    assert bits > NO_DOB_PENALTY  # the namesake penalty on top
    total = best.waterfall[-1]
    assert total.kind == "total"
    assert total.weight == pytest.approx(best.match_weight)
    assert total.probability == pytest.approx(best.probability)
    # the model's own figure is kept on the pair, higher by exactly the bits taken off
    probe = matcher.prepare_record({"given_name": "maria", "family_name": "garcia"})
    pair = next(p for p in matcher.score(probe) if p["unique_id_r"] == best.records[0].record_id)
    assert pair["model_match_weight"] - pair["match_weight"] == pytest.approx(bits)
    assert pair["model_match_probability"] > pair["match_probability"]
    text = sentence(best.waterfall)
    assert "weighed down for no date of birth to compare (3.0 bits)" in text
    assert "a full name more people in the data bear than its parts suggest" in text


def test_a_date_of_birth_and_a_name_nobody_shares_take_nothing_off(
    matcher: Matcher, world: Resolution
) -> None:
    table = world.table
    assert table is not None
    row = next(r for r in table.to_pylist() if r["given"] != "maria")
    fields = {"given_name": row["given"], "family_name": row["family"], "dob": row["dob"]}
    (best, *_) = matcher.match(fields, threshold=0.0)
    assert [r for r in best.waterfall if r.kind == "adjustment"] == []
    probe = matcher.prepare_record(fields)
    for pair in matcher.score(probe):
        assert pair["match_weight"] == pair["model_match_weight"]


def test_the_threshold_applies_to_the_adjusted_probability(matcher: Matcher) -> None:
    probe = matcher.prepare_record({"given_name": "maria", "family_name": "garcia"})
    pairs = matcher.score(probe)
    assert pairs
    cut = max(p["match_probability"] for p in pairs)
    above_model_only = [p for p in pairs if p["model_match_probability"] > cut]
    kept = matcher.score(probe, threshold=math.nextafter(cut, 1.0))
    assert above_model_only  # the model alone would have kept these
    assert kept == []


@pytest.mark.parametrize(
    ("withheld", "kept"),
    [
        (set(), {"no_dob", "namesake"}),
        ({"given_name"}, {"no_dob"}),  # a shared full name would say the names agree
        ({"family_name"}, {"no_dob"}),
        ({"dob"}, {"namesake"}),  # "no date to compare" would give the date's level away
    ],
)
def test_a_governed_reader_sees_no_adjustment_that_gives_a_withheld_level_away(
    matcher: Matcher,
    monkeypatch: pytest.MonkeyPatch,
    withheld: set[str],
    kept: set[str],
) -> None:
    (best, *_) = matcher.match({"given_name": "maria", "family_name": "garcia"}, threshold=0.0)

    def level(_read: Any, name: str, _refs: Any, gamma: Any) -> Any:
        return {"redacted": True, "rule": "test"} if name in withheld else gamma

    monkeypatch.setattr(explaining, "level_or_marker", level)
    monkeypatch.setattr(explaining, "_side", lambda _read, _ref, _name, value: value)
    rows, text = explaining.governed_rows(None, best.waterfall, None, None)  # type: ignore[arg-type]
    assert {r["name"] for r in rows if r["kind"] == "adjustment"} == kept
    assert ("full name" in text) == ("namesake" in kept)
    assert ("no date of birth to compare" in text) == ("no_dob" in kept)


def test_a_common_full_name_typed_with_one_slip_is_weighed_down_as_clustering_does(
    matcher: Matcher,
) -> None:
    exact, *_ = matcher.match({"given_name": "maria", "family_name": "garcia"}, threshold=0.0)
    slip, *_ = matcher.match({"given_name": "mraia", "family_name": "garcia"}, threshold=0.0)

    def namesake(candidate: Any) -> float:
        return -math.fsum(r.weight for r in candidate.waterfall if r.name == "namesake")

    assert namesake(exact) > 0
    assert namesake(slip) == pytest.approx(namesake(exact))
    # two slips away: not that name's bearer
    far, *_ = matcher.match({"given_name": "mraai", "family_name": "garcia"}, threshold=0.0)
    assert namesake(far) == 0


def test_a_record_missing_a_name_bears_no_penalised_name(
    matcher: Matcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A missing given name is not the text "None", one slip from a penalised "lone"."""
    monkeypatch.setattr(matcher, "_name_bits", {("lone", "garcia"): 4.0})
    monkeypatch.setattr(matcher, "_penalised", [("lone", "garcia")])
    monkeypatch.setattr(matcher, "_bearing", name_bearer([("lone", "garcia")]))
    pair = {"given_r": "lone", "family_r": "garcia", "gamma_dob": 2}
    named = matcher.adjustments({"given": "lone", "family": "garcia"}, pair)
    assert [r.name for r in named] == ["namesake"]
    assert matcher.adjustments({"given": None, "family": "garcia"}, pair) == []
    assert (
        matcher.adjustments({"given": "lone", "family": "garcia"}, {**pair, "given_r": None}) == []
    )
