"""How the trained model weighs e-mail user names, rare names and sound keys.

One synthetic population, trained once: people with e-mail addresses built from their names
(as most are), a common surname ("garcia") beside spellings that share its sound key
("cruz"/"kruz"), namesakes (different people with one full name) whose addresses differ
only in the provider, a community of few surnames with namesakes recorded in swapped name
order, people recorded once with their names swapped and one of them mistyped, and one
person with a mistyped e-mail domain.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from linkwise.normalize import surname_tokens
from linkwise.normalize.phonetic import sound_key
from linkwise.normalize.romanisation import roman_list
from linkwise.resolve.comparisons import (
    COMMON_ALIKE,
    COMMON_NAME_MIN_RECORDS,
    FAMILY_AS_MIDDLE,
    ROMANISED,
    SWAPPED_ALIKE,
    SWAPPED_HALF,
    SWAPPED_ROMANISED,
    SWAPPED_SOUND,
    choose_comparisons,
    common_names,
    family_name,
    given_name,
)
from linkwise.resolve.linkage import NAME_TF_MAX_BITS, Linkage, link
from linkwise.resolve.prepare import prepare

GIVEN = ["mary", "james", "patricia", "robert", "linda", "michael", "barbara", "david", "susan"]
GIVEN += ["joseph", "karen", "thomas", "nancy", "daniel", "sandra", "mark", "donna", "paul"]
PROVIDERS = ["example.com", "example.org", "example.net"]


def _surname(rng: random.Random) -> str:
    return "".join(rng.choice("bdfgklmnprstvz") + rng.choice("aeiou") for _ in range(3)) + "n"


def _person(rng: random.Random, given: str, family: str) -> dict[str, Any]:
    return {
        "given_name": given,
        "family_name": family,
        "dob": f"{rng.randint(1940, 2000)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "postcode": f"LS{rng.randint(1, 29)} {rng.randint(1, 9)}{rng.choice('ABDEFGH')}X",
        "phone": f"0113{rng.randint(1_000_000, 9_999_999)}",
        "email": f"{given}.{family}@{rng.choice(PROVIDERS)}",
    }


@dataclass
class Model:
    linkage: Linkage
    pairs: dict[tuple[int, int], dict[str, Any]]
    namesakes: list[tuple[int, int]]
    typo: tuple[int, int]
    sound: dict[str, list[tuple[int, int]]]
    swapped: list[tuple[int, int]]
    alike: dict[str, tuple[int, int]]
    swapped_typo: list[tuple[int, int]]
    romanised: dict[str, list[tuple[int, int]]]
    swapped_sound: list[tuple[int, int]]
    shifted: list[tuple[int, int]]
    spelling: dict[str, list[tuple[int, int]]]

    def level(self, comparison: str, label: str) -> dict[str, Any]:
        for c in self.linkage.model["comparisons"]:
            if c["output_column_name"] == comparison:
                for lv in c["comparison_levels"]:
                    if lv.get("label_for_charts") == label:
                        return dict(lv)
        raise AssertionError(f"{comparison} has no level {label!r}")


@pytest.fixture(scope="module")
def model() -> Model:
    rng = random.Random(11)
    records: list[dict[str, Any]] = []

    def add(rec: dict[str, Any]) -> int:
        records.append({**rec, "record_id": len(records) + 1, "source": f"s{len(records) % 3}"})
        return len(records)

    def variant(person: dict[str, Any]) -> dict[str, Any]:
        rec = dict(person)
        roll = rng.random()
        if roll < 0.25:
            rec["phone"] = None
        elif roll < 0.4:
            rec["postcode"] = f"LS{rng.randint(1, 29)} 1AA"
        elif roll < 0.5:  # the mailbox's domain mistyped
            user, domain = str(rec["email"]).split("@")
            rec["email"] = f"{user}@{domain[1]}{domain[0]}{domain[2:]}"
        return rec

    for i in range(260):
        family = "garcia" if i % 4 == 0 else _surname(rng)
        person = _person(rng, rng.choice(GIVEN), family)
        for _ in range(rng.choice([1, 2, 2, 3])):
            add(variant(person))
    # the same surname in two spellings of one sound: "cruz"/"kruz" share the key of the
    # common "garcia" (``krs``), "zhukov"/"joukov" a key no one else has
    sound: dict[str, list[tuple[int, int]]] = {"common": [], "rare": []}
    for kind, (a, b) in [("common", ("cruz", "kruz")), ("rare", ("zhukov", "joukov"))] * 6:
        person = _person(rng, rng.choice(GIVEN), a)
        sound[kind].append((add(person), add(person | {"family_name": b})))
    namesakes = []
    for i in range(12):
        given, family = GIVEN[i], _surname(rng)
        first = _person(rng, given, family) | {"email": f"{given}.{family}@example.com"}
        second = _person(rng, given, family) | {"email": f"{given}.{family}@example.org"}
        second["dob"] = None  # nothing but the name (and its e-mail) to go on
        namesakes.append((add(first), add(second)))
    # a community of few surnames, and two different people recorded with the names in
    # swapped order (the surname in the given-name field): "nguyen" is rare as a given name
    # only because it is a surname, so agreeing on it there proves no more than as a surname
    viet = ["lan", "minh", "hung", "thao", "anh", "linh", "tuan", "mai", "duc", "hoa"]
    for _ in range(60):
        family = rng.choice(["nguyen", "nguyen", "tran", "le"])
        person = _person(rng, rng.choice(viet), family)
        for _ in range(rng.choice([1, 2, 2])):
            add(variant(person))
    swapped = []
    for given in viet[:6]:
        first = _person(rng, "nguyen", given) | {"email": None}
        second = _person(rng, "nguyen", given) | {"email": None, "dob": None}
        swapped.append((add(first), add(second)))
    typist = _person(rng, "donna", _surname(rng))
    user, domain = str(typist["email"]).split("@")
    typo = (
        add(typist),
        add(typist | {"email": f"{user}@{domain[:2]}{domain[3]}{domain[2]}{domain[4:]}"}),
    )
    # two people at one postcode with two different common given names alike in spelling
    # ("mary" and "mark"), and one person whose common given name is mistyped ("marry")
    alike = {}
    for kind, (a, b) in (("common", ("mary", "mark")), ("typo", ("mary", "marry"))):
        family = _surname(rng)
        person = _person(rng, a, family)
        alike[kind] = (add(person), add(person | {"given_name": b}))
    # people recorded a second time with given and family name swapped and one of the two
    # mistyped (two letters transposed): "yogn wang" for "wang yong"
    swapped_typo = []
    for i in range(8):
        given, family = GIVEN[i], _surname(rng)
        person = _person(rng, given, family)
        name = family if i % 2 else given
        mistyped = name[:2] + name[3] + name[2] + name[4:]
        second = person | (
            {"given_name": family, "family_name": mistyped}
            if i % 2 == 0
            else {"given_name": mistyped, "family_name": given}
        )
        swapped_typo.append((add(person), add(second | {"phone": None})))
    # Chinese names recorded in two romanisations (pinyin and Wade-Giles or Cantonese), and
    # Korean ones in two (a passport spelling, the Revised Romanization or McCune-Reischauer),
    # once in the same order and once swapped: "wang xiaoming" / "wong siu ming", "liu
    # ching" / "qing liu", "jung dong hyun" / "tong hyon jeong"
    romanised: dict[str, list[tuple[int, int]]] = {"same order": [], "swapped": []}
    for kind, names in (
        (
            "same order",
            [
                ("xiaoming", "wang", "siu ming", "wong"),
                ("jing", "zhang", "ching", "cheung"),
                ("xin", "yang", "hsin", "yeung"),
                ("jian", "chen", "kin", "chan"),
                # Korean: passport spellings, and the Revised Romanization with an older
                # spelling of the surname
                ("hyun woo", "lee", "hyeon u", "rhee"),
            ],
        ),
        (
            "swapped",  # none of whose given names share a sound key (that level comes first)
            [
                ("xiaoming", "wang", "siu ming", "wong"),
                ("xin", "yang", "hsin", "yeung"),
                ("jie", "lin", "kit", "lam"),
                ("qiang", "zhou", "keung", "chau"),
                ("dong hyun", "jung", "tong hyon", "jeong"),
                # one name alike in every romanisation ("ming"): it stands for itself
                ("ming", "hsu", "ming", "xu"),
            ],
        ),
    ):
        for given, family, given2, family2 in names:
            person = _person(rng, given, family) | {"email": None}
            other = (
                {"given_name": given2, "family_name": family2}
                if kind == "same order"
                else {"given_name": family2, "family_name": given2}
            )
            romanised[kind].append((add(person), add(person | other)))
    # people recorded a second time with given and family name swapped and each spelled
    # another way of the same sound, too far apart in spelling for the level above:
    # "catherine smyth" / "smith kathryn"
    swapped_sound = []
    for given, family, given2, family2 in (
        ("catherine", "smyth", "kathryn", "smith"),
        ("carl", "reid", "karl", "reed"),
        ("stephen", "gray", "steven", "grey"),
        ("carl", "smyth", "karl", "smith"),
    ):
        person = _person(rng, given, family) | {"email": None}
        other = {"given_name": family2, "family_name": given2, "phone": None}
        swapped_sound.append((add(person), add(person | other)))
    # a double surname split over two fields in one record ("pedro | ramirez | garcia",
    # the paternal surname as middle name) and written as one surname in the other
    # ("pedro | c | ramirez"): the family names differ, and so do the middle names
    shifted = []
    for i in range(8):
        paternal, maternal = _surname(rng), _surname(rng)
        person = _person(rng, GIVEN[i], maternal) | {"middle_name": paternal, "email": None}
        # an initial no surname here starts with (``_surname``), so the initials never agree
        other = {"middle_name": "chjwxy"[i % 6], "family_name": paternal, "phone": None}
        shifted.append((add(person), add(person | other)))
    # a surname mistyped (two letters transposed), common ("garcia") or rare, and the
    # common one recorded twice as it is
    spelling: dict[str, list[tuple[int, int]]] = {"common": [], "rare": [], "exact": []}
    for kind in ("common", "rare", "common", "rare", "exact"):
        family = _surname(rng) if kind == "rare" else "garcia"
        person = _person(rng, rng.choice(GIVEN), family) | {"email": None}
        mistyped = family if kind == "exact" else family[:3] + family[4] + family[3] + family[5:]
        spelling[kind].append((add(person), add(person | {"family_name": mistyped})))
    linkage = link(prepare(records))
    pairs = {(p["unique_id_l"], p["unique_id_r"]): p for p in linkage.pairs.to_pylist()}
    return Model(
        linkage,
        pairs,
        namesakes,
        typo,
        sound,
        swapped,
        alike,
        swapped_typo,
        romanised,
        swapped_sound,
        shifted,
        spelling,
    )


def test_a_shared_user_name_at_another_provider_counts_for_nothing(model: Model) -> None:
    level = model.level("email", "same user name (counted under the names)")
    assert level["m_probability"] == level["u_probability"]
    scored = [model.pairs[p] for p in model.namesakes if p in model.pairs]
    assert scored, "the namesakes were never compared"
    for p in scored:
        assert p["mw_email"] == pytest.approx(0.0)
        assert p["match_probability"] < 0.8


def test_a_mistyped_e_mail_domain_still_counts_for_a_match(model: Model) -> None:
    p = model.pairs[model.typo]
    level = model.level("email", "one or two characters differ")
    assert level["m_probability"] > level["u_probability"]
    assert p["mw_email"] > 3.0


def test_a_rare_name_adds_at_most_the_capped_bits(model: Model) -> None:
    pairs = list(model.pairs.values())
    for name in ("given_name", "family_name"):
        adjustments = [p[f"mw_tf_adj_{name}"] or 0.0 for p in pairs]
        assert max(adjustments) <= NAME_TF_MAX_BITS + 1e-9
        assert min(adjustments) < 0  # common names still count for less
    # the cap is saved with the model, so incremental and real-time scoring apply it too
    exact = model.level("given_name", "exact")
    assert exact["tf_minimum_u_value"] == pytest.approx(
        exact["u_probability"] / 2**NAME_TF_MAX_BITS
    )


def test_a_close_spelling_of_a_common_surname_proves_less_than_of_a_rare_one(
    model: Model,
) -> None:
    labels = [lv.get("label_for_charts") for lv in _levels(model, "family_name")]
    gamma = len(labels) - 1 - labels.index("similar spelling (Jaro-Winkler ≥ 0.92)")
    adjustment = {}
    for kind, pairs in model.spelling.items():
        scored = [model.pairs[p] for p in pairs]
        if kind != "exact":
            assert all(p["gamma_family_name"] == gamma for p in scored), kind
        adjustment[kind] = [p["mw_tf_adj_family_name"] for p in scored]
    assert max(adjustment["common"]) < 0 < min(adjustment["rare"])
    # at half the weight of the exact level's adjustment for the same (commoner) name
    (exact,) = adjustment["exact"]
    assert adjustment["common"] == pytest.approx([exact / 2] * 2)


def test_namesakes_recorded_in_swapped_name_order_are_not_linked(model: Model) -> None:
    # Two different people, both recorded as given name "nguyen": the rarity of "nguyen"
    # in the given-name field is an artefact of the swap, and may add at most the cap.
    scored = [model.pairs[p] for p in model.swapped if p in model.pairs]
    assert len(scored) >= 3
    for p in scored:
        assert p["mw_tf_adj_given_name"] <= NAME_TF_MAX_BITS + 1e-9
        assert p["match_probability"] < 0.8


def test_agreeing_on_a_common_sound_key_counts_for_less(model: Model) -> None:
    assert sound_key("cruz") == sound_key("kruz") == sound_key("garcia")
    assert sound_key("zhukov") == sound_key("joukov")
    level = model.level("family_name", "same sound")
    assert level["tf_adjustment_column"] == "family_key"
    labels = [lv.get("label_for_charts") for lv in _levels(model, "family_name")]
    gamma = len(labels) - 1 - labels.index("same sound")
    weights = {}
    for kind, pairs in model.sound.items():
        scored = [model.pairs[p] for p in pairs if p in model.pairs]
        assert scored, kind
        assert all(p["gamma_family_name"] == gamma for p in scored), kind
        weights[kind] = {p["mw_family_name"] + p["mw_tf_adj_family_name"] for p in scored}
    # the key of the common surname proves less than a key few names share
    assert max(weights["common"]) < min(weights["rare"])


def test_two_common_given_names_alike_have_a_level_of_their_own(model: Model) -> None:
    labels = [lv.get("label_for_charts") for lv in _levels(model, "given_name")]
    assert labels.index(COMMON_ALIKE) == labels.index(ROMANISED) + 1
    assert "'mary'" in model.level("given_name", COMMON_ALIKE)["sql_condition"]
    gamma = {label: len(labels) - 1 - i for i, label in enumerate(labels)}
    common, typo = (model.pairs[model.alike[k]] for k in ("common", "typo"))
    assert common["gamma_given_name"] == gamma[COMMON_ALIKE]  # "mary" and "mark"
    # a typo makes a rare string: "marry" is compared as a spelling of "mary"
    assert typo["gamma_given_name"] == gamma["similar spelling (Jaro-Winkler ≥ 0.92)"]


def test_the_common_names_level_runs_on_spark_too() -> None:
    # Splink writes the Jaro-Winkler call in each engine's dialect (Spark: ``jaro_winkler``)
    comparison = given_name(["ann", "anne"]).get_comparison("spark")
    (level,) = [lv for lv in comparison.comparison_levels if lv.label_for_charts == COMMON_ALIKE]
    assert "jaro_winkler(" in level.sql_condition
    assert "given_l IN ('ann', 'anne')" in level.sql_condition


def test_names_swapped_with_a_typo_count_for_a_match_once(model: Model) -> None:
    labels = [lv.get("label_for_charts") for lv in _levels(model, "given_name")]
    assert labels.index(SWAPPED_ALIKE) == labels.index("given and family name swapped") + 1
    gamma = len(labels) - 1 - labels.index(SWAPPED_ALIKE)
    scored = [model.pairs[p] for p in model.swapped_typo if p in model.pairs]
    assert len(scored) >= 6
    for p in scored:
        assert p["gamma_given_name"] == gamma
        assert p["mw_given_name"] > 3  # evidence for one person, learned by EM
        assert p["mw_family_name"] == 0  # counted once: the family name's level is neutral
        assert p["match_probability"] > 0.9


def test_the_swapped_names_level_is_written_for_each_engine() -> None:
    for comparison in (given_name(), family_name()):
        duck, spark = (comparison.get_comparison(d) for d in ("duckdb", "spark"))
        (level,) = [
            lv for lv in duck.comparison_levels if "spelled similarly" in str(lv.label_for_charts)
        ]
        assert level.sql_condition == (
            'jaro_winkler_similarity("given_l", "family_r") >= 0.92 AND '
            'jaro_winkler_similarity("family_l", "given_r") >= 0.92'
        )
        (level,) = [
            lv for lv in spark.comparison_levels if "spelled similarly" in str(lv.label_for_charts)
        ]
        assert "jaro_winkler(`given_l`, `family_r`) >= 0.92" in level.sql_condition


def test_common_names_are_those_of_enough_records() -> None:
    floor = COMMON_NAME_MIN_RECORDS
    names = ["ann"] * floor + ["bob"] * (floor - 1) + [None] * 50 + ["cy"] * (floor + 5)
    assert common_names(pa.array(names), len(names)) == ["ann", "cy"]
    # at scale the share decides: 0.05% of 200,000 records is 100
    names = ["ann"] * 100 + ["bob"] * 99
    assert common_names(pa.array(names), 200_000) == ["ann"]


def _levels(model: Model, comparison: str) -> list[dict[str, Any]]:
    """The comparison's levels without its null level, strongest first."""
    for c in model.linkage.model["comparisons"]:
        if c["output_column_name"] == comparison:
            return [lv for lv in c["comparison_levels"] if not lv.get("is_null_level")]
    raise AssertionError(comparison)


