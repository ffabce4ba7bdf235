from __future__ import annotations

import re

import pytest
from anyascii import anyascii
from hypothesis import given, settings
from hypothesis import strategies as st

from linkwise.normalize import fold, is_latin, script_of
from linkwise.normalize.text import _script_of_char, to_ascii


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("José-María O'Neil", "jose maria oneil"),
        ("  SMITH,   John  ", "smith john"),
        ("O’Brien", "obrien"),
        ("Smith/Jones", "smith jones"),
        ("A.B. Smith_Jones", "a b smith jones"),
        ("Tom & Jerry", "tom and jerry"),
        ("Ærøskøbing Straße", "aeroskobing strasse"),
        ("Александр Иванов", "aleksandr ivanov"),
        ("张伟", "zhangwei"),
        ("Đặng Văn Lâm", "dang van lam"),
        ("John (Jack) Smith!", "john jack smith"),
        ("", ""),
        ("--- ... ---", ""),
    ],
)
def test_fold(raw: str, expected: str) -> None:
    assert fold(raw) == expected


@given(st.text())
def test_fold_is_idempotent_and_clean(raw: str) -> None:
    folded = fold(raw)
    assert fold(folded) == folded
    assert re.fullmatch(r"[a-z0-9 ]*", folded)
    assert "  " not in folded
    assert folded == folded.strip()


@given(st.text())
def test_cached_transliteration_matches_anyascii(raw: str) -> None:
    assert to_ascii(raw) == anyascii(raw)


@pytest.mark.parametrize(
    ("raw", "script"),
    [
        ("John Smith", "Latin"),
        ("José", "Latin"),
        ("محمد علي", "Arabic"),
        ("张伟", "Han"),
        ("Александр Иванов", "Cyrillic"),
        ("김민준", "Hangul"),
        ("Νίκος", "Greek"),
        ("דוד", "Hebrew"),
        ("राहुल", "Devanagari"),
        ("やまだ", "Hiragana"),
        ("ⵜⴰⵎⴰⵣⵉⵖⵜ", "Tifinagh"),
        ("Ivan Иванов Петров", "Cyrillic"),
        ("123 - !", ""),
        ("", ""),
    ],
)
def test_script_of(raw: str, script: str) -> None:
    assert script_of(raw) == script


def test_is_latin() -> None:
    assert is_latin("José María")
    assert not is_latin("John 张")
    assert not is_latin("Александр")
    assert not is_latin("1234")


def _reference_script_of(raw: str) -> str:
    counts: dict[str, int] = {}
    for char in raw:
        if char.isalpha():
            script = _script_of_char(char)
            counts[script] = counts.get(script, 0) + 1
    return max(counts, key=counts.__getitem__) if counts else ""


@settings(max_examples=500)
@given(st.text() | st.sampled_from(["José María", "Ivan Иванов", "李 Li", "Ωmega", "O'Neil"]))
def test_script_shortcuts_for_ascii_letters(raw: str) -> None:
    assert script_of(raw) == _reference_script_of(raw)
    letters = [c for c in raw if c.isalpha()]
    assert is_latin(raw) == (bool(letters) and all(_script_of_char(c) == "Latin" for c in letters))
