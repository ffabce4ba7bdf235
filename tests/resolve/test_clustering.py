from __future__ import annotations

import math
import random
from collections.abc import Iterable
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkwise.resolve.clustering import (
    Clustering,
    DateCheck,
    Edge,
    EdgeColumns,
    Evidence,
    Flag,
    check_dates,
    cluster_records,
    new_year_written_for_unknown,
)
from linkwise.resolve.likeness import families_alike, given_names_compatible, one_edit


def edge(a: int, b: int, p: float, w: float | None = None) -> Edge[int]:
    """An edge whose weight is the log-odds of ``p`` unless given."""
    return Edge(a, b, p, math.log2(p / (1 - p)) if w is None else w)


def groups(result: Clustering[int]) -> set[frozenset[int]]:
    return set(result.clusters)


def joined_as_trees(result: Clustering[int]) -> bool:
    """Whether every cluster was joined by one link fewer than it has records."""
    return all(
        len(links) == len(c) - 1 for c, links in zip(result.clusters, result.merged_by, strict=True)
    )


def kinds(result: Clustering[int]) -> list[str]:
    return [f.kind for f in result.flags]


def only(flags: list[Flag[int]], kind: str) -> Flag[int]:
    matching = [f for f in flags if f.kind == kind]
    assert len(matching) == 1, flags
    return matching[0]


Pairs = list[tuple[int, int]]
Case = tuple[int, list[Edge[int]], dict[int, Evidence], Pairs, Pairs]


def person(
    ssn: str | None = None,
    dob: str | None = None,
    given: str | None = None,
    family: str | None = None,
    address: str | None = None,
    suffix: str | None = None,
) -> Evidence:
    return Evidence({"ssn": ssn} if ssn else {}, dob, given, family, address, suffix=suffix)


# -- basics ------------------------------------------------------------------------------


def test_strong_pairs_join_and_every_record_appears_once() -> None:
    result = cluster_records(range(1, 6), [edge(1, 2, 0.99), edge(3, 4, 0.5)])
    assert result.clusters == [frozenset({1, 2}), frozenset({3}), frozenset({4}), frozenset({5})]
    assert [len(links) for links in result.merged_by] == [1, 0, 0, 0]
    link = result.merged_by[0][0]
    assert (link.left, link.right) == (1, 2)
    assert link.edge == edge(1, 2, 0.99)
    assert result.flags == []


def test_threshold_is_inclusive() -> None:
    result = cluster_records([1, 2], [edge(1, 2, 0.9)], threshold=0.9)
    assert groups(result) == {frozenset({1, 2})}


def test_spanning_links_form_a_tree_of_the_cluster() -> None:
    edges = [edge(1, 2, 0.99), edge(2, 3, 0.98), edge(1, 3, 0.97), edge(3, 4, 0.96)]
    result = cluster_records([1, 2, 3, 4], edges)
    assert groups(result) == {frozenset({1, 2, 3, 4})}
    links = result.merged_by[0]
    assert len(links) == 3
    assert {(link.left, link.right) for link in links} == {(1, 2), (2, 3), (3, 4)}


def test_must_link_joins_without_any_edge_and_shows_as_judgement_link() -> None:
    result = cluster_records([1, 2, 3], [], must_link=[(3, 1)])
    assert groups(result) == {frozenset({1, 3}), frozenset({2})}
    (link,) = result.merged_by[0]
    assert (link.left, link.right, link.edge) == (1, 3, None)


def test_judgements_about_unknown_records_are_ignored() -> None:
    result = cluster_records([1, 2], [], must_link=[(1, 99)], cannot_link=[(2, 98)])
    assert groups(result) == {frozenset({1}), frozenset({2})}