def test_one_chinese_or_korean_name_in_two_romanisations_counts_for_a_match(model: Model) -> None:
    """ "wang xiaoming" and "wong siu ming" (pinyin and Cantonese), in the same order or
    swapped, land on levels of their own, which EM finds to be evidence for one person;
    a swapped pair counts its names once (the family name's level is neutral)."""
    given = [lv.get("label_for_charts") for lv in _levels(model, "given_name")]
    family = [lv.get("label_for_charts") for lv in _levels(model, "family_name")]
    g = {label: len(given) - 1 - i for i, label in enumerate(given)}
    f = {label: len(family) - 1 - i for i, label in enumerate(family)}
    for pair in model.romanised["same order"]:
        p = model.pairs[pair]
        assert (p["gamma_given_name"], p["gamma_family_name"]) == (g[ROMANISED], f[ROMANISED])
        assert p["mw_given_name"] > 0
        assert p["mw_family_name"] > 0
        assert p["match_probability"] > 0.9
    for pair in model.romanised["swapped"]:
        p = model.pairs[pair]
        assert p["gamma_given_name"] == g[SWAPPED_ROMANISED]
        assert p["mw_given_name"] > 3
        assert p["mw_family_name"] == 0
        assert p["match_probability"] > 0.9


def test_names_swapped_and_each_respelled_by_sound_count_once_for_a_match(model: Model) -> None:
    given = [lv.get("label_for_charts") for lv in _levels(model, "given_name")]
    level = len(given) - 1 - given.index(SWAPPED_SOUND)
    for pair in model.swapped_sound:
        p = model.pairs[pair]
        assert p["gamma_given_name"] == level
        assert p["mw_given_name"] > 3
        assert p["mw_family_name"] == 0
        assert p["match_probability"] > 0.9


