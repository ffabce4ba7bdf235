from __future__ import annotations

import pytest

from linkwise.normalize.korean import SYLLABLE_SPELLINGS, korean_keys, korean_names_agree
from linkwise.normalize.romanisation import roman_list, romanisation_keys


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("lee", "rhee"),  # one surname: a passport spelling and an older one
        ("lee", "yi"),  # ... and the Revised Romanization
        ("park", "bak"),
        ("choi", "choe"),
        ("jung", "jeong"),  # the Revised Romanization
        ("hyun woo", "hyeon u"),  # eo written u, woo for u
        ("hyun-woo", "hyunwoo"),  # word breaks do not matter
        ("mi kyung", "mi gyeong"),  # k for g, eo for yu
        ("jae won", "chae won"),  # ch for j
        ("dong hyun", "tong hyon"),  # t for d, o for eo
        ("seung ho", "sungho"),
    ],
)
def test_one_korean_name_in_two_spellings_agrees(a: str, b: str) -> None:
    assert korean_names_agree(a, b)
    assert set(roman_list(a) or ()) & set(roman_list(b) or ())


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("kim", "lee"),
        ("ji hoon", "ji woo"),  # siblings sharing a generation syllable
        ("min jun", "min seo"),
        ("maria", "marie"),  # not Korean syllables: no keys at all
        # spellings of another people's different surname are left out of the groups
        ("lee", "yee"),  # Cantonese Yu, not Li
        ("lim", "yim"),
        ("jung", "chong"),
        ("ko", "koh"),
        ("shin", "sin"),
    ],
)
def test_different_names_or_the_same_spelling_do_not_agree(a: str, b: str) -> None:
    assert not korean_names_agree(a, b)


def test_one_spelling_shares_its_keys_but_is_not_two_spellings() -> None:
    assert korean_keys("hyun woo")
    assert not korean_names_agree("hyun woo", "hyun woo")


def test_only_names_of_two_or_three_known_syllables_get_given_name_keys() -> None:
    assert korean_keys("min") == ()  # one syllable: as often a name of another language
    assert korean_keys("mina") == ()  # two syllables, neither with another spelling
    assert korean_keys("john") == ()
    assert korean_keys("") == ()
    assert korean_keys("ji hoon") != ()
    assert korean_keys("ji hoon su ho") == ()  # four syllables
    assert korean_keys("o") == ()  # an initial, not the surname Oh
    assert korean_keys("oh") != ()
    assert korean_keys("ana") == ()  # "a" and "na" are written alike in every system
    assert korean_keys("sung sun kun") != ()  # each of these in two groups: 8 readings
    assert len(korean_keys("sung sun kun")) == 8


def test_no_syllable_spelling_is_in_more_than_two_groups() -> None:
    # so a name of at most three syllables has at most eight keys
    counts: dict[str, int] = {}
    for group in SYLLABLE_SPELLINGS:
        for spelling in group:
            counts[spelling] = counts.get(spelling, 0) + 1
    assert max(counts.values()) <= 2


def test_roman_list_holds_the_chinese_keys_then_the_korean_ones() -> None:
    # "kim" is also a Cantonese spelling of the Chinese syllable jian
    chinese = romanisation_keys("kim")
    assert chinese is not None
    korean = korean_keys("kim")
    assert korean
    assert all(k.startswith("ko:") for k in korean)
    assert not any(k.startswith("ko:") for k in chinese)
    assert roman_list("kim") == [*chinese, *korean]
    assert roman_list("gim") == list(korean_keys("gim"))
    assert roman_list("john") is None
    assert roman_list(None) is None
