"""The comparisons the linkage model makes, built from the columns the data actually has.

Each comparison is a Splink ``CustomComparison``: ordered levels from strongest agreement to
disagreement, each with its own m and u learned from the data. The levels encode what is
known about how people's details vary between records:

* names: exact, nickname or alias ("Bill"/"William", one step either way), for given
  names two different common names alike in spelling or sound ("Yong"/"Yang"), Jaro-Winkler
  ≥ 0.92, the same transliteration sound key ("Yevgeny"/"Evgeniy"), given and family name
  swapped (exactly, or each spelled like the other side's within Jaro-Winkler 0.92: "Yong
  Wang" and "Wnag Yong", or in another romanisation: "Ming Hsu" and "Xu Ming", or each
  with the other side's sound key: "Hwang Wah" and "Wah Huang"; or one the same and the
  other only alike: "Xiaoming He" and "He Zhao Xiaoming"), one part of a double
  surname, a family name that is the other record's middle name (a double surname split
  over two fields), Jaro-Winkler ≥ 0.8, an initial against a name;
* name suffix: the same generation, or different ones ("Jr" and "Sr"), with m and u fixed;
* date of birth: exact, a partial date that agrees as far as it goes, day and month swapped,
  one digit wrong, the year off by one, the same year;
* address, place (postcode, then city, then postcode district), phone, e-mail, sex, middle
  name, and each person identifier (exact, one typo or transposition).

Term-frequency adjustment applies to the exact name, date, address, place and phone levels
and to a family name found in the other record's middle name, and, at half weight, to the
fuzzy name levels: a close spelling of a common name proves less
than a close spelling of a rare one. The sound-key levels are adjusted by how common the
*key* is: a short or common skeleton stands for many different names ("garcia" and "cruz"
are both ``krs``; "gang" and "qing" both ``knk``), so agreeing on it proves little, while a
long rare one ("yevgeny"/"evgeniy") keeps its weight. How far a rare name may raise the
weight is capped after training (``linkage.NAME_TF_MAX_BITS``). SQL fragments are written
for DuckDB and marked as such, so Splink translates them (sqlglot) when the Spark backend
runs the same model.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink.internals.column_expression import ColumnExpression
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.comparison_level_creator import ComparisonLevelCreator
from splink.internals.dialects import SplinkDialect

from linkwise.resolve.prepare import EXTRA_PREFIX, PERSON_IDENTIFIERS

DIALECT = "duckdb"
FUZZY_TF_WEIGHT = 0.5
TF_MINIMUM_U = 1e-6
COMMON_ALIKE = "alike, but two common names"
ROMANISED = "one name in two romanisations"
SWAPPED_ROMANISED = "given and family name swapped, in other romanisations"
SWAPPED_ALIKE = "given and family name swapped, spelled similarly"
SWAPPED_SOUND = "given and family name swapped, each sounding like the other"
SWAPPED_HALF = "given and family name swapped, one the same and the other alike"
FAMILY_AS_MIDDLE = "one's family name is the other's middle name"
SWAPPED_ALIKE_JW = 0.92
"""How alike each name must be to the other side's other name for ``SwappedAlikeLevel``:
the threshold of the "similar spelling" level."""
SWAPPED_HALF_JW = 0.8
"""How alike the other name must be for ``SwappedHalfLevel``, when it shares no word: the
threshold of the "loosely similar" level."""
MIN_PRESENT_SHARE = 0.01
"""A column must be filled in at least this share of records for a comparison on it: below
that, EM sees too few agreeing pairs to estimate m and the comparison adds only noise."""


def _custom(sql: str, label: str) -> cll.CustomLevel:
    return cll.CustomLevel(sql, label_for_charts=label, base_dialect_str=DIALECT)


class SwappedAlikeLevel(ComparisonLevelCreator):
    """Given and family name swapped against each other, each spelled like the other
    side's within ``SWAPPED_ALIKE_JW`` ("yong wang" beside "wnag yong"): a swap and a typo
    in one record. Splink's ``ColumnsReversedLevel`` wants both names exactly; its own
    Jaro-Winkler level compares a column only with itself. The function is the engine's
    (``jaro_winkler_similarity`` on DuckDB, ``jaro_winkler`` on Spark), as Splink's levels
    write it. The condition is symmetrical: it holds for (l, r) exactly when for (r, l)."""

    def __init__(self, given: str, family: str, threshold: float = SWAPPED_ALIKE_JW) -> None:
        self.given = ColumnExpression.instantiate_if_str(given)
        self.family = ColumnExpression.instantiate_if_str(family)
        self.threshold = threshold

    def create_sql(self, sql_dialect: SplinkDialect) -> str:
        self.given.sql_dialect = sql_dialect
        self.family.sql_dialect = sql_dialect
        jw = sql_dialect.jaro_winkler_function_name
        g, f, t = self.given, self.family, self.threshold
        return f"{jw}({g.name_l}, {f.name_r}) >= {t} AND {jw}({f.name_l}, {g.name_r}) >= {t}"

    def create_label_for_charts(self) -> str:
        return SWAPPED_ALIKE


class _CrossedNames(ComparisonLevelCreator):
    """What the swap levels that read romanisation keys share: their columns, set to the
    engine's dialect, and how each engine writes an array overlap and a one-name array (as
    Splink's own array levels are written: ``list_has_any`` and ``list_value`` on DuckDB,
    ``arrays_overlap`` and ``array`` on Spark)."""

    def __init__(self, *columns: str) -> None:
        self.columns = [ColumnExpression.instantiate_if_str(c) for c in columns]

    def _for(self, sql_dialect: SplinkDialect) -> bool:
        """Set the columns to ``sql_dialect``; whether it is Spark's."""
        for column in self.columns:
            column.sql_dialect = sql_dialect
        return bool(sql_dialect.sql_dialect_str == "spark")

    @staticmethod
    def _overlap(spark: bool, a: str, b: str) -> str:
        return f"{'arrays_overlap' if spark else 'list_has_any'}({a}, {b})"

    @classmethod
    def _keys_shared(cls, spark: bool, a: tuple[str, str], b: tuple[str, str]) -> str:
        """Whether two names, each given as (name, its romanisation keys), share a key; a
        name without keys stands for itself."""
        one = "array" if spark else "list_value"
        return cls._overlap(
            spark, f"coalesce({a[1]}, {one}({a[0]}))", f"coalesce({b[1]}, {one}({b[0]}))"
        )