def test_a_family_name_read_as_the_other_records_middle_name_counts_once(model: Model) -> None:
    """The family-name comparison finds the surname in the other record's middle name and
    EM finds that to be evidence of one person; the middle names' disagreement is not
    counted against the pair as well (that level is neutral)."""
    family = [lv.get("label_for_charts") for lv in _levels(model, "family_name")]
    middle = [lv.get("label_for_charts") for lv in _levels(model, "middle_name")]
    shifted = len(family) - 1 - family.index(FAMILY_AS_MIDDLE)
    neutral = next(lb for lb in middle if str(lb).startswith("one's middle name is"))
    for pair in model.shifted:
        p = model.pairs[pair]
        assert p["gamma_family_name"] == shifted
        assert p["mw_family_name"] > 3
        assert p["gamma_middle_name"] == len(middle) - 1 - middle.index(neutral)
        assert p["mw_middle_name"] == 0
        assert p["match_probability"] > 0.9


def test_the_swapped_romanisations_level_is_written_for_each_engine() -> None:
    for comparison in (given_name(), family_name()):
        duck, spark = (comparison.get_comparison(d) for d in ("duckdb", "spark"))
        for built, call in ((duck, "list_has_any"), (spark, "arrays_overlap")):
            (level,) = [
                lv
                for lv in built.comparison_levels
                if "in other romanisations" in str(lv.label_for_charts)
            ]
            assert f"{call}(" in level.sql_condition
            # a name with no romanisation keys is compared as itself
            assert "coalesce(" in level.sql_condition
            assert "given_roman_l" in level.sql_condition.replace('"', "").replace("`", "")
            assert "family_roman_r" in level.sql_condition.replace('"', "").replace("`", "")


