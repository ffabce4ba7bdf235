from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from linkwise.normalize import (
    NameParts,
    NormalizationError,
    clear_caches,
    names,
    normalize_name,
    script_of,
    split_full_name,
    surname_tokens,
)
from linkwise.normalize import _name_data as data
from linkwise.normalize.names import NameOrder


def parts(
    given: str | None = None,
    middle: str | None = None,
    family: str | None = None,
    suffix: str | None = None,
    title: str | None = None,
) -> NameParts:
    return NameParts(given, middle, family, suffix, title)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("SMITH, John Paul", parts("John", "Paul", "SMITH")),
        ("John Paul Smith", parts("John", "Paul", "Smith")),
        ("  John   Smith ", parts("John", None, "Smith")),
        ("John Smith Jr.", parts("John", None, "Smith", "jr")),
        ("SMITH JR, JOHN", parts("JOHN", None, "SMITH", "jr")),
        ("John Smith III", parts("John", None, "Smith", "iii")),
        ("John Smith, Jr.", parts("John", None, "Smith", "jr")),
        ("Smith, John, Sr.", parts("John", None, "Smith", "sr")),
        ("John Smith 2nd", parts("John", None, "Smith", "ii")),
        ("John Smith V", parts("John", None, "Smith", "v")),
        ("Smith, John V", parts("John", "V", "Smith")),
        ("Juan de la Cruz", parts("Juan", None, "de la Cruz")),
        ("Juan Carlos de la Cruz", parts("Juan", "Carlos", "de la Cruz")),
        ("Ludwig van Beethoven", parts("Ludwig", None, "van Beethoven")),
        ("Robert De Niro", parts("Robert", None, "De Niro")),
        ("Hassan Al Sayed", parts("Hassan", None, "Al Sayed")),
        ("José Ortega y Gasset", parts("José", None, "Ortega y Gasset")),
        ("van der Berg Jan", parts("Jan", None, "van der Berg")),
        ("Van Morrison", parts("Van", None, "Morrison")),
        ("Anh Le", parts("Anh", None, "Le")),
        ("Gabriel García Márquez", parts("Gabriel", "García", "Márquez")),
        ("García Márquez, Gabriel", parts("Gabriel", None, "García Márquez")),
        ("Gabriel GARCÍA MÁRQUEZ", parts("Gabriel", None, "GARCÍA MÁRQUEZ")),
        ("Mary-Jane Smith-Jones", parts("Mary-Jane", None, "Smith-Jones")),
        ("Mary Smith - Jones", parts("Mary", None, "Smith-Jones")),
        ("PC John Smith", parts("John", None, "Smith", title="PC")),
        ("Inspector Jane Doe", parts("Jane", None, "Doe", title="Inspector")),
        ("Dr. A. Khan", parts("A", None, "Khan", title="Dr")),
        ("Det. Sgt. Jane Doe", parts("Jane", None, "Doe", title="Det Sgt")),
        ("Mr Smith", parts(None, None, "Smith", title="Mr")),
        ("Smith, Dr. John", parts("John", None, "Smith", title="Dr")),
        ("Jane Doe PhD", parts("Jane", None, "Doe", title="PhD")),
        ("Smith, John, Ph.D.", parts("John", None, "Smith", title="PhD")),
        ("Dean Smith", parts("Dean", None, "Smith")),
        ("John 'Jack' Smith", parts("John", None, "Smith")),
        ('John "Jack" Smith', parts("John", None, "Smith")),
        ("John (Jack) Smith", parts("John", None, "Smith")),
        ("Mary O'Neil", parts("Mary", None, "O'Neil")),
        ("SMITH", parts(None, None, "SMITH")),
        ("ZHANG Wei", parts("Wei", None, "ZHANG")),
        ("NGUYEN Van An", parts("Van", "An", "NGUYEN")),
        ("GARCIA MARQUEZ Gabriel", parts("Gabriel", None, "GARCIA MARQUEZ")),
        ("JOHN SMITH", parts("JOHN", None, "SMITH")),
        ("A SMITH", parts("A", None, "SMITH")),
        ("Juan de la CRUZ", parts("Juan", None, "de la CRUZ")),
    ],
)
def test_split_full_name_auto(raw: str, expected: NameParts) -> None:
    assert split_full_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("محمد علي", parts("محمد", None, "علي")),
        ("عبد الله محمد", parts("عبد الله", None, "محمد")),
        ("Александр Иванов", parts("Александр", None, "Иванов")),
        ("Иванов Александр Сергеевич", parts("Александр", "Сергеевич", "Иванов")),
        ("Дмитрий Дмитриевич Шостакович", parts("Дмитрий", "Дмитриевич", "Шостакович")),
        ("张伟", parts("伟", None, "张")),
        ("王小明", parts("小明", None, "王")),
        ("欧阳娜娜", parts("娜娜", None, "欧阳")),
        ("諸葛亮", parts("亮", None, "諸葛")),
        ("张", parts(None, None, "张")),
        ("张 伟", parts("伟", None, "张")),
        ("김민준", parts("민준", None, "김")),
        ("남궁민수", parts("민수", None, "남궁")),
    ],
)
def test_split_non_latin_keeps_script(raw: str, expected: NameParts) -> None:
    assert split_full_name(raw) == expected