class SwappedRomanisedLevel(_CrossedNames):
    """Given and family name swapped against each other, each possibly in another
    romanisation ("liu ching" beside "qing liu": Wade-Giles and pinyin of one Chinese name
    in the other order): each name's romanisation keys (``normalize.romanisation_keys``,
    the prepared columns ``given_roman`` and ``family_roman``) share one with the other
    side's other name. A name with no keys (one spelled alike in every system, "ming", or
    no Chinese name at all) stands for itself, so "ming hsu" beside "xu ming" (one name
    the same, the other romanised) is on this level too; both names the same is the plain
    swap, an earlier level. Symmetrical."""

    def __init__(self, given: str, family: str, given_roman: str, family_roman: str) -> None:
        super().__init__(given, family, given_roman, family_roman)

    def create_sql(self, sql_dialect: SplinkDialect) -> str:
        spark = self._for(sql_dialect)
        g, f, gk, fk = self.columns
        return (
            f"{self._keys_shared(spark, (g.name_l, gk.name_l), (f.name_r, fk.name_r))} AND "
            f"{self._keys_shared(spark, (f.name_l, fk.name_l), (g.name_r, gk.name_r))}"
        )

    def create_label_for_charts(self) -> str:
        return SWAPPED_ROMANISED


class SwappedHalfLevel(_CrossedNames):
    """Given and family name swapped against each other, one of them the same as the other
    side's other name (or sharing a romanisation key with it, as ``SwappedRomanisedLevel``
    reads keys) and the other only alike: within Jaro-Winkler ``SWAPPED_HALF_JW``, sharing a
    word, or the same once spaces are dropped. A swap with a second slip in one name: a
    typo ("zhan wei" beside "wei zhang"), one half of a double surname ("xiaoming he"
    beside "he zhao xiaoming"), a given name split in two ("haoran wang" beside "wang hao
    ran") or respelled ("yang haoran" beside "hao jan yang"). The family name is read as
    its words without particles (``family_tokens``: "al", "de la", "van" dropped), so that
    "hassan al masri" beside "al rashid hassan" is not alike by its "al". The stricter swap
    levels come first. Symmetrical."""

    def __init__(
        self, given: str, family: str, given_roman: str, family_roman: str, family_tokens: str
    ) -> None:
        super().__init__(given, family, given_roman, family_roman, family_tokens)

    def create_sql(self, sql_dialect: SplinkDialect) -> str:
        spark = self._for(sql_dialect)
        split = "split" if spark else "string_split"
        join = "array_join" if spark else "array_to_string"
        jw = sql_dialect.jaro_winkler_function_name
        g, f, gk, fk, ft = self.columns

        def same(a: tuple[str, str], b: tuple[str, str]) -> str:
            return f"({a[0]} = {b[0]} OR {self._keys_shared(spark, a, b)})"

        def alike(given: str, family_tokens: str) -> str:
            family = f"{join}({family_tokens}, ' ')"
            words = self._overlap(spark, f"{split}({given}, ' ')", family_tokens)
            return (
                f"({jw}({given}, {family}) >= {SWAPPED_HALF_JW} OR {words} "
                f"OR replace({given}, ' ', '') = replace({family}, ' ', ''))"
            )

        return (
            f"(({same((g.name_l, gk.name_l), (f.name_r, fk.name_r))} AND "
            f"{alike(g.name_r, ft.name_l)}) OR "
            f"({alike(g.name_l, ft.name_r)} AND "
            f"{same((f.name_l, fk.name_l), (g.name_r, gk.name_r))}))"
        )

    def create_label_for_charts(self) -> str:
        return SWAPPED_HALF


