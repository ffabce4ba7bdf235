from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linkwise.normalize.phonetic import sound_key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Yevgeny", "Evgeniy"),
        ("Aleksei", "Alexei"),
        ("Hussein", "Husain"),
        ("Khalid", "Khaled"),
        ("Muhammad", "Mohammed"),
        ("Zhu", "Chu"),
        ("Ilyin", "Ilin"),
        ("Catherine", "Kathryn"),
        ("Tchaikovsky", "Chaykovskiy"),
        ("Nguyễn", "Nguyen"),
        ("Wojciechowska", "Woiciechowska"),
    ],
)
def test_transliteration_variants_share_a_key(a: str, b: str) -> None:
    assert sound_key(a) == sound_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [("Smith", "Jones"), ("Maria", "Mario Rossi"), ("Walker", "Parker"), ("Lee", "Li Wei")],
)
def test_different_names_differ(a: str, b: str) -> None:
    assert sound_key(a) != sound_key(b)


def test_words_keyed_separately_and_empty_is_none() -> None:
    assert sound_key("de la Cruz") == "t l krs"
    assert sound_key("") is None
    assert sound_key("123 --") is None


@given(st.text(max_size=40))
def test_key_uses_only_class_letters(text: str) -> None:
    key = sound_key(text)
    if key is not None:
        assert set(key) <= set("ahpfkjtslrmn ")
        assert "  " not in key