def test_edge_naming_an_unknown_record_is_an_error() -> None:
    with pytest.raises(ValueError, match="record 7"):
        cluster_records([1, 2], [edge(1, 7, 0.99)])
    with pytest.raises(ValueError, match="record 7"):
        cluster_records([1, 2], EdgeColumns(np.array([1]), np.array([7]), [0.99], [6.0]))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"threshold": 0.0},
        {"threshold": 1.5},
        {"support": 0.0},
        {"newcomer_support": 0.0},
        {"newcomer_support": 1.5},
        {"ambiguity_margin": -1.0},
    ],
)
def test_bad_parameters_are_rejected(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must"):
        cluster_records([1, 2], [], **kwargs)  # type: ignore[arg-type]


def test_nan_scores_are_rejected() -> None:
    with pytest.raises(ValueError, match="NaN"):
        cluster_records([1, 2], [Edge(1, 2, math.nan, 1.0)])


# -- cannot-links and must-links ---------------------------------------------------------


def test_cannot_link_blocks_a_direct_merge() -> None:
    result = cluster_records([1, 2], [edge(1, 2, 0.999)], cannot_link=[(2, 1)])
    assert groups(result) == {frozenset({1}), frozenset({2})}
    flag = only(result.flags, "cannot_link")
    assert flag.records == (1, 2)
    assert "judged different" in flag.reason


def test_cannot_link_blocks_a_merge_through_a_chain() -> None:
    # 1 and 3 are never compared, but joining 3 to {1, 2} would put them together.
    edges = [edge(1, 2, 0.999), edge(2, 3, 0.99)]
    result = cluster_records([1, 2, 3], edges, cannot_link=[(1, 3)])
    assert groups(result) == {frozenset({1, 2}), frozenset({3})}
    flag = only(result.flags, "cannot_link")
    assert flag.records == (2, 3)
    assert "records 1 and 3 were judged different" in flag.reason


def test_must_link_contradicting_cannot_link_through_other_must_links() -> None:
    result = cluster_records([1, 2, 3], [], must_link=[(1, 2), (2, 3)], cannot_link=[(1, 3)])
    assert groups(result) == {frozenset({1, 2}), frozenset({3})}
    flag = only(result.flags, "judgement_conflict")
    assert flag.records == (2, 3, 1)
    assert "not applied" in flag.reason
    assert "records 1 and 3, which were judged different" in flag.reason


def test_pair_judged_both_same_and_different_stays_apart() -> None:
    result = cluster_records([1, 2], [edge(1, 2, 0.99)], must_link=[(1, 2)], cannot_link=[(1, 2)])
    assert groups(result) == {frozenset({1}), frozenset({2})}
    assert "were also judged different" in only(result.flags, "judgement_conflict").reason


def test_must_link_overrides_conflicting_evidence() -> None:
    evidence = {1: person(ssn="111111111"), 2: person(ssn="222222222")}
    result = cluster_records([1, 2], [], evidence=evidence, must_link=[(1, 2)])
    assert groups(result) == {frozenset({1, 2})}
    flag = only(result.flags, "judgement_conflict")  # applied, and put to a second look
    assert flag.records == (1, 2)
    assert "judged the same although records 1 and 2 hold different SSN" in flag.reason
    assert "was applied" in flag.reason


def test_must_link_agreeing_with_the_evidence_is_not_flagged() -> None:
    evidence = {1: person(ssn="111111111"), 2: person(ssn="111111111")}
    result = cluster_records([1, 2], [], evidence=evidence, must_link=[(1, 2)])
    assert groups(result) == {frozenset({1, 2})}
    assert result.flags == []


# -- conflicting evidence ----------------------------------------------------------------


def test_different_ssns_refuse_a_merge_and_flag_without_the_numbers() -> None:
    evidence = {1: person(ssn="123456789"), 2: person(ssn="987654321")}
    result = cluster_records([1, 2], [edge(1, 2, 0.999)], evidence=evidence)
    assert groups(result) == {frozenset({1}), frozenset({2})}
    flag = only(result.flags, "conflict")
    assert flag.records == (1, 2)
    assert "different SSN numbers" in flag.reason
    assert "123456789" not in flag.reason
    assert "987654321" not in flag.reason


def test_identifier_conflict_is_checked_between_whole_clusters() -> None:
    # 2 has no SSN, but its cluster does: 3 may not join it.
    evidence = {1: person(ssn="111111111"), 3: person(ssn="333333333")}
    edges = [edge(1, 2, 0.999), edge(2, 3, 0.99)]
    result = cluster_records([1, 2, 3], edges, evidence=evidence)
    assert groups(result) == {frozenset({1, 2}), frozenset({3})}
    assert "records 1 and 3 hold different SSN numbers" in only(result.flags, "conflict").reason


def test_shared_identifier_or_different_identifier_types_do_not_conflict() -> None:
    evidence = {
        1: Evidence({"ssn": "111111111"}),
        2: Evidence({"ssn": "111111111", "passport": "X1"}),
        3: Evidence({"passport": "X1", "case_number": "C-9"}),
        4: Evidence({"case_number": "C-10"}),  # not an exclusive identifier
    }
    edges = [edge(1, 2, 0.999), edge(2, 3, 0.998), edge(3, 4, 0.997)]
    result = cluster_records([1, 2, 3, 4], edges, evidence=evidence, support=0.1)
    assert groups(result) == {frozenset({1, 2, 3, 4})}


def test_exclusive_identifiers_can_be_narrowed() -> None:
    evidence = {1: Evidence({"passport": "P1234567"}), 2: Evidence({"passport": "X9876543"})}
    refused = cluster_records([1, 2], [edge(1, 2, 0.99)], evidence=evidence)
    allowed = cluster_records(
        [1, 2], [edge(1, 2, 0.99)], evidence=evidence, exclusive_identifiers=("ssn",)
    )
    assert "different passport numbers" in only(refused.flags, "conflict").reason
    assert groups(allowed) == {frozenset({1, 2})}


@pytest.mark.parametrize(
    ("dob_a", "dob_b", "apart"),
    [
        ("1980-03-01", "1985-07-01", True),
        ("1980-03-01", "1985-03-01", False),  # one mistyped digit: a typo, not a conflict
        ("1980-03-01", "1980-03-01", False),
        ("1980-03-01", "1982-03-02", True),  # two years and a day
        ("1980-03-01", "1982-03-01", False),  # exactly two years
        ("1980-03-01", "1981-12-25", False),
        ("1980", "1990-05-05", True),  # partial dates compare by year
        ("1980-05", "1982-01-01", False),
        ("1980", "1983", True),
    ],
)
def test_dates_of_birth_years_apart_conflict(dob_a: str, dob_b: str, apart: bool) -> None:
    evidence = {1: person(dob=dob_a), 2: person(dob=dob_b)}
    result = cluster_records([1, 2], [edge(1, 2, 0.999)], evidence=evidence)
    if apart:
        assert groups(result) == {frozenset({1}), frozenset({2})}
        reason = only(result.flags, "conflict").reason
        assert f"dates of birth {dob_a} and {dob_b}, more than 2 years apart" in reason
    else:
        assert groups(result) == {frozenset({1, 2})}


def test_dob_gap_is_configurable() -> None:
    evidence = {1: person(dob="1980-01-01"), 2: person(dob="1984-01-01")}
    result = cluster_records([1, 2], [edge(1, 2, 0.99)], evidence=evidence, dob_year_gap=5)
    assert groups(result) == {frozenset({1, 2})}


def test_malformed_date_of_birth_is_an_error() -> None:
    with pytest.raises(ValueError, match="not ISO"):
        cluster_records([1, 2], [edge(1, 2, 0.99)], evidence={1: person(dob="01/02/1980")})


# -- household ---------------------------------------------------------------------------

HOME = {"family": "garcia", "address": "12 oak st"}


def test_household_members_stay_apart() -> None:
    evidence = {
        1: person(given="maria", dob="1975-04-02", **HOME),
        2: person(given="jose", dob="1976-09-30", **HOME),
    }
    result = cluster_records([1, 2], [edge(1, 2, 0.95)], evidence=evidence)
    assert groups(result) == {frozenset({1}), frozenset({2})}
    reason = only(result.flags, "household").reason
    assert "share family name 'garcia' and address '12 oak st'" in reason
    assert "given names ('maria', 'jose') and dates of birth (1975-04-02, 1976-09-30)" in reason


@pytest.mark.parametrize(("given_a", "given_b"), [("william", "bill"), ("j", "jose")])
def test_nickname_or_initial_of_the_same_person_merges(given_a: str, given_b: str) -> None:
    # The dates differ (a typo), but the names may be one person's: not a household.
    evidence = {
        1: person(given=given_a, dob="1975-04-02", **HOME),
        2: person(given=given_b, dob="1975-04-12", **HOME),
    }
    result = cluster_records([1, 2], [edge(1, 2, 0.95)], evidence=evidence)
    assert groups(result) == {frozenset({1, 2})}


def test_twins_stay_apart() -> None:
    # Same family, address and date of birth, given names that cannot be one person's.
    evidence = {
        1: person(given="maria", dob="1975-04", **HOME),
        2: person(given="jose", dob="1975-04-02", **HOME),
    }
    result = cluster_records([1, 2], [edge(1, 2, 0.95)], evidence=evidence)
    assert groups(result) == {frozenset({1}), frozenset({2})}
    assert "likely twins" in only(result.flags, "household").reason


@pytest.mark.parametrize(
    ("given_b", "dob_b", "apart"),
    [
        ("asha", "2004-11-04", True),  # 13 months apart, no slip explains it
        ("ashaa", "2002-01-30", True),  # a typo of the name does not make it one person
        ("asha", "2003-09-26", False),  # the same date
        ("asha", "2003-09-28", False),  # one digit
        ("asha", "2004-09-26", False),  # the year off by one
    ],
)
def test_relatives_of_one_name_at_one_address_stay_apart(
    given_b: str, dob_b: str, apart: bool
) -> None:
    home = {"family": "nair", "address": "4 elm rd"}
    evidence = {
        1: person(given="asha", dob="2003-09-26", **home),
        2: person(given=given_b, dob=dob_b, **home),
    }
    result = cluster_records([1, 2], [edge(1, 2, 0.999)], evidence=evidence)
    if apart:
        assert groups(result) == {frozenset({1}), frozenset({2})}
        reason = only(result.flags, "household").reason
        assert "share family name 'nair', address '4 elm rd' and a given name" in reason
        assert "dates of birth 2003-09-26 and " + dob_b in reason
        assert "likely two relatives of one name" in reason
    else:
        assert groups(result) == {frozenset({1, 2})}
        assert result.flags == []


def test_relatives_of_one_name_in_swapped_order_stay_apart() -> None:
    # "dang trung" and "trung dang": the family names as recorded differ, the names do not.
    evidence = {
        1: person(given="dang", family="trung", dob="2001-10-04", address="7 hill st"),
        2: person(given="trung", family="dang", dob="2003-07-31", address="7 hill st"),
    }
    result = cluster_records([1, 2], [edge(1, 2, 0.99)], evidence=evidence)
    assert groups(result) == {frozenset({1}), frozenset({2})}
    reason = only(result.flags, "household").reason
    assert "share address '7 hill st' and two names, in swapped order on one side" in reason
    assert "dates of birth 2001-10-04 and 2003-07-31" in reason
    same_day = {**evidence, 2: replace(evidence[2], dob="2001-10-04")}
    result = cluster_records([1, 2], [edge(1, 2, 0.99)], evidence=same_day)
    assert groups(result) == {frozenset({1, 2})}


@pytest.mark.parametrize(("dob_b", "apart"), [("2010-09-26", False), ("2010-10-26", True)])
def test_the_year_off_by_one_is_a_slip_across_a_decade(dob_b: str, apart: bool) -> None:
    # 2009 and 2010 differ in two digits: only the year-off-by-one rule calls it a slip
    home = {"family": "nair", "address": "4 elm rd"}
    evidence = {
        1: person(given="asha", dob="2009-09-26", **home),
        2: person(given="asha", dob=dob_b, **home),
    }
    result = cluster_records([1, 2], [edge(1, 2, 0.999)], evidence=evidence)
    together = groups(result) == {frozenset({1, 2})}
    assert together is not apart


def test_initials_are_no_swapped_names_for_the_relatives_rule() -> None:
    # "a smith" and "s anderson" fit each other swapped only through initials: their family
    # names do not agree, so the relatives-of-one-name rule does not apply
    evidence = {
        1: person(given="a", family="smith", dob="1980-01-02", address="1 oak st"),
        2: person(given="s", family="anderson", dob="1981-05-09", address="1 oak st"),
    }
    result = cluster_records([1, 2], [edge(1, 2, 0.99)], evidence=evidence)
    assert groups(result) == {frozenset({1, 2})}


def test_day_and_month_swapped_is_one_person_at_one_address() -> None:
    home = {"family": "nair", "address": "4 elm rd"}
    evidence = {
        1: person(given="asha", dob="2003-09-06", **home),
        2: person(given="asha", dob="2003-06-09", **home),
    }
    result = cluster_records([1, 2], [edge(1, 2, 0.999)], evidence=evidence)
    assert groups(result) == {frozenset({1, 2})}


@pytest.mark.parametrize(
    ("dob_b", "address_b", "ssn"),
    [
        ("2004-11-04", "9 oak st", None),  # another address: the model decides
        ("2004-11", "4 elm rd", None),  # a month-only date may be the same day
        (None, "4 elm rd", None),  # no date to tell them apart
        ("2004-11-04", "4 elm rd", "123456789"),  # one SSN on both
    ],
)
def test_one_name_at_one_address_is_left_to_the_model_without_two_full_dates(
    dob_b: str | None, address_b: str, ssn: str | None
) -> None:
    evidence = {
        1: person(given="asha", dob="2003-09-26", family="nair", address="4 elm rd", ssn=ssn),
        2: person(given="asha", dob=dob_b, family="nair", address=address_b, ssn=ssn),
    }
    result = cluster_records([1, 2], [edge(1, 2, 0.999)], evidence=evidence)
    assert groups(result) == {frozenset({1, 2})}


def test_a_given_name_typo_or_transliteration_is_no_household() -> None:
    for other in ("mraia", "marya"):
        evidence = {
            1: person(given="maria", dob="1975-04-02", **HOME),
            2: person(given=other, dob="1975-04-02", **HOME),
        }
        result = cluster_records([1, 2], [edge(1, 2, 0.95)], evidence=evidence)
        assert groups(result) == {frozenset({1, 2})}, other


def test_a_father_and_son_with_suffixes_stay_apart() -> None:
    # Same name and address, no date of birth on one side to tell them apart: only the
    # suffixes say that these are two generations.
    evidence = {
        1: person(given="pavel", dob="1968-04-13", suffix="sr", **HOME),
        2: person(given="pavel", suffix="jr", **HOME),
    }
    result = cluster_records([1, 2], [edge(1, 2, 0.99)], evidence=evidence)
    assert groups(result) == {frozenset({1}), frozenset({2})}
    reason = only(result.flags, "conflict").reason
    assert "name suffixes 'sr' and 'jr'" in reason
    assert "father and son" in reason


@pytest.mark.parametrize(
    ("suffix_a", "suffix_b", "merged"),
    [
        ("jr", "jr", True),
        ("jr", None, True),  # a dropped suffix is no evidence
        (None, "sr", True),
        ("jr", "ii", True),  # both "the second"
        ("ii", "iii", False),
        ("iii", "iv", False),
        ("sr", "iii", False),
    ],
)
def test_suffix_conflicts(suffix_a: str | None, suffix_b: str | None, merged: bool) -> None:
    evidence = {
        1: person(given="james", suffix=suffix_a, **HOME),
        2: person(given="james", suffix=suffix_b, **HOME),
    }
    result = cluster_records([1, 2], [edge(1, 2, 0.99)], evidence=evidence)
    assert (groups(result) == {frozenset({1, 2})}) is merged


def test_suffix_conflict_between_clusters_and_a_shared_identifier() -> None:
    # The son's records (one with the suffix dropped) join; the father's do not join them.
    evidence = {
        1: person(given="bruce", suffix="jr", dob="1995-03-06", **HOME),
        2: person(given="bruce", dob="1995-03-06", **HOME),
        3: person(given="bruce", suffix="sr", **HOME),
    }
    edges = [edge(1, 2, 0.999), edge(2, 3, 0.99), edge(1, 3, 0.98)]
    result = cluster_records([1, 2, 3], edges, evidence=evidence)
    assert groups(result) == {frozenset({1, 2}), frozenset({3})}
    # a shared identifier outweighs the suffixes, as it does a date-of-birth gap
    shared = {k: replace(v, shared=frozenset({("ssn", "1")})) for k, v in evidence.items()}
    result = cluster_records([1, 2, 3], edges, evidence=shared)
    assert groups(result) == {frozenset({1, 2, 3})}


def test_household_needs_the_same_address() -> None:
    evidence = {
        1: person(given="maria", dob="1975-04-02", family="garcia", address="12 oak st"),
        2: person(given="jose", dob="1976-09-30", family="garcia", address="9 elm st"),
    }
    result = cluster_records([1, 2], [edge(1, 2, 0.95)], evidence=evidence)
    assert groups(result) == {frozenset({1, 2})}


def test_caller_supplied_given_name_comparison() -> None:
    evidence = {
        1: person(given="maria", dob="1975-04-02", **HOME),
        2: person(given="rosa", dob="1975-04-12", **HOME),  # a slip of one digit
    }
    apart = cluster_records([1, 2], [edge(1, 2, 0.95)], evidence=evidence)
    together = cluster_records(
        [1, 2],
        [edge(1, 2, 0.95)],
        evidence=evidence,
        given_compatible=lambda a, b: a[-1] == b[-1],
    )
    assert kinds(apart) == ["household"]
    assert groups(together) == {frozenset({1, 2})}


def test_given_names_compatible() -> None:
    assert given_names_compatible("john", "john")
    assert given_names_compatible("j", "john")
    assert given_names_compatible("mary ann", "mary")
    assert given_names_compatible("bill", "william")
    assert not given_names_compatible("john", "mary")
    assert not given_names_compatible("j", "mary")
    # a short form, the name written as one word or two, an OCR misreading
    assert given_names_compatible("barb", "barbara")
    assert given_names_compatible("maxim", "max")
    assert given_names_compatible("su bin", "subin")
    assert given_names_compatible("rnegan", "megan")
    assert given_names_compatible("x1nyi", "xinyi")
    assert given_names_compatible("lupe", "guadalupe")  # a short form from the end
    assert given_names_compatible("hsin", "xin")  # Wade-Giles and pinyin
    assert given_names_compatible("chiang", "qiang")
    assert not given_names_compatible("al", "alice")  # too short to be taken as a short form
    assert not given_names_compatible("qiang", "ling")
    # one Chinese name in two romanisations; two names that share one spelling are not one
    assert given_names_compatible("lam", "lin")
    assert given_names_compatible("siu ming", "xiaoming")
    assert not given_names_compatible("wei", "hui")
    # a nickname of another spelling of the formal name, or of a typo of it
    assert given_names_compatible("sasha", "alexandr")
    assert given_names_compatible("zhenya", "yevgeni")
    assert given_names_compatible("kostya", "konstantine")
    assert given_names_compatible("r0b", "robert")  # a nickname with a misread digit
    # but not a typo away from any short candidate, nor letters folded as if misread, nor
    # a Cantonese spelling that is another name's pinyin: siblings' names stay two names
    for a, b in [
        ("brian", "ryan"),
        ("aaron", "eric"),
        ("carol", "sara"),
        ("gary", "gregory"),
        ("sandra", "alexander"),
        ("arnie", "james"),
        ("xin", "yan"),
        ("yun", "wan"),
    ]:
        assert not given_names_compatible(a, b), (a, b)


def _twin(given: str, family: str, address: str = "12 OAK ST") -> Evidence:
    return person(given=given, family=family, dob="1970-10-23", address=address)


def test_twins_stay_apart_when_one_has_a_record_in_swapped_name_order() -> None:
    # Qiang Cao has a record with the names swapped ("cao qiang"); his twin Ling Cao must
    # not be merged into his cluster just because "cao" now appears as a given name there.
    evidence = {
        1: _twin("qiang", "cao"),
        2: _twin("cao", "qiang"),
        3: _twin("ling", "cao"),
    }
    edges = [edge(1, 2, 0.999, 14.0), edge(1, 3, 0.999, 19.0), edge(2, 3, 0.99, 8.0)]
    result = cluster_records([1, 2, 3], edges, evidence=evidence)
    assert groups(result) == {frozenset({1, 2}), frozenset({3})}
    assert "likely twins" in only(result.flags, "household").reason


def test_one_persons_names_in_two_romanisations_are_not_taken_for_twins() -> None:
    # Hui Lim's records with her name in Mandarin and in Cantonese (Wai Lim): one person,
    # same date of birth and address, merged.
    same = {1: _twin("hui", "lim"), 2: _twin("wai", "lim")}
    result = cluster_records([1, 2], [edge(1, 2, 0.999, 20.0)], evidence=same)
    assert groups(result) == {frozenset({1, 2})}
    assert "household" not in kinds(result)
    # Her twin Wei Lim ("wai" too in Cantonese, but not the name "hui") stays apart.
    twins = {1: _twin("hui", "lim"), 3: _twin("wei", "lim")}
    result = cluster_records([1, 3], [edge(1, 3, 0.999, 20.0)], evidence=twins)
    assert groups(result) == {frozenset({1}), frozenset({3})}
    assert "likely twins" in only(result.flags, "household").reason


def test_the_same_names_in_swapped_order_are_one_person_not_a_household() -> None:
    evidence = {1: _twin("qiang", "cao"), 2: _twin("cao", "qiang")}
    result = cluster_records([1, 2], [edge(1, 2, 0.99)], evidence=evidence)
    assert groups(result) == {frozenset({1, 2})}
    assert not result.flags


@pytest.mark.parametrize(
    ("family_b", "address_b"),
    [
        ("brookz", "12 OAK ST"),  # a typo in the family name
        ("cao", "12 OAK ST # 5"),  # the flat written differently (below: "APT 5")
        ("martinez cao", "12 OAK ST"),  # one part of a double surname
        ("tsao", "12 OAK ST"),  # the surname in another romanisation (cao/tsao)
        ("rodrigues brooks", "12 OAK ST"),  # one part of a double surname, mistyped
    ],
)
def test_twins_stay_apart_across_spelling_variants_of_family_and_address(
    family_b: str, address_b: str
) -> None:
    family_a = {"brookz": "brooks", "rodrigues brooks": "rodriguez"}.get(family_b, "cao")
    address_a = "12 OAK ST APT 5" if "#" in address_b else "12 OAK ST"
    evidence = {
        1: _twin("jacob", family_a, address_a),
        2: _twin("charles", family_b, address_b),
    }
    result = cluster_records([1, 2], [edge(1, 2, 0.999, 18.0)], evidence=evidence)
    assert groups(result) == {frozenset({1}), frozenset({2})}
    assert "likely twins" in only(result.flags, "household").reason


def test_twins_stay_apart_when_one_files_the_first_surname_as_a_middle_name() -> None:
    # Carlos Ortiz Perez written as given carlos, middle ortiz, family perez; his twin
    # Alberto's record keeps only the first surname.
    carlos = replace(_twin("carlos", "perez"), middle_name="ortiz")
    alberto = _twin("alberto", "ortiz")
    result = cluster_records([1, 2], [edge(1, 2, 0.999, 18.0)], evidence={1: carlos, 2: alberto})
    assert groups(result) == {frozenset({1}), frozenset({2})}
    reason = only(result.flags, "household").reason
    assert "family name 'ortiz' (filed as a middle name on one side)" in reason
    assert "likely twins" in reason


@pytest.mark.parametrize(
    ("middle_a", "middle_b", "family_b"),
    [
        ("o", None, "ortiz"),  # an initial is no surname
        ("ortiz", "ortiz", "lopez"),  # two middle names alike, no family name shared
        (None, None, "ortiz"),  # no middle name: the families differ
    ],
)
def test_a_middle_name_makes_a_household_only_beside_the_other_family_name(
    middle_a: str | None, middle_b: str | None, family_b: str
) -> None:
    a = replace(_twin("carlos", "perez"), middle_name=middle_a)
    b = replace(_twin("alberto", family_b), middle_name=middle_b)
    result = cluster_records([1, 2], [edge(1, 2, 0.999, 18.0)], evidence={1: a, 2: b})
    assert groups(result) == {frozenset({1, 2})}
    assert "household" not in kinds(result)


@pytest.mark.parametrize(
    ("given_a", "given_b"),
    [
        ("mi gyeong", "min seo"),  # first words one letter apart, second words unalike
        ("hye jin", "hyeon u"),  # the first word begins the other's
        ("jae won", "jin ho"),  # first words of one sound key
    ],
)
def test_twins_with_two_word_given_names_alike_only_in_the_first_word_stay_apart(
    given_a: str, given_b: str
) -> None:
    evidence = {1: _twin(given_a, "kim"), 2: _twin(given_b, "kim")}
    result = cluster_records([1, 2], [edge(1, 2, 0.999, 18.0)], evidence=evidence)
    assert groups(result) == {frozenset({1}), frozenset({2})}
    assert "likely twins" in only(result.flags, "household").reason


@pytest.mark.parametrize(
    ("given_a", "given_b"),
    [
        ("hyun woo", "hyeon u"),  # one Korean name in two romanisations
        ("xiao ming", "siu ming"),  # one Chinese name in two romanisations
        ("mary ann", "marie anne"),  # both words alike
        ("su bin", "subin"),  # one name with and without its space
        ("hyun woo", "hyun u"),  # the first words the same, the second romanised
        ("bill joe", "william joseph"),  # nicknames of both words
        ("mary beth", "marie elizabeth"),
        ("mari carmen", "maria del carmen"),  # a particle in one
        ("abd al rahman", "abdul rahman"),
    ],
)
def test_one_two_word_given_name_spelt_two_ways_is_no_household(given_a: str, given_b: str) -> None:
    evidence = {1: _twin(given_a, "kim"), 2: _twin(given_b, "kim")}
    result = cluster_records([1, 2], [edge(1, 2, 0.999, 18.0)], evidence=evidence)
    assert groups(result) == {frozenset({1, 2})}
    assert "household" not in kinds(result)


def test_one_person_with_a_surname_filed_as_a_middle_name_is_no_household() -> None:
    # Carlos Ortiz Perez, once as given carlos, middle ortiz, family perez, once as carlos
    # ortiz: the same given name, so one person, merged
    a = replace(_twin("carlos", "perez"), middle_name="ortiz")
    b = _twin("carlos", "ortiz")
    result = cluster_records([1, 2], [edge(1, 2, 0.999, 18.0)], evidence={1: a, 2: b})
    assert groups(result) == {frozenset({1, 2})}
    assert not result.flags


@pytest.mark.parametrize(
    ("a", "b", "alike"),
    [
        ("li", "lee", True),  # one Chinese surname in two romanisations
        ("xu", "tsui", True),
        ("perez rodrigues", "rodriguez", True),  # a word one typo from the other
        ("garcia", "garcia lopez", True),  # a shared word
        ("ruiz", "ruis", True),  # one typo in a name of four letters
        ("lee", "rhee", False),  # the Korean keys are the model's, not the check's
        ("li", "wu", False),
        ("ruiz", "diaz lopez", False),
    ],
)
def test_family_names_alike_for_the_household_check(a: str, b: str, alike: bool) -> None:
    assert families_alike(a, b) is alike
    assert families_alike(b, a) is alike


def test_a_short_form_of_the_given_name_is_no_household() -> None:
    evidence = {
        1: person(given="barbara", family="dunham", dob="1979-06-13", address="1 ELM ST"),
        2: person(given="barb", family="dunham", dob="1979-06-13", address="1 ELM ST"),
    }
    result = cluster_records([1, 2], [edge(1, 2, 0.99)], evidence=evidence)
    assert groups(result) == {frozenset({1, 2})}


# -- chaining and support ----------------------------------------------------------------


def test_chain_through_a_weak_end_pair_is_prevented() -> None:
    # A-B and B-C are strong, but A and C were scored as probably different.
    edges = [edge(1, 2, 0.999), edge(2, 3, 0.99), edge(1, 3, 0.1)]
    result = cluster_records([1, 2, 3], edges)
    assert groups(result) == {frozenset({1, 2}), frozenset({3})}
    assert result.flags == []  # B prefers A by more than the margin: nothing ambiguous


def test_chain_joins_when_the_end_pair_was_never_scored() -> None:
    result = cluster_records([1, 2, 3], [edge(1, 2, 0.999), edge(2, 3, 0.99)])
    assert groups(result) == {frozenset({1, 2, 3})}


def test_one_middling_pair_does_not_break_a_true_cluster() -> None:
    edges = [edge(1, 2, 0.999), edge(2, 3, 0.99), edge(1, 3, 0.5)]
    result = cluster_records([1, 2, 3], edges)
    assert groups(result) == {frozenset({1, 2, 3})}


def test_support_is_averaged_over_all_scored_cross_pairs() -> None:
    # {1,2} + {3,4}: cross pairs 0.99, 0.3, 0.3, 0.3 average 0.47: refused; but the
    # same join at support 0.5 (needs 0.45) goes through.
    edges = [
        edge(1, 2, 0.999),
        edge(3, 4, 0.998),
        edge(2, 3, 0.99),
        edge(1, 3, 0.3),
        edge(1, 4, 0.3),
        edge(2, 4, 0.3),
    ]
    assert groups(cluster_records(range(1, 5), edges)) == {frozenset({1, 2}), frozenset({3, 4})}
    assert groups(cluster_records(range(1, 5), edges, support=0.5)) == {frozenset({1, 2, 3, 4})}


def test_a_single_record_joins_an_entity_of_three_on_the_newcomer_bar() -> None:
    # {1,2,3} is held together by its own links; 4 matches 1 strongly and scores middling
    # pairs with the sparse copies 2 and 3: mean (0.99 + 0.2 + 0.2) / 3 = 0.46, short of
    # 0.65 x 0.9 = 0.585 but above the newcomer bar 0.4 x 0.9 = 0.36.
    core = [edge(1, 2, 0.999), edge(1, 3, 0.998), edge(2, 3, 0.997)]
    weak = [edge(1, 4, 0.99), edge(2, 4, 0.2), edge(3, 4, 0.2)]
    everyone = {frozenset({1, 2, 3, 4})}
    assert groups(cluster_records(range(1, 5), core + weak)) == everyone
    apart = {frozenset({1, 2, 3}), frozenset({4})}
    assert groups(cluster_records(range(1, 5), core + weak, newcomer_support=0.6)) == apart
    # below the newcomer bar too: mean (0.99 + 0.02 + 0.02) / 3 = 0.34 < 0.36
    weaker = [edge(1, 4, 0.99), edge(2, 4, 0.02), edge(3, 4, 0.02)]
    assert groups(cluster_records(range(1, 5), core + weaker)) == apart


def test_records_judged_the_same_count_as_one_for_the_newcomer_bar() -> None:
    # {1,2,3} with 1 and 2 judged the same is two units, so 4 joining it is the chain A-B-C:
    # the full bar (0.585) against the grouped mean (0.99 + 0.02) / 2 = 0.505: refused.
    core = [edge(1, 2, 0.999), edge(1, 3, 0.998), edge(2, 3, 0.997)]
    newcomer = [edge(1, 4, 0.99), edge(2, 4, 0.2), edge(3, 4, 0.02)]
    judged = cluster_records(range(1, 5), core + newcomer, must_link=[(1, 2)])
    assert groups(judged) == {frozenset({1, 2, 3}), frozenset({4})}
    # unjudged, three units: mean (0.99 + 0.2 + 0.02) / 3 = 0.40 against the newcomer 0.36
    assert groups(cluster_records(range(1, 5), core + newcomer)) == {frozenset({1, 2, 3, 4})}


def test_a_judged_pair_joins_an_entity_of_three_units_on_the_newcomer_bar() -> None:
    # {1,2,3} and the judged pair {4,5}: the pair counts as one record, so it joins three
    # units on the newcomer bar 0.36; its best pairs with 1, 2, 3: (0.99 + 0.2 + 0.2) / 3
    # = 0.46, short of the full 0.585 for two clusters.
    core = [edge(1, 2, 0.999), edge(1, 3, 0.998), edge(2, 3, 0.997)]
    pair = [edge(1, 4, 0.99), edge(2, 4, 0.2), edge(3, 4, 0.2), edge(3, 5, 0.1)]
    result = cluster_records(range(1, 6), core + pair, must_link=[(4, 5)])
    assert groups(result) == {frozenset({1, 2, 3, 4, 5})}
    apart = cluster_records(range(1, 6), core + pair, must_link=[(4, 5)], newcomer_support=0.6)
    assert groups(apart) == {frozenset({1, 2, 3}), frozenset({4, 5})}


def test_the_newcomer_bar_is_not_used_for_two_clusters_or_a_chain_of_three() -> None:
    # {1,2} + {3,4}: cross pairs 0.99, 0.2, 0.2, 0.2 average 0.40, above the newcomer bar
    # (0.36) but a merge of two clusters: the full bar (0.585) refuses it.
    edges = [
        edge(1, 2, 0.999),
        edge(3, 4, 0.998),
        edge(2, 3, 0.99),
        edge(1, 3, 0.2),
        edge(1, 4, 0.2),
        edge(2, 4, 0.2),
    ]
    assert groups(cluster_records(range(1, 5), edges)) == {frozenset({1, 2}), frozenset({3, 4})}
    # and a single record joining a pair keeps the full bar (the chain A-B-C)
    chain = [edge(1, 2, 0.999), edge(2, 3, 0.99), edge(1, 3, 0.1)]
    assert groups(cluster_records([1, 2, 3], chain)) == {frozenset({1, 2}), frozenset({3})}


def test_a_pair_given_twice_counts_once() -> None:
    # With 2-3 counted twice the mean would be (0.99 + 0.99 + 0.3) / 3 = 0.76 >= 0.72.
    edges = [edge(1, 2, 0.999), edge(2, 3, 0.99), edge(3, 2, 0.99, 5.0), edge(1, 3, 0.3)]
    result = cluster_records([1, 2, 3], edges, support=0.8)
    assert groups(result) == {frozenset({1, 2}), frozenset({3})}


def test_duplicate_pair_keeps_its_strongest_edge() -> None:
    result = cluster_records([1, 2], [edge(2, 1, 0.5, 0.0), edge(1, 2, 0.95, 4.0)])
    assert groups(result) == {frozenset({1, 2})}
    assert result.merged_by[0][0].edge == Edge(1, 2, 0.95, 4.0)


def test_duplicate_pair_with_equal_weights_keeps_the_higher_probability() -> None:
    edges = [edge(1, 2, 0.5, 4.0), edge(2, 1, 0.95, 4.0)]
    for ordered in (edges, edges[::-1]):
        result = cluster_records([1, 2], ordered)
        assert result.merged_by[0][0].edge == Edge(2, 1, 0.95, 4.0)


# -- ambiguity ---------------------------------------------------------------------------


def two_people_and_x(x_to_b: float) -> tuple[list[Edge[int]], dict[int, Evidence]]:
    """{1, 2} and {3, 4} hold different SSNs; record 5 matches 1 at weight 10 and 3 at
    ``x_to_b``."""
    edges = [
        edge(1, 2, 0.999, 12.0),
        edge(3, 4, 0.999, 12.0),
        edge(5, 1, 0.999, 10.0),
        edge(5, 3, 0.999, x_to_b),
    ]
    evidence = {1: person(ssn="111111111"), 3: person(ssn="333333333")}
    return edges, evidence


def test_record_matching_two_unmergeable_clusters_equally_is_left_alone() -> None:
    edges, evidence = two_people_and_x(9.6)
    result = cluster_records(range(1, 6), edges, evidence=evidence)
    assert groups(result) == {frozenset({1, 2}), frozenset({3, 4}), frozenset({5})}
    flag = only(result.flags, "ambiguous")
    assert flag.records == (5, 1, 3)
    assert "record 1 (weight 10.00) and record 3 (weight 9.60)" in flag.reason
    assert kinds(result) == ["ambiguous"]  # the refusal that led here is not repeated


def test_clear_preference_is_not_ambiguous() -> None:
    edges, evidence = two_people_and_x(8.0)
    result = cluster_records(range(1, 6), edges, evidence=evidence)
    assert groups(result) == {frozenset({1, 2, 5}), frozenset({3, 4})}
    assert kinds(result) == ["conflict"]
    assert only(result.flags, "conflict").records == (3, 5)


def test_margin_is_configurable() -> None:
    edges, evidence = two_people_and_x(8.0)
    result = cluster_records(range(1, 6), edges, evidence=evidence, ambiguity_margin=3.0)
    assert frozenset({5}) in groups(result)


def test_record_joined_by_judgement_is_never_ambiguous() -> None:
    edges, evidence = two_people_and_x(9.6)
    result = cluster_records(range(1, 6), edges, evidence=evidence, must_link=[(5, 1)])
    assert groups(result) == {frozenset({1, 2, 5}), frozenset({3, 4})}
    assert "ambiguous" not in kinds(result)


def test_removing_an_ambiguous_bridge_reclusters_its_cluster() -> None:
    # 5 first joins 1, and 6 joins only through 5. Once 5 is taken out, 6 must not stay
    # attached to 1 through it: clustered again, 6 is on its own.
    edges, evidence = two_people_and_x(9.6)
    edges.append(edge(5, 6, 0.999, 9.8))
    result = cluster_records(range(1, 7), edges, evidence=evidence)
    assert groups(result) == {
        frozenset({1, 2}),
        frozenset({3, 4}),
        frozenset({5}),
        frozenset({6}),
    }
    assert joined_as_trees(result)


def test_a_record_left_alone_joins_once_its_two_clusters_are_one() -> None:
    # 1 fits 2 and 3 about equally but was judged different from 3; 4 fits 2 and 3 about
    # equally too. Taken out, 1 and 4 let 2 and 3 join; 1 still may not join them (the
    # judgement), but 4 now has one cluster to join and is let back into it.
    edges = [
        edge(1, 2, 0.999, 22.9),
        edge(1, 3, 0.999, 21.9),
        edge(2, 3, 0.999, 15.0),
        edge(4, 2, 0.999, 10.3),
        edge(4, 3, 0.999, 9.3),
    ]
    result = cluster_records(range(1, 5), edges, cannot_link=[(1, 3)])
    assert groups(result) == {frozenset({1}), frozenset({2, 3, 4})}
    assert [f.records for f in result.flags if f.kind == "ambiguous"] == [(1, 2, 3)]
    assert joined_as_trees(result)


# -- determinism and inputs --------------------------------------------------------------


def random_case(
    seed: int,
) -> tuple[
    list[int], list[Edge[int]], dict[int, Evidence], list[tuple[int, int]], list[tuple[int, int]]
]:
    rng = random.Random(seed)
    records = list(range(60))
    edges = []
    for _ in range(250):
        a, b = rng.sample(records, 2)
        p = rng.choice([0.999, 0.99, 0.95, 0.92, 0.6, 0.2, 0.01])
        edges.append(edge(a, b, p, round(math.log2(p / (1 - p))) + rng.choice([0.0, 0.5])))
    evidence = {
        r: person(
            ssn=rng.choice([None, None, "111111111", "222222222"]),
            dob=rng.choice([None, "1980-01-01", "1990-06-01", "1980"]),
            given=rng.choice(["ann", "bob", "a"]),
            family="lee",
            address=rng.choice(["1 a st", "2 b st"]),
        )
        for r in records
    }
    must = [(rng.choice(records), rng.choice(records)) for _ in range(5)]
    cannot = [(rng.choice(records), rng.choice(records)) for _ in range(8)]
    return records, edges, evidence, must, cannot


@pytest.mark.parametrize("seed", range(5))
def test_shuffled_input_gives_identical_output(seed: int) -> None:
    records, edges, evidence, must, cannot = random_case(seed)
    first = cluster_records(records, edges, evidence=evidence, must_link=must, cannot_link=cannot)
    rng = random.Random(seed + 100)
    flipped = [Edge(e.right, e.left, e.probability, e.weight) for e in edges]
    for sample in (records, flipped, must, cannot):
        rng.shuffle(sample)
    second = cluster_records(
        records,
        flipped,
        evidence=evidence,
        must_link=[(b, a) for a, b in must],
        cannot_link=cannot,
    )
    assert first.clusters == second.clusters
    assert first.flags == second.flags
    assert [[(x.left, x.right) for x in links] for links in first.merged_by] == [
        [(x.left, x.right) for x in links] for links in second.merged_by
    ]


def test_edge_columns_match_edge_objects_for_every_key_kind() -> None:
    records, edges, evidence, must, cannot = random_case(3)
    expected = cluster_records(
        records, edges, evidence=evidence, must_link=must, cannot_link=cannot
    )

    def relabel(result: Clustering[int], shift: int, scale: int) -> list[frozenset[int]]:
        return [frozenset((r - shift) // scale for r in c) for c in result.clusters]

    for shift, scale in ((0, 1), (1000, 1), (5, 10**9)):  # dense, offset, sparse ids
        key = {r: r * scale + shift for r in records}
        columns: EdgeColumns[int] = EdgeColumns(
            np.array([key[e.left] for e in edges]),
            np.array([key[e.right] for e in edges]),
            np.array([e.probability for e in edges]),
            np.array([e.weight for e in edges]),
        )
        result = cluster_records(
            [key[r] for r in records],
            columns,
            evidence={key[r]: ev for r, ev in evidence.items()},
            must_link=[(key[a], key[b]) for a, b in must],
            cannot_link=[(key[a], key[b]) for a, b in cannot],
        )
        assert relabel(result, shift, scale) == expected.clusters
        assert len(result.flags) == len(expected.flags)
        assert all(type(r) is int for c in result.clusters for r in c)


def test_string_keys() -> None:
    edges = [Edge("b", "a", 0.99, 7.0), Edge("c", "b", 0.2, -2.0)]
    result = cluster_records(["c", "a", "b"], edges)
    assert result.clusters == [frozenset({"a", "b"}), frozenset({"c"})]


def test_flags_are_one_per_pair_of_final_clusters() -> None:
    evidence = {1: person(ssn="111111111"), 3: person(ssn="333333333")}
    edges = [
        edge(1, 2, 0.999, 12.0),
        edge(3, 4, 0.999, 12.0),
        edge(2, 4, 0.99, 4.0),
        edge(1, 3, 0.99, 3.0),
        edge(2, 3, 0.99, 2.0),
    ]
    result = cluster_records(range(1, 5), edges, evidence=evidence, ambiguity_margin=0.0)
    assert groups(result) == {frozenset({1, 2}), frozenset({3, 4})}
    assert only(result.flags, "conflict").records == (2, 4)  # the strongest refused edge


# -- properties --------------------------------------------------------------------------

PROBS = st.sampled_from([0.999, 0.99, 0.95, 0.9, 0.7, 0.4, 0.05])


@st.composite
def graphs(draw: st.DrawFn) -> Case:
    n = draw(st.integers(1, 12))
    pair = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1))
    raw = draw(st.lists(st.tuples(pair, PROBS, st.floats(-1, 1)), max_size=30))
    edges = [edge(a, b, p, math.log2(p / (1 - p)) + d) for (a, b), p, d in raw if a != b]
    evidence = {
        r: person(
            ssn=draw(st.sampled_from([None, "1", "2"])),
            dob=draw(st.sampled_from([None, "1970-01-01", "1990-01-01", "1970"])),
        )
        for r in range(n)
    }
    must = draw(st.lists(pair, max_size=3))
    cannot = draw(st.lists(pair, max_size=4))
    return n, edges, evidence, must, cannot


def check_invariants(
    n: int,
    result: Clustering[int],
    edges: Iterable[Edge[int]],
    cannot: list[tuple[int, int]],
    threshold: float,
) -> None:
    members = [r for c in result.clusters for r in c]
    assert sorted(members) == list(range(n))  # every record exactly once
    where = {r: i for i, c in enumerate(result.clusters) for r in c}
    for a, b in cannot:
        assert a == b or where[a] != where[b]  # no cluster holds a cannot-link pair
    scored = {frozenset((e.left, e.right)) for e in edges}
    for cluster, links in zip(result.clusters, result.merged_by, strict=True):
        assert len(links) == len(cluster) - 1
        reached = {min(cluster)}
        for _ in links:  # the links connect the cluster: a spanning tree
            reached |= {
                x
                for link in links
                for x in (link.left, link.right)
                if {link.left, link.right} & reached
            }
        assert reached == cluster
        for link in links:
            if link.edge is not None:
                assert link.edge.probability >= threshold
                assert frozenset((link.edge.left, link.edge.right)) in scored


@settings(max_examples=300, deadline=None)
@given(graphs(), st.randoms(use_true_random=False))
def test_clustering_invariants(case: Case, rnd: random.Random) -> None:
    n, edges, evidence, must, cannot = case
    result = cluster_records(range(n), edges, evidence=evidence, must_link=must, cannot_link=cannot)
    check_invariants(n, result, edges, cannot, 0.9)
    if not must:  # without a human override, no cluster holds two SSNs beyond a typo apart
        for cluster in result.clusters:
            ssns = sorted({evidence[r].identifiers.get("ssn") for r in cluster} - {None})
            assert all(one_edit(a, b) for a in ssns for b in ssns), ssns
    shuffled = list(edges)
    rnd.shuffle(shuffled)
    again = cluster_records(
        reversed(range(n)), shuffled, evidence=evidence, must_link=must, cannot_link=cannot[::-1]
    )
    assert again.clusters == result.clusters
    assert again.flags == result.flags


def test_same_judgement_brings_a_record_into_the_whole_entity() -> None:
    # 4 scores low against 2 and 3, but was judged the same as 1: it joins 1's entity
    # rather than pulling 1 out of it.
    edges = [
        edge(1, 2, 0.999),
        edge(2, 3, 0.999),
        edge(1, 3, 0.998),
        edge(4, 2, 0.05),
        edge(4, 3, 0.05),
    ]
    result = cluster_records(range(1, 5), edges, must_link=[(1, 4)])
    assert groups(result) == {frozenset({1, 2, 3, 4})}


def test_date_conflict_names_one_record_from_each_side() -> None:
    # {1, 2} were judged the same despite their dates; 3 is far from both.
    evidence = {
        1: person(dob="1956-09-23"),
        2: person(dob="1990-08-24"),
        3: person(dob="1972-01-15"),
    }
    result = cluster_records([1, 2, 3], [edge(1, 3, 0.99)], evidence=evidence, must_link=[(1, 2)])
    assert groups(result) == {frozenset({1, 2}), frozenset({3})}
    reason = only(result.flags, "conflict").reason
    assert "and 3 have dates of birth" in reason
    assert "1972-01-15" in reason


def test_a_date_close_to_any_member_is_no_conflict() -> None:
    # One person's cluster holds typo variants; a record matching one of them may join.
    evidence = {
        1: person(dob="1956-09-23"),
        2: person(dob="1990-08-24"),
        3: person(dob="1956-09-23"),
    }
    result = cluster_records([1, 2, 3], [edge(1, 3, 0.99)], evidence=evidence, must_link=[(1, 2)])
    assert groups(result) == {frozenset({1, 2, 3})}


@pytest.mark.parametrize(
    ("a", "b", "close"),
    [
        ("123456789", "123456789", True),
        ("123456789", "123456780", True),  # one substitution
        ("123456789", "123457689", True),  # adjacent transposition
        ("123456789", "12345678", True),  # one deletion
        ("123456789", "1234567890", True),  # one insertion
        ("123456789", "123456700", False),
        ("123456789", "987654321", False),
    ],
)
def testone_edit(a: str, b: str, close: bool) -> None:
    assert one_edit(a, b) is close
    assert one_edit(b, a) is close


def test_an_identifier_typo_is_no_conflict() -> None:
    evidence = {1: Evidence({"ssn": "123456789"}), 2: Evidence({"ssn": "123456780"})}
    result = cluster_records([1, 2], [edge(1, 2, 0.99)], evidence=evidence)
    assert groups(result) == {frozenset({1, 2})}
    assert not result.flags


def test_a_shared_identifier_overrides_the_household_pattern() -> None:
    evidence = {
        1: Evidence({}, "1975-04-02", "maria", "garcia", "12 oak st", frozenset({("ssn", "123")})),
        2: Evidence({}, "1975-04-02", "rosa", "garcia", "12 oak st", frozenset({("ssn", "123")})),
    }
    result = cluster_records([1, 2], [edge(1, 2, 0.95)], evidence=evidence)
    assert groups(result) == {frozenset({1, 2})}


def test_a_duplicate_free_source_gives_each_cluster_at_most_one_record() -> None:
    # 1 and 2 come from a registry with one row per person; 3 (another source) matches
    # both, 1 better. Plain clustering would chain all three together.
    evidence = {1: Evidence(source="dmv"), 2: Evidence(source="dmv"), 3: Evidence(source="court")}
    edges = [edge(1, 3, 0.99, 9.0), edge(2, 3, 0.95, 6.0), edge(1, 2, 0.9, 4.0)]
    free = cluster_records([1, 2, 3], edges, evidence=evidence)
    one = cluster_records([1, 2, 3], edges, evidence=evidence, one_per_source=["dmv"])
    assert groups(free) == {frozenset({1, 2, 3})}
    assert groups(one) == {frozenset({1, 3}), frozenset({2})}
    assert "declared free of duplicates" in only(one.flags, "conflict").reason


# -- dates no slip explains, where the data keeps dates well --------------------------------

STRICT = DateCheck(100, 0)  # 100 pairs sharing an identifier value, none with stray dates


def namesakes(dob_a: str | None, dob_b: str | None, ssn: str | None = None) -> dict[int, Evidence]:
    """Two records of one name at two addresses: nothing but the dates can tell them apart."""
    return {
        1: person(ssn=ssn, dob=dob_a, given="thuy", family="hoang", address="1 ELM ST"),
        2: person(ssn=ssn, dob=dob_b, given="thuy", family="hoang", address="9 OAK RD"),
    }


def merged(evidence: dict[int, Evidence], strict_dates: DateCheck | None = STRICT) -> bool:
    result = cluster_records(
        [1, 2], [edge(1, 2, 0.95)], threshold=0.8, evidence=evidence, strict_dates=strict_dates
    )
    return groups(result) == {frozenset({1, 2})}


def test_strict_dates_keep_namesakes_with_dates_no_slip_explains_apart() -> None:
    evidence = namesakes("1982-10-08", "1982-08-24")
    assert merged(evidence, None)  # months apart: not a conflict by default
    assert merged(evidence, DateCheck(100, 2))  # a check that found dates stray: not strict
    strict = cluster_records(
        [1, 2], [edge(1, 2, 0.95)], threshold=0.8, evidence=evidence, strict_dates=STRICT
    )
    assert groups(strict) == {frozenset({1}), frozenset({2})}
    reason = only(strict.flags, "conflict").reason
    assert "1982-08-24" in reason
    assert "no slip explains" in reason


@pytest.mark.parametrize(
    "dob_b",
    [
        "1982-10-09",  # one digit
        "1982-08-10",  # day and month swapped
        "1983-10-08",  # the year off by one
        "1982",  # a year alone
        None,
    ],
)
def test_strict_dates_let_a_slip_or_an_unknown_date_through(dob_b: str | None) -> None:
    assert merged(namesakes("1982-10-08", dob_b))


def test_a_new_year_counts_as_a_year_alone_where_the_data_writes_it_for_unknown_dates() -> None:
    evidence = namesakes("1982-10-08", "1982-01-01")
    assert not merged(evidence)  # an ordinary day here
    assert merged(evidence, DateCheck(100, 0, new_year=True))


def test_a_shared_identifier_outweighs_strict_dates() -> None:
    assert merged(namesakes("1982-10-08", "1982-08-24", ssn="219099999"))


def holders(*dates: str | None, first: int = 0) -> list[tuple[int, str | None]]:
    """The records holding one identifier value, numbered from ``first``, with their dates."""
    return [(first + i, d) for i, d in enumerate(dates)]


def test_date_check_counts_pairs_of_full_dates_sharing_a_value() -> None:
    shared = [
        holders("1980-05-04", "1980-05-04", "1980-04-05"),  # three pairs, all slips
        holders("1970-01-01", "1971-03-02", first=10),  # no slip, unless 1 January is unknown
        holders("1990", "1990-06-07", None, "19x0-01-02", first=20),  # no full pair
        holders("1960-02-03", first=30),  # nobody to pair with
        holders("1950-02-03", "1950-02-03", *[None] * 19, first=40),  # 21 holders: skipped
        holders("1944-07-08", "1945-11-30", first=70),  # dates no slip explains
        holders("1944-07-08", "1945-11-30", first=70),  # the same two records, another value
    ]
    check = check_dates(shared)
    assert (check.pairs, check.unslipped, check.new_year) == (5, 2, False)
    assert not check.strict  # too few pairs to judge on
    assert check_dates(shared, new_year=True) == DateCheck(4, 1, new_year=True)


def test_date_check_is_strict_only_where_unslipped_dates_are_rare() -> None:
    kept = [holders("1980-05-04", "1980-04-05", first=2 * i) for i in range(99)]
    stray = holders("1980-05-04", "1981-09-30", first=1000)
    other = holders("1980-05-04", "1981-09-30", first=2000)
    assert check_dates(kept).pairs == 99
    assert not check_dates(kept).strict  # under 100 pairs
    assert check_dates([*kept, stray]).strict  # 1 in 100
    assert not check_dates([*kept, stray, other]).strict  # 2 in 101
    check = check_dates([*kept, stray], new_year=True)
    assert DateCheck.from_json(check.to_json()) == check
    assert check.to_json()["strict"] is True
    assert DateCheck.from_json(None) is None


def test_at_one_address_strict_dates_leave_the_refusal_to_the_household_check() -> None:
    home = {"family": "hoang", "address": "1 ELM ST"}
    evidence = {
        1: person(dob="1982-10-08", given="thuy", **home),
        2: person(dob="1982-08-24", given="thuy", **home),
    }
    result = cluster_records(
        [1, 2], [edge(1, 2, 0.95)], threshold=0.8, evidence=evidence, strict_dates=STRICT
    )
    assert groups(result) == {frozenset({1}), frozenset({2})}
    assert kinds(result) == ["household"]


def test_new_year_is_unknown_only_where_it_is_written_far_more_than_other_days() -> None:
    ordinary = [f"1980-{m:02d}-{d:02d}" for m in range(1, 13) for d in range(1, 29)]  # 336
    assert not new_year_written_for_unknown(ordinary)
    assert new_year_written_for_unknown([*ordinary, "1971-01-01"])  # 2 of 337: twice the day
    assert not new_year_written_for_unknown(["1971", "1971-01"])  # no full date at all