_SWAPPED_SOUND_SQL = "given_key_l = family_key_r AND family_key_l = given_key_r"
"""Given and family name swapped, each with the other side's other name's sound key
("hwang wah" beside "wah huang")."""


_FAMILY_AS_MIDDLE_SQL = (
    "((length(middle_r) > 1 AND family_l = middle_r) "
    "OR (length(middle_l) > 1 AND middle_l = family_r)) "
    "AND coalesce(middle_l, '') <> coalesce(middle_r, '') "
    "AND coalesce(family_l, '') <> coalesce(family_r, '')"
)
"""A name moved between fields: one record's family name is the other's middle name (not
an initial). A double surname ("Pedro Ramírez García") goes into a form with one surname
field as middle name "Ramírez" and family name "García", or as family name "Ramírez"
alone; without this the family names and the middle names both disagree. Where the two
records' middle names agree, or their family names do, no name moved: "ana | garcia |
garcia" beside "ana | garcia | lopez" shares a middle name, and the second surnames differ
("" stands for a missing name, so a pair with one family name missing can still hold)."""


def _neutral(level: Any, label: str) -> Any:
    """A level that counts for nothing (m = u, both fixed): the family-name twin of a swap
    level of the given-name comparison, so that a swap is counted once, and the middle-name
    twin of the family name found in the other record's middle name."""
    return level.configure(
        label_for_charts=label,
        m_probability=0.5,
        u_probability=0.5,
        fix_m_probability=True,
        fix_u_probability=True,
    )


def _fuzzy_tf(level: Any, column: str) -> Any:
    return level.configure(
        tf_adjustment_column=column,
        tf_adjustment_weight=FUZZY_TF_WEIGHT,
        tf_minimum_u_value=TF_MINIMUM_U,
    )


COMMON_NAME_SHARE = 0.0005
"""A given name is common (``common_names``) when at least this share of the records bear
it, and at least ``COMMON_NAME_MIN_RECORDS`` of them (fewer do not measure a share)."""
COMMON_NAME_MIN_RECORDS = 20