@pytest.mark.parametrize(
    ("left", "right", "holds"),
    [
        # (middle, family) of each record
        (("ramirez", "garcia"), ("c", "ramirez"), True),  # the paternal surname moved
        (("ramirez", "garcia"), (None, "ramirez"), True),
        (("c", "ramirez"), ("ramirez", "garcia"), True),  # either way round
        (("ramirez", "garcia"), ("ramirez", None), False),  # middle names agree: nothing moved
        (("ramirez", None), ("c", "ramirez"), True),  # a family name missing on one side
        (("garcia", "garcia"), ("garcia", "lopez"), False),  # same middle, surnames differ
        (("jose", "garcia"), ("garcia", "garcia"), False),  # same family name: exact level
        (("r", "garcia"), ("c", "r"), False),  # an initial is no surname
        ((None, "garcia"), ("c", "lopez"), False),
    ],
)
def test_a_family_name_counts_as_moved_only_where_nothing_else_agrees(
    left: tuple[str | None, str | None], right: tuple[str | None, str | None], holds: bool
) -> None:
    """The condition of the level "one's family name is the other's middle name", run in
    DuckDB on the pair as Splink lays it out."""
    level = next(
        lv
        for lv in family_name().get_comparison("duckdb").comparison_levels
        if lv.label_for_charts == FAMILY_AS_MIDDLE
    )
    row = {"middle_l": left[0], "family_l": left[1], "middle_r": right[0], "family_r": right[1]}
    con = duckdb.connect()
    con.register("pair", pa.Table.from_pylist([row], schema=_PAIR_SCHEMA))
    (found,) = con.sql(f"SELECT coalesce({level.sql_condition}, false) FROM pair").fetchall()
    assert found[0] is holds


