"""What a reader may not see of a record must not be learnt from what a read does with it.

Each test builds a small world with a court source (shown for a criminal investigation) and
a credit-header source whose SSN the demo pack redacts field by field (its marking
``credit_header_ssn``); some tests widen that marking to further fields. Then it checks one
way a hidden value could be inferred: which records a search brings back, and what a review
item or a "why not" answer says. On SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from linkwise.govern.gate import is_withheld
from linkwise.model.policy import entangled_fields
from linkwise.search.candidates import WORD_CAP
from linkwise.workspace import Workspace
from linkwise.workspace.session import ExplainInputError
from tests.govern.test_comparison_fields import CONTRIBUTIONS, MODEL
from tests.govern.test_session import _id, craft
from tests.helpers import (
    csv_text,
    manifest,
    person,
    seed_case,
    widen_credit_marking,
    write_manifest,
)

MARKINGS = {"court": ["criminal_justice"], "credit": ["credit_header_ssn"]}


def _world(
    ws: Workspace,
    tmp: Path,
    rows: dict[str, list[list[str]]],
    entities: dict[str, Sequence[str]],
    *,
    fields: str | None = None,
    review: Callable[[Workspace], list[dict[str, Any]]] | None = None,
    header: list[str] | None = None,
    mapping: dict[str, Any] | None = None,
    links: Sequence[tuple[str, str, float, dict[str, list[float]]]] = (),
) -> None:
    """Ingest ``rows`` per source, with the credit marking restricting ``fields`` (the demo
    pack's ``ssn`` alone unless given), and record ``entities`` as a resolution's result,
    with the review items ``review`` makes once the records have their ids."""
    if fields is not None:
        widen_credit_marking(ws, tmp, fields)
    folder = tmp / "src"
    folder.mkdir()
    extra = {} if mapping is None else {"fields": mapping}
    for name, found in rows.items():
        (folder / f"{name}.csv").write_text(csv_text(found, header), encoding="utf-8")
        ws.add_source(
            write_manifest(folder, manifest(name, f"{name}.csv", markings=MARKINGS[name], **extra))
        )
    ws.ingest()
    craft(ws, entities, links, review=review(ws) if review else [], model=MODEL)


def _entities(found: dict[str, Any]) -> list[str]:
    return sorted(r["entity_id"] for r in found["results"])


def test_a_search_cannot_tell_whose_redacted_ssn_it_names(
    workspace: Workspace, tmp_path: Path
) -> None:
    rows = {
        "credit": [
            person(1, "Mary", "Brown", SSN="111-22-3333"),
            person(2, "Mary", "Green", SSN="444-55-6666"),
        ],
        "court": [person(3, "Mary", "Smith", SSN="777-88-9999")],
    }
    _world(workspace, tmp_path, rows, {"E1": ["credit:1"], "E2": ["credit:2"], "E3": ["court:3"]})
    user, case = seed_case(workspace)
    with workspace.session(user, case.id) as session:
        first = session.search(name="Mary Smith", identifier="111-22-3333")
        second = session.search(name="Mary Smith", identifier="444-55-6666")
        visible = session.search(name="Mary Brown", identifier="777-88-9999")
    # before, each search brought back the one credit record holding the SSN typed, on a
    # partial name hit ("mary"): the result named the holder of a redacted SSN
    assert _entities(first) == _entities(second) == ["E3"]
    # a value the case may see still brings its record, and a visible name its own
    assert _entities(visible) == ["E1", "E3"]


def test_a_search_cannot_test_guesses_at_a_hidden_family_name(
    workspace: Workspace, tmp_path: Path
) -> None:
    rows = {
        "credit": [person(1, "John", "Smith"), person(2, "John", "Jones")],
        "court": [person(3, "John", "Smith")],
    }
    _world(
        workspace,
        tmp_path,
        rows,
        {"E1": ["credit:1"], "E2": ["credit:2"], "E3": ["court:3"]},
        fields="ssn, family_name",
    )
    user, case = seed_case(workspace)
    with workspace.session(user, case.id) as session:
        smith = session.search(name="John Smith")
        jones = session.search(name="John Jones")
    assert _entities(smith) == ["E3"]  # the court's John Smith, whose family name is shown
    assert _entities(jones) == []


def _item(kind: str, records: list[str], reason: str, priority: float) -> dict[str, Any]:
    return {
        "kind": kind,
        "record_ids": records,
        "priority": priority,
        "match_probability": None,
        "reason": reason,
    }


def test_a_review_sentence_is_told_only_if_every_value_it_rests_on_may_be_seen(
    workspace: Workspace, tmp_path: Path
) -> None:
    rows = {
        "court": [person(1, "Ann", "Lee"), person(2, "Bob", "Lee"), person(4, "Cy", "Lee")],
        "credit": [person(3, "Ann", "Lee", ADDR="9 Secret Way", SSN="111-22-3333")],
    }
    ids = {}

    def review(ws: Workspace) -> list[dict[str, Any]]:
        ids.update({r: _id(ws, r) for r in ("court:1", "court:2", "court:4", "credit:3")})
        c1, c2, c4, k3 = (ids[r] for r in ("court:1", "court:2", "court:4", "credit:3"))
        return [
            # quotes the address of a third record, the credit one, restricted field by field
            _item(
                "household",
                ["court:1", "court:2"],
                f"Records {c1} and {c2} were not merged: records {k3} and {c2} share family "
                f"name 'lee' and address '9 SECRET WAY' but have different given names",
                12.0,
            ),
            # tells that an SSN the demo pack redacts differs from the court record's
            _item(
                "conflict",
                ["court:1", "credit:3"],
                f"Records {c1} and {k3} were not merged: records {c1} and {k3} hold different "
                "SSN numbers",
                11.0,
            ),
            # court records only: told as it is
            _item(
                "household",
                ["court:2", "court:4"],
                f"Records {c2} and {c4} were not merged: records {c2} and {c4} share family "
                "name 'lee' and address '1 MAIN ST' but have different given names",
                10.0,
            ),
        ]

    _world(
        workspace,
        tmp_path,
        rows,
        {"E1": ["court:1", "credit:3"], "E2": ["court:2"], "E4": ["court:4"]},
        fields="ssn, address_line",
        review=review,
    )
    user, case = seed_case(workspace)
    with workspace.session(user, case.id) as session:
        items = session.review_queue()
    third, conflict, plain = items
    for item in (third, conflict):
        assert is_withheld(item["reason"])
        assert item["kind"] == "flagged"  # "household" would say they share an address
    assert "secret" not in str(items).lower()
    assert plain["kind"] == "household"
    assert "1 MAIN ST" in plain["reason"]


ANN_LEES = {
    "court": [person(1, "Ann", "Lee"), person(2, "Ann", "Lee", DOB="1980-03-05")],
    "credit": [person(3, "Ann", "Lee", SSN="111-22-3333")],
}
"""Three Ann Lees: two court records with different dates of birth, and a credit-header
record whose SSN the demo pack redacts."""


def test_an_ambiguous_record_s_weights_are_told_only_if_every_field_may_be_seen(
    workspace: Workspace, tmp_path: Path
) -> None:
    # the demo pack's marking: only the credit record's SSN is redacted, its name, date and
    # address are shown; the sentence quotes two links' model weights, SSN comparison
    # included, so it is not told (the weights less the shown rows would give the level)

    def review(ws: Workspace) -> list[dict[str, Any]]:
        c1, c2, k3 = (_id(ws, r) for r in ("court:1", "court:2", "credit:3"))
        reason = (
            "Record {} matches record {} (weight 21.25) and record {} (weight 20.26), within "
            "1 of each other, but cannot join both; it was left on its own for review."
        )
        return [
            _item("ambiguous", ["credit:3", "court:1", "court:2"], reason.format(k3, c1, c2), 13),
            _item("ambiguous", ["court:1", "court:2"], reason.format(c1, c2, c2), 12),
        ]

    _world(
        workspace,
        tmp_path,
        ANN_LEES,
        {"E1": ["court:1"], "E2": ["court:2"], "E3": ["credit:3"]},
        review=review,
    )
    user, case = seed_case(workspace)
    with workspace.session(user, case.id) as session:
        hidden, told = session.review_queue()
    assert hidden["kind"] == "ambiguous"
    assert is_withheld(hidden["reason"])
    assert "21.25" in told["reason"]  # court records only: told as it is


def test_why_not_weighs_the_links_into_the_entity_on_the_evidence_shown(
    workspace: Workspace, tmp_path: Path
) -> None:
    # asked why a record of another entity is not in this one, the answer weighs its links
    # into the entity by the figure of the evidence shown (its SSN withheld); asked about a
    # member, it says the record is in the entity instead of inventing a reason
    weak = {**CONTRIBUTIONS, "dob": [0, -4.0, 0.0]}
    _world(
        workspace,
        tmp_path,
        ANN_LEES,
        {"E1": ["court:1", "credit:3"], "E2": ["court:2"]},
        links=[
            ("court:1", "credit:3", 0.99, CONTRIBUTIONS),
            ("court:1", "court:2", 0.4, weak),
            ("court:2", "credit:3", 0.9, CONTRIBUTIONS),
        ],
    )
    user, case = seed_case(workspace)
    with workspace.session(user, case.id) as session:
        found = session.explain_entity("E1", ("court", "2"))
        with pytest.raises(ExplainInputError, match="is in entity E1"):
            session.explain_entity("E1", ("court", "1"))
    # of its two links into E1 (to court:1 at 40%, to credit:3 at 90%) the stronger is told
    assert "best link into the entity is between records 2 and 3" in str(found["why_not"])
    assert "The model gives the link 90%" in str(found["why_not"])


def test_a_full_name_is_hidden_with_any_part_of_it(workspace: Workspace, tmp_path: Path) -> None:
    # a source giving one full name, split into its parts at ingestion; the pack restricts
    # the family name of its records field by field
    header = ["ID", "NAME", "DOB", "ADDR", "ZIP", "PHONE", "SSN", "CLASS"]
    mapping = {
        "full_name": "NAME",
        "dob": {"column": "DOB", "format": "%Y-%m-%d"},
        "address_line": "ADDR",
        "postcode": "ZIP",
        "phone": "PHONE",
        "ssn": "SSN",
    }
    row = person(1, "John", "Smith")
    rows = {"credit": [[row[0], "John Smith", *row[3:]]]}
    _world(
        workspace,
        tmp_path,
        rows,
        {"E1": ["credit:1"]},
        fields="ssn, family_name",
        header=header,
        mapping=mapping,
    )
    user, case = seed_case(workspace)
    with workspace.session(user, case.id) as session:
        record = session.record("credit", "1")
    fields = next(v for v in record["versions"] if v["is_current"])["fields"]
    assert is_withheld(fields["family_name"])
    assert is_withheld(fields["full_name"])  # "john smith" would show the family name
    assert fields["given_name"] == "john"  # a part on its own gives no other away
    assert "smith" not in str(record).lower()


def test_a_marking_on_a_field_brings_the_fields_that_would_give_it_away() -> None:
    assert entangled_fields(["ssn", "given_name"]) == [
        "ssn",
        "given_name",
        "full_name",
        "name_original",
    ]
    assert set(entangled_fields(["full_name"])) == {
        "full_name",
        "name_original",
        "given_name",
        "middle_name",
        "family_name",
        "name_suffix",
    }
    # a suffix read off a family name; a year is the date's
    assert set(entangled_fields(["name_suffix"])) == {
        "name_suffix",
        "family_name",
        "full_name",
        "name_original",
    }
    assert set(entangled_fields(["birth_year"])) == {
        "birth_year",
        "dob",
        "birth_month",
        "birth_day",
    }
    assert entangled_fields(["ssn", "phone"]) == ["ssn", "phone"]


def test_a_review_item_naming_a_record_never_disclosed_is_left_out(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(MARKINGS, "vawa", ["protected_victim_1367"])
    rows = {
        "court": [person(1, "Ann", "Lee"), person(2, "Bob", "Lee")],
        "vawa": [person(3, "Ann", "Lee")],
    }

    def review(ws: Workspace) -> list[dict[str, Any]]:
        c1, c2, v3 = (_id(ws, r) for r in ("court:1", "court:2", "vawa:3"))
        return [
            _item(
                "household",
                ["court:1", "court:2"],
                f"Records {c1} and {c2} were not merged: records {v3} and {c2} share family "
                "name 'lee' and address '1 MAIN ST' but have different given names",
                12.0,
            ),
        ]

    _world(
        workspace,
        tmp_path,
        rows,
        {"E1": ["court:1", "vawa:3"], "E2": ["court:2"]},
        review=review,
    )
    user, case = seed_case(workspace)
    with workspace.session(user, case.id) as session:
        items = session.review_queue()
    # even a marker would name 8 U.S.C. 1367 and so say a protected record is there
    assert items == []


def test_a_conflict_told_rests_only_on_the_fields_its_sentence_names(
    workspace: Workspace, tmp_path: Path
) -> None:
    rows = {"court": [person(1, "Ann", "Lee")], "credit": [person(3, "Ann", "Lee")]}

    def review(ws: Workspace) -> list[dict[str, Any]]:
        c1, k3 = _id(ws, "court:1"), _id(ws, "credit:3")
        return [
            _item(
                "conflict",
                ["court:1", "credit:3"],
                f"Records {c1} and {k3} were not merged: records {c1} and {k3} have dates of "
                "birth 1950-01-01 and 1990-01-01, more than 2 years apart",
                12.0,
            )
        ]

    _world(workspace, tmp_path, rows, {"E1": ["court:1"], "E3": ["credit:3"]}, review=review)
    user, case = seed_case(workspace)
    with workspace.session(user, case.id) as session:
        (item,) = session.review_queue()
    # the demo pack redacts the credit record's SSN, which this sentence does not rest on
    assert item["kind"] == "conflict"
    assert "more than 2 years apart" in item["reason"]


def test_a_search_cannot_reach_past_a_lookups_cap_through_a_hidden_value(
    workspace: Workspace, tmp_path: Path
) -> None:
    # more people named Mary than one name lookup returns, and one of them found only by
    # her date of birth, which the pack hides: she must come back, or not, alike whether
    # the date typed is hers or not
    n = WORD_CAP + 60
    rows = {
        "credit": [
            person(i, "Mary", f"Fam{chr(97 + i % 26)}{chr(97 + (i // 26) % 26)}", DOB="1960-01-01")
            for i in range(1, n)
        ]
        + [person(n, "Mary", "Target", DOB="1970-03-04")]
    }
    # her entity's id sorts first among equal scores, so she is in the top results if found
    entities = {f"E{i}": [f"credit:{i}"] for i in range(1, n)} | {"E0": [f"credit:{n}"]}
    _world(workspace, tmp_path, rows, entities, fields="ssn, dob")
    user, case = seed_case(workspace)
    with workspace.session(user, case.id) as session:
        right = session.search(name="Mary", dob="1970-03-04", limit=100)
        wrong = session.search(name="Mary", dob="1971-05-06", limit=100)
    assert ("E0" in _entities(right)) == ("E0" in _entities(wrong))