def test_explicit_orders() -> None:
    assert split_full_name("Zhang Wei", "family_first") == parts("Wei", None, "Zhang")
    assert split_full_name("ZHANG Wei", "given_first") == parts("ZHANG", None, "Wei")
    assert split_full_name("van der Berg Jan", "family_first") == parts("Jan", None, "van der Berg")
    assert split_full_name("GARCÍA MÁRQUEZ Gabriel", "family_first") == parts(
        "Gabriel", None, "GARCÍA MÁRQUEZ"
    )
    # a comma is explicit and wins over the order argument
    assert split_full_name("Smith, John", "given_first") == parts("John", None, "Smith")


def test_bad_order_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="order must be one of"):
        split_full_name("John Smith", "backwards")  # type: ignore[arg-type]


@pytest.mark.parametrize("raw", ["", "   ", "---", "., ,", "1234"])
def test_no_letters_raises(raw: str) -> None:
    with pytest.raises(NormalizationError, match="has no letters"):
        split_full_name(raw)


def test_errors_are_cached_too() -> None:
    for _ in range(2):
        with pytest.raises(NormalizationError):
            split_full_name("??")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("José-María", "jose maria"), (" O'Neil ", "oneil"), ("---", None), ("", None)],
)
def test_normalize_name(raw: str, expected: str | None) -> None:
    assert normalize_name(raw) == expected


@pytest.mark.parametrize(
    ("family", "tokens"),
    [
        ("García Márquez", ("garcia", "marquez")),
        ("de la Cruz", ("cruz",)),
        ("van der Berg", ("berg",)),
        ("al-Fayed", ("fayed",)),
        ("Ortega y Gasset", ("ortega", "gasset")),
        ("Smith-Jones", ("smith", "jones")),
        ("Le", ("le",)),
        ("St John", ("st", "john")),
        ("MacDonald", ("macdonald",)),
        ("", ()),
    ],
)
def test_surname_tokens(family: str, tokens: tuple[str, ...]) -> None:
    assert surname_tokens(family) == tokens


_RESERVED = (
    data.TITLES
    | data.PARTICLES
    | data.CONNECTORS
    | data.POST_NOMINALS
    | frozenset(data.SUFFIXES)
    | {t.lower() for t in data.CAPS_TITLES}
)
_simple_name = st.from_regex(r"[A-Z][a-z]{1,11}", fullmatch=True).filter(
    lambda n: n.lower() not in _RESERVED
)


@settings(max_examples=200)
@given(_simple_name, _simple_name, st.booleans())
def test_comma_and_given_first_forms_agree(given_name: str, family: str, caps: bool) -> None:
    if caps:
        family = family.upper()
    assume(len(family) > 1)
    inverted = split_full_name(f"{family}, {given_name}")
    natural = split_full_name(f"{given_name} {family}")
    assert inverted == natural == parts(given_name, None, family)


_WORDISH = st.sampled_from(
    ["de", "De", "DE", "van", "VAN", "al-", "Mr.", "DR", "PC", "pc", "Jr.", "JR", "iii", "V",
     "v", "PhD", "ESQ.", "y", "St", "O'Neil", "ZHANG", "Wei", "A.", "J", "李", "Иванов",
     "García", "MÁRQUEZ", "(Jack)", "“Bo”", "-", "2nd", "..."]
) | st.text(max_size=6)  # fmt: skip


@settings(max_examples=300)
@given(_WORDISH)
def test_cached_word_facts_are_the_direct_tests(token: str) -> None:
    key = token.lower().replace(".", "")
    particle = key in data.PARTICLES
    facts = (
        names._is_title(token),
        particle,
        key in data.POST_NOMINALS,
        names._suffix_of(token, False),
        names._suffix_of(token, True),
        names._is_caps(token),
    )
    plain = not any(facts) and token not in data.CONNECTORS
    assert names._word(token) == (*facts, names._is_mixed(token) and not particle, plain)
    cleaned = token.strip(names._EDGE_PUNCT).rstrip(".")
    assert names._clean(token) == (cleaned if any(c.isalnum() for c in cleaned) else None)


