"""Chinese name syllables across pinyin, Wade-Giles and Cantonese spellings."""

from __future__ import annotations

import pytest

from linkwise.normalize.romanisation import (
    MAX_KEYS,
    roman_list,
    romanisation_keys,
    romanisations_agree,
    same_syllable,
    syllables,
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("xiaoming", ("xiao", "ming")),
        ("xiao ming", ("xiao", "ming")),
        ("hsiao-ming", ("hsiao", "ming")),
        ("siu ming", ("siu", "ming")),
        ("xinyi", ("xin", "yi")),
        ("wei", ("wei",)),
        ("john", None),  # not made of known syllables
        ("", None),
        ("kai" * 20 + "q", None),  # long: not split (and not in exponential time)
        ("i" * 1500, None),
    ],
)
def test_names_split_into_syllables(name: str, expected: tuple[str, ...] | None) -> None:
    assert syllables(name) == expected


def test_a_syllable_matches_its_spellings_but_not_a_shared_spelling_of_another() -> None:
    assert same_syllable("lin", "lam")
    assert same_syllable("lam", "lin")  # either way round
    assert same_syllable("hui", "wai")
    assert same_syllable("wei", "wai")
    # "wai" is the Cantonese of both "wei" and "hui"; the two are still different names
    assert not same_syllable("wei", "hui")
    assert not same_syllable("ming", "ling")


ONE_NAME = [
    ("lin", "lam"),
    ("jie", "kit"),
    ("xiaoming", "siu ming"),
    ("xiaoming", "hsiao-ming"),
    ("zhiwei", "chi wai"),
    ("zhang", "chang"),  # Wade-Giles
]
"""One name in two romanisations, each syllable spelled out on both sides."""


@pytest.mark.parametrize(
    ("a", "b"),
    [*ONE_NAME, ("siu", "xiaoming")],  # a name cut to its first syllable agrees here
)
def test_one_name_in_two_romanisations_agrees(a: str, b: str) -> None:
    assert romanisations_agree(a, b)
    assert romanisations_agree(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("wei", "hui"),
        ("xiaoming", "xiaoling"),
        ("ming", "siu ming"),
        ("john", "jon"),
        ("li", ""),
        ("xin", "yan"),  # "yan" is Cantonese for xin but also another name's pinyin
        ("yun", "wan"),
    ],
)
def test_different_names_do_not_agree(a: str, b: str) -> None:
    assert not romanisations_agree(a, b)


@pytest.mark.parametrize(("a", "b"), [*ONE_NAME, ("huang", "wong"), ("wang", "wong")])
def test_keys_are_shared_by_one_name_in_two_romanisations(a: str, b: str) -> None:
    ka, kb = romanisation_keys(a), romanisation_keys(b)
    assert ka is not None
    assert kb is not None
    assert set(ka) & set(kb)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("wei", "hui"),  # each may be written "wai", but they are two names
        ("huang", "wang"),  # each may be written "wong"
        ("xiaoming", "xiaoling"),
        ("xin", "yan"),
        ("siu", "xiaoming"),  # cut short: agrees for the household check, not for keys
    ],
)
def test_keys_of_different_names_are_not_shared(a: str, b: str) -> None:
    ka, kb = romanisation_keys(a) or (), romanisation_keys(b) or ()
    assert not set(ka) & set(kb)


def test_a_name_with_no_other_spelling_or_no_syllables_has_no_keys() -> None:
    assert romanisation_keys("ming") is None  # written alike in every system
    assert romanisation_keys("john") is None
    assert romanisation_keys("") is None
    assert roman_list(None) is None
    assert roman_list("wai") == sorted(romanisation_keys("wai") or ())
    many = " ".join(["ching"] * 4)  # 3 readings a syllable: 81 readings
    assert MAX_KEYS < 3**4
    assert romanisation_keys(many) is None
