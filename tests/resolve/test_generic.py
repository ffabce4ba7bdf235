"""Generic values: counting the people who share a value, robust to one person's corrupted
copies, while a value truly shared by many people is still found."""

from __future__ import annotations

from typing import Any

import pytest

from linkwise.resolve.generic import COMMON_NAME_YEARS, count_people
from linkwise.resolve.likeness import dates_alike, may_be_one_person, suffixes_conflict
from linkwise.resolve.prepare import prepare

# One person's record and FEBRL-style corrupted copies of it: a surname typo, names
# swapped, the surname replaced, the birth year replaced, a given-name typo, a missing
# date. Counted by distinct (surname sound, birth year), these looked like five people.
ONE_PERSON = [
    ("ashleigh", "whiteway", "1961-07-04"),
    ("ashleigh", "whitewya", "1961-07-04"),
    ("whiteway", "ashleigh", "1961-07-04"),
    ("ashleigh", "egan", "1961-07-04"),
    ("ashleigh", "whiteway", "1950-09-16"),
    ("ahsleigh", "whiteway", "1961-07-04"),
    ("ashleigh", "junge", "1961-07-14"),
    ("ashleigh", "whiteway", None),
]

DIFFERENT_PEOPLE = [
    ("maria", "garcia", "1970-01-02"),
    ("wei", "zhang", "1985-03-04"),
    ("john", "smith", "1990-05-06"),
    ("olga", "ivanova", "1962-07-08"),
    ("ahmed", "khan", "1977-09-10"),
    ("fatima", "diallo", "2001-11-12"),
    ("nguyen", "thi lan", "1958-02-03"),
    ("patrick", "oconnor", "1944-04-05"),
    ("lucia", "rossi", "1999-06-07"),
    ("kwame", "mensah", "1981-08-09"),
    ("anna", "kowalska", "1973-10-11"),
    ("david", "cohen", "1966-12-13"),
    ("sofia", "hernandez", "1995-01-14"),
    ("raj", "patel", "1988-03-15"),
]


@pytest.mark.parametrize(
    ("a", "b", "alike"),
    [
        ("1961-07-04", "1961-07-04", True),
        ("1961-07-04", "1961-07-14", True),  # one keystroke
        ("1961-07-04", "1916-07-04", True),  # transposed digits
        ("1961-07-04", "1961-04-07", True),  # day and month swapped
        ("1969-07-04", "1970-07-04", True),  # year off by one
        ("1961", "1961-07-04", True),  # partial, consistent
        ("1961-07", "1961-07-04", True),
        ("1961-07-04", "1950-09-16", False),
        ("1961", "1962-07-04", False),
    ],
)
def test_dates_alike(a: str, b: str, alike: bool) -> None:
    assert dates_alike(a, b) is alike
    assert dates_alike(b, a) is alike


def test_one_person_with_one_part_corrupted_is_one_person() -> None:
    first = ONE_PERSON[0]
    for copy in ONE_PERSON[1:]:
        assert may_be_one_person(first, copy), copy


def test_people_sharing_only_a_surname_or_a_date_are_two() -> None:
    assert not may_be_one_person(("john", "smith", "1970-01-01"), ("mary", "smith", "1985-05-05"))
    assert not may_be_one_person(("john", "smith", "1970-01-01"), ("wei", "zhang", "1970-01-01"))
    # a name and nothing else to go on leans towards one person
    assert may_be_one_person(("john", "smith", None), ("john", "smith", "1970-01-01"))
    assert may_be_one_person((None, "smith", None), ("john", "smith", "1970-01-01"))


def test_namesakes_of_a_common_name_with_different_dates_are_two() -> None:
    a, b = ("maria", "garcia", "1953-05-15"), ("maria", "garcia", "1973-03-13")
    assert may_be_one_person(a, b)  # a rare name: a replaced date of birth
    assert not may_be_one_person(a, b, common={("garcia", "maria")})
    # a common name still makes one person when the dates agree
    assert may_be_one_person(a, ("maria", "garcia", "1953-05-15"), common={("garcia", "maria")})


def test_count_people_is_robust_to_corrupted_copies() -> None:
    assert count_people(ONE_PERSON) == 1
    assert count_people(ONE_PERSON[::-1]) == 1  # the typical copy is taken first either way


def test_count_people_counts_different_people() -> None:
    assert count_people(DIFFERENT_PEOPLE) == len(DIFFERENT_PEOPLE)
    assert count_people(DIFFERENT_PEOPLE + ONE_PERSON) == len(DIFFERENT_PEOPLE) + 1
    assert count_people(DIFFERENT_PEOPLE, cap=5) == 5
    assert count_people([(None, None, None)] * 10) == 0  # holders saying nothing


def test_count_people_does_not_chain_different_people_through_a_third() -> None:
    # b is like a (names) and like c (given name and date), but a and c are two people
    a = ("john", "smith", "1950-01-01")
    b = ("john", "smith", "1980-02-02")
    c = ("john", "brown", "1980-02-02")
    assert may_be_one_person(a, b)
    assert may_be_one_person(b, c)
    assert not may_be_one_person(a, c)
    assert count_people([a, b, c, a]) == 2