@settings(max_examples=300)
@given(st.text())
def test_letter_and_script_shortcuts(text: str) -> None:
    assert names._has_letter(text) == any(c.isalpha() for c in text)
    if text.isascii() and names._has_letter(text):
        assert script_of(text) == "Latin"


@settings(max_examples=200)
@given(st.lists(_WORDISH, min_size=1, max_size=6), st.sampled_from(["auto", "given_first"]))
def test_split_does_not_depend_on_what_is_cached(words: list[str], order: NameOrder) -> None:
    raw = " ".join(words)
    clear_caches()
    try:
        cold: NameParts | str = split_full_name(raw, order)
    except NormalizationError as exc:
        cold = str(exc)
    split_full_name("Van Der Berg, DR. JOHN Y García Jr", order)  # warm the word caches
    names._split_cached.cache_clear()  # type: ignore[attr-defined]
    try:
        warm: NameParts | str = split_full_name(raw, order)
    except NormalizationError as exc:
        warm = str(exc)
    assert cold == warm


_NAME_WORD = st.sampled_from(
    ["John", "Paul", "Smith", "J", "J.", "Mary-Jane", "de", "van", "Van", "y", "e", "Jr", "V",
     "iii", "PhD", "Dr", "Mr.", "SMITH", "PC", "Li", "O'Neil", "(Jack)", "&", "12", "Al",
     "St", "Mc", "x", "II", "Esq", ",", "A.B.", "San", "Le", "José"]
) | st.from_regex(r"[A-Za-z][a-z]{0,6}\.?", fullmatch=True)  # fmt: skip


@settings(max_examples=500)
@given(st.lists(_NAME_WORD, min_size=1, max_size=5), st.sampled_from(["auto", "given_first"]))
def test_plain_names_split_as_the_general_rules_split_them(words: list[str], order: str) -> None:
    raw = " ".join(words)
    plain = names._plain_split(raw)
    if plain is not None:
        assert plain == names._split_words(raw, order)


def test_plain_names_take_the_shortcut() -> None:
    for raw in ["John Smith", "James B Redfield", "Mary Ann Jo Lee", "Smith"]:
        assert names._plain_split(raw) is not None, raw
    for raw in [
        "John SMITH",
        "Juan de la Cruz",
        "John Smith Jr",
        "Dr John Smith",
        "Ortega y Gasset",
    ]:
        assert names._plain_split(raw) is None, raw


@pytest.mark.parametrize(
    ("raw", "expected", "generation"),
    [
        ("Jr.", "jr", 2),
        ("JUNIOR", "jr", 2),
        ("jnr", "jr", 2),
        ("II", "ii", 2),
        ("2nd", "ii", 2),
        ("Sr", "sr", 1),
        ("senior", "sr", 1),
        ("III", "iii", 3),
        ("3rd", "iii", 3),
        ("iv", "iv", 4),
        ("V", "v", 5),
        ("jr phd", "jr", 2),
        ("PhD", None, None),
        ("", None, None),
        (None, None, None),
    ],
)
def test_name_suffix_and_its_generation(
    raw: str | None, expected: str | None, generation: int | None
) -> None:
    assert names.name_suffix(raw) == expected
    assert names.suffix_generation(raw) == generation


@pytest.mark.parametrize(
    ("family", "expected"),
    [
        ("smith jr", ("smith", "jr")),
        ("smith jr.", ("smith", "jr")),
        ("smith, jr", ("smith", "jr")),
        ("de la cruz iii", ("de la cruz", "iii")),
        ("garcia marquez sr", ("garcia marquez", "sr")),
        ("smith", ("smith", None)),
        ("junior", ("junior", None)),  # a surname, not a suffix
        ("smith v", ("smith v", None)),  # more likely an initial than "the fifth"
        ("jones ii", ("jones", "ii")),
    ],
)
def test_peel_suffix_from_a_family_name(family: str, expected: tuple[str, str | None]) -> None:
    assert names.peel_suffix(family) == expected


def test_split_suffix_is_the_normal_form_name_suffix_gives() -> None:
    for raw in ("John Smith Jr.", "SMITH JR, JOHN", "John Smith 3rd", "Smith, John, Senior"):
        suffix = split_full_name(raw).suffix
        assert suffix is not None
        assert names.name_suffix(suffix) == suffix