def common_names(values: pa.ChunkedArray | pa.Array, n_records: int) -> list[str]:
    """The folded given names common enough in the data that a near spelling of one is
    more likely another real name than a typo of it (see ``given_name``), sorted."""
    floor = max(COMMON_NAME_MIN_RECORDS, math.ceil(COMMON_NAME_SHARE * n_records))
    counts = pc.value_counts(pc.drop_null(values))
    names = counts.field("values").to_pylist()
    return sorted(
        str(v)
        for v, c in zip(names, counts.field("counts").to_pylist(), strict=True)
        if v and c >= floor
    )


def _in_list(column: str, values: Sequence[str]) -> str:
    quoted = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    return f"{column} IN ({quoted})"


def given_name(common: Sequence[str] = ()) -> ComparisonCreator:
    """Given names compared level by level (module docstring). With ``common`` names, a
    pair of *different* common names that are alike in spelling or sound ("yong" and
    "yang", "mario" and "maria", "gang" and "qing") has a level of its own, tried before
    the spelling and sound levels: a typo makes a rare string far more often than another
    common name, so two common names alike are mostly two people. EM learns what the
    level is worth; where it is one person written two ways (a transliteration), EM finds
    that too."""
    levels = [
        cll.NullLevel("given"),
        cll.ExactMatchLevel("given", term_frequency_adjustments=True).configure(
            label_for_charts="exact"
        ),
        cll.ArrayIntersectLevel("given_nicks", 1).configure(label_for_charts="nickname or alias"),
        _fuzzy_tf(cll.ArrayIntersectLevel("given_roman", 1), "given").configure(
            label_for_charts=ROMANISED
        ),
    ]
    if common:
        both = f"{_in_list('given_l', common)} AND {_in_list('given_r', common)}"
        alike = cll.Or(cll.JaroWinklerLevel("given", 0.8), cll.ExactMatchLevel("given_key"))
        levels.append(
            cll.And(cll.CustomLevel(both, base_dialect_str=DIALECT), alike).configure(
                label_for_charts=COMMON_ALIKE
            )
        )
    return cl.CustomComparison(
        output_column_name="given_name",
        comparison_description="Given name",
        comparison_levels=[
            *levels,
            _fuzzy_tf(cll.JaroWinklerLevel("given", 0.92), "given").configure(
                label_for_charts="similar spelling (Jaro-Winkler ≥ 0.92)"
            ),
            _fuzzy_tf(cll.ExactMatchLevel("given_key"), "given_key").configure(
                label_for_charts="same sound"
            ),
            cll.ColumnsReversedLevel("given", "family", symmetrical=True).configure(
                label_for_charts="given and family name swapped"
            ),
            SwappedAlikeLevel("given", "family"),
            SwappedRomanisedLevel("given", "family", "given_roman", "family_roman"),
            # adjusted as the sound level is: a short key ("l", "jn") stands for many names
            _fuzzy_tf(_custom(_SWAPPED_SOUND_SQL, SWAPPED_SOUND), "given_key"),
            SwappedHalfLevel("given", "family", "given_roman", "family_roman", "family_tokens"),
            cll.JaroWinklerLevel("given", 0.8).configure(
                label_for_charts="loosely similar (Jaro-Winkler ≥ 0.8)"
            ),
            _custom(
                "substr(given_l, 1, 1) = substr(given_r, 1, 1) "
                "AND (length(given_l) = 1 OR length(given_r) = 1)",
                "initial agrees",
            ),
            cll.ElseLevel().configure(label_for_charts="different"),
        ],
    )