_PAIR_SCHEMA = pa.schema(
    [(c, pa.string()) for c in ("middle_l", "family_l", "middle_r", "family_r")]
)


@pytest.mark.parametrize(
    ("left", "right", "holds"),
    [
        # (given, family) of each record
        (("xiaoming", "he"), ("he zhao", "xiaoming"), True),  # one half of a double surname
        (("wei", "zhang"), ("zhan", "wei"), True),  # swapped and one name mistyped
        (("haoran", "wang"), ("wang", "hao ran"), True),  # the given name split in two
        (("yang", "haoran"), ("hao jan", "yang"), True),  # the other respelled
        (("hua", "huang"), ("hwang", "huo"), True),  # one in another romanisation
        (("jie", "liu"), ("ilu", None), False),  # a name missing
        (("jie", "liu"), ("mark", "jie"), False),  # the other name not alike
        (("jie", "liu"), ("ilu", "jane"), False),  # neither the same
        # a particle is not a word in common, nor makes the names alike
        (("hassan", "al masri"), ("al rashid", "hassan"), False),
        (("leon", "de la cruz"), ("de la rosa", "leon"), False),
    ],
)
def test_a_swap_with_one_name_the_same_and_the_other_alike(
    left: tuple[str, str | None], right: tuple[str, str | None], holds: bool
) -> None:
    """The condition of the level "swapped, one the same and the other alike", run in
    DuckDB on the pair as Splink lays it out (romanisation keys as ``prepare`` makes them)."""
    level = next(
        lv
        for lv in given_name().get_comparison("duckdb").comparison_levels
        if lv.label_for_charts == SWAPPED_HALF
    )
    row: dict[str, Any] = {}
    for side, (given, family) in (("l", left), ("r", right)):
        row[f"given_{side}"], row[f"family_{side}"] = given, family
        row[f"given_roman_{side}"] = roman_list(given) if given else None
        row[f"family_roman_{side}"] = roman_list(family) if family else None
        row[f"family_tokens_{side}"] = list(surname_tokens(family)) if family else None
    schema = pa.schema(
        [(f"{c}_{s}", pa.string()) for c in ("given", "family") for s in "lr"]
        + [
            (f"{c}_{s}", pa.list_(pa.string()))
            for c in ("given_roman", "family_roman", "family_tokens")
            for s in "lr"
        ]
    )
    con = duckdb.connect()
    con.register("pair", pa.Table.from_pylist([row], schema=schema))
    (found,) = con.sql(f"SELECT coalesce({level.sql_condition}, false) FROM pair").fetchall()
    assert found[0] is holds


