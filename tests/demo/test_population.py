"""The population has the structures that make resolution hard, shared the way they should be."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from typing import Any

import numpy as np
import pytest

from linkwise.demo import WorldConfig
from linkwise.demo.person import people as resolve
from linkwise.demo.population import build_population

from .conftest import Source, World


def _stem(person: dict[str, str]) -> str:
    """The surname without the Russian feminine ending (a brother Ivanov, a sister Ivanova)."""
    name = person["family_name"]
    return name.removesuffix("a") if person["culture"] == "russian" else name


def test_twins_share_surname_household_and_birth_date(
    people: dict[str, dict[str, str]],
) -> None:
    twins = [p for p in people.values() if p["twin_of"]]
    assert len(twins) >= 10
    for p in twins:
        other = people[p["twin_of"]]
        assert other["twin_of"] == p["person_id"]
        assert _stem(other) == _stem(p)
        assert other["household_id"] == p["household_id"]
        assert other["dob"] == p["dob"]
        assert other["given_name"] != p["given_name"]


def test_jr_and_sr_share_name_and_home_a_generation_apart(
    people: dict[str, dict[str, str]],
) -> None:
    fathers = [p for p in people.values() if p["father_of"]]
    assert len(fathers) >= 10
    for father in fathers:
        son = people[father["father_of"]]
        assert (father["name_suffix"], son["name_suffix"]) == ("Sr", "Jr")
        assert father["given_name"] == son["given_name"]
        # Hispanic sons carry their mother's surname second; hyphenated fathers pass one part.
        assert re.split("[ -]", father["family_name"])[0] == re.split("[ -]", son["family_name"])[0]
        assert father["household_id"] == son["household_id"]
        gap = dt.date.fromisoformat(son["dob"]).year - dt.date.fromisoformat(father["dob"]).year
        assert 25 <= gap <= 35


def _with_people(source: Source, truth: list[dict[str, str]]) -> list[tuple[dict[str, Any], str]]:
    """Each row of the source with the person it truly is."""
    owner = {t["source_key"]: t["person_id"] for t in truth if t["source"] == source.manifest.name}
    return [(row, owner[key]) for key, row in zip(source.keys, source.rows, strict=True)]


def test_generic_ssn_is_shared_by_unrelated_people(
    sources: dict[str, Source],
    truth: list[dict[str, str]],
    people: dict[str, dict[str, str]],
) -> None:
    holders = set()
    for name, column in (("public_records", "SSN"), ("benefit_enrolments", "ssn")):
        for row, pid in _with_people(sources[name], truth):
            if row[column] == "123-45-6789":
                holders.add(pid)
    households = {people[pid]["household_id"] for pid in holders}
    assert len(holders) >= 5
    assert len(households) >= 5


def test_shelter_address_is_shared_by_unrelated_people(
    world: World,
    sources: dict[str, Source],
    truth: list[dict[str, str]],
    people: dict[str, dict[str, str]],
) -> None:
    residents = {
        pid
        for row, pid in _with_people(sources["public_records"], truth)
        if row["ADDRESS"] == "1500 Mercy Way"
    }
    assert len(residents) >= 5
    assert len({people[p]["household_id"] for p in residents}) == len(residents)
    expected = WorldConfig().shelter_rate * len(people)
    assert world.summary.population["shelter_people"] == pytest.approx(expected, rel=0.6)


def test_households_share_addresses(
    sources: dict[str, Source], truth: list[dict[str, str]], people: dict[str, dict[str, str]]
) -> None:
    seen: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row, pid in _with_people(sources["public_records"], truth):
        street = row["ADDRESS"].replace("#", "Apt ")  # the vendor writes units either way
        seen[people[pid]["household_id"]][pid].add(f"{street}|{row['ZIP']}")
    shared = [
        bool(set.intersection(*members.values())) for members in seen.values() if len(members) >= 2
    ]
    assert len(shared) > 100
    assert all(shared)


def test_household_sizes_and_moves(world: World, people: dict[str, dict[str, str]]) -> None:
    sizes = Counter(p["household_id"] for p in people.values())
    assert 2.1 <= len(people) / len(sizes) <= 2.6
    assert max(sizes.values()) <= 6
    moved = sum(p["moved"] == "True" for p in people.values()) / len(people)
    assert moved == pytest.approx(0.30, abs=0.05)


def test_identifiers_are_valid_and_unique() -> None:
    pop = build_population(20_000, 3, WorldConfig())
    ssn = pop.ssn
    assert len(np.unique(ssn)) == len(ssn)
    area, group, serial = ssn // 1_000_000, (ssn // 10_000) % 100, ssn % 10_000
    assert ((area > 0) & (area != 666) & (area < 900)).all()
    assert (group > 0).all()
    assert (serial > 0).all()
    assert (ssn != 123456789).all()
    persons = resolve(pop, np.arange(0, 20_000, 7))
    licences = Counter((p.licence_state, p.licence) for p in persons)
    assert max(licences.values()) == 1


def test_phone_numbers_are_valid_us_numbers(sources: dict[str, Source]) -> None:
    phonenumbers = pytest.importorskip("phonenumbers")
    phones = [r["PHONE"] for r in sources["public_records"].rows if r.get("PHONE")]
    assert any("555-01" in p or "5550" in re.sub(r"\D", "", p)[3:7] for p in phones)
    for phone in phones[:500]:
        number = phonenumbers.parse(phone, "US")
        assert phonenumbers.is_valid_number(number), phone


def test_surnames_follow_a_zipf_like_law(people: dict[str, dict[str, str]]) -> None:
    counts = Counter(p["family_name"] for p in people.values() if p["origin"] == "anglo")
    ranked = [n for _, n in counts.most_common()]
    top = {name for name, _ in counts.most_common(5)}
    assert top & {"Smith", "Johnson", "Williams", "Brown", "Jones"}
    assert sum(n == 1 for n in ranked) > len(ranked) / 3  # a long tail of rare names