def family_name(middle: bool = True) -> ComparisonCreator:
    """Family names compared level by level (module docstring); with ``middle`` (the data
    has enough middle names for their own comparison), also against the other record's
    middle name."""
    # the agreeing surname weighs at most what it weighs in the exact level: Splink adjusts
    # by the commoner of the two records' family names ("garcia" little)
    shifted = _custom(_FAMILY_AS_MIDDLE_SQL, FAMILY_AS_MIDDLE).configure(
        tf_adjustment_column="family", tf_adjustment_weight=1.0, tf_minimum_u_value=TF_MINIMUM_U
    )
    return cl.CustomComparison(
        output_column_name="family_name",
        comparison_description="Family name",
        comparison_levels=[
            cll.NullLevel("family"),
            cll.ExactMatchLevel("family", term_frequency_adjustments=True).configure(
                label_for_charts="exact"
            ),
            _fuzzy_tf(cll.ArrayIntersectLevel("family_roman", 1), "family").configure(
                label_for_charts=ROMANISED
            ),
            _fuzzy_tf(cll.JaroWinklerLevel("family", 0.92), "family").configure(
                label_for_charts="similar spelling (Jaro-Winkler ≥ 0.92)"
            ),
            _fuzzy_tf(cll.ExactMatchLevel("family_key"), "family_key").configure(
                label_for_charts="same sound"
            ),
            cll.ArrayIntersectLevel("family_tokens", 1).configure(
                label_for_charts="one part of a double surname agrees"
            ),
            # The swap is counted once, under the given name; here it is neutral (m = u).
            _neutral(
                cll.ColumnsReversedLevel("family", "given", symmetrical=True),
                "swapped (counted under given name)",
            ),
            _neutral(
                SwappedAlikeLevel("given", "family"),
                "swapped, spelled similarly (counted under given name)",
            ),
            _neutral(
                SwappedRomanisedLevel("given", "family", "given_roman", "family_roman"),
                "swapped, in other romanisations (counted under given name)",
            ),
            _neutral(
                _custom(_SWAPPED_SOUND_SQL, SWAPPED_SOUND),
                "swapped, each sounding like the other (counted under given name)",
            ),
            _neutral(
                SwappedHalfLevel("given", "family", "given_roman", "family_roman", "family_tokens"),
                "swapped, one the same and the other alike (counted under given name)",
            ),
            *([shifted] if middle else []),
            cll.JaroWinklerLevel("family", 0.8).configure(
                label_for_charts="loosely similar (Jaro-Winkler ≥ 0.8)"
            ),
            cll.ElseLevel().configure(label_for_charts="different"),
        ],
    )


def middle_name() -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="middle_name",
        comparison_description="Middle name",
        comparison_levels=[
            cll.NullLevel("middle"),
            cll.ExactMatchLevel("middle").configure(label_for_charts="exact"),
            _custom("substr(middle_l, 1, 1) = substr(middle_r, 1, 1)", "initial agrees"),
            _neutral(
                _custom(_FAMILY_AS_MIDDLE_SQL, FAMILY_AS_MIDDLE),
                "one's middle name is the other's family name (counted under family name)",
            ),
            cll.ElseLevel().configure(label_for_charts="different"),
        ],
    )


SUFFIX_M_DIFFERENT = 0.01
"""Share of one person's record pairs, both with a suffix, whose suffixes name different
generations (a clerk's "Sr" for "Jr"). Fixed, not learned: suffixes are too rare for EM
(under 1% of the demo world's records), which would put it near zero and make one wrong
suffix veto any match."""
SUFFIX_U_DIFFERENT = 0.5
"""Share of different people's pairs, both with a suffix, whose suffixes differ: "Jr" is
most common, so random pairs agree about half the time. With the m above, a conflict
weighs log2(0.01 / 0.5) = -5.6 bits and an agreement log2(0.99 / 0.5) = +1 bit."""
SUFFIX_MIN_RECORDS = 20
"""Records with a suffix needed for the comparison: its m and u are fixed, so it needs no
share of the data for training, only enough pairs to matter."""