def test_suffixes_conflict() -> None:
    assert suffixes_conflict("jr", "sr")
    assert suffixes_conflict("ii", "iii")
    assert suffixes_conflict("jr", "iii")
    assert not suffixes_conflict("jr", "ii")  # both "the second"
    assert not suffixes_conflict("jr", "jr")
    assert not suffixes_conflict("jr", None)  # a dropped suffix is no evidence
    assert not suffixes_conflict(None, None)


# -- through prepare ---------------------------------------------------------------------


def _record(n: int, given: str | None, family: str | None, dob: str | None, **kw: Any) -> dict:
    return {
        "record_id": n,
        "source": "s",
        "given_name": given,
        "family_name": family,
        "dob": dob,
        **kw,
    }


def _with(people: list[tuple[str | None, str | None, str | None]], start: int, **kw: Any) -> list:
    return [_record(start + i, g, f, d, **kw) for i, (g, f, d) in enumerate(people)]


def test_an_ssn_on_one_persons_corrupted_copies_is_not_generic() -> None:
    records = _with(ONE_PERSON, 1, identifiers={"ssn": "1690126"})
    prepared = prepare(records)
    assert prepared.generic == []
    assert prepared.table.column("ssn").to_pylist() == ["1690126"] * len(ONE_PERSON)


def test_a_sample_ssn_given_by_many_people_is_still_generic() -> None:
    records = _with(DIFFERENT_PEOPLE, 1, identifiers={"ssn": "123456789"})
    records += _with(ONE_PERSON, 100, identifiers={"ssn": "1690126"})
    prepared = prepare(records)
    assert [(g.field, g.value, g.people) for g in prepared.generic] == [
        ("ssn", "123456789", len(DIFFERENT_PEOPLE))
    ]
    ssn = prepared.table.column("ssn").to_pylist()
    assert ssn[: len(DIFFERENT_PEOPLE)] == [None] * len(DIFFERENT_PEOPLE)
    assert set(ssn[len(DIFFERENT_PEOPLE) :]) == {"1690126"}


def test_a_shelter_address_is_generic_and_a_household_is_not() -> None:
    shelter = _with(DIFFERENT_PEOPLE, 1, address_line="1500 MERCY WAY")
    household = _with(
        [
            ("luis", "castro", "1969-09-30"),
            ("juana", "ruiz", "1969-02-04"),
            ("ramon", "castro ruiz", "2007-02-03"),
            ("castro", "ramon", "2007-02-03"),
            ("ramon", "ca5tro", "2007-02-03"),
            ("carlos", "castro ruiz", "1991-01-23"),
            ("leticia", "castro ruiz", "2005-02-23"),
            ("joe", "castro", "1994-08-30"),
        ]
        * 2,
        100,
        address_line="3879 BRIDGE PKWY",
    )
    prepared = prepare(shelter + household)
    assert [(g.field, g.value) for g in prepared.generic] == [("address", "1500 MERCY WAY")]


def test_many_namesakes_of_a_common_name_sharing_a_phone_are_generic() -> None:
    # a switchboard or a mailbox built from a common name: "maria garcia" born in many
    # different years in the data is many people, not one with mistyped dates
    years = range(1940, 1940 + 3 * (COMMON_NAME_YEARS + 3), 3)
    people = [("maria", "garcia", f"{y}-{1 + i:02d}-{10 + 2 * i}") for i, y in enumerate(years)]
    prepared = prepare(_with(people, 1, phone="+15550100"))
    assert [(g.field, g.value) for g in prepared.generic] == [("phone", "+15550100")]
    # the same records with a rare name are one person whose date was mistyped
    rare = [("maria", "wojciechowska", d) for _, _, d in people[:COMMON_NAME_YEARS]]
    assert prepare(_with(rare * 3, 1, phone="+15550100")).generic == []


def test_known_generic_values_are_blanked_whatever_their_count() -> None:
    records = _with(ONE_PERSON, 1, identifiers={"ssn": "1690126"})
    prepared = prepare(records, known_generic=[("ssn", "1690126")])
    assert [(g.field, g.value, g.people) for g in prepared.generic] == [("ssn", "1690126", 1)]
    assert set(prepared.table.column("ssn").to_pylist()) == {None}


def test_a_known_generic_value_on_a_single_record_is_blanked() -> None:
    # one record, one signature: far below any bound of the coarse count
    records = _with(ONE_PERSON[:1], 1, identifiers={"ssn": "1690126"}, phone="+15550100")
    records += _with(DIFFERENT_PEOPLE[:1], 10, identifiers={"ssn": "7215500"})
    prepared = prepare(records, known_generic=[("ssn", "1690126"), ("phone", "+15550199")])
    assert [(g.field, g.value, g.records, g.people) for g in prepared.generic] == [
        ("ssn", "1690126", 1, 1)
    ]
    assert prepared.table.column("ssn").to_pylist() == [None, "7215500"]
    assert prepared.table.column("phone").to_pylist() == ["+15550100", None]
