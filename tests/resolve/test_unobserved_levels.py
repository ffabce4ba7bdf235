"""A level that the random sample behind u never reached is weighed by the bound its absence
sets, not by Splink's placeholder.

The population: people with random SSNs, each recorded twice with the same number, a few
with one digit of it mistyped in the second record. Two different people's random numbers
differ in one digit about once in ten million pairs, and the sample behind u is kept small
(``U_MAX_PAIRS``: in a population this small it would otherwise hold every pair, the
mistyped matches too), so no sampled pair reaches that level, while EM finds it among the
matches.
"""

from __future__ import annotations

import math
import random
from typing import Any

import pytest

from linkwise.resolve import linkage as linkage_module
from linkwise.resolve.linkage import U_RARE_COUNT, Linkage, link
from linkwise.resolve.prepare import prepare

GIVEN = ["mary", "james", "patricia", "robert", "linda", "michael", "barbara", "david", "susan"]
FAMILY = ["smith", "jones", "taylor", "brown", "wilson", "evans", "thomas", "roberts", "walker"]
ONE_DIGIT = "one character differs"
SAMPLED = 2_000
"""Pairs in the sample behind u (of about 320,000)."""


def _ssn(rng: random.Random) -> str:
    return f"{rng.randint(100, 665)}{rng.randint(10, 99)}{rng.randint(1000, 9999)}"


@pytest.fixture(scope="module")
def linkage() -> Linkage:
    rng = random.Random(5)
    records: list[dict[str, Any]] = []
    for i in range(400):
        person = {
            "given_name": rng.choice(GIVEN),
            "family_name": rng.choice(FAMILY) + ("" if i % 3 else "son"),
            "dob": f"{rng.randint(1940, 2000)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        }
        ssn = _ssn(rng)
        for k in range(2):
            number = ssn
            if k == 1 and i % 40 == 0:  # one digit of the number mistyped
                at = rng.randrange(9)
                digit = str((int(ssn[at]) + rng.randint(1, 9)) % 10)
                number = ssn[:at] + digit + ssn[at + 1 :]
            records.append(
                {
                    **person,
                    "identifiers": {"ssn": number},
                    "record_id": len(records) + 1,
                    "source": f"s{k}",
                }
            )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(linkage_module, "U_MAX_PAIRS", SAMPLED)
        result = link(prepare(records))
    yield result
    result.release()


def _level(linkage: Linkage, comparison: str, label: str) -> dict[str, Any]:
    for c in linkage.model["comparisons"]:
        if c["output_column_name"] == comparison:
            for level in c["comparison_levels"]:
                if level.get("label_for_charts") == label:
                    return dict(level)
    raise AssertionError((comparison, label))


def test_a_level_no_sampled_pair_reached_gets_the_bound_of_its_absence(linkage: Linkage) -> None:
    level = _level(linkage, "ssn", ONE_DIGIT)
    assert level["m_probability"] is not None  # EM found it among the matches
    assert level["u_probability"] == pytest.approx(U_RARE_COUNT / SAMPLED)


def test_pairs_at_the_level_are_weighed_by_the_bound(linkage: Linkage) -> None:
    """Scoring uses the bound (Splink's placeholder gave these pairs 3.0 bits here; the
    bound of a sample of 2,000 pairs gives about 4; of the 2 million sampled in a real run,
    about 14)."""
    level = _level(linkage, "ssn", ONE_DIGIT)
    weight = math.log2(level["m_probability"] / (U_RARE_COUNT / SAMPLED))
    pairs = linkage.pairs.to_pylist()
    mistyped = [p for p in pairs if p["gamma_ssn"] == _gamma(linkage, "ssn", ONE_DIGIT)]
    assert len(mistyped) == 10  # every mistyped person's pair is scored and kept
    for p in mistyped:
        assert p["mw_ssn"] == pytest.approx(weight)


def _gamma(linkage: Linkage, comparison: str, label: str) -> int:
    """The comparison vector value Splink gives the level (levels count down to 0)."""
    for c in linkage.model["comparisons"]:
        if c["output_column_name"] == comparison:
            levels = [lv for lv in c["comparison_levels"] if not lv.get("is_null_level")]
            labels = [lv.get("label_for_charts") for lv in levels]
            return len(levels) - 1 - labels.index(label)
    raise AssertionError(comparison)


def test_a_level_sampled_once_weighs_what_a_level_never_sampled_does(linkage: Linkage) -> None:
    """Seeing one non-match at a level must not raise its weight: a level with a trained m
    whose u is below the bound is raised to it; a level above the bound, and one whose u is
    fixed (the neutral twins of the swap levels), are left alone."""
    levels = [
        level
        for c in linkage.linker._settings_obj.comparisons
        for level in c.comparison_levels
        if not level.is_null_level
    ]
    free = [lv for lv in levels if not lv._fix_u_probability and lv._m_is_trained]
    rare, common = free[0], free[1]
    (fixed, *_) = [lv for lv in levels if lv._fix_u_probability]
    saved = [(lv, lv.u_probability) for lv in (rare, common)]
    try:
        rare.u_probability = 1 / SAMPLED  # as if one sampled pair had reached it
        common.u_probability = 0.25
        linkage_module._bound_rare_u(linkage.linker, SAMPLED)
        assert rare.u_probability == pytest.approx(U_RARE_COUNT / SAMPLED)
        assert common.u_probability == 0.25
        assert fixed.u_probability == 0.5
    finally:
        for level, u in saved:
            level.u_probability = u


def test_in_a_tiny_workspace_the_bound_counts_the_pairs_there_are() -> None:
    """60 records have 1,770 pairs, all of them in the u sample (which asks for at least
    100,000): the one mistyped number's pair is one of them, so the level's u is raised to
    3 ÷ 1,770, not left at the 1 ÷ 1,770 it was seen at (as a bound over 100,000 would)."""
    rng = random.Random(8)
    records: list[dict[str, Any]] = []
    for i in range(30):
        person = {
            "given_name": GIVEN[i % len(GIVEN)],
            "family_name": FAMILY[i // len(GIVEN)],
            "dob": f"{rng.randint(1940, 2000)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        }
        ssn = _ssn(rng)
        for k in range(2):
            # the first person's second record: the number's last digit mistyped
            number = ssn if (k == 0 or i) else ssn[:-1] + str((int(ssn[-1]) + 1) % 10)
            records.append(
                {
                    **person,
                    "identifiers": {"ssn": number},
                    "record_id": len(records) + 1,
                    "source": f"s{k}",
                }
            )
    tiny = link(prepare(records))
    try:
        level = _level(tiny, "ssn", ONE_DIGIT)
        assert level["u_probability"] == pytest.approx(U_RARE_COUNT / (60 * 59 / 2))
    finally:
        tiny.release()