def name_suffix() -> ComparisonCreator:
    """Generational suffix: the same generation ("jr" and "ii" are one), or different ones
    ("jr" and "sr": a father and son sharing name and address, which nothing else but the
    date of birth tells apart). A missing suffix is no evidence: sources drop them."""
    same = "suffix_l = suffix_r OR (suffix_l IN ('jr', 'ii') AND suffix_r IN ('jr', 'ii'))"
    return cl.CustomComparison(
        output_column_name="name_suffix",
        comparison_description="Name suffix",
        comparison_levels=[
            cll.NullLevel("suffix"),
            _custom(same, "same generation").configure(
                m_probability=1 - SUFFIX_M_DIFFERENT,
                u_probability=1 - SUFFIX_U_DIFFERENT,
                fix_m_probability=True,
                fix_u_probability=True,
            ),
            cll.ElseLevel().configure(
                label_for_charts="different generations",
                m_probability=SUFFIX_M_DIFFERENT,
                u_probability=SUFFIX_U_DIFFERENT,
                fix_m_probability=True,
                fix_u_probability=True,
            ),
        ],
    )


def date_of_birth() -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="dob",
        comparison_description="Date of birth",
        comparison_levels=[
            _custom("dob_y_l IS NULL OR dob_y_r IS NULL", "missing").configure(is_null_level=True),
            cll.ExactMatchLevel("dob", term_frequency_adjustments=True).configure(
                label_for_charts="exact"
            ),
            _custom(
                "(dob_l IS NULL OR dob_r IS NULL) AND dob_y_l = dob_y_r "
                "AND (dob_m_l IS NULL OR dob_m_r IS NULL OR dob_m_l = dob_m_r)",
                "partial date agrees",
            ),
            _custom(
                "dob_y_l = dob_y_r AND dob_m_l = dob_d_r AND dob_d_l = dob_m_r",
                "day and month swapped",
            ),
            cll.DamerauLevenshteinLevel("dob", 1).configure(label_for_charts="one digit differs"),
            _custom(
                "dob_m_l = dob_m_r AND dob_d_l = dob_d_r AND abs(dob_y_l - dob_y_r) = 1",
                "year off by one",
            ),
            _custom("dob_y_l = dob_y_r", "same year"),
            cll.ElseLevel().configure(label_for_charts="different"),
        ],
    )


def place(has_address: bool, has_postcode: bool, has_city: bool) -> ComparisonCreator:
    """Where the person lives, as one comparison: street address, then postcode, then city,
    then postcode area. One comparison, not three: an agreeing address implies an agreeing
    postcode and city, and counting them as independent evidence (Fellegi-Sunter's
    assumption) made members of one household look like one person (measured on the demo
    world: false pairs at p >= 0.9 drew +8.5 from the address and +8.4 from the place)."""
    flags = (("address", has_address), ("postcode", has_postcode), ("city", has_city))
    present = [c for c, has in flags if has]
    levels: list[Any] = []
    if len(present) == 1:
        levels.append(cll.NullLevel(present[0]))
    else:
        missing = " AND ".join(f"({c}_l IS NULL OR {c}_r IS NULL)" for c in present)
        levels.append(_custom(missing, "missing").configure(is_null_level=True))
    if has_address:
        levels.append(
            cll.ExactMatchLevel("address", term_frequency_adjustments=True).configure(
                label_for_charts="same address"
            )
        )
        levels.append(
            cll.And(
                cll.ExactMatchLevel("address_num"), cll.JaroWinklerLevel("address", 0.88)
            ).configure(label_for_charts="same number, similar street")
        )
    if has_postcode:
        levels.append(
            cll.ExactMatchLevel("postcode", term_frequency_adjustments=True).configure(
                label_for_charts="same postcode"
            )
        )
    if has_city:
        levels.append(
            cll.ExactMatchLevel("city", term_frequency_adjustments=True).configure(
                label_for_charts="same city"
            )
        )
    if has_postcode:
        levels.append(
            _custom("substr(postcode_l, 1, 3) = substr(postcode_r, 1, 3)", "same postcode area")
        )
    levels.append(cll.ElseLevel().configure(label_for_charts="different"))
    return cl.CustomComparison(
        output_column_name="place",
        comparison_description="Address, postcode, city",
        comparison_levels=levels,
    )