def test_the_half_swap_level_is_written_for_each_engine_and_counted_once() -> None:
    for engine, call, split in (
        ("duckdb", "list_has_any", "string_split"),
        ("spark", "arrays_overlap", "split"),
    ):
        given = given_name().get_comparison(engine)
        (level,) = [lv for lv in given.comparison_levels if lv.label_for_charts == SWAPPED_HALF]
        assert f"{call}(" in level.sql_condition
        assert f"{split}(" in level.sql_condition
        labels = [lv.label_for_charts for lv in given.comparison_levels]
        # after the stricter swaps, before the loose spelling level
        assert labels.index(SWAPPED_HALF) == labels.index(SWAPPED_SOUND) + 1
        family = family_name().get_comparison(engine)
        (twin,) = [
            lv
            for lv in family.comparison_levels
            if "one the same and the other alike" in str(lv.label_for_charts)
        ]
        assert twin.m_probability == twin.u_probability == 0.5  # neutral


def test_the_family_name_is_compared_with_middle_names_only_where_they_are_compared() -> None:
    """Below the middle-name comparison's floor (1% of records) the family-name comparison
    has no level that reads the middle name: EM would learn its weight from a handful of
    pairs, and nothing would count the middle names' side of the shift."""

    def family_labels(middles: int) -> list[str]:
        present = {"given": 1000, "family": 1000, "dob": 1000, "middle": middles}
        chosen = choose_comparisons(present, 1000)
        names = [c.get_comparison("duckdb").output_column_name for c in chosen]
        assert ("middle_name" in names) is (middles >= 10)
        family = chosen[names.index("family_name")].get_comparison("duckdb")
        return [str(lv.label_for_charts) for lv in family.comparison_levels]

    assert FAMILY_AS_MIDDLE in family_labels(10)
    assert FAMILY_AS_MIDDLE not in family_labels(9)
