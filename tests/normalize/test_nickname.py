from __future__ import annotations

from linkwise.normalize import nickname_candidates


def test_nickname_to_formal() -> None:
    assert {"bill", "william"} <= nickname_candidates("bill")


def test_formal_to_nicknames_including_supplement() -> None:
    assert {"william", "bill", "will", "billy", "liam"} <= nickname_candidates("william")


def test_input_is_folded_and_included() -> None:
    assert "jose" in nickname_candidates("José")
    assert "pepe" in nickname_candidates("José")
    assert nickname_candidates("Zzyzx") == frozenset({"zzyzx"})


def test_candidates_are_broad() -> None:
    assert len(nickname_candidates("fred")) > 5


def test_empty() -> None:
    assert nickname_candidates("  ") == frozenset()


def test_familiar_forms_beyond_english() -> None:
    # Russian diminutives, Arabic names' English forms, Italian and Polish familiar forms
    assert "kostya" in nickname_candidates("konstantin")
    assert "konstantin" in nickname_candidates("kostya")
    assert "dasha" in nickname_candidates("daria")
    assert "abe" in nickname_candidates("ibrahim")
    assert "joe" in nickname_candidates("youssef")
    assert "gianni" in nickname_candidates("giovanni")
    assert "chris" in nickname_candidates("krzysztof")
    # "mo" is one step from each spelling of Muhammad, not only from the first
    for spelling in ("muhammad", "mohammed", "mohamed"):
        assert "mo" in nickname_candidates(spelling)
        assert spelling in nickname_candidates("mo")