def phone() -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="phone",
        comparison_description="Phone",
        comparison_levels=[
            cll.NullLevel("phone"),
            cll.ExactMatchLevel("phone", term_frequency_adjustments=True).configure(
                label_for_charts="exact"
            ),
            cll.DamerauLevenshteinLevel("phone", 1).configure(label_for_charts="one digit differs"),
            _custom("right(phone_l, 7) = right(phone_r, 7)", "same last seven digits"),
            cll.ElseLevel().configure(label_for_charts="different"),
        ],
    )


def email() -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="email",
        comparison_description="E-mail",
        comparison_levels=[
            cll.NullLevel("email"),
            cll.ExactMatchLevel("email").configure(label_for_charts="exact"),
            # the same mailbox mistyped ("lola.b@martinez-jones.net", "...@martinesz-jone.net")
            cll.DamerauLevenshteinLevel("email", 2).configure(
                label_for_charts="one or two characters differ"
            ),
            # A user name is usually built from the person's name ("maria.garcia"), so two
            # namesakes share it at other providers far more often than random pairs do:
            # its agreement restates the names' and is counted under them (m = u). Learned,
            # it gave namesakes +13.6 bits (demo world: 2,838 strong false pairs, no true).
            cll.ExactMatchLevel("email_user").configure(
                label_for_charts="same user name (counted under the names)",
                m_probability=0.5,
                u_probability=0.5,
                fix_m_probability=True,
                fix_u_probability=True,
            ),
            cll.ElseLevel().configure(label_for_charts="different"),
        ],
    )


def sex() -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="sex",
        comparison_description="Sex",
        comparison_levels=[
            cll.NullLevel("sex"),
            cll.ExactMatchLevel("sex").configure(label_for_charts="same"),
            cll.ElseLevel().configure(label_for_charts="different"),
        ],
    )


def identifier(kind: str) -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name=kind,
        comparison_description=kind.replace("_", " "),
        comparison_levels=[
            cll.NullLevel(kind),
            cll.ExactMatchLevel(kind).configure(label_for_charts="exact"),
            cll.DamerauLevenshteinLevel(kind, 1).configure(
                label_for_charts="one character differs"
            ),
            cll.ElseLevel().configure(label_for_charts="different"),
        ],
    )


_SIMPLE: dict[str, Callable[[], ComparisonCreator]] = {
    "given": given_name,
    "family": family_name,
    "middle": middle_name,
    "dob_y": date_of_birth,
    "phone": phone,
    "email": email,
    "sex": sex,
}


def choose_comparisons(
    present: Mapping[str, int], n_records: int, common: Sequence[str] = ()
) -> list[ComparisonCreator]:
    """The comparisons worth making on data with these non-null counts per column, and
    ``common`` given names (``common_names``)."""
    floor = max(2, int(MIN_PRESENT_SHARE * n_records))

    def has(column: str) -> bool:
        return present.get(column, 0) >= floor

    special = {"given": lambda: given_name(common), "family": lambda: family_name(has("middle"))}
    chosen = [special.get(column, make)() for column, make in _SIMPLE.items() if has(column)]
    if present.get("suffix", 0) >= SUFFIX_MIN_RECORDS:
        chosen.append(name_suffix())
    if has("address") or has("postcode") or has("city"):
        chosen.append(place(has("address"), has("postcode"), has("city")))
    chosen.extend(identifier(kind) for kind in PERSON_IDENTIFIERS if has(kind))
    chosen.extend(
        attribute(column)
        for column in sorted(present)
        if column.startswith(EXTRA_PREFIX) and has(column)
    )
    return chosen


def attribute(column: str) -> ComparisonCreator:
    """An extra attribute the user mapped (a birth place, an occupation): exact agreement,
    adjusted for how common the value is."""
    return cl.CustomComparison(
        output_column_name=column,
        comparison_description=column.removeprefix(EXTRA_PREFIX).replace("_", " "),
        comparison_levels=[
            cll.NullLevel(column),
            cll.ExactMatchLevel(column, term_frequency_adjustments=True).configure(
                label_for_charts="same"
            ),
            cll.ElseLevel().configure(label_for_charts="different"),
        ],
    )
